#!/usr/bin/env bash
# hpo's samplers in kurobako (optuna/kurobako 0.2.10) against Optuna 5.0's TPE (through
# bench/optuna/kurobako_solver.py) and kurobako's built-in Random, on three sigopt problems, 10
# repeats of 80 trials; writes bench/results/kurobako/{result.json,report.md}.
# Needs kurobako on PATH (or KUROBAKO=...): `cargo install kurobako --version 0.2.10` (~5 min),
# and PY (default .venv/bin/python) with optuna==5.0.0.
#
#   bash bench/kurobako.sh              # the table above: hpo TPE and QMC, Optuna TPE, Random
#   bash bench/kurobako.sh auto         # hpo AutoSampler, GP and TPE against Optuna's TPE and GP
#                                       # (PYGP: a Python with optuna==5.0.0 and torch; default PY)
#   bash bench/kurobako.sh conditional  # hpo's solvers on a conditional problem
#                                       # (bench/kurobako_conditional.py; Optuna's solver script
#                                       # does not evaluate kurobako's conditions)
set -euo pipefail
cd "$(dirname "$0")/.."
K=${KUROBAKO:-kurobako}
PY=${PY:-.venv/bin/python}
PART=${1:-main}
cargo build --release -q -p hpo-bench
B=target/release/hpo-bench
OUT=bench/results/kurobako
mkdir -p "$OUT"
# run TAG BUDGET: the studies of SOLVERS x PROBLEMS, 10 repeats, seed 1, into result$TAG.json and
# report$TAG.md.
run() {
  $K studies --solvers "${SOLVERS[@]}" --problems "${PROBLEMS[@]}" --repeats 10 --budget "$2" --seed 1 \
    | $K run > "$OUT/result$1.json"
  $K report < "$OUT/result$1.json" > "$OUT/report$1.md"
  echo "wrote $OUT/report$1.md"
}
SIGOPT=("$($K problem sigopt --dim 2 ackley)"
        "$($K problem sigopt --dim 6 hartmann6)"
        "$($K problem sigopt --dim 5 styblinski-tang)")
case $PART in
  auto)
    PYGP=${PYGP:-$PY}
    SOLVERS=("$($K solver command -- $B kurobako --sampler auto)"
             "$($K solver command -- $B kurobako --sampler gp)"
             "$($K solver command -- $B kurobako --sampler tpe)"
             "$($K solver command -- $PY bench/optuna/kurobako_solver.py tpe)"
             "$($K solver command -- $PYGP bench/optuna/kurobako_solver.py gp)")
    PROBLEMS=("${SIGOPT[@]}")
    run _auto 80 ;;
  conditional)
    SOLVERS=("$($K solver command -- $B kurobako --sampler auto)"
             "$($K solver command -- $B kurobako --sampler tpe)"
             "$($K solver command -- $B kurobako --sampler random)")
    PROBLEMS=("$($K problem command -- $PY bench/kurobako_conditional.py)")
    run _conditional 60 ;;
  *)
    SOLVERS=("$($K solver command -- $B kurobako --sampler tpe)"
             "$($K solver command -- $B kurobako --sampler qmc)"
             "$($K solver command -- $PY bench/optuna/kurobako_solver.py tpe)"
             "$($K solver random)")
    PROBLEMS=("${SIGOPT[@]}")
    run "" 80 ;;
esac
