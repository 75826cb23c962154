#!/usr/bin/env bash
# `npm test`: everything a fresh Debian/Ubuntu machine (as root) needs, then all tests.
# Installs the npm dependencies when missing, checks the style (Prettier, ESLint), lints the
# workflows (.github/workflows and the YAML blocks of README.md and docs/, offline), starts the engine and the
# registries (scripts/services.sh, idempotent), type-checks, runs the unit and end-to-end suites.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
npm run -s format:check
npm run -s lint
node scripts/lint-workflows.mjs
bash scripts/services.sh
npx tsc --noEmit
NODE_OPTIONS=--experimental-vm-modules npx jest "$@"
