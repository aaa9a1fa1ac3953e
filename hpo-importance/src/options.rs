//! `ImportanceOptions`: what [`param_importances`](crate::param_importances) assesses and how.

use std::fmt;
use std::sync::Arc;

use hpo_core::FrozenTrial;

use crate::{ImportanceEvaluator, PedAnovaEvaluator, Target};

/// The arguments of Optuna's `get_param_importances`, as a builder.
///
/// The default is PED-ANOVA (Optuna 5.0's default evaluator), every param, the objective value
/// as the target, and importances normalised to sum to 1.
///
/// ```
/// use hpo_importance::{FanovaEvaluator, ImportanceOptions};
///
/// let options = ImportanceOptions::new()
///     .evaluator(FanovaEvaluator::new().seed(1))
///     .params(["x", "y"])
///     .target(|t| t.values.as_ref().map_or(f64::NAN, |v| v[0]))
///     .normalize(false);
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct ImportanceOptions {
    pub(crate) evaluator: Arc<dyn ImportanceEvaluator>,
    pub(crate) params: Option<Vec<String>>,
    pub(crate) target: Option<Target>,
    pub(crate) normalize: bool,
}

impl Default for ImportanceOptions {
    fn default() -> Self {
        ImportanceOptions {
            evaluator: Arc::new(PedAnovaEvaluator::new()),
            params: None,
            target: None,
            normalize: true,
        }
    }
}

impl fmt::Debug for ImportanceOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportanceOptions")
            .field("evaluator", &self.evaluator.name())
            .field("params", &self.params)
            .field("target", &self.target.as_ref().map(|_| "<fn>"))
            .field("normalize", &self.normalize)
            .finish()
    }
}

impl ImportanceOptions {
    /// The defaults: PED-ANOVA, all params, no target, normalised.
    pub fn new() -> Self {
        Self::default()
    }

    /// The algorithm ([`PedAnovaEvaluator`] by default).
    pub fn evaluator(self, e: impl ImportanceEvaluator + 'static) -> Self {
        self.evaluator_arc(Arc::new(e))
    }

    /// The algorithm, already shared (for example from
    /// [`evaluator_from_name`](crate::evaluator_from_name)).
    pub fn evaluator_arc(mut self, e: Arc<dyn ImportanceEvaluator>) -> Self {
        self.evaluator = e;
        self
    }

    /// Assess only these params, in this order (ties in the result keep it). Each must appear
    /// in a complete trial; with fANOVA and MDI, the trials used are those holding them all.
    /// An empty list gives an empty result.
    pub fn params<I, S>(mut self, params: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.params = Some(params.into_iter().map(Into::into).collect());
        self
    }

    /// Assess the importance for this scalar instead of the objective value (needed by fANOVA
    /// and MDI on multi-objective studies). PED-ANOVA treats lower `target` values as better.
    pub fn target(self, f: impl Fn(&FrozenTrial) -> f64 + Send + Sync + 'static) -> Self {
        self.target_arc(Arc::new(f))
    }

    hpo_core::setters! {
        /// [`target`](ImportanceOptions::target), already shared.
        pub fn target_arc(t: Target) => self.target = Some;

        /// Whether to scale the importances to sum to 1 (default true; when they sum to 0, each of
        /// the `n` params gets `1/n`).
        pub fn normalize(yes: bool) => self.normalize;
    }

    /// The evaluator these options use.
    pub fn evaluator_ref(&self) -> &Arc<dyn ImportanceEvaluator> {
        &self.evaluator
    }

    /// The params to assess, when restricted.
    pub fn params_ref(&self) -> Option<&[String]> {
        self.params.as_deref()
    }

    /// The target, when set.
    pub fn target_ref(&self) -> Option<&Target> {
        self.target.as_ref()
    }

    /// Whether the result is normalised.
    pub fn is_normalized(&self) -> bool {
        self.normalize
    }
}
