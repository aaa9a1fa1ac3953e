//! `hpo`: Optuna's command line for hpo studies.
//!
//! Verbs: `create-study`, `delete-study`, `study set-user-attr`, `study-names`, `studies`,
//! `trials`, `best-trial`, `best-trials`, `ask`, `tell` (as Optuna's CLI, with the same output
//! columns and formats), plus `export`, `plot`, `importance` and `report`. Every verb takes
//! `--storage URL` (any hpo storage) and, when it concerns one study, `--study NAME`. See
//! `hpo --help`, `hpo VERB --help` and the crate's README.

mod cli;
mod commands;
mod frame;
mod output;
mod records;
mod sampler_arg;
mod storage_arg;

use std::fmt;
use std::process::ExitCode;

use clap::Parser;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::cli::Cli;

/// Log lines as Optuna writes them: `[I 2025-01-02 03:04:05,678] message`.
struct OptunaFormat;

impl<S, N> FormatEvent<S, N> for OptunaFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let letter = match *event.metadata().level() {
            Level::ERROR => 'E',
            Level::WARN => 'W',
            Level::INFO => 'I',
            Level::DEBUG => 'D',
            Level::TRACE => 'T',
        };
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S,%3f");
        write!(writer, "[{letter} {now}] ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Logs go to stderr at INFO (Optuna's default), WARN with `-q`, DEBUG with `-v`, TRACE with
/// `-vv`, for hpo's own crates; `RUST_LOG` overrides all of it.
fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        let crates = [
            "hpo",
            "hpo_core",
            "hpo_storage",
            "hpo_samplers",
            "hpo_importance",
            "hpo_viz",
        ];
        let mut directives = String::from("warn");
        for c in crates {
            directives.push_str(&format!(",{c}={level}"));
        }
        EnvFilter::new(directives)
    });
    // Another subscriber can only exist in tests; ignore that case.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(OptunaFormat)
        .try_init();
}

/// Prints an error and its causes on stderr.
fn report(error: &anyhow::Error) {
    eprintln!("error: {error}");
    let mut shown = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        // Some errors repeat their source in their own message; print it once.
        if !shown.contains(&text) {
            eprintln!("  caused by: {text}");
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
