//! `ask --sampler NAME --sampler-kwargs JSON`: Optuna's sampler class names mapped to hpo's
//! samplers, with the constructor keyword arguments given as a JSON object.
//!
//! Every keyword is checked: an unknown one is an error that names it and lists the accepted
//! ones, and a value of the wrong type or out of range is an error naming the keyword (the
//! samplers' builders would otherwise panic on some of them).

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use hpo_core::{ParamValue, Sampler};
use hpo_samplers::{
    BruteForceSampler, CmaEsSampler, Crossover, GpSampler, GridSampler, NsgaIIISampler,
    NsgaIISampler, QmcKind, QmcSampler, RandomSampler, RestartStrategy, TpeSampler,
};
use serde_json::{Map, Value};

/// The samplers `--sampler` accepts, by Optuna class name.
pub const SAMPLERS: [&str; 9] = [
    "TPESampler",
    "RandomSampler",
    "GPSampler",
    "CmaEsSampler",
    "NSGAIISampler",
    "NSGAIIISampler",
    "QMCSampler",
    "GridSampler",
    "BruteForceSampler",
];

/// The canonical class name for `name`: Optuna's class names, case-insensitively, and short
/// forms (`tpe`, `random`, `gp`, `cmaes`, `nsga2`, `nsga3`, `qmc`, `grid`, `brute-force`).
pub fn canonical_name(name: &str) -> Option<&'static str> {
    let key: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let key = key.strip_suffix("sampler").unwrap_or(&key);
    Some(match key {
        "tpe" => "TPESampler",
        "random" => "RandomSampler",
        "gp" => "GPSampler",
        "cmaes" => "CmaEsSampler",
        "nsgaii" | "nsga2" => "NSGAIISampler",
        "nsgaiii" | "nsga3" => "NSGAIIISampler",
        "qmc" => "QMCSampler",
        "grid" => "GridSampler",
        "bruteforce" => "BruteForceSampler",
        _ => return None,
    })
}

/// Keyword arguments being consumed; what is left at the end is unknown.
struct Kwargs {
    class: &'static str,
    map: Map<String, Value>,
    known: BTreeSet<&'static str>,
}

impl Kwargs {
    fn take(&mut self, key: &'static str) -> Option<Value> {
        self.known.insert(key);
        self.map.remove(key).filter(|v| !v.is_null())
    }

    fn bad(&self, key: &str, expected: &str, got: &Value) -> anyhow::Error {
        anyhow!("{}: `{key}` must be {expected}, got {got}", self.class)
    }

    /// The value of `key` as `read` reads it, if given; a value `read` refuses is an error
    /// saying it should have been `expected`.
    fn typed<T>(
        &mut self,
        key: &'static str,
        expected: &str,
        read: impl FnOnce(&Value) -> Option<T>,
    ) -> anyhow::Result<Option<T>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => read(&v)
                .map(Some)
                .ok_or_else(|| self.bad(key, expected, &v)),
        }
    }

    fn u64(&mut self, key: &'static str) -> anyhow::Result<Option<u64>> {
        self.typed(key, "a non-negative integer", Value::as_u64)
    }

    fn usize(&mut self, key: &'static str) -> anyhow::Result<Option<usize>> {
        Ok(self.u64(key)?.map(|n| n as usize))
    }

    fn f64(&mut self, key: &'static str) -> anyhow::Result<Option<f64>> {
        self.typed(key, "a number", |v| v.as_f64().filter(|x| x.is_finite()))
    }

    fn bool(&mut self, key: &'static str) -> anyhow::Result<Option<bool>> {
        self.typed(key, "true or false", Value::as_bool)
    }

    fn string(&mut self, key: &'static str) -> anyhow::Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.bad(key, "a string", &v)),
        }
    }

    /// Fails on any keyword nobody asked for.
    fn finish(self) -> anyhow::Result<()> {
        if self.map.is_empty() {
            return Ok(());
        }
        let unknown: Vec<String> = self.map.keys().map(|k| format!("`{k}`")).collect();
        let known: Vec<&str> = self.known.into_iter().collect();
        bail!(
            "{}: unknown keyword argument{} {} in --sampler-kwargs (accepted: {})",
            self.class,
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            known.join(", ")
        )
    }
}

