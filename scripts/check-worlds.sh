#!/usr/bin/env bash
# Smoke test of the Docker worlds scripts/services.sh starts (run it by hand after
# services.sh, or as `scripts/services.sh --check`). Reads $SHIP_IMAGE_STATE/services.json
# and checks each world it lists (a world that is null there is skipped, and says so).
# Each world gets a throwaway DOCKER_CONFIG whose cli-plugins links to the world's
# pluginsDir (the login lives there and is removed on exit); the builder world's also gets
# a copy of the buildx folder services.sh made its builder current in.
#
#   classic     the engine answers with the version services.json records, and its CLI
#               has no buildx unless someone gives it one (no system-wide plugin).
#   hosted      engine and buildx versions; the current builder is the docker driver; a
#               RUN step (--network host) --load'ed and pushed with docker push to the TLS
#               registry under its non-loopback name; two platforms fail.
#   builder     engine, buildx and BuildKit versions; the current builder is the remote one;
#               a FROM scratch + COPY image for linux/amd64,linux/arm64 pushed with --push to
#               the non-loopback TLS registry (skopeo reads back an OCI index with both
#               platforms); a RUN step on the world's base image (from the plain registry)
#               --load'ed into the engine; imagetools create --prefer-index=false and
#               imagetools inspect against the non-loopback TLS registry.
#   containerd  engine version and the containerd image store; a RUN step --load'ed, then
#               docker push.
# Prints what it learnt about digests, --load and imagetools as "fact:" lines. Removes
# what it pushed and loaded.
set -euo pipefail

STATE=${SHIP_IMAGE_STATE:-/var/tmp/ship-image}
SERVICES=$STATE/services.json

say() { printf 'check-worlds: %s\n' "$*" >&2; }
fact() { printf 'check-worlds: fact: %s\n' "$*" >&2; }
fail() {
  printf 'check-worlds: FAIL: %s\n' "$*" >&2
  exit 1
}

[ -s "$SERVICES" ] || fail "$SERVICES is missing: run scripts/services.sh first"
command -v skopeo >/dev/null || fail "skopeo is missing (scripts/services.sh installs it)"

