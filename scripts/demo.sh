#!/usr/bin/env bash
# `npm run demo`: installs the npm dependencies when they are missing (as `npm test` does:
# the demo reads action.yml with the devDependency `yaml`), starts the engine and the
# local registries (scripts/services.sh), then runs the action on example/ with
# scripts/demo.mjs, exactly as a runner would, and prints its outputs. It pushes to the
# plain registry and, logged in, to the TLS one, saves .demo/example.tar.gz, runs the
# pushed image and loads the tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
bash scripts/services.sh
exec node scripts/demo.mjs
