# forklab: the cells of configs/matrix/vm.conf in the guest (busybox sh).
# Written by run-all.sh --vm; run by scripts/kernel/vm-run.sh.
O=$FORKLAB_OUT
cd /forklab || exit 2
# ASLR off for every cell; restored when done (the guest is thrown away anyway).
aslr=$(cat /proc/sys/kernel/randomize_va_space)
echo 0 >/proc/sys/kernel/randomize_va_space
trap 'echo "$aslr" >/proc/sys/kernel/randomize_va_space' EXIT
if [ -e /proc/sys/vm/fork_copy_mode ]; then
	echo 0 >/proc/sys/vm/fork_copy_mode
	echo "cow stack eager" >"$O/guest-modes"
else
	echo cow >"$O/guest-modes"
fi
if [ ! -f "$O/metadata.vm.json" ]; then
	build/forkbench metadata >"$O/metadata.vm.json.tmp" && mv "$O/metadata.vm.json.tmp" "$O/metadata.vm.json"
fi
t0=$(date +%s) est_done=0
unrefuse() {
	[ -f "$O/refused.txt" ] || return 0
	grep -v "^$1: " "$O/refused.txt" >"$O/refused.txt.tmp"
	if [ -s "$O/refused.txt.tmp" ]; then mv "$O/refused.txt.tmp" "$O/refused.txt"
	else rm -f "$O/refused.txt.tmp" "$O/refused.txt"; fi
}
cell() {	# I N EST NAME FORKBENCH-ARGS...
	i=$1 n=$2 est=$3 name=$4
	shift 4
	[ -f "$O/cells/$name.csv" ] && return 0
	el=$(($(date +%s) - t0)) eta=""
	[ "$est_done" -gt 0 ] && eta=", about $((el * est_left / est_done)) s left"
	echo "[$i/$n] $name ($el s elapsed$eta)"
	p=$O/cells/$name.part
	build/forkbench "$@" --format csv -o "$p.csv" --samples "$p.samples.csv" >"$p.log" 2>&1
	rc=$?
	cat "$p.log" >>"$O/run.log"
	if [ $rc = 0 ]; then
		mv "$p.samples.csv" "$O/cells/$name.samples.csv" && mv "$p.csv" "$O/cells/$name.csv"
		unrefuse "$name"
	else
		what=refused
		[ $rc = 2 ] || what="failed (exit $rc)"
		why=$(tail -n 1 "$p.log")
		echo "      $what: $why"
		unrefuse "$name"
		echo "$name: $what: $why" >>"$O/refused.txt"
	fi
	rm -f "$p".*
	est_done=$((est_done + est)) est_left=$((est_left - est))
}
est_left=76
echo "forklab guest: 32 cells (32 to run), x86_64, $(uname -r)"
cell 1 32 2 'counts@cow' 'heap' '--heap' '16M' '--child-write' '0.5' '--parent-write' '1' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'cow'
cell 2 32 2 'counts@stack' 'heap' '--heap' '16M' '--child-write' '0.5' '--parent-write' '1' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'stack'
cell 3 32 2 'counts@eager' 'heap' '--heap' '16M' '--child-write' '0.5' '--parent-write' '1' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'eager'
cell 4 32 2 'nested-seed@cow' 'scenario' 'nested' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'cow'
cell 5 32 2 'nested-seed@stack' 'scenario' 'nested' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'stack'
cell 6 32 2 'nested-seed@eager' 'scenario' 'nested' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'eager'
cell 7 32 2 'parent-writes@cow' 'scenario' 'parent-writes' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'cow'
cell 8 32 2 'parent-writes@stack' 'scenario' 'parent-writes' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'stack'
cell 9 32 2 'parent-writes@eager' 'scenario' 'parent-writes' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'eager'
cell 10 32 2 'last-sharer@cow' 'scenario' 'last-sharer-reuses' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'cow'
cell 11 32 2 'last-sharer@stack' 'scenario' 'last-sharer-reuses' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'stack'
cell 12 32 2 'last-sharer@eager' 'scenario' 'last-sharer-reuses' '-n' '3' '--warmup' '1' '--trace' '--fork-mode' 'eager'
cell 13 32 2 'fork-exec@cow' 'scenario' 'fork-exec' '-n' '5' '--warmup' '1' '--fork-mode' 'cow'
cell 14 32 2 'fork-exec@stack' 'scenario' 'fork-exec' '-n' '5' '--warmup' '1' '--fork-mode' 'stack'
cell 15 32 2 'fork-exec@eager' 'scenario' 'fork-exec' '-n' '5' '--warmup' '1' '--fork-mode' 'eager'
cell 16 32 8 'spawn-4k' 'spawn' '--heap' '0,4M,16M,64M' '--thp' 'never' '-n' '10' '--warmup' '1'
cell 17 32 8 'spawn-thp' 'spawn' '--heap' '0,4M,16M,64M' '--thp' 'always' '-n' '10' '--warmup' '1'
cell 18 32 2 'heap-4k@cow' 'heap' '--heap' '4M,16M,64M' '--child-write' '1' '-n' '3' '--warmup' '1' '--fork-mode' 'cow'
cell 19 32 2 'heap-4k@stack' 'heap' '--heap' '4M,16M,64M' '--child-write' '1' '-n' '3' '--warmup' '1' '--fork-mode' 'stack'
cell 20 32 2 'heap-4k@eager' 'heap' '--heap' '4M,16M,64M' '--child-write' '1' '-n' '3' '--warmup' '1' '--fork-mode' 'eager'
cell 21 32 2 'cross-1@cow' 'heap' '--heap' '16M' '--child-write' '0.01' '-n' '3' '--warmup' '1' '--fork-mode' 'cow'
cell 22 32 2 'cross-1@stack' 'heap' '--heap' '16M' '--child-write' '0.01' '-n' '3' '--warmup' '1' '--fork-mode' 'stack'
cell 23 32 2 'cross-1@eager' 'heap' '--heap' '16M' '--child-write' '0.01' '-n' '3' '--warmup' '1' '--fork-mode' 'eager'
cell 24 32 2 'cross-10@cow' 'heap' '--heap' '16M' '--child-write' '0.1' '-n' '3' '--warmup' '1' '--fork-mode' 'cow'
cell 25 32 2 'cross-10@stack' 'heap' '--heap' '16M' '--child-write' '0.1' '-n' '3' '--warmup' '1' '--fork-mode' 'stack'
cell 26 32 2 'cross-10@eager' 'heap' '--heap' '16M' '--child-write' '0.1' '-n' '3' '--warmup' '1' '--fork-mode' 'eager'
cell 27 32 2 'cross-50@cow' 'heap' '--heap' '16M' '--child-write' '0.5' '-n' '3' '--warmup' '1' '--fork-mode' 'cow'
cell 28 32 2 'cross-50@stack' 'heap' '--heap' '16M' '--child-write' '0.5' '-n' '3' '--warmup' '1' '--fork-mode' 'stack'
cell 29 32 2 'cross-50@eager' 'heap' '--heap' '16M' '--child-write' '0.5' '-n' '3' '--warmup' '1' '--fork-mode' 'eager'
cell 30 32 2 'cross-100@cow' 'heap' '--heap' '16M' '--child-write' '1' '-n' '3' '--warmup' '1' '--fork-mode' 'cow'
cell 31 32 2 'cross-100@stack' 'heap' '--heap' '16M' '--child-write' '1' '-n' '3' '--warmup' '1' '--fork-mode' 'stack'
cell 32 32 2 'cross-100@eager' 'heap' '--heap' '16M' '--child-write' '1' '-n' '3' '--warmup' '1' '--fork-mode' 'eager'
exit 0
