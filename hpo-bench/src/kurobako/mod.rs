//! `hpo-bench kurobako --sampler NAME`: an external solver for kurobako (optuna/kurobako), so any
//! hpo sampler is benchmarked there against its built-in solvers and Optuna's:
//!
//! ```text
//! kurobako solver command -- target/release/hpo-bench kurobako --sampler tpe
//! ```
//!
//! kurobako's external-solver protocol is one JSON object per line on stdin/stdout, tagged by
//! `type`: the solver announces itself (`SOLVER_SPEC_CAST`), then takes `CREATE_SOLVER_CAST`,
//! answers `ASK_CALL` (reply `ASK_REPLY`) and `TELL_CALL` (reply `TELL_REPLY`), and takes
//! `DROP_SOLVER_CAST`; a failed call is answered with `ERROR_REPLY`. Each kurobako solver instance
//! is one in-memory hpo study (every objective minimized, as kurobako's problems are: as many
//! as `values_domain` has entries, each TELL's `values` one per objective, empty when the trial
//! could not be evaluated), seeded with kurobako's `random_seed`.
//!
//! Capabilities declared: every range and distribution (uniform and log-uniform, continuous and
//! discrete; categorical), `MULTI_OBJECTIVE`, `CONCURRENT` (asks may run ahead of tells) and
//! `CONDITIONAL`: a parameter with a `constraint` (a Lua condition over the parameters before
//! it, see [`constraint`]) is suggested only where its condition holds, and is `null` in the
//! ASK reply's `params` where it does not (kurobako's mark of an inactive parameter). The
//! conditions are parsed when the instance is created; one outside the supported subset of Lua
//! makes that instance's calls fail with an `ERROR_REPLY` naming the parameter and condition.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use hpo::{Study, StudyDirection, Trial};
use serde_json::{Value, json};

use crate::samplers;

mod constraint;

use constraint::Constraint;

/// What values a kurobako parameter takes.
#[derive(Debug, Clone, PartialEq)]
enum Domain {
    Float { low: f64, high: f64, log: bool },
    Int { low: i64, high: i64, log: bool },
    Categorical { choices: Vec<String> },
}

/// One parameter of a kurobako problem: active when it has no constraint or its constraint holds.
#[derive(Debug, Clone, PartialEq)]
struct Param {
    name: String,
    domain: Domain,
    constraint: Option<Constraint>,
}

/// A solver instance: its study, the problem's parameters, and the trials asked but not told.
struct Instance {
    study: Study,
    params: Vec<Param>,
    n_objectives: usize,
    last_step: u64,
    pending: HashMap<u64, Trial>,
}

/// The solver's state across messages.
pub struct Solver {
    sampler: String,
    /// Each instance kurobako created, or why it could not be (`CREATE_SOLVER_CAST` has no
    /// reply, so the reason is the reply to that instance's next call).
    instances: HashMap<u64, Result<Instance, String>>,
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

/// A parameter's constraint source: kurobako writes `{"lua_script": "..."}` (kurobako-py a bare
/// string); none, or `null`, for an unconditional parameter.
fn constraint_source<'a>(v: &'a Value, name: &str) -> Result<Option<&'a str>, String> {
    match v.get("constraint") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(c) => c
            .get("lua_script")
            .and_then(Value::as_str)
            .map(Some)
            .ok_or_else(|| {
                format!("parameter `{name}`: `constraint` is not {{\"lua_script\": STRING}}: {c}")
            }),
    }
}

