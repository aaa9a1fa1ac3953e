//! [`PlotOptions`]: what to plot (parameters, target, objective) and how big.

use std::fmt;
use std::sync::Arc;

use hpo_core::FrozenTrial;
use hpo_importance::ImportanceEvaluator;
pub use hpo_importance::Target;

/// Default figure width in pixels.
pub const DEFAULT_WIDTH: u32 = 900;
/// Default figure height in pixels.
pub const DEFAULT_HEIGHT: u32 = 600;
/// The smallest width or height a figure may have.
pub const MIN_SIZE: u32 = 200;
/// The largest width or height a figure may have.
pub const MAX_SIZE: u32 = 5000;

/// Options shared by every plot kind (Optuna's `params`, `target`, `target_name`, `evaluator`),
/// plus the figure size. Kinds ignore what does not apply to them.
#[derive(Clone)]
pub struct PlotOptions {
    params: Option<Vec<String>>,
    target: Option<Target>,
    target_name: Option<String>,
    objective: Option<usize>,
    evaluator: Option<Arc<dyn ImportanceEvaluator>>,
    include_dominated_trials: bool,
    n_recent_trials: Option<usize>,
    error_bar: bool,
    log_values: bool,
    include_pruned: bool,
    all_tooltips: bool,
    reference_point: Option<Vec<f64>>,
    width: u32,
    height: u32,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            params: None,
            target: None,
            target_name: None,
            objective: None,
            evaluator: None,
            include_dominated_trials: true,
            n_recent_trials: None,
            error_bar: false,
            log_values: false,
            include_pruned: false,
            all_tooltips: false,
            reference_point: None,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
        }
    }
}

