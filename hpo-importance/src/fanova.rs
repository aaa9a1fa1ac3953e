//! fANOVA (Hutter, Hoos and Leyton-Brown, "An Efficient Approach for Assessing Hyperparameter
//! Importance", ICML 2014), as Optuna's `FanovaImportanceEvaluator` computes it.
//!
//! A random forest predicts the objective from the params. Each tree cuts the search box into
//! leaf boxes, so its prediction is a step function over the box. The marginal of a param is
//! that function averaged over every other param (uniformly over their ranges); the param's
//! importance in the tree is the variance of its marginal over its own range, divided by the
//! variance of the tree's prediction over the whole box. The evaluator returns the mean of that
//! fraction over the trees with a non-zero variance. A categorical param is one-hot encoded and
//! its columns are marginalised together (every combination of their cells, as Optuna does).
//!
//! Optuna evaluates the marginal by walking the tree once per cell; here each leaf adds its
//! share to the cells its box covers (a difference array), which gives the same numbers in
//! time linear in the number of leaves and cells.

use std::collections::HashMap;

use hpo_core::ParamSpace;
use indexmap::IndexMap;

use crate::forest::{ForestSettings, LEAF, TrainingSet, Tree, forest_evaluator, parallel_map};
use crate::transform::Encoded;

/// Above this many cells in a param's grid, the marginal variance is computed from pairs of
/// leaves instead.
const MAX_CELLS: usize = 1 << 20;

/// fANOVA importance (Optuna's `FanovaImportanceEvaluator`): the share of the variance of a
/// random forest's prediction explained by each param alone.
///
/// Defaults: 64 trees, depth at most 64, seed 0 (so results are reproducible unless another
/// seed is set; Optuna's default `seed=None` draws a fresh forest each time). Single-valued
/// params get 0. On a multi-objective study it needs a `target`. When every tree predicts a
/// constant (for example when all values are equal), every param gets 0 where Optuna raises
/// an error.
///
/// ```
/// use hpo_importance::{FanovaEvaluator, ImportanceOptions};
///
/// let options = ImportanceOptions::new().evaluator(FanovaEvaluator::new().n_trees(32).seed(7));
/// # let _ = options;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FanovaEvaluator {
    forest: ForestSettings,
}

forest_evaluator!(FanovaEvaluator, "fanova");

impl FanovaEvaluator {
    /// Each varying param's mean share of the variance of the forest's prediction, over the
    /// trees whose prediction is not constant, into `out`.
    fn importances(
        &self,
        out: &mut IndexMap<String, f64>,
        space: &ParamSpace,
        data: &TrainingSet<'_>,
    ) {
        let (rows, y) = (&data.rows, &data.y);
        let varying: ParamSpace = space
            .iter()
            .filter(|(_, d)| !d.single())
            .map(|(k, d)| (k.clone(), d.clone()))
            .collect();
        if varying.is_empty() {
            return;
        }
        let encoded = Encoded::new(&varying, rows);
        let trees = self.forest.fit(&encoded.columns, y);
        let groups: Vec<Vec<usize>> = encoded.groups.iter().map(|g| g.clone().collect()).collect();
        // Per tree with a non-constant prediction: each param's share of its variance.
        let fractions: Vec<Option<Vec<f64>>> =
            parallel_map(&trees, rows.len() * groups.len(), |tree| {
                let b = LeafBoxes::new(tree, &encoded.bounds);
                (b.variance > 0.0).then(|| {
                    groups
                        .iter()
                        .map(|g| b.marginal_variance(g) / b.variance)
                        .collect()
                })
            });
        let fractions: Vec<Vec<f64>> = fractions.into_iter().flatten().collect();
        if fractions.is_empty() {
            return;
        }
        for (j, name) in varying.keys().enumerate() {
            let total: f64 = fractions.iter().map(|f| f[j]).sum();
            out[name] = total / fractions.len() as f64;
        }
    }
}

/// A tree seen as a partition of the search box: the box of each leaf, in units of each
/// column's range, and where the tree cuts each column.
struct LeafBoxes {
    n_columns: usize,
    /// The prediction of each leaf.
    values: Vec<f64>,
    /// `boxes[leaf * n_columns + c]`: the leaf's `[low, high]` along column `c`, in original
    /// units.
    boxes: Vec<(f64, f64)>,
    /// For each column: the bounds and the sorted distinct thresholds between them.
    cuts: Vec<Vec<f64>>,
    /// For each column: its full width.
    widths: Vec<f64>,
    /// The mean of the prediction over the whole box.
    mean: f64,
    /// The variance of the prediction over the whole box.
    variance: f64,
}

