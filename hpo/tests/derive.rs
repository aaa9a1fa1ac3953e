//! `#[derive(SearchSpace)]` end to end: sampling, conditions, round trips, static description,
//! typed studies.

use std::collections::BTreeSet;
use std::sync::Arc;

use hpo::prelude::*;
use hpo::{Condition, Distribution, InMemoryStorage, ParamMap, ParamValue, SpaceTree, Storage};

/// `examples/derive_space.rs` as a module, so that its tests (the JSON it prints names each
/// choice as the study stores it) run with these.
#[allow(
    dead_code,
    reason = "the example's `main` is not called here; its tests are"
)]
#[path = "../../examples/derive_space.rs"]
mod derive_space_example;

/// The condition `param == value`.
fn equals(param: &str, value: impl Into<ParamValue>) -> Condition {
    Condition::Equals {
        param: param.into(),
        value: value.into(),
    }
}

/// The condition `param > than`.
fn greater(param: &str, than: i64) -> Condition {
    Condition::Greater {
        param: param.into(),
        than,
    }
}

#[derive(SearchSpace, Debug, Clone, PartialEq)]
struct Config {
    #[space(float(1e-5, 1e-1), log)]
    lr: f64,
    #[space(int(16, 256), step = 16)]
    batch_size: i64,
    #[space(float(0.0, 0.5), step = 0.1)]
    dropout: f64,
    #[space(int(32, 512), log)]
    width: u32,
    #[space(choice("relu", "tanh", "elu"))]
    activation: String,
    #[space(choice(1, 2, 4))]
    heads: i32,
    use_bias: bool,
    optimizer: Optimizer,
    #[space(len(1, 4), int(32, 256), log)]
    hidden: Vec<i64>,
    #[space(float(1e-6, 1e-2), log)]
    weight_decay: Option<f64>,
    #[space(flatten)]
    schedule: Schedule,
    #[space(rename = "init")]
    initializer: Init,
    #[space(skip)]
    seed: u64,
    #[space(fixed = 20)]
    epochs: u32,
}

#[derive(SearchSpace, Debug, Clone, PartialEq)]
enum Optimizer {
    Adam {
        #[space(float(0.8, 0.999))]
        beta1: f64,
    },
    Sgd {
        #[space(float(0.0, 0.99))]
        momentum: f64,
        nesterov: bool,
    },
    RmsProp,
}

#[derive(SearchSpace, Debug, Clone, PartialEq)]
struct Schedule {
    #[space(int(0, 5))]
    warmup: i64,
}

#[derive(SearchSpace, Debug, Clone, Copy, PartialEq)]
#[space(rename_all = "SCREAMING_SNAKE_CASE")]
enum Init {
    XavierUniform,
    KaimingNormal,
}

#[derive(SearchSpace, Debug, Clone, PartialEq)]
struct Layer {
    #[space(int(8, 64), log)]
    units: i64,
    activation: Activation,
}

#[derive(SearchSpace, Debug, Clone, PartialEq)]
enum Activation {
    Relu,
    Tanh,
}

#[derive(SearchSpace, Debug, Clone, PartialEq)]
struct Net {
    #[space(len(1, 3))]
    layers: Vec<Layer>,
    head: Option<Layer>,
    wrapped: Wrapper,
}

#[derive(SearchSpace, Debug, Clone, PartialEq)]
enum Wrapper {
    Plain,
    Boxed(Schedule),
}

fn sampled<T: SearchSpace>(n: usize, seed: u64) -> (Study, Vec<T>) {
    let study = hpo::create_study()
        .sampler(RandomSampler::with_seed(seed))
        .build()
        .unwrap();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut trial = study.ask().unwrap();
        out.push(trial.sample::<T>().unwrap());
        study.tell(trial, 0.0).unwrap();
    }
    (study, out)
}

