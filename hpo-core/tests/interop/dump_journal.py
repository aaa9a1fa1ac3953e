"""Dumps a study from an hpo-written journal as JSON, through Optuna 5.0's own reader.

usage: python dump_journal.py JOURNAL_FILE_OR_SQLITE_DB_OR_REDIS_URL STUDY_NAME
"""
import json
import math
import sys

import optuna

from optuna_storage import open_storage

storage = open_storage(sys.argv[1])
study = optuna.load_study(study_name=sys.argv[2], storage=storage)


def num(x):
    return x if x is None or math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


print(json.dumps({
    "directions": [d.name for d in study.directions],
    "user_attrs": study.user_attrs,
    "trials": [{
        "number": t.number,
        "state": t.state.name,
        "values": None if t.values is None else [num(v) for v in t.values],
        "params": t.params,
        "user_attrs": t.user_attrs,
        "intermediate_values": {str(k): num(v) for k, v in t.intermediate_values.items()},
    } for t in study.trials],
}))
