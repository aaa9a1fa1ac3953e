"""Optuna 5.0 side of `hpo-bench storage --storage redis://...`: TPE (seed 0) on the 5-D sphere,
1000 trials, JournalRedisBackend under a fresh key prefix (deleted afterwards); prints ms per
trial over the last 100 trials.

Run: .venv/bin/python bench/optuna/storage_redis.py redis://127.0.0.1:6379
"""
import os
import sys
import time

import optuna
import redis
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalRedisBackend

import storage_bench

optuna.logging.set_verbosity(optuna.logging.WARNING)
url = sys.argv[1]
prefix = f"optuna-bench-{os.getpid()}-{time.time_ns()}"
storage = JournalStorage(JournalRedisBackend(url, prefix=prefix))
storage_bench.run("redis", storage)
client = redis.Redis.from_url(url)
keys = client.keys(f"{prefix}:*")
if keys:
    client.delete(*keys)
