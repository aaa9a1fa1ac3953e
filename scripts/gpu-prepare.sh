#!/usr/bin/env bash
# Builds what scripts/gpu-check.sh runs on the GPU machine: the torch_mlp example and the
# hpo-torch test binary (release, libtorch 2.11 from .venv-torch), stripped, in gpu-bin/; the
# Optuna-side script (bench/optuna/torch_mlp.py); and the Optuna 5.0 wheels that machine lacks, in .whl/ (Python 3.12).
set -euo pipefail
cd "$(dirname "$0")/.."
export VIRTUAL_ENV="$PWD/.venv-torch" PATH="$PWD/.venv-torch/bin:$PATH" LIBTORCH_USE_PYTORCH=1
export LD_LIBRARY_PATH="$(python -c 'import torch, os; print(os.path.dirname(torch.__file__) + "/lib")')"
cargo build --release -p hpo-torch --example torch_mlp
test_bin=$(cargo test --release -p hpo-torch --test torch --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys; print([json.loads(l)["executable"] for l in sys.stdin if "\"executable\":\"" in l][-1])')
mkdir -p gpu-bin .whl
strip -o gpu-bin/torch_mlp target/release/examples/torch_mlp
strip -o gpu-bin/hpo-torch-tests "$test_bin"
cp bench/optuna/torch_mlp.py gpu-bin/
for pkg in optuna==5.0.0 alembic sqlalchemy mako colorlog; do
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl "$pkg"
done
du -sh gpu-bin .whl
