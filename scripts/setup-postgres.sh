#!/usr/bin/env bash
# Sets up a local PostgreSQL for Wharf's store tests. Idempotent: safe to run any number of times.
#  - installs Debian's postgresql if missing;
#  - creates/starts a cluster listening on 127.0.0.1 (pg_ctlcluster: no systemd needed);
#  - creates role and database "wharf_test" with a password (kept across runs);
#  - prints the URL and writes it to /var/lib/wharf-test-pg/url.
# Use:  export WHARF_TEST_PG_URL="$(scripts/setup-postgres.sh | tail -n1)"
#       node scripts/run-tests.mjs integration store
set -euo pipefail

STATE_DIR=/var/lib/wharf-test-pg
URL_FILE="$STATE_DIR/url"
PASS_FILE="$STATE_DIR/password"
ROLE=wharf_test
DB=wharf_test

log() { echo "setup-postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (installs packages and starts the server as the postgres user)"
  exit 1
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing postgresql from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
CLUSTER=main
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {found=1} END {exit !found}'; then
  log "creating cluster $VERSION/$CLUSTER"
  pg_createcluster "$VERSION" "$CLUSTER" >&2
fi

# Loopback only: tests never need the server reachable from elsewhere.
CONF_D="/etc/postgresql/$VERSION/$CLUSTER/conf.d"
mkdir -p "$CONF_D"
printf "listen_addresses = '127.0.0.1'\n" >"$CONF_D/wharf-test.conf"

STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}')"
if [ "$STATUS" != "online" ]; then
  log "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}')"

for _ in $(seq 1 30); do
  if runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p "$PORT"; then break; fi
  sleep 1
done
runuser -u postgres -- pg_isready -h 127.0.0.1 -p "$PORT" >&2

mkdir -p "$STATE_DIR"
chmod 700 "$STATE_DIR"
if [ ! -s "$PASS_FILE" ]; then
  # Hex only: no URL escaping needed.
  head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PASS_FILE"
  chmod 600 "$PASS_FILE"
fi
PASS="$(cat "$PASS_FILE")"

psql_admin() { runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  log "creating role $ROLE"
  psql_admin -c "CREATE ROLE $ROLE LOGIN" >&2
fi
# Always (re)set: the password file is the source of truth.
psql_admin -c "ALTER ROLE $ROLE WITH LOGIN PASSWORD '$PASS'" >&2
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  log "creating database $DB"
  psql_admin -c "CREATE DATABASE $DB OWNER $ROLE" >&2
fi

URL="postgres://$ROLE:$PASS@127.0.0.1:$PORT/$DB"
printf '%s\n' "$URL" >"$URL_FILE"
chmod 600 "$URL_FILE"
log "ready; URL written to $URL_FILE"
echo "$URL"
