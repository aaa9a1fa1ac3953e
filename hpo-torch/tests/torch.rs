//! hpo-torch on the CPU (and on a GPU when there is one; those checks skip, saying why,
//! elsewhere).

use hpo::prelude::*;
use hpo_torch::data::{make_classification, standardize, train_test_split};
use hpo_torch::{
    Activation, Checkpointer, DevicePool, MlpConfig, MlpRanges, OptimizerConfig, OptimizerKind,
    OptimizerRanges, TrialTensorExt, ensure_cuda, seed_trial, trial_seed,
};
use tch::nn::{ModuleT, VarStore};
use tch::{Device, Kind, Tensor};

/// libtorch's generator is process-wide: tests that draw from it run one at a time.
static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn train_once(trial: &mut hpo::Trial, device: Device, epochs: u64) -> Result<f64, TrialError> {
    let data = make_classification(400, 8, 5, 2, 7);
    let (mut tr, mut te) = train_test_split(&data, 0.25, 7);
    standardize(&mut tr, &mut te);
    let mlp = MlpRanges {
        layers: (1, 2),
        width: (8, 32),
        ..Default::default()
    }
    .sample(trial)?;
    let cfg = OptimizerRanges::seed_chapter().sample(trial)?;
    let vs = VarStore::new(device);
    let net = mlp.build(&vs.root(), 8, 2);
    let mut opt = cfg.build(&vs)?;
    let x = Tensor::from_slice(&tr.x)
        .view([tr.len() as i64, 8])
        .to_device(device);
    let y = Tensor::from_slice(&tr.y).to_device(device);
    let xt = Tensor::from_slice(&te.x)
        .view([te.len() as i64, 8])
        .to_device(device);
    let yt = Tensor::from_slice(&te.y).to_device(device);
    let mut loss_value = f64::NAN;
    for epoch in 0..epochs {
        let loss = net.forward_t(&x, true).cross_entropy_for_logits(&y);
        opt.backward_step(&loss);
        let val = tch::no_grad(|| net.forward_t(&xt, false).cross_entropy_for_logits(&yt));
        loss_value = trial.report_tensor(&val, epoch)?;
    }
    Ok(loss_value)
}

#[test]
fn a_study_trains_and_prunes_on_the_cpu() {
    let _rng = TORCH_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let study = hpo::create_study()
        .sampler(TpeSampler::with_seed(1))
        .pruner(MedianPruner::new().n_startup_trials(3).n_warmup_steps(2))
        .build()
        .unwrap();
    study
        .optimize(12, |t| train_once(t, Device::Cpu, 8))
        .unwrap();
    let trials = study.trials().unwrap();
    assert_eq!(trials.len(), 12);
    assert!(
        trials.iter().all(|t| t.state != TrialState::Fail),
        "no trial failed"
    );
    assert!(trials.iter().all(|t| !t.intermediate_values.is_empty()));
    assert!(study.best_value().unwrap().is_finite());
}

#[test]
fn spaces_build_working_tch_objects() {
    let _rng = TORCH_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let vs = VarStore::new(Device::Cpu);
    let mlp = MlpConfig {
        hidden: vec![16, 8],
        dropout: 0.1,
        activation: "elu".into(),
    };
    let net = mlp.build(&vs.root(), 4, 3);
    let out = net.forward_t(&Tensor::zeros([5, 4], (Kind::Float, Device::Cpu)), false);
    assert_eq!(out.size(), vec![5, 3]);
    assert_eq!(mlp.activation(), Activation::Elu);
    for optimizer in [
        OptimizerKind::Adam,
        OptimizerKind::AdamW { weight_decay: 1e-3 },
        OptimizerKind::Sgd {
            momentum: 0.9,
            nesterov: true,
        },
        OptimizerKind::RmsProp,
    ] {
        let cfg = OptimizerConfig {
            lr: 1e-3,
            optimizer,
        };
        assert!(cfg.build(&vs).is_ok(), "{cfg:?}");
    }
    // The derived spaces expose their static trees.
    let names: Vec<String> = <OptimizerConfig as hpo::SearchSpace>::space()
        .unwrap()
        .params
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        [
            "lr",
            "optimizer",
            "optimizer.adam_w.weight_decay",
            "optimizer.sgd.momentum",
            "optimizer.sgd.nesterov"
        ]
    );
    let names: Vec<String> = <MlpConfig as hpo::SearchSpace>::space()
        .unwrap()
        .params
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names[0], "hidden.len");
}

