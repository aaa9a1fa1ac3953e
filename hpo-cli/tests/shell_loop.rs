//! The whole ask-and-tell cycle driven from a shell loop, with only POSIX tools (sed, awk) to
//! read `hpo ask`'s output, over SQLite and journal storages.

mod common;

use common::{Env, KINDS, Kind, bash_json};
use serde_json::Value;

/// Runs `script` over each storage kind and hands `check` the kind, the directory and the JSON
/// the script printed.
fn on_each_storage(script: &str, check: impl Fn(Kind, &Env, Value)) {
    for kind in KINDS {
        let env = Env::new(kind);
        let printed = bash_json(&env, script);
        check(kind, &env, printed);
    }
}

/// 20 trials: ask (JSON), pull number and params out with sed, evaluate with awk, tell.
const JSON_LOOP: &str = r#"
set -eu
"$HPO" create-study --storage "$STORAGE" --study loop -q > /dev/null
SPACE='{"x": {"type": "float", "low": -5, "high": 5}, "y": {"type": "int", "low": 0, "high": 3}, "opt": {"type": "categorical", "choices": ["a", "b"]}}'
: > told.txt
for i in $(seq 20); do
  out=$("$HPO" ask --storage "$STORAGE" --study loop -q --search-space "$SPACE" -f json)
  n=$(printf '%s\n' "$out" | sed -E 's/.*"number": ([0-9]+).*/\1/')
  x=$(printf '%s\n' "$out" | sed -E 's/.*"x": ([^,}]+).*/\1/')
  y=$(printf '%s\n' "$out" | sed -E 's/.*"y": ([^,}]+).*/\1/')
  opt=$(printf '%s\n' "$out" | sed -E 's/.*"opt": "([^"]*)".*/\1/')
  v=$(awk -v x="$x" -v y="$y" -v opt="$opt" 'BEGIN { p = (opt == "b") ? 0.5 : 0; printf "%.17g", (x - 1) * (x - 1) + y + p }')
  "$HPO" tell --storage "$STORAGE" --study loop -q --trial-number "$n" --values "$v"
  echo "$n $v" >> told.txt
done
"$HPO" best-trial --storage "$STORAGE" --study loop -q -f json
"#;

#[test]
fn a_shell_loop_drives_a_whole_study() {
    on_each_storage(JSON_LOOP, |kind, env, best| {
        let told: Vec<(u64, f64)> = std::fs::read_to_string(env.path("told.txt"))
            .unwrap()
            .lines()
            .map(|l| {
                let (n, v) = l.split_once(' ').unwrap();
                (n.parse().unwrap(), v.parse().unwrap())
            })
            .collect();
        assert_eq!(
            told.iter().map(|t| t.0).collect::<Vec<_>>(),
            (0..20).collect::<Vec<u64>>(),
            "{kind:?}: every ask got the next trial number"
        );

        let trials = env.trials("loop");
        let trials = trials.as_array().unwrap();
        assert_eq!(trials.len(), 20, "{kind:?}");
        for (t, (n, v)) in trials.iter().zip(&told) {
            assert_eq!(t["state"], "COMPLETE", "{t}");
            assert_eq!(t["number"].as_u64(), Some(*n));
            assert_eq!(
                t["value"].as_f64(),
                Some(*v),
                "the told value is stored exactly"
            );
        }

        let (best_n, best_v) = told
            .iter()
            .copied()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert_eq!(best["number"].as_u64(), Some(best_n), "{kind:?}: {best}");
        assert_eq!(best["value"].as_f64(), Some(best_v));
        assert_eq!(best["state"], "COMPLETE");
        // The best params reproduce the best value.
        let p = &best["params"];
        let x = p["x"].as_f64().unwrap();
        let y = p["y"].as_i64().unwrap() as f64;
        let pen = if p["opt"] == "b" { 0.5 } else { 0.0 };
        let recomputed = (x - 1.0) * (x - 1.0) + y + pen;
        assert!(
            (recomputed - best_v).abs() <= 1e-9 * (1.0 + best_v.abs()),
            "{recomputed} vs {best_v}"
        );
    });
}

