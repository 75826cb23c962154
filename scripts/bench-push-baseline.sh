#!/usr/bin/env bash
# The baseline scripts/bench/push.mjs and cache.mjs time against the action: what a
# user types in a workflow `run:` step without the action, and nothing more. No
# labels, no inspect, no own docker config (the user's ~/.docker, as in a workflow).
#
#   BENCH_REGISTRIES="localhost:5443 [localhost:PORT …]" BENCH_USERNAME=ship \
#     BENCH_PASSWORD_FILE=/path [BENCH_BUILD="build"] [BENCH_PUSH=each|all-tags|none] \
#     bash scripts/bench-push-baseline.sh CONTEXT REF [REF …]
#
# One `docker login --password-stdin` per registry; one `docker $BENCH_BUILD` (word
# split: the command and its flags, default `build`) with a `--tag` per reference;
# then `docker push` per reference (BENCH_PUSH=each, the default), `docker push
# --all-tags` per repository, or nothing (none: the build pushed, as `buildx build
# --push` does); one `docker logout` per registry. In a world with buildx, `docker
# build` is buildx's, which loads the image into the engine as the action's `buildx
# build --load` does.
set -euo pipefail
: "${BENCH_REGISTRIES:?}" "${BENCH_USERNAME:?}" "${BENCH_PASSWORD_FILE:?}"
context=$1
shift

for registry in $BENCH_REGISTRIES; do
  docker login --username "$BENCH_USERNAME" --password-stdin "$registry" <"$BENCH_PASSWORD_FILE"
done
tags=()
for ref in "$@"; do tags+=(--tag "$ref"); done
# shellcheck disable=SC2086 # the command and its flags, split on purpose
docker ${BENCH_BUILD:-build} "${tags[@]}" "$context"
case ${BENCH_PUSH:-each} in
  all-tags)
    repos=()
    for ref in "$@"; do
      repo=${ref%:*}
      [[ " ${repos[*]-} " == *" $repo "* ]] || repos+=("$repo")
    done
    for repo in "${repos[@]}"; do docker push --all-tags "$repo"; done
    ;;
  each) for ref in "$@"; do docker push "$ref"; done ;;
  none) ;;
  *) echo "BENCH_PUSH: each, all-tags or none, not $BENCH_PUSH" >&2 && exit 2 ;;
esac
for registry in $BENCH_REGISTRIES; do docker logout "$registry"; done
