#!/usr/bin/env bash
# Smoke test of the two Docker worlds scripts/services.sh starts (run it by hand after
# services.sh, or as `scripts/services.sh --check`). Reads $SHIP_IMAGE_STATE/services.json.
#
# Classic world: the engine answers with the version services.json records, and its CLI
# has no buildx unless someone gives it one (no system-wide plugin).
# Buildx world, with a throwaway DOCKER_CONFIG whose cli-plugins is a symlink to the
# world's pluginsDir (the login lives there and is removed on exit):
#   - docker buildx version; docker login to the TLS registry,
#   - a FROM scratch + COPY image for linux/amd64,linux/arm64 pushed with --push: skopeo
#     reads back an OCI index with both platforms (and the provenance attestations),
#   - the same for one platform with --provenance=false: a plain manifest,
#   - a RUN step (--network host) on the base image, --load'ed into engine 26, then
#     docker push with the 26 CLI and docker image save; prints what .Id, RepoDigests and
#     the saved tarball are in the containerd image store, as "fact:" lines.
# Removes what it pushed and loaded (buildx --push also leaves the image in engine 26's
# containerd store).
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
    process.stdout.write(String(v))' "$SERVICES" "$@"
}
# json EXPR: evaluates EXPR with `m` bound to the JSON document on stdin.
json() { node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(eval(process.argv[1]))' "$1"; }

PLAIN=$(get plain)
TLS=$(get tls)
USERNAME=$(get username)
PASSWORD=$(cat "$(get passwordFile)")
CA_FILE=$(get caFile)
BASE_IMAGE=$(get baseImage)
CLASSIC_HOST=$(get worlds classic dockerHost)
CLASSIC_CLI=$(get worlds classic cli)
CLASSIC_ENGINE=$(get worlds classic engine)
BX_HOST=$(get worlds buildx dockerHost) || fail "services.json has no buildx world (SHIP_IMAGE_BUILDX=0?)"
BX_CLI=$(get worlds buildx cli)
BX_PLUGINS=$(get worlds buildx pluginsDir)
BX_ENGINE=$(get worlds buildx engine)
BX_BUILDX=$(get worlds buildx buildx)

WORK=$(mktemp -d)
ID=check-$(date +%s)-$$
REPO=ship-image-check/worlds
SKOPEO_ARGS=()
PUSHED_TLS=()   # refs to delete from the registries on exit
PUSHED_PLAIN=()
LOADED=()       # engine 26 images to remove on exit
cleanup() {
  local ref
  for ref in "${PUSHED_TLS[@]}"; do skopeo delete "${SKOPEO_ARGS[@]}" "docker://$ref" >/dev/null 2>&1 || true; done
  for ref in "${PUSHED_PLAIN[@]}"; do skopeo delete --tls-verify=false "docker://$ref" >/dev/null 2>&1 || true; done
  for ref in "${LOADED[@]}"; do "$BX_CLI" image rm -f "$ref" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- classic world ------------------------------------------------------------------
got=$(DOCKER_HOST=$CLASSIC_HOST "$CLASSIC_CLI" version --format '{{.Server.Version}}')
[ "$got" = "$CLASSIC_ENGINE" ] || fail "classic engine is $got, services.json says $CLASSIC_ENGINE"
mkdir -p "$WORK/classic-config"
if DOCKER_CONFIG=$WORK/classic-config "$CLASSIC_CLI" buildx version >/dev/null 2>&1; then
  fail "the classic CLI $CLASSIC_CLI finds a buildx plugin without being given one"
fi
say "classic world: engine $got on $CLASSIC_HOST, $CLASSIC_CLI without buildx"

# --- buildx world ---------------------------------------------------------------------
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH BUILDX_BUILDER
export DOCKER_HOST=$BX_HOST
export DOCKER_CONFIG=$WORK/config
mkdir -p "$DOCKER_CONFIG" "$WORK/certs"
ln -s "$BX_PLUGINS" "$DOCKER_CONFIG/cli-plugins"
dk() { "$BX_CLI" "$@"; }

got=$(dk version --format '{{.Server.Version}}')
[ "$got" = "$BX_ENGINE" ] || fail "engine 26 is $got, services.json says $BX_ENGINE"
version=$(dk buildx version) || fail "docker buildx version failed"
say "buildx world: engine $got on $BX_HOST; $version"
case $version in *" $BX_BUILDX "*) ;; *) fail "buildx is not $BX_BUILDX" ;; esac

printf '%s\n' "$PASSWORD" | dk login --username "$USERNAME" --password-stdin "$TLS" >/dev/null 2>&1 ||
  fail "docker login $TLS failed"
# skopeo reads the registries on its own: the login docker wrote, the CA of services.json.
cp "$CA_FILE" "$WORK/certs/ca.crt"
SKOPEO_ARGS=(--authfile "$DOCKER_CONFIG/config.json" --cert-dir "$WORK/certs")
raw() { skopeo inspect --raw "${SKOPEO_ARGS[@]}" "docker://$1"; }
raw_plain() { skopeo inspect --raw --tls-verify=false "docker://$1"; }

mkdir -p "$WORK/scratch"
printf 'hello\n' >"$WORK/scratch/hello.txt"
cat >"$WORK/scratch/Dockerfile" <<'EOF'
FROM scratch
ARG TARGETARCH
COPY hello.txt /hello-$TARGETARCH.txt
EOF

