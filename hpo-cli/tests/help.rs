//! `--help` for every verb, and usage errors.

mod common;

use std::process::Command;

use common::hpo;

fn help(args: &[&str]) -> String {
    let out = Command::new(hpo())
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "hpo {args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_verb_has_help_naming_its_options() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[],
            &[
                "create-study",
                "ask",
                "tell",
                "plot",
                "report",
                "--storage",
                "Examples",
            ],
        ),
        (
            &["create-study"],
            &[
                "--study",
                "--direction",
                "--directions",
                "--skip-if-exists",
                "study-name",
            ],
        ),
        (&["delete-study"], &["--study", "--storage"]),
        (
            &["study", "set-user-attr"],
            &["--key", "--value", "--study"],
        ),
        (&["study-names"], &["--format", "value", "yaml"]),
        (&["studies"], &["--format", "--flatten"]),
        (&["trials"], &["--study", "--format", "--flatten"]),
        (&["best-trial"], &["--study", "--format", "--flatten"]),
        (&["best-trials"], &["--study", "--format", "--flatten"]),
        (
            &["ask"],
            &[
                "--search-space",
                "--sampler",
                "--sampler-kwargs",
                "--format",
                "--flatten",
                "categorical",
            ],
        ),
        (
            &["tell"],
            &[
                "--trial-number",
                "--values",
                "--state",
                "--skip-if-finished",
                "pruned",
            ],
        ),
        (&["export"], &["--output", "--format", "csv", "json"]),
        (
            &["plot"],
            &[
                "--output",
                "--params",
                "--target-objective",
                "--width",
                "--height",
                "pareto-front",
                ".png",
            ],
        ),
        (
            &["importance"],
            &[
                "--evaluator",
                "--params",
                "--seed",
                "--target-objective",
                "--format",
            ],
        ),
        (&["report"], &["--output", "--study", "html"]),
    ];
    for (verb, needles) in cases {
        let text = help(verb);
        for needle in *needles {
            assert!(
                text.contains(needle),
                "`hpo {verb:?} --help` lacks {needle}:\n{text}"
            );
        }
        if !verb.is_empty() {
            assert!(
                text.contains("--storage") && text.contains("-q, --quiet"),
                "{verb:?}: {text}"
            );
        }
    }
}

#[test]
fn usage_errors_exit_non_zero() {
    let out = Command::new(hpo()).arg("frobnicate").output().unwrap();
    assert!(!out.status.success());
    let out = Command::new(hpo())
        .args(["tell", "--storage", "sqlite:///x.db", "--study", "s"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trial-number"));
    let out = Command::new(hpo())
        .args(["create-study", "--direction", "up"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("minimize"));
    let out = Command::new(hpo()).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("hpo "));
}
