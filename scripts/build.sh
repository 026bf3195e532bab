#!/usr/bin/env bash
# Build an sdist and a wheel of every distribution (or of those named) into dist/.
# Usage: scripts/build.sh [dist ...]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
out=${OUT:-dist}
if [ $# -eq 0 ]; then set -- $(ls packages); fi
for d in "$@"; do
  echo "== building $d"
  "$python" -m build --outdir "$out" "packages/$d"
done
ls -1 "$out"
