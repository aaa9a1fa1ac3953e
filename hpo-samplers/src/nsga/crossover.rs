//! Crossover operators for the numerical parameters of the genetic samplers (Optuna's
//! `optuna.samplers.nsgaii` crossovers).
//!
//! The samplers call an operator on the parents' numerical parameters mapped into the unit cube
//! (log-scaled ranges on the log scale, stepped and integer ranges widened by half a step each
//! side), so every operator works on comparable coordinates whatever the parameters' units.
//! Categorical parameters never reach an operator: they are swapped uniformly.

use hpo_core::error::invalid_setting;
use hpo_core::rng::Rng;

/// How a child's numerical parameters are made from its parents'. Build one with the
/// constructors, which carry Optuna's defaults, or set the fields directly.
///
/// ```
/// use hpo_core::rng::Rng;
/// use hpo_samplers::nsga::Crossover;
///
/// let sbx = Crossover::sbx();
/// assert_eq!(sbx.n_parents(), 2);
/// let parents = [vec![0.2, 0.8], vec![0.4, 0.6]];
/// let child = sbx.crossover(&parents, &[(0.0, 1.0); 2], &mut Rng::seed_from_u64(1), true);
/// assert_eq!(child.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Crossover {
    /// Each coordinate comes from one of two parents (Syswerda's uniform crossover): from the
    /// second parent with probability `swapping_prob`.
    Uniform {
        /// Probability of taking a coordinate from the second parent (default 0.5).
        swapping_prob: f64,
    },
    /// Blend crossover (Eshelman and Schaffer): each coordinate uniform in the parents' interval
    /// widened by `alpha` times its length on both sides.
    BlxAlpha {
        /// Widening factor (default 0.5).
        alpha: f64,
    },
    /// Simulated binary crossover (Deb and Agrawal), bounded so children stay near the box;
    /// Optuna's one-child variant.
    Sbx {
        /// Distribution index; `None`: 20 for multi-objective studies, 2 otherwise.
        eta: Option<f64>,
        /// Probability of swapping a coordinate between the two candidate children (default 0.5).
        uniform_crossover_prob: f64,
        /// Probability that a coordinate comes from the candidate children rather than from the
        /// parents (default 0.5).
        use_child_gene_prob: f64,
    },
    /// Modified simulated binary crossover, vSBX (Ballester and Carter), which excludes no region
    /// of the space; Optuna's one-child variant.
    Vsbx {
        /// Distribution index; `None`: 20 for multi-objective studies, 2 otherwise.
        eta: Option<f64>,
        /// Probability of swapping a coordinate between the two candidate children (default 0.5).
        uniform_crossover_prob: f64,
        /// Probability that a coordinate comes from the candidate children rather than from the
        /// parents (default 0.5).
        use_child_gene_prob: f64,
    },
    /// Unimodal normal distribution crossover, UNDX (Kita, Ono and Kobayashi), on three parents:
    /// a normal draw along the line through the first two, plus normal draws orthogonal to it
    /// scaled by the third parent's distance from that line.
    Undx {
        /// Spread along the primary search line (default 0.5).
        sigma_xi: f64,
        /// Spread orthogonal to it; `None`: `0.35 / sqrt(n)` for `n` numerical parameters.
        sigma_eta: Option<f64>,
    },
    /// Simplex crossover, SPX (Tsutsui, Goldberg and Sastry), on three parents: uniform in their
    /// simplex expanded by `epsilon` around its centroid.
    Spx {
        /// Expansion rate; `None`: `sqrt(n + 2)` for `n` numerical parameters.
        epsilon: Option<f64>,
    },
}

impl Default for Crossover {
    /// [`Crossover::uniform`], the samplers' default.
    fn default() -> Self {
        Crossover::uniform()
    }
}

impl Crossover {
    /// Uniform crossover with `swapping_prob` 0.5.
    pub fn uniform() -> Self {
        Crossover::Uniform { swapping_prob: 0.5 }
    }

    /// BLX-alpha with `alpha` 0.5.
    pub fn blx_alpha() -> Self {
        Crossover::BlxAlpha { alpha: 0.5 }
    }

    /// SBX with the default `eta` (20 multi-objective, 2 single-objective) and both
    /// probabilities 0.5.
    pub fn sbx() -> Self {
        Crossover::Sbx {
            eta: None,
            uniform_crossover_prob: 0.5,
            use_child_gene_prob: 0.5,
        }
    }

