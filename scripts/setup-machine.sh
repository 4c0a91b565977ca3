#!/usr/bin/env bash
# Prepares a Debian machine (as root) for the test suite: the system packages, a running Docker engine
# and the busybox test image. Safe to run again. `setup-machine.sh packages` installs the packages only.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  docker.io busybox-static iproute2 g++-aarch64-linux-gnu qemu-user-static qemu-system-x86
  kmod cpio util-linux e2fsprogs procps
  # the cgroup v2 tier also runs podman and boots the host's systemd in its VM
  podman systemd
  # the native build itself (part of the base image here, listed so a leaner one still works)
  cmake g++ make
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
}

case "${1:-all}" in
  packages) install_packages ;;
  all) install_packages && bash scripts/start-dockerd.sh && bash scripts/docker-test-image.sh ;;
  *) echo "usage: $0 [all|packages]" >&2; exit 64 ;;
esac
