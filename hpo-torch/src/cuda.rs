//! Making sure CUDA is really used when it is there.
//!
//! A binary that links libtorch with the default `--as-needed` drops `libtorch_cuda.so` from its
//! dependencies (nothing in it is referenced directly), so CUDA is never registered and
//! `tch::Cuda::is_available()` is false even on a GPU machine (tch-rs issues #907 and #980).
//! [`ensure_cuda`] loads that library at start-up, which registers CUDA with libtorch, so every
//! program that uses hpo-torch gets the fix without a special link line. (The link-time
//! alternative, for programs that do not call it, is documented in the crate README.)

use std::sync::OnceLock;

use tch::{Cuda, Device};

/// What [`ensure_cuda`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CudaStatus {
    /// `libtorch_cuda.so` is loaded in this process (linked or loaded at start-up).
    pub library_loaded: bool,
    /// Where it was loaded from, when this call loaded it.
    pub loaded_from: Option<String>,
    /// CUDA is available to libtorch (a driver and a device are present).
    pub available: bool,
    /// Number of CUDA devices.
    pub device_count: usize,
}

/// Whether a shared library whose file name starts with `name` is mapped into this process.
pub fn library_is_mapped(name: &str) -> bool {
    std::fs::read_to_string("/proc/self/maps").is_ok_and(|maps| {
        maps.lines().any(|l| {
            l.rsplit('/')
                .next()
                .is_some_and(|file| file.starts_with(name))
        })
    })
}

/// The directory of the mapped `libtorch_cpu.so`, where `libtorch_cuda.so` sits in a CUDA build.
fn torch_lib_dir() -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|l| {
        let path = l.split_whitespace().last()?;
        let (dir, file) = path.rsplit_once('/')?;
        file.starts_with("libtorch_cpu.so").then(|| dir.to_owned())
    })
}

#[allow(unsafe_code)]
fn load(path: &str) -> bool {
    // SAFETY: loading libtorch_cuda.so runs its static initialisers, which register the CUDA
    // backend with the libtorch already loaded in this process: that is exactly what the
    // dynamic linker would do had the library been linked. The handle is leaked on purpose so
    // the library is never unloaded while libtorch may call into it.
    let lib = unsafe {
        libloading::os::unix::Library::open(
            Some(path),
            libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_GLOBAL,
        )
    };
    match lib {
        Ok(lib) => {
            std::mem::forget(lib);
            true
        }
        Err(e) => {
            hpo::log_debug!("could not load {path}: {e}");
            false
        }
    }
}

/// Loads `libtorch_cuda.so` if this process has not (once; later calls return the first
/// answer) and reports whether CUDA is usable. On a CPU-only libtorch there is no such library
/// and CUDA stays unavailable; nothing fails.
pub fn ensure_cuda() -> &'static CudaStatus {
    static STATUS: OnceLock<CudaStatus> = OnceLock::new();
    STATUS.get_or_init(|| {
        // Touch libtorch so that libtorch_cpu.so is mapped before looking for its directory.
        let _ = Device::Cpu;
        let _ = tch::Tensor::from(0i64);
        let mut loaded_from = None;
        if !library_is_mapped("libtorch_cuda.so") {
            let mut candidates = Vec::new();
            if let Some(dir) = torch_lib_dir() {
                candidates.push(format!("{dir}/libtorch_cuda.so"));
            }
            candidates.push("libtorch_cuda.so".to_owned());
            for c in candidates {
                if (c.starts_with('/') && !std::path::Path::new(&c).exists()) || !load(&c) {
                    continue;
                }
                loaded_from = Some(c);
                break;
            }
        }
        let available = Cuda::is_available();
        let status = CudaStatus {
            library_loaded: library_is_mapped("libtorch_cuda.so"),
            loaded_from,
            available,
            device_count: if available {
                Cuda::device_count().max(0) as usize
            } else {
                0
            },
        };
        hpo::log_debug!("CUDA status: {status:?}");
        status
    })
}

/// The devices to train on: every CUDA device, or the CPU when there is none.
pub fn devices() -> Vec<Device> {
    let status = ensure_cuda();
    if status.available && status.device_count > 0 {
        (0..status.device_count).map(Device::Cuda).collect()
    } else {
        vec![Device::Cpu]
    }
}
