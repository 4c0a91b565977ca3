#!/usr/bin/env bash
# Runs a shell command inside a disposable QEMU VM whose kernel has a pure cgroup v2 hierarchy
# (cgroup_no_v1=all, every controller enabled), optionally with dockerd and podman inside it.
# ctrstat's live cgroup v2 tests run there (see run-tests.sh).
#
# The VM boots Debian's stock kernel (the package linux-image-amd64 points at, downloaded with
# `apt-get download` and unpacked into the cache, never installed) with a small busybox
# initramfs. The guest's root is the host's own root filesystem, shared read-only over 9p with a
# tmpfs overlay on top, so the guest runs the host's node, dockerd, runc and podman; the work
# tree is mounted read-write at the same absolute path, so node_modules/ and build/ are used as
# they are. Software emulation (TCG) is used: it needs no /dev/kvm.
#
# usage: run-v2-vm.sh [options] [--] 'shell command'
#   --docker          start dockerd in the guest (cgroupfs driver; with --systemd: docker.service,
#                     systemd driver)
#   --podman          prepare podman in the guest (vfs storage under /var/lib/containers/storage,
#                     cgroupfs manager, or systemd with --systemd; default network "none")
#   --systemd         boot the host's systemd as PID 1 (the command runs in a transient scope)
#   --mem MB          guest memory (default 2048)      --smp N        vCPUs (default 2)
#   --timeout S       wall-clock limit (default 900)   --workdir DIR  the tree to mount (default $PWD)
#   --mount DIR       also mount DIR read-write at the same path (e.g. for report files)
#   --env NAME=VALUE  set a variable for the command (repeatable)
#   --check           only check that the needed packages are installed
# Passed to the command from the caller's environment: CI, CTRSTAT_*, NODE_OPTIONS, VITEST_*.
# Set in the guest: CTRSTAT_VM=1, CTRSTAT_VM_SCRATCH_DEV (a raw 256 MiB disk, free for I/O tests),
# CTRSTAT_VM_SWAP_DEV (512 MiB swap, active), CTRSTAT_VM_DOCKER, CTRSTAT_VM_PODMAN, CTRSTAT_VM_SYSTEMD.
# The command runs from the work dir, in the cgroup /ctrstat-vm-cmd.scope
# (/system.slice/ctrstat-vm-cmd.scope with --systemd).
#
# Environment: CTRSTAT_VM_CACHE (kernel + initramfs cache, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/ctrstat-cgroup2-vm), CTRSTAT_VM_CONSOLE_LOG (copy of the
# console output), CTRSTAT_VM_DOCKERD_OPTS (default: no bridge, no iptables).
#
# Exit status: the command's, or 124 (timeout), 125 (the VM failed or never reported a status),
# 69 (a needed package is missing), 2 (usage).
#
# Packages (Debian 12): qemu-system-x86 kmod cpio busybox-static (+ docker.io, podman);
# mkswap and mkfs.ext4 come from util-linux and e2fsprogs. The first run downloads the kernel
# package (about 70 MB; needs `apt-get update` to have run) and keeps about 180 MB in the cache.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
docker=0 podman=0 systemd=0 mem=2048 smp=2 timeout_s=900 workdir=$PWD extra_dir='' check_only=0
extra_env=()
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --docker) docker=1 ;;
    --podman) podman=1 ;;
    --systemd) systemd=1 ;;
    --mem) mem=$2; shift ;;
    --smp) smp=$2; shift ;;
    --timeout) timeout_s=$2; shift ;;
    --workdir) workdir=$(cd "$2" && pwd); shift ;;
    --mount) extra_dir=$(cd "$2" && pwd); shift ;;
    --env) extra_env+=("$2"); shift ;;
    --check) check_only=1 ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "run-v2-vm: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
  shift
