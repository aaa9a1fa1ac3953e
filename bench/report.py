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


def quality_table(ours_file: str = "quality_tpe.json", optuna_file: str = "optuna_quality.json",
                  wall: bool = False) -> None:
    ours, theirs = load(ours_file), load(optuna_file)
    if not ours or not theirs:
        print(f"_missing {ours_file} or {optuna_file}_\n")
        return
    names = {"tpe": "tpe_default", "random": "random"}
    t = {(s["problem"], s["sampler"]): s for s in theirs["summary"]}
    extra = " hpo s/run | Optuna s/run | speed-up |" if wall else ""
    print("| problem | sampler | hpo median regret [IQR] | Optuna median regret [IQR] | hpo ≤ Optuna |" + extra)
    print("|---|---|---|---|---|" + ("---|---|---|" if wall else ""))
    for s in ours["summary"]:
        b = t.get((s["problem"], names.get(s["sampler"], s["sampler"])))
        a_txt = f"{s['regret_median']:.4g} [{s['regret_q1']:.3g}, {s['regret_q3']:.3g}]"
        if not b:
            print(f"| {s['problem']} | {s['sampler']} | {a_txt} | — | — |")
            continue
        b_txt = f"{b['regret_median']:.4g} [{b['regret_q1']:.3g}, {b['regret_q3']:.3g}]"
        ok = "yes" if s["regret_median"] <= b["regret_median"] else "**no**"
        w = ""
        if wall:
            wa, wb = s["wall_s_median"], b["wall_s_median"]
            w = f" {wa:.3g} | {wb:.3g} | {wb / wa:.0f}× |"
        print(f"| {s['problem']} | {s['sampler']} | {a_txt} | {b_txt} | {ok} |" + w)
    print()


def mo_table() -> None:
    ours, theirs = load("mo_nsga2.json"), load("optuna_mo_nsga2.json")
    if not ours or not theirs:
        print("_missing mo_nsga2.json or optuna_mo_nsga2.json_\n")
        return
    t = {(s["problem"], s["sampler"]): s for s in theirs["summary"]}
    print("| problem | hpo HV median [IQR] | Optuna HV median [IQR] | hpo ≥ Optuna | hpo s/run | Optuna s/run |")
    print("|---|---|---|---|---|---|")
    for s in ours["summary"]:
        b = t.get((s["problem"], s["sampler"]))
        if not b:
            continue
        ok = "yes" if s["hv_median"] >= b["hv_median"] else "**no**"
        print(f"| {s['problem']} | {s['hv_median']:.3f} [{s['hv_q1']:.3f}, {s['hv_q3']:.3f}] | "
              f"{b['hv_median']:.3f} [{b['hv_q1']:.3f}, {b['hv_q3']:.3f}] | {ok} | "
              f"{s['wall_s_median']:.3f} | {b['wall_s_median']:.3f} |")
    print()


def importance_table() -> None:
    ours = load("hpo_importance.json")
    theirs = [load("optuna_importance.json"), load("optuna_importance_5000.json")]
    if not ours or not any(theirs):
        print("_missing hpo_importance.json or optuna_importance*.json_\n")
        return
    t = {(r["kind"], r["name"], r["trials"]): r for f in theirs if f for r in f["rows"]}
    print("| what | trials | hpo ms | Optuna ms | speed-up | top param hpo / Optuna |")
    print("|---|---|---|---|---|---|")
    for r in ours["rows"]:
        b = t.get((r["kind"], r["name"], r["trials"]))
        if r["kind"] not in ("importance", "plot") or not b:
            continue
        top = ""
        if r["kind"] == "importance":
            mine = max(r["importances"], key=r["importances"].get)
            other = max(b["importances"], key=b["importances"].get)
            top = f"{mine} {r['importances'][mine]:.3f} / {other} {b['importances'][other]:.3f}"
        print(f"| {r['kind']} {r['name']} | {r['trials']} | {r['seconds'] * 1e3:.2f} | "
              f"{b['seconds'] * 1e3:.1f} | {b['seconds'] / r['seconds']:.0f}× | {top} |")
    print()


def pruning_table() -> None:
    ours, theirs = load("pruning_tpe_30seeds.json"), load("optuna_pruning_30seeds.json")
    if not ours or not theirs:
        print("_missing pruning results_\n")
        return
    t = {s["pruner"]: s for s in theirs["summary"]}
    print("| pruner | hpo epochs (median) | Optuna epochs | hpo regret (median) | Optuna regret |")
    print("|---|---|---|---|---|")
    for s in ours["summary"]:
        b = t.get(s["pruner"])
        if not b:
            continue
        print(f"| {s['pruner']} | {s['epochs_median']:.0f} | {b['epochs_median']:.0f} | "
              f"{s['regret_median']:.4g} | {b['clean_regret_median']:.4g} |")
    print()