#[test]
fn custom_ranges_keep_the_derived_names() {
    let study = hpo::create_study()
        .sampler(RandomSampler::with_seed(2))
        .build()
        .unwrap();
    for _ in 0..30 {
        let mut t = study.ask().unwrap();
        let mlp = MlpRanges {
            layers: (2, 3),
            width: (64, 64),
            dropout: (0.2, 0.2),
            activations: vec![Activation::Gelu],
        }
        .sample(&mut t)
        .unwrap();
        assert!((2..=3).contains(&mlp.hidden.len()) && mlp.hidden.iter().all(|h| *h == 64));
        assert_eq!(mlp.activation(), Activation::Gelu);
        let o = OptimizerRanges {
            kinds: vec!["sgd"],
            momentum: (0.5, 0.6),
            ..Default::default()
        }
        .sample(&mut t)
        .unwrap();
        assert!(
            matches!(o.optimizer, OptimizerKind::Sgd { momentum, .. } if (0.5..=0.6).contains(&momentum))
        );
        // What the trial stored reads back as the same typed values.
        let back: MlpConfig = hpo::SearchSpace::from_params(&t.params()).unwrap();
        assert_eq!(back, mlp);
        study.tell(t, 0.0).unwrap();
    }
}

#[test]
fn device_pool_limits_concurrency() {
    let pool = DevicePool::with_devices(vec![Device::Cpu], 2);
    assert_eq!(pool.n_jobs(), 2);
    let busy = std::sync::atomic::AtomicUsize::new(0);
    let max_seen = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                for _ in 0..5 {
                    let _lease = pool.lease();
                    let now = busy.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    max_seen.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    busy.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    assert!(max_seen.into_inner() <= 2);
}

#[test]
fn the_cuda_fix_is_in_effect() {
    let status = ensure_cuda();
    // Where libtorch is a CUDA build (the PyPI torch wheel is), libtorch_cuda.so must be loaded
    // in this process after ensure_cuda, with or without a GPU.
    let torch_lib = std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .find_map(|l| {
            l.split_whitespace()
                .last()
                .filter(|p| p.ends_with("libtorch_cpu.so"))
                .map(str::to_owned)
        });
    let cuda_build = torch_lib
        .as_deref()
        .and_then(|p| p.rsplit_once('/'))
        .is_some_and(|(dir, _)| std::path::Path::new(&format!("{dir}/libtorch_cuda.so")).exists());
    if cuda_build {
        assert!(
            status.library_loaded,
            "libtorch_cuda.so exists but was not loaded: {status:?}"
        );
    } else {
        eprintln!("libtorch is a CPU-only build: nothing to load ({status:?})");
    }
}

#[test]
fn gpu_training_when_a_gpu_is_present() {
    let _rng = TORCH_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let status = ensure_cuda();
    if !status.available {
        eprintln!("skipping the GPU check: no CUDA device here ({status:?})");
        return;
    }
    let study = hpo::create_study()
        .sampler(TpeSampler::with_seed(3))
        .build()
        .unwrap();
    study
        .optimize(3, |t| train_once(t, Device::Cuda(0), 5))
        .unwrap();
    assert_eq!(
        study.trials_in(&[TrialState::Complete]).unwrap().len()
            + study.trials_in(&[TrialState::Pruned]).unwrap().len(),
        3
    );
}

#[test]
fn checkpoints_and_seeds() {
    let _rng = TORCH_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("hpo-torch-ckpt-{}", std::process::id()));
    let ckpt = Checkpointer::new(&dir, StudyDirection::Minimize).unwrap();
    let study = hpo::create_study().build().unwrap();
    let weights = |t: &hpo::Trial| {
        seed_trial(t, 11);
        let vs = VarStore::new(Device::Cpu);
        let _net = tch::nn::linear(vs.root(), 3, 2, Default::default());
        let w: Vec<f32> = Vec::try_from(vs.root().get("weight").unwrap().flatten(0, -1)).unwrap();
        (vs, w)
    };
    let mut t0 = study.ask().unwrap();
    let (vs0, w0) = weights(&t0);
    let (_, w0_again) = weights(&t0);
    assert_eq!(
        w0, w0_again,
        "same study seed and trial number: same initial weights"
    );
    assert!(ckpt.save_if_best(&mut t0, &vs0, 1.0).unwrap().is_some());
    study.tell(t0, 1.0).unwrap();
    let mut t1 = study.ask().unwrap();
    let (vs1, w1) = weights(&t1);
    assert_ne!(w0, w1);
    assert!(
        ckpt.save_if_best(&mut t1, &vs1, 2.0).unwrap().is_none(),
        "worse: not saved"
    );
    study.tell(t1, 2.0).unwrap();
    let best = study.best_trial().unwrap();
    let path = best.user_attrs["checkpoint"].as_str().unwrap().to_owned();
    assert!(std::path::Path::new(&path).exists());
    assert_ne!(trial_seed(11, 0), trial_seed(11, 1));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn synthetic_data_looks_like_make_classification() {
    let d = make_classification(5000, 20, 15, 5, 42);
    assert_eq!(d.len(), 5000);
    assert_eq!(d.x.len(), 5000 * 20);
    let ones = d.y.iter().filter(|y| **y == 1).count();
    assert!((2300..2700).contains(&ones), "{ones}");
    let (mut tr, mut te) = train_test_split(&d, 0.2, 42);
    assert_eq!((tr.len(), te.len()), (4000, 1000));
    standardize(&mut tr, &mut te);
    let mean: f64 = (0..tr.len()).map(|r| tr.x[r * 20] as f64).sum::<f64>() / tr.len() as f64;
    assert!(mean.abs() < 1e-5);
}
