//! The verbs, one module per concern, and what they share: the opened storage, loading a study
//! with a helpful error when it does not exist, and printing to standard output.

pub mod ask;
pub mod dashboard;
pub mod export;
pub mod importance;
pub mod plot;
pub mod report;
pub mod study;
pub mod tell;
pub mod trials;

use std::io::Write;
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use hpo_core::study::get_all_study_names;
use hpo_core::{Error, Sampler, Storage, Study};

use crate::cli::{Cli, Command, StudyArg, StudyCommand};
use crate::storage_arg::{self, StorageUrl};

/// An opened storage and how to name it in messages.
pub struct Ctx {
    /// The storage.
    pub storage: Arc<dyn Storage>,
    /// Its URL.
    pub url: StorageUrl,
}

impl Ctx {
    /// Opens the storage the global options name, or `positional` (a verb's URL argument, as
    /// `hpo dashboard URL`) when given; `retry` is how long a server storage waits for its
    /// server.
    pub fn open(
        cli: &Cli,
        positional: Option<&str>,
        retry: hpo_storage::RetryPolicy,
    ) -> anyhow::Result<Ctx> {
        let optuna_env = std::env::var("OPTUNA_STORAGE").ok();
        let url = storage_arg::resolve(
            positional.or(cli.storage.as_deref()),
            optuna_env.as_deref(),
            cli.storage_class,
        )?;
        let storage = storage_arg::open(&url, retry)?;
        Ok(Ctx { storage, url })
    }

    /// The study names in the storage, for messages.
    fn names(&self) -> Vec<String> {
        get_all_study_names(&*self.storage).unwrap_or_default()
    }

    /// "Studies in URL: a, b" or "URL holds no study yet".
    pub fn listing(&self) -> String {
        let names = self.names();
        if names.is_empty() {
            format!(
                "{} holds no study yet; create one with `hpo create-study --study NAME`",
                self.url.shown()
            )
        } else {
            format!("studies in {}: {}", self.url.shown(), names.join(", "))
        }
    }

    /// The study name of `arg`, or the only study of the storage when none is given.
    pub fn study_name(&self, arg: &StudyArg) -> anyhow::Result<String> {
        if let Some(name) = &arg.study {
            return Ok(name.clone());
        }
        let names = get_all_study_names(&*self.storage)
            .with_context(|| format!("cannot list the studies of {}", self.url.shown()))?;
        match names.as_slice() {
            [one] => Ok(one.clone()),
            _ => bail!(
                "no --study given; name one with `--study NAME` ({})",
                self.listing()
            ),
        }
    }

    /// Loads the study `arg` names, with the default sampler.
    pub fn load(&self, arg: &StudyArg) -> anyhow::Result<Study> {
        let name = self.study_name(arg)?;
        self.load_named(&name, None)
    }

    /// Loads the study `name`, optionally with a sampler.
    pub fn load_named(
        &self,
        name: &str,
        sampler: Option<Arc<dyn Sampler>>,
    ) -> anyhow::Result<Study> {
        let mut builder = Study::builder()
            .name(name)
            .storage_arc(Arc::clone(&self.storage));
        if let Some(s) = sampler {
            builder = builder.sampler_arc(s);
        }
        builder.load().map_err(|e| self.study_error(e, name))
    }

    /// Turns "no such study" into a message that lists the studies; other errors pass.
    pub fn study_error(&self, e: Error, name: &str) -> anyhow::Error {
        match e {
            Error::StudyNotFound(_) => {
                anyhow!(
                    "no study named `{name}` in {} ({})",
                    self.url.shown(),
                    self.listing()
                )
            }
            other => anyhow::Error::new(other),
        }
    }
}

/// Prints `text` and a newline on standard output; a closed pipe (`| head`) is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Writes `bytes` to standard output, ignoring a closed pipe.
pub fn emit_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Runs the verb.
pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let (positional, retry) = match &cli.command {
        // A dashboard shows an error page within seconds when the server is gone (and recovers
        // on its own), rather than leaving pages waiting out a restart.
        Command::Dashboard(a) => (a.url.as_deref(), dashboard::retry()),
        _ => (None, hpo_storage::RetryPolicy::default()),
    };
    let ctx = Ctx::open(cli, positional, retry)?;
    match &cli.command {
        Command::CreateStudy(a) => study::create(&ctx, a),
        Command::DeleteStudy(a) => study::delete(&ctx, a),
        Command::Study {
            command: StudyCommand::SetUserAttr(a),
        } => study::set_user_attr(&ctx, a),
        Command::StudyNames(a) => study::names(&ctx, a),
        Command::Studies(a) => study::list(&ctx, a),
        Command::Trials(a) => trials::trials(&ctx, a),
        Command::BestTrial(a) => trials::best_trial(&ctx, a),
        Command::BestTrials(a) => trials::best_trials(&ctx, a),
        Command::Ask(a) => ask::run(&ctx, a),
        Command::Tell(a) => tell::run(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Plot(a) => plot::run(&ctx, a),
        Command::Importance(a) => importance::run(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Dashboard(a) => dashboard::run(&ctx, a),
    }
}
