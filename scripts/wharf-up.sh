#!/usr/bin/env bash
# Wharf's main job on the embedded default, on this machine (Debian 12, Node 20, root):
# prepares the host, builds Wharf, brings up a local cluster (one node unless WHARF_NODES)
# with its registry, starts `wharf server` (SQLite, embedded router) in the background,
# registers the nodes, builds the node platform and deploys the bundled example app, then
# prints its URL. Safe to run again: a second run only checks, changes nothing that is up and
# says so. It never shrinks the cluster: WHARF_NODES only grows it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

STATE=${WHARF_UP_STATE:-/var/lib/wharf}
API_PORT=${WHARF_PORT:-8080}
ROUTER_PORT=${WHARF_ROUTER_PORT:-8000}
APP=hello
export WHARF_HOME="$STATE/cli"

bash scripts/host-setup.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >/dev/null
fi
if [ ! -f dist/src/cli/main.js ] || [ -n "$(find src -newer dist/src/cli/main.js -name '*.ts' -print -quit)" ]; then
  npm run --silent build
fi
wharf() { "$ROOT/bin/wharf" "$@"; }
# What this run had to do; empty at the end means everything was already up.
CHANGED=()
did() {
  CHANGED+=("$1")
  echo "$1"
}

# `up` keeps every node the cluster has (they may hold units): WHARF_NODES only adds nodes.
NODES_WANTED=${WHARF_NODES:-1}
CLUSTER=$(wharf dev cluster up --nodes "$NODES_WANTED" --json)
# One line per value, read in one go (each `node` start costs a tenth of a second). The nodes
# this script registers are the first NODES_WANTED; the ones beyond are the user's to manage.
mapfile -t C < <(node -e 'const c = JSON.parse(process.argv[1]);
  const own = c.nodes.filter((n) => !c.beyond.includes(n.name));
  console.log([c.registry, c.tls.dir, c.tls.ca, c.baseImage || "", c.nodes.length, c.beyond.join(", "),
    c.changed.join(", "), own.map((n) => `https://${n.address}:2376`).join(" ")].join("\n"))' "$CLUSTER")
REGISTRY=${C[0]} TLS_DIR=${C[1]} CA=${C[2]} BASE=${C[3]} NODE_COUNT=${C[4]} KEPT=${C[5]}
CLUSTER_CHANGED=${C[6]} NODE_URLS=${C[7]}
if [ -n "$KEPT" ]; then
  echo "kept $KEPT running as they are, beyond WHARF_NODES=$NODES_WANTED (WHARF_NODES only grows the cluster;" \
    "\`wharf dev cluster up --nodes $NODES_WANTED --shrink\` removes them)"
fi
[ -z "$CLUSTER_CHANGED" ] || did "dev cluster: $CLUSTER_CHANGED"

mkdir -p "$STATE" "$WHARF_HOME" && chmod 700 "$STATE"
PASSWORD_FILE="$STATE/admin-password"
ADMIN=admin@wharf.local
if [ ! -f "$STATE/data/wharf.db" ]; then
  # The first admin gets a random password, kept only in a root-only file.
  (umask 077 && openssl rand -base64 18 >"$PASSWORD_FILE")
  wharf server init -e "$ADMIN" --data-dir "$STATE/data" <"$PASSWORD_FILE" >/dev/null
  did "created the store in $STATE/data and its first admin $ADMIN"
fi

api_up() { curl -fsS "http://127.0.0.1:$API_PORT/healthcheck" >/dev/null 2>&1; }
if ! api_up; then
  did "starting wharf server (log: /var/log/wharf-server.log)"
  WHARF_DATA_DIR="$STATE/data" WHARF_PORT=$API_PORT WHARF_ROUTER_PORT=$ROUTER_PORT \
    WHARF_NODE_TLS_DIR="$TLS_DIR" WHARF_REGISTRY="$REGISTRY" WHARF_BASE_IMAGE="$BASE" \
    setsid nohup node "$ROOT/dist/src/cli/main.js" server >>/var/log/wharf-server.log 2>&1 </dev/null &
  echo $! >"$STATE/server.pid"
  for _ in $(seq 1 150); do api_up && break; sleep 0.2; done
  api_up || { tail -20 /var/log/wharf-server.log; echo "wharf server did not start" >&2; exit 1; }
fi

wharf target add local "http://127.0.0.1:$API_PORT" --set >/dev/null 2>&1 || wharf target set local >/dev/null
# A session that still works is kept: logging in again would only add another token.
wharf user info >/dev/null 2>&1 || wharf login "$ADMIN" <"$PASSWORD_FILE" >/dev/null

# Each step is skipped when already done, so a second run does no work.
if ! wharf pool list --json | grep -q '"main"'; then
  wharf pool add main --default >/dev/null
  did "added pool main"
fi
NODES=$(wharf node list --json)
for addr in $NODE_URLS; do
  if ! grep -q "$addr" <<<"$NODES"; then
    wharf node add "address=$addr" pool=main --register >/dev/null
    did "registered node $addr in pool main"
  fi
done
# A cluster made anew (`wharf dev cluster down --yes`, then up) has an empty registry: the
# platform and the app are built again on it.
CLUSTER_ID=$(sha256sum "$CA" | cut -c1-16)
NEW_CLUSTER=
[ "$(cat "$STATE/cluster.id" 2>/dev/null)" = "$CLUSTER_ID" ] || NEW_CLUSTER=1
if ! wharf platform list --json | grep -q '"node"'; then
  did "building the node platform (first run only, a few minutes)"
  wharf platform add node -d platforms/node/Dockerfile >/dev/null
elif [ -n "$NEW_CLUSTER" ]; then
  did "rebuilding the node platform on the new cluster"
  wharf platform update node -d platforms/node/Dockerfile >/dev/null
fi
if ! wharf plan list --json | grep -q '"default"'; then
  wharf plan create default -c 1000 -m 512M --default >/dev/null
  did "created plan default"
fi
if ! wharf team list --json | grep -q '"admin"'; then
  wharf team create admin >/dev/null
  did "created team admin"
fi
if ! wharf app info -a "$APP" >/dev/null 2>&1; then
  wharf app create "$APP" node -t admin >/dev/null
  did "created app $APP"
fi
STAMP="$STATE/$APP.deployed"
SRC_HASH=$(cat examples/hello/* | sha256sum | cut -c1-16)
if [ -n "$NEW_CLUSTER" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$SRC_HASH" ] ||
  ! wharf app info -a "$APP" --json | grep -q '"started"'; then
  did "deploying examples/hello"
  (cd examples/hello && wharf app deploy -a "$APP" . >/dev/null)
  echo "$SRC_HASH" >"$STAMP"
fi
[ -z "$NEW_CLUSTER" ] || echo "$CLUSTER_ID" >"$STATE/cluster.id"

URL="http://$APP.wharf.localhost:$ROUTER_PORT/"
echo
if [ "${#CHANGED[@]}" -eq 0 ]; then
  echo "Everything was already up: checked the cluster ($NODE_COUNT nodes), the server and app \"$APP\"; nothing changed."
fi
echo "Wharf is running: API http://127.0.0.1:$API_PORT (admin $ADMIN, password in $PASSWORD_FILE)"
echo "Example app \"$APP\": $URL"
echo
# After a reboot the node's containers are gone; the healer replaces the unit within seconds.
serve() { curl -fsS --resolve "$APP.wharf.localhost:$ROUTER_PORT:127.0.0.1" "$URL" 2>/dev/null; }
for _ in $(seq 1 60); do serve && exit 0; sleep 0.5; done
curl -fsS --resolve "$APP.wharf.localhost:$ROUTER_PORT:127.0.0.1" "$URL"
