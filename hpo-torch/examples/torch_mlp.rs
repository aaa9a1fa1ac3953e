//! An MLP tuning job with tch-rs: tune an MLP classifier on a seeded
//! 5000 x 20 synthetic data set (15 informative, 5 redundant features; standardised; 80/20
//! split). The MLP space (1-4 layers of 32..256 units, dropout 0..0.5, relu/tanh/elu), Adam / SGD
//! with momentum / RMSprop with lr 1e-5..1e-1, batch size 16..256 step 16; 20 epochs; TPE seed
//! 42; MedianPruner(10 startup trials, 5 warmup steps); 50 trials, 600 s timeout. CPU here, GPU
//! where there is one.
//!
//! ```text
//! cargo run --release -p hpo-torch --example torch_mlp -- [--trials 50] [--epochs 20]
//!     [--device auto|cpu] [--per-device K] [--threads N] [--json] [--dashboard PORT]
//! ```
//!
//! `--dashboard PORT` serves the live dashboard of this in-memory study from the training
//! process itself (open `http://127.0.0.1:PORT` while it trains; 0 picks a free port).

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use hpo::prelude::*;
use hpo_torch::data::{make_classification, standardize, train_test_split};
use hpo_torch::{DevicePool, MlpRanges, OptimizerRanges, ensure_cuda, seed_trial};
use parking_lot::Mutex;
use tch::nn::ModuleT;
use tch::{Device, Kind, Tensor, nn};

struct Args {
    trials: usize,
    epochs: u64,
    device: String,
    per_device: usize,
    threads: Option<i32>,
    json: bool,
    timeout_s: u64,
    dashboard: Option<u16>,
}

fn parse_args() -> Args {
    let mut a = Args {
        trials: 50,
        epochs: 20,
        device: "auto".into(),
        per_device: 1,
        threads: None,
        json: false,
        timeout_s: 600,
        dashboard: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--trials" => a.trials = val().parse().expect("--trials N"),
            "--epochs" => a.epochs = val().parse().expect("--epochs N"),
            "--device" => a.device = val(),
            "--per-device" => a.per_device = val().parse().expect("--per-device K"),
            "--threads" => a.threads = Some(val().parse().expect("--threads N")),
            "--timeout" => a.timeout_s = val().parse().expect("--timeout S"),
            "--json" => a.json = true,
            "--dashboard" => a.dashboard = Some(val().parse().expect("--dashboard PORT")),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// This process's GPU memory in MiB according to nvidia-smi (the whole GPU's used memory where
/// per-process figures are not visible, as in some containers; None without nvidia-smi).
fn gpu_memory_mib() -> Option<u64> {
    process_gpu_memory_mib().or_else(|| {
        let out = Command::new("nvidia-smi")
            .args([
                "--query-gpu=memory.used",
                "--format=csv,noheader,nounits",
                "--id=0",
            ])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    })
}

fn process_gpu_memory_mib() -> Option<u64> {
    let out = Command::new("nvidia-smi")
        .args([
            "--query-compute-apps=pid,used_memory",
            "--format=csv,noheader,nounits",
        ])
        .output()
        .ok()?;
    let me = std::process::id().to_string();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut parts = l.split(',').map(str::trim);
            (parts.next()? == me).then(|| parts.next()?.parse::<u64>().ok())?
        })
        .reduce(|a, b| a + b)
}

fn gpu_name() -> Option<String> {
    let out = Command::new("nvidia-smi")
        .args(["--query-gpu=name", "--format=csv,noheader"])
        .output()
        .ok()?;
    let s = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .trim()
        .to_owned();
    (!s.is_empty()).then_some(s)
}

