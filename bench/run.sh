#!/usr/bin/env bash
# `npm run bench`: the local services, a fresh build of slipway and of the benchmarks, then the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/services.sh)"
export DOCKER_HOST SLIPWAY_REGISTRY DOCKER_CONFIG
npm run --silent build
npx tsc -p tsconfig.bench.json
# The test helpers find the sample service next to them, as they do under test/.
ln -sfn ../examples dist-bench/examples
ln -sfn ../../test/fixtures dist-bench/test/fixtures
exec node dist-bench/bench/main.js "$@"