impl fmt::Debug for PlotOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlotOptions")
            .field("params", &self.params)
            .field("target", &self.target.as_ref().map(|_| "<fn>"))
            .field("target_name", &self.target_name)
            .field("objective", &self.objective)
            .field("evaluator", &self.evaluator.as_ref().map(|e| e.name()))
            .field("include_dominated_trials", &self.include_dominated_trials)
            .field("n_recent_trials", &self.n_recent_trials)
            .field("error_bar", &self.error_bar)
            .field("log_values", &self.log_values)
            .field("include_pruned", &self.include_pruned)
            .field("all_tooltips", &self.all_tooltips)
            .field("reference_point", &self.reference_point)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl PlotOptions {
    /// Default options: every parameter, the objective value, 900 × 600 pixels.
    pub fn new() -> Self {
        PlotOptions::default()
    }

    /// Only these parameters (slice, contour, parallel coordinate, importances, rank). A name no
    /// completed trial has is an error when plotting.
    pub fn params<S: Into<String>>(mut self, params: impl IntoIterator<Item = S>) -> Self {
        self.params = Some(params.into_iter().map(Into::into).collect());
        self
    }

    /// Plots `target(trial)` instead of the objective value (required for multi-objective
    /// studies by the history, slice, contour, EDF and rank plots, as in Optuna). Like Optuna,
    /// a custom target has no direction: lower is treated as better for colours, and the history
    /// plot draws no best-value line.
    pub fn target(self, target: impl Fn(&FrozenTrial) -> f64 + Send + Sync + 'static) -> Self {
        self.target_arc(Arc::new(target))
    }

    /// [`PlotOptions::target`] from a shared function.
    pub fn target_arc(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    /// The target's name on axes, colour bars and legends (default: the metric name if the
    /// study set one, else `"Objective Value"`).
    pub fn target_name(mut self, name: impl Into<String>) -> Self {
        self.target_name = Some(name.into());
        self
    }

    hpo_core::setters! {
        /// Plots objective `index` of a multi-objective study, with its direction and name (unlike
        /// a custom target, the best-value line and colours know which way is better). Ignored
        /// when a target is set.
        pub fn objective(index: usize) => self.objective = Some;

        /// The importance evaluator of the importances plot (default: PED-ANOVA, as in Optuna 5.0).
        pub fn evaluator_arc(evaluator: Arc<dyn ImportanceEvaluator>) => self.evaluator = Some;

        /// Whether the Pareto-front plot also draws dominated (and infeasible) trials (default
        /// `true`, Optuna's `include_dominated_trials`).
        pub fn include_dominated_trials(yes: bool) => self.include_dominated_trials;

        /// The timeline plot draws only the `n` most recent trials (by number; Optuna's
        /// `n_recent_trials`). Default: all of them.
        pub fn n_recent_trials(n: usize) => self.n_recent_trials = Some;

        /// Whether the history plot of several studies ([`crate::plot_studies`]) draws, instead of
        /// each study's trials, the mean objective value per trial number across the studies with
        /// ±1 standard deviation error bars, and the mean best value so far with a ±1 standard
        /// deviation band (Optuna's `error_bar=True`). Default `false`; ignored by other kinds and
        /// for a single study.
        pub fn error_bar(yes: bool) => self.error_bar;

        /// Whether the history plot's value axis is logarithmic (default `false`; the dashboard's
        /// "log scale" switch). When some drawn value is not positive the axis stays linear and the
        /// subtitle says why.
        pub fn log_values(yes: bool) => self.log_values;

        /// Whether the history plot also draws Pruned trials that have a value (their last
        /// intermediate value, which Optuna and hpo record as a pruned trial's value), and counts
        /// them towards the best value so far (default `false`, as Optuna's
        /// `plot_optimization_history`; the dashboard's "include pruned" switch).
        pub fn include_pruned(yes: bool) => self.include_pruned;

        /// Whether every drawn mark carries its tooltip (trial number, value, parameters) however
        /// many are drawn (default `false`: past 1500 marks a figure drops them to stay light). The
        /// dashboard sets it, so that hovering a point of a big study still names its trial; the
        /// SVG grows by roughly 100 bytes a mark.
        pub fn all_tooltips(yes: bool) => self.all_tooltips;
    }

    /// The reference point of the hypervolume-history plot (Optuna's `reference_point`), one
    /// value per objective in the objectives' own directions: a trial adds to the hypervolume
    /// only when it is better than the reference in every objective. A length other than the
    /// number of objectives, or a non-finite value, is an error when plotting.
    ///
    /// Optuna requires it; here it defaults to an automatic one: for each objective, the worst
    /// value among the feasible completed trials, moved away from the others by 10% of that
    /// objective's range (by 10% of the worst value's magnitude, at least 0.1, when every trial
    /// has the same value). The figure's subtitle says which reference point was used.
    pub fn reference_point(mut self, point: impl Into<Vec<f64>>) -> Self {
        self.reference_point = Some(point.into());
        self
    }

    /// The figure size in pixels (default 900 × 600; each side between 200 and 5000).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// The parameters chosen with [`PlotOptions::params`], if any.
    pub fn selected_params(&self) -> Option<&[String]> {
        self.params.as_deref()
    }

    /// The custom target, if any.
    pub fn target_fn(&self) -> Option<&Target> {
        self.target.as_ref()
    }

    /// The target name set with [`PlotOptions::target_name`], if any.
    pub fn target_label(&self) -> Option<&str> {
        self.target_name.as_deref()
    }

    /// The importance evaluator set with [`PlotOptions::evaluator_arc`], if any.
    pub fn evaluator(&self) -> Option<&Arc<dyn ImportanceEvaluator>> {
        self.evaluator.as_ref()
    }

    /// The objective chosen with [`PlotOptions::objective`], if any.
    pub fn objective_index(&self) -> Option<usize> {
        self.objective
    }

    /// Whether the Pareto-front plot draws dominated trials (see
    /// [`PlotOptions::include_dominated_trials`]).
    pub fn includes_dominated_trials(&self) -> bool {
        self.include_dominated_trials
    }

    /// The timeline's limit set with [`PlotOptions::n_recent_trials`], if any.
    pub fn recent_trials(&self) -> Option<usize> {
        self.n_recent_trials
    }

    /// Whether a logarithmic value axis was asked for with [`PlotOptions::log_values`].
    pub fn shows_log_values(&self) -> bool {
        self.log_values
    }

    /// Whether every mark gets its tooltip ([`PlotOptions::all_tooltips`]).
    pub fn shows_all_tooltips(&self) -> bool {
        self.all_tooltips
    }

    /// Whether Pruned trials are drawn ([`PlotOptions::include_pruned`]).
    pub fn includes_pruned(&self) -> bool {
        self.include_pruned
    }

    /// Whether error bars were asked for with [`PlotOptions::error_bar`].
    pub fn shows_error_bar(&self) -> bool {
        self.error_bar
    }

    /// The reference point set with [`PlotOptions::reference_point`], if any.
    pub fn reference(&self) -> Option<&[f64]> {
        self.reference_point.as_deref()
    }

    /// Width and height in pixels.
    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// An error naming the problem when the size is out of bounds.
    pub(crate) fn check_size(&self) -> hpo_core::Result<()> {
        if self.n_recent_trials == Some(0) {
            return Err(hpo_core::Error::InvalidArgument(
                "n_recent_trials must be at least 1".to_owned(),
            ));
        }
        let ok = |v: u32| (MIN_SIZE..=MAX_SIZE).contains(&v);
        if ok(self.width) && ok(self.height) {
            Ok(())
        } else {
            Err(hpo_core::Error::InvalidArgument(format!(
                "figure size {}x{} is out of bounds: each side must be between {MIN_SIZE} and {MAX_SIZE} pixels",
                self.width, self.height
            )))
        }
    }
}
