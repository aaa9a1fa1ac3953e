"""Where Optuna's TPE proposes its next trial on a fixed history, over many seeds, and how that
sample compares with hpo's (`hpo-bench asks`).

    python bench/optuna/asks.py history --problem mixed-hpo --trials 40 --seed 7 --out H.log
    python bench/optuna/asks.py propose --problem mixed-hpo --history H.log --seeds 2000 --out O.json
    hpo-bench asks --problem mixed-hpo --storage H.log --seeds 2000 --out R.json
    python bench/optuna/asks.py compare R.json O.json --out C.json

`history` runs Optuna's default TPE (seeded) on the problem for N trials into a journal file,
study `history` (the ZDT problems of mo.py have two objectives: multi-objective TPE). `propose` copies that file and, for seeds 0..N-1, loads the study with
`TPESampler(seed=s)`, asks one trial, lets the problem's objective make its suggestions and
tells the trial failed (failed trials are not observations, so every seed sees the same
history; with --stable-ties Optuna sorts observations stably, as hpo does). `compare` tests, per parameter, whether the two samples could come from one
distribution: a chi-square test on the counts of each value for categorical parameters and for
integers with few values, a two-sample Kolmogorov-Smirnov test otherwise (needs scipy).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anchor_env as env  # noqa: E402
import problems  # noqa: E402

STUDY = "history"


def objective_of(problem: str):
    """The problem's objective and its number of objectives (the ZDT problems have two)."""
    if problem == "mixed-hpo":
        return problems.mixed_hpo_objective, 1
    if problem.startswith("zdt"):
        import mo

        return mo.make_objective(problem), 2
    return problems.PROBLEMS[problem].objective, 1


def journal(path: str):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(path))


def history(args) -> None:
    import optuna

    if os.path.exists(args.out):
        os.remove(args.out)
    objective, n_objectives = objective_of(args.problem)
    study = optuna.create_study(
        study_name=STUDY,
        storage=journal(args.out),
        sampler=optuna.samplers.TPESampler(seed=args.seed),
        directions=["minimize"] * n_objectives,
    )
    study.optimize(objective, n_trials=args.trials)
    print(f"{args.problem}: {args.trials} trials -> {args.out}")


def stable_ties() -> None:
    """Makes Optuna's Parzen estimator sort observations with a stable sort. numpy's default
    argsort is not stable, so which of several equal observations gets which neighbour distance
    as its bandwidth depends on numpy's sort (and on the CPU's vector instructions); with a
    stable sort the earliest trial comes first among equals, as in hpo."""
    import types

    import numpy as np
    from optuna.samplers._tpe import parzen_estimator

    shim = types.SimpleNamespace(**{k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
    shim.argsort = lambda a, *rest, **kw: np.argsort(a, kind="stable")
    parzen_estimator.np = shim


def propose(args) -> None:
    import optuna

    if args.stable_ties:
        stable_ties()

    objective = objective_of(args.problem)[0]
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "history.log")
        shutil.copy(args.history, copy)
        storage = journal(copy)
        proposals = []
        for seed in range(args.seeds):
            study = optuna.load_study(
                study_name=STUDY, storage=storage, sampler=optuna.samplers.TPESampler(seed=seed)
            )
            trial = study.ask()
            objective(trial)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            proposals.append(trial.params)
    env.save(
        args.out,
        {"benchmark": "asks", "sampler": "tpe_default", "stable_ties": args.stable_ties,
         "problem": args.problem, "seeds": args.seeds,
         "proposals": proposals, "env": env.env_notes()},
    )
    print(f"{args.seeds} proposals -> {args.out}")


def compare(args) -> None:
    import numpy as np
    from scipy.stats import chi2_contingency, ks_2samp

    a, b = (json.load(open(p))["proposals"] for p in (args.hpo, args.optuna))
    rows = []
    for name in sorted({k for p in a + b for k in p}):
        xa = [p[name] for p in a if name in p]
        xb = [p[name] for p in b if name in p]
        values = sorted({*xa, *xb}, key=str)
        discrete = any(isinstance(v, str) for v in values) or (
            all(isinstance(v, int) for v in values) and len(values) <= 30
        )
        row = {"param": name, "n_hpo": len(xa), "n_optuna": len(xb)}
        if min(len(xa), len(xb)) < 20:
            row.update(test="too few", p=None)
        elif discrete:
            counts = np.array([[xa.count(v) for v in values], [xb.count(v) for v in values]])
            # Values seen fewer than 10 times in all go into one cell (chi-square needs counts).
            rare = counts.sum(axis=0) < 10
            table = counts[:, ~rare]
            if rare.any():
                table = np.column_stack([table, counts[:, rare].sum(axis=1)])
            row.update(test="chi-square", p=float(chi2_contingency(table)[1]) if table.shape[1] > 1 else 1.0,
                       counts={str(v): [int(c) for c in counts[:, i]] for i, v in enumerate(values)})
        else:
            row.update(test="Kolmogorov-Smirnov", p=float(ks_2samp(xa, xb).pvalue),
                       median_hpo=float(np.median(xa)), median_optuna=float(np.median(xb)))
        rows.append(row)
        p = "-" if row["p"] is None else f"{row['p']:.3g}"
        print(f"{name:12s} {row['test']:18s} p={p:8s} n={len(xa)}/{len(xb)}")
    # With many parameters some p-values fall below 0.05 by chance alone: about 5% of them.
    ps = [r["p"] for r in rows if r["p"] is not None]
    below = sum(p < 0.05 for p in ps)
    if ps:
        print(f"{len(ps)} tests: smallest p {min(ps):.3g}; {below} below 0.05 (by chance alone: about {0.05 * len(ps):.1f})")
    if args.out:
        env.save(args.out, {"benchmark": "asks-compare", "hpo": args.hpo, "optuna": args.optuna, "params": rows,
                            "tests": len(ps), "below_0_05": below, "min_p": min(ps) if ps else None})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    h = sub.add_parser("history")
    h.add_argument("--problem", required=True)
    h.add_argument("--trials", type=int, default=40)
    h.add_argument("--seed", type=int, default=7)
    h.add_argument("--out", required=True)
    p = sub.add_parser("propose")
    p.add_argument("--problem", required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--seeds", type=int, default=2000)
    p.add_argument("--out", required=True)
    p.add_argument("--stable-ties", action="store_true", help="sort observations with a stable sort")
    c = sub.add_parser("compare")
    c.add_argument("hpo")
    c.add_argument("optuna")
    c.add_argument("--out")
    args = ap.parse_args()
    if args.command != "compare":
        env.quiet_optuna()
    {"history": history, "propose": propose, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
