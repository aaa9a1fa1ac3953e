//! Helpers for the CLI tests: run the built `hpo` binary in a temporary directory, over an
//! SQLite database or a journal file.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The storages every test runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `sqlite:///PATH`.
    Sqlite,
    /// `journal:PATH`.
    Journal,
}

/// Both kinds.
pub const KINDS: [Kind; 2] = [Kind::Sqlite, Kind::Journal];

/// A temporary directory with one storage URL in it.
pub struct Env {
    /// Removed on drop.
    pub dir: tempfile::TempDir,
    /// The `--storage` value.
    pub url: String,
    /// Which storage.
    pub kind: Kind,
}

impl Env {
    /// A fresh directory and a URL for `kind` (the file does not exist yet).
    pub fn new(kind: Kind) -> Env {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = match kind {
            Kind::Sqlite => format!("sqlite:///{}", dir.path().join("hpo.db").display()),
            Kind::Journal => format!("journal:{}", dir.path().join("hpo.log").display()),
        };
        Env { dir, url, kind }
    }

    /// A fresh directory (as [`new`](Env::new) makes) whose storage holds the study `name`,
    /// created with the `extra` arguments.
    pub fn with_study(kind: Kind, name: &str, extra: &[&str]) -> Env {
        let env = Env::new(kind);
        env.create(name, extra);
        env
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `hpo ARGS --storage URL -q`, in the directory.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(hpo());
        cmd.args(args)
            .args(["--storage", &self.url, "-q"])
            .current_dir(self.dir.path())
            .env_remove("HPO_STORAGE")
            .env_remove("OPTUNA_STORAGE")
            .env_remove("HPO_VERBOSITY");
        cmd.output().expect("run hpo")
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        stdout_of_success(self.run(args), &format!("hpo {args:?}"))
    }

    /// Runs and asserts failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "hpo {args:?} should have failed:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8 output")
    }

    /// [`fails`](Env::fails), and asserts that stderr says each of `needles`; returns stderr.
    pub fn fails_saying(&self, args: &[&str], needles: &[&str]) -> String {
        let err = self.fails(args);
        for needle in needles {
            assert!(
                err.contains(needle),
                "hpo {args:?}: no {needle:?} in: {err}"
            );
        }
        err
    }

    /// [`fails_saying`](Env::fails_saying) on a command line split at white space.
    pub fn fails_cmd_saying(&self, line: &str, needles: &[&str]) -> String {
        self.fails_saying(&words(line), needles)
    }

    /// [`ok`](Env::ok) on a command line written as one string, split at white space (so no
    /// argument may contain a space).
    pub fn ok_cmd(&self, line: &str) -> String {
        self.ok(&words(line))
    }

    /// [`fails`](Env::fails) on a command line split at white space.
    pub fn fails_cmd(&self, line: &str) -> String {
        self.fails(&words(line))
    }

    /// [`json`](Env::json) on a command line split at white space.
    pub fn json_cmd(&self, line: &str) -> serde_json::Value {
        self.json(&words(line))
    }

    /// `trials --study STUDY -f json`, parsed.
    pub fn trials(&self, study: &str) -> serde_json::Value {
        self.json(&["trials", "--study", study, "-f", "json"])
    }

    /// The state of each trial of `study` (`trials -f json`), in order.
    pub fn states(&self, study: &str) -> Vec<String> {
        self.trials(study)
            .as_array()
            .expect("a JSON array of trials")
            .iter()
            .map(|t| t["state"].as_str().expect("a state").to_owned())
            .collect()
    }

    /// `create-study --study NAME` plus extra args.
    pub fn create(&self, name: &str, extra: &[&str]) {
        let mut args = vec!["create-study", "--study", name];
        args.extend_from_slice(extra);
        let out = self.ok(&args);
        assert_eq!(out.trim(), name);
    }

    /// Parses `-f json` output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(out.trim())
            .unwrap_or_else(|e| panic!("hpo {args:?} printed invalid JSON ({e}): {out}"))
    }
}

/// The arguments of a command line: its words.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The built binary.
pub fn hpo() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_hpo"))
}

/// Runs `script` with bash, with `HPO` (the binary) and `STORAGE` set, in `dir`.
pub fn bash(env: &Env, script: &str) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("HPO", hpo())
        .env("STORAGE", &env.url)
        .env_remove("HPO_VERBOSITY")
        .env_remove("HPO_STORAGE")
        .env_remove("OPTUNA_STORAGE")
        .current_dir(env.dir.path())
        .output()
        .expect("run bash")
}

/// Runs a bash script and asserts it succeeded; returns stdout.
pub fn bash_ok(env: &Env, script: &str) -> String {
    stdout_of_success(bash(env, script), "script")
}

/// [`bash_ok`], its output parsed as JSON.
pub fn bash_json(env: &Env, script: &str) -> serde_json::Value {
    let out = bash_ok(env, script);
    serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("the script printed invalid JSON ({e}): {out}"))
}

/// Asserts that `what` (a command, for the message) succeeded; returns its stdout.
fn stdout_of_success(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// [`ask_tell`] once for each of `values`, in order.
pub fn ask_tell_each(env: &Env, study: &str, values: &[&str]) {
    for value in values {
        ask_tell(env, study, value);
    }
}

/// A search space of float, log float, int and categorical params.
pub const SPACE: &str = r#"{"x": {"type": "float", "low": -5, "high": 5}, "lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": true}, "n": {"type": "int", "low": 1, "high": 8}, "opt": {"type": "categorical", "choices": ["adam", "sgd", "rmsprop"]}}"#;

/// Asks one trial of SPACE and tells it `value`; returns the trial number.
pub fn ask_tell(env: &Env, study: &str, value: &str) -> u64 {
    let asked = env.json(&["ask", "--study", study, "--search-space", SPACE]);
    let n = asked["number"].as_u64().expect("number");
    env.ok(&[
        "tell",
        "--study",
        study,
        "--trial-number",
        &n.to_string(),
        "--values",
        value,
    ]);
    n
}
