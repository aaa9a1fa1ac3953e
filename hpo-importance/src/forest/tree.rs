//! One CART regression tree, grown as scikit-learn's `DecisionTreeRegressor` inside a
//! `RandomForestRegressor` grows it: squared-error splits, every feature considered at every
//! node (in a random order that breaks ties), thresholds halfway between neighbouring distinct
//! values, bootstrap counts as sample weights.

use hpo_core::rng::Rng;

/// Two feature values closer than this are not split apart (scikit-learn's
/// `FEATURE_THRESHOLD`).
const FEATURE_THRESHOLD: f64 = 1e-7;

/// The `feature` of a leaf.
pub(crate) const LEAF: usize = usize::MAX;

/// A node of a fitted tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// The split feature, or [`LEAF`].
    pub feature: usize,
    /// Samples with `x[feature] <= threshold` go left.
    pub threshold: f64,
    /// Index of the left child (unused for a leaf).
    pub left: usize,
    /// Index of the right child (unused for a leaf).
    pub right: usize,
    /// The weighted mean target of the node's samples: the prediction of a leaf.
    pub value: f64,
    /// The weighted variance of the node's targets (squared-error impurity).
    pub impurity: f64,
    /// The total sample weight in the node.
    pub weight: f64,
}

impl Node {
    /// Whether the node is a leaf.
    pub fn is_leaf(&self) -> bool {
        self.feature == LEAF
    }
}

/// How a tree is grown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TreeParams {
    /// Nodes at this depth (the root has depth 0) are leaves.
    pub max_depth: usize,
    /// A node with fewer distinct samples is a leaf.
    pub min_samples_split: usize,
    /// Each child must keep at least this many distinct samples.
    pub min_samples_leaf: usize,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: 64,
            min_samples_split: 2,
            min_samples_leaf: 1,
        }
    }
}

/// A fitted regression tree; node 0 is the root, children come after their parent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub n_features: usize,
}

/// The training data shared by all the trees of a forest.
pub(crate) struct Data<'a> {
    /// Column-major features.
    pub columns: &'a [Vec<f64>],
    /// Targets.
    pub y: &'a [f64],
    /// For each feature, every sample index sorted by that feature's value.
    pub presorted: &'a [Vec<u32>],
}

/// The working state while growing one tree: for each feature, the samples of every open
/// node sorted by that feature, the node's samples occupying the same `start..end` slot in
/// each feature's array.
struct Grower<'a> {
    data: &'a Data<'a>,
    weights: &'a [u32],
    order: Vec<Vec<u32>>,
    goes_left: Vec<bool>,
    scratch: Vec<u32>,
    params: TreeParams,
}

/// A node still to be grown: its samples' slot, its depth, and its parent with whether it is
/// the parent's left child.
struct Pending {
    start: usize,
    end: usize,
    depth: usize,
    parent: Option<(usize, bool)>,
}

struct Split {
    feature: usize,
    /// Number of samples going left.
    pos: usize,
    threshold: f64,
    proxy: f64,
}

impl Tree {
    /// Grows a tree on the samples with a non-zero bootstrap `weights` count.
    pub fn fit(data: &Data<'_>, weights: &[u32], params: TreeParams, rng: &mut Rng) -> Tree {
        let n_features = data.columns.len();
        let order: Vec<Vec<u32>> = data
            .presorted
            .iter()
            .map(|all| {
                all.iter()
                    .copied()
                    .filter(|&i| weights[i as usize] > 0)
                    .collect()
            })
            .collect();
        let n = order.first().map_or(0, Vec::len);
        let mut grower = Grower {
            data,
            weights,
            order,
            goes_left: vec![false; data.y.len()],
            scratch: Vec::with_capacity(n),
            params,
        };
        let mut nodes: Vec<Node> = Vec::new();
        let mut stack = vec![Pending {
            start: 0,
            end: n,
            depth: 0,
            parent: None,
        }];
        let mut features: Vec<usize> = (0..n_features).collect();
        while let Some(Pending {
            start,
            end,
            depth,
            parent,
        }) = stack.pop()
        {
            let id = nodes.len();
            if let Some((p, is_left)) = parent {
                if is_left {
                    nodes[p].left = id;
                } else {
                    nodes[p].right = id;
                }
            }
            let (value, impurity, weight, constant) = grower.stats(start, end);
            nodes.push(Node {
                feature: LEAF,
                threshold: 0.0,
                left: LEAF,
                right: LEAF,
                value,
                impurity,
                weight,
            });
            let n_node = end - start;
            if depth >= params.max_depth
                || n_node < params.min_samples_split
                || n_node < 2 * params.min_samples_leaf
                || constant
            {
                continue;
            }
            shuffle(&mut features, rng);
            let Some(split) = grower.best_split(start, end, &features) else {
                continue;
            };
            grower.partition(start, end, &split);
            nodes[id].feature = split.feature;
            nodes[id].threshold = split.threshold;
            let mid = start + split.pos;
            // Right first, so the left child is grown (and numbered) first.
            stack.push(Pending {
                start: mid,
                end,
                depth: depth + 1,
                parent: Some((id, false)),
            });
            stack.push(Pending {
                start,
                end: mid,
                depth: depth + 1,
                parent: Some((id, true)),
            });
        }
        Tree { nodes, n_features }
    }

