#!/usr/bin/env bash
# Runs hpo-bench and the Optuna 5.0 scripts of bench/optuna/ on this machine in one go and prints the ratio tables
# that BENCHMARKS.md records. Needs a Python with optuna==5.0.0 (PY=..., default .venv/bin/python;
# created with `python3 -m venv .venv && .venv/bin/pip install optuna==5.0.0 scipy cmaes`).
#
#   bash bench/compare.sh            # all parts (a few minutes; Optuna's side takes about two)
#   bash bench/compare.sh overhead   # one part: overhead | parallel | tpe | quality | pruning | storage
#                                      | asks | gp | cmaes | mo | importance | scale   (asks needs scipy;
#                                      gp needs torch in $PY: about 40
#                                      minutes; importance needs scikit-learn and plotly in $PY; scale,
#                                      100 000 trials on each storage, about an hour)
#   ROUNDS=5 bash bench/compare.sh tpe-rounds   # the TPE and GP comparisons as interleaved rounds,
#   ROUNDS=3 bash bench/compare.sh gp-rounds    # for noisy machines (bench/rounds.py; gp-rounds
#                                                 needs torch in $PY, about 4 minutes a round)
# The storage part also needs the Redis server at $REDIS (default redis://127.0.0.1:6379), the
# PostgreSQL server at $PG (default postgresql://postgres@127.0.0.1:5432/test), the MySQL server
# at $MY (default mysql+pymysql://root@127.0.0.1:3306/test) and the Python `redis`,
# `psycopg[binary]` and `pymysql` packages.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=bench/results
PART=${1:-all}
mkdir -p "$OUT"
cargo build --release -q -p hpo-bench
BENCH=target/release/hpo-bench

if [[ $PART == all || $PART == overhead ]]; then
  $BENCH overhead --sampler random --trials 10000 --dim 5,20 --seeds 3 --out $OUT/overhead_random.json
  "$PY" bench/optuna/overhead.py --part main --samplers random --dims 5,20 --repeats 3 \
     --out "$OUT/optuna_overhead_random.json"
fi
if [[ $PART == all || $PART == parallel ]]; then
  $BENCH parallel --trials 400 --jobs 1,2 --seeds 3 --out $OUT/parallel_random.json
  "$PY" bench/optuna/parallel.py --trials 400 --repeats 3 --out $OUT/optuna_parallel.json
fi
if [[ $PART == all || $PART == tpe ]]; then
  $BENCH overhead --sampler tpe --trials 1000 --dim 5,20 --seeds 3 --out $OUT/overhead_tpe.json
  "$PY" bench/optuna/overhead.py --part main --samplers tpe_default --dims 5,20 --n-max 1000 \
     --repeats 1 --out "$OUT/optuna_overhead_tpe.json"
fi
if [[ $PART == all || $PART == quality ]]; then
  $BENCH quality --sampler tpe,random --seeds 10 --out $OUT/quality_tpe.json
  "$PY" bench/optuna/quality.py --samplers tpe_default,random --seeds 10 \
     --out "$OUT/optuna_quality.json"
fi
if [[ $PART == all || $PART == pruning ]]; then
  $BENCH pruning --seeds 30 --out $OUT/pruning_tpe_30seeds.json
  "$PY" bench/optuna/pruning.py --seeds 30 --out "$OUT/optuna_pruning_30seeds.json"