# get KEY...: a value of services.json (nested keys in turn); fails when it is null or absent.
get() {
  node -e '
    let v = require(process.argv[1])
    for (const k of process.argv.slice(2)) v = v == null ? v : v[k]
    if (v == null) process.exit(1)
    process.stdout.write(typeof v === "object" ? JSON.stringify(v) : String(v))' "$SERVICES" "$@"
}
# json EXPR: evaluates EXPR with `m` bound to the JSON document on stdin.
json() { node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(eval(process.argv[1]))' "$1"; }
# now: milliseconds since the epoch.
now() { date +%s%3N; }

PLAIN=$(get plain)
NAMED=$(get tlsNamed) || fail "services.json has no tlsNamed registry: run this checkout's scripts/services.sh"
USERNAME=$(get username)
PASSWORD=$(cat "$(get passwordFile)")
CA_FILE=$(get caFile)

WORK=$(mktemp -d)
ID=check-$(date +%s)-$$
REPO=ship-image-check/worlds
PUSHED_NAMED=() # refs to delete from the registries on exit
PUSHED_PLAIN=()
LOADED=() # "cli host ref" of images to remove on exit
cleanup() {
  local ref entry
  for ref in "${PUSHED_NAMED[@]}"; do
    skopeo delete --authfile "$WORK/auth.json" --cert-dir "$WORK/certs" "docker://$ref" >/dev/null 2>&1 || true
  done
  for ref in "${PUSHED_PLAIN[@]}"; do skopeo delete --tls-verify=false "docker://$ref" >/dev/null 2>&1 || true; done
  for entry in "${LOADED[@]}"; do
    read -r cli host ref <<<"$entry"
    "$cli" --host "$host" image rm -f "$ref" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# skopeo reads the registries on its own: its own login, the CA of services.json.
mkdir -p "$WORK/certs"
cp "$CA_FILE" "$WORK/certs/ca.crt"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$NAMED" "$(printf '%s:%s' "$USERNAME" "$PASSWORD" | base64 -w0)" >"$WORK/auth.json"
raw() { skopeo inspect --raw --authfile "$WORK/auth.json" --cert-dir "$WORK/certs" "docker://$1"; }
raw_plain() { skopeo inspect --raw --tls-verify=false "docker://$1"; }
digest_of() { printf 'sha256:%s' "$(sha256sum | cut -d' ' -f1)"; }

mkdir -p "$WORK/scratch"
printf 'hello\n' >"$WORK/scratch/hello.txt"
cat >"$WORK/scratch/Dockerfile" <<'EOF'
FROM scratch
ARG TARGETARCH
COPY hello.txt /hello-$TARGETARCH.txt
EOF
# run_dockerfile BASE: a RUN step on BASE, in $WORK/run-NAME.
run_dockerfile() { # dir base
  mkdir -p "$1"
  printf 'FROM %s\nRUN echo built-%s > /built.txt\n' "$2" "$ID" >"$1/Dockerfile"
}

# use_world NAME: points DOCKER_HOST, DOCKER_CONFIG, BUILDX_CONFIG and dk() at the world;
# fails unless the engine and buildx are the versions services.json records.
use_world() {
  local name=$1 got version config
  W_HOST=$(get worlds "$name" dockerHost)
  W_CLI=$(get worlds "$name" cli)
  W_BASE=$(get worlds "$name" baseImage)
  unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH BUILDX_BUILDER BUILDX_CONFIG
  export DOCKER_HOST=$W_HOST
  export DOCKER_CONFIG=$WORK/$name/config
  mkdir -p "$DOCKER_CONFIG"
  if plugins=$(get worlds "$name" pluginsDir); then ln -s "$plugins" "$DOCKER_CONFIG/cli-plugins"; fi
  if config=$(get worlds "$name" builder buildxConfig); then cp -a "$config" "$DOCKER_CONFIG/buildx"; fi
  got=$(dk version --format '{{.Server.Version}}')
  [ "$got" = "$(get worlds "$name" engine)" ] || fail "$name: the engine is $got, services.json says $(get worlds "$name" engine)"
  if version=$(get worlds "$name" buildx); then
    case $(dk buildx version) in *" $version "*) ;; *) fail "$name: buildx is not $version" ;; esac
  fi
  say "$name world: engine $got on $W_HOST${version:+, buildx $version}"
}
dk() { "$W_CLI" "$@"; }
login_named() {
  printf '%s\n' "$PASSWORD" | dk login --username "$USERNAME" --password-stdin "$NAMED" >/dev/null 2>&1 ||
    fail "docker login $NAMED failed"
}
current_builder() { dk buildx inspect | awk '$1 == "Name:" { print $2; exit }'; }
current_driver() { dk buildx inspect | awk '$1 == "Driver:" { print $2; exit }'; }

