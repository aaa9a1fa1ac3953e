"""Golden decision tables for hpo-pruners, made by Optuna 5.0.0 itself.

For each case a study history is built with Optuna (add_trial), a running trial reports its
intermediate values, and the named pruner's decision (and, for successive halving, the rung
attributes it writes) is recorded. The Rust tests replay the same histories and must decide the
same way. Also records scipy's Wilcoxon signed-rank p-values (zero_method="zsplit").

Regenerate (needs optuna==5.0.0 and scipy in the Python used):
    .venv/bin/python hpo-pruners/tests/golden/make_golden.py hpo-pruners/tests/golden
"""

from __future__ import annotations

import json
import math
import random
import sys
import warnings
from pathlib import Path

import numpy as np
import optuna
import scipy
import scipy.stats as ss
from optuna.trial import TrialState, create_trial

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.simplefilter("ignore")


def enc(x):
    """JSON-safe float: non-finite values as strings."""
    if x is None:
        return None
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


def enc_attrs(attrs: dict) -> dict:
    return {k: enc(v) for k, v in attrs.items()}


def make_pruner(spec: dict):
    p = optuna.pruners
    kind, a = spec["kind"], dict(spec["args"])
    if kind == "median":
        return p.MedianPruner(**a)
    if kind == "percentile":
        return p.PercentilePruner(**a)
    if kind == "successive_halving":
        return p.SuccessiveHalvingPruner(**a)
    if kind == "hyperband":
        return p.HyperbandPruner(**a)
    if kind == "threshold":
        return p.ThresholdPruner(**a)
    if kind == "patient":
        wrapped = a.pop("wrapped")
        return p.PatientPruner(make_pruner(wrapped) if wrapped else None, **a)
    if kind == "wilcoxon":
        return p.WilcoxonPruner(**a)
    raise ValueError(kind)


def value(rng: random.Random, nan_p=0.05, inf_p=0.03) -> float:
    r = rng.random()
    if r < nan_p:
        return float("nan")
    if r < nan_p + inf_p:
        return rng.choice([float("inf"), float("-inf")])
    return round(rng.gauss(1.0, 0.5), 3)


def run_case(case: dict) -> dict:
    pruner = make_pruner(case["pruner"])
    study = optuna.create_study(
        study_name=case["study_name"], direction=case["direction"], pruner=pruner
    )
    for t in case["trials"]:
        state = TrialState[t["state"]]
        iv = {s: v for s, v in t["intermediate"]}
        kwargs = dict(state=state, intermediate_values=iv, system_attrs=t["system_attrs"])
        if state == TrialState.COMPLETE:
            kwargs["value"] = t["value"]
        study.add_trial(create_trial(**kwargs))
    trial = study.ask()
    for k, v in case["current"]["system_attrs"].items():
        study._storage.set_trial_system_attr(trial._trial_id, k, v)
    for s, v in case["current"]["intermediate"]:
        trial.report(v, s)
    frozen = study._storage.get_trial(trial._trial_id)
    decision = pruner.prune(study, frozen)
    after = study._storage.get_trial(trial._trial_id).system_attrs
    out = dict(case)
    out["trials"] = [
        dict(t, intermediate=[[s, enc(v)] for s, v in t["intermediate"]], value=enc(t.get("value")),
             system_attrs=enc_attrs(t["system_attrs"]))
        for t in case["trials"]
    ]
    out["current"] = dict(
        case["current"], intermediate=[[s, enc(v)] for s, v in case["current"]["intermediate"]]
    )
    out["expected"] = bool(decision)
    out["current_system_attrs_after"] = enc_attrs(after)
    out["current_number"] = trial.number
    if case["pruner"]["kind"] == "hyperband":
        out["bracket_of_current"] = pruner._get_bracket_id(study, frozen)
    return out


