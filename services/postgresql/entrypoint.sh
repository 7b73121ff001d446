#!/bin/sh
# Starts one Wharf PostgreSQL instance. On the first start (an empty volume) it creates the
# cluster, then the instance's database and its owner role, named WHARF_PG_DATABASE, whose
# password arrives as a SCRAM verifier (WHARF_PG_OWNER_VERIFIER): the password itself never
# reaches the container. Apps get roles of their own at bind time (members of the owner).
set -eu
: "${WHARF_PG_DATABASE:?WHARF_PG_DATABASE is required}"
: "${WHARF_PG_OWNER_VERIFIER:?WHARF_PG_OWNER_VERIFIER is required}"
mem=${WHARF_MEMORY_MB:-256}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # A first start that died half-way leaves a partial cluster: start again from nothing.
  rm -rf "$PGDATA"
  initdb --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 --pgdata="$PGDATA.init" >/dev/null
  {
    echo "listen_addresses = '*'"
    echo "password_encryption = 'scram-sha-256'"
  } >> "$PGDATA.init/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA.init/pg_hba.conf"
  # Set up on a private socket only, so nobody connects before the database exists.
  mkdir -p /tmp/wharf-init
  pg_ctl -D "$PGDATA.init" -w -s -o "-c listen_addresses='' -c unix_socket_directories=/tmp/wharf-init" start
  psql -X -q -h /tmp/wharf-init -d postgres -v ON_ERROR_STOP=1 \
    -v db="$WHARF_PG_DATABASE" -v verifier="$WHARF_PG_OWNER_VERIFIER" <<'SQL'
CREATE ROLE :"db" LOGIN PASSWORD :'verifier';
CREATE DATABASE :"db" OWNER :"db";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
  pg_ctl -D "$PGDATA.init" -w -s -m fast stop
  # Only a finished cluster gets its final name: the PG_VERSION test above relies on it.
  mv "$PGDATA.init" "$PGDATA"
  echo "wharf: created database $WHARF_PG_DATABASE"
fi

exec postgres -c "shared_buffers=$((mem / 4))MB" -c "max_connections=${WHARF_PG_MAX_CONNECTIONS:-50}"
