use super::*;

/// No INFO line per trial on the test's stderr.
fn quiet() {
    hpo::logging::set_verbosity(hpo::logging::Verbosity::Warning);
}

fn problem() -> Value {
    json!({"name": "toy", "attrs": {}, "steps": 1,
        "params_domain": [
            {"name": "x", "range": {"type": "CONTINUOUS", "low": -5.0, "high": 5.0},
             "distribution": "UNIFORM"},
            {"name": "lr", "range": {"type": "CONTINUOUS", "low": 1e-4, "high": 1.0},
             "distribution": "LOG_UNIFORM"},
            {"name": "n", "range": {"type": "DISCRETE", "low": 1, "high": 4},
             "distribution": "UNIFORM"},
            {"name": "c", "range": {"type": "CATEGORICAL", "choices": ["a", "b", "c"]},
             "distribution": "UNIFORM"}],
        "values_domain": [{"name": "y", "range": {"type": "CONTINUOUS"},
                           "distribution": "UNIFORM"}]})
}

/// A whole conversation, as kurobako would hold it: the replies follow the protocol, the
/// params respect the domain (discrete `high` is exclusive, categorical is an index), and
/// the same seed gives the same params.
fn converse(seed: u64) -> Vec<Value> {
    let mut input = String::new();
    input.push_str(
        &json!({"type": "CREATE_SOLVER_CAST", "solver_id": 7, "random_seed": seed,
                "problem": problem()})
        .to_string(),
    );
    input.push('\n');
    for id in 0..30u64 {
        input.push_str(
            &json!({"type": "ASK_CALL", "solver_id": 7, "next_trial_id": id}).to_string(),
        );
        input.push('\n');
        let values = if id == 3 {
            json!([])
        } else {
            json!([id as f64])
        };
        input.push_str(
            &json!({"type": "TELL_CALL", "solver_id": 7,
                    "trial": {"id": id, "values": values, "current_step": 1}})
            .to_string(),
        );
        input.push('\n');
    }
    input.push_str(
        &json!({"type": "TELL_CALL", "solver_id": 7,
                           "trial": {"id": 99, "values": [1.0], "current_step": 1}})
        .to_string(),
    );
    input.push('\n');
    input.push_str(&json!({"type": "DROP_SOLVER_CAST", "solver_id": 7}).to_string());
    input.push('\n');
    let mut out = Vec::new();
    let summary = serve("tpe", input.as_bytes(), &mut out).unwrap();
    assert_eq!(summary["messages"], 63);
    json_lines(out)
}

