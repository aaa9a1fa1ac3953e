//! Studies and trial checks the sampler and optimize tests of hpo-core, hpo-samplers and
//! hpo-importance share (included with `#[path]`).
#![allow(dead_code)]

use std::fmt::{Debug, Display};
use std::sync::Arc;

use hpo_core::storage::StudyId;
use hpo_core::{FrozenTrial, ParamValue, Sampler, Storage, Study, StudyDirection, TrialState};
use indexmap::IndexMap;

/// Two minimized objectives.
pub const MIN2: [StudyDirection; 2] = [StudyDirection::Minimize, StudyDirection::Minimize];

/// A fresh in-memory study of one minimized objective, sampled by `sampler`.
pub fn sampled_study(sampler: impl Sampler + 'static) -> Study {
    Study::builder().sampler(sampler).build().unwrap()
}

/// A fresh study with the default sampler, stored in `storage`.
pub fn stored_study(storage: Arc<dyn Storage>) -> Study {
    Study::builder().storage_arc(storage).build().unwrap()
}

/// A new minimized study `name` created straight on `storage`, with no `Study` around it; its id.
pub fn new_minimized_study(storage: &dyn Storage, name: &str) -> StudyId {
    storage
        .create_new_study(&[StudyDirection::Minimize], name)
        .unwrap()
}

/// A fresh in-memory study of `directions`, sampled by `sampler`.
pub fn sampled_study_with(
    directions: impl Into<Vec<StudyDirection>>,
    sampler: impl Sampler + 'static,
) -> Study {
    Study::builder()
        .directions(directions)
        .sampler(sampler)
        .build()
        .unwrap()
}

/// The parameters of every trial of `study`, in trial order.
pub fn params_of(study: &Study) -> Vec<IndexMap<String, ParamValue>> {
    study
        .trials()
        .unwrap()
        .iter()
        .map(|t| t.params_map())
        .collect()
}

/// The internal parameter values of every trial of `study`, in trial order, by name.
pub fn internal_params_of(study: &Study) -> Vec<Vec<(String, f64)>> {
    study
        .trials()
        .unwrap()
        .iter()
        .map(|t| {
            t.params
                .iter()
                .map(|(k, p)| (k.clone(), p.internal))
                .collect()
        })
        .collect()
}

/// `a` and `b` hold the same parameters, floats equal to the bit.
pub fn assert_same_params_bitwise(
    a: &[IndexMap<String, ParamValue>],
    b: &[IndexMap<String, ParamValue>],
) {
    for (ta, tb) in a.iter().zip(b) {
        assert_eq!(ta.len(), tb.len());
        for ((ka, va), (kb, vb)) in ta.iter().zip(tb) {
            assert_eq!(ka, kb);
            match (va, vb) {
                (ParamValue::Float(x), ParamValue::Float(y)) => {
                    assert_eq!(x.to_bits(), y.to_bits())
                }
                _ => assert_eq!(va, vb),
            }
        }
    }
}

/// `t` failed, and its recorded reason mentions `needle`.
pub fn assert_failed_because(t: &FrozenTrial, needle: &str) {
    assert_eq!(t.state, TrialState::Fail);
    let reason = t.system_attrs["fail_reason"].as_str().unwrap();
    assert!(reason.contains(needle), "{reason}");
}

/// `result` is an error whose message mentions every one of `needles`.
pub fn assert_err_mentions<T: Debug, E: Display>(result: Result<T, E>, needles: &[&str]) {
    let msg = result.unwrap_err().to_string();
    for needle in needles {
        assert!(msg.contains(needle), "`{msg}` should mention {needle}");
    }
}
