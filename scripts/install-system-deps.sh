#!/usr/bin/env bash
# Installs the Debian packages some tests and tools need, only when missing (idempotent).
#   scripts/install-system-deps.sh browser     Chromium + fonts: the report.html check in a real browser
#   scripts/install-system-deps.sh notebooks   jupyter-nbconvert: running the analyst notebooks headless
#   scripts/install-system-deps.sh notebook-ui jupyter-notebook: the analysts' notebook UI
#   scripts/install-system-deps.sh peers       scikit-learn, PyTorch, NumPy for Debian's python3: bench/detector-speed
#   scripts/install-system-deps.sh load        wrk, a load generator in C: bench/predict-load (else autocannon, in-process)
#   scripts/install-system-deps.sh redis       redis-server: the Redis backend of the live stores (tests and benches)
set -euo pipefail
declare -A PACKAGE_GROUPS=(
  [browser]="chromium fonts-dejavu-core"
  [notebooks]="jupyter-nbconvert fonts-dejavu-core"
  [notebook-ui]="jupyter-notebook"
  [peers]="python3-sklearn python3-torch python3-numpy python3-threadpoolctl"
  [load]="wrk"
  [redis]="redis-server"
)
[ $# -gt 0 ] || set -- browser notebooks
missing=()
for group in "$@"; do
  packages="${PACKAGE_GROUPS[$group]:-}"
  if [ -z "$packages" ]; then echo "unknown group '$group' (browser, notebooks, notebook-ui, peers, load, redis)" >&2; exit 2; fi
  for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
done
if [ ${#missing[@]} -eq 0 ]; then echo "system packages present: $*"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