# load_and_push NAME REGISTRY: a RUN step on the world's base image, --load'ed, then
# docker push; prints facts on the digests.
load_and_push() {
  local name=$1 registry=$2 ref start took id pushed digest manifest registry_digest kind
  run_dockerfile "$WORK/$name/run" "$W_BASE"
  ref=$registry/$REPO:load-$name-$ID
  LOADED+=("$W_CLI $W_HOST $ref")
  start=$(now)
  dk buildx build --network host --provenance=false --load --metadata-file "$WORK/$name/meta.json" -t "$ref" \
    "$WORK/$name/run" >"$WORK/build.log" 2>&1 || {
    tail -20 "$WORK/build.log" >&2
    fail "$name: build --load failed"
  }
  took=$(($(now) - start))
  [ "$(dk run --rm --network host "$ref" cat /built.txt)" = "built-$ID" ] || fail "$name: $ref does not run"
  id=$(dk image inspect --format '{{.Id}}' "$ref")
  if [ "$registry" = "$PLAIN" ]; then PUSHED_PLAIN+=("$ref"); else PUSHED_NAMED+=("$ref"); fi
  pushed=$(dk push "$ref" 2>&1) || {
    printf '%s\n' "$pushed" >&2
    fail "$name: docker push $ref failed"
  }
  digest=$(sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p' <<<"$pushed")
  if [ "$registry" = "$PLAIN" ]; then manifest=$(raw_plain "$ref"); else manifest=$(raw "$ref"); fi
  registry_digest=$(printf '%s' "$manifest" | digest_of)
  kind=$(json 'm.mediaType' <<<"$manifest")
  [ "$digest" = "$registry_digest" ] || fail "$name: docker push said $digest, the registry has $registry_digest"
  say "$name: loaded and pushed $ref"
  fact "$name: build --load took ${took} ms; metadata file keys: $(json 'Object.keys(m).sort().join(" ")' <"$WORK/$name/meta.json")"
  fact "$name: metadata containerimage.digest $(json 'm["containerimage.digest"]' <"$WORK/$name/meta.json"), config.digest $(json 'm["containerimage.config.digest"]' <"$WORK/$name/meta.json")"
  fact "$name: .Id $id; docker push to $registry: $kind $registry_digest"
}

# --- classic world ------------------------------------------------------------------
if CLASSIC_HOST=$(get worlds classic dockerHost); then
  CLASSIC_CLI=$(get worlds classic cli)
  got=$(DOCKER_HOST=$CLASSIC_HOST "$CLASSIC_CLI" version --format '{{.Server.Version}}')
  [ "$got" = "$(get worlds classic engine)" ] || fail "classic engine is $got, services.json says $(get worlds classic engine)"
  mkdir -p "$WORK/classic-config"
  if DOCKER_CONFIG=$WORK/classic-config "$CLASSIC_CLI" buildx version >/dev/null 2>&1; then
    fail "the classic CLI $CLASSIC_CLI finds a buildx plugin without being given one"
  fi
  say "classic world: engine $got on $CLASSIC_HOST, $CLASSIC_CLI without buildx"
else
  say "classic world: not in services.json (SHIP_IMAGE_WORLDS), skipped"
fi

# --- hosted world ---------------------------------------------------------------------
if get worlds hosted >/dev/null; then
  use_world hosted
  [ "$(current_driver)" = docker ] || fail "hosted: the current builder's driver is $(current_driver), not docker"
  login_named
  load_and_push hosted "$NAMED"
  if dk buildx build --platform linux/amd64,linux/arm64 -t "$NAMED/$REPO:multi-hosted-$ID" "$WORK/scratch" >"$WORK/build.log" 2>&1; then
    fail "hosted: two platforms built with the docker driver on the classic store"
  fi
  fact "hosted: two platforms with the docker driver: $(grep -m1 -o 'Multi-platform build is not supported[^"]*' "$WORK/build.log" || tail -1 "$WORK/build.log")"
else
  say "hosted world: not in services.json (SHIP_IMAGE_WORLDS), skipped"
fi

