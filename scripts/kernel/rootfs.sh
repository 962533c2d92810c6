#!/usr/bin/env bash
# A Debian 12 (bookworm) root file system for forklab's kernel under QEMU:
# Debian's own packages (mmdebstrap) in an ext4 image, cached outside the
# clone.
#
#   scripts/kernel/rootfs.sh [--link FILE] [--force] [--print-key]
#
#   --link FILE   make FILE a symlink to the image (make debian-rootfs:
#                 build/debian-rootfs.img)
#   --force       build again even if the cache has this image
#   --print-key   print the cache key and exit
#
# The image holds forklab's build and test dependencies (scripts/install-deps.sh
# --list-user), git, initramfs-tools (so that installing a linux-image package
# makes its initrd), and the applications forklab measures: redis-server,
# postgresql, python3.  Its /sbin/forklab-init mounts the results folder
# (virtio 9p, tag "forklab") and runs the script the host put there
# (scripts/kernel/vm-debian.sh writes it); the guest never starts systemd.
#
# Cached in $FORKLAB_CACHE/rootfs/<key>/ (root.img, packages, build.log,
# info); the key hashes the package list, the suite, the mirror and this
# script.  The two most recently used images are kept.
#
# Environment: FORKLAB_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# FORKLAB_DEBIAN_SECURITY (default http://deb.debian.org/debian-security).
# Exit status: 0 built or cached; 1 the build failed; 3 the Debian mirror
# cannot be reached (nothing to build from).  The last line says why.
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

SUITE=bookworm
MIRROR=${FORKLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${FORKLAB_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
# Beyond forklab's own dependencies: what the guest's boot, the rehearsal of
# make kernel-deb and the applications need.
EXTRA_PKGS=(
	git ca-certificates                 # forklab is cloned in the guest
	initramfs-tools zstd busybox kmod   # the linux-image package's initrd hook
	mount iproute2 procps util-linux     # mount (not in the apt variant), lo up, ps
	redis-server postgresql python3     # the applications
)
# The image's size beyond what the packages take: room for a forklab build,
# runs, a PostgreSQL cluster and an installed kernel.
HEADROOM_MB=${FORKLAB_ROOTFS_HEADROOM_MB:-3072}

link="" force=0 print_key=0
while [ $# -gt 0 ]; do
	case "$1" in
	--link) [ $# -ge 2 ] || die "--link needs a FILE"; link=$2; shift 2 ;;
	--force) force=1; shift ;;
	--print-key) print_key=1; shift ;;
	-h|--help) sed -n '2,28p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done

packages() {
	{
		"$KROOT/scripts/install-deps.sh" --list-user
		printf '%s\n' "${EXTRA_PKGS[@]}"
	} | sort -u
}
pkgs=$(packages) || die "cannot read the package list from scripts/install-deps.sh"
key=$({
	echo "forklab debian rootfs v1 $SUITE $MIRROR $SECURITY"
	echo "$pkgs"
	cat "$KROOT/scripts/kernel/rootfs.sh"
} | sha256sum | cut -c1-16)
if [ "$print_key" = 1 ]; then
	echo "$key"
	exit 0
fi
RCACHE=$FORKLAB_CACHE/rootfs
entry=$RCACHE/$key

link_result() {
	[ -n "$link" ] || return 0
	mkdir -p "$(dirname "$link")"
	rm -f "$link"
	ln -s "$entry/root.img" "$link"
}
if [ "$force" = 0 ] && [ -f "$entry/info" ]; then
	touch "$entry"
	say "Debian $SUITE image cached: $entry/root.img"
	link_result
	exit 0
fi

[ "$(id -u)" = 0 ] || die "building the Debian image needs root (mmdebstrap writes a root file system)"
need mmdebstrap mke2fs flock
mkdir -p "$RCACHE"
exec {lock_fd}>"$RCACHE/.lock"
if ! flock -n "$lock_fd"; then
	say "waiting for another Debian image build ($RCACHE/.lock)"
	flock -w 3600 "$lock_fd" || die "gave up waiting for $RCACHE/.lock"
