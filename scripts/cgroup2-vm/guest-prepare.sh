#!/usr/bin/env bash
# usage: guest-prepare.sh IMAGEDIR
# Runs inside the cgroup v2 VM before the tests: imports the busybox test image bb:local from
# IMAGEDIR/bb-local.tar (made on the host by image-tarball.sh from scripts/docker-test-image.sh)
# into Docker, and into Podman (as localhost/bb:local) when the VM has it.
set -euo pipefail
dir=$1
changes=()
while IFS= read -r line; do [ -n "$line" ] && changes+=(-c "$line"); done < "$dir/bb-local.changes"
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
if [ "${CTRSTAT_VM_DOCKER:-0}" = 1 ]; then
  docker import "${changes[@]}" "$dir/bb-local.tar" bb:local >/dev/null
  echo "[prepare] docker image bb:local imported in $(ms) ms"
fi
if [ "${CTRSTAT_VM_PODMAN:-0}" = 1 ]; then
  t0=$(date +%s%N)
  podman import --quiet "${changes[@]}" "$dir/bb-local.tar" localhost/bb:local >/dev/null
  echo "[prepare] podman image localhost/bb:local imported in $(ms) ms"
fi
