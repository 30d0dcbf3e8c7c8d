#!/usr/bin/env bash
# Opens the analyst notebooks in Jupyter's classic UI (Debian's jupyter-notebook) with the tslab TypeScript kernel.
# The notebooks read RINGFENCE_MODELS / RINGFENCE_MODEL_NAME / RINGFENCE_DATA (defaults: the model of `npm run demo`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-system-deps.sh notebooks notebook-ui
[ -x tools/tslab/node_modules/tslab/bin/tslab ] || npm ci --prefix tools/tslab --no-audit --no-fund
npm run build --silent  # incremental: the notebooks import dist/, which must match the source
# Jupyter refuses to start as root unless told; containers often run as root, so say so and pass the flag
as_root=()
if [ "$(id -u)" -eq 0 ]; then
  echo "running as root: passing --allow-root to Jupyter (the notebook server runs with root's rights; it listens on 127.0.0.1 only)" >&2
  as_root=(--allow-root)
fi
JUPYTER_PATH="$ROOT/.jupyter" exec jupyter notebook --no-browser --ip=127.0.0.1 --notebook-dir="$ROOT" "${as_root[@]}" "$@"
