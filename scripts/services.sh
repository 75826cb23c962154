#!/usr/bin/env bash
# Starts the real parts the end-to-end tests and the demo use, idempotently: two Docker
# "worlds" and the loopback registries they share.
#
# The classic world (what the tests have always used):
#   - a Docker engine on /var/run/docker.sock (an already running one is used as it is;
#     otherwise Debian's dockerd is started with no bridge and no iptables, so nothing
#     leaves loopback), driven by the `docker` on PATH, with no buildx plugin,
#   - a plain registry on 127.0.0.1:$SHIP_IMAGE_PLAIN_PORT (default 5000),
#   - a TLS + htpasswd registry on 127.0.0.1:$SHIP_IMAGE_TLS_PORT (default 5443),
#     its self-signed certificate trusted by the engine through
#     /etc/docker/certs.d/localhost:PORT/ca.crt,
#   - a tiny base image, ship-image/busybox:test, imported from Debian's busybox-static.
#
# The buildx world stands for GitHub's ubuntu-24.04 runner (Docker 28, buildx): Debian
# trixie's docker.io and docker-cli 26.1.5 and docker-buildx 0.13.1, fetched by apt-get
# download with a private apt configuration and unpacked with dpkg -x (nothing is
# installed system-wide; the system's apt sources are untouched):
#   $STATE/hosted/apt/, debs/    the private apt lists and cache, the .debs
#   $STATE/hosted/root/          the unpacked packages: usr/sbin/dockerd, usr/bin/docker (CLI 26)
#   $STATE/buildx/docker.sock    engine 26 (daemon.json, dockerd.pid, dockerd.log beside it)
#   $STATE/buildx/data/, run/    its --data-root and --exec-root
#   $STATE/buildx/cli-plugins/   docker-buildx, for a DOCKER_CONFIG whose cli-plugins points
#                                here (the way setup-buildx-action gives buildx to a user)
# Engine 26 keeps images in containerd (the containerd-snapshotter feature). It starts its
# own containerd (bookworm's 1.6, with runc) on $STATE/buildx/run/containerd/containerd.sock,
# as the classic engine does under /var/run/docker/containerd, and that containerd dies
# with it. Its containerd namespaces are ship-image-buildx and ship-image-buildx-plugins,
# so the two engines stay apart even if both find a system containerd on
# /run/containerd/containerd.sock. It uses the same registries and /etc/docker/certs.d,
# and has its own copy of the base image.
# Good to know when writing tests for it: buildx RUN steps need --network host (there is
# no bridge). Engine 26 retries a refused login to a loopback registry over plain HTTP and
# reports that 400. It tries a plain-HTTP registry on a random loopback port with TLS
# first and does not fall back, so a test proxy in front of a registry needs TLS and a
# certificate in /etc/docker/certs.d/localhost:PORT/.
# SHIP_IMAGE_BUILDX=0 skips this world ("buildx": null in services.json);
# SHIP_IMAGE_DEBIAN_MIRROR sets the mirror to fetch from.
#
# Installs the Debian packages it needs (pigz and skopeo too) when they are missing.
# Writes what it started to $SHIP_IMAGE_STATE/services.json (default /var/tmp/ship-image),
# the worlds under "worlds". Options:
#   --check        then run scripts/check-worlds.sh (an end-to-end smoke test of both worlds)
#   --stop-buildx  stop engine 26 (only it) and undo its mounts, then exit; the state stays
set -euo pipefail

STATE=${SHIP_IMAGE_STATE:-/var/tmp/ship-image}
PLAIN_PORT=${SHIP_IMAGE_PLAIN_PORT:-5000}
TLS_PORT=${SHIP_IMAGE_TLS_PORT:-5443}
BASE_IMAGE=ship-image/busybox:test
USERNAME=ship
BUILDX_WORLD=${SHIP_IMAGE_BUILDX:-1}

# The buildx world (see above).
HOSTED=$STATE/hosted
HOSTED_ROOT=$HOSTED/root
HOSTED_SUITE=trixie
HOSTED_PACKAGES=(docker.io docker-cli docker-buildx)
BX=$STATE/buildx
BX_DOCKERD=$HOSTED_ROOT/usr/sbin/dockerd
BX_CLI=$HOSTED_ROOT/usr/bin/docker
BX_PLUGINS=$BX/cli-plugins
BX_HOST=unix://$BX/docker.sock

say() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

CHECK=0
STOP_BUILDX=0
for arg in "$@"; do
  case $arg in
    --check) CHECK=1 ;;
    --stop-buildx) STOP_BUILDX=1 ;;
    *) die "unknown option $arg (options: --check, --stop-buildx)" ;;
  esac
done

SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "run as root, or install sudo"
  SUDO=sudo
fi

engine_up() { timeout 10 docker info >/dev/null 2>&1; }

