#!/usr/bin/env bash
# Cross-compile what the patch series touches for other architectures, with
# Debian's cross compilers: the generic mm/ and kernel/ code must build where
# the arch headers differ (alpha and m68k have no user_stack_pointer(), only
# current_user_stack_pointer(); arm64 is the other 64-bit LTS user).
#
#   scripts/kernel/cross-check.sh [--arch "alpha m68k arm64"] [--dirs "mm/ kernel/ fs/exec.o"]
#
# For each arch: its defconfig, then `make DIRS` on the patched tree; any
# error or compiler warning in them fails.  Objects named one by one must be
# ones the arch's defconfig builds (mm/huge_memory.o is not alpha's or m68k's:
# no THP there); folders build what the config enables.  Compilers come
# from the packages gcc-alpha-linux-gnu, gcc-m68k-linux-gnu,
# gcc-aarch64-linux-gnu (a missing one is named, with the package).  Minutes per arch on 2 CPUs;
# not part of make test.  Uses its own work tree ($FORKLAB_CACHE/kernel/work-cross).
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

arches="alpha m68k arm64" dirs="mm/ kernel/ fs/exec.o"
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arches=$2; shift 2 ;;
	--dirs) dirs=$2; shift 2 ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	*) echo "$PROG: unknown option '$1' (allowed: --arch LIST, --dirs LIST)" >&2; exit 2 ;;
	esac
done
prefix_of() {
	case "$1" in
	alpha) echo alpha-linux-gnu- ;;
	m68k) echo m68k-linux-gnu- ;;
	arm64) echo aarch64-linux-gnu- ;;
	*) echo "$PROG: --arch: '$1' is not alpha, m68k or arm64" >&2; exit 2 ;;
	esac
}
for a in $arches; do
	p=$(prefix_of "$a")
	command -v "${p}gcc" >/dev/null ||
		die "${p}gcc not found (scripts/install-deps.sh --cross, or apt-get install gcc-${p%-})"
done
need make flex bison bc rsync git xz flock
series_patches >/dev/null

lock cross
pristine=$(pristine_src)
work=$KCACHE/work-cross
src=$work/src
say "kernel $(src_version "$pristine") + kernel-patch/series, work tree $work"
prepare_tree "$pristine" "$src"
for a in $arches; do
	p=$(prefix_of "$a") obj=$work/obj-$a log=$work/$a.log t0=$SECONDS
	mkdir -p "$obj"
	kmake() { run make -C "$src" O="$obj" ARCH="$a" CROSS_COMPILE="$p" -j"$JOBS" "$@"; }
	kmake defconfig >"$log" 2>&1 || die "$a: defconfig failed (log: $log)"
	# Force a recompile of what the series touches so warnings are seen every time.
	find "$obj/mm" "$obj/kernel" -name '*.o' -delete 2>/dev/null || true
	rm -f "$obj/fs/exec.o"
	# shellcheck disable=SC2086
	if ! kmake $dirs >>"$log" 2>&1; then
		tail -n 15 "$log" >&2
		die "$a: $dirs do not compile: $(first_error "$log") (log: $log)"
	fi
	if grep -q 'warning:' "$log"; then
		grep -B2 -A3 'warning:' "$log" | head -n 30 >&2
		die "$a: compiler warning: $(grep -m1 'warning:' "$log") (log: $log)"
	fi
	say "$a ($("${p}gcc" -dumpversion)): $dirs compiled without warnings in $(fmt_secs $((SECONDS - t0)))"
done
