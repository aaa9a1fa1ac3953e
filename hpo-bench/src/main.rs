//! `hpo-bench`: benchmark runners for hpo writing JSON in the shape of the Optuna-side scripts in
//! `bench/optuna/`, so the two can be compared line by line.
//!
//! ```text
//! cargo run --release -p hpo-bench -- overhead --sampler random --trials 1000 --dim 5,20 --out overhead.json
//! cargo run --release -p hpo-bench -- parallel --trials 400 --jobs 1,2 --out parallel.json
//! cargo run --release -p hpo-bench -- quality --sampler tpe,random --seeds 10 --out quality.json
//! cargo run --release -p hpo-bench -- pruning --seeds 10 --out pruning.json
//! cargo run --release -p hpo-bench -- mo --sampler nsga2 --problem zdt1,zdt2 --seeds 10 --out mo.json
//! cargo run --release -p hpo-bench -- importance --seeds 3 --out importance.json
//! cargo run --release -p hpo-bench -- asks --problem mixed-hpo --storage history.log --seeds 2000 --out asks.json
//! kurobako solver command -- target/release/hpo-bench kurobako --sampler tpe
//! ```

mod args;
mod asks;
mod env;
mod importance;
mod kurobako;
mod mo;
mod overhead;
mod parallel;
mod problems;
mod pruning;
mod quality;
mod samplers;
mod stats;
mod worker;
mod zdt;

use std::process::ExitCode;

fn main() -> ExitCode {
    // As Optuna's side of every comparison (`optuna.logging.set_verbosity(WARNING)`): no line per
    // trial, so the timings measure the work, not the terminal.
    hpo::logging::set_verbosity(hpo::logging::Verbosity::Warning);
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("kurobako") {
        // An external solver for kurobako: the protocol on stdin/stdout, no --out.
        let sampler = match argv.iter().position(|a| a == "--sampler") {
            Some(i) => argv.get(i + 1).cloned().unwrap_or_default(),
            None => "tpe".to_owned(),
        };
        let stdin = std::io::stdin();
        return match kurobako::serve(&sampler, stdin.lock(), std::io::stdout().lock()) {
            Ok(_) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("hpo-bench kurobako: {msg}");
                ExitCode::FAILURE
            }
        };
    }
    let args = match args::Args::parse(argv.clone().into_iter()) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let result = match args.command.as_str() {
        "overhead" | "storage" => overhead::run(&args),
        "parallel" => parallel::run(&args),
        "quality" => quality::run(&args),
        "mo" => mo::run(&args),
        "pruning" => pruning::run(&args),
        "importance" => importance::run(&args),
        "worker" => worker::run(&args),
        "asks" => asks::run(&args),
        other => Err(format!("unknown benchmark `{other}`\n{}", args::USAGE)),
    };
    match result {
        Ok(mut json) => {
            json["env"] = env::notes(&argv);
            if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = std::fs::create_dir_all(dir);
            }
            let text = serde_json::to_string_pretty(&json).expect("JSON values serialize");
            if let Err(e) = std::fs::write(&args.out, text + "\n") {
                eprintln!("cannot write {}: {e}", args.out.display());
                return ExitCode::FAILURE;
            }
            eprintln!("wrote {}", args.out.display());
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}
