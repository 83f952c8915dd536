#!/usr/bin/env bash
# npm test while a CPU hog keeps every core busy, as on a shared CI machine: a test that needs a quiet machine
# fails here. Arguments go to vitest (e.g. a file). STRESS_TIMES=3 runs the suite 3 times in a row under the
# same load, stopping at the first red one. Needs Debian's stress-ng, installed here when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v stress-ng >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "test:stress needs stress-ng: sudo apt-get install -y stress-ng" >&2
    exit 1
  fi
  apt-get install -y --no-install-recommends stress-ng >&2 || { apt-get update >&2 && apt-get install -y --no-install-recommends stress-ng >&2; }
fi

cores=$(nproc)
echo "test:stress: ${cores} CPU hog(s) at full load for the whole run" >&2
stress-ng --cpu "$cores" --cpu-load 100 --quiet &
hog=$!
trap 'kill "$hog" 2>/dev/null || true; wait "$hog" 2>/dev/null || true' EXIT
times=${STRESS_TIMES:-1}
for ((i = 1; i <= times; i++)); do
  echo "test:stress: run ${i} of ${times}" >&2
  npx vitest run "$@"
done
