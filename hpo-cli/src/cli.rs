//! The command line: global options and one subcommand per verb, with `--help` text and
//! examples for each.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;
use crate::storage_arg::StorageClass;

const MAIN_EXAMPLES: &str = "\
Examples:
  hpo create-study --storage sqlite:///example.db --study demo --direction minimize
  hpo ask --storage sqlite:///example.db --study demo \\
      --search-space '{\"x\": {\"type\": \"float\", \"low\": -10, \"high\": 10}}'
  hpo tell --storage sqlite:///example.db --study demo --trial-number 0 --values 4.2
  hpo best-trial --storage sqlite:///example.db --study demo -f json
  hpo plot history --storage sqlite:///example.db --study demo -o history.svg

Storage URLs: sqlite:///PATH.db, journal:PATH, postgresql://..., mysql://..., redis://...;
--storage may be left out when HPO_STORAGE (or OPTUNA_STORAGE) is set.";

/// `hpo`: Optuna's command line for hpo studies in any storage (SQLite, journal files,
/// PostgreSQL, MySQL, Redis), plus export, plots, parameter importance, an HTML report and a live
/// web dashboard.
#[derive(Debug, Parser)]
#[command(name = "hpo", version, after_help = MAIN_EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Storage URL: sqlite:///PATH.db, journal:PATH, postgresql://USER:PW@HOST/DB,
    /// mysql://USER:PW@HOST/DB, redis://HOST:PORT, or a bare .db path or existing journal file.
    #[arg(
        long,
        long_help = format!("Storage URL, one of:\n{}", crate::storage_arg::URL_FORMS),
        global = true,
        env = "HPO_STORAGE",
        value_name = "URL",
        help_heading = "Global options"
    )]
    pub storage: Option<String>,

    /// How to read --storage (Optuna's hint): RDBStorage, JournalFileBackend or
    /// JournalRedisBackend.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "CLASS",
        help_heading = "Global options"
    )]
    pub storage_class: Option<StorageClass>,

    /// More log output on stderr (debug lines); `HPO_VERBOSITY` sets the default level.
    #[arg(short, long, global = true, action = ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,

    /// Only warnings and errors on stderr.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,

    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new study and print its name.
    #[command(after_help = "\
Examples:
  hpo create-study --storage sqlite:///example.db --study demo
  hpo create-study --storage journal:journal.log --study mo --directions minimize maximize
  hpo create-study --storage sqlite:///example.db --study demo --skip-if-exists")]
    CreateStudy(CreateStudyArgs),

    /// Delete a study and all its trials.
    #[command(after_help = "\
Example:
  hpo delete-study --storage sqlite:///example.db --study demo")]
    DeleteStudy(DeleteStudyArgs),

    /// Study-level commands (`study set-user-attr`).
    Study {
        /// The study subcommand.
        #[command(subcommand)]
        command: StudyCommand,
    },

    /// Print the names of all studies in the storage, one per line.
    #[command(after_help = "\
Examples:
  hpo study-names --storage sqlite:///example.db
  hpo study-names --storage journal:journal.log -f json")]
    StudyNames(StudyNamesArgs),

    /// List the studies: name, direction(s), number of trials, start time.
    #[command(after_help = "\
Examples:
  hpo studies --storage sqlite:///example.db
  hpo studies --storage sqlite:///example.db -f yaml
  hpo studies --storage sqlite:///example.db -f json --flatten")]
    Studies(StudiesArgs),

    /// List the trials of a study.
    #[command(after_help = "\
Examples:
  hpo trials --storage sqlite:///example.db --study demo
  hpo trials --storage sqlite:///example.db --study demo -f json --flatten")]
    Trials(TrialsArgs),

    /// Show the best trial of a single-objective study.
    #[command(after_help = "\
Examples:
  hpo best-trial --storage sqlite:///example.db --study demo
  hpo best-trial --storage sqlite:///example.db --study demo -f json
  hpo best-trial --storage sqlite:///example.db --study demo -f value --flatten")]
    BestTrial(TrialsArgs),

    /// List the best trials (the Pareto front for multi-objective studies).
    #[command(after_help = "\
Examples:
  hpo best-trials --storage sqlite:///example.db --study mo
  hpo best-trials --storage sqlite:///example.db --study mo -f yaml")]
    BestTrials(TrialsArgs),

    /// Start a new trial, suggest its parameters, and print its number and parameters.
    #[command(after_help = "\
