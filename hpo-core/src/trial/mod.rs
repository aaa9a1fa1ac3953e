//! Trials: the live [`Trial`] handle an objective receives, the immutable [`FrozenTrial`]
//! record, and [`TrialState`].

mod frozen;
mod live;
mod state;

pub use frozen::{Attrs, FrozenTrial, Param, param_names};
pub use live::{Step, Trial};
pub use state::TrialState;
