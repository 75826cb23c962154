#!/usr/bin/env bash
# Starts the real parts the end-to-end tests and the demo use, idempotently:
#   - a Docker engine (an already running one is used as it is; otherwise dockerd
#     is started with no bridge and no iptables, so nothing leaves loopback),
#   - a plain registry on 127.0.0.1:$SHIP_IMAGE_PLAIN_PORT (default 5000),
#   - a TLS + htpasswd registry on 127.0.0.1:$SHIP_IMAGE_TLS_PORT (default 5443),
#     its self-signed certificate trusted by the engine through
#     /etc/docker/certs.d/localhost:PORT/ca.crt,
#   - a tiny base image, ship-image/busybox:test, imported from Debian's busybox-static.
# Installs the Debian packages it needs (pigz and skopeo too) when they are missing. Writes what it
# started to $SHIP_IMAGE_STATE/services.json (default /var/tmp/ship-image).
set -euo pipefail

STATE=${SHIP_IMAGE_STATE:-/var/tmp/ship-image}
PLAIN_PORT=${SHIP_IMAGE_PLAIN_PORT:-5000}
TLS_PORT=${SHIP_IMAGE_TLS_PORT:-5443}
BASE_IMAGE=ship-image/busybox:test
USERNAME=ship

say() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "run as root, or install sudo"
  SUDO=sudo
fi

engine_up() { timeout 10 docker info >/dev/null 2>&1; }

# --- packages ---------------------------------------------------------------
need=()
command -v docker >/dev/null || need+=(docker.io)
if ! engine_up; then command -v dockerd >/dev/null || need+=(docker.io); fi
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || need+=(busybox-static)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
# pigz: the action compresses tarballs with it when present (GitHub's Ubuntu runners have it);
# the tests cover it and the zlib fallback.
command -v pigz >/dev/null || need+=(pigz)
# skopeo: the tests read registries with it, apart from any engine.
command -v skopeo >/dev/null || need+=(skopeo)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${need[@]}" ca-certificates >/dev/null
fi

$SUDO mkdir -p "$STATE"
$SUDO chown "$(id -u):$(id -g)" "$STATE"

# --- engine -----------------------------------------------------------------
if engine_up; then
  say "using the running Docker engine"
else
  # A pid file left by an engine that was killed (a previous session) stops dockerd.
  pidfile=/var/run/docker.pid
  if [ -f "$pidfile" ]; then
    old=$(cat "$pidfile" 2>/dev/null || true)
    state=$(ps -o stat= -p "${old:-0}" 2>/dev/null || true)
    if [ -z "$state" ] || [[ "$state" == Z* ]]; then $SUDO rm -f "$pidfile"; fi
  fi
  say "starting dockerd (no bridge, no iptables: loopback only)"
  $SUDO setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false \
    >"$STATE/dockerd.log" 2>&1 </dev/null &
  dockerd_pid=$!
  for _ in $(seq 1 120); do
    engine_up && break
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  engine_up || { tail -20 "$STATE/dockerd.log" >&2; die "dockerd did not start; see $STATE/dockerd.log"; }
fi

# --- registries ---------------------------------------------------------------
[ -s "$STATE/password" ] || (umask 077; openssl rand -hex 16 >"$STATE/password")
PASSWORD=$(cat "$STATE/password")

if [ ! -s "$STATE/tls/cert.pem" ]; then
  mkdir -p "$STATE/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" 2>/dev/null
fi
$SUDO mkdir -p "/etc/docker/certs.d/localhost:$TLS_PORT"
$SUDO cp "$STATE/tls/cert.pem" "/etc/docker/certs.d/localhost:$TLS_PORT/ca.crt"
htpasswd -Bbn "$USERNAME" "$PASSWORD" >"$STATE/htpasswd"

registry_config() { # name port tls?
  local name=$1 port=$2 tls=$3
  mkdir -p "$STATE/$name/data"
  {
    echo "version: 0.1"
    echo "log: {level: warn}"
    echo "storage:"
    echo "  filesystem: {rootdirectory: $STATE/$name/data}"
    echo "  delete: {enabled: true}"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    if [ "$tls" = tls ]; then
      echo "  tls: {certificate: $STATE/tls/cert.pem, key: $STATE/tls/key.pem}"
      echo "auth:"
      echo "  htpasswd: {realm: ship-image, path: $STATE/htpasswd}"
    fi
  } >"$STATE/$name/config.yml"
}

registry_up() { # url
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$STATE/tls/cert.pem" --max-time 2 "$1/v2/" || true)
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

start_registry() { # name port tls? url
  local name=$1 port=$2 tls=$3 url=$4
  if registry_up "$url"; then say "registry $name already on $url"; return; fi
  registry_config "$name" "$port" "$tls"
  say "starting registry $name on $url"
  setsid nohup docker-registry serve "$STATE/$name/config.yml" >"$STATE/$name/registry.log" 2>&1 </dev/null &
  for _ in $(seq 1 40); do registry_up "$url" && return; sleep 0.25; done
  tail -20 "$STATE/$name/registry.log" >&2
  die "registry $name did not start; see $STATE/$name/registry.log"
}

start_registry plain "$PLAIN_PORT" plain "http://127.0.0.1:$PLAIN_PORT"
start_registry secure "$TLS_PORT" tls "https://localhost:$TLS_PORT"

# --- base image ---------------------------------------------------------------
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "importing $BASE_IMAGE from /bin/busybox"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in sh cat echo ls mkdir rm cp true false sleep head dd; do ln -s busybox "$rootfs/bin/$applet"; done
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

cat >"$STATE/services.json" <<EOF
{
  "plain": "localhost:$PLAIN_PORT",
  "tls": "localhost:$TLS_PORT",
  "username": "$USERNAME",
  "passwordFile": "$STATE/password",
  "caFile": "$STATE/tls/cert.pem",
  "baseImage": "$BASE_IMAGE"
}
EOF
say "ready: $STATE/services.json"