def history(rng: random.Random, direction: str, max_trials=12, max_step=10, rungs=False, dense=False):
    trials = []
    for _ in range(rng.randint(dense * 5, max_trials)):
        state = rng.choice(["COMPLETE"] * 4 + ["PRUNED", "FAIL", "RUNNING"])
        if dense:
            steps = [s for s in range(0, max_step + 1) if rng.random() < 0.9]
        else:
            steps = sorted(rng.sample(range(0, max_step + 1), rng.randint(0, max_step + 1)))
        iv = [[s, value(rng)] for s in steps]
        attrs = {}
        if rungs and iv:
            for k in range(rng.randint(0, 3)):
                attrs[f"completed_rung_{k}"] = round(rng.gauss(1.0, 0.5), 3)
        v = round(rng.gauss(1.0, 0.5), 3) if state == "COMPLETE" else None
        trials.append({"state": state, "value": v, "intermediate": iv, "system_attrs": attrs})
    return trials


def current(rng: random.Random, max_step=10, rungs=False, duplicates=True, dense=False):
    n = rng.randint(0, max_step + 1)
    steps = sorted(rng.sample(range(0, max_step + 1), n))
    bias = 0.0
    if dense:
        steps = list(range(0, rng.randint(0, max_step) + 1))
        bias = rng.choice([0.0, 1.0, -1.0])
    iv = [[s, value(rng) + bias] for s in steps]
    if duplicates and iv and rng.random() < 0.2:
        s, _ = rng.choice(iv)
        iv.append([s, value(rng)])  # a duplicate step: Optuna ignores it
    attrs = {}
    if rungs and rng.random() < 0.3:
        attrs["completed_rung_0"] = round(rng.gauss(1.0, 0.5), 3)
    return {"intermediate": iv, "system_attrs": attrs}


def cases() -> list[dict]:
    rng = random.Random(20261128)
    out = []

    def add(kind, args, n, rungs=False, max_step=10, max_trials=12, dense=False):
        for i in range(n):
            direction = rng.choice(["minimize", "maximize"])
            a = args(rng) if callable(args) else args
            out.append({
                "name": f"{kind}-{len(out)}",
                "study_name": rng.choice(["golden", "study-a", "bench_hyperband"]),
                "direction": direction,
                "pruner": {"kind": kind, "args": a},
                "trials": history(rng, direction, max_trials, max_step, rungs, dense),
                "current": current(rng, max_step, rungs, dense=dense),
            })

    add("median", {}, 40)
    add("median", lambda r: {"n_startup_trials": r.randint(0, 3), "n_warmup_steps": r.randint(0, 3),
                             "interval_steps": r.randint(1, 3), "n_min_trials": r.randint(1, 3)}, 80)
    add("median", lambda r: {"n_startup_trials": r.randint(0, 6), "n_warmup_steps": r.randint(0, 3),
                             "interval_steps": r.randint(1, 3)}, 80, max_trials=16, dense=True)
    add("percentile", lambda r: {"percentile": r.choice([10.0, 25.0, 60.0, 90.0])}, 60, max_trials=16, dense=True)
    add("percentile", lambda r: {"percentile": r.choice([0.0, 10.0, 25.0, 75.5, 100.0]),
                                 "n_startup_trials": r.randint(0, 3), "n_warmup_steps": r.randint(0, 2),
                                 "interval_steps": r.randint(1, 3), "n_min_trials": r.randint(1, 2)}, 80)
    add("successive_halving", {}, 40, rungs=True, max_step=40)
    add("successive_halving", lambda r: {"min_resource": r.choice(["auto", 1, 2, 3]),
                                         "reduction_factor": r.randint(2, 4),
                                         "min_early_stopping_rate": r.randint(0, 1)}, 60, rungs=True, max_step=30)
    add("successive_halving", lambda r: {"min_resource": r.choice([1, 2]), "reduction_factor": 2,
                                         "bootstrap_count": r.randint(1, 3)}, 20, rungs=True, max_step=20)
    add("hyperband", {}, 30, rungs=True, max_step=40)
    add("hyperband", lambda r: {"min_resource": r.choice([1, 2]), "max_resource": r.choice(["auto", 27, 40]),
                                "reduction_factor": r.choice([2, 3])}, 50, rungs=True, max_step=40, max_trials=20)
    add("threshold", lambda r: r.choice([{"lower": 0.5}, {"upper": 1.5}, {"lower": 0.2, "upper": 1.8}])
        | {"n_warmup_steps": r.randint(0, 3), "interval_steps": r.randint(1, 3)}, 60)
    add("patient", lambda r: {"wrapped": r.choice([None, {"kind": "median", "args": {}}]),
                              "patience": r.randint(0, 3), "min_delta": r.choice([0.0, 0.05, 0.5])}, 60)
    return out


