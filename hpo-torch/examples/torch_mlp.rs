//! An MLP tuning job with tch-rs: tune an MLP classifier on a seeded
//! 5000 x 20 synthetic data set (15 informative, 5 redundant features; standardised; 80/20
//! split). The MLP space (1-4 layers of 32..256 units, dropout 0..0.5, relu/tanh/elu), Adam / SGD
//! with momentum / RMSprop with lr 1e-5..1e-1, batch size 16..256 step 16; 20 epochs; TPE seed
//! 42; MedianPruner(10 startup trials, 5 warmup steps); 50 trials, 600 s timeout. CPU here, GPU
//! where there is one.
//!
//! ```text
//! cargo run --release -p hpo-torch --example torch_mlp -- [--trials 50] [--epochs 20]
//!     [--device auto|cpu] [--per-device K | --processes K [--storage URL]] [--threads N]
//!     [--timeout S] [--json] [--dashboard PORT]
//! ```
//!
//! `--per-device K` runs K concurrent trials per device as threads of this process (one
//! in-memory study). `--processes K` runs K worker processes (copies of this program, see
//! `hpo_torch::workers`) that share one study through a storage: `--storage URL` (created if
//! needed; study `torch_mlp`), by default a journal file in the temporary directory that is
//! removed at the end. Worker `i` uses TPE seed `42 + i`; the K workers run exactly `--trials`
//! trials in all; the wall time runs from the first worker's start to the last one's exit, so it
//! includes each process's start (libtorch and, on a GPU, its CUDA context).
//!
//! `--dashboard PORT` serves the live dashboard of this in-memory study from the training
//! process itself (open `http://127.0.0.1:PORT` while it trains; 0 picks a free port; threads
//! only).

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use hpo::prelude::*;
use hpo_torch::data::{Dataset, make_classification, standardize, train_test_split};
use hpo_torch::workers::{ProcessPool, Worker};
use hpo_torch::{DevicePool, MlpRanges, OptimizerRanges, ensure_cuda, seed_trial};
use parking_lot::Mutex;
use tch::nn::ModuleT;
use tch::{Device, Kind, Tensor, nn};

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

const STUDY: &str = "torch_mlp";

