//! `DevicePool`: lease each trial a device, with `k` concurrent trials per GPU.

use std::ops::Deref;

use parking_lot::{Condvar, Mutex};
use tch::Device;

/// Hands out devices to concurrent trials: every CUDA device (CPU when there is none), each
/// shared by at most `per_device` trials at a time. Run `optimize` with
/// [`n_jobs`](DevicePool::n_jobs) workers and lease a device at the start of each trial.
///
/// ```no_run
/// use hpo_torch::DevicePool;
/// let pool = DevicePool::new(2); // two concurrent trials per GPU
/// let device = pool.lease();     // blocks until a slot is free
/// println!("training on {:?}", *device);
/// ```
#[derive(Debug)]
pub struct DevicePool {
    devices: Vec<Device>,
    per_device: usize,
    in_use: Mutex<Vec<usize>>,
    freed: Condvar,
}

impl DevicePool {
    /// All CUDA devices (loading CUDA first, see [`ensure_cuda`](crate::ensure_cuda)), or the
    /// CPU, with `per_device` concurrent trials each (at least 1).
    pub fn new(per_device: usize) -> DevicePool {
        DevicePool::with_devices(crate::cuda::devices(), per_device)
    }

    /// A pool over the given devices.
    pub fn with_devices(devices: Vec<Device>, per_device: usize) -> DevicePool {
        let devices = if devices.is_empty() {
            vec![Device::Cpu]
        } else {
            devices
        };
        let n = devices.len();
        DevicePool {
            devices,
            per_device: per_device.max(1),
            in_use: Mutex::new(vec![0; n]),
            freed: Condvar::new(),
        }
    }

    /// The devices of the pool.
    pub fn devices(&self) -> &[Device] {
        &self.devices
    }

    /// How many trials can run at once: devices × per-device slots. Pass it to
    /// `OptimizeOptions::n_jobs`.
    pub fn n_jobs(&self) -> usize {
        self.devices.len() * self.per_device
    }

    /// Leases the least-loaded device with a free slot, waiting for one if needed. The slot is
    /// returned when the lease is dropped.
    pub fn lease(&self) -> DeviceLease<'_> {
        let mut in_use = self.in_use.lock();
        loop {
            let best = in_use
                .iter()
                .enumerate()
                .filter(|(_, n)| **n < self.per_device)
                .min_by_key(|(_, n)| **n)
                .map(|(i, _)| i);
            if let Some(i) = best {
                in_use[i] += 1;
                return DeviceLease {
                    pool: self,
                    index: i,
                };
            }
            self.freed.wait(&mut in_use);
        }
    }
}

/// A device leased from a [`DevicePool`]; dereferences to the [`Device`].
#[derive(Debug)]
pub struct DeviceLease<'a> {
    pool: &'a DevicePool,
    index: usize,
}

impl Deref for DeviceLease<'_> {
    type Target = Device;

    fn deref(&self) -> &Device {
        &self.pool.devices[self.index]
    }
}

impl Drop for DeviceLease<'_> {
    fn drop(&mut self) {
        let mut in_use = self.pool.in_use.lock();
        in_use[self.index] -= 1;
        self.pool.freed.notify_one();
    }
}