impl LeafBoxes {
    fn new(tree: &Tree, bounds: &[(f64, f64)]) -> LeafBoxes {
        let n_columns = bounds.len();
        let mut values = Vec::new();
        let mut boxes = Vec::new();
        let mut thresholds: Vec<Vec<f64>> = vec![Vec::new(); n_columns];
        let mut stack = vec![(0usize, bounds.to_vec())];
        while let Some((id, b)) = stack.pop() {
            let node = &tree.nodes[id];
            if node.feature == LEAF {
                values.push(node.value);
                boxes.extend_from_slice(&b);
                continue;
            }
            let (f, t) = (node.feature, node.threshold);
            thresholds[f].push(t);
            let mut left = b.clone();
            left[f].1 = t;
            let mut right = b;
            right[f].0 = t;
            stack.push((node.right, right));
            stack.push((node.left, left));
        }
        let cuts: Vec<Vec<f64>> = thresholds
            .into_iter()
            .zip(bounds)
            .map(|(mut t, &(lo, hi))| {
                t.sort_by(f64::total_cmp);
                t.dedup();
                let mut c = Vec::with_capacity(t.len() + 2);
                c.push(lo);
                c.extend(t);
                c.push(hi);
                c
            })
            .collect();
        let widths: Vec<f64> = bounds.iter().map(|(lo, hi)| hi - lo).collect();
        let mut lb = LeafBoxes {
            n_columns,
            values,
            boxes,
            cuts,
            widths,
            mean: 0.0,
            variance: 0.0,
        };
        let all: Vec<usize> = (0..n_columns).collect();
        let vols: Vec<f64> = (0..lb.values.len()).map(|l| lb.volume(l, &all)).collect();
        let total: f64 = vols.iter().sum();
        lb.mean = lb.values.iter().zip(&vols).map(|(v, w)| v * w).sum::<f64>() / total;
        lb.variance = weighted_variance(&lb.values, &vols);
        lb
    }

    /// The leaf's volume along `columns`, as a fraction of the box's.
    fn volume(&self, leaf: usize, columns: &[usize]) -> f64 {
        let b = &self.boxes[leaf * self.n_columns..(leaf + 1) * self.n_columns];
        columns
            .iter()
            .map(|&c| (b[c].1 - b[c].0) / self.widths[c])
            .product()
    }

    /// The variance, over the box of `active` columns, of the prediction averaged over the
    /// other columns.
    fn marginal_variance(&self, active: &[usize]) -> f64 {
        let sizes: Vec<usize> = active.iter().map(|&c| self.cuts[c].len() - 1).collect();
        if sizes.iter().all(|&k| k == 1) {
            return 0.0; // the tree never cuts these columns: the marginal is flat
        }
        let boxes = self.cell_boxes(active);
        let grid_cells = sizes
            .iter()
            .try_fold(1usize, |acc, &k| acc.checked_mul(k))
            .filter(|&n| n <= MAX_CELLS && n <= (boxes.len() * boxes.len()).max(1 << 12));
        let var = match grid_cells {
            Some(n_cells) => self.grid_variance(active, &sizes, n_cells, &boxes),
            None => self.pairwise_variance(active, &boxes),
        };
        var.max(0.0)
    }

    /// The leaves as boxes of cells of the active columns' grid, each with its share of the
    /// marginal: each leaf adds (value - mean) * (its volume share of the other columns) to
    /// every cell of its box (the shares of the leaves covering a cell sum to 1). Leaves with
    /// the same box are merged.
    fn cell_boxes(&self, active: &[usize]) -> Vec<CellBox> {
        let others: Vec<usize> = (0..self.n_columns)
            .filter(|c| !active.contains(c))
            .collect();
        let mut boxes: Vec<CellBox> = Vec::new();
        let mut index: HashMap<Vec<(usize, usize)>, usize> = HashMap::new();
        for l in 0..self.values.len() {
            let ranges: Vec<(usize, usize)> = active
                .iter()
                .map(|&c| {
                    let (lo, hi) = self.boxes[l * self.n_columns + c];
                    let cuts = &self.cuts[c];
                    (
                        cuts.partition_point(|&x| x < lo),
                        cuts.partition_point(|&x| x < hi),
                    )
                })
                .collect();
            if ranges.iter().any(|&(s, e)| s >= e) {
                continue; // a box of no volume
            }
            let share = (self.values[l] - self.mean) * self.volume(l, &others);
            match index.get(&ranges) {
                Some(&i) => boxes[i].share += share,
                None => {
                    index.insert(ranges.clone(), boxes.len());
                    boxes.push(CellBox { ranges, share });
                }
            }
        }
        boxes
    }

