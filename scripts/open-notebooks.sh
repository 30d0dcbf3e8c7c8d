#!/usr/bin/env bash
# Opens the analyst notebooks in Jupyter's classic UI (Debian's jupyter-notebook) with the tslab TypeScript kernel.
# The notebooks read RINGFENCE_MODELS / RINGFENCE_MODEL_NAME / RINGFENCE_DATA (defaults: the model of `npm run demo`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-system-deps.sh notebooks notebook-ui
[ -x tools/tslab/node_modules/tslab/bin/tslab ] || npm ci --prefix tools/tslab --no-audit --no-fund
[ -f dist/training/train-model.js ] || npm run build
JUPYTER_PATH="$ROOT/.jupyter" exec jupyter notebook --no-browser --ip=127.0.0.1 --notebook-dir="$ROOT" "$@"