#[test]
fn speaks_kurobakos_protocol() {
    quiet();
    let replies = converse(11);
    assert_eq!(replies[0]["type"], "SOLVER_SPEC_CAST");
    assert_eq!(replies[0]["spec"]["name"], "hpo-tpe");
    // Every capability kurobako 0.2.10 knows (`Capabilities::all()`).
    let mut caps: Vec<&str> = replies[0]["spec"]["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    caps.sort_unstable();
    assert_eq!(
        caps,
        [
            "CATEGORICAL",
            "CONCURRENT",
            "CONDITIONAL",
            "LOG_UNIFORM_CONTINUOUS",
            "LOG_UNIFORM_DISCRETE",
            "MULTI_OBJECTIVE",
            "UNIFORM_CONTINUOUS",
            "UNIFORM_DISCRETE"
        ]
    );
    assert_eq!(replies.len(), 1 + 60 + 1);
    for (i, pair) in replies[1..61].chunks(2).enumerate() {
        let (ask, tell) = (&pair[0], &pair[1]);
        assert_eq!(ask["type"], "ASK_REPLY");
        assert_eq!(ask["trial"]["id"], i as u64);
        assert_eq!(ask["next_trial_id"], i as u64 + 1);
        assert_eq!(ask["trial"]["next_step"], 1);
        let p: Vec<f64> = serde_json::from_value(ask["trial"]["params"].clone()).unwrap();
        assert!((-5.0..=5.0).contains(&p[0]));
        assert!((1e-4..=1.0).contains(&p[1]));
        assert!(
            [1.0, 2.0, 3.0].contains(&p[2]),
            "discrete high is exclusive: {p:?}"
        );
        assert!([0.0, 1.0, 2.0].contains(&p[3]), "categorical index: {p:?}");
        assert_eq!(tell["type"], "TELL_REPLY");
    }
    let err = &replies[61];
    assert_eq!(err["type"], "ERROR_REPLY");
    assert!(err["message"].as_str().unwrap().contains("99"), "{err}");
    assert_eq!(
        converse(11)[1..61],
        replies[1..61],
        "same seed, same conversation"
    );
    assert_ne!(converse(12)[1..61], replies[1..61]);
}

#[test]
fn unknown_solver_is_an_error() {
    quiet();
    let mut s = Solver::new("random").unwrap();
    let err = s
        .handle(&json!({"type": "ASK_CALL", "solver_id": 1, "next_trial_id": 0}))
        .unwrap_err();
    assert!(err.contains("unknown solver_id 1"), "{err}");
    assert!(Solver::new("nope").is_err());
}

/// Every name `samplers::make` takes, as its error message lists them.
fn sampler_names() -> Vec<String> {
    let Err(err) = samplers::make("no such sampler", 0) else {
        panic!("an unknown name is refused");
    };
    let listed = err
        .split("available: ")
        .nth(1)
        .expect("the error lists the samplers");
    let names: Vec<String> = listed
        .trim_end_matches(')')
        .split(", ")
        .map(str::to_owned)
        .collect();
    assert!(names.iter().any(|n| n == "tpe") && names.iter().any(|n| n == "random"));
    names
}

/// A model-selection problem, as kurobako 0.2.10 serializes a `ProblemSpec` whose variables
/// have constraints: `C` and `kernel` only for the SVM, `gamma` only for its RBF kernel (so
/// never for the forest: `kernel` is inactive there), `depth` only for the forest.
fn model_selection() -> Value {
    json!({"name": "model-selection", "attrs": {"version": "1"}, "steps": 1,
        "params_domain": [
            {"name": "model", "range": {"type": "CATEGORICAL", "choices": ["svm", "rf"]},
             "distribution": "UNIFORM"},
            {"name": "C", "range": {"type": "CONTINUOUS", "low": 1e-3, "high": 1e3},
             "distribution": "LOG_UNIFORM", "constraint": {"lua_script": "model == \"svm\""}},
            {"name": "kernel", "range": {"type": "CATEGORICAL", "choices": ["linear", "rbf"]},
             "distribution": "UNIFORM", "constraint": {"lua_script": "model == \"svm\""}},
            {"name": "gamma", "range": {"type": "CONTINUOUS", "low": 1e-4, "high": 1.0},
             "distribution": "LOG_UNIFORM", "constraint": {"lua_script": "kernel == \"rbf\""}},
            {"name": "depth", "range": {"type": "DISCRETE", "low": 1, "high": 11},
             "distribution": "UNIFORM", "constraint": {"lua_script": "model == 'rf'"}}],
        "values_domain": [{"name": "error", "range": {"type": "CONTINUOUS"},
                           "distribution": "UNIFORM"}]})
}

fn create(s: &mut Solver, id: u64, seed: u64, problem: Value) -> Result<Option<Value>, String> {
    s.handle(
        &json!({"type": "CREATE_SOLVER_CAST", "solver_id": id, "random_seed": seed,
                     "problem": problem}),
    )
}

fn ask(s: &mut Solver, id: u64, trial: u64) -> Value {
    let reply = s
        .handle(&json!({"type": "ASK_CALL", "solver_id": id, "next_trial_id": trial}))
        .unwrap()
        .unwrap();
    assert_eq!(reply["type"], "ASK_REPLY");
    assert_eq!(reply["trial"]["id"], trial);
    assert_eq!(reply["next_trial_id"], trial + 1);
    reply["trial"]["params"].clone()
}

fn tell(s: &mut Solver, id: u64, trial: u64, values: Value) {
    let reply = s
        .handle(&json!({"type": "TELL_CALL", "solver_id": id,
                        "trial": {"id": trial, "values": values, "current_step": 1}}))
        .unwrap()
        .unwrap();
    assert_eq!(reply, json!({"type": "TELL_REPLY"}));
}

/// Checks one ASK reply of [`model_selection`]: every active parameter is a value in its range,
/// every inactive one `null`; returns the objective's value and whether it was the SVM.
fn check_model_selection(p: &Value) -> (f64, bool) {
    let p = p.as_array().unwrap();
    assert_eq!(p.len(), 5, "{p:?}");
    let model = p[0].as_f64().unwrap();
    assert!(model == 0.0 || model == 1.0, "{p:?}");
    if model == 0.0 {
        let c = p[1].as_f64().expect("C is active for the SVM");
        assert!((1e-3..=1e3).contains(&c), "{p:?}");
        let kernel = p[2].as_f64().expect("kernel is active for the SVM");
        assert!(kernel == 0.0 || kernel == 1.0, "{p:?}");
        if kernel == 1.0 {
            let gamma = p[3].as_f64().expect("gamma is active for the RBF kernel");
            assert!((1e-4..=1.0).contains(&gamma), "{p:?}");
        } else {
            assert!(
                p[3].is_null(),
                "gamma inactive for the linear kernel: {p:?}"
            );
        }
        assert!(p[4].is_null(), "depth inactive for the SVM: {p:?}");
        let gamma_term = p[3].as_f64().map_or(0.5, |g| (g.log10() + 2.0).powi(2));
        ((c.log10() - 1.0).powi(2) + gamma_term, true)
    } else {
        for (i, name) in [(1, "C"), (2, "kernel"), (3, "gamma")] {
            assert!(p[i].is_null(), "{name} inactive for the forest: {p:?}");
        }
        let depth = p[4].as_f64().expect("depth is active for the forest");
        assert!(
            (1.0..=10.0).contains(&depth) && depth.fract() == 0.0,
            "discrete, high exclusive: {p:?}"
        );
        ((depth - 7.0).powi(2) / 10.0 + 0.2, false)
    }
}

/// The parameters hpo's study holds for each trial: only the active ones were suggested.
fn suggested(s: &Solver, id: u64) -> Vec<Vec<String>> {
    let Some(Ok(instance)) = s.instances.get(&id) else {
        panic!("solver {id} was created");
    };
    instance
        .study
        .trials()
        .unwrap()
        .iter()
        .map(|t| t.params.keys().cloned().collect())
        .collect()
}

fn run_model_selection(sampler: &str, n: u64) -> Vec<Value> {
    let mut s = Solver::new(sampler).unwrap();
    assert_eq!(create(&mut s, 3, 5, model_selection()), Ok(None));
    let mut asked = Vec::new();
    let (mut svm, mut rf) = (0, 0);
    for t in 0..n {
        let p = ask(&mut s, 3, t);
        let (value, is_svm) = check_model_selection(&p);
        if is_svm {
            svm += 1;
        } else {
            rf += 1;
        }
        tell(&mut s, 3, t, json!([value]));
        asked.push(p);
    }
    assert!(
        svm > 0 && rf > 0,
        "{sampler}: both models tried ({svm} / {rf})"
    );
    // In hpo's study, each trial holds exactly its active parameters.
    for (p, names) in asked.iter().zip(suggested(&s, 3)) {
        let active: Vec<&str> = ["model", "C", "kernel", "gamma", "depth"]
            .into_iter()
            .zip(p.as_array().unwrap())
            .filter(|(_, v)| !v.is_null())
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, active, "{sampler}");
    }
    asked
}

