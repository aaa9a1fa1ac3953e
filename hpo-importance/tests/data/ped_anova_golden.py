"""Golden PED-ANOVA importances from Optuna 5.0 for hpo-importance's tests/ped_anova_golden.rs.

Builds studies from deterministic trials (a seeded numpy generator and fixed formulas), added
with `optuna.trial.create_trial` + `study.add_trials`, and records each trial (values, and each
param's internal value with its distribution JSON) with the importances that
`optuna.importance.get_param_importances(..., evaluator=PedAnovaImportanceEvaluator(...))`
returns, unnormalised and normalised.

Regenerate from the workspace root (needs optuna==5.0.0 and numpy in .venv):
    .venv/bin/python hpo-importance/tests/data/ped_anova_golden.py \
        > hpo-importance/tests/data/ped_anova_golden.json
"""

from __future__ import annotations

import json
import math
import sys
import warnings

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution
from optuna.distributions import FloatDistribution
from optuna.distributions import IntDistribution
from optuna.distributions import distribution_to_json
from optuna.importance import PedAnovaImportanceEvaluator
from optuna.importance import get_param_importances
from optuna.study import StudyDirection
from optuna.trial import create_trial

SPACE = {
    "x": FloatDistribution(-5.0, 5.0),
    "lr": FloatDistribution(1e-5, 1e-1, log=True),
    "dropout": FloatDistribution(0.0, 0.5, step=0.05),
    "layers": IntDistribution(1, 10),
    "units": IntDistribution(1, 1024, log=True),
    "batch": IntDistribution(16, 256, step=16),
    "optimizer": CategoricalDistribution(("adam", "sgd", "rmsprop")),
    "width": CategoricalDistribution((1, 2, 4)),
    "constant": FloatDistribution(1.0, 1.0),
}


