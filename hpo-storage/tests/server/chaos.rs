//! Workers on a server storage while the network fails under them: two workers, each with its
//! own storage through one TCP proxy, run one study while the proxy cuts every connection at
//! random moments and once refuses connections for 1.5 s (a restarting server). Shared by the
//! Redis, PostgreSQL and MySQL tests, which differ only in how they open a storage.

#![allow(dead_code)] // Each test binary uses a part.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hpo_core::{ParamValue, RandomSampler, Storage, Study, TrialState};

use super::proxy::Proxy;

/// Trials each of the two workers runs in a round.
pub const PER_WORKER: usize = 150;
/// Cuts of every connection in a round (plus one refusal).
pub const CUTS: usize = 8;

#[path = "../../../hpo-core/tests/support/scratch.rs"]
mod scratch;
pub use scratch::Rng;

/// One round on study `name` (which must not exist yet): two workers open storages with
/// `through_proxy` and run [`PER_WORKER`] trials each, while `proxy` cuts every connection
/// [`CUTS`] times at random numbers of finished trials and refuses connections for 1.5 s
/// once. Then a storage from `direct` must hold exactly `2 × PER_WORKER` complete trials
/// numbered `0..2 × PER_WORKER`, each with its parameter and value, none left running; and the
/// study is deleted.
pub fn round(
    round: usize,
    proxy: &Proxy,
    through_proxy: &(dyn Fn() -> Arc<dyn Storage> + Sync),
    direct: &dyn Fn() -> Arc<dyn Storage>,
    name: &str,
) {
    let mut rng = Rng::from_clock();
    let seed = rng.0;
    // When to strike, in finished trials: CUTS cuts and one refusal (`true`), in order.
    let mut events: Vec<(u64, bool)> = (0..CUTS)
        .map(|_| (5 + rng.below(2 * PER_WORKER as u64 - 15), false))
        .collect();
    events.push((5 + rng.below(2 * PER_WORKER as u64 - 15), true));
    events.sort();
    let finished = AtomicUsize::new(0);
    // Workers that returned or panicked: the cutter stops waiting for trials then.
    let workers_done = AtomicUsize::new(0);
    struct Done<'a>(&'a AtomicUsize);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let started = Instant::now();
    let accepted_before = proxy.accepted();
    let (cuts, refused_at) = std::thread::scope(|scope| {
        for w in 0..2u64 {
            let storage = through_proxy();
            let (finished, workers_done) = (&finished, &workers_done);
            scope.spawn(move || {
                let _done = Done(workers_done);
                let study = Study::builder()
                    .name(name)
                    .storage_arc(storage)
                    .sampler(RandomSampler::with_seed(round as u64 * 2 + w))
                    .load_if_exists(true)
                    .build()
                    .unwrap();
                let mut rng = Rng(seed ^ (w + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                study
                    .optimize(PER_WORKER, |t| {
                        let x = t.suggest_float("x", 0.0, 1.0)?;
                        std::thread::sleep(Duration::from_micros(1000 + rng.below(1000)));
                        finished.fetch_add(1, Ordering::SeqCst);
                        Ok(x)
                    })
                    .unwrap_or_else(|e| panic!("worker {w} (seed {seed}): {e}"));
            });
        }
        let mut cuts = 0;
        let mut refused_at = 0;
        for &(at, refuse) in &events {
            while (finished.load(Ordering::SeqCst) as u64) < at
                && workers_done.load(Ordering::SeqCst) < 2
            {
                std::thread::sleep(Duration::from_micros(200));
            }
            if refuse {
                proxy.refuse_for(Duration::from_millis(1500));
                refused_at = at;
            } else {
                proxy.cut();
                cuts += 1;
            }
        }
        (cuts, refused_at)
    });
    let took = started.elapsed();
    let accepted = proxy.accepted() - accepted_before;
    eprintln!(
        "round {round} (seed {seed}): {cuts} cuts and a 1.5 s refusal (after {refused_at} \
         trials) at trials {:?}; {accepted} connections accepted; {took:?}",
        events.iter().map(|e| e.0).collect::<Vec<_>>(),
    );
    assert_eq!(cuts, CUTS);
    // Both workers' first connections, and at least one reconnection per cut.
    assert!(accepted >= 2 + CUTS, "{accepted}");
    let storage = direct();
    let fresh = Study::builder()
        .name(name)
        .storage_arc(storage.clone())
        .load()
        .unwrap();
    let trials = fresh.trials().unwrap();
    assert_eq!(trials.len(), 2 * PER_WORKER, "seed {seed}");
    let numbers: Vec<u64> = trials.iter().map(|t| t.number).collect();
    let unique: BTreeSet<u64> = numbers.iter().copied().collect();
    assert_eq!(
        unique.len(),
        numbers.len(),
        "duplicate numbers (seed {seed})"
    );
    assert_eq!(unique, (0..2 * PER_WORKER as u64).collect(), "seed {seed}");
    let ids: BTreeSet<_> = trials.iter().map(|t| t.trial_id).collect();
    assert_eq!(ids.len(), 2 * PER_WORKER);
    for t in &trials {
        assert_eq!(
            t.state,
            TrialState::Complete,
            "trial {} (seed {seed})",
            t.number
        );
        let Some(ParamValue::Float(x)) = t.param("x") else {
            panic!("trial {} has no x (seed {seed})", t.number);
        };
        assert_eq!(t.values, Some(vec![*x]), "trial {} (seed {seed})", t.number);
    }
    storage.delete_study(fresh.study_id()).unwrap();
}