# --- builder world --------------------------------------------------------------------
if get worlds builder >/dev/null; then
  use_world builder
  name=$(get worlds builder builder name)
  [ "$(current_builder)" = "$name" ] || fail "builder: the current builder is $(current_builder), not $name"
  [ "$(current_driver)" = remote ] || fail "builder: $name's driver is $(current_driver), not remote"
  say "builder: current builder $name ($(get worlds builder builder endpoint)), BuildKit $(get worlds builder builder buildkit)"
  login_named

  # Two platforms, pushed by BuildKit itself: an OCI index with both platforms.
  ref=$NAMED/$REPO:multi-$ID
  PUSHED_NAMED+=("$ref")
  dk buildx build --platform linux/amd64,linux/arm64 --push --metadata-file "$WORK/builder/meta-multi.json" -t "$ref" \
    "$WORK/scratch" >"$WORK/build.log" 2>&1 || {
    tail -20 "$WORK/build.log" >&2
    fail "builder: two-platform build --push to $NAMED failed"
  }
  manifest=$(raw "$ref") || fail "skopeo cannot read $ref"
  kind=$(json 'm.mediaType' <<<"$manifest")
  platforms=$(json 'm.manifests.map(d => d.platform.os + "/" + d.platform.architecture).sort().join(" ")' <<<"$manifest")
  [ "$kind" = application/vnd.oci.image.index.v1+json ] || fail "$ref is $kind, not an OCI index"
  for platform in linux/amd64 linux/arm64; do
    case " $platforms " in *" $platform "*) ;; *) fail "$ref has platforms $platforms, not $platform" ;; esac
  done
  multi_digest=$(printf '%s' "$manifest" | digest_of)
  say "builder: pushed $ref: $kind, platforms $platforms"
  fact "builder: two platforms --push: registry has $kind $multi_digest with $(json 'm.manifests.length' <<<"$manifest") manifests ($platforms); metadata containerimage.digest $(json 'm["containerimage.digest"]' <"$WORK/builder/meta-multi.json")"
  if dk image inspect "$ref" >/dev/null 2>&1; then
    fact "builder: the engine has $ref after --push"
  else
    fact "builder: the engine does not have $ref after --push (BuildKit outside the engine)"
  fi

  # One platform without provenance, pushed: a plain manifest; then the same build --load'ed.
  ref=$NAMED/$REPO:single-$ID
  PUSHED_NAMED+=("$ref")
  start=$(now)
  dk buildx build --platform linux/amd64 --provenance=false --push --metadata-file "$WORK/builder/meta-single.json" \
    -t "$ref" "$WORK/scratch" >"$WORK/build.log" 2>&1 || {
    tail -20 "$WORK/build.log" >&2
    fail "builder: single-platform build --push to $NAMED failed"
  }
  took_push=$(($(now) - start))
  manifest=$(raw "$ref") || fail "skopeo cannot read $ref"
  single_kind=$(json 'm.mediaType' <<<"$manifest")
  single_digest=$(printf '%s' "$manifest" | digest_of)
  fact "builder: one platform, provenance false, --push: $single_kind $single_digest, metadata containerimage.digest $(json 'm["containerimage.digest"]' <"$WORK/builder/meta-single.json") (${took_push} ms)"

  # A RUN step on the world's base image (read by BuildKit from the plain registry),
  # --load'ed into the engine, and pushed by the engine.
  load_and_push builder "$NAMED"

  # imagetools against the non-loopback TLS registry.
  copy=$NAMED/$REPO:copy-$ID
  PUSHED_NAMED+=("$copy")
  dk buildx imagetools create --prefer-index=false -t "$copy" "$NAMED/$REPO:single-$ID" >"$WORK/it.log" 2>&1 || {
    cat "$WORK/it.log" >&2
    fail "builder: imagetools create --prefer-index=false from a single manifest failed"
  }
  manifest=$(raw "$copy")
  fact "builder: imagetools create --prefer-index=false of one manifest: $(json 'm.mediaType' <<<"$manifest") $(printf '%s' "$manifest" | digest_of) (source $single_digest)"
  merged=$NAMED/$REPO:merged-$ID
  PUSHED_NAMED+=("$merged")
  dk buildx imagetools create -t "$merged" "$NAMED/$REPO:single-$ID" >"$WORK/it.log" 2>&1 || {
    cat "$WORK/it.log" >&2
    fail "builder: imagetools create from a single manifest failed"
  }
  manifest=$(raw "$merged")
  fact "builder: imagetools create (default) of one manifest: $(json 'm.mediaType' <<<"$manifest") $(printf '%s' "$manifest" | digest_of)"
  inspected=$(dk buildx imagetools inspect --raw "$NAMED/$REPO:multi-$ID") || fail "builder: imagetools inspect --raw failed"
  [ "$(printf '%s' "$inspected" | digest_of)" = "$multi_digest" ] ||
    fail "builder: imagetools inspect --raw gave other bytes than the registry's for $NAMED/$REPO:multi-$ID"
  fact "builder: imagetools inspect --raw $NAMED/…:multi: the registry's bytes ($multi_digest)"
  inspected=$(dk buildx imagetools inspect --format '{{json .Manifest}}' "$NAMED/$REPO:multi-$ID")
  fact "builder: imagetools inspect --format {{json .Manifest}}: digest $(json 'm.digest' <<<"$inspected"), mediaType $(json 'm.mediaType' <<<"$inspected")"
  if dk buildx imagetools inspect --raw "$(get tls)/$REPO:multi-$ID" >"$WORK/it.log" 2>&1; then
    fact "builder: imagetools inspect reaches $(get tls) (the localhost name) too"
  else
    fact "builder: imagetools inspect of $(get tls) (the localhost name): $(tail -1 "$WORK/it.log")"
  fi
else
  say "builder world: not in services.json (SHIP_IMAGE_WORLDS), skipped"
fi

# --- containerd world -----------------------------------------------------------------
if get worlds containerd >/dev/null; then
  use_world containerd
  [ "$(get worlds containerd containerdStore)" = true ] || fail "containerd: services.json says the engine has no containerd image store"
  dk info --format '{{json .DriverStatus}}' | grep -q io.containerd.snapshotter || fail "containerd: the engine does not keep images in containerd"
  [ "$(current_driver)" = docker ] || fail "containerd: the current builder's driver is $(current_driver), not docker"
  login_named
  load_and_push containerd "$PLAIN"
else
  say "containerd world: not in services.json (SHIP_IMAGE_WORLDS), skipped"
fi

say "ok: every world in services.json works"
