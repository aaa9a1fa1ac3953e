"""A small conditional kurobako problem (an external program; `kurobako problem command --
python bench/kurobako_conditional.py`): model selection between an SVM {C, kernel, gamma only for
the rbf kernel} and a random forest {depth}, each parameter active under a Lua condition. Its
value is a smooth function of the active parameters (optimum 0: svm, C = 10, rbf, gamma = 0.01);
it answers ERROR_REPLY when an inactive parameter has a value or an active one has none, so a
solver that mishandles conditions stops the run."""
import json, math, sys

SPEC = {"name": "model-selection", "attrs": {}, "steps": 1,
        "params_domain": [
            {"name": "model", "range": {"type": "CATEGORICAL", "choices": ["svm", "rf"]}, "distribution": "UNIFORM"},
            {"name": "C", "range": {"type": "CONTINUOUS", "low": 1e-3, "high": 1e3}, "distribution": "LOG_UNIFORM",
             "constraint": {"lua_script": "model == \"svm\""}},
            {"name": "kernel", "range": {"type": "CATEGORICAL", "choices": ["linear", "rbf"]}, "distribution": "UNIFORM",
             "constraint": {"lua_script": "model == \"svm\""}},
            {"name": "gamma", "range": {"type": "CONTINUOUS", "low": 1e-4, "high": 1.0}, "distribution": "LOG_UNIFORM",
             "constraint": {"lua_script": "kernel == \"rbf\""}},
            {"name": "depth", "range": {"type": "DISCRETE", "low": 1, "high": 11}, "distribution": "UNIFORM",
             "constraint": {"lua_script": "model == \"rf\""}}],
        "values_domain": [{"name": "error", "range": {"type": "CONTINUOUS"}, "distribution": "UNIFORM"}]}

def send(m):
    sys.stdout.write(json.dumps(m) + "\n"); sys.stdout.flush()

def value(p):
    model, c, kernel, gamma, depth = p
    active = [True, model == 0, model == 0, model == 0 and kernel == 1, model == 1]
    for name, a, v in zip(["model", "C", "kernel", "gamma", "depth"], active, p):
        if a != (v is not None):
            raise ValueError(f"{name}: active={a} but value={v} in {p}")
    if model == 0:
        g = 0.5 if gamma is None else (math.log10(gamma) + 2) ** 2
        return (math.log10(c) - 1) ** 2 + g
    return (depth - 7) ** 2 / 10 + 0.2

send({"type": "PROBLEM_SPEC_CAST", "spec": SPEC})
evaluators = {}
for line in sys.stdin:
    m = json.loads(line)
    t = m["type"]
    if t == "CREATE_EVALUATOR_CALL":
        try:
            evaluators[m["evaluator_id"]] = value(m["params"])
            send({"type": "CREATE_EVALUATOR_REPLY"})
        except ValueError as e:
            send({"type": "ERROR_REPLY", "kind": "INVALID_INPUT", "message": str(e)})
    elif t == "EVALUATE_CALL":
        send({"type": "EVALUATE_REPLY", "current_step": m["next_step"], "values": [evaluators[m["evaluator_id"]]]})
    elif t == "DROP_EVALUATOR_CAST":
        evaluators.pop(m["evaluator_id"], None)
