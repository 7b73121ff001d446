#!/bin/sh
# Starts the instance's Redis. Users and passwords live in the ACL file on the volume,
# written by Wharf through redis-cli inside the container. Until Wharf has set the default
# user's password, protected mode refuses every client that is not local to the container.
set -eu
DIR=/var/lib/wharf
[ -f "$DIR/users.acl" ] || : > "$DIR/users.acl"
exec redis-server --port 6379 --dir "$DIR" \
  --appendonly yes --appendfsync everysec \
  --aclfile "$DIR/users.acl" \
  --protected-mode yes \
  --maxmemory "${WHARF_MAXMEMORY:-48mb}" --maxmemory-policy noeviction \
  --save ""