fn main() -> hpo::Result<()> {
    let args = parse_args();
    if let Some(t) = args.threads {
        tch::set_num_threads(t);
    }
    let status = ensure_cuda();
    let pool = if args.device == "cpu" {
        DevicePool::with_devices(vec![Device::Cpu], args.per_device)
    } else {
        DevicePool::new(args.per_device)
    };
    let device_desc = match pool.devices()[0] {
        Device::Cuda(_) => format!(
            "cuda:0 ({})",
            gpu_name().unwrap_or_else(|| "unknown GPU".into())
        ),
        _ => "cpu".to_owned(),
    };
    println!(
        "Device: {device_desc}; CUDA available: {}, libtorch_cuda loaded: {}, {} concurrent trial(s)",
        status.available,
        status.library_loaded,
        pool.n_jobs()
    );

    let data = make_classification(5000, 20, 15, 5, 42);
    let (mut train, mut test) = train_test_split(&data, 0.2, 42);
    standardize(&mut train, &mut test);
    let (n_train, n_test, d) = (
        train.len() as i64,
        test.len() as i64,
        train.n_features as i64,
    );

    let study = hpo::create_study()
        .direction(StudyDirection::Maximize)
        .sampler(TpeSampler::with_seed(42))
        .pruner(MedianPruner::new().n_startup_trials(10).n_warmup_steps(5))
        .build()?;
    // Kept alive until the end of main: the server stops when the handle is dropped.
    let _dashboard = match args.dashboard {
        Some(port) => {
            let d = hpo::dashboard::Dashboard::for_study(&study)
                .port(port)
                .spawn()?;
            eprintln!("dashboard: {}", d.study_url());
            Some(d)
        }
        None => None,
    };
    let finished = AtomicUsize::new(0);
    let memory_after_first = Mutex::new(None);
    let started = Instant::now();
    let options = OptimizeOptions::new()
        .n_trials(args.trials)
        .timeout(std::time::Duration::from_secs(args.timeout_s))
        .n_jobs(pool.n_jobs())
        .callback(|_: &Study, _: &FrozenTrial| {
            if finished.fetch_add(1, Ordering::SeqCst) == 0 {
                *memory_after_first.lock() = gpu_memory_mib();
            }
        });
    study.optimize_parallel(options, |trial| {
        let device = pool.lease();
        let device = *device;
        seed_trial(trial, 42);
        let mlp = MlpRanges::default().sample(trial)?;
        let optimizer = OptimizerRanges::seed_chapter().sample(trial)?;
        let batch = trial.suggest_int_step("batch_size", 16, 256, 16)?;

        let vs = nn::VarStore::new(device);
        let net = mlp.build(&vs.root(), d, 2);
        let mut opt = optimizer.build(&vs)?;
        let x_train = Tensor::from_slice(&train.x)
            .view([n_train, d])
            .to_device(device);
        let y_train = Tensor::from_slice(&train.y).to_device(device);
        let x_test = Tensor::from_slice(&test.x)
            .view([n_test, d])
            .to_device(device);
        let y_test = Tensor::from_slice(&test.y).to_device(device);
        let mut accuracy = 0.0;
        for epoch in 0..args.epochs {
            let perm = Tensor::randperm(n_train, (Kind::Int64, device));
            let mut start = 0;
            while start < n_train {
                let len = batch.min(n_train - start);
                let idx = perm.narrow(0, start, len);
                let loss = net
                    .forward_t(&x_train.index_select(0, &idx), true)
                    .cross_entropy_for_logits(&y_train.index_select(0, &idx));
                opt.backward_step(&loss);
                start += len;
            }
            accuracy = tch::no_grad(|| {
                f64::try_from(net.forward_t(&x_test, false).accuracy_for_logits(&y_test))
            })?;
            trial.report_and_check(accuracy, epoch)?;
        }
        // The model, optimizer and tensors are dropped here, returning their memory to the
        // allocator before the next trial.
        Ok(accuracy)
    })?;
    let wall = started.elapsed().as_secs_f64();
    let memory_last = gpu_memory_mib();

    let complete = study.trials_in(&[TrialState::Complete])?.len();
    let pruned = study.trials_in(&[TrialState::Pruned])?.len();
    let best = study.best_trial()?;
    println!(
        "Best accuracy: {:.4} (trial {})",
        study.best_value()?,
        best.number
    );
    println!(
        "Best params: {}",
        hpo::param::python_dict(&study.best_params()?)
    );
    println!(
        "Trials: {} (complete {complete}, pruned {pruned}) in {wall:.1} s",
        study.n_trials()?
    );
    if let (Some(a), Some(b)) = (*memory_after_first.lock(), memory_last) {
        println!("GPU memory: {a} MiB after the first trial, {b} MiB after the last");
    }
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "runner": "hpo-torch", "wall_s": wall, "trials": study.n_trials()?, "complete": complete,
                "pruned": pruned, "best_accuracy": study.best_value()?, "device": device_desc,
                "per_device": args.per_device, "concurrent": pool.n_jobs(),
                "gpu_mem_mib_after_first": *memory_after_first.lock(), "gpu_mem_mib_after_last": memory_last,
                "trials_per_minute": study.n_trials()? as f64 / wall * 60.0,
            })
        );
    }
    Ok(())
}
