"""What the Optuna-side storage benchmarks (storage_*.py) share: TPE (seed 0) on the 5-D
sphere, 1000 trials in one study, timed after each trial; one JSON line with the total and
the ms per trial over the last 100 trials.
"""
import json
import time

import optuna


def run(label, storage, study_name=None):
    """Optimizes a new study `study_name` in `storage` and prints its timings as `label`."""
    stamps = []
    study = optuna.create_study(study_name=study_name, storage=storage,
                                sampler=optuna.samplers.TPESampler(seed=0))
    t0 = time.perf_counter()
    study.optimize(lambda t: sum(t.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(5)), n_trials=1000,
                   callbacks=[lambda s, t: stamps.append(time.perf_counter() - t0)])
    print(json.dumps({"storage": label, "sampler": "tpe", "n_trials": 1000, "total_s": stamps[-1],
                      "last100_ms_per_trial": (stamps[-1] - stamps[-101]) / 100 * 1e3}))