def storage_table() -> None:
    rows = [("SQLite (Optuna's settings)", "storage_sqlite_tpe.json", "optuna_storage_sqlite_tpe.json"),
            ("SQLite, WAL", "storage_sqlite_wal_tpe.json", None),
            ("journal file", "storage_journal_tpe.json", "optuna_storage_journal_tpe.json"),
            ("journal file, no fsync", "storage_journal_nosync_tpe.json", None),
            ("Redis journal", "storage_redis_tpe.json", "optuna_storage_redis_tpe.json"),
            ("PostgreSQL", "storage_postgres_tpe.json", "optuna_storage_postgres_tpe.json"),
            ("MySQL / MariaDB", "storage_mysql_tpe.json", "optuna_storage_mysql_tpe.json")]
    print("| storage | hpo last-100 ms/trial | Optuna last-100 ms/trial | speed-up |")
    print("|---|---|---|---|")
    for label, ours_file, theirs_file in rows:
        ours = load(ours_file)
        theirs = load(theirs_file) if theirs_file else None
        if not ours:
            print(f"| {label} | _missing_ | | |")
            continue
        a = max(ours["summary"], key=lambda s: s["n_trials"])["last100_ms_median"]
        b = theirs["last100_ms_per_trial"] if theirs else None
        print(f"| {label} | {a:.3f} | {f'{b:.2f}' if b else '—'} | {f'{b / a:.0f}×' if b else '—'} |")
    print()


def scale_table() -> None:
    """Cost per trial as the study grows: last-100 ms/trial at 1 000, 10 000 and 100 000 trials."""
    rows = [("journal file", "scale_journal.json"), ("SQLite, WAL", "scale_sqlitewal.json"),
            ("Redis journal", "scale_redis.json"), ("PostgreSQL", "scale_postgresql.json"),
            ("MySQL / MariaDB", "scale_mysql.json")]
    print("| storage | last-100 ms/trial at 1 000 | at 10 000 | at 100 000 | 100 000 / 1 000 |")
    print("|---|---|---|---|---|")
    for label, name in rows:
        data = load(name)
        if not data:
            print(f"| {label} | _missing_ | | | |")
            continue
        cp = data["runs"][0]["checkpoints"]
        at = lambda n: cp.get(str(n), {}).get("last100_ms_per_trial")
        a, b, c = at(1000), at(10000), at(100000)
        fmt = lambda v: f"{v:.3f}" if v is not None else "—"
        ratio = f"{c / a:.2f}" if a and c else "—"
        print(f"| {label} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {ratio} |")
    print()


def main() -> None:
    print("### Framework overhead: RandomSampler, in-memory storage (median of repeats)\n")
    overhead_table("overhead_random.json", "optuna_overhead_random.json", "random", "random")
    print("### n_jobs on a CPU-bound objective (~5 ms of arithmetic per trial, 400 trials)\n")
    parallel_table()
    print("### TPE overhead, sphere, in-memory storage (median of repeats)\n")
    overhead_table("overhead_tpe.json", "optuna_overhead_tpe.json", "tpe", "tpe_default")
    print("### Quality: regret after 100 trials, 10 seeds\n")
    quality_table()
    print("### Pruning on lc50, 30 seeds\n")
    pruning_table()
    print("### Storages: TPE, sphere D = 5, 1000 trials, one process\n")
    storage_table()
    print("### Storages: cost per trial as the study grows (RandomSampler, 100 000 trials)\n")
    scale_table()
    print("### GPSampler overhead, sphere D = 5 (median of repeats)\n")
    overhead_table("overhead_gp5.json", "optuna_overhead_gp5.json", "gp", "gp")
    print("### GPSampler on hartmann6, 300 trials, 3 seeds\n")
    quality_table("quality_gp_hartmann6_300.json", "optuna_quality_gp_hartmann6_300.json", wall=True)
    print("### GPSampler quality: regret after 100 trials, 10 seeds\n")
    quality_table("quality_gp.json", "optuna_quality_gp.json", wall=True)
    print("### CMA-ES quality: regret after 300 trials, 10 seeds\n")
    quality_table("quality_cmaes_300.json", "optuna_quality_cmaes_300.json", wall=True)
    print("### NSGA-II on ZDT, hypervolume after 1000 trials (reference point (11, 11))\n")
    mo_table()
    print("### Importance and plots on the same SQLite studies (median of 3)\n")
    importance_table()


if __name__ == "__main__":
    main()
