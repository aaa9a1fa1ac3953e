//! Sharing independent pieces of work out over threads, with results in a fixed order (so that
//! a computation gives the same bits on any number of threads).

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f(0), ..., f(n - 1)` in order, computed on up to `threads` threads (the caller's among
/// them), each index by whichever thread is free next. A panic in `f` is passed on to the
/// caller.
pub fn map_parallel<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return done;
            }
            done.push((i, f(i)));
        }
    };
    let mut all: Vec<(usize, T)> = std::thread::scope(|s| {
        // A helper that cannot be started (a process at its thread limit) leaves its share to
        // the threads that did start: the indices are handed out one at a time.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, work).ok())
            .collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order_on_any_number_of_threads() {
        let want: Vec<u64> = (0..37).map(|i| i * i).collect();
        for threads in [0, 1, 2, 3, 8, 100] {
            assert_eq!(
                map_parallel(37, threads, |i| (i * i) as u64),
                want,
                "{threads}"
            );
        }
        assert!(map_parallel(0, 4, |i| i).is_empty());
    }

    #[test]
    #[should_panic(expected = "piece 5")]
    fn a_panic_in_a_piece_reaches_the_caller() {
        map_parallel(9, 3, |i| {
            if i == 5 {
                panic!("piece 5");
            }
            i
        });
    }
}
