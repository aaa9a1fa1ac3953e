//! The standard normal distribution, one implementation for every crate: density, CDF and
//! their logarithms far into the tails, the quantile (also from a log probability), and the
//! error-function helpers around them (`erfc`, `erfcx`, `log1mexp`).
//!
//! The CDF and log-CDF follow cephes / scipy (`ndtr`, `log_ndtr`) as Optuna calls them, so TPE,
//! the GP sampler, CMA-ES's margin, the Wilcoxon pruner and PED-ANOVA agree with their Python
//! counterparts to the last bits. The truncated normal built on them is in
//! [`truncnorm`](super::truncnorm).

use std::f64::consts::{LN_2, PI, SQRT_2};

/// `ln √(2π)`, the log normaliser of the standard normal density.
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// `√(2π)`.
pub const SQRT_2PI: f64 = 2.506_628_274_631_000_5;

/// The density `φ(z)`.
pub fn pdf(z: f64) -> f64 {
    (-0.5 * z * z - LN_SQRT_2PI).exp()
}

/// `ln φ(z)`.
pub fn log_pdf(z: f64) -> f64 {
    -0.5 * z * z - LN_SQRT_2PI
}

/// The CDF `Φ(a)`, with the erf / erfc branch choice of cephes' `ndtr` (scipy's
/// `special.ndtr`, Optuna's `_ndtr_single`): full relative precision in the lower tail, and
/// within an ulp of 1 in the upper one.
pub fn cdf(a: f64) -> f64 {
    let x = a / SQRT_2;
    if x < -1.0 / SQRT_2 {
        0.5 * libm::erfc(-x)
    } else if x < 1.0 / SQRT_2 {
        0.5 + 0.5 * libm::erf(x)
    } else {
        1.0 - 0.5 * libm::erfc(x)
    }
}

/// `ln Φ(a)`, accurate in both tails (Optuna's `_log_ndtr_single`): `-Φ(-a)` above 6, the
/// asymptotic series of the Mills ratio below -20 (finite down to `a ≈ -1e154`).
pub fn log_cdf(a: f64) -> f64 {
    if a > 6.0 {
        return -cdf(-a);
    }
    if a > -20.0 {
        return cdf(a).ln();
    }
    let log_lhs = -0.5 * a * a - (-a).ln() - 0.5 * (2.0 * PI).ln();
    let mut last_total: f64 = 0.0;
    let mut rhs: f64 = 1.0;
    let mut numerator = 1.0;
    let mut denom_factor = 1.0;
    let denom_cons = 1.0 / (a * a);
    let mut sign = 1.0;
    let mut i = 0.0;
    while (last_total - rhs).abs() > f64::EPSILON {
        i += 1.0;
        last_total = rhs;
        sign = -sign;
        denom_factor *= denom_cons;
        numerator *= 2.0 * i - 1.0;
        rhs += sign * numerator * denom_factor;
    }
    log_lhs + rhs.ln()
}

/// `Φ(z)` as `½ + ½ erf(z/√2)` (numpy's vectorised `_ndtr` in Optuna's truncated normal):
/// exact near 0, absolute (not relative) precision in the lower tail.
pub fn cdf_by_erf(z: f64) -> f64 {
    0.5 + 0.5 * libm::erf(z / SQRT_2)
}

/// `d ln Φ(z) / dz = φ(z) / Φ(z)` (the inverse Mills ratio), evaluated in log space.
pub fn log_cdf_derivative(z: f64) -> f64 {
    (log_pdf(z) - log_cdf(z)).exp()
}

