#!/usr/bin/env bash
# The local services slipway needs: a Docker engine and a registry, both on loopback only.
#
#   scripts/services.sh [start]   install what is missing (as root), start what is not running, then print
#                                 DOCKER_HOST=…, SLIPWAY_REGISTRY=… and DOCKER_CONFIG=… on stdout (eval-able;
#                                 logs go to stderr)
#   scripts/services.sh stop      stop the engine and registry this script started (others are left alone)
#
# Idempotent: a reachable engine or registry is reused, never restarted. Redis is not started here: slipway
# and the tests start their own embedded redis-server (src/adapters/redis/embedded-redis.ts).
#
# The registry it starts takes pushes and pulls only with credentials (htpasswd, bcrypt): deployed containers
# share the loopback interface on engines without a bridge. The password is generated once into
# $state/registry-password (0600) and `docker login` stores it in the client config dir $state/docker-config,
# which slipway and the docker CLI read through DOCKER_CONFIG. Logging in to a reused registry without auth
# also succeeds, so the same credentials work before and after that registry is restarted with auth.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="${SLIPWAY_SERVICES_DIR:-$root/.slipway/services}"
registry_port="${SLIPWAY_REGISTRY_PORT:-5000}"
registry_addr="127.0.0.1:$registry_port"
own_socket="unix://$state/docker.sock"
registry_password_file="$state/registry-password"
registry_htpasswd="$state/registry.htpasswd"
registry_user=slipway
docker_config="$state/docker-config"

log() { echo "services: $*" >&2; }

# command → Debian package that provides it
packages_needed() {
  local -A pkg=([redis-server]=redis-server [dockerd]=docker.io [docker]=docker.io
    [docker-registry]=docker-registry [git]=git [curl]=curl [chromium]=chromium [htpasswd]=apache2-utils [caddy]=caddy
    [sshd]=openssh-server [ssh-keygen]=openssh-client [openssl]=openssl [mmdebstrap]=mmdebstrap [docker-compose]=docker-compose)
  local missing=()
  for cmd in "${!pkg[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkg[$cmd]}")
  done
  # the static build is the one copied into FROM-scratch sample images
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
  printf '%s\n' "${missing[@]}" | sort -u | grep -v '^$' || true
}