struct Args {
    trials: usize,
    epochs: u64,
    device: String,
    per_device: usize,
    processes: Option<usize>,
    storage: Option<String>,
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
        processes: None,
        storage: None,
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
            "--processes" => a.processes = Some(val().parse().expect("--processes K")),
            "--storage" => a.storage = Some(val()),
            "--threads" => a.threads = Some(val().parse().expect("--threads N")),
            "--timeout" => a.timeout_s = val().parse().expect("--timeout S"),
            "--json" => a.json = true,
            "--dashboard" => a.dashboard = Some(val().parse().expect("--dashboard PORT")),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// The job's data: the train and test splits, standardised.
struct Data {
    train: Dataset,
    test: Dataset,
}

fn data() -> Data {
    let data = make_classification(5000, 20, 15, 5, 42);
    let (mut train, mut test) = train_test_split(&data, 0.2, 42);
    standardize(&mut train, &mut test);
    Data { train, test }
}

/// One trial of the job on `device`: sample, train for `epochs`, report the test accuracy
/// every epoch (pruning with `?`), return the last one.
fn train_trial(
    trial: &mut Trial,
    device: Device,
    data: &Data,
    epochs: u64,
) -> Result<f64, TrialError> {
    let (train, test) = (&data.train, &data.test);
    let (n_train, n_test, d) = (
        train.len() as i64,
        test.len() as i64,
        train.n_features as i64,
    );
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
    for epoch in 0..epochs {
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
}

/// This process's GPU memory in MiB according to nvidia-smi (the whole GPU's used memory where
/// per-process figures are not visible, as in some containers; None without nvidia-smi).
fn gpu_memory_mib() -> Option<u64> {
    process_gpu_memory_mib().or_else(gpu_used_mib)
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

fn device_desc(device: Device) -> String {
    match device {
        Device::Cuda(i) => format!(
            "cuda:{i} ({})",
            gpu_name().unwrap_or_else(|| "unknown GPU".into())
        ),
        _ => "cpu".to_owned(),
    }
}

fn main() -> BoxResult<()> {
    let args = parse_args();
    if let Some(worker) = Worker::from_env()? {
        return run_worker(&args, &worker);
    }
    match args.processes {
        Some(k) => run_processes(&args, k),
        None => run_threads(&args),
    }
}

/// `--per-device K`: K concurrent trials per device, as threads of this process.
fn run_threads(args: &Args) -> BoxResult<()> {
    if let Some(t) = args.threads {
        tch::set_num_threads(t);
    }
    let status = ensure_cuda();
    let pool = if args.device == "cpu" {
        DevicePool::with_devices(vec![Device::Cpu], args.per_device)
    } else {
        DevicePool::new(args.per_device)
    };
    let device_desc = device_desc(pool.devices()[0]);
    println!(
        "Device: {device_desc}; CUDA available: {}, libtorch_cuda loaded: {}, {} concurrent trial(s)",
        status.available,
        status.library_loaded,
        pool.n_jobs()
    );

    let data = data();
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
        let device = *pool.lease();
        train_trial(trial, device, &data, args.epochs)
    })?;
    let wall = started.elapsed().as_secs_f64();
    let memory_last = gpu_memory_mib();
    let memory_first = *memory_after_first.lock();
    let summary = summarize(&study, study.n_trials()?, wall, memory_first, memory_last)?;
    if args.json {
        let mut line = summary;
        line["device"] = device_desc.into();
        line["mode"] = "threads".into();
        line["per_device"] = args.per_device.into();
        line["concurrent"] = pool.n_jobs().into();
        println!("{line}");
    }
    Ok(())
}

/// Prints the study's summary and returns the common fields of the `--json` line.
fn summarize(
    study: &Study,
    trials_run: usize,
    wall: f64,
    memory_first: Option<u64>,
    memory_last: Option<u64>,
) -> BoxResult<serde_json::Value> {
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
        "Trials: {} (complete {complete}, pruned {pruned}); {trials_run} in {wall:.1} s",
        study.n_trials()?
    );
    if let (Some(a), Some(b)) = (memory_first, memory_last) {
        println!("GPU memory: {a} MiB after the first trial, {b} MiB after the last");
    }
    Ok(serde_json::json!({
        "runner": "hpo-torch", "wall_s": wall, "trials": study.n_trials()?, "complete": complete,
        "pruned": pruned, "best_accuracy": study.best_value()?,
        "gpu_mem_mib_after_first": memory_first, "gpu_mem_mib_after_last": memory_last,
        "trials_per_minute": trials_run as f64 / wall * 60.0,
    }))
}

/// What a worker leaves in the study's user attribute `worker_<i>` for the parent.
#[derive(serde::Serialize, serde::Deserialize)]
struct WorkerReport {
    pid: u32,
    device: String,
    trials: usize,
    /// From loading the study to the end of its last trial.
    optimize_s: f64,
    /// This process's GPU memory (nvidia-smi per-process figure), after its first and last trial.
    process_mem_first: Option<u64>,
    process_mem_last: Option<u64>,
    /// The whole GPU's used memory at the same moments (for containers without per-process
    /// figures).
    gpu_used_first: Option<u64>,
    gpu_used_last: Option<u64>,
}

/// The whole GPU's used memory in MiB according to nvidia-smi (None without it).
fn gpu_used_mib() -> Option<u64> {
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
}

/// One worker process of `--processes K`: load the shared study, run trials one at a time on
/// cuda:0 (or the CPU) until the pool's trials are all handed out.
fn run_worker(args: &Args, worker: &Worker) -> BoxResult<()> {
    if let Some(t) = args.threads {
        tch::set_num_threads(t);
    }
    let device = if args.device == "cpu" {
        Device::Cpu
    } else {
        hpo_torch::devices()[0]
    };
    let on_gpu = matches!(device, Device::Cuda(_));
    let data = data();
    let study = worker.load_study(
        hpo::create_study()
            .sampler(TpeSampler::with_seed(42 + worker.index() as u64))
            .pruner(MedianPruner::new().n_startup_trials(10).n_warmup_steps(5)),
    )?;
    let started = Instant::now();
    let first = Mutex::new(None);
    let options = OptimizeOptions::new()
        .timeout(std::time::Duration::from_secs(args.timeout_s))
        .callback(|_: &Study, _: &FrozenTrial| {
            let mut first = first.lock();
            if on_gpu && first.is_none() {
                *first = Some((process_gpu_memory_mib(), gpu_used_mib()));
            }
        });
    let trials = worker.optimize(&study, options, |trial| {
        train_trial(trial, device, &data, args.epochs)
    })?;
    let optimize_s = started.elapsed().as_secs_f64();
    let (process_mem_first, gpu_used_first) = first.lock().unwrap_or((None, None));
    let (process_mem_last, gpu_used_last) = if on_gpu {
        (process_gpu_memory_mib(), gpu_used_mib())
    } else {
        (None, None)
    };
    let report = WorkerReport {
        pid: std::process::id(),
        device: device_desc(device),
        trials,
        optimize_s,
        process_mem_first,
        process_mem_last,
        gpu_used_first,
        gpu_used_last,
    };
    study.set_user_attr(&format!("worker_{}", worker.index()), &report)?;
    Ok(())
}

