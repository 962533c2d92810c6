#!/usr/bin/env bash
# Build the guest's initramfs: static busybox, forklab's static programs and
# the in-guest tests, laid out like the repository so tests run unchanged.
#
#   scripts/kernel/initramfs.sh --kernel DIR --out FILE [--static DIR] [--extra DIR]
#
#   --kernel DIR   a finished kernel build (make kernel: build/kernel)
#   --out FILE     the gzip'd newc cpio to write (make initramfs: build/kernel-initramfs.cpio.gz)
#   --static DIR   statically linked programs (default build/static): all go in
#   --extra DIR    a tree copied over the guest's root as it is (default
#                  build/guest-root, filled by make guest-root: e.g. stress-ng
#                  with its libraries, more kernel selftests)
#
# Guest layout:
#   /init                          scripts/kernel/guest-init
#   /bin/busybox                   /bin/busybox (busybox-static)
#   /forklab/tests/lib.sh          tests/lib.sh
#   /forklab/tests/guest/*         tests/guest/* (executable files)
#   /forklab/scripts/run-all-*.sh  scripts/run-all-guest.sh and run-all-lib.sh
#                                  (run-all.sh --vm runs the cells with them)
#   /forklab/scripts/eager-profile.sh   scripts/kernel/eager-profile.sh
#   /forklab/configs/*.config      the config fragments (the guest checks /proc/config.gz)
#   /forklab/build/*               build/static/*  (FORKLAB_BUILD=/forklab/build)
#   /forklab/build/kernel-selftests/*   the kernel build's selftests (mm-cow)
#   /forklab/kernel.release        the release the guest must be running
#   (anything)                     build/guest-root/* (--extra)
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

kdir="" out="" static=$KROOT/build/static extra=$KROOT/build/guest-root
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kdir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--static) static=$2; shift 2 ;;
	--extra) extra=$2; shift 2 ;;
	-h|--help) sed -n '2,26p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
if [ -z "$kdir" ] || [ -z "$out" ]; then
	die "usage: initramfs.sh --kernel DIR --out FILE [--static DIR]"
fi
[ -f "$kdir/kernel.release" ] || die "$kdir is not a kernel build (run make kernel)"
need cpio gzip readelf
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"

is_dynamic_elf() {
	readelf -l "$1" 2>/dev/null | grep -F 'Requesting program interpreter' >/dev/null
}
is_dynamic_elf "$BUSYBOX" && die "$BUSYBOX is dynamically linked (install busybox-static)"

root=$(mktemp -d "${TMPDIR:-/tmp}/forklab-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc} \
	"$root"/forklab/{tests/guest,scripts,configs,build/kernel-selftests}
cp "$BUSYBOX" "$root/bin/busybox"
# The kernel opens /dev/console for init before /init can mount devtmpfs;
# only root can make the node (the guest's init copes without it).
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
install -m 755 "$KROOT/scripts/kernel/guest-init" "$root/init"
install -m 644 "$KROOT/tests/lib.sh" "$root/forklab/tests/lib.sh"
install -m 755 "$KROOT/scripts/run-all-guest.sh" "$root/forklab/scripts/run-all-guest.sh"
install -m 644 "$KROOT/scripts/run-all-lib.sh" "$root/forklab/scripts/run-all-lib.sh"
install -m 755 "$KROOT/scripts/kernel/eager-profile.sh" "$root/forklab/scripts/eager-profile.sh"
cp "$KROOT"/configs/*.config "$root/forklab/configs/"
cp "$kdir/kernel.release" "$root/forklab/kernel.release"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

n_tests=0
for t in "$KROOT"/tests/guest/*; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
	install -m 755 "$t" "$root/forklab/tests/guest/"
	n_tests=$((n_tests + 1))
done

n_prog=0 skipped=()
if [ -d "$static" ]; then
	for p in "$static"/*; do
		if [ ! -f "$p" ] || [ ! -x "$p" ]; then continue; fi
		if is_dynamic_elf "$p"; then
			skipped+=("$(basename "$p")")
			continue
		fi
		install -m 755 "$p" "$root/forklab/build/"
		n_prog=$((n_prog + 1))
	done
fi
if [ -d "$kdir/selftests" ]; then
	cp "$kdir"/selftests/* "$root/forklab/build/kernel-selftests/"
fi
n_extra=0
if [ -d "$extra" ]; then
	cp -a "$extra/." "$root/"
	n_extra=$(find "$extra" -type f | wc -l)
fi
[ ${#skipped[@]} -eq 0 ] ||
	echo "  initramfs: left out dynamically linked ${skipped[*]} (the guest has no libc)" >&2

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	run cpio --null -o -H newc -R 0:0 --quiet) | gzip -6 >"$out.tmp" ||
	{ rm -f "$out.tmp"; die "cpio/gzip failed writing $out"; }
mv "$out.tmp" "$out"
say "initramfs $(basename "$out"): $n_prog programs, $n_tests guest tests, $n_extra extra files, $(du -h "$out" | cut -f1)"