/// The parameters of a problem spec's `params_domain`, in order, their constraints parsed.
fn parse_params(problem: &Value) -> Result<Vec<Param>, String> {
    let domain = field(problem, "params_domain")?
        .as_array()
        .ok_or("`params_domain` is not an array")?;
    let mut params: Vec<Param> = Vec::with_capacity(domain.len());
    for v in domain {
        let name = field(v, "name")?
            .as_str()
            .ok_or("a parameter name is not a string")?
            .to_owned();
        let log = v.get("distribution").and_then(Value::as_str) == Some("LOG_UNIFORM");
        let range = field(v, "range")?;
        let bound = |key: &str| -> Result<f64, String> {
            field(range, key)?
                .as_f64()
                .ok_or_else(|| format!("parameter `{name}`: `{key}` is not a number"))
        };
        let domain = match field(range, "type")?.as_str() {
            Some("CONTINUOUS") => Domain::Float {
                low: bound("low")?,
                high: bound("high")?,
                log,
            },
            // kurobako's discrete range is half-open: [low, high).
            Some("DISCRETE") => Domain::Int {
                low: bound("low")? as i64,
                high: bound("high")? as i64 - 1,
                log,
            },
            Some("CATEGORICAL") => Domain::Categorical {
                choices: field(range, "choices")?
                    .as_array()
                    .ok_or("`choices` is not an array")?
                    .iter()
                    .map(|c| {
                        c.as_str().map(str::to_owned).ok_or_else(|| {
                            format!("parameter `{name}`: choice {c} is not a string")
                        })
                    })
                    .collect::<Result<_, String>>()?,
            },
            other => return Err(format!("parameter `{name}`: unknown range type {other:?}")),
        };
        let constraint = match constraint_source(v, &name)? {
            None => None,
            Some(source) => {
                let earlier: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                Some(Constraint::parse(source, &earlier).map_err(|e| {
                    format!("parameter `{name}`: unsupported constraint `{source}`: {e}")
                })?)
            }
        };
        params.push(Param {
            name,
            domain,
            constraint,
        });
    }
    Ok(params)
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

/// Samples one parameter: its value in kurobako's representation (categorical: the choice's
/// index) and as a constraint reads it (categorical: the choice's name).
fn sample<'p>(trial: &mut Trial, param: &'p Param) -> Result<(f64, constraint::Value<'p>), String> {
    let name = &param.name;
    let number = match &param.domain {
        Domain::Float {
            low,
            high,
            log: false,
        } => trial.suggest_float(name, *low, *high),
        Domain::Float {
            low,
            high,
            log: true,
        } => trial.suggest_float_log(name, *low, *high),
        Domain::Int {
            low,
            high,
            log: false,
        } => trial.suggest_int(name, *low, *high).map(|n| n as f64),
        Domain::Int {
            low,
            high,
            log: true,
        } => trial.suggest_int_log(name, *low, *high).map(|n| n as f64),
        Domain::Categorical { choices } => {
            let chosen = trial
                .suggest_categorical(name, choices)
                .map_err(|e| e.to_string())?;
            let index = choices
                .iter()
                .position(|c| *c == chosen)
                .ok_or_else(|| format!("parameter `{name}`: `{chosen}` is not a choice"))?;
            return Ok((index as f64, constraint::Value::Str(&choices[index])));
        }
    }
    .map_err(|e| e.to_string())?;
    Ok((number, constraint::Value::Num(number)))
}

