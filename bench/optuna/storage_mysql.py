"""Optuna 5.0 side of `hpo-bench storage --storage mysql://...`: TPE (seed 0) on the 5-D
sphere, 1000 trials, RDBStorage on MySQL / MariaDB (the study is deleted afterwards); prints ms per
trial over the last 100 trials.

Run: .venv/bin/python bench/optuna/storage_mysql.py mysql+pymysql://root@127.0.0.1:3306/test
"""
import os
import sys

import optuna

import storage_bench

optuna.logging.set_verbosity(optuna.logging.WARNING)
url = sys.argv[1]
name = f"optuna-bench-{os.getpid()}"
storage_bench.run("mysql", url, study_name=name)
optuna.delete_study(study_name=name, storage=url)