fi
if [ "$force" = 0 ] && [ -f "$entry/info" ]; then
	say "Debian $SUITE image cached: $entry/root.img"
	link_result
	exit 0
fi

if command -v curl >/dev/null 2>&1 &&
	! curl -sfI --max-time 20 "$MIRROR/dists/$SUITE/Release" >/dev/null 2>&1; then
	echo "$PROG: the Debian mirror $MIRROR cannot be reached (FORKLAB_DEBIAN_MIRROR names another)" >&2
	exit 3
fi

stage=$(mktemp -d "$RCACHE/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
log=$stage/build.log
t0=$SECONDS
say "mmdebstrap $SUITE, $(echo "$pkgs" | wc -l) packages and their dependencies (log: $entry/build.log)"
# The guest's init: mount what a system needs, then the results folder, and
# run the script the host left there.  The kernel command line carries
# forklab.out=PATH (the host's path of the folder, mounted at the same path).
# shellcheck disable=SC2016 # expanded by the hook's shell, $1 the new root
init_hook='cat >"$1/sbin/forklab-init" <<"EOF"
#!/bin/sh
# forklab guest init (Debian image, from scripts/kernel/rootfs.sh).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
OUT=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in forklab.out=*) OUT=${arg#*=} ;; esac
done
mkdir -p "$OUT"
if [ -n "$OUT" ] && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none forklab "$OUT" &&
	[ -f "$OUT/guest-init.sh" ]; then
	export FORKLAB_OUT="$OUT"
	exec /bin/sh "$OUT/guest-init.sh"
fi
echo "forklab-guest: no results folder with guest-init.sh (forklab.out=$OUT)"
echo "forklab-guest: exit status 2"
printf "\\002" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
echo o >/proc/sysrq-trigger
sleep 60
EOF
chmod 755 "$1/sbin/forklab-init"
printf "/dev/vda / ext4 defaults 0 1\n" >"$1/etc/fstab"
echo forklab-guest >"$1/etc/hostname"
printf "127.0.0.1 localhost\n127.0.1.1 forklab-guest\n" >"$1/etc/hosts"'
if ! mmdebstrap --variant=apt --components=main \
	--include="$(echo "$pkgs" | paste -sd,)" \
	--customize-hook="$init_hook" \
	"$SUITE" "$stage/root" \
	"deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
	"deb $SECURITY $SUITE-security main" >"$log" 2>&1; then
	tail -n 15 "$log" >&2
	mkdir -p "$entry"
	cp "$log" "$entry/build.log.failed"
	die "mmdebstrap failed: $(grep -m1 -E '^(E:|W: Failed|mmdebstrap: error)|[Ee]rror' "$log" || tail -n 1 "$log") (log: $entry/build.log.failed)"
fi
used_mb=$(du -sm "$stage/root" | cut -f1)
size_mb=$((used_mb + used_mb / 4 + HEADROOM_MB))
say "ext4 image: $used_mb MB of files, $size_mb MB image (sparse)"
# shellcheck disable=SC2016 # dpkg-query's own fields
chroot "$stage/root" dpkg-query -W -f='${Package} ${Version}\n' >"$stage/packages"
if ! mke2fs -q -t ext4 -L forklab-root -d "$stage/root" "$stage/root.img" "${size_mb}M" >>"$log" 2>&1; then
	die "mke2fs failed: $(tail -n 1 "$log")"
fi
rm -rf "$stage/root"
secs=$((SECONDS - t0))
{
	echo "suite=$SUITE"
	echo "mirror=$MIRROR"
	echo "key=$key"
	echo "packages=$(wc -l <"$stage/packages") installed ($(echo "$pkgs" | wc -l) asked for)"
	echo "files_mb=$used_mb"
	echo "image_mb=$size_mb (allocated $(du -m "$stage/root.img" | cut -f1))"
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in ${secs}s"
} >"$stage/info"
rm -rf "$entry"
mv "$stage" "$entry"
chmod 755 "$entry"
trap - EXIT
find "$RCACHE" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' |
	sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
say "Debian $SUITE image built in $(fmt_secs "$secs"): $entry/root.img"
link_result
