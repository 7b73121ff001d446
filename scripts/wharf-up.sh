#!/usr/bin/env bash
# Wharf's main job on the embedded default, on this machine (Debian 12, Node 20, root):
# prepares the host, builds Wharf, and brings up a one-node cluster with its registry and
# base image, then prints what is up and where. Safe to run again: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/host-setup.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
if [ ! -f dist/src/cli/main.js ] || [ -n "$(find src -newer dist/src/cli/main.js -name '*.ts' -print -quit)" ]; then
  npm run --silent build
fi
./bin/wharf dev cluster up --nodes "${WHARF_NODES:-1}"
echo
./bin/wharf dev cluster status