def draw(rng: np.random.Generator, dist) -> object:
    """A value of `dist`, as a sampler would produce it."""
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[int(rng.integers(len(dist.choices)))]
    if isinstance(dist, IntDistribution):
        if dist.log:
            return int(round(math.exp(rng.uniform(math.log(dist.low), math.log(dist.high)))))
        k = int(rng.integers((dist.high - dist.low) // dist.step + 1))
        return dist.low + k * dist.step
    if dist.low == dist.high:
        return dist.low
    if dist.log:
        return float(math.exp(rng.uniform(math.log(dist.low), math.log(dist.high))))
    if dist.step is not None:
        k = int(rng.integers(round((dist.high - dist.low) / dist.step) + 1))
        return float(dist.low + k * dist.step)
    return float(rng.uniform(dist.low, dist.high))


def objective(p: dict) -> float:
    return (
        p["x"] ** 2
        + 0.5 * (math.log10(p["lr"]) + 3.0) ** 2
        + 4.0 * (p["dropout"] - 0.2) ** 2
        + 0.05 * p["layers"]
        + 0.3 * abs(math.log2(p["units"]) - 6.0)
        + 0.002 * p["batch"]
        + {"adam": 0.0, "sgd": 1.5, "rmsprop": 0.7}[p["optimizer"]]
        + 0.1 * p["width"]
    )


def trial_record(params: dict, dists: dict, values: list[float], table: list[str]) -> dict:
    """A trial: its values ("inf"/"-inf" for infinities) and, per param, its internal value
    with the index of its distribution's JSON in the study's `distributions` table."""

    def enc(v: float):
        return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")

    def dist_index(d) -> int:
        text = distribution_to_json(d)
        if text not in table:
            table.append(text)
        return table.index(text)

    return {
        "values": [enc(v) for v in values],
        "params": {
            name: [dists[name].to_internal_repr(value), dist_index(dists[name])]
            for name, value in params.items()
        },
    }


def build(directions: list[str], rows: list[tuple[dict, dict, list[float]]]):
    study = optuna.create_study(directions=directions)
    trials = []
    for params, dists, values in rows:
        trials.append(
            create_trial(
                params=params,
                distributions=dists,
                values=values,
                state=optuna.trial.TrialState.COMPLETE,
            )
        )
    study.add_trials(trials)
    table: list[str] = []
    record = {
        "directions": directions,
        "trials": [trial_record(p, d, v, table) for p, d, v in rows],
        "distributions": table,
    }
    return study, record


def full_space_rows(seed: int, n: int, sign: float = 1.0, round_to: int | None = None):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        params = {name: draw(rng, dist) for name, dist in SPACE.items()}
        value = sign * (objective(params) + 0.05 * float(rng.standard_normal()))
        if round_to is not None:
            value = round(value, round_to)
        rows.append((params, dict(SPACE), [value]))
    return rows


def conditional_rows(seed: int, n: int):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        dists = {"x": FloatDistribution(-3.0, 3.0), "opt": CategoricalDistribution(("sgd", "adam"))}
        params = {name: draw(rng, d) for name, d in dists.items()}
        if params["opt"] == "sgd":
            dists["momentum"] = FloatDistribution(0.0, 1.0)
            params["momentum"] = draw(rng, dists["momentum"])
            penalty = 2.0 * (params["momentum"] - 0.9) ** 2
        else:
            dists["beta"] = FloatDistribution(1e-3, 1e-1, log=True)
            params["beta"] = draw(rng, dists["beta"])
            penalty = 0.3 * (math.log10(params["beta"]) + 2.0) ** 2
        # A search space that changes half-way: two regimes of `depth`.
        dists["depth"] = IntDistribution(1, 8) if i < n // 2 else IntDistribution(1, 16)
        params["depth"] = draw(rng, dists["depth"])
        if i == 7:  # a param seen in a single trial: its only regime is too small
            dists["rare"] = FloatDistribution(0.0, 1.0)
            params["rare"] = 0.5
        value = params["x"] ** 2 + penalty + 0.1 * params["depth"] + 0.02 * float(
            rng.standard_normal()
        )
        rows.append((params, dists, [value]))
    return rows


def multi_objective_rows(seed: int, n: int, n_objectives: int, directions: list[str]):
    rng = np.random.default_rng(seed)
    dists = {
        "a": FloatDistribution(0.0, 1.0),
        "b": FloatDistribution(0.0, 1.0),
        "c": IntDistribution(0, 5),
        "d": CategoricalDistribution(("p", "q")),
    }
    rows = []
    for _ in range(n):
        params = {name: draw(rng, d) for name, d in dists.items()}
        a, b, c = params["a"], params["b"], params["c"]
        shift = 0.2 if params["d"] == "q" else 0.0
        objs = [a + 0.1 * c, (1.0 - a) ** 2 + b * 0.5 + shift, b + 0.05 * c + a * 0.3]
        objs = [v + 0.01 * float(rng.standard_normal()) for v in objs[:n_objectives]]
        objs = [-v if d == "maximize" else v for v, d in zip(objs, directions)]
        rows.append((params, dict(dists), objs))
    return rows


TARGETS = {
    None: None,
    "values0": (0, 1.0),
    "values1": (1, 1.0),
    "neg_values0": (0, -1.0),
}


def run_case(cases, study, study_name, *, evaluator=None, params=None, target=None, name):
    kwargs = evaluator or {}
    ev = PedAnovaImportanceEvaluator(**kwargs)
    tgt = None
    if target is not None:
        index, sign = TARGETS[target]
        tgt = lambda t, index=index, sign=sign: sign * t.values[index]  # noqa: E731
    raw = get_param_importances(study, evaluator=ev, params=params, target=tgt, normalize=False)
    normalized = get_param_importances(
        study, evaluator=ev, params=params, target=tgt, normalize=True
    )
    cases.append(
        {
            "name": name,
            "study": study_name,
            "evaluator": {
                "target_quantile": kwargs.get("target_quantile", 0.1),
                "region_quantile": kwargs.get("region_quantile", 1.0),
                "evaluate_on_local": kwargs.get("evaluate_on_local", True),
            },
            "params": params,
            "target": None if target is None else {"index": TARGETS[target][0], "sign": TARGETS[target][1]},
            "raw": raw,
            "normalized": normalized,
        }
    )


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    studies = {}
    cases: list[dict] = []

    def add(name, directions, rows):
        study, record = build(directions, rows)
        studies[name] = record
        return study

    full = add("full_space", ["minimize"], full_space_rows(0, 150))
    run_case(cases, full, "full_space", name="full_space default")
    run_case(
        cases,
        full,
        "full_space",
        evaluator={"target_quantile": 0.2, "region_quantile": 0.5},
        name="full_space local region 0.5",
    )
    run_case(
        cases,
        full,
        "full_space",
        evaluator={"target_quantile": 0.05, "region_quantile": 0.3, "evaluate_on_local": True},
        name="full_space target 0.05 region 0.3",
    )
    run_case(
        cases,
        full,
        "full_space",
        evaluator={"evaluate_on_local": False},
        name="full_space global",
    )
    run_case(
        cases,
        full,
        "full_space",
        params=["optimizer", "x", "units"],
        name="full_space params subset",
    )
    run_case(cases, full, "full_space", target="neg_values0", name="full_space negated target")

    maximize = add("maximize", ["maximize"], full_space_rows(1, 120, sign=-1.0))
    run_case(cases, maximize, "maximize", name="maximize default")
    run_case(
        cases,
        maximize,
        "maximize",
        evaluator={"target_quantile": 0.25, "region_quantile": 0.75},
        name="maximize local",
    )

    ties = add("ties", ["minimize"], full_space_rows(2, 80, round_to=0))
    run_case(cases, ties, "ties", evaluator={"target_quantile": 0.15}, name="ties in values")

    rows = full_space_rows(3, 60)
    rows[5] = (rows[5][0], rows[5][1], [math.inf])
    rows[17] = (rows[17][0], rows[17][1], [-math.inf])
    inf = add("non_finite", ["minimize"], rows)
    run_case(cases, inf, "non_finite", name="non-finite values skipped")

    small = add("small", ["minimize"], full_space_rows(4, 6))
    run_case(cases, small, "small", evaluator={"target_quantile": 0.5}, name="six trials")
    one = add("one", ["minimize"], full_space_rows(5, 1))
    run_case(cases, one, "one", name="one trial")

    cond = add("conditional", ["minimize"], conditional_rows(6, 100))
    run_case(cases, cond, "conditional", name="conditional all params")
    run_case(
        cases,
        cond,
        "conditional",
        evaluator={"target_quantile": 0.2, "region_quantile": 0.6},
        name="conditional local",
    )
    run_case(
        cases,
        cond,
        "conditional",
        params=["momentum", "x"],
        name="conditional params given",
    )

    mo2 = add(
        "mo2", ["minimize", "maximize"], multi_objective_rows(7, 90, 2, ["minimize", "maximize"])
    )
    run_case(cases, mo2, "mo2", name="two objectives no target")
    run_case(
        cases,
        mo2,
        "mo2",
        evaluator={"target_quantile": 0.3, "region_quantile": 0.6},
        name="two objectives no target local",
    )
    run_case(cases, mo2, "mo2", target="values1", name="two objectives target values1")
    run_case(
        cases,
        mo2,
        "mo2",
        target="values0",
        evaluator={"target_quantile": 0.2, "region_quantile": 0.8},
        name="two objectives target values0 local",
    )

    mo3 = add(
        "mo3",
        ["minimize", "minimize", "minimize"],
        multi_objective_rows(8, 70, 3, ["minimize"] * 3),
    )
    run_case(
        cases,
        mo3,
        "mo3",
        evaluator={"target_quantile": 0.25, "region_quantile": 0.7},
        name="three objectives no target local",
    )
    run_case(cases, mo3, "mo3", name="three objectives no target")

    header = {"optuna": optuna.__version__, "numpy": np.__version__}
    write_json(header, studies, cases)


def write_json(header: dict, studies: dict, cases: list[dict]) -> None:
    """Readable, compact JSON: one trial and one case per line."""
    out = sys.stdout
    out.write("{\n")
    for key, value in header.items():
        out.write(f" {json.dumps(key)}: {json.dumps(value)},\n")
    out.write(' "studies": {\n')
    for i, (name, record) in enumerate(studies.items()):
        out.write(f"  {json.dumps(name)}: {{\n")
        out.write(f'   "directions": {json.dumps(record["directions"])},\n')
        out.write(f'   "distributions": {json.dumps(record["distributions"])},\n')
        out.write('   "trials": [\n')
        trials = record["trials"]
        for j, t in enumerate(trials):
            out.write("    " + json.dumps(t) + (",\n" if j + 1 < len(trials) else "\n"))
        out.write("   ]\n  }" + (",\n" if i + 1 < len(studies) else "\n"))
    out.write(" },\n")
    out.write(' "cases": [\n')
    for i, case in enumerate(cases):
        out.write("  " + json.dumps(case) + (",\n" if i + 1 < len(cases) else "\n"))
    out.write(" ]\n}\n")


if __name__ == "__main__":
    main()
