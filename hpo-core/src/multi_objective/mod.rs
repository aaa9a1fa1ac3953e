//! Multi-objective helpers shared by samplers and reports: non-domination ranks, the
//! hypervolume indicator and the choice of a best subset. Every function works on loss vectors
//! (lower is better; turn a maximized objective around with
//! [`StudyDirection::to_minimize`](crate::StudyDirection::to_minimize)).

mod hypervolume;
mod nondomination;
mod subset;

pub use hypervolume::hypervolume;
pub use nondomination::{dominates, non_domination_ranks};
pub use subset::best_subset;
