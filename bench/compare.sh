#!/usr/bin/env bash
# Runs hpo-bench and Optuna 5.0's scripts on this machine in one go and prints the ratio tables
# that BENCHMARKS.md records. Needs a Python with optuna==5.0.0 (PY=..., default .venv/bin/python;
# created with `python3 -m venv .venv && .venv/bin/pip install optuna==5.0.0 scipy cmaes`).
#
#   bash bench/compare.sh            # all parts
#   bash bench/compare.sh overhead   # one part: overhead | parallel
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ANCHORS=${ANCHORS:-../shared/bench/anchors}
OUT=bench/results
PART=${1:-all}
mkdir -p "$OUT"
cargo build --release -q -p hpo-bench
BENCH=target/release/hpo-bench

if [[ $PART == all || $PART == overhead ]]; then
  $BENCH overhead --sampler random --trials 10000 --dim 5,20 --seeds 3 --out $OUT/overhead_random.json
  (cd "$ANCHORS" && "$OLDPWD/$PY" overhead.py --part main --samplers random --dims 5,20 --repeats 3 \
     --out "$OLDPWD/$OUT/optuna_overhead_random.json")
fi
if [[ $PART == all || $PART == parallel ]]; then
  $BENCH parallel --trials 400 --jobs 1,2 --seeds 3 --out $OUT/parallel_random.json
  "$PY" bench/optuna/parallel.py --trials 400 --repeats 3 --out $OUT/optuna_parallel.json
fi
"$PY" bench/report.py "$OUT"
