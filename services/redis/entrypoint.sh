#!/bin/sh
# Starts one Wharf Redis instance. The default user is Wharf's own: its password arrives as
# its SHA-256 (WHARF_REDIS_PASSWORD_SHA256), which Redis ACLs accept as "#<hex>", so the
# password itself never reaches the container. Apps get ACL users of their own at bind time;
# they live in the ACL file on the volume (ACL SAVE) and survive restarts.
set -eu
: "${WHARF_REDIS_PASSWORD_SHA256:?WHARF_REDIS_PASSWORD_SHA256 is required}"
mem=${WHARF_MEMORY_MB:-64}
dir=/var/lib/wharf/redis
acl="$dir/users.acl"
umask 077
{
  echo "user default on #$WHARF_REDIS_PASSWORD_SHA256 ~* &* +@all"
  if [ -f "$acl" ]; then grep -v '^user default ' "$acl" || true; fi
} > "$acl.new"
mv "$acl.new" "$acl"
cat > /tmp/redis.conf <<CONF
bind * -::*
port 6379
protected-mode no
daemonize no
dir $dir
appendonly yes
appendfsync everysec
save ""
maxmemory $((mem * 3 / 4))mb
maxmemory-policy noeviction
aclfile $acl
CONF
exec redis-server /tmp/redis.conf
