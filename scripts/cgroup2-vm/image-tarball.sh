#!/usr/bin/env bash
# usage: image-tarball.sh OUTDIR
# Produces OUTDIR/bb-local.tar (the root filesystem of the busybox test image bb:local) and
# OUTDIR/bb-local.changes (its Dockerfile instructions, one a line) by running
# scripts/docker-test-image.sh on the host with a stand-in `docker` that keeps the tarball instead
# of importing it. Inside the VM the same script takes about 40 s (hundreds of `ln` forks under
# emulation); here it takes well under a second, and the guest only runs `docker import` /
# `podman import` on the result.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
cat > "$shim/docker" <<'SHIM'
#!/usr/bin/env bash
set -euo pipefail
case "$1 ${2:-}" in
  "image inspect"*) exit 1 ;;  # "not there yet": always build
  "import "*)
    shift; : > "$IMAGE_OUT/bb-local.changes"
    while [ $# -gt 2 ]; do
      case $1 in -c|--change) printf '%s\n' "$2" >> "$IMAGE_OUT/bb-local.changes"; shift 2 ;; *) shift ;; esac
    done
    cp "$1" "$IMAGE_OUT/bb-local.tar" ;;
  *) echo "image-tarball.sh: unexpected docker call: $*" >&2; exit 1 ;;
esac
SHIM
chmod +x "$shim/docker"
IMAGE_OUT=$out PATH=$shim:$PATH bash "$repo/scripts/docker-test-image.sh" bb:local
[ -s "$out/bb-local.tar" ] || { echo "image-tarball.sh: no tarball produced" >&2; exit 1; }
