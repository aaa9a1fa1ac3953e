"""The storage spec the interop scripts take, opened for Optuna 5.0 (imported by each script;
Python finds it next to them)."""
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
