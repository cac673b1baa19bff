#!/bin/sh
# Cronium job entrypoint (ENTRYPOINT of every runtime image; POSIX sh, so `ulimit -f` counts
# 512-byte blocks as dash does).
#
# Without CRONIUM_IN_URL and CRONIUM_OUT_URL (Docker on one machine, or `docker run` by hand) it
# only execs its arguments: the image behaves as if it had no entrypoint. The Docker launcher
# even clears the entrypoint (lambdas/adapters/docker/containerSpec.ts).
#
# With them (a Fargate task, lambdas/adapters/ecs/createEcsLauncher.ts), as the task's user 1000:
#   1. fetches the job's in/ archive with the presigned GET and unpacks it into $CRONIUM_WORKSPACE
#      (in/ files plus .cronium/env, the job's environment with secret values);
#   2. runs its arguments (the interpreter and the script) in a subshell that sources the env
#      file and deletes it first, so neither the URLs nor the file are left for the script;
#      SIGTERM (StopTask) is passed on to the script;
#   3. when the script ends, packs out/ into a tar (cut at 8 MiB, as the Docker wrapper does) and
#      uploads it with the presigned PUT; the exit status is the script's.
# A failed fetch ends the task with status 125 before the script runs.
set -u

if [ -z "${CRONIUM_IN_URL:-}" ] && [ -z "${CRONIUM_OUT_URL:-}" ]; then
  exec "$@"
fi

ws=${CRONIUM_WORKSPACE:-/workspace}
in_url=${CRONIUM_IN_URL:-}
out_url=${CRONIUM_OUT_URL:-}
unset CRONIUM_IN_URL CRONIUM_OUT_URL
tmp=${TMPDIR:-/tmp}
in_tar="$tmp/.cronium-in.$$.tar"
out_tar="$tmp/.cronium-out.$$.tar"
# Most bytes of the out/ tar uploaded: matches OutObjectCapBytes in lambdas/adapters/s3.
out_cap_bytes=8388608
# Most bytes of the in/ archive fetched: scripts and inputs are far smaller.
in_cap_bytes=67108864

say() { printf 'cronium: %s\n' "$*" >&2; }

if [ -n "$in_url" ]; then
  if ! curl -fsS --retry 3 --retry-connrefused --connect-timeout 10 --max-time 300 \
      --max-filesize "$in_cap_bytes" -o "$in_tar" "$in_url"; then
    say "fetching the job workspace failed"
    rm -f "$in_tar"
    exit 125
  fi
  mkdir -p "$ws" || exit 125
  if ! tar -xf "$in_tar" -C "$ws" --no-same-owner; then
    say "unpacking the job workspace failed"
    rm -f "$in_tar"
    exit 125
  fi
  rm -f "$in_tar"
  # The contract's in/ is read only to the script (it is the task's own user here, so this
  # guards against mistakes, not against the script: nothing reads in/ back).
  [ -d "$ws/in" ] && chmod -R a-w "$ws/in"
fi
mkdir -p "$ws/out"

(
  if [ -f "$ws/.cronium/env" ]; then . "$ws/.cronium/env"; fi
  rm -rf "$ws/.cronium"
  exec "$@"
) &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
# wait returns early for a trapped signal; the child still running means it was that.
while :; do
  wait "$pid"
  rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
trap - TERM INT

if [ -n "$out_url" ]; then
  rm -f "$out_tar"
  if [ -d "$ws/out" ]; then
    (ulimit -f $((out_cap_bytes / 512)); exec tar -C "$ws/out" -cf "$out_tar" .) 2>/dev/null
  fi
  [ -f "$out_tar" ] || tar -cf "$out_tar" -T /dev/null
  if ! curl -fsS --retry 3 --retry-connrefused --connect-timeout 10 --max-time 120 \
      -T "$out_tar" "$out_url" >/dev/null; then
    say "uploading out/ failed: the job's output, condition and variables are lost"
  fi
  rm -f "$out_tar"
fi
exit "$rc"
