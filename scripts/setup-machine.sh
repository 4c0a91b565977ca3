#!/usr/bin/env bash
# Prepares a Debian machine (as root) for the test suite: the system packages, the cgroup hierarchies the
# tests read, a running Docker engine and the busybox test image. Safe to run again. `setup-machine.sh
# packages` installs the packages only, `setup-machine.sh kernel` mounts the hierarchies only.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  docker.io busybox-static iproute2 g++-aarch64-linux-gnu qemu-user-static qemu-system-x86
  kmod cpio util-linux e2fsprogs procps
  # the cgroup v2 tier also runs podman and boots the host's systemd in its VM
  podman systemd
  # other runtimes read for real: containerd's ctr comes with docker.io; LXC
  lxc
  # the agent's tests: a real Prometheus (and promtool) scraping it, wrk for the load test and benchmark,
  # Chromium (driven by playwright-core, never downloaded) with a font for the dashboard, python3 for a
  # stream client with a small socket buffer
  prometheus wrk chromium fonts-dejavu-core python3
  # the benchmark's peer (netdata's cgroups collector, bench/netdata.mjs) and its count of the files each reads
  netdata strace
  # the native build itself (part of the base image here, listed so a leaner one still works)
  cmake g++ make
  # npm run fuzz (libFuzzer harnesses of fuzz/), npm run test:asan (gcc's sanitizer runtimes), npm run lint:cpp
  clang-14 libclang-rt-14-dev libasan8 libubsan1 clang-format-14
)

install_packages() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  # Always refreshed: the cgroup v2 tier downloads a kernel package with apt-get download.
  apt-get update -qq || return
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return
  else
    echo "all ${#PACKAGES[@]} packages already installed"
  fi
  # The benchmark runs netdata itself, in the foreground with a configuration of its own; the packaged
  # service would collect (and use CPU) all the time, so it stays off.
  if [ -d /run/systemd/system ]; then
    systemctl disable --now netdata >/dev/null 2>&1 || true
  else
    service netdata stop >/dev/null 2>&1 || true
  fi
}

# The live hugetlb test reads a cgroup v1 hugetlb hierarchy. On a v1 or hybrid host that has none mounted,
# the kernel keeps the controller in the unified tree, unused: mount it as a v1 hierarchy of its own (as
# distributions that mount every controller do). Containers started afterwards get a directory there.
mount_hugetlb() {
  local dir=/sys/fs/cgroup/hugetlb
  if compgen -G "$dir/hugetlb.*.usage_in_bytes" >/dev/null; then echo "hugetlb hierarchy: mounted"; return 0; fi
  if [ ! -d /sys/fs/cgroup/memory ]; then echo "hugetlb hierarchy: none needed (no cgroup v1 here)"; return 0; fi
  mkdir -p "$dir" && mount -t cgroup -o hugetlb cgroup "$dir" && echo "hugetlb hierarchy: mounted at $dir"
}

case "${1:-all}" in
  packages) install_packages ;;
  kernel) mount_hugetlb ;;
  all) install_packages && mount_hugetlb && bash scripts/start-dockerd.sh && bash scripts/docker-test-image.sh ;;
  *) echo "usage: $0 [all|packages|kernel]" >&2; exit 64 ;;
esac
