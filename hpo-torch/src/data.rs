//! A seeded synthetic classification data set, generated the way scikit-learn's
//! `make_classification` does, plus standardisation and a train/test split.

use hpo::rng::Rng;

/// A dense data set: `x` is row-major `n x d`, `y` holds class labels.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Features, row-major.
    pub x: Vec<f32>,
    /// Labels.
    pub y: Vec<i64>,
    /// Number of features.
    pub n_features: usize,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// scikit-learn's `make_classification(n_samples, n_features, n_informative, n_redundant,
/// n_classes=2, n_clusters_per_class=2, class_sep=1.0, flip_y=0.01, hypercube=True,
/// shuffle=True)` algorithm: Gaussian clusters at the vertices of a hypercube in the
/// informative subspace (one random linear mixing per cluster), redundant features as random
/// linear combinations of the informative ones, the remaining features pure noise, 1% of the
/// labels flipped, rows shuffled. (Seeded with hpo's RNG, so the numbers differ from NumPy's.)
pub fn make_classification(
    n_samples: usize,
    n_features: usize,
    n_informative: usize,
    n_redundant: usize,
    seed: u64,
) -> Dataset {
    let n_classes = 2;
    let clusters_per_class = 2;
    let n_clusters = n_classes * clusters_per_class;
    let class_sep = 1.0;
    let mut rng = Rng::seed_from_u64(seed);
    let unif = |rng: &mut Rng| 2.0 * rng.next_f64() - 1.0;
    // Distinct random hypercube vertices as centroids, scaled to +-class_sep.
    let mut centroids: Vec<Vec<f64>> = Vec::new();
    while centroids.len() < n_clusters {
        let v: Vec<f64> = (0..n_informative)
            .map(|_| {
                if rng.below(2) == 1 {
                    class_sep
                } else {
                    -class_sep
                }
            })
            .collect();
        if !centroids.contains(&v) {
            centroids.push(v);
        }
    }
    let per_cluster = n_samples / n_clusters;
    let mut x = vec![0.0f64; n_samples * n_features];
    let mut y = vec![0i64; n_samples];
    let mut row = 0;
    for (k, c) in centroids.iter().enumerate() {
        let count = if k < n_samples % n_clusters {
            per_cluster + 1
        } else {
            per_cluster
        };
        let mixing: Vec<f64> = (0..n_informative * n_informative)
            .map(|_| unif(&mut rng))
            .collect();
        for _ in 0..count {
            let z: Vec<f64> = (0..n_informative).map(|_| rng.normal()).collect();
            for j in 0..n_informative {
                let mut v = 0.0;
                for i in 0..n_informative {
                    v += z[i] * mixing[i * n_informative + j];
                }
                x[row * n_features + j] = v + c[j];
            }
            y[row] = (k % n_classes) as i64;
            row += 1;
        }
    }
    // Redundant features: random linear combinations of the informative ones.
    let b: Vec<f64> = (0..n_informative * n_redundant)
        .map(|_| unif(&mut rng))
        .collect();
    for r in 0..n_samples {
        for j in 0..n_redundant {
            let mut v = 0.0;
            for i in 0..n_informative {
                v += x[r * n_features + i] * b[i * n_redundant + j];
            }
            x[r * n_features + n_informative + j] = v;
        }
        for j in (n_informative + n_redundant)..n_features {
            x[r * n_features + j] = rng.normal();
        }
    }
    // Flip 1% of the labels.
    for label in y.iter_mut() {
        if rng.next_f64() < 0.01 {
            *label = rng.below(n_classes as u64) as i64;
        }
    }
    // Shuffle rows.
    let mut order: Vec<usize> = (0..n_samples).collect();
    for i in (1..n_samples).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let xs: Vec<f32> = order
        .iter()
        .flat_map(|&r| {
            x[r * n_features..(r + 1) * n_features]
                .iter()
                .map(|v| *v as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    let ys = order.iter().map(|&r| y[r]).collect();
    Dataset {
        x: xs,
        y: ys,
        n_features,
    }
}

/// Splits off the last `test_fraction` of the rows (after a seeded shuffle) as a test set.
pub fn train_test_split(data: &Dataset, test_fraction: f64, seed: u64) -> (Dataset, Dataset) {
    let n = data.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::seed_from_u64(seed);
    for i in (1..n).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let n_test = (n as f64 * test_fraction).ceil() as usize;
    let d = data.n_features;
    let take = |rows: &[usize]| Dataset {
        x: rows
            .iter()
            .flat_map(|&r| data.x[r * d..(r + 1) * d].to_vec())
            .collect(),
        y: rows.iter().map(|&r| data.y[r]).collect(),
        n_features: d,
    };
    (take(&order[n_test..]), take(&order[..n_test]))
}

/// Standardises both sets with the training set's per-feature mean and standard deviation
/// (scikit-learn's `StandardScaler`).
pub fn standardize(train: &mut Dataset, test: &mut Dataset) {
    let d = train.n_features;
    let n = train.len().max(1) as f64;
    for j in 0..d {
        let mean = (0..train.len())
            .map(|r| train.x[r * d + j] as f64)
            .sum::<f64>()
            / n;
        let var = (0..train.len())
            .map(|r| (train.x[r * d + j] as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        for set in [&mut *train, &mut *test] {
            for r in 0..set.len() {
                let v = &mut set.x[r * d + j];
                *v = ((*v as f64 - mean) / sd) as f32;
            }
        }
    }
}