// AS 241's coefficients: the central region (AS241_A / AS241_B), the near tails (C / D) and
// the far tails (E / F), the published values kept as printed.
#[allow(clippy::excessive_precision)]
pub(crate) const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
#[allow(clippy::excessive_precision)]
pub(crate) const AS241_B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
#[allow(clippy::excessive_precision)]
const C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// `c[0] + c[1] x + ... + c[7] x^7` by Horner's rule (a multiply, then an add: never fused).
#[inline(always)]
fn horner(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// AS 241's central rational function, [`quantile`]'s value where `|p - 0.5| <= 0.425`.
#[inline(always)]
fn quantile_central(p: f64) -> f64 {
    let q = p - 0.5;
    let r = 0.180_625 - q * q;
    q * horner(&AS241_A, r) / horner(&AS241_B, r)
}

/// The quantile `Φ⁻¹(p)` (scipy's `ndtri`) for `0 < p < 1`, `∓∞` at 0 and 1, by Wichura's
/// algorithm AS 241 (PPND16): rational functions of degree 7 accurate to about one part in
/// 10¹⁶, with no logarithm for `0.075 <= p <= 0.925` and one logarithm and one square root in
/// the tails. The lower tail is computed from `p` itself, so its relative precision holds down
/// to the smallest positive `p`; for the upper tail pass `1 - p` to [`quantile`] and negate.
pub fn quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return quantile_central(p);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let x = if r <= 5.0 {
        horner(&C, r - 1.6) / horner(&D, r - 1.6)
    } else {
        horner(&E, r - 5.0) / horner(&F, r - 5.0)
    };
    if q < 0.0 { -x } else { x }
}

/// The `x` with `ln Φ(x) = y` for `y < 0` (Optuna's `_ndtri_exp`), by Newton iteration in log
/// space: the quantile of probabilities too small for [`quantile`].
pub fn quantile_of_log(y: f64) -> f64 {
    let flipped = y > -0.01;
    let z = if flipped { (-y.exp_m1()).ln() } else { y };
    let mut x = if z < -5.0 {
        -(-2.0 * (z + LN_SQRT_2PI)).sqrt()
    } else {
        -(3f64.sqrt() / PI) * (-z).exp_m1().ln()
    };
    for _ in 0..100 {
        let log_ndtr_x = log_cdf(x);
        let log_norm_pdf_x = log_pdf(x);
        let dx = (log_ndtr_x - z) * (log_ndtr_x - log_norm_pdf_x).exp();
        x -= dx;
        if dx.abs() < 1e-8 * x.abs() {
            break;
        }
    }
    if flipped { -x } else { x }
}

/// The complementary error function `erfc(x) = 1 - erf(x)`, to an ulp (libm's, after
/// FreeBSD's msun); zero past `x ≈ 27.2`.
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// The scaled complementary error function `erfcx(x) = exp(x²) erfc(x)`, accurate for every
/// `x >= 0` and down to `x ≈ -26` (it decays like `1 / (x √π)` instead of underflowing).
pub fn erfcx(x: f64) -> f64 {
    if x < 25.0 {
        // erfc(25) is about 8e-274 and exp(625) about 3e271: both representable.
        erfc(x) * (x * x).exp()
    } else {
        // Asymptotic series Σ (-1)^n (2n-1)!! / (2x²)^n; at x >= 25 eight terms leave a
        // relative error below 1e-20.
        let r = 1.0 / (2.0 * x * x);
        let (mut sum, mut term) = (0.0, 1.0);
        for n in 0..8 {
            sum += term;
            term *= -(2.0 * n as f64 + 1.0) * r;
        }
        sum / (x * PI.sqrt())
    }
}

