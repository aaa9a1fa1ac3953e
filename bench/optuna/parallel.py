"""Optuna 5.0 side of `hpo-bench parallel`: a CPU-bound objective (~5 ms of float arithmetic
per trial) with n_jobs=1 and n_jobs=2, RandomSampler, in-memory storage.

Run: .venv/bin/python bench/optuna/parallel.py --trials 400 --repeats 3 --out bench/results/optuna_parallel.json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time

import optuna


def burn(x: float, iterations: int) -> float:
    acc = x
    for i in range(iterations):
        acc = math.sin(acc * 1.0000001 + math.sqrt(i))
    return acc


def calibrate(target_ms: float) -> int:
    iters = 1000
    while True:
        t = time.perf_counter()
        burn(0.5, iters)
        ms = (time.perf_counter() - t) * 1e3
        if ms > 20:
            return int(iters * target_ms / ms)
        iters *= 2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    iters = calibrate(5.0)
    runs = []
    for seed in range(args.repeats):
        for jobs in (1, 2):
            study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))

            def objective(trial):
                return burn(trial.suggest_float("x", -5.0, 5.0), iters)

            t0 = time.perf_counter()
            study.optimize(objective, n_trials=args.trials, n_jobs=jobs)
            wall = time.perf_counter() - t0
            print(f"seed={seed} n_jobs={jobs} wall={wall:.3f}s trials/s={args.trials / wall:.1f}", flush=True)
            runs.append({"seed": seed, "n_jobs": jobs, "n_trials": args.trials, "wall_s": wall})
    med = {j: statistics.median(r["wall_s"] for r in runs if r["n_jobs"] == j) for j in (1, 2)}
    summary = [{"n_jobs": j, "median_wall_s": med[j], "speedup_vs_1": med[1] / med[j]} for j in (1, 2)]
    with open(args.out, "w") as f:
        json.dump({"benchmark": "parallel", "optuna": optuna.__version__, "burn_iterations": iters,
                   "summary": summary, "runs": runs}, f, indent=1)
    print(summary)


if __name__ == "__main__":
    main()
