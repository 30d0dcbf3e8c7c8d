#!/usr/bin/env bash
# Unpacks the example data sets of Debian's weka package (ARFF files: glass, ionosphere, diabetes, ...) for the
# detector development sets (bench/dev-anomaly-sets.ts). Only the package file is downloaded and unpacked, not
# installed: weka itself would pull in a Java runtime that nothing here needs.
#   scripts/fetch-weka-examples.sh [destination]   (default ~/.cache/ringfence/weka-examples; idempotent)
set -euo pipefail
dest="${1:-${HOME}/.cache/ringfence/weka-examples}"
if [ -f "$dest/glass.arff" ]; then echo "weka examples present: $dest"; exit 0; fi
work="$(mktemp -d)"
chmod 777 "$work" # apt downloads as its own user, _apt
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download weka >/dev/null)
dpkg -x "$work"/weka_*.deb "$work/unpacked"
mkdir -p "$dest"
cp "$work"/unpacked/usr/share/doc/weka/examples/*.arff "$dest"/
echo "weka examples unpacked: $dest"
