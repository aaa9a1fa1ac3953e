"""Summarise interleaved benchmark rounds (bench/compare.sh tpe-rounds | gp-rounds).

On a noisy machine one run of each side is not a fair comparison: the same binary's cost can
move by half from one run to the next. The rounds alternate the sides (hpo's seeds, then
Optuna, then rustuna when installed), and this script reports, per dimension, the median of
each side over all rounds and the ratio within each round.

    python bench/rounds.py --dir DIR --trials 1000 --out OUT.json

DIR holds r<k>_hpo.json (hpo-bench overhead), r<k>_optuna.json (bench/optuna/overhead.py) and,
optionally, r<k>_rustuna.jsonl (bench/optuna/rustuna_overhead.py, one line per dimension).
"""

import argparse
import json
import re
import statistics
from pathlib import Path


def hpo_runs(doc: dict, trials: int, key: str = "last100_ms_per_trial") -> dict:
    """Per dimension: the last-100 cost (or, by `key`, the whole run's mean) of each seed at
    `trials` trials, from an hpo-bench overhead report."""
    out: dict = {}
    for run in doc["runs"]:
        cp = run["checkpoints"].get(str(trials))
        if cp is not None:
            out.setdefault(run["dim"], []).append(cp[key])
    return out


def optuna_runs(doc: dict, trials: int, key: str = "last100_ms_median") -> dict:
    """Per dimension: Optuna's last-100 cost (or, by `key`, the whole run's mean) at `trials`
    trials, the median over its repeats, from a bench/optuna/overhead.py report."""
    out = {}
    for row in doc["summary"]:
        if row["n_trials"] == trials:
            out[row["dim"]] = row[key]
    return out


def rustuna_runs(path: Path) -> dict:
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                out[row["dim"]] = row["last100_ms"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--trials", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    d = Path(args.dir)
    numbers = sorted(
        int(m.group(1))
        for p in d.glob("r*_hpo.json")
        if (m := re.fullmatch(r"r(\d+)_hpo\.json", p.name))
    )
    # Each round's two reports, read once.
    hpo_docs = {k: json.loads((d / f"r{k}_hpo.json").read_text()) for k in numbers}
    optuna_docs = {k: json.loads((d / f"r{k}_optuna.json").read_text()) for k in numbers}
    rounds = []
    for k in numbers:
        rounds.append(
            {
                "round": k,
                "hpo_last100_ms_by_seed": hpo_runs(hpo_docs[k], args.trials),
                "optuna_last100_ms": optuna_runs(optuna_docs[k], args.trials),
                "rustuna_last100_ms": rustuna_runs(d / f"r{k}_rustuna.jsonl"),
                "hpo_whole_run_ms_by_seed": hpo_runs(hpo_docs[k], args.trials, "ms_per_trial"),
                "optuna_whole_run_ms": optuna_runs(
                    optuna_docs[k], args.trials, "ms_per_trial_median"
                ),
            }
        )
    summary = []
    dims = sorted({dim for r in rounds for dim in r["hpo_last100_ms_by_seed"]})
    for dim in dims:
        hpo = [v for r in rounds for v in r["hpo_last100_ms_by_seed"].get(dim, [])]
        opt = [r["optuna_last100_ms"][dim] for r in rounds if dim in r["optuna_last100_ms"]]
        rus = [r["rustuna_last100_ms"][dim] for r in rounds if dim in r["rustuna_last100_ms"]]
        per_round = []
        for r in rounds:
            seeds = r["hpo_last100_ms_by_seed"].get(dim)
            if not seeds or dim not in r["optuna_last100_ms"]:
                continue
            h = statistics.median(seeds)
            entry = {"round": r["round"], "vs_optuna": r["optuna_last100_ms"][dim] / h}
            if dim in r["rustuna_last100_ms"]:
                entry["vs_rustuna"] = r["rustuna_last100_ms"][dim] / h
            per_round.append(entry)
        row = {
            "dim": dim,
            "hpo_median_ms": statistics.median(hpo),
            "hpo_range_ms": [min(hpo), max(hpo)],
            "optuna_median_ms": statistics.median(opt),
            "optuna_range_ms": [min(opt), max(opt)],
            "per_round": per_round,
        }
        row["vs_optuna"] = row["optuna_median_ms"] / row["hpo_median_ms"]
        whole_h = [v for r in rounds for v in r["hpo_whole_run_ms_by_seed"].get(dim, [])]
        whole_o = [r["optuna_whole_run_ms"][dim] for r in rounds if dim in r["optuna_whole_run_ms"]]
        row["whole_run"] = {
            "hpo_median_ms": statistics.median(whole_h),
            "optuna_median_ms": statistics.median(whole_o),
        }
        row["whole_run"]["vs_optuna"] = (
            row["whole_run"]["optuna_median_ms"] / row["whole_run"]["hpo_median_ms"]
        )
        if rus:
            row["rustuna_median_ms"] = statistics.median(rus)
            row["rustuna_range_ms"] = [min(rus), max(rus)]
            row["vs_rustuna"] = row["rustuna_median_ms"] / row["hpo_median_ms"]
        summary.append(row)
        line = (
            f"D={dim:<3} hpo {row['hpo_median_ms']:.3f} ms  Optuna {row['optuna_median_ms']:.2f} ms"
            f"  {row['vs_optuna']:.1f}x (rounds "
            f"{min(e['vs_optuna'] for e in per_round):.1f}-{max(e['vs_optuna'] for e in per_round):.1f}x)"
        )
        if rus:
            vr = [e["vs_rustuna"] for e in per_round if "vs_rustuna" in e]
            line += (
                f"  rustuna {row['rustuna_median_ms']:.3f} ms  {row['vs_rustuna']:.2f}x"
                f" (rounds {min(vr):.2f}-{max(vr):.2f}x)"
            )
        print(line)
        w = row["whole_run"]
        print(
            f"      whole run: hpo {w['hpo_median_ms']:.3f} ms  Optuna {w['optuna_median_ms']:.2f} ms"
            f"  {w['vs_optuna']:.1f}x"
        )
    # The marginal cost as the study grows: every checkpoint both sides recorded.
    by_trials = []
    checkpoints = sorted(
        {
            int(n)
            for doc in hpo_docs.values()
            for run in doc["runs"]
            for n in run["checkpoints"]
        }
    )
    for dim in dims:
        for n in checkpoints:
            hpo = [v for doc in hpo_docs.values() for v in hpo_runs(doc, n).get(dim, [])]
            opt = [
                o[dim] for doc in optuna_docs.values() if dim in (o := optuna_runs(doc, n))
            ]
            if hpo and opt:
                h, o = statistics.median(hpo), statistics.median(opt)
                by_trials.append(
                    {"dim": dim, "trials": n, "hpo_last100_ms": h, "optuna_last100_ms": o, "vs_optuna": o / h}
                )
                print(f"      D={dim} n={n:<5} hpo {h:.3f} ms  Optuna {o:.2f} ms  {o / h:.0f}x")
    doc = {
        "benchmark": "interleaved rounds, cost per trial (last 100, and the whole run)",
        "trials": args.trials,
        "note": args.note,
        "summary": summary,
        "by_trials": by_trials,
        "rounds": rounds,
    }
    Path(args.out).write_text(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
