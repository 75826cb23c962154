#!/usr/bin/env bash
# The baseline scripts/bench/push.mjs times against the action: what a user types in
# a workflow `run:` step without the action, and nothing more. No labels, no
# inspect, no own docker config (the user's ~/.docker, as in a workflow).
#
#   BENCH_REGISTRIES="localhost:5443 [localhost:PORT …]" BENCH_USERNAME=ship \
#     BENCH_PASSWORD_FILE=/path [BENCH_PUSH=each|all-tags] \
#     bash scripts/bench-push-baseline.sh CONTEXT REF [REF …]
#
# One `docker login --password-stdin` per registry, one `docker build` with a
# `--tag` per reference (in a world with buildx, `docker build` is buildx's, which
# loads the image into the engine as the action's `buildx build --load` does), then
# `docker push` per reference (BENCH_PUSH=each, the default) or `docker push
# --all-tags` per repository, and one `docker logout` per registry.
set -euo pipefail
: "${BENCH_REGISTRIES:?}" "${BENCH_USERNAME:?}" "${BENCH_PASSWORD_FILE:?}"
context=$1
shift

for registry in $BENCH_REGISTRIES; do
  docker login --username "$BENCH_USERNAME" --password-stdin "$registry" <"$BENCH_PASSWORD_FILE"
done
tags=()
for ref in "$@"; do tags+=(--tag "$ref"); done
docker build "${tags[@]}" "$context"
if [ "${BENCH_PUSH:-each}" = all-tags ]; then
  repos=()
  for ref in "$@"; do
    repo=${ref%:*}
    [[ " ${repos[*]-} " == *" $repo "* ]] || repos+=("$repo")
  done
  for repo in "${repos[@]}"; do docker push --all-tags "$repo"; done
else
  for ref in "$@"; do docker push "$ref"; done
fi
for registry in $BENCH_REGISTRIES; do docker logout "$registry"; done