done
command_line=${*:-'cat /sys/fs/cgroup/cgroup.controllers'}
cache=${CTRSTAT_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ctrstat-cgroup2-vm}
log() { echo "[run-v2-vm $(date +%T)] $*" >&2; }
started=$(date +%s.%N)
elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------- needed packages ----------
missing=()
need() { # need <command> <package>
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] || missing+=("$2 (no $1)")
}
need qemu-system-x86_64 qemu-system-x86
need modprobe kmod
need depmod kmod
need cpio cpio
need gzip gzip
need mkswap util-linux
need mkfs.ext4 e2fsprogs
need dpkg-deb dpkg
if ! bb=$(command -v busybox); then
  missing+=("busybox-static (no busybox)")
elif ldd "$bb" >/dev/null 2>&1; then
  missing+=("busybox-static ($bb is dynamically linked)")
fi
if [ $docker = 1 ]; then need dockerd docker.io; need docker docker.io; fi
[ $podman = 1 ] && need podman podman
[ $systemd = 1 ] && { [ -x /lib/systemd/systemd ] || missing+=("systemd (no /lib/systemd/systemd)"); }
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-v2-vm: missing packages:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "install them with: apt-get install -y --no-install-recommends $(printf '%s\n' "${missing[@]}" | cut -d' ' -f1 | sort -u | tr '\n' ' ')" >&2
  exit 69
fi
[ $check_only = 1 ] && exit 0
export PATH=$PATH:/usr/sbin:/sbin
mkdir -p "$cache"