    /// vSBX with the same defaults as [`Crossover::sbx`].
    pub fn vsbx() -> Self {
        Crossover::Vsbx {
            eta: None,
            uniform_crossover_prob: 0.5,
            use_child_gene_prob: 0.5,
        }
    }

    /// UNDX with `sigma_xi` 0.5 and the default `sigma_eta`.
    pub fn undx() -> Self {
        Crossover::Undx {
            sigma_xi: 0.5,
            sigma_eta: None,
        }
    }

    /// SPX with the default `epsilon`.
    pub fn spx() -> Self {
        Crossover::Spx { epsilon: None }
    }

    /// How many parents one child needs: 2, or 3 for UNDX and SPX.
    pub fn n_parents(&self) -> usize {
        match self {
            Crossover::Undx { .. } | Crossover::Spx { .. } => 3,
            _ => 2,
        }
    }

    /// The operator's name as Optuna spells its class.
    pub fn name(&self) -> &'static str {
        match self {
            Crossover::Uniform { .. } => "UniformCrossover",
            Crossover::BlxAlpha { .. } => "BLXAlphaCrossover",
            Crossover::Sbx { .. } => "SBXCrossover",
            Crossover::Vsbx { .. } => "VSBXCrossover",
            Crossover::Undx { .. } => "UNDXCrossover",
            Crossover::Spx { .. } => "SPXCrossover",
        }
    }

    /// Checks the parameters as Optuna's constructors do: the error
    /// ([`Error::InvalidArgument`](hpo_core::Error::InvalidArgument)) names the operator, the
    /// parameter and its value. The samplers call this from their
    /// [`validate`](hpo_core::Sampler::validate).
    pub fn validate(&self) -> hpo_core::Result<()> {
        let name = self.name();
        let unit = |setting: &str, p: f64| {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(invalid_setting(name, setting, "must be in [0, 1]", p))
            }
        };
        let finite = |setting: &str, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(invalid_setting(name, setting, "must be finite", v))
            }
        };
        match self {
            Crossover::Uniform { swapping_prob } => unit("swapping_prob", *swapping_prob),
            Crossover::BlxAlpha { alpha } => finite("alpha", *alpha),
            Crossover::Sbx {
                eta,
                uniform_crossover_prob,
                use_child_gene_prob,
            }
            | Crossover::Vsbx {
                eta,
                uniform_crossover_prob,
                use_child_gene_prob,
            } => {
                if let Some(e) = eta
                    && (e.is_nan() || *e < 0.0)
                {
                    return Err(invalid_setting(name, "eta", "must be >= 0", e));
                }
                unit("uniform_crossover_prob", *uniform_crossover_prob)?;
                if *use_child_gene_prob > 0.0 && *use_child_gene_prob <= 1.0 {
                    Ok(())
                } else {
                    Err(invalid_setting(
                        name,
                        "use_child_gene_prob",
                        "must be in (0, 1]",
                        use_child_gene_prob,
                    ))
                }
            }
            Crossover::Undx {
                sigma_xi,
                sigma_eta,
            } => {
                finite("sigma_xi", *sigma_xi)?;
                sigma_eta.map_or(Ok(()), |s| finite("sigma_eta", s))
            }
            Crossover::Spx { epsilon } => epsilon.map_or(Ok(()), |e| finite("epsilon", e)),
        }
    }

    /// One child from `parents` (exactly [`n_parents`](Crossover::n_parents) rows, each with one
    /// coordinate per entry of `bounds`). `multi_objective` picks SBX's and vSBX's default
    /// `eta`. The child may leave `bounds` (the samplers then draw new parents and retry).
    ///
    /// # Panics
    ///
    /// When `parents` holds fewer rows than the operator needs.
    pub fn crossover(
        &self,
        parents: &[Vec<f64>],
        bounds: &[(f64, f64)],
        rng: &mut Rng,
        multi_objective: bool,
    ) -> Vec<f64> {
        assert!(
            parents.len() >= self.n_parents(),
            "{} needs {} parents, got {}",
            self.name(),
            self.n_parents(),
            parents.len()
        );
        let n = bounds.len();
        let default_eta = if multi_objective { 20.0 } else { 2.0 };
        match self {
            Crossover::Uniform { swapping_prob } => (0..n)
                .map(|i| {
                    if rng.next_f64() >= *swapping_prob {
                        parents[1][i]
                    } else {
                        parents[0][i]
                    }
                })
                .collect(),
            Crossover::BlxAlpha { alpha } => (0..n)
                .map(|i| {
                    let lo = parents[0][i].min(parents[1][i]);
                    let hi = parents[0][i].max(parents[1][i]);
                    let d = alpha * (hi - lo);
                    let (low, high) = (lo - d, hi + d);
                    (high - low) * rng.next_f64() + low
                })
                .collect(),
            Crossover::Sbx {
                eta,
                uniform_crossover_prob,
                use_child_gene_prob,
            } => {
                let eta = eta.unwrap_or(default_eta);
                let (c1, c2) = sbx_candidates(parents, bounds, eta, rng);
                pick_genes(
                    parents,
                    &c1,
                    &c2,
                    *uniform_crossover_prob,
                    *use_child_gene_prob,
                    rng,
                )
            }
            Crossover::Vsbx {
                eta,
                uniform_crossover_prob,
                use_child_gene_prob,
            } => {
                let eta = eta.unwrap_or(default_eta);
                let (c1, c2) = vsbx_candidates(parents, n, eta, rng);
                pick_genes(
                    parents,
                    &c1,
                    &c2,
                    *uniform_crossover_prob,
                    *use_child_gene_prob,
                    rng,
                )
            }
            Crossover::Undx {
                sigma_xi,
                sigma_eta,
            } => undx(parents, n, *sigma_xi, *sigma_eta, rng),
            Crossover::Spx { epsilon } => {
                let epsilon = epsilon.unwrap_or(((n + 2) as f64).sqrt());
                spx(parents, n, epsilon, rng)
            }
        }
    }
}