/// A two-objective study driven with `ask -f value --flatten` and `read`.
const VALUE_LOOP: &str = r#"
set -eu
"$HPO" create-study --storage "$STORAGE" --study mo --directions minimize minimize -q > /dev/null
for i in $(seq 12); do
  read n x <<EOF
$("$HPO" ask --storage "$STORAGE" --study mo -q -f value --flatten --sampler RandomSampler --sampler-kwargs '{"seed": 42}' --search-space '{"x": {"type": "float", "low": 0, "high": 1}}')
EOF
  f1=$(awk -v x="$x" 'BEGIN { printf "%.17g", x * x }')
  f2=$(awk -v x="$x" 'BEGIN { printf "%.17g", (x - 1) * (x - 1) }')
  "$HPO" tell --storage "$STORAGE" --study mo -q --trial-number "$n" --values "$f1" "$f2"
done
# Telling again is skipped; a pruned and a failed trial are not on the front.
"$HPO" tell --storage "$STORAGE" --study mo -q --trial-number 0 --values 0 0 --skip-if-finished
n=$("$HPO" ask --storage "$STORAGE" --study mo -q -f value)
n=${n%% *}
"$HPO" tell --storage "$STORAGE" --study mo -q --trial-number "$n" --state pruned
n=$("$HPO" ask --storage "$STORAGE" --study mo -q -f value)
n=${n%% *}
"$HPO" tell --storage "$STORAGE" --study mo -q --trial-number "$n" --state fail
"$HPO" best-trials --storage "$STORAGE" --study mo -q -f json
"#;

#[test]
fn a_shell_loop_drives_a_multi_objective_study() {
    on_each_storage(VALUE_LOOP, |kind, env, front| {
        let front = front.as_array().unwrap();
        // x -> (x^2, (x-1)^2) on [0, 1] has every point Pareto-optimal.
        assert_eq!(front.len(), 12, "{kind:?}: {front:?}");
        let states = env.states("mo");
        assert_eq!(states.len(), 14);
        assert_eq!(&states[12..], ["PRUNED", "FAIL"]);
        for t in front {
            let x = t["params"]["x"].as_f64().unwrap();
            assert_eq!(t["values"][0].as_f64().unwrap(), x * x);
        }
        // The seeded sampler still drew 12 different points.
        let mut xs: Vec<f64> = front
            .iter()
            .map(|t| t["params"]["x"].as_f64().unwrap())
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        assert_eq!(xs.len(), 12);
    });
}

/// Three shell workers asking and telling at the same time on one storage.
const PARALLEL: &str = r#"
set -eu
"$HPO" create-study --storage "$STORAGE" --study par -q > /dev/null
worker() {
  for i in 1 2 3 4 5; do
    out=$("$HPO" ask --storage "$STORAGE" --study par -q --search-space '{"x": {"type": "float", "low": 0, "high": 1}}')
    n=$(printf '%s\n' "$out" | sed -E 's/.*"number": ([0-9]+).*/\1/')
    x=$(printf '%s\n' "$out" | sed -E 's/.*"x": ([^,}]+).*/\1/')
    "$HPO" tell --storage "$STORAGE" --study par -q --trial-number "$n" --values "$x"
  done
}
worker & worker & worker &
wait
"$HPO" trials --storage "$STORAGE" --study par -q -f json
"#;

#[test]
fn parallel_shell_workers_share_a_study() {
    on_each_storage(PARALLEL, |kind, _, trials| {
        let trials = trials.as_array().unwrap();
        assert_eq!(trials.len(), 15, "{kind:?}");
        for (i, t) in trials.iter().enumerate() {
            assert_eq!(t["number"].as_u64(), Some(i as u64));
            assert_eq!(t["state"], "COMPLETE", "{kind:?}: {t}");
            assert_eq!(
                t["value"], t["params"]["x"],
                "each worker told its own trial"
            );
        }
    });
}
