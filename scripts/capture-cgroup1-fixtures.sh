#!/usr/bin/env bash
# Captures real cgroup v1 files of live Docker containers (cgroupfs driver, v1 or hybrid host) into
# test/fixtures/cgroup1/<scenario>/, with Docker's own one-shot stats as the oracle:
#   before/<controller>/<file>   the container's cgroup files
#   _docker_api_stats.json       GET /containers/<id>/stats?stream=false&one-shot=true, read next
#   after/<controller>/<file>    the same files again
# plus before/after proc/{stat,meminfo}. A counter Docker reports lies between its before and after value.
# Needs root, dockerd and the bb:local image (scripts/docker-test-image.sh). Containers are named ctc-fx-*.
set -euo pipefail

out="${1:-$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/cgroup1}"
cg=/sys/fs/cgroup
image=bb:local
scenarios=(idle mem cache cpu pids blkio)

cleanup() {
  for s in "${scenarios[@]}"; do docker rm -f "ctc-fx-$s" >/dev/null 2>&1 || true; done
  docker volume rm -f ctc-fx-vol >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

[ -d "$cg/memory/docker" ] || { echo "no cgroup v1 docker hierarchy under $cg (cgroupfs driver on v1 needed)" >&2; exit 1; }
bash "$(dirname "$0")/docker-test-image.sh" "$image"

docker run -d --name ctc-fx-idle "$image" sleep 3600 >/dev/null
# Anonymous-ish memory that stays charged: 40 MiB in /dev/shm (tmpfs, counted as cache/shmem).
docker run -d --name ctc-fx-mem --memory 64m --memory-swap 128m "$image" \
  sh -c 'dd if=/dev/zero of=/dev/shm/x bs=1M count=40; sleep 3600' >/dev/null
# Page cache of a written file: inactive_file > 0, which the working set leaves out.
docker run -d --name ctc-fx-cache "$image" sh -c 'dd if=/dev/zero of=/cached bs=1M count=24; sleep 3600' >/dev/null
docker run -d --name ctc-fx-cpu --cpus 0.5 "$image" sh -c 'while :; do :; done' >/dev/null
docker run -d --name ctc-fx-pids --pids-limit 50 "$image" \
  sh -c 'for i in 1 2 3 4 5; do sleep 3600 & done; wait' >/dev/null
# v1 blkio counters only move for a device with a throttle rule; O_DIRECT so the bytes reach the disk.
docker volume create ctc-fx-vol >/dev/null
docker run -d --name ctc-fx-blkio --device-write-bps /dev/vda:500mb -v ctc-fx-vol:/data "$image" \
  sh -c 'dd if=/dev/zero of=/data/f bs=1M count=20 oflag=direct; sleep 3600' >/dev/null

wait_for_log() { # name, text
  for _ in $(seq 1 100); do docker logs "$1" 2>&1 | grep -q "$2" && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; return 1
}
wait_for_log ctc-fx-mem 'records out'
wait_for_log ctc-fx-cache 'records out'
wait_for_log ctc-fx-blkio 'records out'
sleep 3 # let the cpu burner accumulate throttled periods

copy_files() { # id, destination
  local id=$1 dst=$2 ctrl src f
  for ctrl in memory cpu cpuacct blkio pids cpuset unified; do
    src="$cg/$ctrl/docker/$id"
    [ -d "$src" ] || continue
    mkdir -p "$dst/$ctrl"
    for f in "$src"/*; do
      [ -f "$f" ] && [ -r "$f" ] || continue
      case ${f##*/} in tasks|notify_on_release|release_agent|cgroup.clone_children|cgroup.procs|cgroup.threads) continue ;; esac
      # Write-only or trigger files (cgroup.event_control, memory.force_empty) fail to read: skip them.
      cat "$f" > "$dst/$ctrl/${f##*/}" 2>/dev/null || rm -f "$dst/$ctrl/${f##*/}"
    done
  done
  mkdir -p "$dst/proc"
  cat /proc/stat > "$dst/proc/stat"
  cat /proc/meminfo > "$dst/proc/meminfo"
}

for s in "${scenarios[@]}"; do
  id=$(docker inspect -f '{{.Id}}' "ctc-fx-$s")
  dir="$out/$s"
  rm -rf "$dir"
  mkdir -p "$dir"
  docker inspect "ctc-fx-$s" > "$dir/_docker_inspect.json"
  copy_files "$id" "$dir/before"
  curl -sf --unix-socket /var/run/docker.sock \
    "http://localhost/containers/$id/stats?stream=false&one-shot=true" > "$dir/_docker_api_stats.json"
  copy_files "$id" "$dir/after"
  echo "captured $s ($id)"
done