/// SBX's two candidate children, with the spread bounded by the box (Optuna's `alpha1`,
/// `alpha2` correction) and one uniform draw per coordinate shared by both.
fn sbx_candidates(
    parents: &[Vec<f64>],
    bounds: &[(f64, f64)],
    eta: f64,
    rng: &mut Rng,
) -> (Vec<f64>, Vec<f64>) {
    let n = bounds.len();
    let power = 1.0 / (eta + 1.0);
    let us: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    let mut c1 = Vec::with_capacity(n);
    let mut c2 = Vec::with_capacity(n);
    for i in 0..n {
        let (xl, xu) = bounds[i];
        let x_min = parents[0][i].min(parents[1][i]);
        let x_max = parents[0][i].max(parents[1][i]);
        let diff = (x_max - x_min).max(1e-10);
        let beta1 = 1.0 + 2.0 * (x_min - xl) / diff;
        let beta2 = 1.0 + 2.0 * (xu - x_max) / diff;
        let alpha1 = 2.0 - beta1.powf(-(eta + 1.0));
        let alpha2 = 2.0 - beta2.powf(-(eta + 1.0));
        let u = us[i];
        let betaq = |alpha: f64| {
            if u > 1.0 / alpha {
                (1.0 / (2.0 - u * alpha)).powf(power)
            } else {
                (u * alpha).powf(power)
            }
        };
        c1.push(0.5 * ((x_min + x_max) - betaq(alpha1) * diff));
        c2.push(0.5 * ((x_min + x_max) + betaq(alpha2) * diff));
    }
    (c1, c2)
}

/// vSBX's two candidate children.
fn vsbx_candidates(
    parents: &[Vec<f64>],
    n: usize,
    eta: f64,
    rng: &mut Rng,
) -> (Vec<f64>, Vec<f64>) {
    let eps = 1e-10;
    let power = 1.0 / (eta + 1.0);
    let us: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    let beta1: Vec<f64> = us
        .iter()
        .map(|u| (1.0 / (2.0 * u).max(eps)).powf(power))
        .collect();
    let beta2: Vec<f64> = us
        .iter()
        .map(|u| (1.0 / (2.0 * (1.0 - u)).max(eps)).powf(power))
        .collect();
    let (x1, x2) = (&parents[0], &parents[1]);
    let first = rng.next_f64() <= 0.5;
    let c1: Vec<f64> = (0..n)
        .map(|i| {
            if first {
                0.5 * ((1.0 + beta1[i]) * x1[i] + (1.0 - beta2[i]) * x2[i])
            } else {
                0.5 * ((1.0 - beta1[i]) * x1[i] + (1.0 + beta2[i]) * x2[i])
            }
        })
        .collect();
    let second = rng.next_f64() <= 0.5;
    let c2: Vec<f64> = (0..n)
        .map(|i| {
            if second {
                0.5 * ((3.0 - beta1[i]) * x1[i] - (1.0 - beta2[i]) * x2[i])
            } else {
                0.5 * (-(1.0 - beta1[i]) * x1[i] + (3.0 - beta2[i]) * x2[i])
            }
        })
        .collect();
    (c1, c2)
}