# ---------- kernel (cached) ----------
if [ ! -s "$cache/kernel/version" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
  if [ -z "$pkg" ]; then
    echo "run-v2-vm: cannot find the kernel package linux-image-amd64 points at; run apt-get update" >&2
    exit 69
  fi
  log "fetching $pkg"
  rm -rf "$cache/kernel"
  mkdir -p "$cache/kernel/deb"
  (cd "$cache/kernel/deb" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "run-v2-vm: apt-get download $pkg failed" >&2; exit 69; }
  dpkg-deb -x "$cache"/kernel/deb/*.deb "$cache/kernel/root"
  rm -rf "$cache/kernel/deb"
  kver=$(ls "$cache/kernel/root/lib/modules")
  # Only filesystems, networking and virtio drivers are ever loaded: drop the rest (~200 MB).
  (cd "$cache/kernel/root/lib/modules/$kver/kernel" && find . -name '*.ko' \
    | grep -v -E '^\./(fs|net|lib|crypto|arch|block)/|^\./drivers/(virtio|block|net)/' | xargs -r rm -f)
  depmod -b "$cache/kernel/root" "$kver"
  echo "$kver" > "$cache/kernel/version"
fi
kver=$(cat "$cache/kernel/version")
kroot=$cache/kernel/root

# ---------- initramfs (cached per kernel + init script) ----------
initrd_key=$(cat "$here/initramfs-init.sh" "$cache/kernel/version" | sha256sum | cut -c1-16)
initrd=$cache/initrd-$initrd_key.cpio.gz
if [ ! -s "$initrd" ]; then
  log "building the initramfs"
  w=$(mktemp -d "$cache/initrd.XXXXXX")
  mkdir -p "$w"/{bin,dev,proc,sys,modules}
  cp "$bb" "$w/bin/busybox"
  cp "$here/initramfs-init.sh" "$w/init"
  chmod 755 "$w/init"
  for m in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -d "$kroot" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
  done | awk '!seen[$0]++' | while read -r ko; do
    cp "$ko" "$w/modules/"
    basename "$ko"
  done > "$w/modules/load-order"
  (cd "$w" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$w"
  find "$cache" -maxdepth 1 -name 'initrd-*.cpio.gz' ! -path "$initrd" -delete
fi

# ---------- per-run state and disks ----------
state=$(mktemp -d "$cache/run.XXXXXX")
trap 'rm -rf "$state"' EXIT
truncate -s 512M "$state/swap.img"
chmod 600 "$state/swap.img"
mkswap "$state/swap.img" >/dev/null 2>&1
truncate -s 256M "$state/scratch.img"
drives=(-drive "file=$state/swap.img,format=raw,if=virtio,cache=unsafe"
        -drive "file=$state/scratch.img,format=raw,if=virtio,cache=unsafe")
if [ $docker = 1 ] || [ $podman = 1 ]; then
  truncate -s 8G "$state/containers.img"
  mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$state/containers.img"
  drives+=(-drive "file=$state/containers.img,format=raw,if=virtio,cache=unsafe")
fi
cp "$bb" "$state/busybox"
cp "$here/guest-run.sh" "$state/guest-run.sh"
echo "$workdir" > "$state/repo.path"
virtfs_extra=()
if [ -n "$extra_dir" ]; then
  echo "$extra_dir" > "$state/extra.path"
  virtfs_extra=(-virtfs "local,path=$extra_dir,mount_tag=extra,security_model=none,multidevs=remap")
fi
{
  echo "DOCKER=$docker PODMAN=$podman SYSTEMD=$systemd"
  printf 'DOCKERD_OPTS=%q\n' "${CTRSTAT_VM_DOCKERD_OPTS:---iptables=false --ip6tables=false --bridge=none}"
} > "$state/config.sh"
{
  printf 'export CTRSTAT_VM=1 CTRSTAT_VM_SCRATCH_DEV=/dev/vdb CTRSTAT_VM_SWAP_DEV=/dev/vda\n'
  printf 'export CTRSTAT_VM_DOCKER=%s CTRSTAT_VM_PODMAN=%s CTRSTAT_VM_SYSTEMD=%s\n' $docker $podman $systemd
  for v in $(compgen -e | grep -E '^(CI|CTRSTAT_[A-Z0-9_]*|NODE_OPTIONS|VITEST_[A-Z0-9_]*)$' | grep -v -E '^CTRSTAT_VM_' || true); do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
  for kv in "${extra_env[@]+"${extra_env[@]}"}"; do
    printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
  done
} > "$state/env.sh"
printf 'cd %q || exit 125\n%s\n' "$workdir" "$command_line" > "$state/cmd.sh"

append="console=ttyS0 quiet loglevel=3 panic=-1 cgroup_no_v1=all psi=1 apparmor=0"
if [ $systemd = 1 ]; then
  cp "$here/systemd-units.sh" "$state/pre-switch.sh"
  append+=" ctrstat_init=/lib/systemd/systemd systemd.unit=ctrstat-vm.target systemd.unified_cgroup_hierarchy=1"
  append+=" systemd.show_status=0 systemd.log_level=warning"
else
  append+=" ctrstat_init=/ctrstat-vm/guest-run.sh"
fi
chmod +x "$state/guest-run.sh"

# ---------- boot ----------
log "booting (kernel $kver, TCG, ${mem} MiB, $smp vCPUs, docker=$docker podman=$podman systemd=$systemd)"
set +e
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 \
  -accel tcg,thread=multi -cpu max -m "$mem" -smp "$smp" \
  -nographic -no-reboot -nic none \
  -kernel "$kroot/boot/vmlinuz-$kver" -initrd "$initrd" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$kroot/lib/modules,mount_tag=kmods,security_model=none,readonly=on" \
  -virtfs "local,path=$state,mount_tag=vmstate,security_model=none" \
  -virtfs "local,path=$workdir,mount_tag=repo,security_model=none,multidevs=remap" \
  "${virtfs_extra[@]+"${virtfs_extra[@]}"}" \
  "${drives[@]}" \
  -append "$append" \
  < /dev/null | tr -d '\r' | sed -u 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | tee "${CTRSTAT_VM_CONSOLE_LOG:-/dev/null}"
qemu_rc=${PIPESTATUS[0]}
set -e
log "VM done after $(elapsed)s (qemu status $qemu_rc)"
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
  echo "run-v2-vm: timed out after ${timeout_s}s" >&2
  exit 124
fi
if [ ! -s "$state/rc" ]; then
  echo "run-v2-vm: the guest did not report an exit status" >&2
  [ -s "$state/dockerd.log" ] && tail -20 "$state/dockerd.log" >&2
  exit 125
fi
exit "$(cat "$state/rc")"
