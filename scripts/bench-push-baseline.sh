#!/usr/bin/env bash
# The baseline scripts/bench.mjs times against the action for the push case: the
# docker commands a plain workflow `run:` step would use, one after another.
#
#   BENCH_REGISTRY=localhost:5443 BENCH_USERNAME=ship BENCH_PASSWORD_FILE=/path \
#     bash scripts/bench-push-baseline.sh CONTEXT REF [REF...]
#
# Like the action it logs in with --password-stdin into its own temporary
# DOCKER_CONFIG (removed at the end), adds the one label the action adds outside
# a workflow (org.opencontainers.image.created), builds with the first reference,
# tags the others, pushes every reference, reads the digests back, logs out.
set -euo pipefail
: "${BENCH_REGISTRY:?}" "${BENCH_USERNAME:?}" "${BENCH_PASSWORD_FILE:?}"
context=$1
shift
refs=("$@")

DOCKER_CONFIG=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/docker-config.XXXXXX")
export DOCKER_CONFIG
trap 'rm -rf "$DOCKER_CONFIG"' EXIT

docker login --username "$BENCH_USERNAME" --password-stdin "$BENCH_REGISTRY" <"$BENCH_PASSWORD_FILE"
docker build --tag "${refs[0]}" --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$context"
for ref in "${refs[@]:1}"; do docker tag "${refs[0]}" "$ref"; done
for ref in "${refs[@]}"; do docker push "$ref"; done
docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "${refs[0]}"
docker logout "$BENCH_REGISTRY"
