"""Optuna's pruners on the lc50 learning curves: epochs spent against the quality found.

A trial suggests lr (1e-4..1, log), width (16..1024, log, integer) and dropout (0..0.5) in that
order, then reports `problems.lc_value` for epochs 1..50 and stops as soon as the pruner says so;
a trial that runs to the end returns its epoch-50 value. TPESampler(seed=s) proposes, 100
trials a study, seeds 0..N-1 (the seed also picks the noise). Pruners, default settings:
NopPruner, MedianPruner, PercentilePruner(25), SuccessiveHalvingPruner, HyperbandPruner.

A run records the epochs reported in all, how many trials were pruned, the best (noisy) value,
the noise-free epoch-50 loss of the best trial and its regret against the best reachable one.

    python bench/optuna/pruning.py --seeds 30 --out OUT.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anchor_env as env  # noqa: E402
import problems  # noqa: E402

PRUNERS = {
    "nop": lambda p: p.NopPruner(),
    "median": lambda p: p.MedianPruner(),
    "percentile25": lambda p: p.PercentilePruner(25.0),
    "successive_halving": lambda p: p.SuccessiveHalvingPruner(),
    "hyperband": lambda p: p.HyperbandPruner(),
}


def measure(pruner: str, seed: int, n_trials: int, best_reachable: float) -> dict:
    import optuna

    last_epoch: dict[int, int] = {}

    def objective(trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        width = trial.suggest_int("width", 16, 1024, log=True)
        dropout = trial.suggest_float("dropout", 0.0, 0.5)
        value = float("nan")
        for epoch in range(1, problems.LC_EPOCHS + 1):
            value = problems.lc_value(seed, trial.number, lr, width, dropout, epoch)
            trial.report(value, epoch)
            last_epoch[trial.number] = epoch
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study = optuna.create_study(
        sampler=optuna.samplers.TPESampler(seed=seed), pruner=PRUNERS[pruner](optuna.pruners)
    )
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    wall = time.perf_counter() - start
    best = study.best_trial.params
    clean = problems.lc_clean(best["lr"], best["width"], best["dropout"], problems.LC_EPOCHS)
    states = [t.state.name for t in study.trials]
    return {
        "pruner": pruner,
        "seed": seed,
        "n_trials": n_trials,
        "total_epochs": sum(last_epoch.values()),
        "n_complete": states.count("COMPLETE"),
        "n_pruned": states.count("PRUNED"),
        "best_value_noisy": study.best_value,
        "best_final_clean": clean,
        "best_final_regret": clean - best_reachable,
        "best_params": best,
        "wall_s": wall,
    }


def summary_row(pruner: str, runs: list[dict]) -> dict:
    epochs = env.spread([r["total_epochs"] for r in runs])
    noisy = env.spread([r["best_value_noisy"] for r in runs])
    regret = env.spread([r["best_final_regret"] for r in runs])
    return {
        "pruner": pruner,
        "seeds": len(runs),
        "epochs_median": epochs["median"],
        "epochs_q1": epochs["q1"],
        "epochs_q3": epochs["q3"],
        "epochs_mean": sum(r["total_epochs"] for r in runs) / len(runs),
        "pruned_median": env.median([r["n_pruned"] for r in runs]),
        "best_noisy_median": noisy["median"],
        "best_noisy_q1": noisy["q1"],
        "best_noisy_q3": noisy["q3"],
        "clean_regret_median": regret["median"],
        "clean_regret_q1": regret["q1"],
        "clean_regret_q3": regret["q3"],
        "wall_s_median": env.median([r["wall_s"] for r in runs]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    ap.add_argument("--n-trials", type=int, default=100)
    args = ap.parse_args()
    env.quiet_optuna()

    best_reachable, argmin = problems.lc_final_optimum()
    result = {
        "benchmark": "pruning",
        "config": {
            "pruners": list(PRUNERS),
            "seeds": list(range(args.seeds)),
            "n_trials": args.n_trials,
            "epochs": problems.LC_EPOCHS,
            "sampler": "TPESampler(seed=s)",
            "lc_final_optimum": best_reachable,
            "lc_final_argmin": argmin,
        },
        "env": env.env_notes(),
        "machine_start": env.machine_notes(),
        "runs": [],
        "summary": [],
    }
    began = time.perf_counter()
    for pruner in PRUNERS:
        runs = []
        for seed in range(args.seeds):
            run = measure(pruner, seed, args.n_trials, best_reachable)
            runs.append(run)
            print(
                f"{pruner:18s} seed={seed} epochs={run['total_epochs']:5d} pruned={run['n_pruned']:3d} "
                f"best={run['best_value_noisy']:.5f} clean={run['best_final_clean']:.5f} wall={run['wall_s']:.1f}s",
                flush=True,
            )
        result["runs"] += runs
        result["summary"].append(summary_row(pruner, runs))
        result.update(machine_end=env.machine_notes(), elapsed_s=time.perf_counter() - began)
        env.save(args.out, result)
    print(f"done in {time.perf_counter() - began:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