/// Sums a per-worker figure when every worker has it.
fn sum_all(values: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    values.sum()
}

/// `--processes K`: K worker processes sharing one study through a storage.
fn run_processes(args: &Args, k: usize) -> BoxResult<()> {
    if args.dashboard.is_some() {
        return Err("--dashboard serves an in-memory study: use it with --per-device".into());
    }
    let temp = args
        .storage
        .is_none()
        .then(|| std::env::temp_dir().join(format!("hpo-torch-mlp-{}.log", std::process::id())));
    let url = match (&args.storage, &temp) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => format!("journal:{}", path.display()),
        (None, None) => unreachable!("a temporary journal when no storage is given"),
    };
    println!(
        "{k} worker process(es) sharing study {STUDY} in {url}; device {}",
        args.device
    );
    let study = hpo::create_study()
        .name(STUDY)
        .storage_arc(hpo::open_storage(&url)?)
        .direction(StudyDirection::Maximize)
        .load_if_exists(true)
        .build()?;
    let before = study.n_trials()?;
    let run = ProcessPool::new(k).run(&url, STUDY, args.trials);
    let result = run
        .map_err(Box::<dyn std::error::Error>::from)
        .and_then(|run| {
            let wall = run.wall.as_secs_f64();
            let attrs = study.user_attrs()?;
            let reports: Vec<WorkerReport> = (0..k)
                .filter_map(|i| attrs.get(&format!("worker_{i}")))
                .map(|v| serde_json::from_value(v.clone()))
                .collect::<Result<_, _>>()?;
            let per_process = reports.iter().all(|r| r.process_mem_first.is_some());
            let on_gpu = reports.iter().any(|r| r.gpu_used_first.is_some());
            let (first, last, source) = if !on_gpu {
                (None, None, None)
            } else if per_process {
                (
                    sum_all(reports.iter().map(|r| r.process_mem_first)),
                    sum_all(reports.iter().map(|r| r.process_mem_last)),
                    Some("sum of per-process"),
                )
            } else {
                (
                    reports.iter().filter_map(|r| r.gpu_used_first).max(),
                    reports.iter().filter_map(|r| r.gpu_used_last).max(),
                    Some("whole GPU"),
                )
            };
            let trials_run = study.n_trials()? - before;
            let mut line = summarize(&study, trials_run, wall, first, last)?;
            for r in &reports {
                println!(
                    "  worker pid {}: {} trial(s) on {} in {:.1} s; GPU memory {:?} -> {:?} MiB",
                    r.pid,
                    r.trials,
                    r.device,
                    r.optimize_s,
                    r.process_mem_first,
                    r.process_mem_last
                );
            }
            if args.json {
                line["device"] = reports
                    .first()
                    .map_or_else(|| args.device.clone(), |r| r.device.clone())
                    .into();
                line["mode"] = "processes".into();
                line["processes"] = k.into();
                line["concurrent"] = k.into();
                line["trials_before"] = before.into();
                line["gpu_mem_source"] = source.into();
                line["worker_trials"] = reports.iter().map(|r| r.trials).collect::<Vec<_>>().into();
                line["worker_optimize_s"] = reports
                    .iter()
                    .map(|r| r.optimize_s)
                    .collect::<Vec<_>>()
                    .into();
                line["worker_gpu_mem_mib_after_last"] = reports
                    .iter()
                    .map(|r| r.process_mem_last)
                    .collect::<Vec<_>>()
                    .into();
                println!("{line}");
            }
            Ok(())
        });
    if let Some(path) = temp {
        drop(study);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(path.with_extension("log.lock"));
    }
    result
}
