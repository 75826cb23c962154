#!/usr/bin/env bash
# Starts the real parts the end-to-end tests, the bench and the demo use, idempotently:
# the Docker "worlds" and the registries they share. Every part comes from Debian's
# packages; a second run reuses whatever already runs.
#
# Worlds (SHIP_IMAGE_WORLDS, comma-separated, default classic,hosted,builder,containerd;
# the others are null in services.json):
#   classic     engine 20.10 on /var/run/docker.sock (an already running one is used as it
#               is; otherwise Debian's dockerd is started with no bridge and no iptables, so
#               nothing leaves loopback), driven by the `docker` on PATH, no buildx plugin:
#               the classic builder. A self-hosted runner with an old engine.
#   hosted      GitHub's ubuntu-24.04 runner without setup-buildx-action: engine 28.5.2 on
#               the classic image store ($STATE/engines/hosted/docker.sock), the 28.5.2 CLI,
#               and buildx 0.29.1 as a user's CLI plugin; the current builder is buildx's
#               docker driver (the engine's own BuildKit).
#   builder     the same runner after docker/setup-buildx-action: the hosted engine, CLI and
#               plugin, and a standalone BuildKit outside the engine made the current builder
#               (a remote builder at tcp://127.0.0.1:$SHIP_IMAGE_BUILDKIT_PORT, default 5070).
#   containerd  engine 28.5.2 with the containerd image store
#               ({"features": {"containerd-snapshotter": true}}, $STATE/engines/containerd/),
#               the same CLI and plugin: what Docker 29's new installs do.
#
# The 28.5.2 engine, CLI, buildx 0.29.1, cosign and crane are Debian forky's docker.io,
# docker-cli, docker-buildx, cosign and crane, fetched by `apt-get download` with a private
# apt configuration (never the system's sources) and unpacked with dpkg -x; nothing is
# installed system-wide:
#   $STATE/forky/apt/, debs/      the private apt lists and cache, the .debs
#   $STATE/forky/root/            the unpacked packages (usr/sbin/dockerd, usr/bin/docker, …)
#   $STATE/cli-plugins/           docker-buildx, for a ~/.docker/cli-plugins that links here
#                                 (the way setup-buildx-action gives buildx to a user)
#   $STATE/engines/NAME/          docker.sock, daemon.json, dockerd.pid, dockerd.log, data/, run/
# dockerd 28.5.2 runs on bookworm's containerd 1.6.20 and the system's runc 1.1.5 (forky's
# runc needs a newer glibc), with --bridge=none --iptables=false --ip-masq=false. Each
# engine starts its own containerd under its exec-root, in its own containerd namespaces
# (ship-image-NAME, ship-image-NAME-plugins), and that containerd dies with it.
#
# BuildKit: Debian ships no buildkitd, but forky's golang-github-docker-docker-dev carries
# github.com/moby/buildkit. services.sh builds cmd/buildkitd and cmd/buildctl from it offline
# with forky's golang-go and the golang-*-dev closure (GOPATH mode; stand-ins for the
# packages Debian lacks; the GitHub Actions cache backend and the stargz snapshotter left
# out), once per version of that package:
#   $STATE/buildkit/bin/VERSION/  buildkitd and buildctl (a warm run never rebuilds)
#   $STATE/buildkit/              buildkitd.toml, buildkitd.sock, buildkitd.pid, buildkitd.log, root/
# buildkitd runs rootful as setup-buildx-action's docker-container builder does: the OCI
# worker, host network, overlayfs, and setup-buildx-action's default buildkitd-flags
# (--allow-insecure-entitlement security.insecure, network.host), on a unix socket and on
# tcp://127.0.0.1:PORT, with a --config TOML for the registries.
# It is made the current builder as setup-buildx-action makes its builder current
# (src/main.ts and src/context.ts of docker/setup-buildx-action: `docker buildx create
# --name NAME --driver D [--buildkitd-flags …] --use [ENDPOINT]`, then `docker buildx
# inspect --bootstrap --builder NAME`; no BUILDX_BUILDER is exported, `--use` records the
# builder as current for the engine's endpoint in ~/.docker/buildx), with the remote driver
# in place of docker-container (the remote driver takes no --buildkitd-flags: buildkitd
# has them already):
#   docker buildx create --name ship-image-remote --driver remote --use tcp://127.0.0.1:PORT
# services.sh runs that once with DOCKER_HOST set to the hosted engine and BUILDX_CONFIG
# $STATE/builder/buildx; worlds.builder.builder.buildxConfig names that folder, and a test
# copies it to the workspace's ~/.docker/buildx (worlds.builder.builder.create is the
# command itself, for a workspace that wants to run it).
#
# Registries (Debian's docker-registry), shared by the worlds:
#   - plain: 127.0.0.1:$SHIP_IMAGE_PLAIN_PORT (default 5000), "localhost:PORT" in
#     services.json; every engine and BuildKit speak plain HTTP to a loopback registry;
#   - TLS + htpasswd login on 127.0.0.1:$SHIP_IMAGE_TLS_PORT (default 5443), answering two
#     names: "localhost:PORT" (only the engines reach it over TLS there: buildx's imagetools
#     and BuildKit speak plain HTTP to any loopback name) and "$SHIP_IMAGE_REGISTRY_HOST:PORT"
#     (default registry.ship-image.test, an /etc/hosts entry for 127.0.0.1), which every
#     engine, buildx and BuildKit reach over HTTPS, as a runner reaches ghcr.io. Its
#     certificate is signed by a CA of the state folder ($STATE/tls/ca.pem), trusted
#     system-wide (/usr/local/share/ca-certificates/ship-image-*.crt, update-ca-certificates)
#     and by the engines (/etc/docker/certs.d/NAME:PORT/ca.crt for both names).
#
# Base image: ship-image/busybox:test, imported from Debian's busybox-static into every
# engine; the builder world's BuildKit sees no engine's images, so it is also pushed to
# the plain registry. Each world's baseImage in services.json is the one to build FROM.
#
# Installs the Debian packages it needs (pigz and skopeo too) when they are missing. Writes
# what it started to $SHIP_IMAGE_STATE/services.json (default /var/tmp/ship-image):
#   plain, tls, tlsNamed      host:port of the registries (tlsNamed: the non-loopback name)
#   username, passwordFile, caFile   the TLS registry's login and its CA
#   baseImage                 the classic world's base image (older readers)
#   registries.{plain,tls,tlsNamed}  {host, https, login}
#   tools.{cosign,crane,skopeo}      paths (null when not fetched)
#   worlds.{classic,hosted,builder,containerd}  null when left out, else {dockerHost, cli,
#     pluginsDir, engine, buildx, containerdStore, baseImage, log, builder}, builder being
#     null (no buildx) or {name, driver, endpoint, buildkit, buildxConfig, create, log}
# and the same worlds, registries and tools to services-worlds.json beside it (an older
# checkout's services.sh on the same machine rewrites services.json without them).
#
# Two runs at once are safe: the second waits for the first (flock on $STATE/services.lock).
# Processes are started detached (setsid nohup) and outlive the script; their pid files are
# checked against their command lines. Options:
#   --check        then run scripts/check-worlds.sh (an end-to-end smoke test of the worlds)
#   --stop WORLD   stop what WORLD runs (hosted, containerd: its engine; builder: buildkitd)
#                  and undo its mounts, then exit; the state stays. classic's engine is the
#                  system's and is never stopped.
#   --stop-all     stop every engine, buildkitd and registry this state folder's services.sh
#                  started (not the classic engine), then exit
# Environment: SHIP_IMAGE_STATE, SHIP_IMAGE_WORLDS, SHIP_IMAGE_PLAIN_PORT, SHIP_IMAGE_TLS_PORT,
# SHIP_IMAGE_BUILDKIT_PORT, SHIP_IMAGE_REGISTRY_HOST, SHIP_IMAGE_DEBIAN_MIRROR (the mirror to
# fetch forky from; default the system's own).
set -euo pipefail

