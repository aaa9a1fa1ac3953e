#!/usr/bin/env bash
# The hpo-torch GPU check, run on the GPU machine (torch 2.11.0+cu130 in its python3, no Rust
# toolchain) over binaries built here with libtorch 2.11:
#
#   bash scripts/gpu-prepare.sh          # here: build, strip and gather into gpu-bin/ and .whl/
#   (device) bash scripts/gpu-check.sh   # there, with gpu-bin and .whl carried; OUT set
#
# In one run (each step under its own timeout: at most 8 minutes before (3b), 4 more with it)
# it (1) shows CUDA is available and the device name and runs
# hpo-torch's tests on the GPU, (2) runs the MLP tuning job (hpo-torch/examples/torch_mlp.rs) on
# cuda:0 recording wall time, trial counts and GPU memory after the first and last trial,
# (3) runs it with k = 2 and 4 concurrent trials on the one GPU as threads of one process,
# (3b) with k = 1, 2 and 4 worker processes sharing one study through a journal file
# (--processes K; "mode": "processes" in the JSON line), and (4) runs the same job in Python
# (PyTorch + Optuna 5.0, bench/optuna/torch_mlp.py) for the side-by-side ratio. Everything goes
# to $OUT/gpu-check.log and one JSON line per run to $OUT/gpu-runs.jsonl.
#
# PARTS=processes runs only the thread baseline (k = 1) and (3b): about 2 minutes, at most 5.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/results/gpu}
BIN=${BIN:-gpu-bin}
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"
RUNS="$OUT/gpu-runs.jsonl"
: >"$RUNS"
exec > >(tee -a "$LOG") 2>&1
started=$(date +%s)

echo "== machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
TORCH_LIB=$(python3 -c "import torch, os; print(os.path.dirname(torch.__file__) + '/lib')")
export LD_LIBRARY_PATH="$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
python3 -c "import torch; print('python torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site
fi

PARTS=${PARTS:-all}
if [ "$PARTS" = all ]; then
  echo "== (1) CUDA through hpo-torch, and its tests on the GPU"
  timeout 60 "$BIN/hpo-torch-tests" --test-threads 1 2>&1 | grep -E "^test |test result|skipping|panicked" || echo "tests: exit $?"
fi

run_rust() {  # k, trials, timeout seconds
  echo "== hpo-torch example, k=$1 concurrent trial(s) per GPU, $2 trials"
  timeout "$3" "$BIN/torch_mlp" --trials "$2" --per-device "$1" --json | tee /tmp/run.txt
  tail -1 /tmp/run.txt | grep '^{' >>"$RUNS"
}
echo "== (2) the seed job on cuda:0"
run_rust 1 50 150
if [ "$PARTS" = all ]; then
  echo "== (3) concurrent trials on one GPU"
  run_rust 2 50 100
  run_rust 4 50 100
fi

run_processes() {  # k, trials, timeout seconds
  echo "== hpo-torch example, k=$1 worker process(es) on one GPU sharing a journal, $2 trials"
  rm -f /tmp/hpo-torch-gpu-study.log /tmp/hpo-torch-gpu-study.log.lock
  timeout "$3" "$BIN/torch_mlp" --trials "$2" --processes "$1" \
    --storage journal:/tmp/hpo-torch-gpu-study.log --json | tee /tmp/run.txt
  tail -1 /tmp/run.txt | grep '^{' >>"$RUNS"
  nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader || true
}
echo "== (3b) concurrent trials on one GPU as worker processes sharing a journal file"
run_processes 1 50 90
run_processes 2 50 60
run_processes 4 50 60
[ "$PARTS" = all ] || { echo "== done in $(( $(date +%s) - started )) s"; exit 0; }

echo "== (4) the same job in Python (PyTorch + Optuna 5.0)"
PYTHONUNBUFFERED=1 timeout 150 python3 "$BIN/torch_mlp.py" --device cuda | tee /tmp/py.txt
tail -1 /tmp/py.txt | grep '^{' | sed 's/^{/{"runner": "python-optuna", /' >>"$RUNS"
echo "== done in $(( $(date +%s) - started )) s"
