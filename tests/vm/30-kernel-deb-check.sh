#!/usr/bin/env bash
# VM tier: what CI can check of make kernel-deb (a full bindeb-pkg build takes
# hours on 2 cores): scripts/kernel/deb.sh check.
#   kernel-deb/merged-config-keeps-fragment  Debian's 6.12 config + configs/kernel.config
#                                            keeps every fragment option
#   kernel-deb/touched-objects-compile       the patched tree compiles mm/memory.o
#                                            kernel/fork.o mm/mmap.o kernel/sys.o and every
#                                            .c the series touches, without warnings
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
base=${FORKLAB_DEB_BASE_CONFIG:-/usr/src/linux-config-6.12/config.amd64_none_amd64.xz}
[ -f "$base" ] || { echo "no $base (apt-get install linux-config-6.12)"; exit 77; }

t0=$SECONDS
rc=0
scripts/kernel/deb.sh check >"$T_TMP/out" 2>&1 || rc=$?
lastline=$(grep -v '^[[:space:]]*$' "$T_TMP/out" | tail -n 1)
if grep -q 'merged config keeps all' "$T_TMP/out"; then
	pass kernel-deb/merged-config-keeps-fragment
	if [ "$rc" = 0 ]; then
		pass kernel-deb/touched-objects-compile
	else
		fail kernel-deb/touched-objects-compile "$lastline"
	fi
else
	fail kernel-deb/merged-config-keeps-fragment "$lastline"
fi
echo "# $lastline ($((SECONDS - t0)) s)"
