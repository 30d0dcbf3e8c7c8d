#!/usr/bin/env bash
# Starts tslab from the repository root: tslab's TypeScript rootDir is the kernel's cwd, so notebooks import the
# project's files as ./notebooks/lib/... and read data paths relative to the root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
exec node "$ROOT/tools/tslab/node_modules/tslab/bin/tslab" kernel --config-path "$1"
