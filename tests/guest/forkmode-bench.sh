#!/bin/sh
# In-guest: the figures docs/kernel.md quotes, measured
# in one run (kernel-patch/):
#   forkmode-bench: eager fork ns/page next to a memcpy of the same heap
#                   (16, 64 and 256 MiB of 4 KiB pages), and cow fork
#   forkmode-spawn: fork+exec+wait median, cow vs stack (C library), the
#                   two modes alternating iteration by iteration
# Under TCG the times only show trends.  Checked: eager fork time grows
# with the heap (256 MiB takes longer than 16 MiB).  With FORKLAB_OUT set
# the lines are also written to $FORKLAB_OUT/forkmode-bench.txt.
. "$(dirname "$0")/../lib.sh"
B=$FORKLAB_BUILD/forkmode-bench
S=$FORKLAB_BUILD/forkmode-spawn
X=$FORKLAB_BUILD/forkmode-exit
m=/proc/sys/vm/fork_copy_mode
[ -f $m ] || { echo "FAIL: forkmode-bench/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
for p in "$B" "$S" "$X"; do [ -x "$p" ] || { echo "FAIL: forkmode-bench/setup: no $p in this initramfs (make static)"; exit 1; }; done
saved_m=$(cat $m)
trap 'echo "$saved_m" >$m; rm -rf "$T_TMP"' EXIT
echo 2 >$m	# this shell's forks: no write faults (each program picks its mode)
out=$T_TMP/bench.txt
{
	echo "virtualization=${FORKLAB_VIRT:-unknown} kernel=$(uname -r)"
	"$B" --mode eager -n 3 16 64 256
	"$B" --mode cow -n 3 16 64 256
	# cow and stack alternate iteration by iteration: same machine load
	"$S" --mode cow,stack -n 400 --warmup 20 "$X" | grep '^mode=' | sed 's/^/spawn /'
	for mode in cow stack; do
		echo "spawn-faults mode=$mode $("$S" --mode $mode -n 50 --warmup 5 "$X" |
			grep -E '^wp_faults=') per 50"
	done
} >"$out" 2>&1
sed 's/^/# /' "$out"
[ -n "${FORKLAB_OUT:-}" ] && [ -d "$FORKLAB_OUT" ] && cp "$out" "$FORKLAB_OUT/forkmode-bench.txt"
f16=$(sed -n 's/^mode=eager size_mib=16 .*fork_median_ns=\([0-9]*\).*/\1/p' "$out")
f256=$(sed -n 's/^mode=eager size_mib=256 .*fork_median_ns=\([0-9]*\).*/\1/p' "$out")
if [ -n "$f16" ] && [ -n "$f256" ]; then
	check_ge bench/eager-fork-grows-with-heap "$f256" $((f16 * 2))
else
	fail bench/eager-fork-grows-with-heap "no figures: $(tail -n 2 "$out" | tr '\n' ' ')"
fi