/// Offsets a user seed by the number of trials already in the study, so that each `hpo ask`
/// process (each a fresh sampler) draws new values while a sequential loop stays
/// reproducible. The first trial uses the seed unchanged.
pub fn seed_for_trial(seed: u64, n_trials: usize) -> u64 {
    seed.wrapping_add((n_trials as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Builds the sampler `name` with `kwargs` (a JSON object) for a study with `n_objectives`
/// objectives and `n_trials` trials so far.
pub fn build(
    name: &str,
    kwargs: Option<&str>,
    n_objectives: usize,
    n_trials: usize,
) -> anyhow::Result<Arc<dyn Sampler>> {
    let class = canonical_name(name).ok_or_else(|| {
        anyhow!(
            "unknown sampler `{name}`; use one of {}",
            SAMPLERS.join(", ")
        )
    })?;
    let map = match kwargs {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(other) => bail!(
                "--sampler-kwargs must be a JSON object such as '{{\"seed\": 1}}', got {other}"
            ),
            Err(e) => bail!(
                "--sampler-kwargs is not valid JSON ({e}); write an object such as \
                 '{{\"seed\": 1}}'"
            ),
        },
    };
    let mut kw = Kwargs {
        class,
        map,
        known: BTreeSet::new(),
    };
    let seed = kw.u64("seed")?;
    let mixed = seed.map(|s| seed_for_trial(s, n_trials));
    let sampler: Arc<dyn Sampler> = match class {
        "RandomSampler" => Arc::new(match mixed {
            Some(s) => RandomSampler::with_seed(s),
            None => RandomSampler::new(),
        }),
        "TPESampler" => {
            let mut s = TpeSampler::new();
            s = apply(s, mixed, |s, v| s.seed(v));
            s = apply(s, kw.usize("n_startup_trials")?, |s, v| {
                s.n_startup_trials(v)
            });
            s = apply(s, kw.usize("n_ei_candidates")?, |s, v| s.n_ei_candidates(v));
            s = apply(s, kw.f64("prior_weight")?, |s, v| s.prior_weight(v));
            s = apply(s, kw.bool("consider_magic_clip")?, |s, v| {
                s.consider_magic_clip(v)
            });
            s = apply(s, kw.bool("consider_endpoints")?, |s, v| {
                s.consider_endpoints(v)
            });
            s = apply(s, kw.bool("multivariate")?, |s, v| s.multivariate(v));
            s = apply(s, kw.bool("group")?, |s, v| s.group(v));
            s = apply(s, kw.bool("constant_liar")?, |s, v| s.constant_liar(v));
            Arc::new(s)
        }
        "GPSampler" => {
            let mut s = GpSampler::new();
            s = apply(s, mixed, |s, v| s.seed(v));
            s = apply(s, kw.usize("n_startup_trials")?, |s, v| {
                s.n_startup_trials(v)
            });
            s = apply(s, kw.bool("deterministic_objective")?, |s, v| {
                s.deterministic_objective(v)
            });
            s = apply(s, kw.bool("warn_independent_sampling")?, |s, v| {
                s.warn_independent_sampling(v)
            });
            Arc::new(s)
        }
        "CmaEsSampler" => Arc::new(cmaes(&mut kw, mixed)?),
        "NSGAIISampler" => Arc::new(with_genetic!(
            NsgaIISampler::new(),
            mixed,
            genetic(&mut kw)?
        )),
        "NSGAIIISampler" => {
            let mut s = with_genetic!(NsgaIIISampler::new(), mixed, genetic(&mut kw)?);
            if let Some(p) = kw.usize("dividing_parameter")? {
                if p == 0 {
                    bail!("NSGAIIISampler: `dividing_parameter` must be at least 1");
                }
                s = s.dividing_parameter(p);
            }
            if let Some(v) = kw.take("reference_points") {
                s = s.reference_points(reference_points(&v, n_objectives)?);
            }
            Arc::new(s)
        }
        "QMCSampler" => {
            let kind = match kw.string("qmc_type")?.as_deref() {
                None | Some("sobol") => QmcKind::Sobol,
                Some("halton") => QmcKind::Halton,
                Some(other) => {
                    bail!("QMCSampler: `qmc_type` must be \"sobol\" or \"halton\", got {other:?}")
                }
            };
            let scramble = kw.bool("scramble")?.unwrap_or(false);
            // The sequence position lives in the storage; the seed only picks the scrambling,
            // so it is used unchanged.
            Arc::new(QmcSampler::new(kind, seed.unwrap_or(0)).scramble(scramble))
        }
        "GridSampler" => {
            let space = kw.take("search_space").ok_or_else(|| {
                anyhow!(
                    "GridSampler needs `search_space` in --sampler-kwargs, e.g. \
                     '{{\"search_space\": {{\"x\": [0, 1, 2], \"opt\": [\"adam\", \"sgd\"]}}}}'"
                )
            })?;
            let Value::Object(space) = space else {
                bail!("GridSampler: `search_space` must be an object of value lists, got {space}");
            };
            let mut grid: Vec<(String, Vec<ParamValue>)> = Vec::new();
            for (name, values) in &space {
                let Value::Array(values) = values else {
                    bail!("GridSampler: the values of `{name}` must be a list, got {values}");
                };
                let values = values
                    .iter()
                    .map(|v| {
                        ParamValue::from_json(v).ok_or_else(|| {
                            anyhow!(
                                "GridSampler: value {v} of `{name}` is not a number, string, \
                                 bool or null"
                            )
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                grid.push((name.clone(), values));
            }
            let mut s = GridSampler::new(grid).context("GridSampler")?;
            s = apply(s, mixed, |s, v| s.seed(v));
            Arc::new(s)
        }
        "BruteForceSampler" => {
            let mut s = match mixed {
                Some(seed) => BruteForceSampler::with_seed(seed),
                None => BruteForceSampler::new(),
            };
            s = apply(s, kw.bool("avoid_premature_stop")?, |s, v| {
                s.avoid_premature_stop(v)
            });
            Arc::new(s)
        }
        _ => unreachable!("canonical_name only returns listed samplers"),
    };
    kw.finish()?;
    // The sampler's own check, as a study would run it when it is built: each setting with its
    // value in the error.
    sampler.validate()?;
    Ok(sampler)
}

/// `s` with `set` applied to `value` when there is one: a builder option given only sometimes.
fn apply<S, T>(s: S, value: Option<T>, set: impl FnOnce(S, T) -> S) -> S {
    match value {
        Some(v) => set(s, v),
        None => s,
    }
}

fn cmaes(kw: &mut Kwargs, seed: Option<u64>) -> anyhow::Result<CmaEsSampler> {
    let mut s = CmaEsSampler::new();
    s = apply(s, seed, |s, v| s.seed(v));
    if let Some(v) = kw.take("x0") {
        let Value::Object(x0) = &v else {
            bail!("CmaEsSampler: `x0` must be an object of parameter values, got {v}");
        };
        let mut values = Vec::new();
        for (k, x) in x0 {
            let p = ParamValue::from_json(x)
                .ok_or_else(|| anyhow!("CmaEsSampler: `x0.{k}` must be a value, got {x}"))?;
            values.push((k.clone(), p));
        }
        s = s.x0(values);
    }
    s = apply(s, kw.f64("sigma0")?, |s, v| s.sigma0(v));
    s = apply(s, kw.usize("n_startup_trials")?, |s, v| {
        s.n_startup_trials(v)
    });
    s = apply(s, kw.bool("warn_independent_sampling")?, |s, v| {
        s.warn_independent_sampling(v)
    });
    s = apply(s, kw.bool("consider_pruned_trials")?, |s, v| {
        s.consider_pruned_trials(v)
    });
    match kw.string("restart_strategy")?.as_deref() {
        None => {}
        Some("ipop") => s = s.restart_strategy(RestartStrategy::Ipop),
        Some("bipop") => s = s.restart_strategy(RestartStrategy::Bipop),
        Some(other) => {
            bail!("CmaEsSampler: `restart_strategy` must be \"ipop\" or \"bipop\", got {other:?}")
        }
    }
    s = apply(s, kw.usize("inc_popsize")?, |s, v| s.inc_popsize(v));
    s = apply(s, kw.usize("popsize")?, |s, v| s.popsize(v));
    s = apply(s, kw.bool("use_separable_cma")?, |s, v| {
        s.use_separable_cma(v)
    });
    s = apply(s, kw.bool("with_margin")?, |s, v| s.with_margin(v));
    s = apply(s, kw.bool("lr_adapt")?, |s, v| s.lr_adapt(v));
    Ok(s)
}

/// `$sampler` (an NSGA-II or NSGA-III builder: two types with the same builder methods and no
/// shared trait) with the seed and the shared [`Genetic`] options applied.
macro_rules! with_genetic {
    ($sampler:expr, $seed:expr, $genetic:expr) => {{
        let g: Genetic = $genetic;
        let mut s = $sampler.crossover(g.crossover);
        s = apply(s, g.population_size, |s, v| s.population_size(v));
        s = apply(s, $seed, |s, v| s.seed(v));
        s = apply(s, g.crossover_prob, |s, v| s.crossover_prob(v));
        s = apply(s, g.swapping_prob, |s, v| s.swapping_prob(v));
        s = apply(s, g.mutation_prob, |s, v| s.mutation_prob(v));
        s
    }};
}
use with_genetic;

/// The options both genetic samplers share (checked with the rest by the sampler's `validate`).
struct Genetic {
    population_size: Option<usize>,
    crossover: Crossover,
    crossover_prob: Option<f64>,
    swapping_prob: Option<f64>,
    mutation_prob: Option<f64>,
}

fn genetic(kw: &mut Kwargs) -> anyhow::Result<Genetic> {
    let crossover = match kw.string("crossover")?.as_deref() {
        None => Crossover::uniform(),
        Some(name) => match name
            .to_ascii_lowercase()
            .trim_end_matches("crossover")
            .replace(['-', '_'], "")
            .as_str()
        {
            "uniform" => Crossover::uniform(),
            "blxalpha" => Crossover::blx_alpha(),
            "sbx" => Crossover::sbx(),
            "vsbx" => Crossover::vsbx(),
            "undx" => Crossover::undx(),
            "spx" => Crossover::spx(),
            _ => bail!(
                "{}: unknown `crossover` {name:?} (use uniform, blxalpha, sbx, vsbx, undx or spx)",
                kw.class
            ),
        },
    };
    Ok(Genetic {
        population_size: kw.usize("population_size")?,
        crossover,
        crossover_prob: kw.f64("crossover_prob")?,
        swapping_prob: kw.f64("swapping_prob")?,
        mutation_prob: kw.f64("mutation_prob")?,
    })
}

fn reference_points(v: &Value, n_objectives: usize) -> anyhow::Result<Vec<Vec<f64>>> {
    let bad = || {
        anyhow!(
            "NSGAIIISampler: `reference_points` must be a list of points with {n_objectives} \
             numbers each (one per objective), got {v}"
        )
    };
    let rows = v.as_array().ok_or_else(bad)?;
    if rows.is_empty() {
        return Err(bad());
    }
    rows.iter()
        .map(|row| {
            let row = row.as_array().ok_or_else(bad)?;
            if row.len() != n_objectives {
                return Err(bad());
            }
            row.iter()
                .map(|x| x.as_f64().filter(|x| x.is_finite()).ok_or_else(bad))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(canonical_name("TPESampler"), Some("TPESampler"));
        assert_eq!(canonical_name("tpe"), Some("TPESampler"));
        assert_eq!(canonical_name("nsga-ii"), Some("NSGAIISampler"));
        assert_eq!(canonical_name("NSGAIIISampler"), Some("NSGAIIISampler"));
        assert_eq!(canonical_name("brute-force"), Some("BruteForceSampler"));
        assert_eq!(canonical_name("nope"), None);
    }

    #[test]
    fn kwargs_are_checked() {
        assert!(build("RandomSampler", Some(r#"{"seed": 1}"#), 1, 0).is_ok());
        let err = build("RandomSampler", Some(r#"{"seed": 1, "sead": 2}"#), 1, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`sead`") && err.contains("seed"), "{err}");
        let err = build("TPESampler", Some(r#"{"seed": -1}"#), 1, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`seed`"), "{err}");
        let err = build("TPESampler", Some("{seed: 1}"), 1, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid JSON"), "{err}");
        let err = build("NSGAIISampler", Some(r#"{"population_size": 1}"#), 2, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("population_size"), "{err}");
        let err = build("NSGAIISampler", Some(r#"{"crossover_prob": 2}"#), 2, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("[0, 1]"), "{err}");
        assert!(
            build(
                "NSGAIIISampler",
                Some(r#"{"reference_points": [[1, 0], [0, 1]], "crossover": "sbx"}"#),
                2,
                0
            )
            .is_ok()
        );
        assert!(
            build(
                "NSGAIIISampler",
                Some(r#"{"reference_points": [[1]]}"#),
                2,
                0
            )
            .is_err()
        );
        assert!(build("GridSampler", None, 1, 0).is_err());
        assert!(
            build(
                "GridSampler",
                Some(r#"{"search_space": {"x": [1, 2]}, "seed": 3}"#),
                1,
                0
            )
            .is_ok()
        );
        let err = build("Nope", None, 1, 0).unwrap_err().to_string();
        assert!(err.contains("TPESampler"), "{err}");
    }

    #[test]
    fn seeds_move_with_the_trial_count() {
        assert_eq!(seed_for_trial(7, 0), 7);
        assert_ne!(seed_for_trial(7, 1), seed_for_trial(7, 2));
    }
}
