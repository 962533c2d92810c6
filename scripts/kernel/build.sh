#!/usr/bin/env bash
# Build forklab's QEMU guest kernel (Linux 6.12 from Debian's linux-source-6.12),
# cached outside the clone.
#
#   scripts/kernel/build.sh [--link DIR] [--series FILE] [--stock] [--force]
#
#   --link DIR     make DIR a symlink to the finished build (make kernel: build/kernel)
#   --series FILE  patch series to apply (default kernel-patch/series)
#   --stock        no patches at all: the same source and config, unpatched
#                  (make kernel-stock: build/kernel-stock), release
#                  <version>-forklab-stock, its own work tree (work-stock)
#   --force        rebuild even if the cache has this build
#
# Steps: extract /usr/src/linux-source-6.12.tar.xz once; restore the work tree
# and apply every patch of the series (git apply; a patch that does not apply
# stops the build, naming it); tinyconfig + configs/kernel.config +
# configs/kernel-qemu.config (merge_config.sh -m, olddefconfig; every fragment
# option must survive); make bzImage (vmlinux with BTF); uapi headers; the
# kernel's own mm COW selftest, linked statically for the guest.
#
# A finished build lives in $FORKLAB_CACHE/kernel/<release>-<key>/:
#   bzImage vmlinux System.map config kernel.release headers/ selftests/ build.log info
# Environment: FORKLAB_CACHE (default /var/cache/forklab), JOBS, V=1 (show commands).
# On failure the last line of output says why.
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034 # KSERIES is read by lib.sh
link="" force=0 flavour=qemu
while [ $# -gt 0 ]; do
	case "$1" in
	--link) link=$2; shift 2 ;;
	--series) KSERIES=$(readlink -f "$2"); shift 2 ;;
	--stock) flavour=stock; shift ;;
	--force) force=1; shift ;;
	-h|--help) sed -n '2,24p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
# The stock kernel: an empty series, and a release that says so (kbuild appends
# LOCALVERSION to the config's CONFIG_LOCALVERSION).
kmake_extra=()
if [ "$flavour" = stock ]; then
	KSERIES="" kmake_extra=(LOCALVERSION=-stock)
fi
need make gcc flex bison bc pahole rsync git xz cpio flock

FRAGMENTS=("$KROOT/configs/kernel.config" "$KROOT/configs/kernel-qemu.config")
for f in "${FRAGMENTS[@]}"; do [ -f "$f" ] || die "missing config fragment $f"; done

# Everything the result depends on goes into the key.
key=$({
	echo "forklab kernel build v1 ($flavour)"
	tarball_sha
	series_patches | while IFS= read -r p; do
		basename "$p"
		sha256sum <"$p"
	done
	cat "${FRAGMENTS[@]}"
	cat "$KROOT/scripts/kernel/build.sh" "$KROOT/scripts/kernel/lib.sh"
	gcc --version | head -n 1
	pahole --version
} | sha256sum | cut -c1-16) || die "cannot compute the cache key"
series_patches >/dev/null # report a bad series before taking the lock

link_result() {
	[ -n "$link" ] || return 0
	mkdir -p "$(dirname "$link")"
	rm -rf "$link"
	ln -s "$1" "$link"
}

found() {
	find "$KCACHE" -mindepth 1 -maxdepth 1 -type d -name "*-$key" 2>/dev/null | head -n 1 || true
}
entry=$(found)
if [ -n "$entry" ] && [ -f "$entry/bzImage" ] && [ "$force" = 0 ]; then
	touch "$entry"
	say "kernel $(cat "$entry/kernel.release") cached: $entry"
	link_result "$entry"
	exit 0
fi

lock "$flavour"
entry=$(found) # someone else may have built it while we waited
if [ -n "$entry" ] && [ -f "$entry/bzImage" ] && [ "$force" = 0 ]; then
	say "kernel $(cat "$entry/kernel.release") cached: $entry"
	link_result "$entry"
	exit 0
fi

t0=$SECONDS
pristine=$(pristine_src)
version=$(src_version "$pristine")
work=$KCACHE/work-$flavour
src=$work/src obj=$work/obj
say "kernel $version, key $key, work tree $work"
prepare_tree "$pristine" "$src"
mkdir -p "$obj"
merge_config "$src" "$obj" tinyconfig "${FRAGMENTS[@]}"

log=$work/build.log
kmake() { run make -C "$src" O="$obj" -j"$JOBS" V="$V" "${kmake_extra[@]}" "$@"; }
# tolog LOG CMD...: output to LOG, and to the terminal too with V=1.
tolog() {
	local out=$1
	shift
	if [ "$V" = 1 ]; then
		"$@" 2>&1 | tee -a "$out"
	else
		"$@" >>"$out" 2>&1
	fi
}
: >"$log"
say "make bzImage (-j$JOBS; log: $log)"
if ! tolog "$log" kmake bzImage; then
	tail -n 15 "$log" >&2
	die "kernel build failed: $(first_error "$log") (log: $log)"
fi
release=$(cat "$obj/include/config/kernel.release")
# (grep without -q: under pipefail an early exit would fail readelf with SIGPIPE)
readelf -S "$obj/vmlinux" | grep -F '.BTF' >/dev/null || die "vmlinux has no .BTF section (pahole too old?)"

stage=$(mktemp -d "$KCACHE/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
say "headers_install"
tolog "$log" kmake headers_install INSTALL_HDR_PATH="$stage/headers" ||
	die "make headers_install failed: $(first_error "$log") (log: $log)"

# The kernel's own COW selftest (tools/testing/selftests/mm/cow.c), static,
# built against this tree's uapi headers; the guest runs it in every mode.
say "selftests/mm/cow (static)"
st=$src/tools/testing/selftests
mkdir -p "$stage/selftests" "$stage/selftests-build"
: >"$stage/selftests-build/local_config.h"
if ! run gcc -static -O2 -Wall -Wno-unused-result \
	-isystem "$stage/headers/include" -I"$stage/selftests-build" -I"$st" -I"$st/mm" \
	-o "$stage/selftests/mm-cow" "$st/mm/cow.c" "$st/mm/vm_util.c" "$st/mm/thp_settings.c" \
	-lm -lpthread >>"$log" 2>&1; then
	die "building selftests/mm/cow failed: $(first_error "$log") (log: $log)"
fi
rm -rf "$stage/selftests-build"

cp "$obj/arch/x86/boot/bzImage" "$obj/vmlinux" "$obj/System.map" "$stage/"
cp "$obj/.config" "$stage/config"
echo "$release" >"$stage/kernel.release"
cp "$log" "$stage/build.log"
secs=$((SECONDS - t0))
{
	echo "release=$release"
	echo "source=$(basename "$KTARBALL") ($version, sha256 $(tarball_sha)...)"
	echo "key=$key"
	echo "flavour=$flavour"
	echo "patches=$(series_patches | xargs -r -n1 basename | tr '\n' ' ')"
	echo "fragments=${FRAGMENTS[*]##*/}"
	echo "compiler=$(gcc --version | head -n 1)"
	echo "pahole=$(pahole --version)"
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in ${secs}s with -j$JOBS on $(nproc) CPUs"
} >"$stage/info"
final=$KCACHE/$release-$key
rm -rf "$final"
mv "$stage" "$final"
chmod 755 "$final"
trap - EXIT
say "kernel $release built in $(fmt_secs $secs): $final"
prune_cache "${FORKLAB_KERNEL_CACHE_KEEP:-6}"
link_result "$final"
