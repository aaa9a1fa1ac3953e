"""Optuna 5.0 side of the 4-worker scale-out measurement: one worker process running N trials
of the 5-D sphere (RandomSampler) on study NAME, as `hpo-bench worker` does. STORAGE is an RDB
URL (postgresql://..., mysql+pymysql://...) or redis://HOST:PORT (the Redis journal, key prefix
NAME).

Run 4 at once and time them together:
  for i in 1 2 3 4; do .venv/bin/python bench/optuna/worker.py STORAGE NAME 250 & done; wait
"""
import sys

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalRedisBackend

optuna.logging.set_verbosity(optuna.logging.ERROR)
url, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
storage = JournalStorage(JournalRedisBackend(url, prefix=name)) if url.startswith("redis://") else url
study = optuna.create_study(study_name=name, storage=storage, load_if_exists=True,
                            sampler=optuna.samplers.RandomSampler())
study.optimize(lambda t: sum(t.suggest_float(f"x{i}", -5, 5) ** 2 for i in range(5)), n_trials=n)
