"""Optuna 5.0 side of `hpo-bench mo`: multi-objective quality on the ZDT problems.

For each problem, sampler and seed s: a fresh study (in-memory storage, both objectives
minimised), NSGAIISampler(seed=s) (or NSGAIIISampler(seed=s) with --sampler nsga3, RandomSampler
with --sampler random), study.optimize(objective, n_trials=N). Recorded: the hypervolume of the
final Pareto front with reference point (11, 11) for every ZDT problem, the front's size, and the
wall time. Summary per (problem, sampler): median, Q1, Q3, min, max of the hypervolume
(statistics.quantiles, method="inclusive") and the median wall time: the JSON shape of
`hpo-bench mo`.

Problems (standard definitions; parameters x0..x{n-1}, suggested in order):
  zdt1, zdt2, zdt3: 30 variables in [0, 1]
  zdt4: 10 variables, x0 in [0, 1], the others in [-5, 5]
  zdt6: 10 variables in [0, 1]

Run: .venv-bench/bin/python bench/optuna/mo.py --sampler nsga2 --problem zdt1,zdt2,zdt3 \
         --seeds 10 --trials 1000 --out bench/results/optuna_mo_nsga2.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time

import optuna

REFERENCE = (11.0, 11.0)


def g_linear(x: list[float]) -> float:
    return 1.0 + 9.0 * sum(x[1:]) / (len(x) - 1)


def zdt1(x: list[float]) -> tuple[float, float]:
    f1 = x[0]
    g = g_linear(x)
    return f1, g * (1.0 - math.sqrt(f1 / g))


def zdt2(x: list[float]) -> tuple[float, float]:
    f1 = x[0]
    g = g_linear(x)
    return f1, g * (1.0 - (f1 / g) ** 2)


def zdt3(x: list[float]) -> tuple[float, float]:
    f1 = x[0]
    g = g_linear(x)
    r = f1 / g
    return f1, g * (1.0 - math.sqrt(r) - r * math.sin(10.0 * math.pi * f1))


def zdt4(x: list[float]) -> tuple[float, float]:
    f1 = x[0]
    g = 1.0 + 10.0 * (len(x) - 1) + sum(v * v - 10.0 * math.cos(4.0 * math.pi * v) for v in x[1:])
    return f1, g * (1.0 - math.sqrt(f1 / g))


def zdt6(x: list[float]) -> tuple[float, float]:
    f1 = 1.0 - math.exp(-4.0 * x[0]) * math.sin(6.0 * math.pi * x[0]) ** 6
    g = 1.0 + 9.0 * (sum(x[1:]) / (len(x) - 1)) ** 0.25
    return f1, g * (1.0 - (f1 / g) ** 2)


def unit(_: int) -> tuple[float, float]:
    return 0.0, 1.0


def zdt4_bounds(i: int) -> tuple[float, float]:
    return (0.0, 1.0) if i == 0 else (-5.0, 5.0)


PROBLEMS = {
    "zdt1": (30, unit, zdt1),
    "zdt2": (30, unit, zdt2),
    "zdt3": (30, unit, zdt3),
    "zdt4": (10, zdt4_bounds, zdt4),
    "zdt6": (10, unit, zdt6),
}


def make_objective(name: str):
    n, bounds, f = PROBLEMS[name]

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        x = [trial.suggest_float(f"x{i}", *bounds(i)) for i in range(n)]
        return f(x)

    return objective


def make_sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    if name == "nsga3":
        return optuna.samplers.NSGAIIISampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler `{name}` (available: nsga2, nsga3, random)")


def hypervolume_2d(points: list[tuple[float, float]], reference: tuple[float, float]) -> float:
    """Exact two-dimensional hypervolume (minimisation) by a sweep over the first objective."""
    pts = sorted(p for p in points if p[0] < reference[0] and p[1] < reference[1])
    volume = 0.0
    best_f2 = reference[1]
    for f1, f2 in pts:
        if f2 < best_f2:
            volume += (reference[0] - f1) * (best_f2 - f2)
            best_f2 = f2
    return volume


def quantiles(values: list[float]) -> dict:
    if len(values) == 1:
        v = values[0]
        return {"median": v, "q1": v, "q3": v, "min": v, "max": v}
    q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"median": med, "q1": q1, "q3": q3, "min": min(values), "max": max(values)}


def run_one(problem: str, sampler: str, seed: int, n: int) -> dict:
    study = optuna.create_study(
        directions=["minimize", "minimize"], sampler=make_sampler(sampler, seed)
    )
    t0 = time.perf_counter()
    study.optimize(make_objective(problem), n_trials=n)
    wall = time.perf_counter() - t0
    front = [tuple(t.values) for t in study.best_trials]
    hv = hypervolume_2d(front, REFERENCE)
    print(
        f"{problem:6} {sampler:8} seed={seed} hv={hv:.6f} pareto={len(front)} wall={wall:.2f}s",
        file=sys.stderr,
    )
    return {
        "problem": problem,
        "sampler": sampler,
        "seed": seed,
        "n_trials": n,
        "hypervolume": hv,
        "n_pareto": len(front),
        "wall_s": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sampler", default="nsga2")
    ap.add_argument("--problem", default="zdt1,zdt2,zdt3,zdt4,zdt6")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    samplers = [s for s in args.sampler.split(",") if s]
    problems = [p for p in args.problem.split(",") if p]
    for p in problems:
        if p not in PROBLEMS:
            raise SystemExit(f"unknown problem `{p}` (available: {', '.join(PROBLEMS)})")
    runs = []
    summary = []
    for problem in problems:
        for sampler in samplers:
            rs = [run_one(problem, sampler, s, args.trials) for s in range(args.seeds)]
            runs.extend(rs)
            q = quantiles([r["hypervolume"] for r in rs])
            summary.append(
                {
                    "problem": problem,
                    "sampler": sampler,
                    "seeds": args.seeds,
                    "hv_median": q["median"],
                    "hv_q1": q["q1"],
                    "hv_q3": q["q3"],
                    "hv_min": q["min"],
                    "hv_max": q["max"],
                    "wall_s_median": statistics.median(r["wall_s"] for r in rs),
                }
            )
    out = {
        "benchmark": "mo",
        "config": {
            "samplers": samplers,
            "problems": problems,
            "seeds": list(range(args.seeds)),
            "n_trials": args.trials,
            "reference_point": list(REFERENCE),
            "note": "hypervolume of the final Pareto front (both objectives minimised) with "
            "reference point (11, 11) for every ZDT problem",
        },
        "summary": summary,
        "runs": runs,
        "env": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "optuna": optuna.__version__,
            "nproc": len(os.sched_getaffinity(0)),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
            "argv": sys.argv,
            "time_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=2)
        fh.write("\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
