"""Helpers the Optuna-side benchmark scripts share: thread limits, run notes, samplers, output.

Importing this module pins OpenMP/BLAS to one thread before numpy or torch load, so Optuna's
numbers come from one core like hpo-bench's.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402


def _run(cmd: list[str], env: dict | None = None) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env).stdout.strip()
    except OSError:
        return ""


def machine_notes() -> dict:
    """When the measurement ran and how busy the machine was."""
    # `nproc` obeys OMP_NUM_THREADS, which is pinned to 1 above: ask it without that variable.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")}
    cores = _run(["nproc"], env)
    return {
        "time_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "nproc": int(cores) if cores.isdigit() else len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "uptime": _run(["uptime"]),
    }


def _version(module: str) -> str | None:
    try:
        return getattr(__import__(module), "__version__", "?")
    except Exception:
        return None


def env_notes() -> dict:
    """The interpreter, library versions and CPU the numbers were measured with."""
    notes = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "argv": sys.argv,
    }
    for module in ("optuna", "numpy", "scipy", "cmaes", "torch"):
        notes[module] = _version(module)
    if notes["torch"]:
        import torch

        notes["torch_threads"] = torch.get_num_threads()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln for ln in f if ln.startswith("model name")), None)
        if model:
            notes["cpu"] = model.split(":", 1)[1].strip()
    except OSError:
        pass
    return notes


def quiet_optuna() -> None:
    """No log lines or warnings while timing."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    optuna.logging.disable_default_handler()
    warnings.filterwarnings("ignore")


def sampler(name: str, seed: int | None):
    """The Optuna sampler a benchmark names, with default settings apart from the seed."""
    import optuna

    s = optuna.samplers
    factories = {
        "tpe_default": lambda: s.TPESampler(seed=seed),
        "tpe_multivariate": lambda: s.TPESampler(multivariate=True, seed=seed),
        "tpe_independent": lambda: s.TPESampler(multivariate=False, seed=seed),
        "random": lambda: s.RandomSampler(seed=seed),
        "cmaes": lambda: s.CmaEsSampler(seed=seed),
        "gp": lambda: s.GPSampler(seed=seed),
    }
    if name not in factories:
        raise ValueError(f"unknown sampler {name!r}")
    return factories[name]()


def by_case(runs: list[dict], *keys: str) -> dict[tuple, list[dict]]:
    """`runs` grouped by their values of `keys` (a tuple), in the order each case first appears."""
    cases: dict[tuple, list[dict]] = {}
    for run in runs:
        cases.setdefault(tuple(run[k] for k in keys), []).append(run)
    return cases


def save(path: str, result: dict) -> None:
    """Writes `result` as JSON through a temporary file, so a killed run leaves the last save."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    part = f"{path}.tmp"
    with open(part, "w") as f:
        json.dump(result, f, indent=1)
    os.replace(part, path)


def spread(values: list[float]) -> dict:
    """min, quartiles (inclusive method, like numpy's default percentile), median, max, IQR."""
    xs = sorted(values)
    if not xs:
        return {}
    if len(xs) == 1:
        lower = upper = xs[0]
    else:
        lower, _, upper = statistics.quantiles(xs, n=4, method="inclusive")
    return {
        "n": len(xs),
        "min": xs[0],
        "q1": lower,
        "median": statistics.median(xs),
        "q3": upper,
        "max": xs[-1],
        "iqr": upper - lower,
    }


def median(values: list[float]) -> float:
    """The median of `values`."""
    return spread(values)["median"]
