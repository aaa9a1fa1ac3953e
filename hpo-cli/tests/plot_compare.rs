//! `plot history|edf --study a --study b`: comparing studies over SQLite, `--error-bar`, and the
//! errors for other kinds and mismatched studies.

mod common;

use common::{Env, Kind, ask_tell};

/// Two single-objective studies `a` (6 trials) and `b` (4 trials), a two-objective `mo`, and an
/// empty `idle`.
fn built() -> Env {
    let env = Env::new(Kind::Sqlite);
    env.create("a", &[]);
    env.create("b", &[]);
    for i in 0..6 {
        ask_tell(&env, "a", &format!("{}", 10.0 - i as f64));
    }
    for i in 0..4 {
        ask_tell(&env, "b", &format!("{}", 3.0 + i as f64));
    }
    env.create("mo", &["--directions", "minimize", "maximize"]);
    env.create("idle", &[]);
    env
}

/// Runs `hpo plot ARGS -o FILE` (ARGS split at white space) and returns the SVG it wrote.
fn plot(env: &Env, args: &str, file: &str) -> String {
    env.ok_cmd(&format!("plot {args} -o {file}"));
    std::fs::read_to_string(env.path(file)).unwrap()
}

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

#[test]
fn plot_compares_studies() {
    let env = built();
    let svg = plot(&env, "edf --study a --study b", "f.svg");
    assert!(svg.starts_with("<svg") && svg.contains("</svg>"));
    assert!(svg.contains(">a (6 trials)</text>") && svg.contains(">b (4 trials)</text>"));
    assert_eq!(count(&svg, "<polyline"), 2, "one EDF line per study");

    // Optuna's alias, history: one best line per study, legend entries named by study.
    let svg = plot(&env, "history --study-name a --study-name b", "h.svg");
    assert_eq!(count(&svg, "class=\"best-line\""), 2);
    assert!(svg.contains(">a</text>") && svg.contains(">b</text>"));

    let svg = plot(&env, "history --study a --study b --error-bar", "mean.svg");
    assert_eq!(count(&svg, "class=\"best-band\""), 1);
    assert!(svg.contains("mean ± 1 std over 2 studies"));

    // A study without completed trials is named in a note.
    let out = env.run(&[
        "plot", "edf", "--study", "a", "--study", "idle", "-o", "g.svg",
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("note:") && stderr.contains("idle"),
        "{stderr}"
    );

    // One study: as before.
    let svg = plot(&env, "history --study a", "one.svg");
    assert!(svg.contains(">Best Value</text>"));
}

#[test]
fn plot_compare_errors() {
    let env = built();
    let err = env.fails_cmd("plot slice --study a --study b -o s.svg");
    assert!(
        err.contains("slice") && err.contains("history and edf") && err.contains("a, b"),
        "{err}"
    );
    assert!(!env.path("s.svg").exists());
    let err = env.fails_cmd("plot history --study a --study mo --target-objective 0 -o h.svg");
    assert!(err.contains("same number of objectives"), "{err}");
    let err = env.fails_cmd("plot edf --study a --study nope -o h.svg");
    assert!(err.contains("nope"), "{err}");
}
