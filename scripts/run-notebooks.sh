#!/usr/bin/env bash
# Executes every analyst notebook headless against a small generated model; prints "N passed, N failed".
# Installs what is missing first: Debian's jupyter-nbconvert, the tslab kernel (tools/tslab); then builds the library
# (dist/, incremental: a few seconds when nothing changed), so the notebooks never run code older than the source.
# Executed copies go to build/notebooks/ (ignored), their charts as SVG to build/notebooks/charts/<notebook>/; committed
# notebooks keep no outputs.
#   scripts/run-notebooks.sh [notebooks/NN-name.ipynb ...]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-system-deps.sh notebooks >/dev/null || { echo "could not install jupyter-nbconvert" >&2; exit 1; }
[ -x tools/tslab/node_modules/tslab/bin/tslab ] || npm ci --prefix tools/tslab --no-audit --no-fund >/dev/null || { echo "could not install tslab" >&2; exit 1; }
npm run build >/dev/null || { echo "could not build the library (npm run build)" >&2; exit 1; }

OUT="${NOTEBOOK_OUT:-$ROOT/build/notebooks}"
mkdir -p "$OUT"
export JUPYTER_PATH="$ROOT/.jupyter"
export RINGFENCE_DATA="$OUT/data"
export RINGFENCE_MODELS="$OUT/models"
export RINGFENCE_MODEL_NAME="notebooks"
# notebook 04 trains into a root of its own: a version it added to RINGFENCE_MODELS would become the newest there
export RINGFENCE_WALKTHROUGH_MODELS="$OUT/walkthrough-models"
export RINGFENCE_QUIET=1
if [ ! -f "$RINGFENCE_DATA/accounts.csv" ]; then
  rm -rf "$RINGFENCE_DATA" "$RINGFENCE_MODELS"
  node dist/cli/ringfence.js generate --accounts 2000 --seed 41 --out "$RINGFENCE_DATA" >/dev/null || exit 1
fi
if [ ! -f "$RINGFENCE_MODELS/$RINGFENCE_MODEL_NAME/LATEST" ]; then
  node dist/cli/ringfence.js train --data "$RINGFENCE_DATA" --models "$RINGFENCE_MODELS" --name "$RINGFENCE_MODEL_NAME" --seed 3 >/dev/null || exit 1
fi

pass=0; fail=0
if [ $# -gt 0 ]; then notebooks=("$@"); else notebooks=("$ROOT"/notebooks/*.ipynb); fi
for nb in "${notebooks[@]}"; do
  name="$(basename "$nb" .ipynb)"; started=$(date +%s%N)
  # each chart's SVG too (notebooks/lib/charts.ts), for the tests' chart checks
  rm -rf "$OUT/charts/$name"
  if RINGFENCE_CHARTS="$OUT/charts/$name" jupyter nbconvert --to notebook --execute --log-level=DEBUG \
       --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout=300 \
       --ExecutePreprocessor.startup_timeout=120 --output-dir "$OUT" "$nb" >"$OUT/$name.log" 2>&1; then
    pass=$((pass+1)); echo "ok   $name ($(( ($(date +%s%N)-started)/1000000 )) ms)"
  else
    fail=$((fail+1)); echo "FAIL $name ($(( ($(date +%s%N)-started)/1000000 )) ms)"
    # tslab reports compile and runtime errors only as a stderr stream; nbconvert's own message is empty
    grep -F "'name': 'stderr'" "$OUT/$name.log" | sed 's/^/     /' | cut -c1-2000
    sed -n '/CellExecutionError: /,$p' "$OUT/$name.log" | head -20 | sed 's/^/     /'
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
