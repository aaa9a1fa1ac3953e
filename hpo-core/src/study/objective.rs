//! `ObjectiveValue`: what an objective may return on success.

/// The success value of an objective: one `f64` for a single-objective study, several for a
/// multi-objective one (`Vec<f64>`, arrays, tuples).
pub trait ObjectiveValue {
    /// The values, one per objective.
    fn into_values(self) -> Vec<f64>;
}

impl ObjectiveValue for f64 {
    fn into_values(self) -> Vec<f64> {
        vec![self]
    }
}

impl ObjectiveValue for f32 {
    fn into_values(self) -> Vec<f64> {
        vec![self as f64]
    }
}

impl ObjectiveValue for Vec<f64> {
    fn into_values(self) -> Vec<f64> {
        self
    }
}

impl<const N: usize> ObjectiveValue for [f64; N] {
    fn into_values(self) -> Vec<f64> {
        self.to_vec()
    }
}

impl ObjectiveValue for (f64, f64) {
    fn into_values(self) -> Vec<f64> {
        vec![self.0, self.1]
    }
}

impl ObjectiveValue for (f64, f64, f64) {
    fn into_values(self) -> Vec<f64> {
        vec![self.0, self.1, self.2]
    }
}