ensure_packages() {
  local missing
  missing=$(packages_needed | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: $missing"
    log "install them with: sudo apt-get install -y $missing"
    exit 1
  fi
  log "installing $missing"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  apt-get install -y --no-install-recommends $missing >&2 ||
    { apt-get update >&2 && apt-get install -y --no-install-recommends $missing >&2; }
}

# Caddy (the blue/green proxy) re-opens its listeners (SO_REUSEPORT) on every config change; without this,
# Linux resets the connections still queued on the listener it closes, so a switch could drop a request.
ensure_tcp_migrate_req() {
  local knob=/proc/sys/net/ipv4/tcp_migrate_req
  [ -e "$knob" ] || { log "no net.ipv4.tcp_migrate_req (needs Linux 5.14+): blue/green switches may reset new connections"; return 0; }
  [ "$(cat "$knob")" = 1 ] && return 0
  if [ "$(id -u)" != 0 ]; then log "net.ipv4.tcp_migrate_req is 0: run sudo sysctl -w net.ipv4.tcp_migrate_req=1 for blue/green without dropped connections"; return 0; fi
  echo 1 >"$knob" || log "could not set net.ipv4.tcp_migrate_req=1"
}

engine_answers() { DOCKER_HOST="$1" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

wait_for() { # seconds, command…
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -ge "$deadline" ] && return 1
    sleep 0.3
  done
}

ensure_engine() {
  if [ -n "${DOCKER_HOST:-}" ] && engine_answers "$DOCKER_HOST"; then echo "$DOCKER_HOST"; return; fi
  if [ -n "${DOCKER_HOST:-}" ]; then log "DOCKER_HOST=$DOCKER_HOST does not answer; trying the local engines"; fi
  if engine_answers unix:///var/run/docker.sock; then echo unix:///var/run/docker.sock; return; fi
  if engine_answers "$own_socket"; then echo "$own_socket"; return; fi
  if [ "$(id -u)" != 0 ]; then
    log "no Docker engine answers and starting one needs root: run 'sudo dockerd' or set DOCKER_HOST"
    exit 1
  fi
  mkdir -p "$state/docker-data" "$state/docker-exec"
  log "starting dockerd (data in $state/docker-data, socket $state/docker.sock, log $state/dockerd.log)"
  # No bridge and no iptables: containers use host networking and bind to 127.0.0.1.
  setsid dockerd --host "$own_socket" --data-root "$state/docker-data" --exec-root "$state/docker-exec" \
    --pidfile "$state/dockerd.pid" --bridge none --iptables=false --ip6tables=false \
    >"$state/dockerd.log" 2>&1 </dev/null &
  if ! wait_for 60 engine_answers "$own_socket"; then
    log "dockerd did not answer within 60 s; its log ends with:"; tail -n 20 "$state/dockerd.log" >&2
    exit 1
  fi
  echo "$own_socket"
}

# 200 from a registry without auth, 401 from one with it: either way a registry answers.
registry_answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$registry_addr/v2/") || return 1
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

# Made once, kept: a registry restarted on the same state takes the same password.
ensure_registry_password() {
  [ -s "$registry_password_file" ] && { chmod 600 "$registry_password_file"; return; }
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$registry_password_file")
}

ensure_registry() {
  ensure_registry_password
  if registry_answers; then return; fi
  mkdir -p "$state/registry-data"
  # bcrypt (the registry accepts nothing else); the password goes in on stdin, never in argv.
  (umask 077 && htpasswd -B -i -c "$registry_htpasswd" "$registry_user" <"$registry_password_file" 2>/dev/null)
  cat >"$state/registry.yml" <<YAML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $state/registry-data }
  delete: { enabled: true }
http:
  addr: $registry_addr
auth:
  htpasswd:
    realm: slipway-registry
    path: $registry_htpasswd
YAML
  log "starting docker-registry on $registry_addr (data in $state/registry-data)"
  setsid docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 </dev/null &
  echo $! >"$state/registry.pid"
  if ! wait_for 20 registry_answers; then
    log "the registry did not answer on $registry_addr within 20 s; its log ends with:"
    tail -n 20 "$state/registry.log" >&2
    exit 1
  fi
}

# The engine checks the credentials against the registry (`docker login` goes through it) and the CLI keeps
# them in $docker_config/config.json, base64 as Docker clients read them.
registry_login() {
  mkdir -p "$docker_config"
  chmod 700 "$docker_config"
  if ! DOCKER_HOST="$1" DOCKER_CONFIG="$docker_config" timeout 30 docker login "$registry_addr" \
    --username "$registry_user" --password-stdin <"$registry_password_file" >/dev/null 2>"$state/docker-login.log"; then
    log "docker login to $registry_addr failed (it was not started by this script with $registry_password_file?):"
    tail -n 3 "$state/docker-login.log" >&2
    log "log in yourself: DOCKER_CONFIG=$docker_config docker login $registry_addr"
  fi
}

stop_pidfile() {
  local file=$1 name=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill "$pid"
    wait_for 20 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

case "${1:-start}" in
  start)
    ensure_packages
    ensure_tcp_migrate_req
    mkdir -p "$state"
    docker_host=$(ensure_engine)
    ensure_registry
    registry_login "$docker_host"
    log "Docker engine: $docker_host; registry: $registry_addr (credentials in $docker_config)"
    echo "DOCKER_HOST=$docker_host"
    echo "SLIPWAY_REGISTRY=$registry_addr"
    echo "DOCKER_CONFIG=$docker_config"
    ;;
  stop)
    stop_pidfile "$state/registry.pid" docker-registry
    stop_pidfile "$state/dockerd.pid" dockerd
    # dockerd leaves its network namespace mounted; unmounted, the state directory can be deleted.
    umount "$state/docker-exec/netns/default" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac
