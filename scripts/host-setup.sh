#!/usr/bin/env bash
# Prepares this machine to be a Wharf host. Idempotent: with everything present it only checks.
#   - Debian packages Wharf needs (Docker engine, registry, debootstrap, network tools, git) and
#     its tests need (aiosmtpd; docker-compose for the Docker-API endpoint's e2e; Chromium for
#     the dashboard's browser tests and bench/dashboard)
#   - a running dockerd (no systemd here: started by hand when it is not answering)
#   - the base image wharf/base:bookworm (debootstrap minbase + docker import) when absent
# Must run as root on Debian 12.
set -euo pipefail

BASE_IMAGE="${WHARF_BASE_IMAGE:-wharf/base:bookworm}"
DOCKERD_LOG="${WHARF_DOCKERD_LOG:-/var/log/wharf-host-dockerd.log}"

log() { printf '[host-setup] %s\n' "$*"; }
die() { printf '[host-setup] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts dockerd)"

# --- packages: command -> Debian package ------------------------------------------------
declare -A NEED=(
  [dockerd]=docker.io
  [docker-registry]=docker-registry
  [debootstrap]=debootstrap
  [ip]=iproute2
  [iptables]=iptables
  [nsenter]=util-linux
  [unshare]=util-linux
  [umount]=mount
  [pgrep]=procps
  [sysctl]=procps
  [openssl]=openssl
  # git push deploys: Wharf serves pushes with git's own http-backend and receive-pack.
  [git]=git
  [chromium]=chromium
  # The Docker-API cluster endpoint's e2e drives it with Debian's docker-compose (1.29).
  [docker-compose]=docker-compose
  # kubectl checks that the Kubernetes API stand-in (test/support/kube) speaks the real wire format.
  [kubectl]=kubernetes-client
)
missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# The static busybox specifically: test images are FROM scratch plus this one binary.
installed busybox-static || missing+=(busybox-static)
# A font for Chromium's screenshots (installed without recommends, it brings none).
installed fonts-dejavu-core || missing+=(fonts-dejavu-core)
[ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
# Tests of password resets deliver mail to a real SMTP server on loopback: aiosmtpd runs
# unprivileged on any port and writes what it receives to a Maildir (no system MTA is started).
installed python3-aiosmtpd || missing+=(python3-aiosmtpd)
if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing from Debian: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- dockerd -------------------------------------------------------------------------------
docker_up() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! docker_up; then
  log "starting dockerd (log: $DOCKERD_LOG)"
  # The host engine must not pick up a stale pid file from a dockerd killed without cleanup.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    docker_up && break
    sleep 0.5
  done
  docker_up || die "dockerd did not answer within 60 s; see $DOCKERD_LOG"
fi

# --- base image ----------------------------------------------------------------------------
debian_mirror() {
  # The mirror apt is configured with (deb822 sources first, then the classic list).
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /var/tmp/wharf-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  log "building $BASE_IMAGE with debootstrap from $mirror (about 30 s)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/var/tmp/wharf-debootstrap.log 2>&1 ||
    die "debootstrap failed; see /var/tmp/wharf-debootstrap.log"
  # Keep the image small and free of host state.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  log "built $BASE_IMAGE"
fi

log "ready: dockerd $(docker version --format '{{.Server.Version}}'), base image $BASE_IMAGE"
