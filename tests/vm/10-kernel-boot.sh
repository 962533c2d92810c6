#!/usr/bin/env bash
# VM tier: build forklab's kernel (cached), the static programs and the
# initramfs, boot it under QEMU (KVM if a probe boot works, else TCG) and
# re-emit the in-guest test results (tests/guest/*) as this test's own.
#   kernel/build             make kernel succeeds (every fragment option kept)
#   vm/static-programs       make static succeeds (forkbench, cowtrace, helpers)
#   vm/initramfs             make initramfs succeeds
#   vm/guest-reported        the guest ran and reported its status via QEMU's exit
#   vm/exit-status-matches   QEMU's exit status says fail iff a guest test failed
#   (guest lines)            see tests/guest/*
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
M=(make --no-print-directory)
last() { grep -v '^make.*Error' "$1" | grep -v '^[[:space:]]*$' | tail -n 1; }

t0=$SECONDS
if "${M[@]}" kernel >"$T_TMP/kernel.log" 2>&1; then
	pass kernel/build
	echo "# $(tail -n 1 "$T_TMP/kernel.log" | sed 's/^ *//') ($((SECONDS - t0)) s)"
else
	fail kernel/build "$(last "$T_TMP/kernel.log")"
	exit 0
fi
if "${M[@]}" static >"$T_TMP/static.log" 2>&1; then
	pass vm/static-programs
else
	fail vm/static-programs "make static failed: $(grep -m1 -E 'error|Error' "$T_TMP/static.log")"
fi
if "${M[@]}" initramfs >"$T_TMP/initramfs.log" 2>&1; then
	pass vm/initramfs
	echo "# $(tail -n 1 "$T_TMP/initramfs.log" | sed 's/^ *//')"
else
	fail vm/initramfs "$(last "$T_TMP/initramfs.log")"
	exit 0
fi

out=$FORKLAB_BUILD/vm/test-$(date +%Y%m%d-%H%M%S)
t0=$SECONDS
rc=0
scripts/kernel/vm-run.sh --out "$out" --timeout "${FORKLAB_VM_BOOT_TIMEOUT:-1800}" \
	>"$T_TMP/vm.log" 2>&1 || rc=$?
grep -E '^(PASS|FAIL|SKIP|FIGURE):' "$out/guest-tests.log" 2>/dev/null
echo "# boot + guest tests: $((SECONDS - t0)) s; $(tail -n 1 "$T_TMP/vm.log")"
echo "# results: $out"
if [ ! -s "$out/status" ]; then
	fail vm/guest-reported "$(tail -n 1 "$T_TMP/vm.log")"
	exit 0
fi
pass vm/guest-reported
if grep -q '^FAIL:' "$out/guest-tests.log" 2>/dev/null; then want=1; else want=0; fi
check_eq vm/exit-status-matches "$want" "$rc"
