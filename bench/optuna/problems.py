"""The benchmark problems in Python, for the Optuna side of the comparison.

They are the problems hpo-bench implements in `hpo-bench/src/problems.rs` and
`hpo-bench/src/pruning.rs`, with the same formulas, bounds, optima and suggestion order (the
order decides which random numbers a sampler draws). All are minimised.

* Continuous: branin (2-D), hartmann6 (6-D), and rosenbrock, ackley, styblinski_tang and levy in
  10 dimensions. An objective suggests `x0 .. x{D-1}` in index order.
* mixed-hpo: a conditional, mixed search space shaped like tuning a neural network; minimum 0.05.
* lc50: a synthetic learning curve over 50 epochs with deterministic SplitMix64 noise, for the
  pruners.

`python problems.py` prints each function at its known minimiser as a self-check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

TAU = 2.0 * math.pi


def branin(x: Sequence[float]) -> float:
    pi = math.pi
    b, c, t = 5.1 / (4.0 * pi * pi), 5.0 / pi, 1.0 / (8.0 * pi)
    return 1.0 * (x[1] - b * x[0] * x[0] + c * x[0] - 6.0) ** 2 + 10.0 * (1.0 - t) * math.cos(x[0]) + 10.0


# Hartmann 6-D: weights, then for each of the four terms its scale row and centre row.
_H6_WEIGHT = (1.0, 1.2, 3.0, 3.2)
_H6_SCALE = (
    (10.0, 3.0, 17.0, 3.5, 1.7, 8.0),
    (0.05, 10.0, 17.0, 0.1, 8.0, 14.0),
    (3.0, 3.5, 1.7, 10.0, 17.0, 8.0),
    (17.0, 8.0, 0.05, 10.0, 0.1, 14.0),
)
_H6_CENTRE = (
    (0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886),
    (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
    (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650),
    (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381),
)


def hartmann6(x: Sequence[float]) -> float:
    total = 0.0
    for weight, scale, centre in zip(_H6_WEIGHT, _H6_SCALE, _H6_CENTRE):
        exponent = 0.0
        for xj, a, p in zip(x, scale, centre):
            exponent += a * (xj - p) * (xj - p)
        total += weight * math.exp(-exponent)
    return -total


def rosenbrock(x: Sequence[float]) -> float:
    total = 0.0
    for a, b in zip(x[:-1], x[1:]):
        total += 100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2
    return total


def ackley(x: Sequence[float]) -> float:
    n = len(x)
    mean_sq = sum(v * v for v in x) / n
    mean_cos = sum(math.cos(TAU * v) for v in x) / n
    return -20.0 * math.exp(-0.2 * math.sqrt(mean_sq)) - math.exp(mean_cos) + 20.0 + math.e


def styblinski_tang(x: Sequence[float]) -> float:
    return 0.5 * sum(v**4 - 16.0 * v * v + 5.0 * v for v in x)


def levy(x: Sequence[float]) -> float:
    w = [1.0 + (v - 1.0) / 4.0 for v in x]
    total = math.sin(math.pi * w[0]) ** 2
    for wi in w[:-1]:
        total += (wi - 1.0) ** 2 * (1.0 + 10.0 * math.sin(math.pi * wi + 1.0) ** 2)
    last = w[-1]
    return total + (last - 1.0) ** 2 * (1.0 + math.sin(TAU * last) ** 2)


def _styblinski_tang_argmin() -> float:
    """Newton's method on the derivative 4v^3 - 32v + 5 of one Styblinski-Tang term."""
    v = -2.9
    for _ in range(100):
        v -= (4 * v**3 - 32 * v + 5) / (12 * v**2 - 32)
    return v


ST_ARGMIN = _styblinski_tang_argmin()  # -2.903534027771178
ST_MIN_PER_DIM = 0.5 * (ST_ARGMIN**4 - 16 * ST_ARGMIN**2 + 5 * ST_ARGMIN)
# Hartmann6: the published minimiser, and the best value found by polishing it locally.
H6_ARGMIN = (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)
H6_MIN = -3.322368011415515


