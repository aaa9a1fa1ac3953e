"""Optuna 5.0 side of `hpo-bench storage --storage mysql://...`: TPE (seed 0) on the 5-D
sphere, 1000 trials, RDBStorage on MySQL / MariaDB (the study is deleted afterwards); prints ms per
trial over the last 100 trials.

Run: .venv/bin/python bench/optuna/storage_mysql.py mysql+pymysql://root@127.0.0.1:3306/test
"""
import json
import os
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
url = sys.argv[1]
name = f"optuna-bench-{os.getpid()}"
stamps = []
study = optuna.create_study(study_name=name, storage=url, sampler=optuna.samplers.TPESampler(seed=0))
t0 = time.perf_counter()
study.optimize(lambda t: sum(t.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(5)), n_trials=1000,
               callbacks=[lambda s, t: stamps.append(time.perf_counter() - t0)])
print(json.dumps({"storage": "mysql", "sampler": "tpe", "n_trials": 1000, "total_s": stamps[-1],
                  "last100_ms_per_trial": (stamps[-1] - stamps[-101]) / 100 * 1e3}))
optuna.delete_study(study_name=name, storage=url)
