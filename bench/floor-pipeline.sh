#!/usr/bin/env bash
# The floor of the pipeline benchmark: what slipway does for a push, as bare commands. Clone the commit, build
# the test target and the final image, push it, replace the running container, poll its health.
# Usage: floor-pipeline.sh <repo url> <sha> <image:tag> <container name> <port> [at-once]
# With "at-once" the two builds run together (as slipway runs them), the push waiting for both.
set -euo pipefail
repo=$1 sha=$2 image=$3 name=$4 port=$5 builds=${6:-one-after-the-other}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
git clone --quiet --no-checkout "$repo" "$dir"
git -C "$dir" checkout --quiet "$sha"
if [[ $builds == at-once ]]; then
  docker build --quiet --target test "$dir" >/dev/null &
  tests=$!
  docker build --quiet --target app -t "$image" "$dir" >/dev/null
  wait "$tests"
else
  docker build --quiet --target test "$dir" >/dev/null
  docker build --quiet --target app -t "$image" "$dir" >/dev/null
fi
docker push --quiet "$image" >/dev/null
docker rm -f "$name" >/dev/null 2>&1 || true
docker run -d --name "$name" --network host -e PORT="$port" "$image" >/dev/null
until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
