#!/usr/bin/env bash
# hpo's samplers in kurobako (optuna/kurobako 0.2.10) against Optuna 5.0's TPE (through
# bench/optuna/kurobako_solver.py) and kurobako's built-in Random, on three sigopt problems, 10
# repeats of 80 trials; writes bench/results/kurobako/{result.json,report.md}.
# Needs kurobako on PATH (or KUROBAKO=...): `cargo install kurobako --version 0.2.10` (~5 min),
# and PY (default .venv/bin/python) with optuna==5.0.0.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${KUROBAKO:-kurobako}
PY=${PY:-.venv/bin/python}
cargo build --release -q -p hpo-bench
B=target/release/hpo-bench
OUT=bench/results/kurobako
mkdir -p "$OUT"
SOLVERS=("$($K solver command -- $B kurobako --sampler tpe)"
         "$($K solver command -- $B kurobako --sampler qmc)"
         "$($K solver command -- $PY bench/optuna/kurobako_solver.py tpe)"
         "$($K solver random)")
PROBLEMS=("$($K problem sigopt --dim 2 ackley)"
          "$($K problem sigopt --dim 6 hartmann6)"
          "$($K problem sigopt --dim 5 styblinski-tang)")
$K studies --solvers "${SOLVERS[@]}" --problems "${PROBLEMS[@]}" --repeats 10 --budget 80 --seed 1 \
  | $K run > "$OUT/result.json"
$K report < "$OUT/result.json" > "$OUT/report.md"
echo "wrote $OUT/report.md"