    /// The marginal on every cell of the grid of the active columns' cuts, then its
    /// size-weighted variance. A box adds its share to each of its cells, or, when that is
    /// cheaper, to the corners of a multi-dimensional difference array.
    fn grid_variance(
        &self,
        active: &[usize],
        sizes: &[usize],
        n_cells: usize,
        boxes: &[CellBox],
    ) -> f64 {
        let d = active.len();
        let mut strides = vec![1usize; d];
        for j in (0..d.saturating_sub(1)).rev() {
            strides[j] = strides[j + 1] * sizes[j + 1];
        }
        let mut direct = vec![0.0; n_cells];
        let mut diff = vec![0.0; n_cells];
        let mut used_diff = false;
        for b in boxes {
            let base: usize = (0..d).map(|j| b.ranges[j].0 * strides[j]).sum();
            // Upper corners past the end of the grid are dropped.
            let uppers: Vec<usize> = (0..d).filter(|&j| b.ranges[j].1 < sizes[j]).collect();
            let n_box: usize = b.ranges.iter().map(|(s, e)| e - s).product();
            if uppers.len() < usize::BITS as usize - 1 && (1usize << uppers.len()) < n_box {
                used_diff = true;
                for mask in 0..(1usize << uppers.len()) {
                    let mut index = base;
                    for (bit, &j) in uppers.iter().enumerate() {
                        if mask >> bit & 1 == 1 {
                            index += (b.ranges[j].1 - b.ranges[j].0) * strides[j];
                        }
                    }
                    let sign = if mask.count_ones() % 2 == 0 {
                        1.0
                    } else {
                        -1.0
                    };
                    diff[index] += sign * b.share;
                }
            } else {
                // Odometer over the box's cells.
                let mut at: Vec<usize> = b.ranges.iter().map(|r| r.0).collect();
                'cells: loop {
                    let index: usize = (0..d).map(|j| at[j] * strides[j]).sum();
                    direct[index] += b.share;
                    for j in (0..d).rev() {
                        at[j] += 1;
                        if at[j] < b.ranges[j].1 {
                            continue 'cells;
                        }
                        at[j] = b.ranges[j].0;
                    }
                    break;
                }
            }
        }
        if used_diff {
            for j in 0..d {
                let (stride, k) = (strides[j], sizes[j]);
                for index in 0..n_cells {
                    if (index / stride) % k != 0 {
                        diff[index] += diff[index - stride];
                    }
                }
            }
            for (m, x) in direct.iter_mut().zip(&diff) {
                *m += x;
            }
        }
        let cell_sizes: Vec<Vec<f64>> = active
            .iter()
            .map(|&c| self.cuts[c].windows(2).map(|w| w[1] - w[0]).collect())
            .collect();
        let weights: Vec<f64> = (0..n_cells)
            .map(|index| {
                (0..d)
                    .map(|j| cell_sizes[j][(index / strides[j]) % sizes[j]])
                    .product()
            })
            .collect();
        weighted_variance(&direct, &weights)
    }

    /// The same variance from pairs of boxes, `E[m^2] - E[m]^2`, for grids too large to
    /// enumerate (a categorical param with many choices).
    fn pairwise_variance(&self, active: &[usize], boxes: &[CellBox]) -> f64 {
        // The normalised extent of a cell range along active column j.
        let extent = |j: usize, s: usize, e: usize| {
            let c = active[j];
            (self.cuts[c][e] - self.cuts[c][s]) / self.widths[c]
        };
        let mut mean = 0.0;
        let mut square = 0.0;
        for (i, a) in boxes.iter().enumerate() {
            let volume: f64 = a
                .ranges
                .iter()
                .enumerate()
                .map(|(j, &(s, e))| extent(j, s, e))
                .product();
            mean += a.share * volume;
            square += a.share * a.share * volume;
            for b in &boxes[i + 1..] {
                let mut overlap = 1.0;
                for (j, (&(sa, ea), &(sb, eb))) in a.ranges.iter().zip(&b.ranges).enumerate() {
                    let (s, e) = (sa.max(sb), ea.min(eb));
                    if s >= e {
                        overlap = 0.0;
                        break;
                    }
                    overlap *= extent(j, s, e);
                }
                square += 2.0 * a.share * b.share * overlap;
            }
        }
        square - mean * mean
    }
}

/// Leaves with one box of cells in the active columns, and their summed share.
struct CellBox {
    /// Per active column, the half-open range of cells covered.
    ranges: Vec<(usize, usize)>,
    share: f64,
}