fi
if [[ $PART == all || $PART == storage ]]; then
  REDIS=${REDIS:-redis://127.0.0.1:6379}
  PG=${PG:-postgresql://postgres@127.0.0.1:5432/test}
  MY=${MY:-mysql+pymysql://root@127.0.0.1:3306/test}
  TMP=$(mktemp -d)
  for s in sqlite sqlite+wal journal journal+nosync; do
    tag=${s/+/_}
    $BENCH storage --sampler tpe --trials 1000 --dim 5 --seeds 1 --storage "$s:$TMP/hpo" \
      --out "$OUT/storage_${tag}_tpe.json"
  done
  $BENCH storage --sampler tpe --trials 1000 --dim 5 --seeds 1 --storage "$REDIS" --out $OUT/storage_redis_tpe.json
  "$PY" bench/optuna/storage_sqlite.py "$TMP/optuna.db" > $OUT/optuna_storage_sqlite_tpe.json
  "$PY" bench/optuna/storage_journal.py "$TMP/optuna.log" > $OUT/optuna_storage_journal_tpe.json
  "$PY" bench/optuna/storage_redis.py "$REDIS" 2>/dev/null > $OUT/optuna_storage_redis_tpe.json
  $BENCH storage --sampler tpe --trials 1000 --dim 5 --seeds 1 --storage "$PG" --out $OUT/storage_postgres_tpe.json
  "$PY" bench/optuna/storage_postgres.py "$PG" > $OUT/optuna_storage_postgres_tpe.json
  $BENCH storage --sampler tpe --trials 1000 --dim 5 --seeds 1 --storage "$MY" --out $OUT/storage_mysql_tpe.json
  "$PY" bench/optuna/storage_mysql.py "$MY" > $OUT/optuna_storage_mysql_tpe.json
  rm -rf "$TMP"
fi
if [[ $PART == scale ]]; then
  # Cost per trial as the study grows: RandomSampler, 100 000 trials in one study, per storage
  # (about an hour in all: PostgreSQL and MySQL take ~8 ms a trial here).
  REDIS=${REDIS:-redis://127.0.0.1:6379}
  PG=${PG:-postgresql://postgres@127.0.0.1:5432/test}
  MY=${MY:-mysql://root@127.0.0.1:3306/test}
  TMP=$(mktemp -d)
  for spec in "journal:$TMP/j.log" "sqlite+wal:$TMP/s.db" "$REDIS" "$PG" "$MY"; do
    tag=$(echo "$spec" | cut -d: -f1 | tr -d '+')
    $BENCH storage --sampler random --trials 100000 --dim 5 --seeds 1 --storage "$spec" \
      --out "$OUT/scale_$tag.json"
  done
  rm -rf "$TMP"
fi
if [[ $PART == all || $PART == asks ]]; then
  # TPE's next proposal on one fixed 40-trial history, 2000 seeds each side (bench/optuna/asks.py);
  # zdt1 has two objectives (multi-objective TPE).
  TMP=$(mktemp -d)
  for problem in hartmann6 mixed-hpo zdt1; do
    "$PY" bench/optuna/asks.py history --problem $problem --trials 40 --seed 7 --out "$TMP/$problem.log"
    $BENCH asks --problem $problem --storage "$TMP/$problem.log" --seeds 2000 --out $OUT/asks_$problem.json
    for ties in default stable; do
      flag=$([[ $ties == stable ]] && echo --stable-ties || true)
      "$PY" bench/optuna/asks.py propose --problem $problem --history "$TMP/$problem.log" --seeds 2000 \
         $flag --out "$OUT/optuna_asks_${problem}_$ties.json"
      "$PY" bench/optuna/asks.py compare $OUT/asks_$problem.json "$OUT/optuna_asks_${problem}_$ties.json" \
         --out "$OUT/asks_compare_${problem}_$ties.json"
    done
  done
  rm -rf "$TMP"
fi
if [[ $PART == gp ]]; then
  # GPSampler: time per trial at 100 and 300 trials (D = 5, and hartmann6), quality over 10 seeds.
  $BENCH overhead --sampler gp --trials 300 --dim 5 --seeds 3 --out $OUT/overhead_gp5.json
  $BENCH quality --sampler gp --trials 300 --seeds 3 --problem hartmann6 --out $OUT/quality_gp_hartmann6_300.json
  $BENCH quality --sampler gp --trials 100 --seeds 10 --out $OUT/quality_gp.json
  "$PY" bench/optuna/overhead.py --part gp5 --repeats 3 --out "$OUT/optuna_overhead_gp5.json"
  "$PY" bench/optuna/quality.py --part gp1 --samplers gp --seeds 3 --n-trials 300 \
     --problems hartmann6 --out "$OUT/optuna_quality_gp_hartmann6_300.json"
  "$PY" bench/optuna/quality.py --part gp1 --samplers gp --seeds 10 \
     --problems branin,hartmann6,rosenbrock10,ackley10,styblinski_tang10,levy10,mixed-hpo \
     --out "$OUT/optuna_quality_gp.json"
fi
if [[ $PART == all || $PART == cmaes ]]; then
  P6=branin,hartmann6,rosenbrock10,ackley10,styblinski_tang10,levy10
  $BENCH quality --sampler cmaes --trials 300 --seeds 10 --problem $P6 --out $OUT/quality_cmaes_300.json
  "$PY" bench/optuna/quality.py --samplers cmaes --n-trials 300 --seeds 10 --problems $P6 \
     --out "$OUT/optuna_quality_cmaes_300.json"
fi
if [[ $PART == all || $PART == mo ]]; then
  $BENCH mo --sampler nsga2 --problem zdt1,zdt2,zdt3,zdt4,zdt6 --trials 1000 --seeds 20 --out $OUT/mo_nsga2.json
  "$PY" bench/optuna/mo.py --sampler nsga2 --problem zdt1,zdt2,zdt3,zdt4,zdt6 --trials 1000 --seeds 20 \
    --out $OUT/optuna_mo_nsga2.json
fi
if [[ $PART == all || $PART == importance ]]; then
  # hpo writes the studies (SQLite, Optuna's schema); Optuna opens the same files. Optuna's fANOVA
  # takes minutes per run at 5000 trials, so that size runs without it.
  $BENCH importance --seeds 3 --storage bench/out --out $OUT/hpo_importance.json
  "$PY" bench/optuna/importance.py --dir bench/out --trials 200,1000 --repeats 3 --out $OUT/optuna_importance.json
  "$PY" bench/optuna/importance.py --dir bench/out --trials 5000 --repeats 3 --evaluators ped-anova,mdi \
    --out $OUT/optuna_importance_5000.json
fi
if [[ $PART == tpe-rounds ]]; then
  # The TPE comparison as ROUNDS interleaved rounds (hpo's three seeds, then Optuna, then
  # rustuna when installed: `pip install rustuna==0.2.0`), for machines too noisy for one run
  # of each side; summarised by bench/rounds.py (medians, and the ratio within each round).
  R=$(mktemp -d)
  for r in $(seq "${ROUNDS:-5}"); do
    $BENCH overhead --sampler tpe --trials 1000 --dim 5,20 --seeds 3 --out "$R/r${r}_hpo.json"
    "$PY" bench/optuna/overhead.py --part main --samplers tpe_default --dims 5,20 --n-max 1000 \
       --repeats 1 --out "$R/r${r}_optuna.json"
    if "$PY" -c "import rustuna" 2>/dev/null; then
      for d in 5 20; do
        "$PY" bench/optuna/rustuna_overhead.py tpe sphere $d 1000 $((r - 1)) 0
      done > "$R/r${r}_rustuna.jsonl"
    fi
  done
  "$PY" bench/rounds.py --dir "$R" --trials 1000 --out $OUT/tpe_interleaved_rounds.json
  rm -rf "$R"
fi
if [[ $PART == gp-rounds ]]; then
  # GPSampler, sphere D = 5, 300 trials, ROUNDS interleaved rounds (hpo's three seeds, then
  # Optuna; $PY needs torch, and greenlet for Optuna's batched fast path).
  R=$(mktemp -d)
  for r in $(seq "${ROUNDS:-3}"); do
    $BENCH overhead --sampler gp --trials 300 --dim 5 --seeds 3 --out "$R/r${r}_hpo.json"
    "$PY" bench/optuna/overhead.py --part gp5 --repeats 1 --out "$R/r${r}_optuna.json"
  done
  "$PY" bench/rounds.py --dir "$R" --trials 300 --out $OUT/gp5_300_interleaved_rounds.json
  rm -rf "$R"
fi
"$PY" bench/report.py "$OUT"
