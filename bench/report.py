"""Turns hpo-bench and Optuna JSON results into the ratio tables of BENCHMARKS.md.

Run by bench/compare.sh; prints Markdown on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results")


def load(name: str):
    p = RESULTS / name
    return json.loads(p.read_text()) if p.exists() else None


def overhead_table(ours_file: str, optuna_file: str, sampler_ours: str, sampler_optuna: str) -> None:
    ours, theirs = load(ours_file), load(optuna_file)
    if not ours or not theirs:
        print(f"_missing {ours_file} or {optuna_file}_\n")
        return
    key = lambda s: (s["dim"], s["n_trials"])
    o = {key(s): s for s in ours["summary"] if s["sampler"] == sampler_ours}
    t = {key(s): s for s in theirs["summary"] if s["sampler"] == sampler_optuna}
    print("| D | trials | hpo ms/trial | Optuna ms/trial | hpo last-100 ms | Optuna last-100 ms | speed-up (last 100) |")
    print("|---|---|---|---|---|---|---|")
    for k in sorted(set(o) | set(t)):
        a, b = o.get(k), t.get(k)
        fmt = lambda x: f"{x:.4f}" if x is not None else "—"
        am = a["ms_per_trial_median"] if a else None
        bm = b["ms_per_trial_median"] if b else None
        al = a["last100_ms_median"] if a else None
        bl = b["last100_ms_median"] if b else None
        ratio = f"{bl / al:.0f}×" if al and bl else "—"
        print(f"| {k[0]} | {k[1]} | {fmt(am)} | {fmt(bm)} | {fmt(al)} | {fmt(bl)} | {ratio} |")
    print()


def parallel_table() -> None:
    ours, theirs = load("parallel_random.json"), load("optuna_parallel.json")
    if not ours or not theirs:
        print("_missing parallel results_\n")
        return
    print("| n_jobs | hpo wall s (median) | hpo speed-up | Optuna wall s (median) | Optuna speed-up |")
    print("|---|---|---|---|---|")
    t = {s["n_jobs"]: s for s in theirs["summary"]}
    for s in ours["summary"]:
        j = s["n_jobs"]
        b = t.get(j)
        print(f"| {j} | {s['median_wall_s']:.3f} | {s['speedup_vs_1']:.2f}× | "
              f"{b['median_wall_s']:.3f} | {b['speedup_vs_1']:.2f}× |" if b else f"| {j} | {s['median_wall_s']:.3f} | {s['speedup_vs_1']:.2f}× | — | — |")
    print()


def main() -> None:
    print("### Framework overhead: RandomSampler, in-memory storage (median of repeats)\n")
    overhead_table("overhead_random.json", "optuna_overhead_random.json", "random", "random")
    print("### n_jobs on a CPU-bound objective (~5 ms of arithmetic per trial, 400 trials)\n")
    parallel_table()


if __name__ == "__main__":
    main()