#[test]
fn conditional_parameters_are_suggested_only_where_active_tpe_and_random() {
    quiet();
    for sampler in ["tpe", "random"] {
        let asked = run_model_selection(sampler, 30);
        assert_eq!(
            run_model_selection(sampler, 30),
            asked,
            "{sampler}: same seed, same trials"
        );
    }
}

#[test]
fn every_sampler_takes_a_conditional_problem() {
    quiet();
    for sampler in sampler_names() {
        run_model_selection(&sampler, 14);
    }
}

#[test]
fn a_constraint_in_kurobako_pys_form_a_bare_string_is_taken() {
    quiet();
    let mut p = model_selection();
    for v in p["params_domain"].as_array_mut().unwrap() {
        if let Some(script) = v.get("constraint").map(|c| c["lua_script"].clone()) {
            v["constraint"] = script;
        }
    }
    p["params_domain"][0]["constraint"] = Value::Null;
    let mut s = Solver::new("tpe").unwrap();
    assert_eq!(create(&mut s, 0, 1, p), Ok(None));
    for t in 0..10 {
        let (value, _) = check_model_selection(&ask(&mut s, 0, t));
        tell(&mut s, 0, t, json!([value]));
    }
}

/// A two-objective problem as kurobako writes ZDT1's spec (two unbounded values, a reference
/// point, the steps as a list).
fn two_objectives() -> Value {
    json!({"name": "ZDT1", "attrs": {}, "steps": [1],
        "params_domain": [
            {"name": "x0", "range": {"type": "CONTINUOUS", "low": 0.0, "high": 1.0},
             "distribution": "UNIFORM"},
            {"name": "x1", "range": {"type": "CONTINUOUS", "low": 0.0, "high": 1.0},
             "distribution": "UNIFORM"}],
        "values_domain": [
            {"name": "f1", "range": {"type": "CONTINUOUS"}, "distribution": "UNIFORM"},
            {"name": "f2", "range": {"type": "CONTINUOUS"}, "distribution": "UNIFORM"}],
        "reference_point": [11.0, 11.0]})
}