/// Optuna's one-child reduction of (v)SBX: per coordinate, the candidate children's values with
/// probability `use_child`, else the parents'; either pair possibly swapped; then one of the
/// two assembled children.
fn pick_genes(
    parents: &[Vec<f64>],
    c1: &[f64],
    c2: &[f64],
    swap_prob: f64,
    use_child: f64,
    rng: &mut Rng,
) -> Vec<f64> {
    let n = c1.len();
    let mut child1 = Vec::with_capacity(n);
    let mut child2 = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = if rng.next_f64() < use_child {
            (c1[i], c2[i])
        } else {
            (parents[0][i], parents[1][i])
        };
        if rng.next_f64() >= swap_prob {
            child1.push(a);
            child2.push(b);
        } else {
            child1.push(b);
            child2.push(a);
        }
    }
    if rng.next_f64() < 0.5 { child1 } else { child2 }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// An orthonormal basis (`n - 1` vectors) of the complement of the unit vector `e` (of the
/// last `n - 1` axes when `e` is zero), by Gram-Schmidt over `e` and the coordinate axes.
pub(crate) fn orthonormal_complement(e: &[f64]) -> Vec<Vec<f64>> {
    let n = e.len();
    if n == 0 {
        return Vec::new();
    }
    if e.iter().all(|x| *x == 0.0) {
        return (1..n)
            .map(|k| (0..n).map(|j| f64::from(u8::from(j == k))).collect())
            .collect();
    }
    let mut basis: Vec<Vec<f64>> = vec![e.to_vec()];
    for k in 0..n {
        if basis.len() == n {
            break;
        }
        let mut v: Vec<f64> = (0..n).map(|j| f64::from(u8::from(j == k))).collect();
        // Two passes of modified Gram-Schmidt keep the basis orthogonal to rounding error.
        for _ in 0..2 {
            for b in &basis {
                let c = dot(&v, b);
                for (vj, bj) in v.iter_mut().zip(b) {
                    *vj -= c * bj;
                }
            }
        }
        let len = norm(&v);
        if len > 1e-8 {
            basis.push(v.into_iter().map(|x| x / len).collect());
        }
    }
    basis.remove(0);
    basis
}

/// UNDX, as Optuna writes it: the normal draws have standard deviations `sigma_xi²` and
/// `sigma_eta²` (Optuna passes the squares as numpy's `scale`).
fn undx(
    parents: &[Vec<f64>],
    n: usize,
    sigma_xi: f64,
    sigma_eta: Option<f64>,
    rng: &mut Rng,
) -> Vec<f64> {
    let (p1, p2, p3) = (&parents[0], &parents[1], &parents[2]);
    let sigma_eta = sigma_eta.unwrap_or(0.35 / (n as f64).sqrt());
    let etas: Vec<f64> = (0..n).map(|_| rng.normal() * sigma_eta.powi(2)).collect();
    let xi = rng.normal() * sigma_xi.powi(2);
    let mut child: Vec<f64> = (0..n)
        .map(|i| 0.5 * (p1[i] + p2[i]) + xi * (p1[i] - p2[i]))
        .collect();
    if n > 1 {
        let v12: Vec<f64> = (0..n).map(|i| p2[i] - p1[i]).collect();
        let len = norm(&v12).max(1e-10);
        let e12: Vec<f64> = v12.iter().map(|x| x / len).collect();
        let v13: Vec<f64> = (0..n).map(|i| p3[i] - p1[i]).collect();
        let along = dot(&v13, &e12);
        let orth: Vec<f64> = (0..n).map(|i| v13[i] - along * e12[i]).collect();
        let distance = norm(&orth);
        let basis = orthonormal_complement(&e12);
        for (eta, e) in etas.iter().zip(&basis) {
            for (c, ei) in child.iter_mut().zip(e) {
                *c += distance * eta * ei;
            }
        }
    }
    child
}