STATE=${SHIP_IMAGE_STATE:-/var/tmp/ship-image}
PLAIN_PORT=${SHIP_IMAGE_PLAIN_PORT:-5000}
TLS_PORT=${SHIP_IMAGE_TLS_PORT:-5443}
BUILDKIT_PORT=${SHIP_IMAGE_BUILDKIT_PORT:-5070}
REGISTRY_HOST=${SHIP_IMAGE_REGISTRY_HOST:-registry.ship-image.test}
ALL_WORLDS=(classic hosted builder containerd)
BASE_IMAGE=ship-image/busybox:test
USERNAME=ship

FORKY=$STATE/forky
FORKY_ROOT=$FORKY/root
FORKY_SUITE=forky
FORKY_PACKAGES=(docker.io docker-cli docker-buildx cosign crane)
DOCKERD=$FORKY_ROOT/usr/sbin/dockerd
CLI=$FORKY_ROOT/usr/bin/docker
PLUGINS=$STATE/cli-plugins
BK=$STATE/buildkit
BK_SOURCE_PACKAGE=golang-github-docker-docker-dev
BUILDER_NAME=ship-image-remote
BUILDER_DIR=$STATE/builder

say() { printf 'services: %s\n' "$*" >&2; }
die() {
  printf 'services: error: %s\n' "$*" >&2
  exit 1
}

CHECK=0
STOP=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --check) CHECK=1 ;;
    --stop)
      i=$((i + 1))
      STOP=${args[i]:-}
      case $STOP in
        hosted | containerd | builder) ;;
        classic) die "the classic world's engine is the system's: services.sh never stops it" ;;
        *) die "--stop takes a world: hosted, containerd or builder (got '${STOP}')" ;;
      esac
      ;;
    --stop=*) die "write --stop WORLD" ;;
    --stop-all) STOP=all ;;
    *) die "unknown option ${args[i]} (options: --check, --stop WORLD, --stop-all)" ;;
  esac
done

WORLDS=${SHIP_IMAGE_WORLDS:-$(
  IFS=,
  echo "${ALL_WORLDS[*]}"
)}
declare -A WANT=()
IFS=, read -r -a wanted <<<"$WORLDS"
for w in "${wanted[@]}"; do
  w=${w// /}
  [ -n "$w" ] || continue
  case " ${ALL_WORLDS[*]} " in
    *" $w "*) WANT[$w]=1 ;;
    *) die "SHIP_IMAGE_WORLDS names an unknown world '$w' (worlds: ${ALL_WORLDS[*]})" ;;
  esac
done
wants() { [ -n "${WANT[$1]:-}" ]; }
# The builder world runs on the hosted engine; containerd and hosted on forky's packages.
need_hosted_engine() { wants hosted || wants builder; }
need_forky() { wants hosted || wants builder || wants containerd; }

SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "run as root, or install sudo"
  SUDO=sudo
fi

