"""Optuna 5.0 side of `hpo-bench storage --storage postgresql://...`: TPE (seed 0) on the 5-D
sphere, 1000 trials, RDBStorage on PostgreSQL (the study is deleted afterwards); prints ms per
trial over the last 100 trials.

Run: .venv/bin/python bench/optuna/storage_postgres.py postgresql://postgres@127.0.0.1:5432/test
"""
import os
import sys

import optuna

import storage_bench

optuna.logging.set_verbosity(optuna.logging.WARNING)
url = sys.argv[1]
name = f"optuna-bench-{os.getpid()}"
storage_bench.run("postgresql", url, study_name=name)
optuna.delete_study(study_name=name, storage=url)