#[test]
fn ten_thousand_configs_lie_in_their_ranges() {
    let (_, configs) = sampled::<Config>(10_000, 1);
    let mut variants = BTreeSet::new();
    let mut lengths = BTreeSet::new();
    for c in &configs {
        assert!(c.lr > 0.0 && (1e-5..=1e-1).contains(&c.lr), "lr {}", c.lr);
        assert!((16..=256).contains(&c.batch_size) && c.batch_size % 16 == 0);
        let k = (c.dropout / 0.1).round();
        assert!((c.dropout - k * 0.1).abs() < 1e-9 && (0.0..=0.5 + 1e-12).contains(&c.dropout));
        assert!((32..=512).contains(&c.width));
        assert!(["relu", "tanh", "elu"].contains(&c.activation.as_str()));
        assert!([1, 2, 4].contains(&c.heads));
        assert!((1..=4).contains(&c.hidden.len()));
        lengths.insert(c.hidden.len());
        assert!(c.hidden.iter().all(|h| (32..=256).contains(h)));
        if let Some(wd) = c.weight_decay {
            assert!(wd > 0.0 && (1e-6..=1e-2).contains(&wd));
        }
        assert!((0..=5).contains(&c.schedule.warmup));
        assert_eq!(c.seed, 0);
        assert_eq!(c.epochs, 20);
        match &c.optimizer {
            Optimizer::Adam { beta1 } => {
                assert!((0.8..=0.999).contains(beta1));
                variants.insert("adam");
            }
            Optimizer::Sgd { momentum, .. } => {
                assert!((0.0..=0.99).contains(momentum));
                variants.insert("sgd");
            }
            Optimizer::RmsProp => {
                variants.insert("rms_prop");
            }
        }
    }
    assert_eq!(variants.len(), 3);
    assert_eq!(lengths.len(), 4);
}

#[test]
fn variant_fields_exist_exactly_when_the_variant_was_chosen() {
    let (study, configs) = sampled::<Config>(300, 2);
    for (trial, config) in study.trials().unwrap().iter().zip(&configs) {
        let has = |name: &str| trial.params.contains_key(name);
        let chosen = trial
            .param("optimizer")
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(has("optimizer.adam.beta1"), chosen == "adam");
        assert_eq!(has("optimizer.sgd.momentum"), chosen == "sgd");
        assert_eq!(has("optimizer.sgd.nesterov"), chosen == "sgd");
        assert_eq!(
            chosen,
            match config.optimizer {
                Optimizer::Adam { .. } => "adam",
                Optimizer::Sgd { .. } => "sgd",
                Optimizer::RmsProp => "rms_prop",
            }
        );
        // Options and lists write exactly their active parts.
        assert_eq!(has("weight_decay"), config.weight_decay.is_some());
        assert_eq!(
            trial.param("weight_decay.enabled").unwrap().as_bool(),
            Some(config.weight_decay.is_some())
        );
        for i in 0..4 {
            assert_eq!(has(&format!("hidden.{i}")), i < config.hidden.len());
        }
    }
}

#[test]
fn params_round_trip_and_match_the_trial() {
    let (study, configs) = sampled::<Config>(500, 3);
    for (trial, config) in study.trials().unwrap().iter().zip(&configs) {
        let params = config.to_params();
        assert_eq!(Config::from_params(&params).unwrap(), *config);
        // What to_params writes is exactly what the trial stored.
        let stored: ParamMap = trial.params_map();
        let mut a: Vec<_> = params.keys().cloned().collect();
        let mut b: Vec<_> = stored.keys().cloned().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        for (k, v) in &params {
            assert_eq!(stored[k], *v, "{k}");
        }
    }
    let (_, nets) = sampled::<Net>(200, 4);
    for n in &nets {
        assert_eq!(Net::from_params(&n.to_params()).unwrap(), *n);
    }
}

#[test]
fn static_description_lists_exactly_what_sampling_writes() {
    let tree: SpaceTree = Config::space().unwrap();
    let (study, _) = sampled::<Config>(2000, 5);
    let mut written: BTreeSet<String> = BTreeSet::new();
    for trial in study.trials().unwrap() {
        let values = trial.params_map();
        for (name, p) in &trial.params {
            written.insert(name.clone());
            let described = tree
                .get(name)
                .unwrap_or_else(|| panic!("{name} is not described"));
            assert_eq!(described.distribution, p.distribution, "{name}");
            assert!(
                described.is_active(&values),
                "{name} written although inactive"
            );
        }
        // Every active described param was written.
        for sp in &tree.params {
            if sp.is_active(&values) {
                assert!(
                    values.contains_key(&sp.name),
                    "{} active but not written",
                    sp.name
                );
            }
        }
    }
    let described: BTreeSet<String> = tree.params.iter().map(|p| p.name.clone()).collect();
    assert_eq!(described, written);
    // Spot-check names, distributions and conditions.
    let momentum = tree.get("optimizer.sgd.momentum").unwrap();
    assert_eq!(
        momentum.distribution,
        Distribution::float(0.0, 0.99).unwrap()
    );
    assert_eq!(momentum.conditions, [equals("optimizer", "sgd")]);
    assert_eq!(
        tree.get("hidden.3").unwrap().conditions,
        [greater("hidden.len", 3)]
    );
    assert_eq!(
        tree.get("init").unwrap().distribution,
        Distribution::categorical(["XAVIER_UNIFORM", "KAIMING_NORMAL"]).unwrap()
    );
    assert!(
        tree.get("warmup").is_some(),
        "flatten puts fields at the parent's level"
    );
    assert!(tree.get("seed").is_none() && tree.get("epochs").is_none());
    let printed = tree.to_string();
    assert!(
        printed.contains("optimizer.sgd.momentum") && printed.contains("if optimizer == 'sgd'"),
        "{printed}"
    );
    // Groups: the unconditional params form one group.
    let groups = tree.groups();
    assert!(groups[0].0.is_empty());
    assert!(groups[0].1.contains_key("lr") && groups[0].1.contains_key("optimizer"));
}

