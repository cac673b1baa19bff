#!/usr/bin/env bash
# Build the Cronium runtime images: cronium/bash:latest, cronium/python:latest, cronium/node:latest.
#
# usage: scripts/build-images.sh [--base NAME] [--if-changed] [--no-cache] [bash|python|node ...]
#
#   --base NAME    build every image FROM NAME (passed as --build-arg BASE=NAME), e.g. the
#                  debootstrap base cronium-base:bookworm that scripts/setup.sh makes.
#                  Without it, env CRONIUM_IMAGE_BASE is used; without that too (or with the
#                  value "public") each Dockerfile's own default, an official public image.
#   --if-changed   skip an image that exists and was built from the same inputs: the same
#                  files under runtime-images/ (its own folder plus everything shared, such as
#                  helpers/; *.md excluded, as in .dockerignore), the same BASE name and the
#                  same local BASE image id. Both are recorded as labels on each image.
#   --no-cache     build without Docker's layer cache (fresh packages).
#   IMAGE...       build only these (default: all three).
#
# Build context is runtime-images/, so a Dockerfile can `COPY helpers/ ...`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CTX="$ROOT/runtime-images"
ALL_IMAGES=(bash python node)
LABEL_HASH="org.cronium.runtime-images.hash"
LABEL_BASE_ID="org.cronium.base-id"

log() { printf '[build-images %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

base="${CRONIUM_IMAGE_BASE:-}"
if_changed=""
no_cache=()
images=()
while [ $# -gt 0 ]; do
  case "$1" in
    --base) [ $# -ge 2 ] || die "--base needs an image name"; base="$2"; shift 2 ;;
    --base=*) base="${1#--base=}"; shift ;;
    --if-changed) if_changed=1; shift ;;
    --no-cache) no_cache=(--no-cache); shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    bash|python|node) images+=("$1"); shift ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[ "$base" = "public" ] && base=""
[ ${#images[@]} -gt 0 ] || images=("${ALL_IMAGES[@]}")

command -v docker >/dev/null 2>&1 || die "docker is not installed (run scripts/setup.sh)"
docker info >/dev/null 2>&1 || die "Docker does not answer (run scripts/start-dockerd.sh)"

# The BASE an image is built from: --base/env, else the Dockerfile's `ARG BASE=` default.
base_ref_for() {
  if [ -n "$base" ]; then
    printf '%s\n' "$base"
  else
    sed -n 's/^ARG[[:space:]]\{1,\}BASE=\([^[:space:]]*\).*/\1/p' "$CTX/$1/Dockerfile" | head -n 1
  fi
}

# Hash of everything that goes into image $1: its own folder, the shared files of the build
# context (not the other images' folders; not *.md), file modes, and the BASE name.
inputs_hash() {
  local img="$1" f
  {
    printf 'base=%s\n' "$(base_ref_for "$img")"
    (cd "$CTX" && find . -type f ! -name '*.md' -print | LC_ALL=C sort) | while IFS= read -r f; do
      case "$f" in
        ./bash/*|./python/*|./node/*) case "$f" in "./$img/"*) ;; *) continue ;; esac ;;
      esac
      printf '%s %s %s\n' "$(stat -c %a "$CTX/$f")" "$(sha256sum <"$CTX/$f" | cut -d' ' -f1)" "$f"
    done
  } | sha256sum | cut -d' ' -f1
}

label_of() { # image label
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

summary=()
for img in "${images[@]}"; do
  [ -f "$CTX/$img/Dockerfile" ] || die "no Dockerfile at $CTX/$img/Dockerfile"
  tag="cronium/$img:latest"
  base_ref="$(base_ref_for "$img")"
  [ -n "$base_ref" ] || die "$img: no BASE given and no 'ARG BASE=' default in its Dockerfile"
  # A base without Node takes this binary (Node 22 from .tools) rather than Debian's Node 18.
  if [ "$img" = node ]; then
    rm -f "$CTX/node/vendor/node"
    if [ -n "${CRONIUM_NODE_BINARY:-}" ]; then cp "$CRONIUM_NODE_BINARY" "$CTX/node/vendor/node"; fi
  fi
  want="$(inputs_hash "$img")"

  base_id="$(image_id "$base_ref")"
  if [ -n "$if_changed" ] && [ -n "$(image_id "$tag")" ] \
     && [ "$(label_of "$tag" "$LABEL_HASH")" = "$want" ] \
     && { [ -z "$base_id" ] || [ "$(label_of "$tag" "$LABEL_BASE_ID")" = "$base_id" ]; }; then
    log "$tag is up to date (base $base_ref)"
    summary+=("$tag: up to date")
    continue
  fi

  if [ -z "$base_id" ]; then
    # Pull first, so the base id recorded in the label is the one the build really used.
    log "base $base_ref is not present locally; pulling it"
    docker pull "$base_ref" >&2 || die "cannot get base image $base_ref (no registry access? build a local base, see runtime-images/README.md)"
    base_id="$(image_id "$base_ref")"
  fi

  build_args=()
  [ -n "$base" ] && build_args=(--build-arg "BASE=$base")
  log "building $tag from $base_ref"
  old_id="$(image_id "$tag")"
  start=$SECONDS
  docker build --network host \
    -f "$CTX/$img/Dockerfile" \
    -t "$tag" \
    --label "$LABEL_HASH=$want" \
    --label "$LABEL_BASE_ID=$base_id" \
    --label "org.cronium.base=$base_ref" \
    ${build_args[@]+"${build_args[@]}"} \
    ${no_cache[@]+"${no_cache[@]}"} \
    "$CTX" >&2 || die "building $tag failed"
  secs=$((SECONDS - start))
  # The replaced image goes unless a container still uses it (then it stays, untagged).
  if [ -n "$old_id" ] && [ "$old_id" != "$(image_id "$tag")" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
  size="$(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1000000}')"
  log "built $tag in ${secs}s ($size)"
  summary+=("$tag: built in ${secs}s, $size")
done

for line in "${summary[@]}"; do log "$line"; done