    /// The prediction for one feature vector.
    #[cfg(test)]
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut node = &self.nodes[0];
        while !node.is_leaf() {
            node = if x[node.feature] <= node.threshold {
                &self.nodes[node.left]
            } else {
                &self.nodes[node.right]
            };
        }
        node.value
    }

    /// scikit-learn's `feature_importances_` of the tree: each split's weighted impurity
    /// decrease, summed per feature, divided by the root weight and normalised to sum to 1
    /// (all zero when the tree never splits).
    pub fn feature_importances(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.n_features];
        for node in &self.nodes {
            if node.is_leaf() {
                continue;
            }
            let (l, r) = (&self.nodes[node.left], &self.nodes[node.right]);
            out[node.feature] +=
                node.weight * node.impurity - l.weight * l.impurity - r.weight * r.impurity;
        }
        let root = self.nodes[0].weight;
        for v in &mut out {
            *v /= root;
        }
        let sum: f64 = out.iter().sum();
        if sum > 0.0 {
            for v in &mut out {
                *v /= sum;
            }
        }
        out
    }
}

impl Grower<'_> {
    /// Weighted mean, weighted variance, total weight, and whether every target is equal.
    fn stats(&self, start: usize, end: usize) -> (f64, f64, f64, bool) {
        let (y, w) = (self.data.y, self.weights);
        let samples = &self.order[0][start..end];
        let mut total = 0.0;
        let mut sum = 0.0;
        let first = y[samples[0] as usize];
        let mut constant = true;
        for &i in samples {
            let (yi, wi) = (y[i as usize], f64::from(w[i as usize]));
            total += wi;
            sum += wi * yi;
            constant &= yi == first;
        }
        let mean = sum / total;
        let mut sq = 0.0;
        for &i in samples {
            let d = y[i as usize] - mean;
            sq += f64::from(w[i as usize]) * d * d;
        }
        (mean, sq / total, total, constant)
    }

    /// The split that maximises the decrease of squared error, features visited in the given
    /// order and positions left to right, the first best kept.
    fn best_split(&self, start: usize, end: usize, features: &[usize]) -> Option<Split> {
        let (y, w) = (self.data.y, self.weights);
        let n = end - start;
        let min_leaf = self.params.min_samples_leaf.max(1);
        let (mut total_w, mut total_s) = (0.0, 0.0);
        for &i in &self.order[0][start..end] {
            total_w += f64::from(w[i as usize]);
            total_s += f64::from(w[i as usize]) * y[i as usize];
        }
        let mut best: Option<Split> = None;
        for &f in features {
            let x = &self.data.columns[f];
            let samples = &self.order[f][start..end];
            if x[samples[n - 1] as usize] <= x[samples[0] as usize] + FEATURE_THRESHOLD {
                continue; // constant in this node
            }
            let (mut wl, mut sl) = (0.0, 0.0);
            for p in 1..n {
                let prev = samples[p - 1] as usize;
                wl += f64::from(w[prev]);
                sl += f64::from(w[prev]) * y[prev];
                let (x_prev, x_cur) = (x[prev], x[samples[p] as usize]);
                if x_cur <= x_prev + FEATURE_THRESHOLD || p < min_leaf || n - p < min_leaf {
                    continue;
                }
                let (wr, sr) = (total_w - wl, total_s - sl);
                let proxy = sl * sl / wl + sr * sr / wr;
                if best.as_ref().is_none_or(|b| proxy > b.proxy) {
                    let mut threshold = x_prev / 2.0 + x_cur / 2.0;
                    if threshold == x_cur || !threshold.is_finite() {
                        threshold = x_prev;
                    }
                    best = Some(Split {
                        feature: f,
                        pos: p,
                        threshold,
                        proxy,
                    });
                }
            }
        }
        best
    }

    /// Moves the left samples before the right ones in every feature's array, keeping each
    /// side sorted.
    fn partition(&mut self, start: usize, end: usize, split: &Split) {
        let mid = start + split.pos;
        for &i in &self.order[split.feature][start..mid] {
            self.goes_left[i as usize] = true;
        }
        for f in 0..self.order.len() {
            if f == split.feature {
                continue;
            }
            let seg = &mut self.order[f][start..end];
            self.scratch.clear();
            let mut k = 0;
            for idx in 0..seg.len() {
                let i = seg[idx];
                if self.goes_left[i as usize] {
                    seg[k] = i;
                    k += 1;
                } else {
                    self.scratch.push(i);
                }
            }
            seg[k..].copy_from_slice(&self.scratch);
        }
        for &i in &self.order[split.feature][start..mid] {
            self.goes_left[i as usize] = false;
        }
    }
}