# --- buildx world: engine 26 ------------------------------------------------------
bx() { "$BX_CLI" --host "$BX_HOST" "$@"; }
bx_up() { [ -x "$BX_CLI" ] && timeout 10 "$BX_CLI" --host "$BX_HOST" version >/dev/null 2>&1; }

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
bx_dockerd_pid() { live_pid "$BX/dockerd.pid" "--pidfile=$BX/dockerd.pid"; }
alive() { ps -p "$1" >/dev/null 2>&1; } # unlike kill -0, also for root's processes under sudo

stop_buildx() {
  local pid mounts m
  if pid=$(bx_dockerd_pid); then
    say "stopping engine 26 (pid $pid)"
    $SUDO kill "$pid"
    for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
    if alive "$pid"; then die "engine 26 (pid $pid) did not stop"; fi
  fi
  # A killed dockerd leaves its --data-root bind mount and run/netns/default behind.
  mounts=$(awk -v p="$BX/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r)
  for m in $mounts; do $SUDO umount -l "$m" || true; done
}

if [ "$STOP_BUILDX" = 1 ]; then
  stop_buildx
  exit 0
fi

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
if [ "$BUILDX_WORLD" != 0 ]; then
  # Engine 26 runs on bookworm's containerd and runc (docker.io brings them too).
  command -v containerd >/dev/null || need+=(containerd)
  command -v runc >/dev/null || need+=(runc)
  command -v dpkg-deb >/dev/null || need+=(dpkg)
fi
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
import_base() { # docker|bx: imports $BASE_IMAGE into that engine unless it has it
  local rootfs into=
  if "$1" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return; fi
  [ "$1" = docker ] || into=" into engine 26"
  say "importing $BASE_IMAGE from /bin/busybox$into"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in sh cat echo ls mkdir rm cp true false sleep head dd; do ln -s busybox "$rootfs/bin/$applet"; done
  tar -C "$rootfs" -c . | "$1" import -c 'CMD ["/bin/sh"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}
import_base docker

# --- buildx world: packages ------------------------------------------------------
# The system's own Debian mirror and keyring (deb822 .sources, or one-line .list), for
# the trixie suite; deb.debian.org when the system has none (Ubuntu).
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

fetch_hosted() {
  local mirror key apt_dir arch tmp deb
  read -r mirror key <<<"$(debian_mirror)"
  mirror=${SHIP_IMAGE_DEBIAN_MIRROR:-$mirror}
  [ -f "${key:-}" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
  if [ ! -f "$key" ]; then
    say "installing debian-archive-keyring"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends debian-archive-keyring >/dev/null
  fi
  apt_dir=$HOSTED/apt
  arch=$(dpkg --print-architecture)
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/preferences.d" "$HOSTED/debs"
  touch "$apt_dir/status"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
    "$mirror" "$HOSTED_SUITE" "$key" >"$apt_dir/hosted.sources"
  local apt_opts=(
    -q
    -o "Dir::Etc::SourceList=$apt_dir/hosted.sources" -o Dir::Etc::SourceParts=-
    -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "Dir::State::Status=$apt_dir/status"
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o Acquire::Languages=none
    -o "APT::Sandbox::User=$(id -un)"
  )
  say "fetching ${HOSTED_PACKAGES[*]} from $mirror $HOSTED_SUITE (private apt configuration in $apt_dir)"
  apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 || {
    tail -20 "$apt_dir/update.log" >&2
    die "apt-get update for $HOSTED_SUITE failed"
  }
  rm -f "$HOSTED"/debs/*.deb
  (cd "$HOSTED/debs" && apt-get "${apt_opts[@]}" download "${HOSTED_PACKAGES[@]}" >"$apt_dir/download.log" 2>&1) || {
    tail -20 "$apt_dir/download.log" >&2
    die "apt-get download ${HOSTED_PACKAGES[*]} failed"
  }
  tmp=$HOSTED/root.tmp
  rm -rf "$tmp"
  mkdir -p "$tmp"
  for deb in "$HOSTED"/debs/*.deb; do dpkg -x "$deb" "$tmp"; done
  (cd "$HOSTED/debs" && ls *.deb) >"$tmp/.ship-image-packages"
  rm -rf "$HOSTED_ROOT"
  mv "$tmp" "$HOSTED_ROOT"
}

# --- buildx world: engine, plugins, base image --------------------------------------
start_buildx() {
  local pid
  # Several test runs may start at once on one machine: one of them fetches and starts.
  exec 9>"$STATE/buildx.lock"
  flock 9
  if [ -f "$HOSTED_ROOT/.ship-image-packages" ] && [ -x "$BX_DOCKERD" ] && [ -x "$BX_CLI" ] &&
    [ -x "$HOSTED_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" ]; then
    : # unpacked by an earlier run
  else
    fetch_hosted
  fi

  mkdir -p "$BX_PLUGINS"
  local plugin=$HOSTED_ROOT/usr/libexec/docker/cli-plugins/docker-buildx
  if ! cmp -s "$plugin" "$BX_PLUGINS/docker-buildx"; then
    ln -f "$plugin" "$BX_PLUGINS/docker-buildx" 2>/dev/null || cp -f "$plugin" "$BX_PLUGINS/docker-buildx"
  fi

  if bx_up; then
    say "using the running engine 26 on $BX_HOST"
  else
    if pid=$(bx_dockerd_pid); then
      say "engine 26 (pid $pid) is running but not answering yet; waiting"
    else
      # Pid files left by a killed engine: dockerd refuses a live pid in its own, and
      # would reuse (and later kill) whatever process holds the pid in containerd's.
      $SUDO rm -f "$BX/dockerd.pid"
      live_pid "$BX/run/containerd/containerd.pid" "$BX/run/containerd/containerd.toml" >/dev/null ||
        $SUDO rm -f "$BX/run/containerd/containerd.pid"
      cat >"$BX/daemon.json" <<EOF
{
  "features": { "containerd-snapshotter": true },
  "containerd-namespace": "ship-image-buildx",
  "containerd-plugins-namespace": "ship-image-buildx-plugins",
  "userland-proxy-path": "$HOSTED_ROOT/usr/sbin/docker-proxy"
}
EOF
      say "starting engine 26 on $BX_HOST (no bridge, no iptables: loopback only)"
      $SUDO setsid nohup "$BX_DOCKERD" --config-file="$BX/daemon.json" --host="$BX_HOST" \
        --data-root="$BX/data" --exec-root="$BX/run" --pidfile="$BX/dockerd.pid" \
        --bridge=none --iptables=false --ip-masq=false \
        >"$BX/dockerd.log" 2>&1 </dev/null 9>&- &
      pid=$!
    fi
    for _ in $(seq 1 120); do
      bx_up && break
      alive "$pid" || break
      sleep 0.5
    done
    bx_up || { tail -20 "$BX/dockerd.log" >&2; die "engine 26 did not start; see $BX/dockerd.log"; }
  fi

  import_base bx
  exec 9>&-
}

# --- services.json ------------------------------------------------------------------
containerd_store() { # docker|bx: true when the engine keeps images in containerd
  if "$1" info --format '{{json .DriverStatus}}' 2>/dev/null | grep -q io.containerd.snapshotter; then
    echo true
  else
    echo false
  fi
}

CLASSIC_WORLD=$(
  cat <<EOF
{
      "dockerHost": "${DOCKER_HOST:-unix:///var/run/docker.sock}",
      "cli": "$(command -v docker)",
      "pluginsDir": null,
      "engine": "$(docker version --format '{{.Server.Version}}')",
      "buildx": null,
      "containerdStore": $(containerd_store docker)
    }
EOF
)
BUILDX_WORLD_JSON=null
if [ "$BUILDX_WORLD" != 0 ]; then
  start_buildx
  BUILDX_WORLD_JSON=$(
    cat <<EOF
{
      "dockerHost": "$BX_HOST",
      "cli": "$BX_CLI",
      "pluginsDir": "$BX_PLUGINS",
      "engine": "$(bx version --format '{{.Server.Version}}')",
      "buildx": "$("$BX_PLUGINS/docker-buildx" version | awk '{ print $2 }')",
      "containerdStore": $(containerd_store bx),
      "log": "$BX/dockerd.log"
    }
EOF
  )
fi

# Written whole and renamed, as tests running meanwhile read it.
json_tmp=$(mktemp "$STATE/services.json.XXXXXX")
chmod 644 "$json_tmp"
cat >"$json_tmp" <<EOF
{
  "plain": "localhost:$PLAIN_PORT",
  "tls": "localhost:$TLS_PORT",
  "username": "$USERNAME",
  "passwordFile": "$STATE/password",
  "caFile": "$STATE/tls/cert.pem",
  "baseImage": "$BASE_IMAGE",
  "worlds": {
    "classic": $CLASSIC_WORLD,
    "buildx": $BUILDX_WORLD_JSON
  }
}
EOF
mv -f "$json_tmp" "$STATE/services.json"
# The worlds again, on their own: a services.sh of an older checkout (another engineer's
# run on the same machine) rewrites services.json without them, and readServices()
# (scripts/lib/services.mjs) then takes them from here.
json_tmp=$(mktemp "$STATE/worlds.json.XXXXXX")
chmod 644 "$json_tmp"
printf '{\n  "classic": %s,\n  "buildx": %s\n}\n' "$CLASSIC_WORLD" "$BUILDX_WORLD_JSON" >"$json_tmp"
mv -f "$json_tmp" "$STATE/worlds.json"
say "ready: $STATE/services.json"

if [ "$CHECK" = 1 ]; then bash "$(dirname "$0")/check-worlds.sh"; fi
