//! Property tests (proptest) for distributions: for random valid float (plain, log, stepped),
//! int (plain, log, stepped) and categorical (mixed `None` / bool / int / float / string choices)
//! distributions, the JSON round trip `from_json(to_json(d)) == d` (and the JSON is stable), the
//! internal/external value round trips for values in range, and `contains` agreeing with them.

use hpo_core::{Distribution, DistributionError, ParamValue};
use proptest::prelude::*;
use proptest::sample::Index;

/// Finite floats: any finite `f64`, or a short decimal (the kind people write).
fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        (-1_000_000_000i64..1_000_000_000, 0i32..8).prop_map(|(m, e)| m as f64 / 10f64.powi(e)),
    ]
}

/// Positive finite floats, from 1e-300 to 1e300.
fn positive() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-300i32..300, 1.0f64..10.0).prop_map(|(e, m)| m * 10f64.powi(e)),
        (1i64..1_000_000, 0i32..6).prop_map(|(m, e)| m as f64 / 10f64.powi(e)),
    ]
}

/// A point of `[low, high]`, `t` of the way up.
fn between(low: f64, high: f64, t: f64) -> f64 {
    (low * (1.0 - t) + high * t).clamp(low, high)
}

/// The JSON round trip, and the JSON written again byte for byte.
fn json_round_trips(d: &Distribution) -> Result<(), TestCaseError> {
    let json = d.to_json();
    let again = Distribution::from_json(&json)
        .map_err(|e| TestCaseError::fail(format!("{json} does not parse: {e}")))?;
    prop_assert_eq!(&again, d, "{}", json);
    prop_assert_eq!(again.to_json(), json);
    Ok(())
}

/// A float value in range: internal and external are the value itself, and it is contained.
fn float_value_round_trips(d: &Distribution, x: f64) -> Result<(), TestCaseError> {
    prop_assert!(d.contains(x), "{} does not contain {}", d, x);
    prop_assert_eq!(d.to_internal(&ParamValue::Float(x)).unwrap(), x);
    prop_assert_eq!(d.to_external(x), ParamValue::Float(x));
    Ok(())
}

/// The float distribution `make` builds between `a` and `b` (in either order): its JSON
/// round trip, and the value round trips at both ends and `t` of the way up. The distribution
/// and its low end.
fn float_range_round_trips(
    make: fn(f64, f64) -> Result<Distribution, DistributionError>,
    a: f64,
    b: f64,
    t: f64,
) -> Result<(Distribution, f64), TestCaseError> {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let d = make(low, high).unwrap();
    json_round_trips(&d)?;
    float_value_round_trips(&d, low)?;
    float_value_round_trips(&d, high)?;
    float_value_round_trips(&d, between(low, high, t))?;
    Ok((d, low))
}

