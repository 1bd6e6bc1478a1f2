#!/bin/busybox sh
# sea-harness guest /init (PID 1 of the L1): mounts, static network, hugepages, dropbear; never exits.
# The host's console watcher waits for the two "sea-harness: ..." marker lines below: keep them exact.
# Runs under busybox ash; nothing here may depend on a file other than those in images/initramfs.json.

printf '%s\n' 'sea-harness: userspace started'

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
umask 022

# Applet symlinks (ls, mount, ip, ...) in /bin, /sbin, /usr/bin, /usr/sbin: busybox-static ships none, and
# they cannot be listed at image build without running the arm64 binary on the host.
/bin/busybox --install -s

warn() {
	printf 'sea-harness: warning: %s\n' "$*"
}

# mount_fs TYPE DIR [OPTIONS]: a missing kernel option shows up on the console instead of stopping the boot.
mount_fs() {
	mkdir -p "$2"
	if [ -n "$3" ]; then
		mount -t "$1" -o "$3" "$1" "$2" || warn "cannot mount $1 on $2 (kernel option missing?)"
	else
		mount -t "$1" "$1" "$2" || warn "cannot mount $1 on $2 (kernel option missing?)"
	fi
}

mount_fs proc /proc
mount_fs sysfs /sys
# The initramfs /dev holds only console and null (the kernel needs /dev/console before /init runs);
# devtmpfs replaces it with every device node, /dev/kvm included.
mount_fs devtmpfs /dev mode=0755
# An interactive SSH shell needs a PTY: dropbear opens /dev/ptmx, which needs devpts at /dev/pts.
mount_fs devpts /dev/pts gid=5,mode=0620,ptmxmode=0666
mount_fs tmpfs /dev/shm mode=1777
mount_fs tmpfs /tmp mode=1777
mount_fs tmpfs /run mode=0755
mount_fs debugfs /sys/kernel/debug
mount_fs hugetlbfs /dev/hugepages

hostname sea-l1

# sea.hugepages=N on the kernel command line reserves N default-size hugepages at runtime (the profiles
# usually reserve at boot instead with hugepagesz=1G hugepages=1, which cannot fail from fragmentation).
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	sea.hugepages=*)
		want="${arg#sea.hugepages=}"
		echo "$want" >/proc/sys/vm/nr_hugepages || warn "cannot reserve $want hugepages"
		printf 'sea-harness: hugepages: asked for %s, reserved %s\n' "$want" "$(cat /proc/sys/vm/nr_hugepages)"
		;;
	esac
done

# QEMU user networking (slirp) has fixed addresses: guest 10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3.
# Static configuration: no DHCP client to wait for.
ip link set lo up
# virtio-net normally probes before /init runs; wait up to 10 s in case PCI probing is still going on.
tries=0
while [ ! -e /sys/class/net/eth0 ] && [ "$tries" -lt 200 ]; do
	usleep 50000
	tries=$((tries + 1))
done
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	ip route add default via 10.0.2.2
else
	warn "no eth0: the guest has no network (is CONFIG_VIRTIO_NET set and a virtio-net device attached?)"
fi

# port22_listening: dropbear listens before it daemonizes, so this is a check, not a wait; /proc/net/tcp
# lists local addresses as hex "ADDR:PORT" with state 0A for LISTEN (22 = 0x0016).
port22_listening() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$2 ~ /:0016$/ && $4 == "0A" { found = 1 } END { exit !found }'
}

# -s: keys only (no passwords); -E: log to stderr, which is the console; -r: the host key made on the host
# at image build and pinned by the harness; -W: a larger receive window makes uploads faster under TCG.
# Without -F dropbear binds port 22, then daemonizes: when this command returns, the port is open.
/usr/sbin/dropbear -s -E -r /etc/dropbear/dropbear_ed25519_host_key -p 22 -P /run/dropbear.pid -W 1048576
status=$?
if [ "$status" -eq 0 ] && port22_listening; then
	printf '%s\n' 'sea-harness: sshd ready'
else
	printf 'sea-harness: sshd failed (dropbear exit status %s)\n' "$status"
fi

# PID 1 must never exit (the kernel panics if it does). busybox poweroff/halt/reboot without -f signal
# PID 1 (USR2/USR1/TERM) and expect init to act: do that here.
trap 'sync; poweroff -f' USR2
trap 'sync; halt -f' USR1
trap 'sync; reboot -f' TERM
# The shell reaps every child while it waits, including orphans reparented to PID 1 (dropbear's daemon).
while :; do
	sleep 86400 &
	wait $!
done
