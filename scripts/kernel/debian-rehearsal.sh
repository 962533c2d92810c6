#!/usr/bin/env bash
# The bare-metal path, rehearsed under QEMU (make debian-rehearsal): what a
# user does with forklab's kernel on a Debian 12 machine.
#
#   scripts/kernel/debian-rehearsal.sh [--out DIR] [--timeout S] [--console]
#
#   1. the Debian 12 image (scripts/kernel/rootfs.sh, cached), copied to a
#      writable disk DIR/disk.img
#   2. make kernel-deb KCONFIG=fast (scripts/kernel/deb.sh, cached): the
#      linux-image and linux-headers packages
#   3. boot 1, the package's own vmlinuz (no initrd): dpkg -i both packages;
#      the postinst runs the initramfs hook; /boot's files come back
#   4. boot 2, from those /boot files (vmlinuz + the initrd the hook made):
#      uname -r, the sysctls, the prctl, python3's forks against
#      /proc/vmstat in each mode, forklab cloned (git bundle of HEAD) and
#      built, ./run-all.sh with a tiny matrix in cow, stack and eager; its
#      run folder comes back to DIR/run/run-all
#
# Prints the guest's PASS:/FAIL: lines.  Exit status: 0 every check passed;
# 1 a check or a step failed (the last line says which); 3 the Debian image
# cannot be built here (no mirror).  --timeout is per boot (default 5400 s).
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

out="" timeout_s=5400 console=()
while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || die "--out needs a DIR"; out=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs seconds"; timeout_s=$2; shift 2 ;;
	--console) console=(--console); shift ;;
	-h | --help) sed -n '2,23p' "$0"; exit 0 ;;
	*) echo "$PROG: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$timeout_s" in '' | *[!0-9]*) echo "$PROG: --timeout '$timeout_s' is not a number of seconds" >&2; exit 2 ;; esac
[ -n "$out" ] || out=$KROOT/build/debian-rehearsal/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
out=$(cd "$out" && pwd)
t_all=$SECONDS
step() { echo "== $* ($((SECONDS - t_all)) s)"; }

step "Debian 12 image"
rc=0
"$KROOT/scripts/kernel/rootfs.sh" --link "$KROOT/build/debian-rootfs.img" || rc=$?
if [ "$rc" = 3 ]; then
	exit 3
fi
[ "$rc" = 0 ] || die "the Debian image could not be built (rootfs.sh exit $rc, its reason above)"

step "make kernel-deb KCONFIG=fast"
debs=$out/install/debs
rm -rf "$out/install" "$out/run"
mkdir -p "$debs" "$out/run"
"$KROOT/scripts/kernel/deb.sh" build --config fast --out "$debs" ||
	die "make kernel-deb KCONFIG=fast failed (its reason above)"
rm -f "$debs"/linux-libc-dev_*.deb # the C library's kernel headers stay Debian's
pkg=$(find "$debs" -maxdepth 1 -name 'linux-image-*.deb' ! -name '*-dbg_*' | head -n 1)
[ -n "$pkg" ] || die "no linux-image package in $debs"
rel=$(dpkg-deb -f "$pkg" Package | sed 's/^linux-image-//')

step "a writable copy of the image, the package's vmlinuz, a git bundle of forklab"
cp --sparse=always "$(readlink -f "$KROOT/build/debian-rootfs.img")" "$out/disk.img"
mkdir -p "$out/pkg-boot"
dpkg-deb --fsys-tarfile "$pkg" | tar -x -C "$out/pkg-boot" --strip-components=2 "./boot/vmlinuz-$rel" ||
	die "cannot unpack /boot/vmlinuz-$rel from $pkg"
git -C "$KROOT" bundle create "$out/run/forklab.bundle" HEAD 2>/dev/null ||
	die "git bundle of $KROOT failed"

# boot DIR KERNEL [INITRD] -- CMD: one boot of the disk; the guest's lines shown.
boot() {
	local dir=$1 kernel=$2 initrd=${3:-}
	shift 3
	local args=(--root "$out/disk.img" --root-writable --bzimage "$kernel" --out "$dir"
		--timeout "$timeout_s" --accel "${FORKLAB_ACCEL:-auto}" "${console[@]}")
	[ -z "$initrd" ] || args+=(--initrd "$initrd")
	"$KROOT/scripts/kernel/vm-run.sh" "${args[@]}" "$@"
}

step "boot 1: $rel from the package, dpkg -i"
rc=0
boot "$out/install" "$out/pkg-boot/vmlinuz-$rel" "" -- \
	bash /forklab/scripts/kernel/debian-rehearsal-guest.sh install || rc=$?
[ "$rc" = 0 ] || die "boot 1 (dpkg -i) failed: $(tail -n 1 "$out/install/cmd.log" 2>/dev/null || echo "no cmd.log")"
for f in "vmlinuz-$rel" "initrd.img-$rel"; do
	[ -s "$out/install/boot/$f" ] || die "boot 1 left no /boot/$f"
done

step "boot 2: $rel from the installed /boot/vmlinuz-$rel and /boot/initrd.img-$rel"
rc=0
boot "$out/run" "$out/install/boot/vmlinuz-$rel" "$out/install/boot/initrd.img-$rel" -- \
	bash /forklab/scripts/kernel/debian-rehearsal-guest.sh run "$rel" initrd || rc=$?
rm -f "$out/disk.img" # 5 GB; the results are beside it
[ "$rc" = 0 ] || die "boot 2 (run) failed: $(grep -m1 '^FAIL:' "$out/run/cmd.log" 2>/dev/null || tail -n 1 "$out/run/cmd.log" 2>/dev/null || echo "no cmd.log")"
say "rehearsal passed in $(fmt_secs $((SECONDS - t_all))): $out (report: $out/run/run-all/report.md)"