def wilcoxon_cases() -> list[dict]:
    rng = random.Random(7)
    out = []
    for i in range(300):
        n = rng.choice(list(range(2, 16)) + [20, 30, 49, 50, 51, 60, 70])
        shift = rng.choice([0.0, 0.2, -0.3, 1.0])
        d = []
        for _ in range(n):
            r = rng.random()
            if r < 0.1:
                d.append(0.0)
            elif r < 0.25 and d:
                d.append(rng.choice(d) * rng.choice([1, -1]))  # ties in |d|
            else:
                d.append(round(rng.gauss(shift, 1.0), rng.choice([1, 2, 6])))
        row = {"d": d}
        for alt in ("greater", "less"):
            p = float(ss.wilcoxon(np.array(d), alternative=alt, zero_method="zsplit").pvalue)
            row[alt] = enc(p)
        out.append(row)
    return out


def wilcoxon_pruner_cases() -> list[dict]:
    rng = random.Random(11)
    out = []
    for i in range(120):
        direction = rng.choice(["minimize", "maximize"])
        n_best = rng.choice([0, 1, 3, 8, 20, 60])
        best_steps = list(range(n_best))
        best = [[s, round(rng.gauss(1.0, 0.3), 2)] for s in best_steps]
        if best and rng.random() < 0.05:
            best[rng.randrange(len(best))][1] = float("nan")
        n_cur = rng.choice([0, 1, 2, 3, 8, 20, 60, 65])
        shift = rng.choice([0.0, 0.1, -0.1, 0.4, -0.4, 0.8, -0.8])
        cur = [[s, round((best[s][1] if s < len(best) and math.isfinite(best[s][1]) else 1.0) + rng.gauss(shift, 0.2), 2)]
               for s in range(n_cur)]
        if cur and rng.random() < 0.05:
            cur[rng.randrange(len(cur))][1] = float("inf")
        best_value = round(rng.gauss(0.8, 0.1), 3)
        trials = [{"state": "COMPLETE", "value": best_value, "intermediate": best, "system_attrs": {}}]
        # a worse complete trial, so best_trial is the first one
        trials.append({"state": "COMPLETE", "value": best_value + (1 if direction == "minimize" else -1),
                       "intermediate": [], "system_attrs": {}})
        out.append({
            "name": f"wilcoxon-{i}",
            "study_name": "golden",
            "direction": direction,
            "pruner": {"kind": "wilcoxon", "args": {"p_threshold": rng.choice([0.05, 0.1, 0.5]),
                                                     "n_startup_steps": rng.choice([0, 2, 5])}},
            "trials": trials,
            "current": {"intermediate": cur, "system_attrs": {}},
        })
    return out


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    results = [run_case(c) for c in cases() + wilcoxon_pruner_cases()]
    meta = {"optuna": optuna.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
            "command": "python hpo-pruners/tests/golden/make_golden.py hpo-pruners/tests/golden"}
    (out_dir / "decisions.json").write_text(json.dumps({"meta": meta, "cases": results}, separators=(",", ":")) + "\n")
    (out_dir / "wilcoxon.json").write_text(json.dumps({"meta": meta, "cases": wilcoxon_cases()}, separators=(",", ":")) + "\n")
    n_true = sum(r["expected"] for r in results)
    print(f"{len(results)} decision cases ({n_true} prune), wilcoxon p-values written to {out_dir}")


if __name__ == "__main__":
    main()
