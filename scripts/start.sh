#!/usr/bin/env bash
# `npm start`: the local services (Docker engine, registry), a fresh build, then slipway in the foreground.
# Redis needs nothing here: with REDIS_URL unset slipway starts its own.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
eval "$(bash scripts/services.sh)"
export DOCKER_HOST SLIPWAY_REGISTRY DOCKER_CONFIG
npm run --silent build
exec node dist/src/main.js "$@"
