#!/usr/bin/env bash
# Boot forklab's kernel on a Debian 12 userland under QEMU and run a command
# there (make vm-debian).
#
#   scripts/kernel/vm-debian.sh [options] [--cmd 'SHELL COMMAND' | -- CMD [ARGS]]
#
#   --kernel FILE   kernel image to boot (default: make kernel's build/kernel/bzImage,
#                   built or cached)
#   --deb           boot the vmlinuz of make kernel-deb KCONFIG=fast's linux-image
#                   package instead (built or cached)
#   --initrd FILE   the kernel's initrd (default none)
#   --image FILE    root file system image (default: scripts/kernel/rootfs.sh's,
#                   built or cached)
#   --cmd STRING    run STRING with sh -c (make vm-debian CMD='...')
#   --out DIR       results folder shared with the guest (default build/vm-debian/<date>)
#   --timeout S, --accel A, --smp N, --mem MB, --console: as scripts/kernel/vm-run.sh
#
# A kernel with virtio-blk and ext4 built in (the fast package's), or any
# kernel with an initrd, boots the image as a virtio disk; the guest's writes
# are discarded.  Otherwise (make kernel's: initramfs-only, no block layer)
# the image is mounted read-only on the host (a loop device: root) under an
# overlay whose writes are discarded, and shared as the guest's root over
# virtio 9p.
#
# Default command: /forklab/build/forkbench spawn -n 100 (forklab's tree is
# shared read-only at /forklab; make vm-debian builds it first).  The results folder gets console.log,
# cmd.log, metadata.json (kernel, Debian release, fork_copy_mode) and what
# the command writes to $FORKLAB_OUT.  On failure the last line says why:
# no kernel, the image could not be built, a panic, a hang (timeout).
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

kernel="" initrd="" image="" out="" cmd="" pass=() deb=0
usage() {
	echo "$PROG: $*" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel | --initrd | --image | --cmd | --out | --timeout | --accel | --smp | --mem)
		[ $# -ge 2 ] || usage "$1 needs a value (see --help)"
		case "$1" in
		--kernel) kernel=$2 ;;
		--initrd) initrd=$2 ;;
		--image) image=$2 ;;
		--cmd) cmd=$2 ;;
		--out) out=$2 ;;
		*) pass+=("$1" "$2") ;;
		esac
		shift 2
		;;
	--console) pass+=("$1"); shift ;;
	--deb) deb=1; shift ;;
	--) shift; break ;;
	-h | --help) sed -n '2,31p' "$0"; exit 0 ;;
	*) usage "unknown option '$1' (see --help)" ;;
	esac
done
if [ -n "$cmd" ]; then
	[ $# = 0 ] || usage "--cmd and -- CMD: give one"
	set -- sh -c "$cmd"
elif [ $# = 0 ]; then
	set -- /forklab/build/forkbench spawn -n 100
fi

if [ -z "$image" ]; then
	rc=0
	"$KROOT/scripts/kernel/rootfs.sh" --link "$KROOT/build/debian-rootfs.img" || rc=$?
	[ "$rc" = 0 ] || die "no Debian image: scripts/kernel/rootfs.sh failed (exit $rc; its reason above)"
	image=$KROOT/build/debian-rootfs.img
fi
[ -f "$image" ] || die "no root file system image at $image (make debian-rootfs)"

[ "$deb" = 0 ] || [ -z "$kernel" ] || usage "--deb and --kernel: give one"
if [ -z "$kernel" ] && [ "$deb" = 0 ]; then
	"$KROOT/scripts/kernel/build.sh" --link "$KROOT/build/kernel" ||
		die "no kernel: make kernel failed (its reason above)"
	kernel=$KROOT/build/kernel/bzImage
elif [ -z "$kernel" ]; then
	debs=$KROOT/build/kernel-deb-fast
	"$KROOT/scripts/kernel/deb.sh" build --config fast --out "$debs" ||
		die "no kernel: make kernel-deb KCONFIG=fast failed (its reason above)"
	pkg=$(find "$debs" -maxdepth 1 -name 'linux-image-*.deb' ! -name '*-dbg_*' | head -n 1)
	[ -n "$pkg" ] || die "no kernel: no linux-image package in $debs"
	rm -rf "${debs:?}/boot"
	mkdir -p "$debs/boot"
	dpkg-deb --fsys-tarfile "$pkg" | tar -x -C "$debs/boot" --wildcards --strip-components=2 \
		'./boot/vmlinuz-*' './boot/config-*' || die "cannot unpack /boot of $pkg"
	kernel=$(find "$debs/boot" -name 'vmlinuz-*' | head -n 1)
	[ -n "$kernel" ] || die "no kernel: $pkg has no /boot/vmlinuz-*"
fi
[ -f "$kernel" ] || die "no kernel image at $kernel (make kernel, or make kernel-deb KCONFIG=fast)"
# The kernel's config: build/kernel/config, or config-REL beside vmlinuz-REL.
config=$(dirname "$kernel")/config
[ -f "$config" ] || config=$(dirname "$kernel")/config-$(basename "$kernel" | sed 's/^vmlinuz-//')
has() { [ -f "$config" ] && grep -qx "CONFIG_$1=y" "$config"; }
how=disk
if [ -z "$initrd" ] && ! { has VIRTIO_BLK && has EXT4_FS; }; then
	{ has 9P_FS && has NET_9P_VIRTIO; } ||
		die "$kernel can reach neither the image (virtio-blk and ext4 built in) nor a 9p root (9p built in)$([ -f "$config" ] || echo ", or its config is not beside it"); give --initrd"
	how=9p
fi

[ -n "$out" ] || out=$KROOT/build/vm-debian/$(date +%Y%m%d-%H%M%S)-$$
root=$image mnt="" rw=()
if [ "$how" = 9p ]; then
	[ "$(id -u)" = 0 ] || die "a 9p root needs the image mounted (loop device, overlay): run as root, or boot a kernel that has virtio-blk and ext4 (--deb)"
	mnt=$(mktemp -d "${TMPDIR:-/tmp}/forklab-debian-root.XXXXXX")
	# shellcheck disable=SC2317 # run by the trap
	unmount() {
		umount "$mnt/root" 2>/dev/null
		umount "$mnt/image" 2>/dev/null
		rm -rf "$mnt"
	}
	trap unmount EXIT
	mkdir -p "$mnt/image" "$mnt/upper" "$mnt/work" "$mnt/root"
	err=$(mount -o ro,loop "$image" "$mnt/image" 2>&1) || die "cannot mount $image read-only on a loop device: $err"
	err=$(mount -t overlay overlay -o "lowerdir=$mnt/image,upperdir=$mnt/upper,workdir=$mnt/work" "$mnt/root" 2>&1) ||
		die "cannot put an overlay on $image: $err"
	root=$mnt/root rw=(--root-writable)
fi
args=(--root "$root" "${rw[@]}" --bzimage "$kernel" --out "$out" "${pass[@]}")
[ -z "$initrd" ] || args+=(--initrd "$initrd")
rc=0
"$KROOT/scripts/kernel/vm-run.sh" "${args[@]}" -- "$@" || rc=$?
exit "$rc"