impl Instance {
    /// One trial's parameters in the problem's order: each active one suggested, each inactive
    /// one (its constraint unmet over the values before it) not, and `null` in kurobako's list.
    fn suggest(&self, trial: &mut Trial) -> Result<Vec<Value>, String> {
        let mut seen: Vec<Option<constraint::Value<'_>>> = Vec::with_capacity(self.params.len());
        let mut out = Vec::with_capacity(self.params.len());
        for param in &self.params {
            let active = match &param.constraint {
                None => true,
                Some(c) => c.is_satisfied(&seen).map_err(|e| {
                    format!(
                        "parameter `{}`: cannot evaluate its constraint `{}`: {e}",
                        param.name,
                        c.source()
                    )
                })?,
            };
            if active {
                let (number, value) = sample(trial, param)?;
                seen.push(Some(value));
                out.push(json!(number));
            } else {
                seen.push(None);
                out.push(Value::Null);
            }
        }
        Ok(out)
    }
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
                             "LOG_UNIFORM_DISCRETE", "CATEGORICAL", "CONDITIONAL",
                             "MULTI_OBJECTIVE", "CONCURRENT"],
        }})
    }

    fn create(&self, msg: &Value) -> Result<Instance, String> {
        let problem = field(msg, "problem")?;
        let n_objectives = field(problem, "values_domain")?
            .as_array()
            .map_or(1, Vec::len)
            .max(1);
        let params = parse_params(problem)?;
        let study = Study::builder()
            .directions(vec![StudyDirection::Minimize; n_objectives])
            .sampler_arc(samplers::make(&self.sampler, uint(msg, "random_seed")?)?)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Instance {
            study,
            params,
            n_objectives,
            last_step: last_step(problem)?,
            pending: HashMap::new(),
        })
    }

    /// Handles one message; returns the reply, if the message is a call. A
    /// `CREATE_SOLVER_CAST` that fails returns its error and leaves it as the error of every
    /// later call to that instance.
    pub fn handle(&mut self, msg: &Value) -> Result<Option<Value>, String> {
        match field(msg, "type")?.as_str().unwrap_or_default() {
            "CREATE_SOLVER_CAST" => {
                let id = uint(msg, "solver_id")?;
                let created = self
                    .create(msg)
                    .map_err(|e| format!("solver {id} cannot take this problem: {e}"));
                let result = created.as_ref().map(|_| None).map_err(Clone::clone);
                self.instances.insert(id, created);
                result
            }
            "DROP_SOLVER_CAST" => {
                self.instances.remove(&uint(msg, "solver_id")?);
                Ok(None)
            }
            "ASK_CALL" => {
                let instance = self.instance(msg)?;
                let id = uint(msg, "next_trial_id")?;
                let mut trial = instance.study.ask().map_err(|e| e.to_string())?;
                let params = match instance.suggest(&mut trial) {
                    Ok(params) => params,
                    Err(e) => {
                        // Not left running: the study's trial fails with the reason.
                        instance
                            .study
                            .tell_failed(trial, &e)
                            .map_err(|t| format!("{e} (and then: {t})"))?;
                        return Err(e);
                    }
                };
                instance.pending.insert(id, trial);
                Ok(Some(json!({"type": "ASK_REPLY",
                    "trial": {"id": id, "params": params, "next_step": instance.last_step},
                    "next_trial_id": id + 1})))
            }
            "TELL_CALL" => {
                let instance = self.instance(msg)?;
                let told = field(msg, "trial")?;
                let id = uint(told, "id")?;
                let values: Vec<f64> = field(told, "values")?
                    .as_array()
                    .ok_or("`values` is not an array")?
                    .iter()
                    .map(|v| v.as_f64().unwrap_or(f64::NAN))
                    .collect();
                if !values.is_empty() && values.len() != instance.n_objectives {
                    return Err(format!(
                        "trial {id}: {} values told for {} objectives",
                        values.len(),
                        instance.n_objectives
                    ));
                }
                let trial = instance
                    .pending
                    .remove(&id)
                    .ok_or_else(|| format!("trial {id} was not asked (or was told already)"))?;
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
        match self.instances.get_mut(&id) {
            Some(Ok(instance)) => Ok(instance),
            Some(Err(why)) => Err(why.clone()),
            None => Err(format!("unknown solver_id {id}")),
        }
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
            // A cast has no reply: its error goes to stderr (kurobako passes it through), and a
            // failed CREATE_SOLVER_CAST is also the error reply to that instance's next call.
            Err(e) => eprintln!("hpo-bench kurobako: {e}"),
        }
        handled += 1;
    }
    Ok(json!({"benchmark": "kurobako", "sampler": sampler, "messages": handled}))
}

#[cfg(test)]
mod tests;