proptest! {
    #[test]
    fn float(a in finite(), b in finite(), t in 0.0f64..=1.0) {
        let (d, low) = float_range_round_trips(Distribution::float, a, b, t)?;
        prop_assert!(!d.contains(f64::NAN));
        if low > f64::MIN {
            prop_assert!(!d.contains(low - low.abs().max(1.0)));
        }
    }

    #[test]
    fn float_log(a in positive(), b in positive(), t in 0.0f64..=1.0) {
        let (d, _) = float_range_round_trips(Distribution::float_log, a, b, t)?;
        prop_assert!(d.to_internal(&ParamValue::Float(0.0)).is_err());
    }

    // `contains` allows a value 1e-8 steps off the grid, as Optuna's does; `low + k * step` in
    // binary stays that close while |value| / step is below about 1e6, hence the ranges.
    #[test]
    fn float_step(
        low in prop_oneof![
            (-1_000_000i64..1_000_000).prop_map(|m| m as f64 / 1000.0),
            -1e3f64..1e3,
        ],
        step in prop_oneof![
            (1i64..100_000).prop_map(|m| m as f64 / 1000.0),
            1e-3f64..1e3,
        ],
        n in 0u32..100_000,
        extra in 0.0f64..1.0,
        k in any::<Index>(),
    ) {
        let high = low + (f64::from(n) + extra) * step;
        let d = Distribution::float_step(low, high, step).unwrap();
        json_round_trips(&d)?;
        let Distribution::Float(f) = &d else { unreachable!() };
        prop_assert!(f.high <= high && f.high > high - 2.0 * step, "{} from high={}", d, high);
        float_value_round_trips(&d, low)?;
        float_value_round_trips(&d, f.high)?;
        let x = (low + k.index(n as usize + 1) as f64 * step).min(f.high);
        float_value_round_trips(&d, x)?;
        // Half a step off the grid is outside.
        prop_assert!(!d.contains(low + 0.5 * step) || f.high == low);
    }

    #[test]
    fn int(
        low in -1_000_000_000_000i64..1_000_000_000_000,
        span in prop_oneof![0i64..100, 0i64..1_000_000_000_000],
        step in prop_oneof![Just(1i64), 1i64..1000],
        k in any::<Index>(),
    ) {
        let d = Distribution::int_step(low, low + span, step).unwrap();
        json_round_trips(&d)?;
        let Distribution::Int(i) = &d else { unreachable!() };
        prop_assert!(i.high <= low + span && i.high > low + span - step);
        let x = low + k.index(i.len() as usize) as i64 * step;
        prop_assert!(d.contains(x as f64), "{} does not contain {}", d, x);
        prop_assert_eq!(d.to_internal(&ParamValue::Int(x)).unwrap(), x as f64);
        prop_assert_eq!(d.to_external(x as f64), ParamValue::Int(x));
        prop_assert!(!d.contains(x as f64 + 0.5));
        prop_assert!(!d.contains((i.high + step) as f64));
        prop_assert!(!d.contains((low - 1) as f64));
        if step > 1 && i.high > low {
            prop_assert!(!d.contains((low + 1) as f64));
        }
    }

    #[test]
    fn int_log(
        low in 1i64..1_000_000_000,
        span in prop_oneof![0i64..100, 0i64..1_000_000_000_000],
        k in any::<Index>(),
    ) {
        let d = Distribution::int_log(low, low + span).unwrap();
        json_round_trips(&d)?;
        let x = low + k.index(span as usize + 1) as i64;
        prop_assert!(d.contains(x as f64));
        prop_assert_eq!(d.to_internal(&ParamValue::Int(x)).unwrap(), x as f64);
        prop_assert_eq!(d.to_external(x as f64), ParamValue::Int(x));
        prop_assert!(!d.contains(0.0));
    }

    #[test]
    fn categorical(choices in prop::collection::vec(choice(), 1..8)) {
        let d = Distribution::categorical(choices.clone()).unwrap();
        json_round_trips(&d)?;
        for c in &choices {
            let i = d.to_internal(c).unwrap();
            prop_assert!(d.contains(i), "{} does not contain index {}", d, i);
            prop_assert!(d.to_external(i).same_as(c), "{:?} comes back as {:?}", c, d.to_external(i));
        }
        let n = choices.len() as f64;
        prop_assert!(!d.contains(n));
        prop_assert!(!d.contains(-1.0));
        prop_assert!(!d.contains(0.5));
    }
}

/// A categorical choice: `None`, a bool, any int, any float (NaN and infinities included) or any
/// string.
fn choice() -> impl Strategy<Value = ParamValue> {
    prop_oneof![
        Just(ParamValue::Null),
        any::<bool>().prop_map(ParamValue::Bool),
        any::<i64>().prop_map(ParamValue::Int),
        any::<f64>().prop_map(ParamValue::Float),
        Just(ParamValue::Float(f64::NAN)),
        Just(ParamValue::Float(f64::NEG_INFINITY)),
        ".{0,12}".prop_map(ParamValue::Str),
    ]
}
