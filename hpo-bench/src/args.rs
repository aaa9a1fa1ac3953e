//! The fixed command line: `hpo-bench <overhead|parallel|...> [--sampler NAME] [--problem NAME]
//! [--trials N] [--seeds K] [--dim D] [--jobs J] [--storage URL] [--no-heartbeat] --out FILE.json`.

use std::path::PathBuf;

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// The benchmark to run.
    pub command: String,
    /// Sampler names (comma separated on the command line).
    pub samplers: Vec<String>,
    /// Problem names.
    pub problems: Vec<String>,
    /// Trials per run.
    pub trials: Option<usize>,
    /// Seeds (repeats) per configuration.
    pub seeds: usize,
    /// Dimensions.
    pub dims: Vec<usize>,
    /// Worker threads (`parallel`).
    pub jobs: Vec<usize>,
    /// Storage URL.
    pub storage: Option<String>,
    /// Studies without heartbeats (`overhead`, `storage`): the library's default is on for a
    /// persistent storage; this measures what they cost.
    pub no_heartbeat: bool,
    /// Where the JSON goes.
    pub out: PathBuf,
}

pub const USAGE: &str = "usage: hpo-bench <overhead|storage|parallel|quality|pruning|mo|importance|worker|asks> [--sampler NAME[,NAME..]] \
[--problem NAME[,..]] [--trials N] [--seeds K] [--dim D[,D..]] [--jobs J[,J..]] \
[--storage URL] [--no-heartbeat] --out FILE.json\n       hpo-bench kurobako [--sampler NAME]   (a kurobako external solver on stdin/stdout)";

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn numbers(flag: &str, v: &str) -> Result<Vec<usize>, String> {
    list(v)
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|_| format!("{flag} takes numbers, got `{s}`"))
        })
        .collect()
}

impl Args {
    /// The first `--sampler` given, or `default`: for the benchmarks that run one sampler.
    pub fn sampler_or(&self, default: &str) -> String {
        first_or(&self.samplers, default)
    }

    /// The `--sampler` names given, or `defaults` when there are none.
    pub fn samplers_or(&self, defaults: &[&str]) -> Vec<String> {
        if self.samplers.is_empty() {
            defaults.iter().map(|s| (*s).to_owned()).collect()
        } else {
            self.samplers.clone()
        }
    }

    /// The problems of `all` named by `--problem` (every one of them when none is named), by
    /// `name`; an unknown name is the error `unknown` gives for it.
    pub fn chosen<'a, T>(
        &self,
        all: &'a [T],
        name: impl Fn(&T) -> &str,
        unknown: impl Fn(&str) -> String,
    ) -> Result<Vec<&'a T>, String> {
        if self.problems.is_empty() {
            return Ok(all.iter().collect());
        }
        self.problems
            .iter()
            .map(|p| all.iter().find(|q| name(q) == p).ok_or_else(|| unknown(p)))
            .collect()
    }

    /// The first `--problem` given, or `default`: for the benchmarks that run one problem.
    pub fn problem_or(&self, default: &str) -> String {
        first_or(&self.problems, default)
    }

    /// Parses `std::env::args()` (without the program name).
    pub fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
        let command = argv.next().ok_or_else(|| USAGE.to_owned())?;
        if command == "--help" || command == "-h" {
            return Err(USAGE.to_owned());
        }
        let mut args = Args {
            command,
            samplers: Vec::new(),
            problems: Vec::new(),
            trials: None,
            seeds: 3,
            dims: Vec::new(),
            jobs: Vec::new(),
            storage: None,
            no_heartbeat: false,
            out: PathBuf::new(),
        };
        while let Some(flag) = argv.next() {
            if flag == "--no-heartbeat" {
                args.no_heartbeat = true;
                continue;
            }
            let mut value = || {
                argv.next()
                    .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
            };
            match flag.as_str() {
                "--sampler" => args.samplers = list(&value()?),
                "--problem" => args.problems = list(&value()?),
                "--trials" => args.trials = Some(numbers("--trials", &value()?)?[0]),
                "--seeds" => args.seeds = numbers("--seeds", &value()?)?[0],
                "--dim" => args.dims = numbers("--dim", &value()?)?,
                "--jobs" => args.jobs = numbers("--jobs", &value()?)?,
                "--storage" => args.storage = Some(value()?),
                "--out" => args.out = PathBuf::from(value()?),
                other => return Err(format!("unknown flag `{other}`\n{USAGE}")),
            }
        }
        if args.out.as_os_str().is_empty() {
            return Err(format!("--out FILE.json is required\n{USAGE}"));
        }
        Ok(args)
    }
}

/// The first of `names`, or `default` when there is none.
fn first_or(names: &[String], default: &str) -> String {
    names.first().cloned().unwrap_or_else(|| default.to_owned())
}
