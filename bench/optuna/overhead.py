"""Optuna's own cost per trial on an objective that costs nothing (sphere).

The objective suggests x0..x{D-1} in [-5, 5] in order and returns the sum of squares; the study
minimises it in memory, one job, logging off, one BLAS/OpenMP thread. Each (repeat, D, sampler)
makes one `study.optimize(n_trials=N)` call and stamps the clock after every finished trial, so
the cost of the first n trials is read off the stamps (trials run one after another and a
sampler only looks at the past, so this equals a run of n trials). At each checkpoint n it
records the total seconds, the mean ms per trial, and the mean over the last 100 trials. Every
sampler first runs one throw-away study (imports, torch start-up); the seed is the repeat.

Parts: main (random, cmaes and the three TPE settings, 1000 trials, D = 5 and 20), gp5 and gp20
(GPSampler, 300 trials), gp5_long (GPSampler, 500 trials), tpe_long (TPE, 2000 trials).

    python bench/optuna/overhead.py --part main --samplers random --dims 5,20 --repeats 3 --out OUT.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anchor_env as env  # noqa: E402  (first: it pins the BLAS threads)

PARTS = {
    "main": (["random", "cmaes", "tpe_default", "tpe_multivariate", "tpe_independent"], 1000, [5, 20]),
    "gp5": (["gp"], 300, [5]),
    "gp20": (["gp"], 300, [20]),
    "gp5_long": (["gp"], 500, [5]),
    "tpe_long": (["tpe_default"], 2000, [5, 20]),
}
CHECKPOINTS = (100, 300, 500, 1000, 2000)


def sphere(dim: int):
    names = [f"x{i}" for i in range(dim)]

    def objective(trial) -> float:
        total = 0.0
        for name in names:
            v = trial.suggest_float(name, -5.0, 5.0)
            total += v * v
        return total

    return objective


def at_checkpoint(elapsed: list[float], n: int) -> dict:
    """Seconds to trial n, ms per trial so far, and ms per trial over trials n-99..n."""
    before = elapsed[n - 101] if n > 100 else 0.0
    return {
        "total_s": elapsed[n - 1],
        "ms_per_trial": elapsed[n - 1] / n * 1e3,
        "last100_ms_per_trial": (elapsed[n - 1] - before) / 100 * 1e3,
    }


def measure(sampler: str, dim: int, n: int, seed: int) -> dict:
    import optuna

    stamps: list[float] = []
    study = optuna.create_study(sampler=env.sampler(sampler, seed))
    before = env.machine_notes()
    start = time.perf_counter()
    study.optimize(
        sphere(dim), n_trials=n, gc_after_trial=False, callbacks=[lambda *_: stamps.append(time.perf_counter())]
    )
    total = time.perf_counter() - start
    elapsed = [s - start for s in stamps]
    return {
        "sampler": sampler,
        "dim": dim,
        "n_trials": n,
        "seed": seed,
        "total_s": total,
        "best_value": study.best_value,
        "machine_before": before,
        "machine_after": env.machine_notes(),
        "checkpoints": {str(c): at_checkpoint(elapsed, c) for c in CHECKPOINTS if c <= n},
        "cum_s_every_50": [round(elapsed[i - 1], 6) for i in range(50, n + 1, 50)],
    }


def warm_up(sampler: str) -> None:
    import optuna

    optuna.create_study(sampler=env.sampler(sampler, 123)).optimize(
        sphere(3), n_trials=15 if sampler == "gp" else 30
    )


def summary(runs: list[dict]) -> list[dict]:
    rows = []
    for (sampler, dim), group in env.by_case(runs, "sampler", "dim").items():
        for c in CHECKPOINTS:
            points = [r["checkpoints"][str(c)] for r in group if str(c) in r["checkpoints"]]
            if not points:
                continue
            col = {k: [p[k] for p in points] for k in points[0]}
            rows.append(
                {
                    "sampler": sampler,
                    "dim": dim,
                    "n_trials": c,
                    "repeats": len(points),
                    "total_s_min": min(col["total_s"]),
                    "total_s_median": statistics.median(col["total_s"]),
                    "ms_per_trial_min": min(col["ms_per_trial"]),
                    "ms_per_trial_median": statistics.median(col["ms_per_trial"]),
                    "last100_ms_min": min(col["last100_ms_per_trial"]),
                    "last100_ms_median": statistics.median(col["last100_ms_per_trial"]),
                }
            )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--part", default="main", choices=sorted(PARTS))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-max", type=int, help="trials per run instead of the part's")
    ap.add_argument("--dims", help="dimensions instead of the part's, e.g. 5,20")
    ap.add_argument("--samplers", help="samplers instead of the part's, comma separated")
    args = ap.parse_args()
    env.quiet_optuna()

    samplers, n_max, dims = PARTS[args.part]
    samplers = args.samplers.split(",") if args.samplers else samplers
    n_max = args.n_max or n_max
    dims = [int(d) for d in args.dims.split(",")] if args.dims else dims
    config = {"samplers": samplers, "n_max": n_max, "dims": dims}
    result = {
        "benchmark": "overhead",
        "part": args.part,
        "config": config | {"repeats": args.repeats, "objective": "sphere, x_i in [-5,5]"},
        "env": env.env_notes(),
        "machine_start": env.machine_notes(),
        "runs": [],
    }
    began = time.perf_counter()
    for sampler in samplers:
        warm_up(sampler)
    # the repeat loop is outermost, so a drift in machine load spreads over every case
    for repeat in range(args.repeats):
        for dim in dims:
            for sampler in samplers:
                run = measure(sampler, dim, n_max, seed=repeat)
                result["runs"].append(run)
                last = run["checkpoints"][max(run["checkpoints"], key=int)]
                print(
                    f"rep={repeat} D={dim:2d} {sampler:17s} n={n_max:5d} total={run['total_s']:8.2f}s "
                    f"ms/trial={last['ms_per_trial']:8.2f} last100={last['last100_ms_per_trial']:8.2f} "
                    f"load={run['machine_after']['loadavg']}",
                    flush=True,
                )
                result.update(
                    summary=summary(result["runs"]),
                    machine_end=env.machine_notes(),
                    elapsed_s=time.perf_counter() - began,
                )
                env.save(args.out, result)
    print(f"done in {time.perf_counter() - began:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
