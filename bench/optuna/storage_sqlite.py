"""Optuna 5.0 side of `hpo-bench storage --storage sqlite:...`: TPE (seed 0) on the 5-D
sphere, 1000 trials, SQLite (sqlite:///PATH); prints ms per trial over the last 100 trials.

Run: .venv/bin/python bench/optuna/storage_sqlite.py /tmp/optuna.db
"""
import os
import sys

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

import storage_bench

optuna.logging.set_verbosity(optuna.logging.WARNING)
path = sys.argv[1]
if os.path.exists(path):
    os.remove(path)
storage_bench.run("sqlite", f"sqlite:///{path}")
