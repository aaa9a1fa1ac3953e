//! [`PlotKind`]: the plots this crate draws, with their CLI names and titles.

use std::fmt;
use std::str::FromStr;

use hpo_core::Error;

/// A kind of plot (Optuna's `plot_*` functions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlotKind {
    /// Objective value per trial and the best value so far (`plot_optimization_history`).
    History,
    /// Hyperparameter importances as horizontal bars (`plot_param_importances`).
    Importances,
    /// Objective value against each parameter (`plot_slice`).
    Slice,
    /// Interpolated objective over pairs of parameters (`plot_contour`).
    Contour,
    /// Every trial as a line across parameter axes (`plot_parallel_coordinate`).
    ParallelCoordinate,
    /// Learning curves of the reported intermediate values (`plot_intermediate_values`).
    IntermediateValues,
    /// Empirical distribution function of the objective (`plot_edf`).
    Edf,
    /// Objective values of a multi-objective study, Pareto front highlighted
    /// (`plot_pareto_front`).
    ParetoFront,
    /// Trials' start and end times (`plot_timeline`).
    Timeline,
    /// Parameter pairs coloured by the objective's rank (`plot_rank`).
    Rank,
    /// Hypervolume of the feasible completed trials after each trial, for a multi-objective
    /// study (`plot_hypervolume_history`).
    HypervolumeHistory,
}

impl PlotKind {
    /// Every kind, in the order the report shows them.
    pub const ALL: [PlotKind; 11] = [
        PlotKind::History,
        PlotKind::Importances,
        PlotKind::Slice,
        PlotKind::Contour,
        PlotKind::ParallelCoordinate,
        PlotKind::IntermediateValues,
        PlotKind::Edf,
        PlotKind::ParetoFront,
        PlotKind::Timeline,
        PlotKind::Rank,
        PlotKind::HypervolumeHistory,
    ];

    /// The short name (`"history"`, `"parallel-coordinate"`, ...), as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            PlotKind::History => "history",
            PlotKind::Importances => "importances",
            PlotKind::Slice => "slice",
            PlotKind::Contour => "contour",
            PlotKind::ParallelCoordinate => "parallel-coordinate",
            PlotKind::IntermediateValues => "intermediate-values",
            PlotKind::Edf => "edf",
            PlotKind::ParetoFront => "pareto-front",
            PlotKind::Timeline => "timeline",
            PlotKind::Rank => "rank",
            PlotKind::HypervolumeHistory => "hypervolume-history",
        }
    }

    /// The figure title (Optuna's, e.g. `"Optimization History Plot"`).
    pub fn title(self) -> &'static str {
        match self {
            PlotKind::History => "Optimization History Plot",
            PlotKind::Importances => "Hyperparameter Importances",
            PlotKind::Slice => "Slice Plot",
            PlotKind::Contour => "Contour Plot",
            PlotKind::ParallelCoordinate => "Parallel Coordinate Plot",
            PlotKind::IntermediateValues => "Intermediate Values Plot",
            PlotKind::Edf => "Empirical Distribution Function Plot",
            PlotKind::ParetoFront => "Pareto-front Plot",
            PlotKind::Timeline => "Timeline Plot",
            PlotKind::Rank => "Rank Plot",
            PlotKind::HypervolumeHistory => "Hypervolume History Plot",
        }
    }

    /// Whether a multi-objective study needs a `target` (or an objective index) for this kind,
    /// as Optuna requires: history, slice, contour, EDF and rank plot one value per trial.
    /// Importances (one bar group per objective), parallel coordinates (one axis per objective,
    /// coloured by Pareto rank), intermediate values, timeline, Pareto front and hypervolume
    /// history do not.
    pub fn needs_target_for_multi_objective(self) -> bool {
        matches!(
            self,
            PlotKind::History
                | PlotKind::Slice
                | PlotKind::Contour
                | PlotKind::Edf
                | PlotKind::Rank
        )
    }

    /// Whether this kind only applies to multi-objective studies (the Pareto front and the
    /// hypervolume history).
    pub fn multi_objective_only(self) -> bool {
        matches!(self, PlotKind::ParetoFront | PlotKind::HypervolumeHistory)
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            PlotKind::History => &["optimization-history"],
            PlotKind::Importances => &["param-importances", "importance", "param-importance"],
            PlotKind::ParallelCoordinate => &["parallel", "parallel-coordinates"],
            PlotKind::IntermediateValues => &["intermediate", "intermediate-value"],
            PlotKind::ParetoFront => &["pareto"],
            PlotKind::HypervolumeHistory => &["hypervolume"],
            _ => &[],
        }
    }
}

impl fmt::Display for PlotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PlotKind {
    type Err = Error;

    /// Accepts the short names, Optuna's names (`optimization_history`, `param_importances`,
    /// `parallel_coordinate`, `intermediate_values`, `pareto_front`, `hypervolume_history`; an
    /// optional `plot_` prefix),
    /// with `-` or `_`, in any case.
    fn from_str(s: &str) -> Result<Self, Error> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        let key = key.strip_prefix("plot-").unwrap_or(&key);
        PlotKind::ALL
            .into_iter()
            .find(|k| k.name() == key || k.aliases().contains(&key))
            .ok_or_else(|| {
                let names: Vec<&str> = PlotKind::ALL.iter().map(|k| k.name()).collect();
                Error::InvalidArgument(format!(
                    "unknown plot kind `{s}`; choose one of: {}",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in PlotKind::ALL {
            assert_eq!(k.name().parse::<PlotKind>().unwrap(), k);
            assert_eq!(
                k.name()
                    .to_uppercase()
                    .replace('-', "_")
                    .parse::<PlotKind>()
                    .unwrap(),
                k
            );
            assert!(!k.title().is_empty());
        }
    }

    #[test]
    fn optuna_names() {
        for (s, k) in [
            ("optimization_history", PlotKind::History),
            ("plot_optimization_history", PlotKind::History),
            ("param_importances", PlotKind::Importances),
            ("parallel_coordinate", PlotKind::ParallelCoordinate),
            ("Intermediate-Values", PlotKind::IntermediateValues),
            ("pareto_front", PlotKind::ParetoFront),
            ("plot_edf", PlotKind::Edf),
            ("hypervolume_history", PlotKind::HypervolumeHistory),
            ("plot_hypervolume_history", PlotKind::HypervolumeHistory),
        ] {
            assert_eq!(s.parse::<PlotKind>().unwrap(), k, "{s}");
        }
    }

    #[test]
    fn unknown_lists_choices() {
        let e = "histogram".parse::<PlotKind>().unwrap_err().to_string();
        assert!(e.contains("histogram"), "{e}");
        for k in PlotKind::ALL {
            assert!(e.contains(k.name()), "{e}");
        }
    }
}
