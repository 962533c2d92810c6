#!/usr/bin/env bash
# Build the kernel's mm selftests (tools/testing/selftests/mm of the 6.12
# tree) statically for the guest, outside the kernel build, cached.
#
#   scripts/kernel/selftests.sh [--kernel DIR] [--out DIR] [--force]
#
#   --kernel DIR   a finished kernel build (default build/kernel): its uapi
#                  headers (headers/) are the ones the programs are built against
#   --out DIR      where the programs go (make kernel-selftests:
#                  build/guest-root/forklab/build/kernel-selftests), as mm-<name>
#   --force        rebuild even if the cache has this build
#
# Every program of the mm selftests' Makefile is tried with gcc -static
# against the pristine source tree (the patch series touches no selftest)
# and the kernel build's headers; cow itself is built by build.sh with the
# kernel (mm-cow).  A program that does not build is not fatal: the list
# is in DIR/mm-selftests-build.txt, one line each,
#   built NAME                 or
#   not-built NAME: why
# and the guest test (tests/guest/forkmode-selftests-mm.sh) reads it.
#
# Cached in $FORKLAB_CACHE/kernel-selftests/<key>/, the key hashing the
# kernel build's key, the source tarball, this script, gcc and the static
# libraries found (libcap, libnuma, liburing).  About 2 minutes on 2 cores.
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

kdir=$KROOT/build/kernel out=$KROOT/build/guest-root/forklab/build/kernel-selftests force=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kdir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--force) force=1; shift ;;
	-h|--help) sed -n '2,25p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
need gcc sha256sum flock
if [ ! -f "$kdir/info" ] || [ ! -d "$kdir/headers/include" ]; then
	die "$kdir is not a finished kernel build with headers (run make kernel)"
fi
kkey=$(sed -n 's/^key=//p' "$kdir/info")
[ -n "$kkey" ] || die "$kdir/info names no key"

# Static libraries some programs need (Debian: libcap-dev, libnuma-dev,
# liburing-dev); without one, those programs are listed as not built.
libdir=/usr/lib/$(gcc -print-multiarch)
have_lib() { [ -f "$libdir/lib$1.a" ] || [ -f "/usr/lib/lib$1.a" ]; }
libs_found=""
for l in cap numa uring; do
	if have_lib $l; then libs_found+=" $l"; fi
done

key=$({
	echo "forklab mm selftests v1"
	echo "kernel $kkey"
	tarball_sha
	cat "$KROOT/scripts/kernel/selftests.sh" "$KROOT/scripts/kernel/lib.sh"
	gcc --version | head -n 1
	echo "libs:$libs_found"
} | sha256sum | cut -c1-16) || die "cannot compute the cache key"
scache=$FORKLAB_CACHE/kernel-selftests
entry=$scache/$key

install_out() {
	mkdir -p "$out"
	rm -f "$out"/mm-*
	cp -p "$entry"/mm-* "$out/"
}
if [ -f "$entry/mm-selftests-build.txt" ] && [ "$force" = 0 ]; then
	touch "$entry"
	say "mm selftests cached: $entry ($(grep -c '^built ' "$entry/mm-selftests-build.txt") built)"
	install_out
	exit 0
fi

mkdir -p "$scache"
exec {LOCK_FD}>"$scache/.lock"
flock -w "${FORKLAB_LOCK_WAIT:-7200}" "$LOCK_FD" || die "gave up waiting for $scache/.lock"
if [ -f "$entry/mm-selftests-build.txt" ] && [ "$force" = 0 ]; then
	say "mm selftests cached: $entry"
	install_out
	exit 0
fi