#[test]
fn two_objectives_with_concurrent_asks() {
    quiet();
    for sampler in ["nsga2", "tpe", "random"] {
        let mut s = Solver::new(sampler).unwrap();
        assert_eq!(create(&mut s, 9, 2, two_objectives()), Ok(None));
        let mut next = 0;
        for _round in 0..6 {
            // Four asks run ahead of their tells, which come back in another order.
            let batch: Vec<(u64, Vec<f64>)> = (0..4)
                .map(|_| {
                    let p = serde_json::from_value(ask(&mut s, 9, next)).unwrap();
                    next += 1;
                    (next - 1, p)
                })
                .collect();
            for (t, p) in batch.iter().rev() {
                assert!(p.iter().all(|x| (0.0..=1.0).contains(x)), "{p:?}");
                let g = 1.0 + 9.0 * p[1];
                tell(&mut s, 9, *t, json!([p[0], g * (1.0 - (p[0] / g).sqrt())]));
            }
        }
        // One value for two objectives is refused, and the trial can still be told.
        let p: Vec<f64> = serde_json::from_value(ask(&mut s, 9, next)).unwrap();
        let err = s
            .handle(&json!({"type": "TELL_CALL", "solver_id": 9,
                            "trial": {"id": next, "values": [1.0], "current_step": 1}}))
            .unwrap_err();
        assert!(err.contains("2 objectives"), "{err}");
        tell(&mut s, 9, next, json!([p[0], 1.0]));
        let Some(Ok(instance)) = s.instances.get(&9) else {
            panic!("created");
        };
        let trials = instance.study.trials().unwrap();
        assert_eq!(trials.len(), 25, "{sampler}");
        for t in &trials {
            assert_eq!(t.state, hpo::TrialState::Complete, "{sampler}");
            assert_eq!(t.values.as_ref().map(Vec::len), Some(2), "{sampler}");
        }
    }
}

