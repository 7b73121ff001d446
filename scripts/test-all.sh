#!/usr/bin/env bash
# The full test suite, from a fresh Debian 12 machine with Node 20, as root:
# installs what it needs (Debian packages, dockerd, base image, PostgreSQL, npm modules),
# builds (with the dashboard), lints, then runs unit, integration, e2e and browser (Chromium)
# tests against real engines.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "host setup (Docker engine, registry, base image)"
bash scripts/host-setup.sh

step "PostgreSQL for the store suite"
WHARF_TEST_PG_URL="$(bash scripts/setup-postgres.sh | tail -n1)"
export WHARF_TEST_PG_URL

step "npm modules"
# npm ci only when the lock file changed since the last install: a native module (better-sqlite3)
# compiles from source here, which takes a minute.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules up to date"
fi

step "build (tsc + circular-import check) and lint"
npm run --silent build
npm run --silent lint

step "tests"
node scripts/run-tests.mjs all
