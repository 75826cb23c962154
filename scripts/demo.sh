#!/usr/bin/env bash
# `npm run demo`: runs the action (dist/index.js, exactly as a runner would) on
# example/ against the local registries, then prints its outputs. It pushes to
# the plain registry and, logged in, to the TLS one, and saves .demo/example.tar.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
STATE=${SHIP_IMAGE_STATE:-/var/tmp/ship-image}
services() { node -e 'process.stdout.write(String(require(process.argv[1])[process.argv[2]]))' "$STATE/services.json" "$1"; }
PLAIN=$(services plain)
TLS=$(services tls)

run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
mkdir -p "$run/temp"
: >"$run/output"; : >"$run/state"; : >"$run/summary"

step_env=(
  GITHUB_WORKSPACE="$PWD" RUNNER_TEMP="$run/temp"
  GITHUB_OUTPUT="$run/output" GITHUB_STATE="$run/state" GITHUB_STEP_SUMMARY="$run/summary"
)
echo "== main step =="
env "${step_env[@]}" \
  "INPUT_IMAGES=$PLAIN/ship-image/example
$TLS/ship-image/example" \
  INPUT_TAGS="demo, latest" \
  INPUT_CONTEXT=example \
  INPUT_BUILD-ARGS="GREETING=hello" \
  INPUT_SAVE=.demo/example.tar.gz \
  INPUT_REGISTRY="$TLS" INPUT_USERNAME="$(services username)" INPUT_PASSWORD="$(cat "$(services passwordFile)")" \
  node dist/index.js

echo "== post step =="
# The post step gets the main step's state as STATE_<name>.
mapfile -t state_env < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8")
  for (const m of text.matchAll(/^([^<\n]+)<<(.+)\n([\s\S]*?)\n\2$/gm)) console.log(`STATE_${m[1]}=${m[3]}`)
' "$run/state")
env "${step_env[@]}" "${state_env[@]}" node dist/index.js

echo "== outputs =="
node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8")
  for (const m of text.matchAll(/^([^<\n]+)<<(.+)\n([\s\S]*?)\n\2$/gm)) {
    const value = m[1] === "metadata" ? JSON.stringify(JSON.parse(m[3]), null, 2) : m[3]
    console.log(`${m[1]}:\n  ${value.split("\n").join("\n  ")}`)
  }
' "$run/output"

echo "== the pushed image runs =="
docker run --rm --network none "$PLAIN/ship-image/example:demo"
echo "== the saved tarball loads =="
docker load --input .demo/example.tar.gz
