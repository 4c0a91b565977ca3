#!/bin/sh
# Runs inside the cgroup v2 VM: PID 1 in the plain boot, or the oneshot ctrstat-vm-run.service
# in the --systemd boot. Sets up the pure cgroup v2 hierarchy, swap, the scratch disk, dockerd
# and podman storage as asked, runs the command in its own cgroup, stores its exit status in
# /ctrstat-vm/rc and powers the VM off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
STATE=/ctrstat-vm
. $STATE/config.sh

log() { echo "[vm $(cut -d' ' -f1 /proc/uptime)s] $*"; }
finish() {
  echo "$1" > $STATE/rc
  sync
  if [ "$SYSTEMD" = 1 ]; then systemctl poweroff --force --force; else $STATE/busybox poweroff -f; fi
  sleep 60
}

if [ "$SYSTEMD" = 0 ]; then
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  # A fresh /run: the host's sockets and pid files must not show through the overlay.
  # /tmp stays on the overlay (the repo may live below /tmp on the host).
  mount -t tmpfs -o mode=755 tmpfs /run
  mkdir -p /dev/pts /dev/shm
  mount -t devpts devpts /dev/pts
  mount -t tmpfs -o mode=1777 tmpfs /dev/shm
  mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
  # processes may not sit in a cgroup that delegates controllers: move PID 1 into a leaf first
  mkdir -p /sys/fs/cgroup/init.scope
  echo $$ > /sys/fs/cgroup/init.scope/cgroup.procs
  ip link set lo up 2>/dev/null || $STATE/busybox ip link set lo up
  hostname ctrstat-vm
fi

for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || log "cannot enable controller $c"
done
log "cgroup2: $(stat -f -c %T /sys/fs/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"

modprobe virtio_blk; modprobe ext4
i=0; while [ ! -b /dev/vdb ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
swapon /dev/vda || log "swapon failed"

if [ "$DOCKER" = 1 ] || [ "$PODMAN" = 1 ]; then
  mkdir -p /srv/ctrstat-vm && mount /dev/vdc /srv/ctrstat-vm || { log "cannot mount the container disk"; finish 125; }
fi
if [ "$PODMAN" = 1 ]; then
  mkdir -p /srv/ctrstat-vm/containers /var/lib/containers /etc/containers /run/containers/storage
  mount --bind /srv/ctrstat-vm/containers /var/lib/containers
  [ "$SYSTEMD" = 1 ] && pm_cgm=systemd || pm_cgm=cgroupfs
  cat > /etc/containers/storage.conf <<EOF
[storage]
driver = "vfs"
graphroot = "/var/lib/containers/storage"
runroot = "/run/containers/storage"
EOF
  cat > /etc/containers/containers.conf <<EOF
[containers]
netns = "none"
[engine]
cgroup_manager = "$pm_cgm"
events_logger = "file"
EOF
fi
if [ "$DOCKER" = 1 ]; then
  mkdir -p /srv/ctrstat-vm/docker /var/lib/docker
  mount --bind /srv/ctrstat-vm/docker /var/lib/docker
  if [ "$SYSTEMD" = 1 ]; then
    echo "DOCKER_OPTS=\"$DOCKERD_OPTS\"" > /etc/default/docker
    systemctl start docker.service || log "docker.service failed to start"
  else
    mkdir -p /sys/fs/cgroup/dockerd.scope
    sh -c 'echo $$ > /sys/fs/cgroup/dockerd.scope/cgroup.procs; exec dockerd '"$DOCKERD_OPTS"' --exec-opt native.cgroupdriver=cgroupfs' \
      > $STATE/dockerd.log 2>&1 &
  fi
  i=0; while ! docker version >/dev/null 2>&1 && [ $i -lt 300 ]; do sleep 0.5; i=$((i + 1)); done
  log "dockerd: $(docker info --format 'cgroup v{{.CgroupVersion}}, {{.CgroupDriver}} driver, {{.Driver}} storage' 2>&1)"
fi

. $STATE/env.sh
log "running the command"
# stdout is a pipe, not the console: tools print plain logs instead of terminal animations.
if [ "$SYSTEMD" = 1 ]; then
  { systemd-run --scope --unit=ctrstat-vm-cmd --quiet sh $STATE/cmd.sh < /dev/null 2>&1; echo $? > $STATE/cmd.rc; } | cat
else
  mkdir -p /sys/fs/cgroup/ctrstat-vm-cmd.scope
  { sh -c 'echo $$ > /sys/fs/cgroup/ctrstat-vm-cmd.scope/cgroup.procs; exec sh '$STATE'/cmd.sh' < /dev/null 2>&1; echo $? > $STATE/cmd.rc; } | cat
fi
rc=$(cat $STATE/cmd.rc 2>/dev/null || echo 125)
log "command exited with status $rc"
# The VM and its disks are thrown away: no container clean-up before the power-off.
finish $rc