/// Fisher-Yates shuffle.
fn shuffle(v: &mut [usize], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presort(columns: &[Vec<f64>]) -> Vec<Vec<u32>> {
        columns
            .iter()
            .map(|c| {
                let mut idx: Vec<u32> = (0..c.len() as u32).collect();
                idx.sort_by(|&a, &b| c[a as usize].total_cmp(&c[b as usize]));
                idx
            })
            .collect()
    }

    fn grow(columns: &[Vec<f64>], y: &[f64], weights: &[u32], params: TreeParams) -> Tree {
        let presorted = presort(columns);
        let data = Data {
            columns,
            y,
            presorted: &presorted,
        };
        Tree::fit(&data, weights, params, &mut Rng::seed_from_u64(0))
    }

    #[test]
    fn hand_computed_splits() {
        // x0: 1 2 3 4, x1 constant; y: 0 0 10 12.
        // Root split candidates on x0 (proxy sum_l^2/n_l + sum_r^2/n_r):
        //   after 1: 0 + 22^2/3 = 161.33; after 2: 0 + 22^2/2 = 242; after 3: 10^2/3 + 12^2 = 177.33
        // so the root splits at (2 + 3) / 2 = 2.5. Left {0, 0} is constant: a leaf. Right {10, 12}
        // splits at 3.5 into two leaves.
        let columns = vec![vec![1.0, 2.0, 3.0, 4.0], vec![5.0; 4]];
        let y = [0.0, 0.0, 10.0, 12.0];
        let tree = grow(&columns, &y, &[1; 4], TreeParams::default());
        assert_eq!(tree.nodes.len(), 5);
        let root = &tree.nodes[0];
        assert_eq!((root.feature, root.threshold), (0, 2.5));
        assert_eq!(root.value, 5.5);
        // variance of 0, 0, 10, 12 around 5.5
        assert!((root.impurity - (2.0 * 30.25 + 20.25 + 42.25) / 4.0).abs() < 1e-12);
        let left = &tree.nodes[root.left];
        assert!(left.is_leaf());
        assert_eq!(left.value, 0.0);
        let right = &tree.nodes[root.right];
        assert_eq!(
            (right.feature, right.threshold, right.value),
            (0, 3.5, 11.0)
        );
        assert_eq!(tree.predict(&[0.0, 5.0]), 0.0);
        assert_eq!(tree.predict(&[3.2, 5.0]), 10.0);
        assert_eq!(tree.predict(&[9.0, 5.0]), 12.0);
        // Only x0 is ever split on.
        assert_eq!(tree.feature_importances(), vec![1.0, 0.0]);
    }

    #[test]
    fn weights_act_as_repeated_samples() {
        // Sample 3 counts twice: y = 0, 0, 10, 12, 12 over x = 1, 2, 3, 4, 4.
        let columns = vec![vec![1.0, 2.0, 3.0, 4.0]];
        let y = [0.0, 0.0, 10.0, 12.0];
        let tree = grow(&columns, &y, &[1, 1, 1, 2], TreeParams::default());
        let root = &tree.nodes[0];
        assert_eq!(root.weight, 5.0);
        assert!((root.value - 34.0 / 5.0).abs() < 1e-12);
        assert_eq!(root.threshold, 2.5);
        let right = &tree.nodes[root.right];
        assert_eq!(right.weight, 3.0);
        assert!((right.value - 34.0 / 3.0).abs() < 1e-12);
        // A sample with weight 0 is left out altogether.
        let tree = grow(&columns, &y, &[1, 1, 0, 1], TreeParams::default());
        assert_eq!(tree.nodes[0].weight, 3.0);
        assert_eq!(tree.nodes[0].threshold, 3.0);
    }

    #[test]
    fn max_depth_and_min_samples_leaf_are_respected() {
        let columns = vec![vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]];
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let stump = grow(
            &columns,
            &y,
            &[1; 6],
            TreeParams {
                max_depth: 1,
                ..TreeParams::default()
            },
        );
        assert_eq!(stump.nodes.len(), 3);
        assert_eq!(stump.nodes[0].threshold, 3.5);
        let full = grow(&columns, &y, &[1; 6], TreeParams::default());
        assert_eq!(full.nodes.iter().filter(|n| n.is_leaf()).count(), 6);
        let wide = grow(
            &columns,
            &y,
            &[1; 6],
            TreeParams {
                min_samples_leaf: 3,
                ..TreeParams::default()
            },
        );
        assert_eq!(wide.nodes.len(), 3);
    }

    #[test]
    fn importances_split_between_features() {
        // y = 4 * [x0 > 0.5] + [x1 > 0.5] on a full 2x2 design, twice.
        let columns = vec![
            vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0],
            vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        ];
        let y: Vec<f64> = (0..8)
            .map(|i| 4.0 * columns[0][i] + columns[1][i])
            .collect();
        let tree = grow(&columns, &y, &[1; 8], TreeParams::default());
        assert_eq!(tree.nodes[0].feature, 0);
        // Total variance 4.25 = 4 (x0) + 0.25 (x1).
        let imp = tree.feature_importances();
        assert!((imp[0] - 4.0 / 4.25).abs() < 1e-12, "{imp:?}");
        assert!((imp[1] - 0.25 / 4.25).abs() < 1e-12, "{imp:?}");
    }
}
