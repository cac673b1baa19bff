#!/bin/sh
# The steps every runtime image ends with, run once as root after the interpreter and the helpers
# are in place (so the files they bring are covered too):
#   - the job user uid/gid 1000 (an existing uid 1000 in the base is reused as is);
#   - /workspace for the job's files (the launcher mounts an anonymous volume there and uploads
#     in/ before start);
#   - no setuid/setgid bits anywhere, no apt lists or logs; the build fails if a bit survived.
set -eu
getent group 1000 >/dev/null || groupadd --gid 1000 cronium
getent passwd 1000 >/dev/null || useradd --uid 1000 --gid 1000 --no-create-home \
  --home-dir /tmp --shell /usr/sbin/nologin cronium
mkdir -p /workspace
chown 1000:1000 /workspace
chmod 0755 /workspace
chmod 1777 /tmp
find / -xdev -perm /6000 \( -type f -o -type d \) -exec chmod a-s {} +
rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin \
  /var/log/apt/* /var/log/dpkg.log /tmp/* /var/tmp/*
test -z "$(find / -xdev -perm /6000 -print -quit)"
rm -f "$0"