t0=$SECONDS
pristine=$(pristine_src)
st=$pristine/tools/testing/selftests
mm=$st/mm
[ -f "$mm/Makefile" ] || die "no tools/testing/selftests/mm in $pristine"
stage=$(mktemp -d "$scache/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
gen=$stage/gen
mkdir -p "$gen"
log=$stage/build.log
: >"$log"
# What check_config.sh would write: liburing adds cow's and gup_longterm's
# io_uring cases.
if [[ " $libs_found " == *" uring "* ]]; then
	echo "#define LOCAL_CONFIG_HAVE_LIBURING 1" >"$gen/local_config.h"
	uring=(-luring)
else
	echo "// No liburing support found" >"$gen/local_config.h"
	uring=()
fi
# khugepaged.c of 6.12.117 returns KSFT_SKIP without including kselftest.h
# (the upstream Makefile build fails the same way): build it through a
# wrapper that includes it first.
printf '%s\n' '#define _GNU_SOURCE' '#include "kselftest.h"' '#undef _GNU_SOURCE' \
	'#include "khugepaged.c"' >"$gen/khugepaged-wrap.c"

CFLAGS=(-static -O2 -Wall -U_FORTIFY_SOURCE -isystem "$kdir/headers/include"
	-isystem "$pristine/tools/include/uapi" -I"$gen" -I"$pristine" -I"$st" -I"$mm")
# The Makefile's TEST_GEN_FILES for x86_64, in its order; cow is build.sh's.
PROGS=(compaction_test gup_longterm gup_test hmm-tests hugetlb-madvise
	hugetlb-read-hwpoison hugetlb-soft-offline hugepage-mmap hugepage-mremap
	hugepage-shm hugepage-vmemmap khugepaged madv_populate map_fixed_noreplace
	map_hugetlb map_populate memfd_secret migration mkdirty mlock-random-test
	mlock2-tests mrelease_test mremap_dontunmap mremap_test mseal_test seal_elf
	on-fault-limit pagemap_ioctl thuge-gen transhuge-stress uffd-stress
	uffd-unit-tests split_huge_page_test ksm_tests ksm_functional_tests
	mdwe_test hugetlb_fault_after_madv hugetlb_madv_vs_map hugetlb_dio droppable
	soft-dirty protection_keys_32 pkey_sighandler_tests_32 protection_keys_64
	pkey_sighandler_tests_64 va_high_addr_switch virtual_address_range
	write_to_hugetlbfs)
status=$stage/mm-selftests-build.txt
: >"$status"
built=0
# Sources are named relative to the mm directory, as the Makefile does:
# gup_longterm and pagemap_ioctl make their temporary files from __FILE__.
for p in "${PROGS[@]}"; do
	srcs=("$p.c" vm_util.c thp_settings.c)
	flags=() libs=(-lrt -lpthread -lm) needlib=""
	case "$p" in
	uffd-stress | uffd-unit-tests) srcs+=(uffd-common.c) ;;
	gup_longterm) libs+=("${uring[@]}") ;;
	memfd_secret | mlock-random-test) needlib=cap; libs+=(-lcap) ;;
	migration | ksm_tests) needlib=numa; libs+=(-lnuma) ;;
	khugepaged) srcs[0]=$gen/khugepaged-wrap.c ;;
	*_32 | *_64)
		srcs=("${p%_*}.c")
		flags=(-m"${p##*_}" -mxsave -no-pie)
		libs=(-lrt -ldl -lm -lpthread)
		;;
	esac
	if ! (cd "$mm" && [ -f "${srcs[0]}" ]); then
		echo "not-built $p: no $p.c in this tree" >>"$status"
		continue
	fi
	if [ -n "$needlib" ] && ! have_lib "$needlib"; then
		echo "not-built $p: needs lib$needlib.a (lib$needlib-dev)" >>"$status"
		continue
	fi
	echo "== $p" >>"$log"
	if (cd "$mm" && run gcc "${CFLAGS[@]}" "${flags[@]}" -o "$stage/mm-$p" "${srcs[@]}" "${libs[@]}") \
		>"$gen/$p.log" 2>&1; then
		echo "built $p" >>"$status"
		built=$((built + 1))
	else
		why=$(first_error "$gen/$p.log" | sed "s|$pristine/||g; s|$gen/||g")
		case "$p" in
		*_32) why="no 32-bit static libc (gcc-multilib, libc6-dev-i386): $why" ;;
		esac
		echo "not-built $p: $why" >>"$status"
		rm -f "$stage/mm-$p"
	fi
	cat "$gen/$p.log" >>"$log"
done
# run_vmtests.sh runs on-fault-limit as nobody (sudo -u nobody); the
# guest's busybox setpriv cannot change uid, hence this helper:
#   mm-as-nobody PROG ARGS...   (uid and gid 65534, no supplementary groups)
cat >"$gen/as-nobody.c" <<'EOF'
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mm-as-nobody PROG [ARGS...]\n");
		return 2;
	}
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("mm-as-nobody: cannot become uid/gid 65534");
		return 2;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
EOF
run gcc -static -O2 -Wall -Werror -o "$stage/mm-as-nobody" "$gen/as-nobody.c" >>"$log" 2>&1 ||
	die "building mm-as-nobody failed: $(first_error "$log")"
rm -rf "$gen"
secs=$((SECONDS - t0))
echo "# $built of ${#PROGS[@]} built in ${secs}s against $kdir (kernel key $kkey), libs:$libs_found" >>"$status"
rm -rf "$entry"
mv "$stage" "$entry"
chmod 755 "$entry"
trap - EXIT
say "mm selftests: $built of ${#PROGS[@]} built in $(fmt_secs $secs): $entry"
grep '^not-built' "$entry/mm-selftests-build.txt" | sed 's/^/    /' || true
# Keep the six most recently used builds.
find "$scache" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' |
	sort -rn | tail -n +7 | cut -d' ' -f2- | while IFS= read -r d; do rm -rf "$d"; done
install_out
