//! Exact decimal arithmetic on the shortest decimal form of `f64` values.
//!
//! Optuna lowers a stepped float range's `high` onto the step grid with Python's `decimal`
//! module on `str(x)`, so `FloatDistribution(0.0, 1.0, step=0.1)` keeps `high = 1.0` although
//! `1.0 / 0.1` is not exactly 10 in binary. This module does the same on `i128` mantissas.

/// `m * 10^e`, built from the shortest round-trip decimal digits of an `f64`.
#[derive(Debug, Clone, Copy)]
struct Dec {
    mant: i128,
    exp: i32,
}

impl Dec {
    fn from_f64(x: f64) -> Option<Dec> {
        if !x.is_finite() {
            return None;
        }
        let sci = format!("{x:e}");
        let (m, e) = sci.split_once('e')?;
        let e: i32 = e.parse().ok()?;
        let neg = m.starts_with('-');
        let m = m.trim_start_matches('-');
        let (int, frac) = m.split_once('.').unwrap_or((m, ""));
        let digits = format!("{int}{frac}");
        let mut mant: i128 = digits.parse().ok()?;
        if neg {
            mant = -mant;
        }
        Some(Dec {
            mant,
            exp: e - frac.len() as i32,
        })
    }

    /// Both mantissas at the smaller exponent.
    fn align(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
        let exp = a.exp.min(b.exp);
        let scale = |d: Dec| -> Option<i128> {
            let shift = u32::try_from(d.exp - exp).ok()?;
            d.mant.checked_mul(10i128.checked_pow(shift)?)
        };
        Some((scale(a)?, scale(b)?, exp))
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mant, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

/// `low + floor((high - low) / step) * step` computed exactly in decimal, as Optuna does.
/// Falls back to binary arithmetic when the numbers are too far apart for `i128`.
pub(crate) fn adjust_high_to_step(low: f64, high: f64, step: f64) -> f64 {
    let exact = (|| {
        let (l, h, s) = (
            Dec::from_f64(low)?,
            Dec::from_f64(high)?,
            Dec::from_f64(step)?,
        );
        let (lm, hm, exp) = Dec::align(l, h)?;
        let range = Dec {
            mant: hm.checked_sub(lm)?,
            exp,
        };
        let (rm, sm, exp2) = Dec::align(range, s)?;
        let k = rm.div_euclid(sm);
        let ks = Dec {
            mant: k.checked_mul(sm)?,
            exp: exp2,
        };
        let (lm2, ksm, exp3) = Dec::align(l, ks)?;
        Some(
            Dec {
                mant: lm2.checked_add(ksm)?,
                exp: exp3,
            }
            .to_f64(),
        )
    })();
    exact.unwrap_or_else(|| low + ((high - low) / step).floor() * step)
}

/// `(high - low) < step` computed exactly in decimal (Optuna's `single()` for stepped floats).
pub(crate) fn range_below_step(low: f64, high: f64, step: f64) -> bool {
    let exact = (|| {
        let (l, h, s) = (
            Dec::from_f64(low)?,
            Dec::from_f64(high)?,
            Dec::from_f64(step)?,
        );
        let (lm, hm, exp) = Dec::align(l, h)?;
        let range = Dec {
            mant: hm.checked_sub(lm)?,
            exp,
        };
        let (rm, sm, _) = Dec::align(range, s)?;
        Some(rm < sm)
    })();
    exact.unwrap_or(high - low < step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn high_stays_on_exact_decimal_grids() {
        assert_eq!(adjust_high_to_step(0.0, 1.0, 0.1), 1.0);
        assert_eq!(adjust_high_to_step(0.0, 0.3, 0.1), 0.3);
        assert_eq!(adjust_high_to_step(0.0, 1.05, 0.1), 1.0);
        assert_eq!(adjust_high_to_step(-1.0, 1.0, 0.25), 1.0);
        assert_eq!(adjust_high_to_step(-1.0, 0.9, 0.25), 0.75);
        assert_eq!(adjust_high_to_step(1e-300, 1e300, 1.0), 1e300);
    }

    #[test]
    fn single_uses_decimal_comparison() {
        assert!(range_below_step(0.0, 0.05, 0.1));
        assert!(!range_below_step(0.0, 0.3, 0.1));
        assert!(!range_below_step(0.1, 0.2, 0.1));
    }
}
