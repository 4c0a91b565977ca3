# Sourced by the initramfs (busybox sh) before switch_root in a --systemd boot. Writes, into the
# guest's tmpfs overlay only, a target that starts nothing but basic.target and the guest runner,
# and masks host units that are slow over 9p under emulation or would wait for a login.
# GUEST_ROOT is the new root.
units=$GUEST_ROOT/etc/systemd/system
mkdir -p "$units"
cat > "$units/ctrstat-vm.target" <<'EOF'
[Unit]
Description=ctrstat cgroup v2 test run
Requires=basic.target ctrstat-vm-run.service
After=basic.target ctrstat-vm-run.service
AllowIsolate=yes
EOF
cat > "$units/ctrstat-vm-run.service" <<'EOF'
[Unit]
Description=ctrstat cgroup v2 test command
After=basic.target
[Service]
Type=oneshot
ExecStart=/bin/sh /ctrstat-vm/guest-run.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TimeoutStartSec=infinity
EOF
# systemd-tmpfiles --boot --remove would walk (and clean) /tmp over 9p: minutes under TCG, and the
# work tree may live there. The gettys would sit on the console.
for unit in systemd-tmpfiles-setup.service systemd-tmpfiles-clean.service systemd-tmpfiles-clean.timer \
    systemd-journal-flush.service systemd-timesyncd.service e2scrub_reap.service apparmor.service \
    postgresql.service getty@tty1.service serial-getty@ttyS0.service console-getty.service \
    apt-daily.timer apt-daily-upgrade.timer man-db.timer; do
  ln -sf /dev/null "$units/$unit"
done
