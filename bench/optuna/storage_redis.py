"""Optuna 5.0 side of `hpo-bench storage --storage redis://...`: TPE (seed 0) on the 5-D sphere,
1000 trials, JournalRedisBackend under a fresh key prefix (deleted afterwards); prints ms per
trial over the last 100 trials.

Run: .venv/bin/python bench/optuna/storage_redis.py redis://127.0.0.1:6379
"""
import json
import os
import sys
import time

import optuna
import redis
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalRedisBackend

optuna.logging.set_verbosity(optuna.logging.WARNING)
url = sys.argv[1]
prefix = f"optuna-bench-{os.getpid()}-{time.time_ns()}"
stamps = []
storage = JournalStorage(JournalRedisBackend(url, prefix=prefix))
study = optuna.create_study(storage=storage, sampler=optuna.samplers.TPESampler(seed=0))
t0 = time.perf_counter()
study.optimize(lambda t: sum(t.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(5)), n_trials=1000,
               callbacks=[lambda s, t: stamps.append(time.perf_counter() - t0)])
print(json.dumps({"storage": "redis", "sampler": "tpe", "n_trials": 1000, "total_s": stamps[-1],
                  "last100_ms_per_trial": (stamps[-1] - stamps[-101]) / 100 * 1e3}))
client = redis.Redis.from_url(url)
keys = client.keys(f"{prefix}:*")
if keys:
    client.delete(*keys)