The search space maps parameter names to distributions, as JSON: Optuna's abbreviated form
  {\"type\": \"float\", \"low\": 0, \"high\": 1, \"step\": 0.1, \"log\": false}
  {\"type\": \"int\", \"low\": 1, \"high\": 8, \"step\": 1, \"log\": false}
  {\"type\": \"categorical\", \"choices\": [\"adam\", \"sgd\"]}
or distribution_to_json's form
  {\"name\": \"FloatDistribution\", \"attributes\": {\"low\": 0.0, \"high\": 1.0, \"log\": false, \"step\": null}}

Examples:
  hpo ask --storage sqlite:///example.db --study demo \\
      --search-space '{\"x\": {\"type\": \"float\", \"low\": -10, \"high\": 10},
                      \"lr\": {\"type\": \"float\", \"low\": 1e-5, \"high\": 1e-1, \"log\": true},
                      \"layers\": {\"type\": \"int\", \"low\": 1, \"high\": 4},
                      \"opt\": {\"type\": \"categorical\", \"choices\": [\"adam\", \"sgd\"]}}'
  # prints {\"number\": 0, \"params\": {\"x\": 1.23, \"lr\": 0.0004, \"layers\": 2, \"opt\": \"sgd\"}}
  read n x <<EOF
  $(hpo ask --storage sqlite:///example.db --study demo -f value --flatten \\
      --search-space '{\"x\": {\"type\": \"float\", \"low\": -10, \"high\": 10}}')
  EOF
  hpo ask --storage sqlite:///example.db --study demo --sampler RandomSampler \\
      --sampler-kwargs '{\"seed\": 1}' --search-space '{\"x\": {\"type\": \"int\", \"low\": 0, \"high\": 9}}'")]
    Ask(AskArgs),

    /// Finish a trial started by `ask`: Complete with its objective values, Pruned or Fail.
    #[command(after_help = "\
Examples:
  hpo tell --storage sqlite:///example.db --study demo --trial-number 0 --values 4.2
  hpo tell --storage sqlite:///example.db --study mo --trial-number 3 --values 0.5 -1.25
  hpo tell --storage sqlite:///example.db --study demo --trial-number 1 --state pruned
  hpo tell --storage sqlite:///example.db --study demo --trial-number 2 --state fail --skip-if-finished")]
    Tell(TellArgs),

    /// Export every trial as CSV (Optuna's trials_dataframe columns) or JSON.
    #[command(after_help = "\
Examples:
  hpo export --storage sqlite:///example.db --study demo -o trials.csv
  hpo export --storage sqlite:///example.db --study demo -o trials.json
  hpo export --storage sqlite:///example.db --study demo --format json > trials.json")]
    Export(ExportArgs),

    /// Draw one plot of a study as SVG, PNG or HTML (picked by the file's extension).
    #[command(after_help = "\
Kinds: history, importances, slice, contour, parallel-coordinate, intermediate-values, edf,
pareto-front, timeline, rank, hypervolume-history (Optuna's names such as
plot_optimization_history also work).

Examples:
  hpo plot history --storage sqlite:///example.db --study demo -o history.svg
  hpo plot contour --storage sqlite:///example.db --study demo --params x y -o contour.png
  hpo plot pareto-front --storage sqlite:///example.db --study mo -o front.html
  hpo plot hypervolume-history --storage sqlite:///example.db --study mo --reference-point 11 11 -o hv.svg
  hpo plot slice --storage sqlite:///example.db --study mo --target-objective 1 -o slice.svg
  hpo plot history --storage sqlite:///example.db --study tpe --study random -o compare.svg
  hpo plot history --storage sqlite:///example.db --study a --study b --error-bar -o mean.svg")]
    Plot(PlotArgs),

    /// Rank the parameters by importance (PED-ANOVA, fANOVA or mean decrease impurity).
    #[command(after_help = "\
Examples:
  hpo importance --storage sqlite:///example.db --study demo
  hpo importance --storage sqlite:///example.db --study demo --evaluator fanova --seed 0 -f json
  hpo importance --storage sqlite:///example.db --study mo --target-objective 1")]
    Importance(ImportanceArgs),

    /// Write a self-contained HTML report of a study (summary, best trials and every plot).
    #[command(after_help = "\
Examples:
  hpo report --storage sqlite:///example.db --study demo -o report.html
  hpo report --storage sqlite:///example.db --study demo -o - > report.html")]
    Report(ReportArgs),

    /// Serve a live web dashboard of the storage's studies in a browser (read-only unless
    /// --allow-writes; this machine only unless --host says otherwise).
    #[command(after_help = "\
Examples:
  hpo dashboard sqlite:///example.db
  hpo dashboard --storage journal:journal.log --port 8081
  hpo dashboard postgresql://user:PW@db.example/optuna --host 0.0.0.0 --allow-writes")]
    Dashboard(DashboardArgs),
}

/// `dashboard`.
#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// Storage URL, as --storage takes it (optuna-dashboard's positional form).
    #[arg(value_name = "URL")]
    pub url: Option<String>,

    /// Address to listen on: 127.0.0.1 serves this machine only; 0.0.0.0 serves every network
    /// interface (anyone who can reach this machine can read the studies).
    #[arg(long, default_value = hpo_dashboard::DEFAULT_HOST)]
    pub host: String,

    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = hpo_dashboard::DEFAULT_PORT)]
    pub port: u16,

    /// Let pages change studies: delete a study, tell a running or waiting trial's result.
    #[arg(long)]
    pub allow_writes: bool,
}

