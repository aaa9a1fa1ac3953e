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

    /// Both mantissas at the smaller exponent (a zero fits any exponent, so it takes the
    /// other's: `0.0` is `0e0`, which would otherwise scale a `1e57` by `10^57`).
    fn align(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
        let exp = match (a.mant, b.mant) {
            (0, _) => b.exp,
            (_, 0) => a.exp,
            _ => a.exp.min(b.exp),
        };
        let scale = |d: Dec| -> Option<i128> {
            if d.mant == 0 {
                return Some(0);
            }
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
///
/// A `high` that is the `f64` nearest to a grid point is kept, although in decimal it lies a
/// little below it: when `low` has more digits than an `f64` of `high`'s size can hold, no `f64`
/// lies exactly on the grid, and lowering such a `high` would move a distribution each time its
/// JSON is read back (with `low=1.11000901e-16, step=0.25`, `high=11110000.75` would become
/// `11110000.5`, then `11110000.25`, ...; Optuna does that). So the result is a fixed point:
/// adjusting it again returns it. (A result of the binary fallback may be one that the decimal
/// arithmetic can take, and lower; the adjustment is repeated until it stays, at once in
/// practice.)
pub(crate) fn adjust_high_to_step(low: f64, high: f64, step: f64) -> f64 {
    let mut adjusted = adjust_once(low, high, step);
    for _ in 0..16 {
        let again = adjust_once(low, adjusted, step);
        if again == adjusted {
            break;
        }
        adjusted = again;
    }
    adjusted
}

/// `low` in decimal, with `high - low` and `step` at one exponent: `(low, range mantissa,
/// step mantissa, exponent)`; `None` when a value is not finite or a mantissa overflows.
fn exact_range(low: f64, high: f64, step: f64) -> Option<(Dec, i128, i128, i32)> {
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
    let (rm, sm, exp) = Dec::align(range, s)?;
    Some((l, rm, sm, exp))
}

fn adjust_once(low: f64, high: f64, step: f64) -> f64 {
    let exact = (|| {
        let (l, rm, sm, exp2) = exact_range(low, high, step)?;
        let k = rm.div_euclid(sm);
        let grid_point = |k: i128| -> Option<f64> {
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
        };
        if grid_point(k.checked_add(1)?)? == high {
            return Some(high);
        }
        grid_point(k)
    })();
    exact.unwrap_or_else(|| {
        let k = ((high - low) / step).floor();
        if low + (k + 1.0) * step == high {
            high
        } else {
            low + k * step
        }
    })
}

/// `(high - low) < step` computed exactly in decimal (Optuna's `single()` for stepped floats).
pub(crate) fn range_below_step(low: f64, high: f64, step: f64) -> bool {
    let exact = exact_range(low, high, step).map(|(_, rm, sm, _)| rm < sm);
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

    /// Found by fuzzing (`fuzz/corpus/distribution_json`): a `low` with more digits than an
    /// `f64` near `high` holds put no `f64` on the grid, and each adjustment lowered `high` by
    /// one more step, so a distribution changed every time its JSON was read back.
    #[test]
    fn adjusting_twice_changes_nothing() {
        let cases = [
            (1.11000901e-16, 11110001.0, 0.25),
            (0.1, 1000000110900000.0, 0.42),
            (0.1, 111111100091.0, 0.25555588892266734),
            (0.1, 1111001.0, 1.1011000900000002e-9),
            (0.1, 100.0, 1.1100090100146239e-11),
            (0.0, 1.05, 0.1),
            // A zero `high` made the decimal path overflow and fall back to binary arithmetic.
            (-1.000000000111111e57, 0.0, 1e44),
            // Too far apart for exact decimal arithmetic: binary.
            (-1.000000000111111e57, 1e-5, 1e44),
            (-7.7777777771e51, -6666666666868.0, 1e44),
        ];
        for (low, high, step) in cases {
            let once = adjust_high_to_step(low, high, step);
            assert!(once <= high, "{low} {high} {step}: {once}");
            assert_eq!(
                adjust_high_to_step(low, once, step),
                once,
                "{low} {high} {step}"
            );
        }
        // On the grid to f64 precision: kept.
        assert_eq!(
            adjust_high_to_step(1.11000901e-16, 11110000.75, 0.25),
            11110000.75
        );
        assert_eq!(
            adjust_high_to_step(1.11000901e-16, 11110000.8, 0.25),
            11110000.75
        );
    }

    #[test]
    fn single_uses_decimal_comparison() {
        assert!(range_below_step(0.0, 0.05, 0.1));
        assert!(!range_below_step(0.0, 0.3, 0.1));
        assert!(!range_below_step(0.1, 0.2, 0.1));
    }
}
