"""An Optuna 5.0 worker optimizing an existing journal study while hpo does the same.

usage: python worker_journal.py JOURNAL_FILE_OR_SQLITE_DB_OR_REDIS_URL N_TRIALS
"""
import sys
import time

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

optuna.logging.set_verbosity(optuna.logging.ERROR)


def open_storage(spec):
    """A .db file is SQLite, postgresql://... PostgreSQL,
    mysql+pymysql://... MySQL, redis://HOST?prefix=P the Redis journal,
    anything else a journal file."""
    if spec.startswith(("postgresql://", "mysql+pymysql://")):
        return spec
    if spec.startswith("redis://"):
        from optuna.storages.journal import JournalRedisBackend
        url, _, prefix = spec.partition("?prefix=")
        return JournalStorage(JournalRedisBackend(url, prefix=prefix))
    if spec.endswith(".db"):
        return f"sqlite:///{spec}"
    return JournalStorage(JournalFileBackend(spec))


storage = open_storage(sys.argv[1])
study = optuna.load_study(study_name="from-optuna", storage=storage,
                          sampler=optuna.samplers.RandomSampler(seed=1))


def objective(trial):
    time.sleep(0.001)
    return trial.suggest_float("x", -1, 1) ** 2


study.optimize(objective, n_trials=int(sys.argv[2]))
