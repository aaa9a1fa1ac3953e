//! Polynomial mutation (Optuna's `PolynomialMutation`), for the genetic samplers.
//!
//! Without a mutation operator (the samplers' default), a parameter chosen for mutation is left
//! out of the child, so the trial draws it uniformly at random instead.

use hpo_core::rng::Rng;

/// Deb's polynomial mutation, as in revision 1.1.6 of the NSGA-II reference C code: a
/// perturbation whose spread shrinks as `eta` grows, bounded by the range.
///
/// ```
/// use hpo_core::rng::Rng;
/// use hpo_samplers::nsga::PolynomialMutation;
///
/// let m = PolynomialMutation::default();
/// assert_eq!(m.eta, 20.0);
/// let y = m.mutate(0.5, (0.0, 1.0), &mut Rng::seed_from_u64(0));
/// assert!((0.0..=1.0).contains(&y));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolynomialMutation {
    /// Distribution index (default 20; must be >= 0). Larger values keep the mutated value
    /// closer to the original.
    pub eta: f64,
}

impl Default for PolynomialMutation {
    fn default() -> Self {
        PolynomialMutation { eta: 20.0 }
    }
}

impl PolynomialMutation {
    /// A mutation with distribution index `eta` (checked by [`validate`](Self::validate), which
    /// the samplers call from theirs).
    pub fn new(eta: f64) -> Self {
        PolynomialMutation { eta }
    }

    /// Checks `eta` as Optuna's constructor does: the error
    /// ([`Error::InvalidArgument`](hpo_core::Error::InvalidArgument)) names it and its value.
    pub fn validate(&self) -> hpo_core::Result<()> {
        if self.eta >= 0.0 {
            Ok(())
        } else {
            Err(hpo_core::error::invalid_setting(
                "PolynomialMutation",
                "eta",
                "must be >= 0",
                self.eta,
            ))
        }
    }

    /// The mutated value of `x` in `[low, high]` (clipped into the range; `x` itself when the
    /// range is empty).
    pub fn mutate(&self, x: f64, (low, high): (f64, f64), rng: &mut Rng) -> f64 {
        let u = rng.next_f64();
        let width = high - low;
        if width <= 0.0 {
            return x;
        }
        let delta1 = (x - low) / width;
        let delta2 = (high - x) / width;
        let power = 1.0 / (self.eta + 1.0);
        let delta_q = if u <= 0.5 {
            let xy = 1.0 - delta1;
            let value = 2.0 * u + (1.0 - 2.0 * u) * xy.powf(self.eta + 1.0);
            value.powf(power) - 1.0
        } else {
            let xy = 1.0 - delta2;
            let value = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * xy.powf(self.eta + 1.0);
            1.0 - value.powf(power)
        };
        (x + delta_q * width).clamp(low, high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_in_range_and_moves_both_ways() {
        let m = PolynomialMutation::default();
        let mut rng = Rng::seed_from_u64(9);
        let (mut up, mut down) = (0, 0);
        for _ in 0..2000 {
            let y = m.mutate(0.2, (0.0, 1.0), &mut rng);
            assert!((0.0..=1.0).contains(&y));
            if y > 0.2 {
                up += 1;
            } else if y < 0.2 {
                down += 1;
            }
        }
        assert!(up > 500 && down > 500, "{up} {down}");
        // At a bound the draw never leaves the range.
        for _ in 0..100 {
            let y = m.mutate(1.0, (0.0, 1.0), &mut rng);
            assert!((0.0..=1.0).contains(&y));
        }
        assert_eq!(m.mutate(3.0, (3.0, 3.0), &mut rng), 3.0);
        assert!(m.validate().is_ok());
        assert_eq!(
            PolynomialMutation::new(-1.0)
                .validate()
                .unwrap_err()
                .to_string(),
            "invalid argument: PolynomialMutation: `eta` must be >= 0, got -1"
        );
        assert!(PolynomialMutation::new(f64::NAN).validate().is_err());
    }
}
