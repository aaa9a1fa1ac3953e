"""Optuna 5.0 side of `hpo-bench importance`: parameter importance and plot construction time on
the very studies hpo wrote.

`hpo-bench importance` stores, for each size N, a study `importance-N` in the SQLite file
`<dir>/importance-N.db` (Optuna's schema), with N complete trials of the synthetic problem in
hpo-bench/src/importance.rs. This script opens each with `optuna.load_study` and times, with
`time.perf_counter`, the median of --repeats runs of:
  * `get_param_importances` with PedAnovaImportanceEvaluator() (the default),
    FanovaImportanceEvaluator(seed=0) and MeanDecreaseImpurityImportanceEvaluator(seed=0);
  * building each plotly figure (`optuna.visualization.plot_*`) and serialising it with
    `fig.to_json()` (what an HTML report embeds); Optuna has no SVG/PNG export without kaleido
    and a browser, so this is the closest like-for-like step to hpo's SVG text.
It also records the importances, so the two can be compared value by value.

Run: .venv/bin/python bench/optuna/importance.py --dir bench/out --trials 200,1000,5000 \
         --out bench/results/optuna_importance.json
(needs optuna==5.0.0, scikit-learn and plotly in that venv). `--evaluators ped-anova,mdi` leaves
fANOVA out (Optuna's takes minutes per run at 5000 trials).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

import optuna
from optuna.importance import (
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    PedAnovaImportanceEvaluator,
    get_param_importances,
)
import optuna.visualization as vis

PLOTS = {
    "history": vis.plot_optimization_history,
    "importances": vis.plot_param_importances,
    "slice": vis.plot_slice,
    "contour": vis.plot_contour,
    "parallel-coordinate": vis.plot_parallel_coordinate,
    "intermediate-values": vis.plot_intermediate_values,
    "edf": vis.plot_edf,
    "timeline": vis.plot_timeline,
    "rank": vis.plot_rank,
}


def timed(fn, repeats: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default="bench/out")
    parser.add_argument("--trials", default="200,1000,5000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plots", default=",".join(PLOTS))
    parser.add_argument("--evaluators", default="ped-anova,fanova,mdi")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)

    rows = []
    for n in [int(v) for v in args.trials.split(",") if v]:
        storage = f"sqlite:///{os.path.join(args.dir, f'importance-{n}.db')}"
        study = optuna.load_study(study_name=f"importance-{n}", storage=storage)
        evaluators = {
            "ped-anova": PedAnovaImportanceEvaluator(),
            "fanova": FanovaImportanceEvaluator(seed=0),
            "mdi": MeanDecreaseImpurityImportanceEvaluator(seed=0),
        }
        chosen = [e for e in args.evaluators.split(",") if e]
        for name, evaluator in evaluators.items():
            if name not in chosen:
                continue
            seconds, importances = timed(
                lambda: get_param_importances(study, evaluator=evaluator), args.repeats
            )
            rows.append(
                {
                    "kind": "importance",
                    "name": name,
                    "trials": n,
                    "seconds": seconds,
                    "importances": dict(importances),
                }
            )
            print(f"{n:>6} trials  importance {name:<10} {seconds * 1e3:10.1f} ms", flush=True)
        for name in [p for p in args.plots.split(",") if p]:
            seconds, _ = timed(lambda: PLOTS[name](study).to_json(), args.repeats)
            rows.append({"kind": "plot", "name": name, "trials": n, "seconds": seconds})
            print(f"{n:>6} trials  plot {name:<20} {seconds * 1e3:10.1f} ms", flush=True)

    with open(args.out, "w") as f:
        json.dump(
            {
                "tool": "optuna",
                "optuna": optuna.__version__,
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                "repeats": args.repeats,
                "rows": rows,
            },
            f,
            indent=1,
        )


if __name__ == "__main__":
    main()