/// The variance of `values` weighted by `weights` (0 when the weights sum to 0).
fn weighted_variance(values: &[f64], weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    values
        .iter()
        .zip(weights)
        .map(|(v, w)| w * (v - mean) * (v - mean))
        .sum::<f64>()
        / total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forest::TreeParams;
    use crate::forest::tree::Node;

    fn leaf(value: f64) -> Node {
        Node {
            feature: LEAF,
            threshold: 0.0,
            left: LEAF,
            right: LEAF,
            value,
            impurity: 0.0,
            weight: 1.0,
        }
    }

    fn split(feature: usize, threshold: f64, left: usize, right: usize) -> Node {
        Node {
            feature,
            threshold,
            left,
            right,
            value: 0.0,
            impurity: 0.0,
            weight: 1.0,
        }
    }

    /// A hand-made tree on [0, 1]^2: x0 <= 0.5 ? (x1 <= 0.5 ? 0 : 2) : 4.
    fn tree() -> Tree {
        Tree {
            nodes: vec![
                split(0, 0.5, 1, 4),
                split(1, 0.5, 2, 3),
                leaf(0.0),
                leaf(2.0),
                leaf(4.0),
            ],
            n_features: 2,
        }
    }

    #[test]
    fn marginal_variances_of_a_hand_made_tree() {
        let b = LeafBoxes::new(&tree(), &[(0.0, 1.0), (0.0, 1.0)]);
        // Leaves: 0 on a quarter, 2 on a quarter, 4 on a half; mean 2.5.
        let total = 0.25 * 6.25 + 0.25 * 0.25 + 0.5 * 2.25;
        assert!((b.variance - total).abs() < 1e-12);
        // Marginal of x0: 1 on the left half, 4 on the right: variance 2.25.
        assert!((b.marginal_variance(&[0]) - 2.25).abs() < 1e-12);
        // Marginal of x1: (0 + 4) / 2 = 2 below 0.5, (2 + 4) / 2 = 3 above: variance 0.25.
        assert!((b.marginal_variance(&[1]) - 0.25).abs() < 1e-12);
        // Both together: the whole function.
        assert!((b.marginal_variance(&[0, 1]) - total).abs() < 1e-12);
        // The pairwise fallback agrees.
        for (active, want) in [(vec![0], 2.25), (vec![1], 0.25), (vec![0, 1], total)] {
            let got = b.pairwise_variance(&active, &b.cell_boxes(&active));
            assert!((got - want).abs() < 1e-12, "{active:?}: {got}");
        }
    }

    #[test]
    fn unequal_cells_are_weighted_by_size() {
        // On [0, 10] x [0, 1]: x0 <= 2 ? 1 : 0. The marginal of x0 is 1 on a fifth.
        let t = Tree {
            nodes: vec![split(0, 2.0, 1, 2), leaf(1.0), leaf(0.0)],
            n_features: 2,
        };
        let b = LeafBoxes::new(&t, &[(0.0, 10.0), (0.0, 1.0)]);
        assert!((b.marginal_variance(&[0]) - 0.16).abs() < 1e-12);
        assert!((b.variance - 0.16).abs() < 1e-12);
        assert_eq!(b.marginal_variance(&[1]), 0.0);
    }

    /// Optuna's `_FanovaTree.get_marginal_variance`, literally: for every combination of
    /// midpoints of the active columns, walk the tree marginalising the other columns.
    fn optuna_marginal_variance(tree: &Tree, bounds: &[(f64, f64)], active: &[usize]) -> f64 {
        let n = tree.nodes.len();
        let d = bounds.len();
        // Node statistics: leaf value and the volume of its box; internal nodes aggregate.
        let mut boxes: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
        boxes[0] = bounds.to_vec();
        let mut stats = vec![(0.0, 0.0); n];
        for id in 0..n {
            let node = &tree.nodes[id];
            if node.is_leaf() {
                let volume: f64 = boxes[id].iter().map(|(lo, hi)| hi - lo).product();
                stats[id] = (node.value, volume);
            } else {
                let mut left = boxes[id].clone();
                left[node.feature].1 = node.threshold;
                let mut right = boxes[id].clone();
                right[node.feature].0 = node.threshold;
                boxes[node.left] = left;
                boxes[node.right] = right;
            }
        }
        for id in (0..n).rev() {
            let node = &tree.nodes[id];
            if !node.is_leaf() {
                let (l, r) = (stats[node.left], stats[node.right]);
                stats[id] = ((l.0 * l.1 + r.0 * r.1) / (l.1 + r.1), l.1 + r.1);
            }
        }
        let mut subtree_features = vec![vec![false; d]; n];
        for id in (0..n).rev() {
            let node = &tree.nodes[id];
            if !node.is_leaf() {
                let below: Vec<bool> = (0..d)
                    .map(|f| subtree_features[node.left][f] || subtree_features[node.right][f])
                    .collect();
                subtree_features[id] = below;
                subtree_features[id][node.feature] = true;
            }
        }
        let mut midpoints = Vec::new();
        let mut sizes = Vec::new();
        for &c in active {
            let mut cuts: Vec<f64> = tree
                .nodes
                .iter()
                .filter(|n| n.feature == c)
                .map(|n| n.threshold)
                .collect();
            cuts.sort_by(f64::total_cmp);
            cuts.dedup();
            cuts.insert(0, bounds[c].0);
            cuts.push(bounds[c].1);
            midpoints.push(
                cuts.windows(2)
                    .map(|w| (w[0] + w[1]) / 2.0)
                    .collect::<Vec<_>>(),
            );
            sizes.push(cuts.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>());
        }
        let mut values = Vec::new();
        let mut weights = Vec::new();
        let total: usize = midpoints.iter().map(Vec::len).product();
        for combo in 0..total {
            let mut rest = combo;
            let mut sample = vec![f64::NAN; d];
            let mut size = 1.0;
            for (j, &c) in active.iter().enumerate().rev() {
                let k = rest % midpoints[j].len();
                rest /= midpoints[j].len();
                sample[c] = midpoints[j][k];
                size *= sizes[j][k];
            }
            let space: Vec<(f64, f64)> = (0..d)
                .map(|f| {
                    if active.contains(&f) {
                        bounds[f]
                    } else {
                        (0.0, 1.0)
                    }
                })
                .collect();
            let mut stack = vec![(0usize, space.clone())];
            let (mut vs, mut ws) = (Vec::new(), Vec::new());
            while let Some((id, sp)) = stack.pop() {
                let node = &tree.nodes[id];
                if !node.is_leaf() {
                    let x = sample[node.feature];
                    if !x.is_nan() {
                        let mut next = sp.clone();
                        if x <= node.threshold {
                            next[node.feature].1 = node.threshold;
                            stack.push((node.left, next));
                        } else {
                            next[node.feature].0 = node.threshold;
                            stack.push((node.right, next));
                        }
                        continue;
                    }
                    if active.iter().any(|&c| subtree_features[id][c]) {
                        stack.push((node.left, sp.clone()));
                        stack.push((node.right, sp));
                        continue;
                    }
                }
                let card: f64 = sp.iter().map(|(lo, hi)| hi - lo).product();
                vs.push(stats[id].0);
                ws.push(stats[id].1 / card);
            }
            let w: f64 = ws.iter().sum();
            values.push(vs.iter().zip(&ws).map(|(v, w)| v * w).sum::<f64>() / w);
            weights.push(w * size);
        }
        weighted_variance(&values, &weights)
    }

    #[test]
    fn marginals_match_optunas_tree_walk_on_fitted_forests() {
        use hpo_core::rng::Rng;
        // Columns: x (numeric on [-2, 3]), a 5-choice one-hot categorical, z (int on [0, 9]).
        let mut rng = Rng::seed_from_u64(11);
        let n = 120;
        let mut columns = vec![vec![0.0; n]; 7];
        let mut y = vec![0.0; n];
        for i in 0..n {
            let x = rng.uniform(-2.0, 3.0);
            let k = rng.below(5) as usize;
            let z = rng.below(10) as f64;
            columns[0][i] = x;
            columns[1 + k][i] = 1.0;
            columns[6][i] = z;
            y[i] = x * x + [0.0, 2.0, 0.5, 1.0, 3.0][k] + 0.2 * z + 0.3 * x * z;
        }
        let mut bounds = vec![(-2.0, 3.0)];
        bounds.extend([(0.0, 1.0); 5]);
        bounds.push((0.0, 9.0));
        let trees = crate::forest::fit_forest(&columns, &y, 6, TreeParams::default(), 4);
        let groups: [&[usize]; 3] = [&[0], &[1, 2, 3, 4, 5], &[6]];
        for tree in &trees {
            let b = LeafBoxes::new(tree, &bounds);
            for active in groups {
                let want = optuna_marginal_variance(tree, &bounds, active);
                let got = b.marginal_variance(active);
                let pairwise = b.pairwise_variance(active, &b.cell_boxes(active)).max(0.0);
                let scale = b.variance;
                assert!(
                    (got - want).abs() <= 1e-9 * scale,
                    "{active:?}: {got} vs {want}"
                );
                assert!(
                    (pairwise - want).abs() <= 1e-9 * scale,
                    "{active:?}: {pairwise} vs {want}"
                );
            }
        }
    }
}
