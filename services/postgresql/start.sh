#!/bin/sh
# Starts the instance's PostgreSQL. The first start creates the cluster on the volume
# (initdb into a scratch directory, renamed when complete, so a start killed half-way
# never leaves a broken cluster behind). Local connections use peer authentication (Wharf
# administers the instance with `psql` inside the container); network clients need a
# password (SCRAM). Roles and passwords are created by Wharf, never passed in the env.
set -eu
BIN=/usr/lib/postgresql/15/bin
PGDATA=/var/lib/wharf/pgdata
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  rm -rf "$PGDATA.init"
  "$BIN/initdb" -D "$PGDATA.init" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  {
    echo "host all all 0.0.0.0/0 scram-sha-256"
    echo "host all all ::/0 scram-sha-256"
  } >> "$PGDATA.init/pg_hba.conf"
  mv "$PGDATA.init" "$PGDATA"
fi
# log_min_error_statement=panic: a failed statement is never copied into the log, so a
# password in a failed CREATE/ALTER ROLE cannot end up there.
exec "$BIN/postgres" -D "$PGDATA" \
  -c "listen_addresses=*" \
  -c "shared_buffers=${WHARF_SHARED_BUFFERS:-32MB}" \
  -c "password_encryption=scram-sha-256" \
  -c "log_min_error_statement=panic" \
  -c "log_statement=none"
