"""Optuna 5.0 as a kurobako external solver (kurobako-py 0.2.1 calls private Optuna APIs that 5.0
removed), so kurobako compares hpo's samplers with Optuna's on the same problems and seeds.

The protocol matches `hpo-bench kurobako`: JSON lines on stdin/stdout. Usage:
  kurobako solver command -- .venv/bin/python bench/optuna/kurobako_solver.py [tpe|random|qmc|gp]
(gp needs torch in that Python).
"""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
KIND = sys.argv[1] if len(sys.argv) > 1 else "tpe"


def sampler(seed):
    if KIND == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if KIND == "qmc":
        return optuna.samplers.QMCSampler(seed=seed)
    if KIND == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def sample(trial, var):
    rng, log = var["range"], var.get("distribution") == "LOG_UNIFORM"
    if rng["type"] == "CONTINUOUS":
        return trial.suggest_float(var["name"], rng["low"], rng["high"], log=log)
    if rng["type"] == "DISCRETE":  # kurobako: [low, high)
        return float(trial.suggest_int(var["name"], rng["low"], rng["high"] - 1, log=log))
    choices = rng["choices"]
    return float(choices.index(trial.suggest_categorical(var["name"], choices)))


send({"type": "SOLVER_SPEC_CAST", "spec": {
    "name": f"optuna-{KIND}", "attrs": {"version": optuna.__version__},
    "capabilities": ["UNIFORM_CONTINUOUS", "UNIFORM_DISCRETE", "LOG_UNIFORM_CONTINUOUS",
                     "LOG_UNIFORM_DISCRETE", "CATEGORICAL", "MULTI_OBJECTIVE", "CONCURRENT"]}})
solvers = {}
for line in sys.stdin:
    if not line.strip():
        continue
    msg = json.loads(line)
    kind = msg["type"]
    if kind == "CREATE_SOLVER_CAST":
        problem = msg["problem"]
        steps = problem["steps"]
        last = steps if isinstance(steps, int) else steps[-1]
        study = optuna.create_study(directions=["minimize"] * max(1, len(problem["values_domain"])),
                                    sampler=sampler(msg["random_seed"] % 2**32))
        solvers[msg["solver_id"]] = (study, problem["params_domain"], last, {})
    elif kind == "DROP_SOLVER_CAST":
        solvers.pop(msg["solver_id"], None)
    elif kind == "ASK_CALL":
        study, domain, last, pending = solvers[msg["solver_id"]]
        trial = study.ask()
        params = [sample(trial, v) for v in domain]
        pending[msg["next_trial_id"]] = trial
        send({"type": "ASK_REPLY", "trial": {"id": msg["next_trial_id"], "params": params,
                                              "next_step": last},
              "next_trial_id": msg["next_trial_id"] + 1})
    elif kind == "TELL_CALL":
        study, _, _, pending = solvers[msg["solver_id"]]
        told = msg["trial"]
        trial = pending.pop(told["id"])
        if told["values"]:
            study.tell(trial, told["values"] if len(told["values"]) > 1 else told["values"][0])
        else:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        send({"type": "TELL_REPLY"})
