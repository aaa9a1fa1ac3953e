"""The sphere cost-per-trial measurement for rustuna (`pip install rustuna==0.2.0`), the
Python bindings of the Optuna team's Rust port.

    python bench/optuna/rustuna_overhead.py <tpe|tpe_indep|random> <sphere|rosen10> D N SEED REP

One measured study per process, after a 20-trial warm-up study with the same kind of sampler;
in-memory storage, default settings but the seed. The objective stamps the clock just before it
returns, so last100_ms = (t[N-1] - t[N-101]) / 100 in ms; total_s is the wall time of
`study.optimize(n_trials=N)`. The times include the Python-to-Rust call of every suggestion.
Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time

import rustuna


def make_sampler(kind: str, seed: int):
    samplers = rustuna.samplers
    if kind == "random":
        return samplers.RandomSampler(seed=seed)
    if kind in ("tpe", "tpe_indep"):
        # tpe_indep: univariate TPE, not the default
        return samplers.TPESampler(seed=seed) if kind == "tpe" else samplers.TPESampler(seed=seed, multivariate=False)
    raise ValueError(kind)


def make_objective(problem: str, dim: int, stamps: list[float], values: list[float]):
    low, high = (-5.0, 5.0) if problem == "sphere" else (-5.0, 10.0)
    names = [f"x{i}" for i in range(dim)]

    def objective(trial) -> float:
        x = [trial.suggest_float(name, low, high) for name in names]
        if problem == "sphere":
            value = sum(v * v for v in x)
        else:
            value = sum(100.0 * (b - a**2) ** 2 + (1.0 - a) ** 2 for a, b in zip(x[:-1], x[1:]))
        stamps.append(time.perf_counter())
        values.append(value)
        return value

    return objective


def main() -> None:
    kind, problem = sys.argv[1], sys.argv[2]
    dim, n, seed, rep = (int(a) for a in sys.argv[3:7])
    memory = rustuna.storages.InMemoryStorage
    rustuna.create_study(sampler=make_sampler(kind, 12345), storage=memory()).optimize(
        make_objective(problem, dim, [], []), n_trials=20
    )
    stamps: list[float] = []
    values: list[float] = []
    study = rustuna.create_study(sampler=make_sampler(kind, seed), storage=memory(), direction="minimize")
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    study.optimize(make_objective(problem, dim, stamps, values), n_trials=n)
    total = time.perf_counter() - start
    row = {
        "lib": "rustuna-py",
        "version": "0.2.0",
        "sampler": kind,
        "problem": problem,
        "dim": dim,
        "n": n,
        "seed": seed,
        "rep": rep,
        "total_s": total,
        "last100_ms": (stamps[n - 1] - stamps[n - 101]) / 100 * 1000 if n > 100 else float("nan"),
        "best": min(values),
        "n_complete": len(study.trials),
        "load1_before": load_before,
        "load1_after": os.getloadavg()[0],
    }
    print(json.dumps(row))


if __name__ == "__main__":
    main()
