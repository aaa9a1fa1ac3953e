//! `hpo-bench kurobako --sampler NAME`: an external solver for kurobako (optuna/kurobako), so any
//! hpo sampler is benchmarked there against its built-in solvers and Optuna's:
//!
//! ```text
//! kurobako solver command -- target/release/hpo-bench kurobako --sampler tpe
//! ```
//!
//! kurobako's external-solver protocol is one JSON object per line on stdin/stdout, tagged by
//! `type`: the solver announces itself (`SOLVER_SPEC_CAST`), then answers `CREATE_SOLVER_CAST`,
//! `ASK_CALL` (reply `ASK_REPLY`), `TELL_CALL` (reply `TELL_REPLY`) and `DROP_SOLVER_CAST`;
//! a failed call is answered with `ERROR_REPLY`. Each kurobako solver instance is one in-memory
//! hpo study (every objective minimized, as kurobako's problems are), seeded with kurobako's
//! `random_seed`; asks may run ahead of tells (the `CONCURRENT` capability).

use std::collections::HashMap;
use std::io::{BufRead, Write};

use hpo::{Study, StudyDirection, Trial};
use serde_json::{Value, json};

use crate::samplers;

/// One parameter of a kurobako problem.
#[derive(Debug, Clone, PartialEq)]
enum Var {
    Float {
        name: String,
        low: f64,
        high: f64,
        log: bool,
    },
    Int {
        name: String,
        low: i64,
        high: i64,
        log: bool,
    },
    Categorical {
        name: String,
        choices: Vec<String>,
    },
}

/// A solver instance: its study, the problem's parameters, and the trials asked but not told.
struct Instance {
    study: Study,
    vars: Vec<Var>,
    last_step: u64,
    pending: HashMap<u64, Trial>,
}

/// The solver's state across messages.
pub struct Solver {
    sampler: String,
    instances: HashMap<u64, Instance>,
}

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key)
        .ok_or_else(|| format!("message lacks `{key}`: {v}"))
}

fn uint(v: &Value, key: &str) -> Result<u64, String> {
    field(v, key)?
        .as_u64()
        .ok_or_else(|| format!("`{key}` is not an unsigned integer: {v}"))
}

/// The parameters of a problem spec's `params_domain`.
fn parse_vars(problem: &Value) -> Result<Vec<Var>, String> {
    let domain = field(problem, "params_domain")?
        .as_array()
        .ok_or("`params_domain` is not an array")?;
    domain
        .iter()
        .map(|v| {
            let name = field(v, "name")?
                .as_str()
                .ok_or("a parameter name is not a string")?
                .to_owned();
            if v.get("constraint").is_some_and(|c| !c.is_null()) {
                return Err(format!(
                    "parameter `{name}` is conditional, which this solver does not declare"
                ));
            }
            let log = v.get("distribution").and_then(Value::as_str) == Some("LOG_UNIFORM");
            let range = field(v, "range")?;
            let bound = |key: &str| -> Result<f64, String> {
                field(range, key)?
                    .as_f64()
                    .ok_or_else(|| format!("parameter `{name}`: `{key}` is not a number"))
            };
            match field(range, "type")?.as_str() {
                Some("CONTINUOUS") => Ok(Var::Float {
                    low: bound("low")?,
                    high: bound("high")?,
                    name,
                    log,
                }),
                // kurobako's discrete range is half-open: [low, high).
                Some("DISCRETE") => Ok(Var::Int {
                    low: bound("low")? as i64,
                    high: bound("high")? as i64 - 1,
                    name,
                    log,
                }),
                Some("CATEGORICAL") => Ok(Var::Categorical {
                    choices: field(range, "choices")?
                        .as_array()
                        .ok_or("`choices` is not an array")?
                        .iter()
                        .map(|c| c.as_str().unwrap_or_default().to_owned())
                        .collect(),
                    name,
                }),
                other => Err(format!("parameter `{name}`: unknown range type {other:?}")),
            }
        })
        .collect()
}

/// The last evaluation step: `steps` is either a number (the maximum) or a list of steps.
fn last_step(problem: &Value) -> Result<u64, String> {
    match field(problem, "steps")? {
        Value::Number(n) => n.as_u64().ok_or_else(|| "`steps` is not a count".into()),
        Value::Array(a) => a
            .last()
            .and_then(Value::as_u64)
            .ok_or_else(|| "`steps` is empty".into()),
        other => Err(format!("`steps` is neither a number nor a list: {other}")),
    }
}

/// Samples one parameter into kurobako's representation (categorical: the choice's index).
fn sample(trial: &mut Trial, var: &Var) -> hpo::Result<f64> {
    Ok(match var {
        Var::Float {
            name,
            low,
            high,
            log: false,
        } => trial.suggest_float(name, *low, *high)?,
        Var::Float {
            name,
            low,
            high,
            log: true,
        } => trial.suggest_float_log(name, *low, *high)?,
        Var::Int {
            name,
            low,
            high,
            log: false,
        } => trial.suggest_int(name, *low, *high)? as f64,
        Var::Int {
            name,
            low,
            high,
            log: true,
        } => trial.suggest_int_log(name, *low, *high)? as f64,
        Var::Categorical { name, choices } => {
            let chosen = trial.suggest_categorical(name, choices)?;
            choices.iter().position(|c| *c == chosen).unwrap_or(0) as f64
        }
    })
}

impl Solver {
    /// A solver whose instances use sampler `sampler` (as `--sampler` names it).
    pub fn new(sampler: &str) -> Result<Solver, String> {
        samplers::make(sampler, 0)?;
        Ok(Solver {
            sampler: sampler.to_owned(),
            instances: HashMap::new(),
        })
    }

