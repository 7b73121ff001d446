#!/bin/sh
# Starts one Wharf Redis instance. The default user's password arrives as its SHA-256
# (WHARF_REDIS_PASSWORD_SHA256), which Redis ACLs accept as "#<hex>": the password itself
# never reaches the container.
set -eu
: "${WHARF_REDIS_PASSWORD_SHA256:?WHARF_REDIS_PASSWORD_SHA256 is required}"
mem=${WHARF_MEMORY_MB:-64}
umask 077
cat > /tmp/redis.conf <<CONF
bind * -::*
port 6379
protected-mode no
daemonize no
dir /var/lib/wharf/redis
appendonly yes
maxmemory $((mem * 3 / 4))mb
maxmemory-policy noeviction
user default on #$WHARF_REDIS_PASSWORD_SHA256 ~* &* +@all
CONF
exec redis-server /tmp/redis.conf
