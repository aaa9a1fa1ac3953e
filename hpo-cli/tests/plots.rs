//! plot (every kind, every format), importance and report, on studies built by shell loops.

mod common;

use common::{Env, KINDS, bash_ok};

/// 30 random trials of f = 10 x² + 0.01 z + [c = "b"] · 0.001: x dominates.
const LOOP: &str = r#"
set -eu
"$HPO" create-study --storage "$STORAGE" --study s -q > /dev/null
SPACE='{"x": {"type": "float", "low": -3, "high": 3}, "z": {"type": "float", "low": 0, "high": 1}, "c": {"type": "categorical", "choices": ["a", "b"]}}'
for i in $(seq 30); do
  read n x z c <<EOF
$("$HPO" ask --storage "$STORAGE" --study s -q -f value --flatten --sampler RandomSampler --sampler-kwargs '{"seed": 5}' --search-space "$SPACE")
EOF
  v=$(awk -v x="$x" -v z="$z" -v c="$c" 'BEGIN { printf "%.17g", 10 * x * x + 0.01 * z + (c == "b" ? 0.001 : 0) }')
  "$HPO" tell --storage "$STORAGE" --study s -q --trial-number "$n" --values "$v"
done
"$HPO" create-study --storage "$STORAGE" --study mo --directions minimize maximize -q > /dev/null
for i in $(seq 12); do
  read n x <<EOF
$("$HPO" ask --storage "$STORAGE" --study mo -q -f value --flatten --search-space '{"x": {"type": "float", "low": 0, "high": 1}}')
EOF
  "$HPO" tell --storage "$STORAGE" --study mo -q --trial-number "$n" --values "$x" "$(awk -v x="$x" 'BEGIN { print 1 - (x - 0.5) ^ 2 }')"
done
"$HPO" create-study --storage "$STORAGE" --study empty -q > /dev/null
"#;

fn built(kind: common::Kind) -> Env {
    let env = Env::new(kind);
    bash_ok(&env, LOOP);
    env
}

fn check_file(env: &Env, name: &str) {
    let bytes = std::fs::read(env.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = String::from_utf8_lossy(&bytes);
    match name.rsplit('.').next().unwrap() {
        "svg" => assert!(text.contains("<svg") && text.contains("</svg>"), "{name}"),
        "png" => assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}"),
        "html" => assert!(text.contains("<html") && text.contains("<svg"), "{name}"),
        other => panic!("unexpected extension {other}"),
    }
}

#[test]
fn every_kind_in_every_format() {
    for kind in KINDS {
        let env = built(kind);
        let kinds = [
            "history",
            "importances",
            "slice",
            "contour",
            "parallel-coordinate",
            "intermediate-values",
            "edf",
            "timeline",
            "rank",
        ];
        // Every kind as SVG and HTML; PNG (slow to rasterize in debug builds) for two kinds.
        for plot in kinds {
            for ext in ["svg", "html"] {
                let file = format!("{plot}.{ext}");
                env.ok(&["plot", plot, "--study", "s", "-o", &file]);
                check_file(&env, &file);
            }
        }
        env.ok(&["plot", "history", "--study", "s", "-o", "history.png"]);
        check_file(&env, "history.png");
        for ext in ["svg", "png", "html"] {
            let file = format!("front.{ext}");
            env.ok(&["plot", "pareto-front", "--study", "mo", "-o", &file]);
            check_file(&env, &file);
        }
        // Options: params, size, Optuna's names, an objective of a multi-objective study.
        env.ok_cmd("plot contour --study s --params x z -o xz.svg");
        env.ok_cmd(
            "plot plot_optimization_history --study s --width 400 --height 300 -o small.svg",
        );
        let svg = std::fs::read_to_string(env.path("small.svg")).unwrap();
        assert!(
            svg.contains("400") && svg.contains("300"),
            "the size is used"
        );
        env.ok_cmd("plot slice --study mo --target-objective 1 -o mo.svg");
        check_file(&env, "mo.svg");
        // Optuna's include_dominated_trials=False and n_recent_trials.
        env.ok_cmd("plot pareto-front --study mo --hide-dominated -o front-only.svg");
        let svg = std::fs::read_to_string(env.path("front-only.svg")).unwrap();
        assert!(svg.contains("dominated trials hidden"), "{svg}");
        env.ok_cmd("plot timeline --study s --n-recent-trials 3 -o recent.svg");
        let svg = std::fs::read_to_string(env.path("recent.svg")).unwrap();
        assert!(svg.contains("the 3 most recent of"), "{svg}");
    }
}