# Multi-platform, pushed by buildx: an OCI index with both platforms and attestations.
ref=$TLS/$REPO:multi-$ID
PUSHED_TLS+=("$ref")
LOADED+=("$ref") # the containerd image store keeps what buildx pushes
dk buildx build --platform linux/amd64,linux/arm64 --push -t "$ref" "$WORK/scratch" >"$WORK/build.log" 2>&1 ||
  { tail -20 "$WORK/build.log" >&2; fail "multi-platform build --push to $TLS failed"; }
manifest=$(raw "$ref") || fail "skopeo cannot read $ref"
kind=$(json 'm.mediaType' <<<"$manifest")
platforms=$(json 'm.manifests.map(d => d.platform.os + "/" + d.platform.architecture).sort().join(" ")' <<<"$manifest")
[ "$kind" = application/vnd.oci.image.index.v1+json ] || fail "$ref is $kind, not an OCI index"
for platform in linux/amd64 linux/arm64; do
  case " $platforms " in *" $platform "*) ;; *) fail "$ref has platforms $platforms, not $platform" ;; esac
done
say "pushed $ref: $kind, platforms $platforms"

# One platform without provenance: a plain manifest.
ref=$TLS/$REPO:single-$ID
PUSHED_TLS+=("$ref")
LOADED+=("$ref") # the containerd image store keeps what buildx pushes
dk buildx build --platform linux/arm64 --provenance=false --push -t "$ref" "$WORK/scratch" >"$WORK/build.log" 2>&1 ||
  { tail -20 "$WORK/build.log" >&2; fail "single-platform build --push to $TLS failed"; }
manifest=$(raw "$ref") || fail "skopeo cannot read $ref"
kind=$(json 'm.mediaType' <<<"$manifest")
case $kind in
  application/vnd.oci.image.manifest.v1+json | application/vnd.docker.distribution.manifest.v2+json) ;;
  *) fail "$ref is $kind, not a single manifest" ;;
esac
say "pushed $ref: $kind"

# --load into engine 26 (a RUN step on the base image), then docker push and docker save.
mkdir -p "$WORK/run"
cat >"$WORK/run/Dockerfile" <<EOF
FROM $BASE_IMAGE
RUN echo built > /built.txt
EOF
for provenance in true false; do
  ref=$PLAIN/$REPO:load-$provenance-$ID
  LOADED+=("$ref")
  dk buildx build --network host --platform linux/amd64 --provenance="$provenance" --load -t "$ref" "$WORK/run" \
    >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; fail "build --load (provenance $provenance) failed"; }
  [ "$(dk run --rm --network host "$ref" cat /built.txt)" = built ] || fail "$ref does not run"
  id=$(dk image inspect --format '{{.Id}}' "$ref")
  before=$(dk image inspect --format '{{json .RepoDigests}}' "$ref")
  PUSHED_PLAIN+=("$ref")
  pushed=$(dk push "$ref" 2>&1) || { printf '%s\n' "$pushed" >&2; fail "docker push $ref failed"; }
  after=$(dk image inspect --format '{{json .RepoDigests}}' "$ref")
  digest=$(sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p' <<<"$pushed")
  manifest=$(raw_plain "$ref") || fail "skopeo cannot read $ref"
  registry_digest=sha256:$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
  kind=$(json 'm.mediaType' <<<"$manifest")
  [ "$digest" = "$registry_digest" ] || fail "docker push said $digest, the registry has $registry_digest"
  say "loaded and pushed $ref (provenance $provenance)"
  fact "provenance=$provenance: registry has $kind $registry_digest"
  fact "provenance=$provenance: .Id $id ($([ "$id" = "$registry_digest" ] && echo "= the pushed digest" || echo "!= the pushed digest"))"
  fact "provenance=$provenance: RepoDigests before push $before, after push $after"
  if [ "$kind" != application/vnd.oci.image.index.v1+json ]; then
    fact "provenance=$provenance: config digest $(json 'm.config.digest' <<<"$manifest")"
  fi

  dk image save -o "$WORK/save.tar" "$ref" || fail "docker image save $ref failed"
  mkdir -p "$WORK/save"
  tar -xf "$WORK/save.tar" -C "$WORK/save"
  [ -s "$WORK/save/index.json" ] || fail "docker image save wrote no index.json"
  fact "provenance=$provenance: save has $(tar -tf "$WORK/save.tar" | grep -v '^blobs/sha256/.' | tr '\n' ' ')"
  fact "provenance=$provenance: save index.json $(json 'm.manifests.map(d => d.mediaType + " " + d.digest).join(", ")' <"$WORK/save/index.json")"
  if [ -s "$WORK/save/manifest.json" ]; then
    fact "provenance=$provenance: save manifest.json Config $(json 'm[0].Config' <"$WORK/save/manifest.json")"
    layer=$(json 'm[0].Layers[0]' <"$WORK/save/manifest.json")
    magic=$(head -c2 "$WORK/save/$layer" | od -An -tx1 | tr -d ' ')
    fact "provenance=$provenance: save manifest.json Layers[0] $layer is $([ "$magic" = 1f8b ] && echo gzip || echo "not gzip ($magic)")"
  fi
  rm -rf "$WORK/save" "$WORK/save.tar"
done

say "ok: both worlds work"
