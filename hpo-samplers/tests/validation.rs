//! Invalid sampler settings: every setter stores what it is given (a builder chain never stops
//! or panics in the middle), and the study builder refuses the sampler with an
//! `Error::InvalidArgument` naming the setting and the value.

use hpo_core::{Sampler, Study};
use hpo_samplers::gp::{Acquisition, SearchOptions};
use hpo_samplers::{
    CmaEsSampler, Crossover, GpSampler, NsgaIIISampler, NsgaIISampler, PartialFixedSampler,
    PolynomialMutation, TpeSampler,
};

#[path = "../../hpo-core/tests/support/trials.rs"]
mod trials;
use trials::{MIN2, sampled_study_with};

/// The message of the error the study builder gives for `sampler`, after checking that
/// `validate` gives the same one.
fn refused(sampler: impl Sampler + 'static) -> String {
    let direct = match sampler.validate() {
        Err(hpo_core::Error::InvalidArgument(m)) => m,
        other => panic!("expected InvalidArgument, got {other:?}"),
    };
    match Study::builder().sampler(sampler).build() {
        Err(hpo_core::Error::InvalidArgument(m)) => {
            assert_eq!(m, direct);
            m
        }
        Err(e) => panic!("expected InvalidArgument, got {e}"),
        Ok(_) => panic!("the builder accepted an invalid sampler"),
    }
}

#[test]
fn nsga_settings() {
    let cases: Vec<(NsgaIISampler, &str)> = vec![
        (
            NsgaIISampler::new().population_size(1),
            "NsgaIISampler: `population_size` must be at least 2, got 1",
        ),
        (
            // The order of the setters does not matter: UNDX needs three parents.
            NsgaIISampler::new()
                .population_size(2)
                .crossover(Crossover::undx()),
            "NsgaIISampler: `population_size` must be at least 3 with UNDXCrossover, got 2",
        ),
        (
            NsgaIISampler::new().crossover_prob(1.5),
            "NsgaIISampler: `crossover_prob` must be in [0, 1], got 1.5",
        ),
        (
            NsgaIISampler::new().swapping_prob(-0.1),
            "NsgaIISampler: `swapping_prob` must be in [0, 1], got -0.1",
        ),
        (
            NsgaIISampler::new().mutation_prob(f64::NAN),
            "NsgaIISampler: `mutation_prob` must be in [0, 1], got NaN",
        ),
        (
            NsgaIISampler::new().crossover(Crossover::Sbx {
                eta: Some(-1.0),
                uniform_crossover_prob: 0.5,
                use_child_gene_prob: 0.5,
            }),
            "SBXCrossover: `eta` must be >= 0, got -1",
        ),
        (
            NsgaIISampler::new().mutation(PolynomialMutation::new(-2.0)),
            "PolynomialMutation: `eta` must be >= 0, got -2",
        ),
    ];
    for (sampler, want) in cases {
        assert_eq!(refused(sampler), want);
    }
    assert_eq!(
        refused(NsgaIIISampler::new().crossover_prob(2.0)),
        "NsgaIIISampler: `crossover_prob` must be in [0, 1], got 2"
    );
    // Valid settings in any order build.
    let ok = NsgaIISampler::new()
        .crossover(Crossover::spx())
        .population_size(3)
        .crossover_prob(1.0)
        .mutation(PolynomialMutation::new(0.0));
    assert!(ok.validate().is_ok());
    sampled_study_with(MIN2, ok);
}

#[test]
fn tpe_settings() {
    for (sampler, message) in [
        (
            TpeSampler::new().prior_weight(-1.0),
            "TpeSampler: `prior_weight` must be finite and >= 0, got -1",
        ),
        (
            TpeSampler::new().n_ei_candidates(0),
            "TpeSampler: `n_ei_candidates` must be at least 1, got 0",
        ),
    ] {
        assert_eq!(refused(sampler), message);
    }
}

#[test]
fn cmaes_settings() {
    for (sampler, message) in [
        (
            CmaEsSampler::new().sigma0(0.0),
            "CmaEsSampler: `sigma0` must be positive and finite, got 0",
        ),
        (
            CmaEsSampler::new().sigma0(-0.5),
            "CmaEsSampler: `sigma0` must be positive and finite, got -0.5",
        ),
        (
            CmaEsSampler::new().popsize(1),
            "CmaEsSampler: `popsize` must be at least 2, got 1",
        ),
        (
            CmaEsSampler::new().inc_popsize(0),
            "CmaEsSampler: `inc_popsize` must be at least 1, got 0",
        ),
        // The independent sampler is checked too.
        (
            CmaEsSampler::new().independent_sampler(TpeSampler::new().prior_weight(-3.0)),
            "TpeSampler: `prior_weight` must be finite and >= 0, got -3",
        ),
    ] {
        assert_eq!(refused(sampler), message);
    }
}

#[test]
fn gp_settings() {
    assert_eq!(
        refused(GpSampler::new().acquisition(Acquisition::Ucb { kappa: -1.0 })),
        "GpSampler: `kappa` must be finite and >= 0, got -1"
    );
    let search = |n_preliminary, tol| SearchOptions {
        n_preliminary,
        tol,
        ..SearchOptions::default()
    };
    assert_eq!(
        refused(GpSampler::new().search_options(search(0, 1e-4))),
        "GpSampler: `n_preliminary` must be at least 1, got 0"
    );
    assert_eq!(
        refused(GpSampler::new().search_options(search(16, 0.0))),
        "GpSampler: `tol` must be positive and finite, got 0"
    );
    assert_eq!(
        refused(GpSampler::new().min_noise(0.0)),
        "GpSampler: `min_noise` must be positive and finite, got 0"
    );
    assert_eq!(
        refused(GpSampler::new().min_noise(f64::NAN)),
        "GpSampler: `min_noise` must be positive and finite, got NaN"
    );
    assert!(GpSampler::new().validate().is_ok());
    assert!(GpSampler::new().min_noise(1e-10).validate().is_ok());
}

#[test]
fn wrappers_check_their_base() {
    assert_eq!(
        refused(PartialFixedSampler::new(
            [("x", 1.0)],
            TpeSampler::new().n_ei_candidates(0)
        )),
        "TpeSampler: `n_ei_candidates` must be at least 1, got 0"
    );
}
