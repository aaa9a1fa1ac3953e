//! Reconnect and retry for the server storages (PostgreSQL, MySQL, Redis): a dropped connection
//! or a restarting server is retried with bounded, jittered exponential backoff until a time
//! window runs out. What may be retried is decided by each storage (a statement whose
//! transaction the server rolled back, a write whose outcome it checks first); this module only
//! keeps the time.

use std::time::{Duration, Instant};

/// How long a server storage keeps trying when its server cannot be reached, and how it spaces
/// the attempts: the first pause is `first_pause`, each next one doubles up to `max_pause`, and
/// every pause is drawn uniformly between half and all of that (jitter, so that many workers
/// that lost one server do not all come back in the same millisecond). After `window` without
/// success the last error is returned.
///
/// The default window is 60 seconds (enough for a database server to restart), first pause
/// 50 ms, longest pause 2 s. [`RetryPolicy::never`] turns retrying off.
///
/// ```
/// use std::time::Duration;
/// use hpo_storage::RetryPolicy;
///
/// let patient = RetryPolicy::default().window(Duration::from_secs(300));
/// assert_eq!(patient.window_length(), Duration::from_secs(300));
/// assert_eq!(RetryPolicy::never().window_length(), Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    window: Duration,
    first_pause: Duration,
    max_pause: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            window: Duration::from_secs(60),
            first_pause: Duration::from_millis(50),
            max_pause: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// No retry: the first connection error is returned.
    pub fn never() -> Self {
        RetryPolicy {
            window: Duration::ZERO,
            ..RetryPolicy::default()
        }
    }

    /// Keeps retrying for `window` after the first failure of an operation.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The first pause (`first`) and the longest (`max`); `max` below `first` is raised to it.
    pub fn pauses(mut self, first: Duration, max: Duration) -> Self {
        self.first_pause = first;
        self.max_pause = max.max(first);
        self
    }

    /// The window set.
    pub fn window_length(&self) -> Duration {
        self.window
    }

    /// A clock for one operation's attempts.
    pub(crate) fn start(&self) -> Backoff {
        Backoff {
            policy: *self,
            started: Instant::now(),
            attempt: 0,
            seed: seed(),
        }
    }
}

/// The attempts of one operation under a [`RetryPolicy`].
#[derive(Debug)]
pub(crate) struct Backoff {
    policy: RetryPolicy,
    started: Instant,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    /// After a failed attempt: sleeps the next pause and returns `true` if the window allows
    /// another attempt after it, or returns `false` at once when it does not. A pause that would
    /// end past the window is shortened to end with it, so the last attempt comes at the end of
    /// the window rather than up to a whole pause before.
    pub(crate) fn wait(&mut self) -> bool {
        let base = self
            .policy
            .first_pause
            .saturating_mul(1u32 << self.attempt.min(20))
            .min(self.policy.max_pause);
        self.attempt += 1;
        // Uniform in [base/2, base].
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let fraction = 0.5 + 0.5 * (self.seed >> 11) as f64 / (1u64 << 53) as f64;
        let Some(left) = self.policy.window.checked_sub(self.started.elapsed()) else {
            return false;
        };
        if left.is_zero() {
            return false;
        }
        std::thread::sleep(base.mul_f64(fraction).min(left));
        true
    }

    /// How many attempts failed so far.
    pub(crate) fn failures(&self) -> u32 {
        self.attempt
    }

    /// Time since the first attempt's failure.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// A per-call seed: the clock's nanoseconds mixed with the thread's identity.
fn seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    RandomState::new().hash_one((nanos, std::thread::current().id())) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_stay_jittered_and_stop_at_the_window() {
        let policy = RetryPolicy::default()
            .window(Duration::from_millis(300))
            .pauses(Duration::from_millis(10), Duration::from_millis(40));
        let mut b = policy.start();
        let mut n = 0;
        while b.wait() {
            n += 1;
        }
        // Measured from the backoff's own start: the window counts from there, so a clock read
        // after it would see up to that gap less.
        let spent = b.elapsed();
        // 5+10+20+20+... ms at least, 10+20+40+40+... at most, the last one cut to end with the
        // 300 ms window.
        assert!(spent >= Duration::from_millis(300), "{spent:?}");
        assert!(spent <= Duration::from_millis(600), "{spent:?}");
        assert!((7..=60).contains(&n), "{n} attempts");
        assert_eq!(b.failures(), n + 1);
        let mut never = RetryPolicy::never().start();
        assert!(!never.wait());
    }
}
