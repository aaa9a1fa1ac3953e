"""Optuna 5.0 side of `hpo-bench storage --storage sqlite:...`: TPE (seed 0) on the 5-D
sphere, 1000 trials, SQLite (sqlite:///PATH); prints ms per trial over the last 100 trials.

Run: .venv/bin/python bench/optuna/storage_sqlite.py /tmp/optuna.db
"""
import json
import os
import sys
import time

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

optuna.logging.set_verbosity(optuna.logging.WARNING)
path = sys.argv[1]
if os.path.exists(path):
    os.remove(path)
stamps = []
study = optuna.create_study(storage=f"sqlite:///{path}", sampler=optuna.samplers.TPESampler(seed=0))
t0 = time.perf_counter()
study.optimize(lambda t: sum(t.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(5)), n_trials=1000,
               callbacks=[lambda s, t: stamps.append(time.perf_counter() - t0)])
print(json.dumps({"storage": "sqlite", "sampler": "tpe", "n_trials": 1000, "total_s": stamps[-1],
                  "last100_ms_per_trial": (stamps[-1] - stamps[-101]) / 100 * 1e3}))