    /// The `SOLVER_SPEC_CAST` message sent first.
    pub fn spec(&self) -> Value {
        json!({"type": "SOLVER_SPEC_CAST", "spec": {
            "name": format!("hpo-{}", self.sampler),
            "attrs": {"version": env!("CARGO_PKG_VERSION"), "library": "hpo (Rust)"},
            "capabilities": ["UNIFORM_CONTINUOUS", "UNIFORM_DISCRETE", "LOG_UNIFORM_CONTINUOUS",
                             "LOG_UNIFORM_DISCRETE", "CATEGORICAL", "MULTI_OBJECTIVE", "CONCURRENT"],
        }})
    }

    /// Handles one message; returns the reply, if the message is a call.
    pub fn handle(&mut self, msg: &Value) -> Result<Option<Value>, String> {
        match field(msg, "type")?.as_str().unwrap_or_default() {
            "CREATE_SOLVER_CAST" => {
                let id = uint(msg, "solver_id")?;
                let problem = field(msg, "problem")?;
                let n_objectives = field(problem, "values_domain")?
                    .as_array()
                    .map_or(1, Vec::len)
                    .max(1);
                let study = Study::builder()
                    .directions(vec![StudyDirection::Minimize; n_objectives])
                    .sampler_arc(samplers::make(&self.sampler, uint(msg, "random_seed")?)?)
                    .build()
                    .map_err(|e| e.to_string())?;
                let instance = Instance {
                    study,
                    vars: parse_vars(problem)?,
                    last_step: last_step(problem)?,
                    pending: HashMap::new(),
                };
                self.instances.insert(id, instance);
                Ok(None)
            }
            "DROP_SOLVER_CAST" => {
                self.instances.remove(&uint(msg, "solver_id")?);
                Ok(None)
            }
            "ASK_CALL" => {
                let instance = self.instance(msg)?;
                let id = uint(msg, "next_trial_id")?;
                let mut trial = instance.study.ask().map_err(|e| e.to_string())?;
                let params = instance
                    .vars
                    .iter()
                    .map(|v| sample(&mut trial, v))
                    .collect::<hpo::Result<Vec<f64>>>()
                    .map_err(|e| e.to_string())?;
                instance.pending.insert(id, trial);
                Ok(Some(json!({"type": "ASK_REPLY",
                    "trial": {"id": id, "params": params, "next_step": instance.last_step},
                    "next_trial_id": id + 1})))
            }
            "TELL_CALL" => {
                let instance = self.instance(msg)?;
                let told = field(msg, "trial")?;
                let id = uint(told, "id")?;
                let trial = instance
                    .pending
                    .remove(&id)
                    .ok_or_else(|| format!("trial {id} was not asked (or was told already)"))?;
                let values: Vec<f64> = field(told, "values")?
                    .as_array()
                    .ok_or("`values` is not an array")?
                    .iter()
                    .map(|v| v.as_f64().unwrap_or(f64::NAN))
                    .collect();
                let result = if values.is_empty() {
                    instance.study.tell_failed(trial, "unevaluable parameters")
                } else {
                    instance.study.tell(trial, values)
                };
                result.map_err(|e| e.to_string())?;
                Ok(Some(json!({"type": "TELL_REPLY"})))
            }
            other => Err(format!("unexpected message type `{other}`")),
        }
    }

    fn instance(&mut self, msg: &Value) -> Result<&mut Instance, String> {
        let id = uint(msg, "solver_id")?;
        self.instances
            .get_mut(&id)
            .ok_or_else(|| format!("unknown solver_id {id}"))
    }
}

/// Speaks the protocol on `input` / `output` until `input` ends.
pub fn serve(
    sampler: &str,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<serde_json::Value, String> {
    let mut solver = Solver::new(sampler)?;
    let mut send = |v: &Value| -> Result<(), String> {
        writeln!(output, "{v}")
            .and_then(|_| output.flush())
            .map_err(|e| format!("cannot write to kurobako: {e}"))
    };
    send(&solver.spec())?;
    let mut handled = 0u64;
    for line in input.lines() {
        let line = line.map_err(|e| format!("cannot read from kurobako: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let msg: Value =
            serde_json::from_str(&line).map_err(|e| format!("not JSON ({e}): {line}"))?;
        let is_call = msg["type"].as_str().is_some_and(|t| t.ends_with("_CALL"));
        match solver.handle(&msg) {
            Ok(Some(reply)) => send(&reply)?,
            Ok(None) => {}
            Err(e) if is_call => send(&json!({"type": "ERROR_REPLY", "kind": "OTHER",
                                              "message": e}))?,
            Err(e) => return Err(e),
        }
        handled += 1;
    }
    Ok(json!({"benchmark": "kurobako", "sampler": sampler, "messages": handled}))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn speaks_kurobakos_protocol() {
        let replies = converse(11);
        assert_eq!(replies[0]["type"], "SOLVER_SPEC_CAST");
        assert_eq!(replies[0]["spec"]["name"], "hpo-tpe");
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
    fn unknown_solver_and_conditional_params_are_refused() {
        let mut s = Solver::new("random").unwrap();
        let err = s
            .handle(&json!({"type": "ASK_CALL", "solver_id": 1, "next_trial_id": 0}))
            .unwrap_err();
        assert!(err.contains("unknown solver_id 1"), "{err}");
        let mut p = problem();
        p["params_domain"][0]["constraint"] = json!({"lua_script": "return true"});
        let err = s
            .handle(
                &json!({"type": "CREATE_SOLVER_CAST", "solver_id": 1, "random_seed": 0,
                            "problem": p}),
            )
            .unwrap_err();
        assert!(err.contains("`x` is conditional"), "{err}");
        assert!(Solver::new("nope").is_err());
    }
}