/// `ln(1 - e^x)` for `x < 0`, without cancellation (Mächler's switch at `-ln 2`).
pub fn log1mexp(x: f64) -> f64 {
    if x > -LN_2 {
        (-x.exp_m1()).ln()
    } else {
        (-x.exp()).ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative closeness, absolute below 1 (`tol * max(|want|, 1)`).
    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs().max(1.0)
    }

    /// Relative closeness at every magnitude.
    fn rel(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol * want.abs()
    }

    // Reference values below: mpmath at 50 digits (scipy's `ndtri` / `ndtri_exp` as the
    // starting points of the quantiles, refined by Newton steps in mpmath).

    #[test]
    fn pdf_and_log_pdf() {
        assert!(rel(pdf(0.0), 0.398_942_280_401_432_7, 1e-15));
        assert!(rel(pdf(1.0), 0.241_970_724_519_143_34, 1e-15));
        assert!(rel(pdf(-5.0), 1.486_719_514_734_297_7e-6, 1e-14));
        assert!(rel(pdf(30.0), 1.473_646_134_878_547_6e-196, 1e-13));
        assert!(rel(log_pdf(1.0), -1.418_938_533_204_672_7, 1e-15));
        assert!(rel(log_pdf(30.0), -450.918_938_533_204_65, 1e-15));
    }

    #[test]
    fn cdf_reference_values() {
        for (x, want) in [
            (0.0_f64, 0.5),
            (1.0, 0.841_344_746_068_542_9),
            (-1.0, 0.158_655_253_931_457_05),
            (-3.0, 0.001_349_898_031_630_094_6),
            (-10.0, 7.619_853_024_160_525e-24),
            (5.0, 0.999_999_713_348_428_1),
            (8.5, 1.0),
        ] {
            // Rounding `x / √2` costs about `x²` ulps in the tail (as in cephes).
            let tol = 2e-15 * (x * x).max(1.0);
            assert!(rel(cdf(x), want, tol), "cdf({x}) = {:e}", cdf(x));
        }
        // Deep in the lower tail Φ stays relative-accurate down to the subnormals.
        assert!(rel(cdf(-38.0), 2.885_428_35e-316, 1e-8));
        // The one-formula form agrees with the branched one where it is accurate.
        for x in [-2.0, -0.3, 0.0, 0.4, 1.5, 3.0] {
            assert!(close(cdf_by_erf(x), cdf(x), 2e-16), "{x}");
        }
    }

    #[test]
    fn log_cdf_in_both_tails() {
        for (x, want) in [
            (-1e5, -5_000_000_012.431_864),
            (-50.0, -1_254.831_361_139_419_9),
            (-40.0, -804.608_442_013_753_8),
            (-20.5, -214.066_728_963_263_8),
            (-19.9, -201.917_167_707_332_6),
            (-5.0, -15.064_998_393_988_725),
            (-3.0, -6.607_726_221_510_349),
            (0.0, -LN_2),
            (2.0, -0.023_012_909_328_963_49),
        ] {
            assert!(
                rel(log_cdf(x), want, 1e-13),
                "log_cdf({x}) = {:e}",
                log_cdf(x)
            );
        }
        // Above 6, cephes' (and Optuna's) `-Φ(-x)` for `ln(1 - Φ(-x))`: relative error
        // `Φ(-x) / 2`, absolute error below 1e-19.
        for (x, want) in [
            (6.5, -4.016_000_583_939_759e-11),
            (7.0, -1.279_812_543_886_654e-12),
            (10.0, -7.619_853_024_160_525e-24),
        ] {
            assert!(
                rel(log_cdf(x), want, 1e-10),
                "log_cdf({x}) = {:e}",
                log_cdf(x)
            );
        }
        // Continuous across the switch to the asymptotic series at -20.
        assert!(rel(log_cdf(-20.0 - 1e-12), log_cdf(-20.0 + 1e-12), 1e-12));
    }

    #[test]
    fn log_cdf_derivative_is_the_inverse_mills_ratio() {
        for (z, want) in [
            (-30.0, 30.033_259_667_433_676),
            (-5.0, 5.186_503_967_125_842),
            (0.0, 0.797_884_560_802_865_4),
            (3.0, 0.004_437_839_042_125_664),
        ] {
            assert!(rel(log_cdf_derivative(z), want, 1e-13), "{z}");
        }
    }

    #[test]
    fn erfc_reference_values() {
        for (x, want) in [
            (0.0, 1.0),
            (0.1, 0.887_537_083_981_715),
            (0.5, 0.479_500_122_186_953_5),
            (1.0, 0.157_299_207_050_285_13),
            (2.0, 0.004_677_734_981_047_266),
            (2.5, 0.000_406_952_017_444_958_9),
            (5.0, 1.537_459_794_428_035e-12),
            (10.0, 2.088_487_583_762_545e-45),
            (26.0, 5.663_192_408_856_143e-296),
            (-1.0, 1.842_700_792_949_714_8),
            (-3.0, 1.999_977_909_503_001_5),
        ] {
            assert!(rel(erfc(x), want, 1e-15), "erfc({x}) = {:e}", erfc(x));
        }
        assert!(rel(erfc(27.0), 5.237_05e-319, 1e-4)); // subnormal
        assert_eq!(erfc(28.0), 0.0);
    }

    #[test]
    fn erfcx_on_both_branches() {
        for (x, want) in [
            (-5.0, 144_009_798_674.661_04),
            (-1.0, 5.008_980_080_762_283),
            (0.0, 1.0),
            (1.0, 0.427_583_576_155_807),
            (5.0, 0.110_704_637_733_068_63),
            (24.9, 0.022_639_987_776_049_506),
            (30.0, 0.018_795_888_861_416_75),
            (1e3, 0.000_564_189_301_453_387_6),
            (1e10, 5.641_895_835_477_563e-11),
        ] {
            assert!(rel(erfcx(x), want, 1e-13), "erfcx({x}) = {:e}", erfcx(x));
        }
        assert!(rel(erfcx(25.0 - 1e-9), erfcx(25.0 + 1e-9), 1e-9));
    }

    #[test]
    fn log1mexp_without_cancellation() {
        for (x, want) in [
            (-1e-20, -46.051_701_859_880_914),
            (-1e-5, -11.512_930_464_966_061),
            (-0.5, -0.932_752_129_567_188_6),
            (-LN_2, -LN_2),
            (-1.0, -0.458_675_145_387_081_9),
            (-50.0, -1.928_749_847_963_917_8e-22),
        ] {
            assert!(
                rel(log1mexp(x), want, 1e-14),
                "log1mexp({x}) = {:e}",
                log1mexp(x)
            );
        }
    }

    #[test]
    fn quantile_inverts_the_cdf() {
        // Quantiles to 50 digits (mpmath, by Newton steps on its `ncdf`), rounded to f64.
        for (p, x) in [
            (5e-324, -38.467_405_617_144_344_f64),
            (1e-300, -37.047_096_299_361_2),
            (1e-100, -21.273_453_560_965_326),
            (3e-17, -8.365_225_621_581_438),
            (1e-10, -6.361_340_902_404_057),
            (2e-5, -4.107_479_654_586_25),
            (0.02, -2.053_748_910_631_823),
            (0.0749, -1.440_238_267_527_963_7),
            (0.0751, -1.438_825_392_752_54),
            (0.3, -0.524_400_512_708_040_8),
            (0.4999, -0.000_250_662_830_088_007_47),
            (0.5001, 0.000_250_662_830_088_007_47),
            (0.7, 0.524_400_512_708_040_7),
            (0.925, 1.439_531_470_938_456_1),
            (0.97, 1.880_793_608_151_250_6),
        ] {
            // Within 3 ulps of the true quantile (relative to |x|, also near p = 1/2); the
            // upper points carry the rounding of `1 - p` too, under 2e-16 / φ(x) absolute.
            let tol = 3.0 * f64::EPSILON * x.abs() + if p > 0.5 { 2e-16 / pdf(x) } else { 0.0 };
            assert!(
                (quantile(p) - x).abs() <= tol,
                "p={p}: {} != {x}",
                quantile(p)
            );
        }
        assert_eq!(quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(quantile(1.0), f64::INFINITY);
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            assert!((cdf(quantile(p)) - p).abs() < 1e-15, "{p}");
            // The lower tail keeps its relative precision.
            let tiny = p * 1e-200;
            assert!(rel(cdf(quantile(tiny)), tiny, 1e-12), "{tiny}");
        }
    }

    #[test]
    fn quantile_of_log_inverts_the_log_cdf() {
        for (y, x) in [
            (-1e-10, 6.361_340_902_411_735),
            (-0.5, 0.270_288_020_738_735_87),
            (-3.0, -1.646_921_720_527_714_7),
            (-50.0, -9.674_825_283_612_357),
            (-700.0, -37.295_079_632_647_415),
            (-1e5, -447.197_893_678_525_1),
        ] {
            assert!(
                close(quantile_of_log(y), x, 1e-10),
                "y={y}: {}",
                quantile_of_log(y)
            );
        }
    }
}