#[test]
fn plot_errors_are_explained() {
    let env = built(common::Kind::Sqlite);
    let err = env.fails(&["plot", "history", "--study", "s", "-o", "h.jpg"]);
    assert!(err.contains(".jpg") && err.contains("*.svg"), "{err}");
    assert!(!env.path("h.jpg").exists());
    let err = env.fails(&["plot", "pie", "--study", "s", "-o", "p.svg"]);
    assert!(
        err.contains("pie") && err.contains("parallel-coordinate") && err.contains("rank"),
        "{err}"
    );
    let err = env.fails(&["plot", "history", "--study", "mo", "-o", "h.svg"]);
    assert!(err.contains("--target-objective"), "{err}");
    let err = env.fails_cmd("plot history --study mo --target-objective 2 -o h.svg");
    assert!(
        err.contains("out of range") && err.contains("0 to 1"),
        "{err}"
    );
    let err = env.fails(&["plot", "pareto-front", "--study", "s", "-o", "f.svg"]);
    assert!(err.contains("multi-objective"), "{err}");
    let err = env.fails_cmd("plot slice --study s --params nope -o f.svg");
    assert!(err.contains("nope"), "{err}");
    let err = env.fails_cmd("plot history --study s --width 10 --height 10 -o f.svg");
    assert!(err.contains("--width"), "{err}");
    // An empty study still gets a figure, and a note on stderr.
    let out = env.run(&["plot", "history", "--study", "empty", "-o", "empty.svg"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note:"), "{stderr}");
    check_file(&env, "empty.svg");
}

#[test]
fn hypervolume_history_takes_a_reference_point() {
    let env = built(common::Kind::Sqlite);
    // `mo` minimises x in [0, 1] and maximises 1 - (x - 0.5)² in [0.75, 1].
    env.ok_cmd("plot hypervolume-history --study mo --reference-point 11 11 -o f.svg");
    let svg = std::fs::read_to_string(env.path("f.svg")).unwrap();
    assert!(svg.contains("Hypervolume History Plot"), "{svg}");
    assert!(svg.contains("reference point (11, 11)"), "{svg}");
    // No trial beats 11 in the maximised objective: the hypervolume stays 0.
    assert!(
        svg.contains("Hypervolume: 0\n") || svg.contains("Hypervolume: 0<"),
        "{svg}"
    );
    assert!(!svg.contains("Hypervolume: 0."), "{svg}");
    // A negative value, Optuna's name, and every trial counting: 2 - x > 0 and y + 1 > 0.
    env.ok_cmd("plot plot_hypervolume_history --study mo --reference-point 2 -1 -o g.png");
    check_file(&env, "g.png");
    env.ok_cmd("plot hypervolume-history --study mo --reference-point 2 -1 -o g.svg");
    let svg = std::fs::read_to_string(env.path("g.svg")).unwrap();
    assert!(svg.contains("reference point (2, -1)"), "{svg}");
    assert!(svg.contains("Hypervolume: "), "{svg}");
    assert!(
        !svg.contains("Hypervolume: 0\n"),
        "every trial counts: {svg}"
    );
    // Without one, the automatic reference point is used and named.
    env.ok_cmd("plot hypervolume-history --study mo -o a.svg");
    let svg = std::fs::read_to_string(env.path("a.svg")).unwrap();
    assert!(svg.contains("automatic reference point"), "{svg}");
    let err = env.fails_cmd("plot hypervolume-history --study mo --reference-point 1 -o h.svg");
    assert!(
        err.contains("reference point") && err.contains('1') && err.contains('2'),
        "{err}"
    );
    let err = env.fails(&["plot", "hypervolume-history", "--study", "s", "-o", "h.svg"]);
    assert!(err.contains("multi-objective"), "{err}");
}

#[test]
fn importance_ranks_the_dominant_param_first() {
    for kind in KINDS {
        let env = built(kind);
        for evaluator in ["ped-anova", "fanova", "mdi"] {
            let ranked = env.json(&[
                "importance",
                "--study",
                "s",
                "--evaluator",
                evaluator,
                "--seed",
                "0",
                "-f",
                "json",
            ]);
            let ranked = ranked.as_array().unwrap();
            assert_eq!(ranked.len(), 3, "{evaluator}: {ranked:?}");
            assert_eq!(ranked[0]["param"], "x", "{kind:?} {evaluator}: {ranked:?}");
            let total: f64 = ranked
                .iter()
                .map(|r| r["importance"].as_f64().unwrap())
                .sum();
            assert!(
                (total - 1.0).abs() < 1e-9,
                "{evaluator}: normalized, {total}"
            );
            let values: Vec<f64> = ranked
                .iter()
                .map(|r| r["importance"].as_f64().unwrap())
                .collect();
            assert!(
                values.windows(2).all(|w| w[0] >= w[1]),
                "sorted: {values:?}"
            );
        }
        let table = env.ok(&["importance", "--study", "s"]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[1].contains("param") && lines[1].contains("importance"),
            "{table}"
        );
        assert!(lines[3].starts_with("| x "), "{table}");
        let value = env.ok_cmd("importance --study s -f value --params z c");
        assert_eq!(value.lines().count(), 2, "{value}");
        assert!(!value.contains('x'), "{value}");
        let yaml = env.ok(&["importance", "--study", "s", "-f", "yaml"]);
        assert!(
            yaml.starts_with("- importance: ") && yaml.contains("  param: x"),
            "{yaml}"
        );

        let err = env.fails(&["importance", "--study", "mo"]);
        assert!(err.contains("--target-objective"), "{err}");
        let ranked = env.json_cmd("importance --study mo --target-objective 0 -f json");
        assert_eq!(ranked[0]["param"], "x");
        let err = env.fails(&["importance", "--study", "s", "--evaluator", "shap"]);
        assert!(err.contains("shap") && err.contains("fanova"), "{err}");
        let err = env.fails(&["importance", "--study", "empty"]);
        assert!(err.contains("completed"), "{err}");
    }
}

#[test]
fn report_writes_html() {
    for kind in KINDS {
        let env = built(kind);
        env.ok(&["report", "--study", "s", "-o", "report.html"]);
        let html = std::fs::read_to_string(env.path("report.html")).unwrap();
        assert!(
            html.contains("<html") && html.contains("</html>"),
            "{kind:?}"
        );
        assert!(html.contains("<svg"), "the report embeds its plots");
        assert!(html.contains('s'));
        let stdout = env.ok(&["report", "--study", "mo", "-o", "-"]);
        assert!(stdout.contains("<html"));
        env.ok(&["report", "--study", "empty", "-o", "empty.html"]);
        assert!(env.path("empty.html").exists());
    }
}

#[test]
fn plot_json_study_is_untouched() {
    // Plotting only reads: the trials are the same before and after.
    let env = built(common::Kind::Journal);
    let before = env.trials("s");
    env.ok(&["plot", "history", "--study", "s", "-o", "h.svg"]);
    env.ok(&["report", "--study", "s", "-o", "r.html"]);
    let after = env.trials("s");
    assert_eq!(before, after);
}