/// SPX on three parents.
fn spx(parents: &[Vec<f64>], n: usize, epsilon: f64, rng: &mut Rng) -> Vec<f64> {
    let k_parents = 3;
    let rs: Vec<f64> = (0..k_parents - 1)
        .map(|k| rng.next_f64().powf(1.0 / (k as f64 + 1.0)))
        .collect();
    let centroid: Vec<f64> = (0..n)
        .map(|i| parents[..k_parents].iter().map(|p| p[i]).sum::<f64>() / k_parents as f64)
        .collect();
    let xs: Vec<Vec<f64>> = parents[..k_parents]
        .iter()
        .map(|p| {
            (0..n)
                .map(|i| centroid[i] + epsilon * (p[i] - centroid[i]))
                .collect()
        })
        .collect();
    let mut c = vec![0.0; n];
    for k in 1..k_parents {
        for i in 0..n {
            c[i] = rs[k - 1] * (xs[k - 1][i] - xs[k][i] + c[i]);
        }
    }
    (0..n).map(|i| xs[k_parents - 1][i] + c[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_takes_each_coordinate_from_a_parent() {
        let mut rng = Rng::seed_from_u64(3);
        let p = [vec![0.0; 8], vec![1.0; 8]];
        let c = Crossover::uniform().crossover(&p, &[(0.0, 1.0); 8], &mut rng, true);
        assert!(c.iter().all(|x| *x == 0.0 || *x == 1.0));
        assert!(c.contains(&0.0) && c.contains(&1.0), "{c:?}");
    }

    #[test]
    fn blx_stays_in_the_widened_interval() {
        let mut rng = Rng::seed_from_u64(4);
        let p = [vec![0.4], vec![0.6]];
        for _ in 0..1000 {
            let c = Crossover::blx_alpha().crossover(&p, &[(0.0, 1.0)], &mut rng, false);
            assert!((0.3..0.7).contains(&c[0]), "{c:?}");
        }
    }

    #[test]
    fn orthonormal_complement_is_orthonormal() {
        let e = [0.6, 0.0, 0.8, 0.0];
        let basis = orthonormal_complement(&e);
        assert_eq!(basis.len(), 3);
        for (i, b) in basis.iter().enumerate() {
            assert!(dot(b, &e).abs() < 1e-12);
            assert!((norm(b) - 1.0).abs() < 1e-12);
            for c in &basis[i + 1..] {
                assert!(dot(b, c).abs() < 1e-12);
            }
        }
        assert_eq!(orthonormal_complement(&[0.0, 0.0]), vec![vec![0.0, 1.0]]);
    }

    #[test]
    fn spx_is_the_centroid_for_identical_parents() {
        let mut rng = Rng::seed_from_u64(5);
        let p = [vec![0.3, 0.7], vec![0.3, 0.7], vec![0.3, 0.7]];
        let c = Crossover::spx().crossover(&p, &[(0.0, 1.0); 2], &mut rng, true);
        assert!((c[0] - 0.3).abs() < 1e-12 && (c[1] - 0.7).abs() < 1e-12);
    }

    #[test]
    fn validation_names_the_operator_the_parameter_and_the_value() {
        let message = |c: Crossover| c.validate().unwrap_err().to_string();
        for c in [
            Crossover::uniform(),
            Crossover::blx_alpha(),
            Crossover::sbx(),
            Crossover::vsbx(),
            Crossover::undx(),
            Crossover::spx(),
        ] {
            assert!(c.validate().is_ok(), "{c:?}");
        }
        assert_eq!(
            message(Crossover::Uniform { swapping_prob: 1.5 }),
            "invalid argument: UniformCrossover: `swapping_prob` must be in [0, 1], got 1.5"
        );
        let bad = Crossover::Sbx {
            eta: Some(-1.0),
            uniform_crossover_prob: 0.5,
            use_child_gene_prob: 0.5,
        };
        assert_eq!(
            message(bad),
            "invalid argument: SBXCrossover: `eta` must be >= 0, got -1"
        );
        let bad = Crossover::Vsbx {
            eta: None,
            uniform_crossover_prob: 0.5,
            use_child_gene_prob: 0.0,
        };
        assert_eq!(
            message(bad),
            "invalid argument: VSBXCrossover: `use_child_gene_prob` must be in (0, 1], got 0"
        );
        assert_eq!(
            message(Crossover::BlxAlpha { alpha: f64::NAN }),
            "invalid argument: BLXAlphaCrossover: `alpha` must be finite, got NaN"
        );
        assert_eq!(
            message(Crossover::Undx {
                sigma_xi: 0.5,
                sigma_eta: Some(f64::INFINITY)
            }),
            "invalid argument: UNDXCrossover: `sigma_eta` must be finite, got inf"
        );
        assert_eq!(
            message(Crossover::Spx {
                epsilon: Some(f64::NEG_INFINITY)
            }),
            "invalid argument: SPXCrossover: `epsilon` must be finite, got -inf"
        );
    }
}