/// The study a verb works on.
#[derive(Debug, Clone, Args)]
pub struct StudyArg {
    /// Name of the study (may be left out when the storage holds exactly one study).
    #[arg(long = "study", visible_alias = "study-name", value_name = "NAME")]
    pub study: Option<String>,
}

/// `create-study`.
#[derive(Debug, Args)]
pub struct CreateStudyArgs {
    /// Name of the new study (default: a generated `no-name-...` name).
    #[arg(long = "study", visible_alias = "study-name", value_name = "NAME")]
    pub study: Option<String>,

    /// Direction of a single-objective study (default: minimize).
    #[arg(long, value_enum, conflicts_with = "directions")]
    pub direction: Option<DirectionArg>,

    /// Directions of a multi-objective study, one per objective, separated by spaces.
    #[arg(long, value_enum, num_args = 1..)]
    pub directions: Option<Vec<DirectionArg>>,

    /// Do nothing (and print the name) when a study of that name exists already.
    #[arg(long)]
    pub skip_if_exists: bool,
}

/// An objective's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// Lower is better.
    Minimize,
    /// Higher is better.
    Maximize,
}

/// `delete-study`.
#[derive(Debug, Args)]
pub struct DeleteStudyArgs {
    /// Name of the study to delete.
    #[arg(long = "study", visible_alias = "study-name", value_name = "NAME")]
    pub study: String,
}

/// `study ...`.
#[derive(Debug, Subcommand)]
pub enum StudyCommand {
    /// Set a user attribute of a study (stored as a string).
    #[command(after_help = "\
Example:
  hpo study set-user-attr --storage sqlite:///example.db --study demo -k owner --value alice")]
    SetUserAttr(SetUserAttrArgs),
}

/// `study set-user-attr`.
#[derive(Debug, Args)]
pub struct SetUserAttrArgs {
    #[command(flatten)]
    /// The study.
    pub study: StudyArg,

    /// Key of the attribute.
    #[arg(short, long)]
    pub key: String,

    /// Value to set (a string).
    #[arg(long, allow_hyphen_values = true)]
    pub value: String,
}

/// `study-names`.
#[derive(Debug, Args)]
pub struct StudyNamesArgs {
    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value = "value")]
    pub format: Format,
}

/// `studies`.
#[derive(Debug, Args)]
pub struct StudiesArgs {
    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value = "table")]
    pub format: Format,

    /// Flatten nested columns such as directions (`direction_0`, `direction_1`, ...).
    #[arg(long)]
    pub flatten: bool,
}

/// `trials`, `best-trial`, `best-trials`.
#[derive(Debug, Args)]
pub struct TrialsArgs {
    #[command(flatten)]
    /// The study.
    pub study: StudyArg,

    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value = "table")]
    pub format: Format,

    /// Flatten nested columns such as params and user_attrs (`params_x`, `values_0`, ...).
    #[arg(long)]
    pub flatten: bool,
}

/// `ask`.
#[derive(Debug, Args)]
pub struct AskArgs {
    #[command(flatten)]
    /// The study.
    pub study: StudyArg,

    /// Search space as a JSON object: parameter name → distribution (see below).
    #[arg(long, value_name = "JSON")]
    pub search_space: Option<String>,

    /// Sampler, by Optuna class name: TPESampler (default), RandomSampler, GPSampler,
    /// CmaEsSampler, NSGAIISampler, NSGAIIISampler, QMCSampler, GridSampler, BruteForceSampler.
    #[arg(long, value_name = "NAME")]
    pub sampler: Option<String>,

    /// The sampler's keyword arguments as a JSON object, e.g. '{"seed": 1}'. A seed is offset
    /// by the number of trials already in the study, so every `ask` draws afresh.
    #[arg(long, value_name = "JSON", requires = "sampler")]
    pub sampler_kwargs: Option<String>,

