"""An Optuna 5.0 worker optimizing an existing journal study while hpo does the same.

usage: python worker_journal.py JOURNAL_FILE_OR_SQLITE_DB_OR_REDIS_URL N_TRIALS
"""
import sys
import time

import optuna

from optuna_storage import open_storage

storage = open_storage(sys.argv[1])
study = optuna.load_study(study_name="from-optuna", storage=storage,
                          sampler=optuna.samplers.RandomSampler(seed=1))


def objective(trial):
    time.sleep(0.001)
    return trial.suggest_float("x", -1, 1) ** 2


study.optimize(objective, n_trials=int(sys.argv[2]))