#[test]
fn nested_lists_options_and_newtype_variants() {
    let tree = Net::space().unwrap();
    let names: Vec<&str> = tree.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "layers.len",
            "layers.0.units",
            "layers.0.activation",
            "layers.1.units",
            "layers.1.activation",
            "layers.2.units",
            "layers.2.activation",
            "head.enabled",
            "head.units",
            "head.activation",
            "wrapped",
            "wrapped.boxed.warmup",
        ]
    );
    assert_eq!(
        tree.get("layers.2.activation").unwrap().conditions,
        [greater("layers.len", 2)]
    );
    assert_eq!(
        tree.get("head.units").unwrap().conditions,
        [equals("head.enabled", true)]
    );
    // A top-level enum names its choice after the type.
    let t = Activation::space().unwrap();
    assert_eq!(t.params[0].name, "activation");
}

#[test]
fn typed_study_enqueue_and_best_config_survive_reload() {
    let storage: Arc<dyn Storage> = Arc::new(InMemoryStorage::new());
    let study = hpo::create_study()
        .name("typed")
        .direction(StudyDirection::Maximize)
        .sampler(RandomSampler::with_seed(6))
        .storage_arc(storage.clone())
        .build()
        .unwrap();
    let known = Config {
        lr: 1e-3,
        batch_size: 64,
        dropout: 0.2,
        width: 128,
        activation: "tanh".into(),
        heads: 2,
        use_bias: true,
        optimizer: Optimizer::Sgd {
            momentum: 0.9,
            nesterov: true,
        },
        hidden: vec![64, 32],
        weight_decay: None,
        schedule: Schedule { warmup: 3 },
        initializer: Init::KaimingNormal,
        seed: 0,
        epochs: 20,
    };
    study.enqueue(&known).unwrap();
    let score = |c: &Config| {
        let mut s = -(c.lr.log10() + 3.0).abs() - (c.dropout - 0.2).abs();
        if let Optimizer::Sgd { momentum, .. } = c.optimizer {
            s += momentum;
        }
        s
    };
    study
        .optimize_typed(40, |cfg: Config, _trial| Ok(score(&cfg)))
        .unwrap();
    assert_eq!(
        study.trials().unwrap()[0].params_map(),
        known.to_params(),
        "the enqueued config ran first"
    );
    assert!(study.declared_space().is_some());
    let best: Config = study.best_params_as().unwrap();
    assert_eq!(score(&best), study.best_value().unwrap());

    // Reload from the storage: the same typed best config comes back.
    let reloaded = Study::builder()
        .name("typed")
        .storage_arc(storage)
        .load()
        .unwrap();
    assert_eq!(reloaded.best_params_as::<Config>().unwrap(), best);
}

#[test]
fn reading_bad_params_names_the_parameter() {
    let mut params = Config::space()
        .map(|_| ())
        .ok()
        .map(|_| ParamMap::new())
        .unwrap();
    params.insert("lr".into(), "fast".into());
    let err = Config::from_params(&params).unwrap_err().to_string();
    assert!(err.contains("`lr`") && err.contains("'fast'"), "{err}");
    let err = Optimizer::from_params(&ParamMap::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`optimizer`") && err.contains("missing"),
        "{err}"
    );
    let mut p = ParamMap::new();
    p.insert("optimizer".into(), "lamb".into());
    let err = Optimizer::from_params(&p).unwrap_err().to_string();
    assert!(err.contains("'lamb'"), "{err}");
}