    /// Output format (json: one object on one line).
    #[arg(short = 'f', long = "format", value_enum, default_value = "json")]
    pub format: Format,

    /// Flatten the params into `params_<name>` keys.
    #[arg(long)]
    pub flatten: bool,
}

/// A state `tell` can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TellState {
    /// Finished with values (the default when --values is given).
    Complete,
    /// Stopped early; its last intermediate value, if any, becomes its value.
    Pruned,
    /// Failed.
    Fail,
}

/// `tell`.
#[derive(Debug, Args)]
pub struct TellArgs {
    #[command(flatten)]
    /// The study.
    pub study: StudyArg,

    /// Number of the trial (as printed by `ask`).
    #[arg(long, value_name = "N")]
    pub trial_number: u64,

    /// Objective values, one per objective.
    #[arg(long, num_args = 1.., allow_negative_numbers = true, value_name = "VALUE")]
    pub values: Option<Vec<f64>>,

    /// Final state (default: complete when --values is given).
    #[arg(long, value_enum)]
    pub state: Option<TellState>,

    /// Succeed without changing anything when the trial has already finished.
    #[arg(long)]
    pub skip_if_finished: bool,
}

/// Rewrites each number after `--values` as `--values=NUMBER`, so that `--values -inf 2`
/// reaches clap as `--values=-inf --values=2`.
///
/// clap's `allow_negative_numbers` only knows digit-shaped numbers (`-1.5`, `-2e3`) and reads
/// `-inf` as the short flags `-i -n -f`; `allow_hyphen_values` would take `-inf`, but it also
/// takes every later flag (`--state`, `--storage`, `-q`) as one more value. An attached value is
/// never read as a flag, and `--values` collects its repeats, so this keeps both working. Only
/// the tokens that parse as floats are rewritten, so the first other token ends the list as
/// before.
pub fn attach_values(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args = args.into_iter().peekable();
    let mut out = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--" {
            // Everything after `--` is positional: leave it alone.
            out.push(arg);
            out.extend(args);
            break;
        }
        if arg != "--values" {
            out.push(arg);
            continue;
        }
        let mut numbers = Vec::new();
        while let Some(number) = args
            .peek()
            .and_then(|a| a.to_str())
            .filter(|s| s.parse::<f64>().is_ok())
            .map(str::to_owned)
        {
            args.next();
            numbers.push(OsString::from(format!("--values={number}")));
        }
        if numbers.is_empty() {
            // Let clap say that `--values` needs a value.
            out.push(arg);
        }
        out.extend(numbers);
    }
    out
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One row per trial, Optuna's trials_dataframe columns.
    Csv,
    /// A JSON document with the study and every trial in full.
    Json,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    /// The study.
    pub study: StudyArg,

    /// Output file (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// File format (default: from the output file's extension, else csv).
    #[arg(long = "format", value_enum)]
    pub format: Option<ExportFormat>,
}

/// What the plot-drawing verbs share: which parameters, which objective.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Only these parameters (default: all).
    #[arg(long, num_args = 1.., value_name = "PARAM")]
    pub params: Option<Vec<String>>,

    /// The objective to use in a multi-objective study (0-based).
    #[arg(long, value_name = "I")]
    pub target_objective: Option<usize>,
}

/// `plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Kind of plot: history, importances, slice, contour, parallel-coordinate,
    /// intermediate-values, edf, pareto-front, timeline, rank, hypervolume-history.
    #[arg(value_name = "KIND")]
    pub kind: String,

    /// Name of the study (may be left out when the storage holds exactly one study). Give it
    /// several times to compare studies in a history or edf plot.
    #[arg(long = "study", visible_alias = "study-name", value_name = "NAME")]
    pub studies: Vec<String>,

    /// History of several studies: draw the mean value per trial number with ±1 std error bars
    /// and the mean best value with a ±1 std band (Optuna's `error_bar=True`).
    #[arg(long)]
    pub error_bar: bool,

    /// Output file; its extension picks the format: .svg, .png or .html.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    #[command(flatten)]
    /// Parameters and objective.
    pub target: TargetArgs,

    /// Axis title for the target (default: "Objective Value" or the metric name).
    #[arg(long, value_name = "NAME")]
    pub target_name: Option<String>,

    /// Importance evaluator for the importances plot: ped-anova (default), fanova, mdi.
    #[arg(long, value_name = "NAME")]
    pub evaluator: Option<String>,

    /// Seed of the importance evaluator.
    #[arg(long)]
    pub seed: Option<u64>,

    /// Width in pixels.
    #[arg(long, requires = "height")]
    pub width: Option<u32>,

    /// Height in pixels.
    #[arg(long, requires = "width")]
    pub height: Option<u32>,

    /// Pareto front: draw only the Pareto-optimal trials (Optuna's
    /// `include_dominated_trials=False`).
    #[arg(long)]
    pub hide_dominated: bool,

    /// Timeline: only the N most recent trials (Optuna's `n_recent_trials`).
    #[arg(long, value_name = "N")]
    pub n_recent_trials: Option<usize>,

    /// Hypervolume history: the reference point, one value per objective (Optuna's
    /// `reference_point`). Default: each objective's worst feasible value + 10% of its range.
    #[arg(long, value_name = "V", num_args = 1.., allow_negative_numbers = true)]
    pub reference_point: Option<Vec<f64>>,
}

