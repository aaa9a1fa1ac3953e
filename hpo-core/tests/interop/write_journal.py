"""Writes a journal with Optuna 5.0 for hpo to read: float/int/categorical params, a pruned, a
failed and an infinite trial, an enqueued trial, study attrs.

usage: python write_journal.py JOURNAL_FILE_OR_SQLITE_DB_OR_REDIS_URL
"""
import sys

import optuna

from optuna_storage import open_storage

storage = open_storage(sys.argv[1])
study = optuna.create_study(study_name="from-optuna", storage=storage,
                            sampler=optuna.samplers.RandomSampler(seed=0))
study.set_user_attr("owner", "python")


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    trial.suggest_int("n", 1, 10, log=True)
    c = trial.suggest_categorical("c", ["a", "b"])
    trial.report(x, 0)
    if trial.number == 1:
        raise optuna.TrialPruned()
    if trial.number == 2:
        raise RuntimeError("boom")
    if trial.number == 3:
        return float("inf")
    return x * x + (c == "b")


study.enqueue_trial({"x": 0.5, "n": 2, "c": "a"}, skip_if_exists=False)
study.optimize(objective, n_trials=5, catch=(RuntimeError,))
study.add_trial(optuna.trial.create_trial(params={"x": 1.0}, distributions={"x": optuna.distributions.FloatDistribution(-5, 5)}, value=1.0))
