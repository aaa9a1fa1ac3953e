//! The Wilcoxon signed-rank test as scipy 1.17's `wilcoxon(d, zero_method="zsplit",
//! alternative=...)` computes it, `method="auto"`: the exact null distribution when there are no
//! ties or zeros and at most 50 differences; an exact sign-flip permutation test when there are
//! ties or zeros and at most 13 differences; the normal approximation (with tie correction, no
//! continuity correction) otherwise.

use hpo_core::math::normal;

/// Which side the alternative hypothesis is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    /// The differences tend to be positive.
    Greater,
    /// The differences tend to be negative.
    Less,
}

/// Average ranks of `|d|` (1-based) and the sizes of the tie groups.
fn ranks(d: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..d.len()).collect();
    order.sort_by(|&a, &b| d[a].abs().total_cmp(&d[b].abs()));
    let mut r = vec![0.0; d.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && d[order[j + 1]].abs() == d[order[i]].abs() {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        ties.push(j - i + 1);
        i = j + 1;
    }
    (r, ties)
}

/// `r_plus` with zsplit: ranks of positive differences plus half the ranks of zeros.
fn r_plus(d: &[f64], r: &[f64], signs: impl Fn(usize) -> f64) -> f64 {
    let mut plus = 0.0;
    let mut zero = 0.0;
    for i in 0..d.len() {
        let x = d[i] * signs(i);
        if x > 0.0 {
            plus += r[i];
        } else if x == 0.0 {
            zero += r[i];
        }
    }
    plus + zero / 2.0
}

/// The p-value of the one-sided signed-rank test on the differences `d` (finite values).
/// NaN for an empty input.
pub fn wilcoxon_pvalue(d: &[f64], alternative: Alternative) -> f64 {
    let n = d.len();
    if n == 0 {
        return f64::NAN;
    }
    let (r, ties) = ranks(d);
    let observed = r_plus(d, &r, |_| 1.0);
    let n_zero = d.iter().filter(|x| **x == 0.0).count();
    let has_ties = ties.iter().any(|t| *t > 1);
    if n <= 50 && !has_ties && n_zero == 0 {
        return exact(n, observed, alternative);
    }
    if n <= 13 {
        return permutation(d, &r, observed, alternative);
    }
    let count = n as f64;
    let mn = count * (count + 1.0) * 0.25;
    let tie_correct: f64 = ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
    let se = ((count * (count + 1.0) * (2.0 * count + 1.0) - tie_correct / 2.0) / 24.0).sqrt();
    let z = (observed - mn) / se;
    match alternative {
        // scipy's `norm.sf(z)` is `ndtr(-z)`.
        Alternative::Greater => normal::cdf(-z),
        Alternative::Less => normal::cdf(z),
    }
}

/// Exact null distribution of W+ for n untied, non-zero differences: subset sums of 1..=n.
fn exact(n: usize, observed: f64, alternative: Alternative) -> f64 {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0f64; max + 1];
    counts[0] = 1.0;
    for k in 1..=n {
        for s in (k..=max).rev() {
            counts[s] += counts[s - k];
        }
    }
    let total = 2f64.powi(n as i32);
    let pmf: Vec<f64> = counts.iter().map(|c| c / total).collect();
    let mean = n as f64 * (n as f64 + 1.0) / 4.0;
    // scipy sums the pmf from the nearer tail and subtracts from 1 for the other.
    let cdf = |k: i64| -> f64 {
        if k < 0 {
            0.0
        } else {
            pmf[..=(k as usize).min(max)].iter().sum()
        }
    };
    let sf = |k: i64| -> f64 {
        if k > max as i64 {
            0.0
        } else {
            pmf[k.max(0) as usize..].iter().sum()
        }
    };
    match alternative {
        Alternative::Greater => {
            let k = observed.floor() as i64;
            if k as f64 <= mean {
                sf(k)
            } else {
                1.0 - cdf(k - 1)
            }
        }
        Alternative::Less => {
            let k = observed.ceil() as i64;
            if k as f64 <= mean {
                cdf(k)
            } else {
                1.0 - sf(k + 1)
            }
        }
    }
}

/// Exact permutation test over all 2^n sign flips (scipy's `permutation_test`, one sample).
fn permutation(d: &[f64], r: &[f64], observed: f64, alternative: Alternative) -> f64 {
    let n = d.len();
    let gamma = (f64::EPSILON * 100.0 * observed).abs();
    let total = 1u64 << n;
    let mut count = 0u64;
    for mask in 0..total {
        let stat = r_plus(d, r, |i| if mask >> i & 1 == 1 { -1.0 } else { 1.0 });
        let hit = match alternative {
            Alternative::Greater => stat >= observed - gamma,
            Alternative::Less => stat <= observed + gamma,
        };
        count += u64::from(hit);
    }
    count as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_exact_values() {
        // d = [1, 2, 3]: W+ = 6 is the largest of 8 equally likely sums.
        assert!((wilcoxon_pvalue(&[1.0, 2.0, 3.0], Alternative::Greater) - 0.125).abs() < 1e-15);
        assert!((wilcoxon_pvalue(&[1.0, 2.0, 3.0], Alternative::Less) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn ranks_average_ties() {
        let (r, t) = ranks(&[0.0, -2.0, 2.0, 1.0]);
        assert_eq!(r, vec![1.0, 3.5, 3.5, 2.0]);
        assert_eq!(t, vec![1, 1, 2]);
    }
}