/// `importance`.
#[derive(Debug, Args)]
pub struct ImportanceArgs {
    #[command(flatten)]
    /// The study.
    pub study: StudyArg,

    /// Evaluator: ped-anova (default), fanova, mdi (or Optuna's class names).
    #[arg(long, value_name = "NAME", default_value = "ped-anova")]
    pub evaluator: String,

    #[command(flatten)]
    /// Parameters and objective.
    pub target: TargetArgs,

    /// Seed of the evaluator (fanova and mdi fit random forests).
    #[arg(long)]
    pub seed: Option<u64>,

    /// Print raw importances instead of normalizing them to sum to 1.
    #[arg(long)]
    pub no_normalize: bool,

    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value = "table")]
    pub format: Format,
}

/// `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    /// The study.
    pub study: StudyArg,

    /// Output HTML file (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    #[command(flatten)]
    /// Parameters and objective.
    pub target: TargetArgs,

    /// Importance evaluator: ped-anova (default), fanova, mdi.
    #[arg(long, value_name = "NAME")]
    pub evaluator: Option<String>,

    /// Seed of the importance evaluator.
    #[arg(long)]
    pub seed: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn study_name_is_an_alias_and_values_take_negatives() {
        let cli = Cli::try_parse_from([
            "hpo",
            "tell",
            "--study-name",
            "s",
            "--trial-number",
            "3",
            "--values",
            "-1.5",
            "2",
        ])
        .unwrap();
        let Command::Tell(t) = cli.command else {
            panic!("not tell")
        };
        assert_eq!(t.study.study.as_deref(), Some("s"));
        assert_eq!(t.values, Some(vec![-1.5, 2.0]));
    }

    fn tell_values(args: &[&str]) -> Result<Option<Vec<f64>>, clap::Error> {
        let argv = ["hpo", "tell", "--study", "s", "--trial-number", "0"]
            .iter()
            .chain(args)
            .map(OsString::from);
        let cli = Cli::try_parse_from(attach_values(argv))?;
        let Command::Tell(t) = cli.command else {
            panic!("not tell")
        };
        Ok(t.values)
    }

    #[test]
    fn values_take_negative_infinity_and_keep_later_flags() {
        let v = tell_values(&["--values", "-inf"]).unwrap().unwrap();
        assert_eq!(v, vec![f64::NEG_INFINITY]);
        let v = tell_values(&["--values", "-inf", "2", "-q"])
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![f64::NEG_INFINITY, 2.0]);
        let v = tell_values(&["--values", "-1.5", "-Infinity", "--state", "complete"])
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![-1.5, f64::NEG_INFINITY]);
        let v = tell_values(&["--values", "inf", "-2e3", "--storage", "x.db"])
            .unwrap()
            .unwrap();
        assert_eq!(v, vec![f64::INFINITY, -2000.0]);
        let v = tell_values(&["--values", "-nan"]).unwrap().unwrap();
        assert!(v[0].is_nan());
        // No number after `--values` is still clap's error, and a word still ends the list.
        assert!(tell_values(&["--values", "--state", "fail"]).is_err());
        assert!(tell_values(&["--values", "1", "oops"]).is_err());
        assert_eq!(tell_values(&["--state", "fail"]).unwrap(), None);
    }

    #[test]
    fn attach_values_leaves_other_arguments_alone() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            attach_values(args(&["hpo", "tell", "--values", "-inf", "3", "-q"])),
            args(&["hpo", "tell", "--values=-inf", "--values=3", "-q"])
        );
        let untouched = args(&[
            "hpo",
            "ask",
            "--search-space",
            "-inf",
            "--",
            "--values",
            "1",
        ]);
        assert_eq!(attach_values(untouched.clone()), untouched);
    }
}