@dataclass(frozen=True)
class Problem:
    """A continuous problem: a box, a function, its minimum and one minimiser."""

    name: str
    low: tuple[float, ...]
    high: tuple[float, ...]
    f: Callable[[Sequence[float]], float]
    optimum: float
    x_opt: tuple[float, ...]

    @property
    def dim(self) -> int:
        return len(self.low)

    def objective(self, trial) -> float:
        """Optuna objective: suggests x0..x{D-1} in order, returns f."""
        return self.f([trial.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(zip(self.low, self.high))])


def _cube(name: str, dim: int, lo: float, hi: float, f, optimum: float, at: float) -> Problem:
    return Problem(name, (lo,) * dim, (hi,) * dim, f, optimum, (at,) * dim)


PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in (
        # minimum 5 / (4 pi), reached at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475)
        Problem("branin", (-5.0, 0.0), (10.0, 15.0), branin, 5.0 / (4.0 * math.pi), (math.pi, 2.275)),
        Problem("hartmann6", (0.0,) * 6, (1.0,) * 6, hartmann6, H6_MIN, H6_ARGMIN),
        _cube("rosenbrock10", 10, -5.0, 10.0, rosenbrock, 0.0, 1.0),
        _cube("ackley10", 10, -32.768, 32.768, ackley, 0.0, 0.0),
        _cube("styblinski_tang10", 10, -5.0, 5.0, styblinski_tang, ST_MIN_PER_DIM * 10, ST_ARGMIN),
        _cube("levy10", 10, -10.0, 10.0, levy, 0.0, 1.0),
    )
}
CONTINUOUS = list(PROBLEMS)

# mixed-hpo -----------------------------------------------------------------------------------

MIXED_HPO_OPT = 0.05
MIXED_HPO_XOPT = {"lr": 1e-3, "n_layers": 3, "width": 128, "dropout": 0.2, "optimizer": "adam", "batch_size": 64}
# log10 of the best learning rate at batch size 64, per optimizer
_BEST_LOG_LR = {"adam": -3.0, "rmsprop": -3.5, "sgd": -1.5}


def mixed_hpo_value(p: dict) -> float:
    """The 'validation loss' of a configuration, in closed form."""
    optimizer, batch = p["optimizer"], p["batch_size"]
    log_lr, layers, log_width = math.log10(p["lr"]), p["n_layers"], math.log2(p["width"])
    penalty = {"adam": 0.0, "rmsprop": 0.05}.get(optimizer)
    if penalty is None:
        if optimizer != "sgd":
            raise ValueError(optimizer)
        penalty = 0.10 + 0.4 * (p["momentum"] - 0.9) ** 2
    # the best learning rate moves with the batch size
    best_log_lr = _BEST_LOG_LR[optimizer] + 0.5 * math.log10(batch / 64.0)
    lr_cost = 0.5 * (log_lr - best_log_lr) ** 2
    blow_up = 1.0 if (log_lr - best_log_lr) > 1.0 else 0.0  # more than 10x too large diverges
    capacity = 0.1 * (layers - 3) ** 2 + 0.15 * (log_width - 7.0) ** 2
    best_dropout = 0.1 + 0.05 * (layers - 1) + 0.02 * (log_width - 7.0)
    dropout_cost = 2.0 * (p["dropout"] - best_dropout) ** 2
    batch_cost = 0.02 * (math.log2(batch) - 6.0) ** 2
    return MIXED_HPO_OPT + penalty + lr_cost + blow_up + capacity + dropout_cost + batch_cost


def mixed_hpo_objective(trial) -> float:
    """Optuna objective; the suggestion order is part of the problem."""
    p = {
        "lr": trial.suggest_float("lr", 1e-5, 1e-1, log=True),
        "n_layers": trial.suggest_int("n_layers", 1, 4),
        "width": trial.suggest_int("width", 16, 512, log=True),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
        "optimizer": trial.suggest_categorical("optimizer", ["adam", "sgd", "rmsprop"]),
    }
    if p["optimizer"] == "sgd":
        p["momentum"] = trial.suggest_float("momentum", 0.0, 0.99)
    p["batch_size"] = trial.suggest_int("batch_size", 16, 256, step=16)
    return mixed_hpo_value(p)


