#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine; start one if it does not.
#
#   bash scripts/start-dockerd.sh            # idempotent; returns at once when `docker info` works
#
# Order of attempts:
#   1. `docker info` already works: nothing to do.
#   2. A dockerd process exists (it may still be starting): wait for it.
#   3. systemd is PID 1 and knows docker.service: `systemctl start docker`.
#   4. Otherwise start dockerd in its own session (setsid, so it outlives this shell and
#      CI's process group), logging to <repo>/.tools/dockerd.log.
# Then wait until `docker info` answers, or fail after CRONIUM_DOCKERD_TIMEOUT seconds
# (default 90) with the tail of the log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG="$ROOT/.tools/dockerd.log"
TIMEOUT="${CRONIUM_DOCKERD_TIMEOUT:-90}"

log() { printf '[start-dockerd %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

docker_ok() { docker info >/dev/null 2>&1; }

# Is a dockerd process running? (/proc directly: procps may not be installed.)
dockerd_running() {
  local f
  for f in /proc/[0-9]*/comm; do
    [ "$(cat "$f" 2>/dev/null)" = "dockerd" ] && return 0
  done
  return 1
}

if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
  log "docker/dockerd not installed (run scripts/setup.sh, which installs docker.io)"
  exit 1
fi

if docker_ok; then
  exit 0
fi

started_by_us=""
if dockerd_running; then
  log "a dockerd process is running but not answering yet; waiting for it"
elif [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 \
     && systemctl list-unit-files docker.service >/dev/null 2>&1 \
     && systemctl start docker >/dev/null 2>&1; then
  log "started docker.service with systemd"
else
  if [ "$(id -u)" -ne 0 ]; then
    log "dockerd is not running and only root can start it: run this script as root"
    exit 1
  fi
  mkdir -p "$(dirname "$LOG")"
  log "starting dockerd in the background (log: $LOG)"
  # setsid: own session, so the daemon is not killed with CI's process group;
  # stdin from /dev/null so it never holds a terminal or a CI pipe open.
  setsid dockerd >>"$LOG" 2>&1 </dev/null &
  started_by_us=$!
fi

deadline=$((SECONDS + TIMEOUT))
until docker_ok; do
  if [ -n "$started_by_us" ] && ! kill -0 "$started_by_us" 2>/dev/null; then
    log "dockerd exited during start-up; last lines of $LOG:"
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "ERROR: Docker did not answer within ${TIMEOUT}s (set CRONIUM_DOCKERD_TIMEOUT to wait longer)"
    [ -f "$LOG" ] && { log "last lines of $LOG:"; tail -n 30 "$LOG" >&2 || true; }
    exit 1
  fi
  sleep 1
done
log "Docker answers (server $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