# --- processes -------------------------------------------------------------------
# The pid in FILE when it is alive, not a zombie, and its command line holds MARK (so a
# pid reused by some other process after a reboot or a kill is never taken for ours).
live_pid() { # file mark
  local pid state
  pid=$(cat "$1" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
  [ -n "$state" ] && [[ "$state" != Z* ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}
alive() { ps -p "$1" >/dev/null 2>&1; } # unlike kill -0, also for root's processes under sudo

# detach LOG COMMAND...: starts COMMAND in a session of its own, so that it outlives this
# script, with no terminal and without the lock's file descriptor; prints its pid. It runs
# in /, not in the caller's folder: .ci/run starts the services from a temporary clone that
# it then removes, and BuildKit's git (a Git context) fails in a deleted working directory
# with "Unable to read current working directory".
detach() {
  local log=$1
  shift
  (cd / && exec $SUDO setsid nohup "$@" >"$log" 2>&1 </dev/null 9>&-) &
  echo $!
}

# stop_pid PID WHAT: TERM, then wait up to 30 s.
stop_pid() {
  say "stopping $2 (pid $1)"
  $SUDO kill "$1" 2>/dev/null || true
  for _ in $(seq 1 60); do alive "$1" || return 0; sleep 0.5; done
  die "$2 (pid $1) did not stop"
}

# A killed dockerd or buildkitd leaves mounts below its folder behind (its --data-root
# bind mount, run/netns/default, overlay snapshots).
umount_below() { # dir
  local mounts m
  mounts=$(awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r)
  for m in $mounts; do $SUDO umount -l "$m" || true; done
}

engine_dir() { echo "$STATE/engines/$1"; }
engine_host() { echo "unix://$(engine_dir "$1")/docker.sock"; }
engine_pid() { live_pid "$(engine_dir "$1")/dockerd.pid" "--pidfile=$(engine_dir "$1")/dockerd.pid"; }
stop_engine() { # name
  local pid
  if pid=$(engine_pid "$1"); then stop_pid "$pid" "engine $1"; fi
  umount_below "$(engine_dir "$1")"
}

buildkitd_pid() { live_pid "$BK/buildkitd.pid" "--root $BK/root"; }
stop_buildkitd() {
  local pid
  if pid=$(buildkitd_pid); then stop_pid "$pid" buildkitd; fi
  umount_below "$BK/root"
}

# The registry this state folder started under NAME: found by its exact command line.
registry_pid() { # name
  local want="docker-registry serve $STATE/$1/config.yml " pid
  for pid in $(pgrep -x docker-registry || true); do
    if [ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" = "$want" ]; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

if [ -n "$STOP" ]; then
  case $STOP in
    builder) stop_buildkitd ;;
    hosted | containerd) stop_engine "$STOP" ;;
    all)
      stop_buildkitd
      stop_engine containerd
      stop_engine hosted
      for name in plain secure; do
        if pid=$(registry_pid "$name"); then stop_pid "$pid" "registry $name"; fi
      done
      ;;
  esac
  exit 0
fi

# --- packages ---------------------------------------------------------------
engine_up() { timeout 10 docker info >/dev/null 2>&1; }

need=()
if wants classic; then
  command -v docker >/dev/null || need+=(docker.io)
  if ! engine_up; then command -v dockerd >/dev/null || need+=(docker.io); fi
fi
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || need+=(busybox-static)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
command -v update-ca-certificates >/dev/null || need+=(ca-certificates)
# pigz: the action compresses tarballs with it when present (GitHub's Ubuntu runners have it);
# the tests cover it and the zlib fallback.
command -v pigz >/dev/null || need+=(pigz)
# skopeo: the tests read registries with it, apart from any engine.
command -v skopeo >/dev/null || need+=(skopeo)
if need_forky; then
  # The 28.5.2 engines and buildkitd run on bookworm's containerd and runc (docker.io
  # brings them too).
  command -v containerd >/dev/null || need+=(containerd)
  command -v runc >/dev/null || need+=(runc)
  command -v dpkg-deb >/dev/null || need+=(dpkg)
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${need[@]}" ca-certificates >/dev/null
fi

$SUDO mkdir -p "$STATE"
$SUDO chown "$(id -u):$(id -g)" "$STATE"
# Several test runs may start at once on one machine: one of them starts, the others wait
# and then find everything running.
exec 9>"$STATE/services.lock"
flock 9

# --- classic world: the system's engine ------------------------------------------
if wants classic; then
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
    dockerd_pid=$(detach "$STATE/dockerd.log" dockerd --bridge=none --iptables=false --ip-masq=false)
    for _ in $(seq 1 120); do
      engine_up && break
      alive "$dockerd_pid" || break
      sleep 0.5
    done
    engine_up || {
      tail -20 "$STATE/dockerd.log" >&2
      die "dockerd did not start; see $STATE/dockerd.log"
    }
  fi
fi

# --- registries ---------------------------------------------------------------
[ -s "$STATE/password" ] || (
  umask 077
  openssl rand -hex 16 >"$STATE/password"
)
PASSWORD=$(cat "$STATE/password")
TLS_DIR=$STATE/tls

# A CA of this state folder, and the registry's certificate for both of its names. An
# older services.sh left a self-signed certificate (no ca.pem): replaced.
CERT_RENEWED=0
if [ ! -s "$TLS_DIR/ca.pem" ]; then
  say "making a CA for the test registries ($TLS_DIR/ca.pem)"
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=ship-image test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$TLS_DIR/ca-key.pem" -out "$TLS_DIR/ca.pem" 2>/dev/null
  rm -f "$TLS_DIR/cert.pem"
fi
if ! openssl x509 -in "$TLS_DIR/cert.pem" -noout -ext subjectAltName 2>/dev/null | grep -qF "DNS:$REGISTRY_HOST," ||
  ! openssl verify -CAfile "$TLS_DIR/ca.pem" "$TLS_DIR/cert.pem" >/dev/null 2>&1; then
  say "making the TLS registry's certificate for localhost and $REGISTRY_HOST"
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$REGISTRY_HOST" \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$REGISTRY_HOST" \
    >"$TLS_DIR/cert.ext"
  openssl x509 -req -in "$TLS_DIR/cert.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca-key.pem" \
    -CAcreateserial -days 3650 -extfile "$TLS_DIR/cert.ext" -out "$TLS_DIR/cert.pem" 2>/dev/null
  rm -f "$TLS_DIR/cert.csr" "$TLS_DIR/cert.ext"
  CERT_RENEWED=1
fi

# The registry's name resolves to loopback, as ghcr.io resolves to GitHub for a runner.
if ! getent hosts "$REGISTRY_HOST" | grep -q '^127\.0\.0\.1[[:space:]]'; then
  say "adding $REGISTRY_HOST to /etc/hosts (127.0.0.1)"
  printf '127.0.0.1 %s # ship-image test registry (scripts/services.sh)\n' "$REGISTRY_HOST" | $SUDO tee -a /etc/hosts >/dev/null
fi
# Its CA, trusted system-wide (buildx's imagetools, buildkitd, curl) under a file name of
# this state folder, and by the engines for both names.
CA_LINK=/usr/local/share/ca-certificates/ship-image$(printf '%s' "$STATE" | tr -c 'A-Za-z0-9.\n_-' '-').crt
if ! cmp -s "$TLS_DIR/ca.pem" "$CA_LINK"; then
  say "trusting $TLS_DIR/ca.pem system-wide ($CA_LINK)"
  $SUDO mkdir -p /usr/local/share/ca-certificates
  $SUDO cp "$TLS_DIR/ca.pem" "$CA_LINK"
  $SUDO update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed"
fi
for name in "localhost:$TLS_PORT" "$REGISTRY_HOST:$TLS_PORT"; do
  if ! cmp -s "$TLS_DIR/ca.pem" "/etc/docker/certs.d/$name/ca.crt"; then
    $SUDO mkdir -p "/etc/docker/certs.d/$name"
    $SUDO cp "$TLS_DIR/ca.pem" "/etc/docker/certs.d/$name/ca.crt"
  fi
done
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
      echo "  tls: {certificate: $TLS_DIR/cert.pem, key: $TLS_DIR/key.pem}"
      echo "auth:"
      echo "  htpasswd: {realm: ship-image, path: $STATE/htpasswd}"
    fi
  } >"$STATE/$name/config.yml"
}

