"""How good Optuna's samplers get on the benchmark problems (regret after N trials).

For every problem, sampler and seed s: a fresh in-memory study, the sampler built with seed s,
`study.optimize(objective, n_trials=N)` (N = 100 unless --n-trials). A run records the best
value, its regret (best minus the known minimum), the regret of the best so far after 10, 25, 50
and 100 trials, and the wall time. Each (problem, sampler) is summed up by the median, quartiles
(inclusive method) and extremes of the regret. CMA-ES skips mixed-hpo (it has categorical and
conditional parameters).

Parts: main (every sampler but GP, all seven problems, seeds 0-9), gp1 (GPSampler on branin,
hartmann6, rosenbrock10, ackley10, seeds 0-4), gp2 (GPSampler on the other three, seeds 0-4).

    python bench/optuna/quality.py --samplers tpe_default,random --seeds 10 --out OUT.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anchor_env as env  # noqa: E402
import problems  # noqa: E402

CHECKS = (10, 25, 50, 100)
PARTS = {
    "main": (["tpe_default", "tpe_multivariate", "tpe_independent", "random", "cmaes"], problems.CONTINUOUS + ["mixed-hpo"], 10),
    "gp1": (["gp"], ["branin", "hartmann6", "rosenbrock10", "ackley10"], 5),
    "gp2": (["gp"], ["styblinski_tang10", "levy10", "mixed-hpo"], 5),
}


def objective_and_minimum(problem: str):
    if problem == "mixed-hpo":
        return problems.mixed_hpo_objective, problems.MIXED_HPO_OPT
    p = problems.PROBLEMS[problem]
    return p.objective, p.optimum


def measure(problem: str, sampler: str, seed: int, n: int) -> dict:
    import optuna

    objective, minimum = objective_and_minimum(problem)
    study = optuna.create_study(sampler=env.sampler(sampler, seed))
    start = time.perf_counter()
    study.optimize(objective, n_trials=n)
    wall = time.perf_counter() - start
    running_best, best = [], float("inf")
    for trial in study.trials:
        best = min(best, trial.value)
        running_best.append(best)
    return {
        "problem": problem,
        "sampler": sampler,
        "seed": seed,
        "n_trials": n,
        "best_value": study.best_value,
        "regret": study.best_value - minimum,
        "regret_at": {str(c): running_best[c - 1] - minimum for c in CHECKS if c <= n},
        "best_params": study.best_params,
        "wall_s": wall,
    }


def summary(runs: list[dict]) -> list[dict]:
    rows = []
    for (problem, sampler), group in env.by_case(runs, "problem", "sampler").items():
        regret = env.spread([r["regret"] for r in group])
        rows.append(
            {
                "problem": problem,
                "sampler": sampler,
                "seeds": [r["seed"] for r in group],
                **{f"regret_{k}": regret[k] for k in ("median", "q1", "q3", "iqr", "min", "max")},
                "regret_median_at": {c: env.median([r["regret_at"][c] for r in group]) for c in group[0]["regret_at"]},
                "wall_s_median": env.median([r["wall_s"] for r in group]),
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--part", default="main", choices=sorted(PARTS))
    ap.add_argument("--problems", help="problems instead of the part's, comma separated")
    ap.add_argument("--samplers", help="samplers instead of the part's, comma separated")
    ap.add_argument("--seeds", type=int, help="seeds 0..N-1 instead of the part's")
    ap.add_argument("--n-trials", type=int, default=100)
    args = ap.parse_args()
    env.quiet_optuna()

    samplers, names, seeds = PARTS[args.part]
    samplers = args.samplers.split(",") if args.samplers else samplers
    names = args.problems.split(",") if args.problems else names
    seeds = list(range(args.seeds or seeds))
    result = {
        "benchmark": "quality",
        "part": args.part,
        "config": {"samplers": samplers, "problems": names, "seeds": seeds, "n_trials": args.n_trials},
        "optima": {p: objective_and_minimum(p)[1] for p in names},
        "env": env.env_notes(),
        "machine_start": env.machine_notes(),
        "runs": [],
    }
    began = time.perf_counter()
    for problem in names:
        for sampler in samplers:
            if sampler == "cmaes" and problem == "mixed-hpo":
                continue
            for seed in seeds:
                run = measure(problem, sampler, seed, args.n_trials)
                result["runs"].append(run)
                print(f"{problem:18s} {sampler:17s} seed={seed} regret={run['regret']:.6g} wall={run['wall_s']:.2f}s", flush=True)
            result.update(
                summary=summary(result["runs"]), machine_end=env.machine_notes(), elapsed_s=time.perf_counter() - began
            )
            env.save(args.out, result)
    print(f"done in {time.perf_counter() - began:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