/// The replies `serve` writes for `messages`.
fn serve_lines(messages: &[Value]) -> Vec<Value> {
    let input: String = messages.iter().map(|m| format!("{m}\n")).collect();
    let mut out = Vec::new();
    serve("tpe", input.as_bytes(), &mut out).unwrap();
    json_lines(out)
}

/// The JSON value of each line `serve` wrote to `out`.
fn json_lines(out: Vec<u8>) -> Vec<Value> {
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn an_unsupported_constraint_is_an_error_reply_naming_the_parameter() {
    quiet();
    let mut p = model_selection();
    p["params_domain"][4]["constraint"] = json!({"lua_script": "model ~= nil"});
    let replies = serve_lines(&[
        json!({"type": "CREATE_SOLVER_CAST", "solver_id": 0, "random_seed": 1, "problem": p}),
        json!({"type": "CREATE_SOLVER_CAST", "solver_id": 1, "random_seed": 1,
               "problem": model_selection()}),
        json!({"type": "ASK_CALL", "solver_id": 0, "next_trial_id": 0}),
        json!({"type": "ASK_CALL", "solver_id": 1, "next_trial_id": 0}),
        json!({"type": "TELL_CALL", "solver_id": 0,
               "trial": {"id": 0, "values": [1.0], "current_step": 1}}),
    ]);
    assert_eq!(replies.len(), 4, "{replies:?}");
    for err in [&replies[1], &replies[3]] {
        assert_eq!(err["type"], "ERROR_REPLY");
        assert_eq!(err["kind"], "OTHER");
        let msg = err["message"].as_str().unwrap();
        assert!(
            msg.contains("parameter `depth`") && msg.contains("`model ~= nil`"),
            "{msg}"
        );
        assert!(msg.contains("`nil` is not supported"), "{msg}");
    }
    // The other instance, on the same solver process, is unaffected.
    assert_eq!(replies[2]["type"], "ASK_REPLY");
    check_model_selection(&replies[2]["trial"]["params"]);
}

#[test]
fn malformed_constraints_fail_when_the_solver_is_created() {
    quiet();
    for (i, script, fragment) in [
        (
            1,
            json!({"lua_script": "model = \"svm\""}),
            "`=` is not supported",
        ),
        (
            1,
            json!({"lua_script": "depth > 2"}),
            "`depth` is not a parameter before",
        ),
        (3, json!({"lua_script": "(kernel == \"rbf\""}), "not closed"),
        (2, json!({"script": "x"}), "`constraint` is not"),
        (2, json!(42), "`constraint` is not"),
    ] {
        let mut p = model_selection();
        p["params_domain"][i]["constraint"] = script;
        let mut s = Solver::new("random").unwrap();
        let err = create(&mut s, 4, 0, p).unwrap_err();
        let name = ["model", "C", "kernel", "gamma", "depth"][i];
        assert!(err.contains(&format!("parameter `{name}`")), "{err}");
        assert!(err.contains(fragment), "{err}");
        let again = s
            .handle(&json!({"type": "ASK_CALL", "solver_id": 4, "next_trial_id": 0}))
            .unwrap_err();
        assert_eq!(again, err);
    }
}

#[test]
fn a_constraint_failing_at_run_time_is_an_error_reply_and_fails_the_trial() {
    quiet();
    let mut p = model_selection();
    // Lua cannot order a string (`model`) with a number.
    p["params_domain"][4]["constraint"] = json!({"lua_script": "model > 1"});
    let mut s = Solver::new("random").unwrap();
    assert_eq!(create(&mut s, 0, 0, p), Ok(None));
    let err = s
        .handle(&json!({"type": "ASK_CALL", "solver_id": 0, "next_trial_id": 0}))
        .unwrap_err();
    assert!(
        err.contains("parameter `depth`")
            && err.contains("`model > 1`")
            && err.contains("cannot order a string and a number"),
        "{err}"
    );
    let Some(Ok(instance)) = s.instances.get(&0) else {
        panic!("created");
    };
    let trials = instance.study.trials().unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].state, hpo::TrialState::Fail, "not left running");
}
