#!/bin/busybox sh
# /init of the cgroup v2 test VM's initramfs (busybox-static + a few kernel modules).
#
# Builds the guest's root from the host's own root filesystem, shared read-only over
# virtio-9p, with a tmpfs upper layer (overlayfs) so the guest can write anywhere without
# touching the host, then switch_roots into it and execs the program named by the kernel
# parameter ctrstat_init= (the guest runner, or systemd).
#
# 9p tags exported by run-v2-vm.sh:
#   hostroot  /             read-only lower layer of the guest's root
#   kmods     kernel modules of the VM kernel, mounted at /lib/modules
#   vmstate   per-run state dir (config, command, exit status), mounted at /ctrstat-vm
#   repo      the work tree, mounted read-write at the same absolute path as on the host
#   extra     optional extra read-write dir, also at its host path
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r mod; do
  insmod "/modules/$mod" || echo "initramfs: insmod $mod failed"
done < /modules/load-order

next=/bin/sh
for arg in $(cat /proc/cmdline); do
  case $arg in ctrstat_init=*) next=${arg#ctrstat_init=};; esac
done

fail() { echo "initramfs: $*"; exec sh; }
p9=trans=virtio,version=9p2000.L
mkdir -p /lower /rw /root
mount -t 9p -o "$p9,ro,cache=loose,msize=512000" hostroot /lower || fail "cannot mount the host root"
mount -t tmpfs -o size=75% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /root || fail "overlay mount failed"

mkdir -p /root/lib/modules /root/ctrstat-vm
mount -t 9p -o "$p9,ro,cache=loose" kmods /root/lib/modules || echo "initramfs: module tree not mounted"
mount -t 9p -o "$p9,rw,msize=512000" vmstate /root/ctrstat-vm || fail "cannot mount the run state"

for tag in repo extra; do
  [ -s "/root/ctrstat-vm/$tag.path" ] || continue
  dir=$(cat "/root/ctrstat-vm/$tag.path")
  mkdir -p "/root$dir"
  mount -t 9p -o "$p9,rw,msize=512000" "$tag" "/root$dir" || echo "initramfs: cannot mount $dir"
done

# The host root may be a container image: systemd would then think it runs in a container.
# Removing the marker only writes an overlay whiteout; the host file stays.
rm -f /root/.dockerenv

[ -f /root/ctrstat-vm/pre-switch.sh ] && GUEST_ROOT=/root sh /root/ctrstat-vm/pre-switch.sh

umount /proc /sys
mount --move /dev /root/dev
exec switch_root /root "$next"