# lc50: learning curves for the pruners ---------------------------------------------------------

LC_EPOCHS = 50
LC_START = 2.3
LC_SIGMA = 0.01
_U64 = (1 << 64) - 1


def splitmix64(state: int) -> int:
    """One SplitMix64 output for `state`."""
    z = (state + 0x9E3779B97F4A7C15) & _U64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _U64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
    return z ^ (z >> 31)


def lc_noise(seed: int, trial_number: int, epoch: int) -> float:
    """Uniform noise of standard deviation LC_SIGMA, a pure function of (seed, trial, epoch).

    The key packs seed (24 bits), trial number (20) and epoch (20); the top 53 bits of its
    SplitMix64 hash make u in [0, 1).
    """
    key = ((seed & 0xFFFFFF) << 40) | ((trial_number & 0xFFFFF) << 20) | (epoch & 0xFFFFF)
    u = (splitmix64(key) >> 11) * (1.0 / 9007199254740992.0)
    return LC_SIGMA * math.sqrt(3.0) * (2.0 * u - 1.0)


def lc_clean(lr: float, width: int, dropout: float, epoch: int) -> float:
    """Validation loss after `epoch` epochs without noise: an exponential approach to a floor,
    plus an overfitting term that grows with the epoch when dropout is low."""
    log_lr, log_width = math.log10(lr), math.log2(width)
    floor = 0.1 + 0.08 * (log_lr + 2.0) ** 2 + 0.03 * (log_width - 8.0) ** 2
    rate = 0.3 * 10.0 ** (0.5 * (log_lr + 2.0)) * (1.0 - dropout)
    overfit = 2.0 * max(0.0, 0.25 - dropout) ** 2 * (log_width / 8.0)
    t = float(epoch)
    return floor + (LC_START - floor) * math.exp(-rate * t) + overfit * (t / LC_EPOCHS) ** 2


def lc_value(seed: int, trial_number: int, lr: float, width: int, dropout: float, epoch: int) -> float:
    """What a trial reports at `epoch`."""
    return lc_clean(lr, width, dropout, epoch) + lc_noise(seed, trial_number, epoch)


def lc_final_optimum() -> tuple[float, dict]:
    """The smallest noise-free loss at the last epoch, and where it is.

    width = 256 zeroes the width term and is an allowed integer; lr (as log10) and dropout are
    minimised with L-BFGS-B from nine starts.
    """
    from scipy.optimize import minimize

    best_value, best_at = float("inf"), None
    for log_lr in (-2.5, -2.0, -1.5):
        for dropout in (0.1, 0.25, 0.4):
            fit = minimize(
                lambda z: lc_clean(10.0 ** z[0], 256, z[1], LC_EPOCHS),
                [log_lr, dropout],
                bounds=[(-4.0, 0.0), (0.0, 0.5)],
                method="L-BFGS-B",
                options={"ftol": 1e-15, "gtol": 1e-12},
            )
            if fit.fun < best_value:
                best_value = float(fit.fun)
                best_at = {"lr": 10.0 ** fit.x[0], "width": 256, "dropout": float(fit.x[1])}
    return best_value, best_at


if __name__ == "__main__":
    for pb in PROBLEMS.values():
        print(f"{pb.name:18s} D={pb.dim:2d} f(x_opt)={pb.f(pb.x_opt)!r:24s} optimum={pb.optimum!r}")
    print(f"{'mixed-hpo':18s} f(x_opt)={mixed_hpo_value(MIXED_HPO_XOPT)!r} optimum={MIXED_HPO_OPT}")
    print("lc50 final optimum", *lc_final_optimum())
    print("lc_noise(0,0,1) =", repr(lc_noise(0, 0, 1)), " splitmix64(0) =", hex(splitmix64(0)))
