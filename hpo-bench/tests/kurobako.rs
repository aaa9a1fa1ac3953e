//! `hpo-bench kurobako` as kurobako runs it: a child process speaking JSON lines on its
//! stdin/stdout, here on a conditional problem (kurobako's `CONDITIONAL` capability) with two
//! solver instances interleaved, as kurobako's external solvers are shared by its studies.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// A model-selection problem spec as kurobako 0.2.10 writes it: `C` only for the SVM, `depth`
/// only for the forest.
fn problem() -> Value {
    json!({"name": "model-selection", "attrs": {}, "steps": 1,
        "params_domain": [
            {"name": "model", "range": {"type": "CATEGORICAL", "choices": ["svm", "rf"]},
             "distribution": "UNIFORM"},
            {"name": "C", "range": {"type": "CONTINUOUS", "low": 0.001, "high": 1000.0},
             "distribution": "LOG_UNIFORM", "constraint": {"lua_script": "model == \"svm\""}},
            {"name": "depth", "range": {"type": "DISCRETE", "low": 1, "high": 11},
             "distribution": "UNIFORM", "constraint": {"lua_script": "model == \"rf\""}}],
        "values_domain": [{"name": "error", "range": {"type": "CONTINUOUS"},
                           "distribution": "UNIFORM"}]})
}

#[test]
fn a_conditional_problem_through_the_child_process() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hpo-bench"))
        .args(["kurobako", "--sampler", "tpe"])
        // Log lines go to stderr whatever the level; the level is not this test's business.
        .env_remove("HPO_VERBOSITY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hpo-bench starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut recv = || -> Value {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a reply line");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
    };
    let spec = recv();
    assert_eq!(spec["type"], "SOLVER_SPEC_CAST");
    assert!(
        spec["spec"]["capabilities"]
            .as_array()
            .expect("a list")
            .contains(&json!("CONDITIONAL")),
        "{spec}"
    );
    let mut send = |m: Value| writeln!(stdin, "{m}").expect("the solver reads");
    for solver in [0, 1] {
        send(json!({"type": "CREATE_SOLVER_CAST", "solver_id": solver,
                    "random_seed": 100 + solver, "problem": problem()}));
    }
    let mut models = [0, 0];
    for trial in 0..40u64 {
        let solver = trial % 2;
        send(json!({"type": "ASK_CALL", "solver_id": solver, "next_trial_id": trial}));
        let reply = recv();
        assert_eq!(reply["type"], "ASK_REPLY", "{reply}");
        let p = reply["trial"]["params"].as_array().expect("params").clone();
        let value = match p[0].as_f64() {
            Some(0.0) => {
                assert!(p[1].is_f64() && p[2].is_null(), "svm: {p:?}");
                models[0] += 1;
                p[1].as_f64().unwrap_or_default().log10().abs()
            }
            Some(1.0) => {
                assert!(p[1].is_null() && p[2].is_number(), "rf: {p:?}");
                models[1] += 1;
                (p[2].as_f64().unwrap_or_default() - 4.0).abs()
            }
            _ => panic!("model is a choice index: {p:?}"),
        };
        send(json!({"type": "TELL_CALL", "solver_id": solver,
                    "trial": {"id": trial, "values": [value], "current_step": 1}}));
        assert_eq!(recv(), json!({"type": "TELL_REPLY"}));
    }
    assert!(models[0] > 0 && models[1] > 0, "{models:?}");
    for solver in [0, 1] {
        send(json!({"type": "DROP_SOLVER_CAST", "solver_id": solver}));
    }
    drop(stdin);
    assert!(child.wait().expect("the solver exits").success());
}
