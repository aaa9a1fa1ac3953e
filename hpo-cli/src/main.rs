//! `hpo`: Optuna's command line for hpo studies.
//!
//! Verbs: `create-study`, `delete-study`, `study set-user-attr`, `study-names`, `studies`,
//! `trials`, `best-trial`, `best-trials`, `ask`, `tell` (as Optuna's CLI, with the same output
//! columns and formats), plus `export`, `plot`, `importance`, `report` and `dashboard`. Every
//! verb takes `--storage URL` (any hpo storage) and, when it concerns one study, `--study NAME`.
//! See `hpo --help`, `hpo VERB --help` and the crate's README.

mod cli;
mod commands;
mod output;
mod records;
mod sampler_arg;
mod storage_arg;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use hpo_core::logging::{self, Verbosity};

use crate::cli::Cli;

/// Log lines go to stderr in Optuna's format (hpo's default handler) at INFO, Optuna's default
/// (or what `HPO_VERBOSITY` says); WARNING with `-q`, DEBUG with `-v`.
fn init_logging(cli: &Cli) {
    match (cli.quiet, cli.verbose) {
        (true, _) => logging::set_verbosity(Verbosity::Warning),
        (false, 0) => {}
        (false, _) => logging::set_verbosity(Verbosity::Debug),
    }
    logging::enable_default_handler();
    logging::disable_propagation();
}

/// Prints an error and its causes on stderr.
fn report(error: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    // A closed stderr must not turn an error exit into a panic.
    let _ = writeln!(stderr, "error: {error}");
    let mut shown = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        // Some errors repeat their source in their own message; print it once.
        if !shown.contains(&text) {
            let _ = writeln!(stderr, "  caused by: {text}");
        }
        shown = text;
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(cli::attach_values(std::env::args_os()));
    init_logging(&cli);
    match commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
}
