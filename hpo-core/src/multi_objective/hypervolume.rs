//! The hypervolume dominated by a set of loss vectors and bounded by a reference point.

/// The volume of the region dominated by `points` and dominating `reference` (minimization).
/// Points that do not dominate the reference contribute nothing. Exact: a sweep in two
/// dimensions, slicing along the last objective above that.
///
/// ```
/// use hpo_core::multi_objective::hypervolume;
/// let hv = hypervolume(&[vec![1.0, 2.0], vec![2.0, 1.0]], &[3.0, 3.0]);
/// assert_eq!(hv, 3.0);
/// ```
pub fn hypervolume(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    let pts: Vec<&[f64]> = points
        .iter()
        .map(Vec::as_slice)
        .filter(|p| p.iter().zip(reference).all(|(x, r)| x < r))
        .collect();
    hv(&pts, reference)
}

fn hv(points: &[&[f64]], reference: &[f64]) -> f64 {
    if points.is_empty() {
        return 0.0;
    }
    let m = reference.len();
    match m {
        1 => reference[0] - points.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min),
        2 => {
            let mut p: Vec<&[f64]> = points.to_vec();
            p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
            let mut volume = 0.0;
            let mut best_y = reference[1];
            for q in p {
                if q[1] < best_y {
                    volume += (reference[0] - q[0]) * (best_y - q[1]);
                    best_y = q[1];
                }
            }
            volume
        }
        _ => {
            let mut p: Vec<&[f64]> = points.to_vec();
            p.sort_by(|a, b| a[m - 1].total_cmp(&b[m - 1]));
            let sub_ref = &reference[..m - 1];
            let mut volume = 0.0;
            for i in 0..p.len() {
                let top = if i + 1 < p.len() {
                    p[i + 1][m - 1]
                } else {
                    reference[m - 1]
                };
                let height = top - p[i][m - 1];
                if height <= 0.0 {
                    continue;
                }
                let slice: Vec<&[f64]> = p[..=i].iter().map(|q| &q[..m - 1]).collect();
                volume += hv(&slice, sub_ref) * height;
            }
            volume
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_volumes() {
        assert_eq!(hypervolume(&[], &[1.0, 1.0]), 0.0);
        assert_eq!(hypervolume(&[vec![0.0, 0.0]], &[1.0, 1.0]), 1.0);
        assert_eq!(
            hypervolume(&[vec![0.5, 0.5], vec![2.0, 0.0]], &[1.0, 1.0]),
            0.25
        );
        // Three staircase points in 2-D: 3 + 2 + 1 unit boxes.
        let p = vec![vec![0.0, 2.0], vec![1.0, 1.0], vec![2.0, 0.0]];
        assert_eq!(hypervolume(&p, &[3.0, 3.0]), 6.0);
        // 3-D: a unit cube corner and a dominated point.
        let p = vec![vec![0.0, 0.0, 0.0], vec![0.5, 0.5, 0.5]];
        assert_eq!(hypervolume(&p, &[1.0, 1.0, 1.0]), 1.0);
        // 3-D: two boxes overlapping in a 0.5-cube.
        let p = vec![vec![0.0, 0.5, 0.5], vec![0.5, 0.0, 0.0]];
        assert!((hypervolume(&p, &[1.0, 1.0, 1.0]) - (0.25 + 0.5 - 0.125)).abs() < 1e-15);
        // 4-D single point.
        assert!((hypervolume(&[vec![0.5; 4]], &[1.0; 4]) - 0.0625).abs() < 1e-15);
    }
}