registry_up() { # url
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TLS_DIR/ca.pem" --max-time 2 "$1/v2/" || true)
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

start_registry() { # name port tls? url
  local name=$1 port=$2 tls=$3 url=$4 pid
  if [ "$tls" = tls ] && [ "$CERT_RENEWED" = 1 ] && pid=$(registry_pid "$name"); then
    stop_pid "$pid" "registry $name (its certificate was renewed)"
  fi
  if registry_up "$url"; then
    say "registry $name already on $url"
    return
  fi
  if curl -sk -o /dev/null --max-time 2 "https://127.0.0.1:$port/v2/" || curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/v2/"; then
    if pid=$(registry_pid "$name"); then
      stop_pid "$pid" "registry $name (it answers $url wrongly)"
    else
      die "something else answers on 127.0.0.1:$port, but not as $url with $TLS_DIR/ca.pem (an older services.sh's registry, or another state folder's?): stop it, or set another port"
    fi
  fi
  registry_config "$name" "$port" "$tls"
  say "starting registry $name on $url"
  detach "$STATE/$name/registry.log" docker-registry serve "$STATE/$name/config.yml" >/dev/null
  for _ in $(seq 1 40); do
    registry_up "$url" && return
    sleep 0.25
  done
  tail -20 "$STATE/$name/registry.log" >&2
  die "registry $name did not start; see $STATE/$name/registry.log"
}

start_registry plain "$PLAIN_PORT" plain "http://127.0.0.1:$PLAIN_PORT"
start_registry secure "$TLS_PORT" tls "https://$REGISTRY_HOST:$TLS_PORT"
registry_up "https://localhost:$TLS_PORT" || die "the TLS registry does not answer as localhost:$TLS_PORT"

# --- base image ---------------------------------------------------------------
import_base() { # what cli host: imports $BASE_IMAGE into that engine unless it has it
  local what=$1 rootfs
  shift
  if "$@" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return; fi
  say "importing $BASE_IMAGE from /bin/busybox into $what"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in sh cat echo ls mkdir rm cp true false sleep head dd; do ln -s busybox "$rootfs/bin/$applet"; done
  tar -C "$rootfs" -c . | "$@" import -c 'CMD ["/bin/sh"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}
if wants classic; then import_base "the classic engine" docker; fi

# --- forky's packages ---------------------------------------------------------------
# The system's own Debian mirror and keyring (deb822 .sources, or one-line .list), for
# the forky suite; deb.debian.org when the system has none (Ubuntu).
debian_mirror() {
  local f found=
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    found=$(awk 'BEGIN { RS = ""; FS = "\n" }
      { uri = ""; suites = ""; key = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, a, " "); uri = a[2] }
          if ($i ~ /^Suites:/) suites = $i
          if ($i ~ /^Signed-By:/) { split($i, b, " "); key = b[2] }
        }
        if (uri ~ /\/debian\/?$/ && suites !~ /security/) { print uri, key; exit } }' "$f")
    [ -z "$found" ] || break
  done
  if [ -z "$found" ]; then
    found=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -e 's/\[[^]]*\]//' | awk '$1 == "deb" && $2 ~ /\/debian\/?$/ && $3 !~ /security/ { print $2; exit }' || true)
  fi
  echo "${found:-http://deb.debian.org/debian}"
}

