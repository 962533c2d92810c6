#!/usr/bin/env bash
# VM tier, opt-in (make test-debian; most of an hour): the bare-metal path
# rehearsed under QEMU by scripts/kernel/debian-rehearsal.sh.  Without
# FORKLAB_DEBIAN_REHEARSAL=1 it skips, saying so.
#   debian/dpkg-install, initramfs-hook, installed-files
#                          make kernel-deb KCONFIG=fast's linux-image and
#                          -headers install with dpkg -i in the Debian 12
#                          guest; the hook makes /boot/initrd.img-REL
#   debian/uname-r, booted-through-the-package-initrd, userland
#                          the guest boots from the installed vmlinuz + initrd
#   debian/sysctls, sysctl-refuses-3, python3-*
#                          vm.fork_copy_mode & co.; Debian's python3 forks in
#                          each mode (sysctl and prctl) and /proc/vmstat's
#                          forklab counters move by exactly its forks
#   debian/forklab-clone-and-build, run-all*
#                          forklab cloned and built in the guest; ./run-all.sh
#                          with a tiny matrix: report, metadata (kernel, modes
#                          cow stack eager), traced counts = predictions
#   debian/rehearsal       every step ran (the last line says which did not)
# Skips (never fails) when the Debian image cannot be built here: no
# mirror, not root, no mmdebstrap.
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
if [ "${FORKLAB_DEBIAN_REHEARSAL:-0}" != 1 ]; then
	echo "the Debian rehearsal is opt-in (most of an hour under TCG): make test-debian"
	exit 77
fi
is_root || { echo "the Debian image needs root (mmdebstrap)"; exit 77; }
command -v mmdebstrap >/dev/null || { echo "no mmdebstrap (scripts/install-deps.sh)"; exit 77; }

out=$FORKLAB_BUILD/debian-rehearsal/test-$(date +%Y%m%d-%H%M%S)
t0=$SECONDS
rc=0
scripts/kernel/debian-rehearsal.sh --out "$out" >"$T_TMP/log" 2>&1 || rc=$?
grep -E '^(PASS|FAIL|SKIP):' "$T_TMP/log"
grep -E '^(==|#) ' "$T_TMP/log"
last=$(grep -v '^[[:space:]]*$' "$T_TMP/log" | tail -n 1)
case $rc in
0) pass "debian/rehearsal ($((SECONDS - t0)) s)" ;;
3) echo "$last"; exit 77 ;;
*) fail debian/rehearsal "$last" ;;
esac
echo "# $out"