APT_OPTS=()
# The private apt configuration: forky on the system's mirror, lists and cache under
# $FORKY/apt, an empty dpkg status (apt-get download and apt-cache only).
forky_apt() {
  local mirror key apt_dir=$FORKY/apt arch
  [ ${#APT_OPTS[@]} -eq 0 ] || return 0
  read -r mirror key <<<"$(debian_mirror)"
  mirror=${SHIP_IMAGE_DEBIAN_MIRROR:-$mirror}
  [ -f "${key:-}" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$key" ] || die "no Debian archive keyring ($key): apt-get install debian-archive-keyring"
  arch=$(dpkg --print-architecture)
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/preferences.d"
  touch "$apt_dir/status"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
    "$mirror" "$FORKY_SUITE" "$key" >"$apt_dir/forky.sources"
  APT_OPTS=(
    -q
    -o "Dir::Etc::SourceList=$apt_dir/forky.sources" -o Dir::Etc::SourceParts=-
    -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "Dir::State::Status=$apt_dir/status"
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o Acquire::Languages=none
    -o "APT::Sandbox::User=$(id -un)"
  )
  FORKY_MIRROR=$mirror
}

forky_update() {
  forky_apt
  say "reading $FORKY_SUITE's package lists from $FORKY_MIRROR (private apt configuration in $FORKY/apt)"
  apt-get "${APT_OPTS[@]}" update >"$FORKY/apt/update.log" 2>&1 || {
    tail -20 "$FORKY/apt/update.log" >&2
    die "apt-get update for $FORKY_SUITE failed; see $FORKY/apt/update.log"
  }
}

# The candidate version of a package in the private lists.
forky_version() {
  apt-cache "${APT_OPTS[@]}" show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/ { print $2; exit }'
}

# unpack DEBS_DIR ROOT: dpkg -x of every .deb, two at a time.
unpack() {
  find "$1" -maxdepth 1 -name '*.deb' -print0 | xargs -0 -r -P "$(nproc)" -I{} dpkg -x {} "$2"
}

fetch_forky() {
  local tmp=$FORKY/root.tmp source_version
  forky_update
  say "fetching ${FORKY_PACKAGES[*]} from $FORKY_SUITE"
  mkdir -p "$FORKY/debs"
  rm -f "$FORKY"/debs/*.deb
  (cd "$FORKY/debs" && apt-get "${APT_OPTS[@]}" download "${FORKY_PACKAGES[@]}" >"$FORKY/apt/download.log" 2>&1) || {
    tail -20 "$FORKY/apt/download.log" >&2
    die "apt-get download ${FORKY_PACKAGES[*]} failed; see $FORKY/apt/download.log"
  }
  source_version=$(forky_version "$BK_SOURCE_PACKAGE")
  [ -n "$source_version" ] || die "$FORKY_SUITE has no $BK_SOURCE_PACKAGE (BuildKit's sources)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  unpack "$FORKY/debs" "$tmp"
  (cd "$FORKY/debs" && ls -- *.deb) >"$tmp/.ship-image-packages"
  echo "$source_version" >"$tmp/.ship-image-buildkit-source"
  rm -rf "$FORKY_ROOT"
  mv "$tmp" "$FORKY_ROOT"
}

forky_ready() {
  [ -f "$FORKY_ROOT/.ship-image-packages" ] && [ -s "$FORKY_ROOT/.ship-image-buildkit-source" ] &&
    [ -x "$DOCKERD" ] && [ -x "$CLI" ] && [ -x "$FORKY_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" ]
}

if need_forky; then
  forky_ready || fetch_forky
  mkdir -p "$PLUGINS"
  plugin=$FORKY_ROOT/usr/libexec/docker/cli-plugins/docker-buildx
  if ! cmp -s "$plugin" "$PLUGINS/docker-buildx"; then
    ln -f "$plugin" "$PLUGINS/docker-buildx" 2>/dev/null || cp -f "$plugin" "$PLUGINS/docker-buildx"
  fi
fi

# --- engines 28.5.2 ------------------------------------------------------------------
engine() { # name args...: the 28.5.2 CLI against that engine
  local host
  host=$(engine_host "$1")
  shift
  "$CLI" --host "$host" "$@"
}
engine_answers() { [ -x "$CLI" ] && timeout 10 "$CLI" --host "$(engine_host "$1")" version >/dev/null 2>&1; }

start_engine() { # name features-json
  local name=$1 features=$2 dir pid
  dir=$(engine_dir "$name")
  mkdir -p "$dir"
  if engine_answers "$name"; then
    say "using the running engine $name on $(engine_host "$name")"
  else
    if pid=$(engine_pid "$name"); then
      say "engine $name (pid $pid) is running but not answering yet; waiting"
    else
      # Pid files left by a killed engine: dockerd refuses a live pid in its own, and
      # would reuse (and later kill) whatever process holds the pid in containerd's.
      $SUDO rm -f "$dir/dockerd.pid"
      live_pid "$dir/run/containerd/containerd.pid" "$dir/run/containerd/containerd.toml" >/dev/null ||
        $SUDO rm -f "$dir/run/containerd/containerd.pid"
      umount_below "$dir"
      cat >"$dir/daemon.json" <<EOF
{
  "features": $features,
  "containerd-namespace": "ship-image-$name",
  "containerd-plugins-namespace": "ship-image-$name-plugins",
  "userland-proxy-path": "$FORKY_ROOT/usr/sbin/docker-proxy"
}
EOF
      say "starting engine $name on $(engine_host "$name") (no bridge, no iptables: loopback only)"
      pid=$(detach "$dir/dockerd.log" "$DOCKERD" --config-file="$dir/daemon.json" --host="$(engine_host "$name")" \
        --data-root="$dir/data" --exec-root="$dir/run" --pidfile="$dir/dockerd.pid" \
        --bridge=none --iptables=false --ip-masq=false)
    fi
    for _ in $(seq 1 120); do
      engine_answers "$name" && break
      alive "$pid" || break
      sleep 0.5
    done
    engine_answers "$name" || {
      tail -20 "$dir/dockerd.log" >&2
      die "engine $name did not start; see $dir/dockerd.log"
    }
  fi
  import_base "engine $name" "$CLI" --host "$(engine_host "$name")"
}

if need_hosted_engine; then start_engine hosted '{}'; fi
if wants containerd; then start_engine containerd '{ "containerd-snapshotter": true }'; fi

# --- BuildKit -------------------------------------------------------------------------
# What Debian lacks of what cmd/buildkitd imports, beyond the closure of its source
# package: packaged under another import path, or not at all (stand-ins below).
BK_EXTRA_PACKAGES=(
  golang-go
  golang-github-agext-levenshtein-dev
  golang-github-azure-azure-sdk-for-go-dev
  golang-github-containerd-accelerated-container-image-dev
  golang-github-coreos-go-systemd-dev
  golang-github-gofrs-flock-dev
  golang-github-google-shlex-dev
  golang-github-hashicorp-go-immutable-radix-v2-dev
  golang-github-mitchellh-hashstructure-dev
  golang-github-package-url-packageurl-go-dev
  golang-github-pkg-profile-dev
  golang-github-spdx-tools-golang-dev
  golang-github-tonistiigi-go-archvariant-dev
)

# build_buildkit VERSION OUT: buildkitd and buildctl from forky's $BK_SOURCE_PACKAGE VERSION.
build_buildkit() {
  local version=$1 out=$2 work=$BK/build names got goroot src bk log=$BK/build.log
  forky_apt
  ls "$FORKY"/apt/lists/*_Packages* >/dev/null 2>&1 || forky_update
  got=$(forky_version "$BK_SOURCE_PACKAGE")
  if [ "$got" != "$version" ]; then
    forky_update
    got=$(forky_version "$BK_SOURCE_PACKAGE")
  fi
  [ "$got" = "$version" ] ||
    die "the mirror has $BK_SOURCE_PACKAGE $got, the engine was unpacked with $version: remove $FORKY_ROOT and run again"
  rm -rf "$work"
  mkdir -p "$work/debs" "$work/root" "$work/extra/src" "$work/overlay" "$work/out"
  # Go and every Go library the sources need: the dependency closure, golang-* only.
  names=$(apt-cache "${APT_OPTS[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "$BK_SOURCE_PACKAGE" "${BK_EXTRA_PACKAGES[@]}" |
    grep '^golang-' | sort -u) || die "apt-cache depends $BK_SOURCE_PACKAGE failed"
  say "building BuildKit from $BK_SOURCE_PACKAGE $version (once per version: $(wc -w <<<"$names") packages, about 350 MB, then about 5 minutes of Go on 2 CPUs; log in $log)"
  # shellcheck disable=SC2086 # one package name per word
  (cd "$work/debs" && apt-get "${APT_OPTS[@]}" download $names >"$log" 2>&1) || {
    tail -20 "$log" >&2
    die "apt-get download of BuildKit's Go dependencies failed; see $log"
  }
  unpack "$work/debs" "$work/root"
  rm -rf "$work/debs"
  goroot=$(find "$work/root/usr/lib" -maxdepth 1 -name 'go-1.*' -type d | sort -V | tail -1)
  [ -x "$goroot/bin/go" ] || die "forky's golang-go left no usr/lib/go-1.*/bin/go"
  src=$work/root/usr/share/gocode/src
  bk=$src/github.com/moby/buildkit
  [ -d "$bk/cmd/buildkitd" ] || die "$BK_SOURCE_PACKAGE $version has no github.com/moby/buildkit/cmd/buildkitd"

  # Stand-ins, first on GOPATH: Debian's go-systemd and hashstructure under their /v22 and
  # /v2 import paths; containerd's default seccomp profile as github.com/moby/profiles'; no
  # fuse-overlayfs snapshotter (buildkitd then picks overlayfs, or native).
  mkdir -p "$work/extra/src/github.com/coreos/go-systemd" "$work/extra/src/github.com/mitchellh/hashstructure" \
    "$work/extra/src/github.com/moby/profiles/seccomp" "$work/extra/src/github.com/containerd/fuse-overlayfs-snapshotter/v2"
  ln -s "$src/github.com/coreos/go-systemd" "$work/extra/src/github.com/coreos/go-systemd/v22"
  ln -s "$src/github.com/mitchellh/hashstructure" "$work/extra/src/github.com/mitchellh/hashstructure/v2"
  cat >"$work/extra/src/github.com/moby/profiles/seccomp/seccomp.go" <<'EOF'
// Stand-in for github.com/moby/profiles/seccomp, which Debian does not package:
// containerd's default profile.
package seccomp

import (
	ctdseccomp "github.com/containerd/containerd/v2/contrib/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func GetDefaultProfile(s *specs.Spec) (*specs.LinuxSeccomp, error) {
	return ctdseccomp.DefaultProfile(s), nil
}
EOF
  cat >"$work/extra/src/github.com/containerd/fuse-overlayfs-snapshotter/v2/fuseoverlayfs.go" <<'EOF'
// Stand-in for github.com/containerd/fuse-overlayfs-snapshotter/v2, which Debian does
// not package: never supported.
package fuseoverlayfs

import (
	"errors"

	"github.com/containerd/containerd/v2/core/snapshots"
)

var errLeftOut = errors.New("fuse-overlayfs is left out of this build")

func Supported(root string) error { return errLeftOut }

func NewSnapshotter(root string, opts ...any) (snapshots.Snapshotter, error) { return nil, errLeftOut }
EOF
  # Left out, through go build -overlay (the sources stay as Debian ships them): the
  # GitHub Actions cache backend (tonistiigi/go-actions-cache is not packaged) and the
  # stargz snapshotter (Debian's is built on containerd's v1 API).
  sed -e '/cache\/remotecache\/gha"$/d' -e '/"gha": *gha\./d' "$bk/cmd/buildkitd/main.go" >"$work/overlay/main.go"
  awk '
    /"github.com\/containerd\/stargz-snapshotter\/(fs|fs\/config|fs\/layer|fs\/source|snapshot)"$/ { next }
    /^\tcase "stargz":$/ { skip = 1; next }
    skip && /^\tdefault:$/ { skip = 0 }
    skip { next }
    /^const \($/ { held = $0; next }
    held != "" { if ($0 ~ /targetRefLabel is a label/) exit; print held; held = "" }
    { print }
    END {
      print ""
      print "// The stargz snapshotter is left out; these imports served it too."
      print "var ("
      print "\t_ = context.Background"
      print "\t_ = fmt.Sprintf"
      print "\t_ = filepath.Join"
      print "\t_ = strings.CutPrefix"
      print "\t_ docker.RegistryHosts"
      print "\t_ = reference.Parse"
      print "\t_ = session.NewGroup"
      print "\t_ = resolver.DefaultPool"
      print "\t_ = toml.TreeFromMap"
      print "\t_ = logrus.DebugLevel"
      print ")"
    }' "$bk/cmd/buildkitd/main_oci_worker.go" >"$work/overlay/main_oci_worker.go"
  if grep -q 'gha\.' "$work/overlay/main.go" || grep -q 'sgz\|remotesn\.' "$work/overlay/main_oci_worker.go"; then
    die "BuildKit's cmd/buildkitd in $BK_SOURCE_PACKAGE $version changed: the gha cache or the stargz snapshotter could not be left out"
  fi
  printf '{"Replace": {"%s": "%s", "%s": "%s"}}\n' \
    "$bk/cmd/buildkitd/main.go" "$work/overlay/main.go" \
    "$bk/cmd/buildkitd/main_oci_worker.go" "$work/overlay/main_oci_worker.go" >"$work/overlay/overlay.json"

  (
    cd "$bk"
    export GOROOT=$goroot GOPATH=$work/extra:$work/root/usr/share/gocode GOCACHE=$work/cache \
      GO111MODULE=off GOPROXY=off GOTOOLCHAIN=local GOFLAGS= CGO_ENABLED=0
    "$goroot/bin/go" build -overlay "$work/overlay/overlay.json" -trimpath \
      -ldflags "-s -w -X github.com/moby/buildkit/version.Version=v0.0.0+debian-$version -X github.com/moby/buildkit/version.Revision=$BK_SOURCE_PACKAGE-$version" \
      -o "$work/out/" ./cmd/buildctl ./cmd/buildkitd
  ) >>"$log" 2>&1 || {
    tail -30 "$log" >&2
    die "building BuildKit failed; see $log (the build tree stays in $work)"
  }
  mkdir -p "$(dirname "$out")"
  rm -rf "$out.tmp"
  mkdir "$out.tmp"
  mv "$work/out/buildkitd" "$work/out/buildctl" "$out.tmp/"
  rm -rf "$out"
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

bk_ctl() { "$BK_BIN/buildctl" --addr "unix://$BK/buildkitd.sock" "$@"; }
buildkitd_answers() { timeout 10 "$BK_BIN/buildctl" --addr "unix://$BK/buildkitd.sock" debug workers >/dev/null 2>&1; }

start_buildkitd() {
  local version pid config
  version=$(cat "$FORKY_ROOT/.ship-image-buildkit-source")
  BK_BIN=$BK/bin/${version//[^A-Za-z0-9.+~_-]/_}
  if [ ! -x "$BK_BIN/buildkitd" ] || [ ! -x "$BK_BIN/buildctl" ]; then build_buildkit "$version" "$BK_BIN"; fi
  mkdir -p "$BK"
  config=$(
    cat <<EOF
# scripts/services.sh: the registries, as BuildKit reaches them.
[registry."localhost:$PLAIN_PORT"]
  http = true
[registry."127.0.0.1:$PLAIN_PORT"]
  http = true
[registry."$REGISTRY_HOST:$TLS_PORT"]
  ca = ["$TLS_DIR/ca.pem"]
EOF
  )
  if pid=$(buildkitd_pid) && { [ "$(cat "$BK/buildkitd.toml" 2>/dev/null)" != "$config" ] ||
    ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$BK_BIN/buildkitd " ||
    ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--addr tcp://127.0.0.1:$BUILDKIT_PORT "; }; then
    stop_pid "$pid" "buildkitd (its binary, port or configuration changed)"
    umount_below "$BK/root"
  fi
  printf '%s\n' "$config" >"$BK/buildkitd.toml"
  if buildkitd_answers; then
    say "using the running buildkitd on unix://$BK/buildkitd.sock and tcp://127.0.0.1:$BUILDKIT_PORT"
    return
  fi
  if ! pid=$(buildkitd_pid); then
    umount_below "$BK/root"
    say "starting buildkitd on unix://$BK/buildkitd.sock and tcp://127.0.0.1:$BUILDKIT_PORT"
    pid=$(detach "$BK/buildkitd.log" "$BK_BIN/buildkitd" --config "$BK/buildkitd.toml" --root "$BK/root" \
      --addr "unix://$BK/buildkitd.sock" --addr "tcp://127.0.0.1:$BUILDKIT_PORT" \
      --oci-worker=true --oci-worker-net=host --oci-worker-snapshotter=overlayfs --containerd-worker=false \
      --allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host)
    echo "$pid" >"$BK/buildkitd.pid"
  fi
  for _ in $(seq 1 60); do
    buildkitd_answers && return
    alive "$pid" || break
    sleep 0.5
  done
  tail -20 "$BK/buildkitd.log" >&2
  die "buildkitd did not start; see $BK/buildkitd.log"
}

# The builder made current the way setup-buildx-action does it, in a buildx folder of its
# own for the hosted engine's endpoint: tests copy it to a workspace's ~/.docker/buildx.
BUILDER_ENDPOINT=tcp://127.0.0.1:$BUILDKIT_PORT
BUILDER_CREATE=(buildx create --name "$BUILDER_NAME" --driver remote --use "$BUILDER_ENDPOINT")
prepare_builder() {
  local stamp tmp=$BUILDER_DIR/buildx.tmp config=$BUILDER_DIR/docker-config
  stamp="$(engine_host hosted) ${BUILDER_CREATE[*]} $($PLUGINS/docker-buildx version)"
  mkdir -p "$config"
  [ -L "$config/cli-plugins" ] || ln -sfn "$PLUGINS" "$config/cli-plugins"
  if [ "$(cat "$BUILDER_DIR/buildx/.ship-image-stamp" 2>/dev/null)" != "$stamp" ]; then
    say "making $BUILDER_NAME ($BUILDER_ENDPOINT) the current builder in $BUILDER_DIR/buildx"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    DOCKER_CONFIG=$config BUILDX_CONFIG=$tmp engine hosted "${BUILDER_CREATE[@]}" >/dev/null 2>"$BUILDER_DIR/create.log" || {
      cat "$BUILDER_DIR/create.log" >&2
      die "docker ${BUILDER_CREATE[*]} failed"
    }
    printf '%s\n' "$stamp" >"$tmp/.ship-image-stamp"
    rm -rf "$BUILDER_DIR/buildx"
    mv "$tmp" "$BUILDER_DIR/buildx"
  fi
  DOCKER_CONFIG=$config BUILDX_CONFIG=$BUILDER_DIR/buildx engine hosted buildx inspect --bootstrap --builder "$BUILDER_NAME" \
    >"$BUILDER_DIR/inspect.log" 2>&1 || {
    cat "$BUILDER_DIR/inspect.log" >&2
    die "docker buildx inspect --bootstrap --builder $BUILDER_NAME failed"
  }
  # What a workspace with that folder uses when it names no builder.
  grep -q "^Name: *$BUILDER_NAME$" <(DOCKER_CONFIG=$config BUILDX_CONFIG=$BUILDER_DIR/buildx engine hosted buildx inspect) ||
    die "$BUILDER_NAME is not the current builder in $BUILDER_DIR/buildx"
}

# The base image where BuildKit outside the engines reads it: the plain registry.
REGISTRY_BASE=localhost:$PLAIN_PORT/$BASE_IMAGE
push_base() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$PLAIN_PORT/v2/${BASE_IMAGE%%:*}/manifests/${BASE_IMAGE##*:}" || true)
  [ "$code" = 200 ] && return
  say "pushing $BASE_IMAGE to $REGISTRY_BASE (for BuildKit outside the engines)"
  engine hosted image tag "$BASE_IMAGE" "$REGISTRY_BASE"
  engine hosted push -q "$REGISTRY_BASE" >/dev/null || die "docker push $REGISTRY_BASE failed"
  engine hosted image rm "$REGISTRY_BASE" >/dev/null
}

if wants builder; then
  start_buildkitd
  prepare_builder
  push_base
fi

# --- services.json ------------------------------------------------------------------
containerd_store() { # cli args...: true when the engine keeps images in containerd
  if "$@" info --format '{{json .DriverStatus}}' 2>/dev/null | grep -q io.containerd.snapshotter; then
    echo true
  else
    echo false
  fi
}
json_string() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
json_argv() { node -e 'process.stdout.write(JSON.stringify(process.argv.slice(1)))' "$@"; }
BUILDX_VERSION=
if need_forky; then BUILDX_VERSION=$("$PLUGINS/docker-buildx" version | awk '{ print $2 }'); fi

world_json() { # name
  local name=$1 host builder=null base=$BASE_IMAGE cli engine_name log
  case $name in
    classic)
      host=${DOCKER_HOST:-unix:///var/run/docker.sock}
      cat <<EOF
{
      "dockerHost": "$host",
      "cli": "$(command -v docker)",
      "pluginsDir": null,
      "engine": "$(docker version --format '{{.Server.Version}}')",
      "buildx": null,
      "containerdStore": $(containerd_store docker),
      "baseImage": "$BASE_IMAGE",
      "log": null,
      "builder": null
    }
EOF
      return
      ;;
    hosted | containerd)
      engine_name=$name
      builder='{ "name": "default", "driver": "docker", "endpoint": null, "buildkit": null, "buildxConfig": null, "create": null, "log": null }'
      ;;
    builder)
      engine_name=hosted
      base=$REGISTRY_BASE
      builder=$(
        cat <<EOF
{
        "name": "$BUILDER_NAME",
        "driver": "remote",
        "endpoint": "$BUILDER_ENDPOINT",
        "buildkit": "$("$BK_BIN/buildkitd" --version | awk '{ print $3 }')",
        "buildxConfig": "$BUILDER_DIR/buildx",
        "create": $(json_argv "${BUILDER_CREATE[@]}"),
        "log": "$BK/buildkitd.log"
      }
EOF
      )
      ;;
  esac
  host=$(engine_host "$engine_name")
  cli=$CLI
  log=$(engine_dir "$engine_name")/dockerd.log
  cat <<EOF
{
      "dockerHost": "$host",
      "cli": "$cli",
      "pluginsDir": "$PLUGINS",
      "engine": "$(engine "$engine_name" version --format '{{.Server.Version}}')",
      "buildx": "$BUILDX_VERSION",
      "containerdStore": $(containerd_store engine "$engine_name"),
      "baseImage": "$base",
      "log": "$log",
      "builder": $builder
    }
EOF
}

WORLDS_JSON="{"
sep=
for w in "${ALL_WORLDS[@]}"; do
  if wants "$w"; then json=$(world_json "$w"); else json=null; fi
  WORLDS_JSON+="$sep
    \"$w\": $json"
  sep=,
done
WORLDS_JSON+="
  }"
tool() { # path: as a JSON string, or null when it is not there
  if [ -x "$1" ]; then json_string "$1"; else echo null; fi
}
EXTRAS_JSON=$(
  cat <<EOF
"registries": {
    "plain": { "host": "localhost:$PLAIN_PORT", "https": false, "login": false },
    "tls": { "host": "localhost:$TLS_PORT", "https": true, "login": true },
    "tlsNamed": { "host": "$REGISTRY_HOST:$TLS_PORT", "https": true, "login": true }
  },
  "tools": {
    "cosign": $(tool "$FORKY_ROOT/usr/bin/cosign"),
    "crane": $(tool "$FORKY_ROOT/usr/bin/crane"),
    "skopeo": $(tool "$(command -v skopeo)")
  },
  "worlds": $WORLDS_JSON
EOF
)

# Written whole and renamed, as tests running meanwhile read it.
json_tmp=$(mktemp "$STATE/services.json.XXXXXX")
chmod 644 "$json_tmp"
cat >"$json_tmp" <<EOF
{
  "plain": "localhost:$PLAIN_PORT",
  "tls": "localhost:$TLS_PORT",
  "tlsNamed": "$REGISTRY_HOST:$TLS_PORT",
  "username": "$USERNAME",
  "passwordFile": "$STATE/password",
  "caFile": "$TLS_DIR/ca.pem",
  "baseImage": "$BASE_IMAGE",
  $EXTRAS_JSON
}
EOF
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$json_tmp" ||
  die "services.json came out malformed: $json_tmp"
mv -f "$json_tmp" "$STATE/services.json"
# The worlds, registries and tools again, on their own: a services.sh of an older checkout
# (another engineer's run on the same machine) rewrites services.json without them, and
# readServices() (scripts/lib/services.mjs) then takes them from here.
json_tmp=$(mktemp "$STATE/services-worlds.json.XXXXXX")
chmod 644 "$json_tmp"
printf '{\n  "tlsNamed": "%s:%s",\n  %s\n}\n' "$REGISTRY_HOST" "$TLS_PORT" "$EXTRAS_JSON" >"$json_tmp"
mv -f "$json_tmp" "$STATE/services-worlds.json"
say "ready: $STATE/services.json ($(
  IFS=,
  echo "${!WANT[*]}"
))"
exec 9>&-

if [ "$CHECK" = 1 ]; then bash "$(dirname "$0")/check-worlds.sh"; fi
