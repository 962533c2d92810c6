#!/bin/bash
# run-all.sh: matrix parsing errors name file and line; bad option
# combinations are one-line errors; --dry-run lists the cells (quick.conf,
# full.conf, --vm); a cell that cannot fit the machine is refused with the
# reason and the run carries on; an interrupted run (SIGINT to the group,
# SIGTERM to run-all.sh alone) leaves no process and no partial file behind,
# restores the sysctls it set, and --resume finishes the same cells with
# nothing duplicated and the finished cells untouched; the cells ran with
# ASLR off and metadata.json says so.
. "$(dirname "$0")/../lib.sh"
set -m	# job control: the run gets its own process group, as under a terminal
RA="$FORKLAB_ROOT/run-all.sh"

printf 'cell ok spawn -n 1\nbogus x y\n' >"$T_TMP/bad1.conf"
expect_fail "config: unknown keyword with line" 2 "bad1.conf:2: unknown keyword 'bogus'" -- "$RA" --config "$T_TMP/bad1.conf" --dry-run
printf '# c\ncell a spawn -n 1\ncell a spawn -n 2\n' >"$T_TMP/bad2.conf"
expect_fail "config: duplicate cell with line" 2 "bad2.conf:3: cell 'a' defined twice" -- "$RA" --config "$T_TMP/bad2.conf" --dry-run
printf 'cell b@d spawn\n' >"$T_TMP/bad3.conf"
expect_fail "config: bad cell name" 2 "bad3.conf:1: bad cell name 'b@d'" -- "$RA" --config "$T_TMP/bad3.conf" --dry-run
printf 'cell lonely\n' >"$T_TMP/bad4.conf"
expect_fail "config: cell without arguments" 2 "bad4.conf:1: cell 'lonely' has no forkbench arguments" -- "$RA" --config "$T_TMP/bad4.conf" --dry-run
expect_fail "missing config" 2 "config '/nonexistent.conf' not found" -- "$RA" --config /nonexistent.conf
expect_fail "unknown option" 2 "unknown option '--fast'" -- "$RA" --fast
expect_fail "resume of a non-run" 2 "is not a run folder" -- "$RA" --resume "$T_TMP"

# Bad combinations, on fake run folders (nothing runs).
mkdir -p "$T_TMP/hostrun/cells" "$T_TMP/vmrun/cells" "$T_TMP/oldrun/cells"
cp "$FORKLAB_ROOT/configs/matrix/quick.conf" "$T_TMP/hostrun/config.conf"
cp "$FORKLAB_ROOT/configs/matrix/vm.conf" "$T_TMP/vmrun/config.conf"
cp "$FORKLAB_ROOT/configs/matrix/quick.conf" "$T_TMP/oldrun/config.conf"
echo host >"$T_TMP/hostrun/run-kind"
echo vm >"$T_TMP/vmrun/run-kind"
printf '{\n    "kernel_release": "5.4.0-old",\n    "virtualization": "none"\n}\n' >"$T_TMP/oldrun/metadata.json"
expect_fail "--vm with --resume of a host run" 2 "ran on this machine's kernel, not under --vm: resume it without --vm" -- \
	"$RA" --vm --resume "$T_TMP/hostrun" --dry-run
expect_fail "--resume with --config" 2 "--resume runs the folder's own config.conf: drop --config" -- \
	"$RA" --resume "$T_TMP/hostrun" --config configs/matrix/full.conf --dry-run
expect_fail "--resume with --out" 2 "--resume writes into '.*hostrun' itself: drop --out" -- \
	"$RA" --resume "$T_TMP/hostrun" --out "$T_TMP/x" --dry-run
expect_fail "--resume of a run on another kernel" 2 "ran on kernel 5.4.0-old but this machine runs $(uname -r)" -- \
	"$RA" --resume "$T_TMP/oldrun" --dry-run
# A host run stopped before its metadata.json was written: resumed (the
# metadata is written then), unless it has finished cells, whose kernel is
# then unknown.
if "$RA" --resume "$T_TMP/hostrun" --dry-run >"$T_TMP/nometa.out" 2>&1; then
	check_eq "--resume of a host run without metadata.json or cells: the plan" 1 \
		"$(grep -c '^spawn-4k ' "$T_TMP/nometa.out")"
else
	fail "--resume of a host run without metadata.json or cells" "exit $?: $(head -c 300 "$T_TMP/nometa.out")"
fi
mkdir -p "$T_TMP/nometa/cells"
cp "$FORKLAB_ROOT/configs/matrix/quick.conf" "$T_TMP/nometa/config.conf"
echo host >"$T_TMP/nometa/run-kind"
: >"$T_TMP/nometa/cells/spawn-4k.csv"
expect_fail "--resume of finished cells without metadata.json" 2 \
	"has finished cells but no metadata.json: the kernel they ran on is unknown; start a new run" -- \
	"$RA" --resume "$T_TMP/nometa" --dry-run
expect_fail "--out onto an existing run" 2 "--out: '.*hostrun' already holds a run: finish it with --resume" -- \
	"$RA" --out "$T_TMP/hostrun" --dry-run
echo qemu >"$T_TMP/oldrun/run-kind"
expect_fail "--resume of a folder of an unknown kind" 2 "run-kind' says 'qemu' \(allowed: host, vm, debian\)" -- \
	"$RA" --resume "$T_TMP/oldrun" --dry-run
expect_fail "--debian without --vm" 2 "--debian: only with --vm \(the Debian userland booted under QEMU\)" -- \
	"$RA" --debian --dry-run
expect_fail "--kernel without --vm" 2 "--kernel '/tmp': only with --vm" -- "$RA" --kernel /tmp --dry-run
expect_fail "--kernel of a folder that is no kernel build" 2 "--kernel: '/tmp' is not a kernel build \(no bzImage and kernel.release" -- \
	"$RA" --vm --kernel /tmp --dry-run
expect_fail "--vm: a run folder with a space" 2 "--vm: the run folder is shared with the guest over 9p, so its path must not contain spaces or commas: '.*/a b'" -- \
	"$RA" --vm --out "$T_TMP/a b"
check_eq "no folder left by a refused --out" "" "$(ls -d "$T_TMP/x" "$T_TMP/a b" 2>/dev/null)"

# --dry-run: quick.conf, full.conf (every cell-modes line once per mode the
# kernel has), --vm (every mode: the guest kernel has them all).
if [ -e /proc/sys/vm/fork_copy_mode ]; then nmodes=3; else nmodes=1; fi
n=$("$RA" --dry-run | tail -n 1)
case "$n" in
"20 cells, about "*) got=1 ;;
"56 cells, about "*) got=3 ;;
*) got=none ;;
esac
if [ "$got" = "$nmodes" ]; then pass "dry-run of quick.conf: $n"; else fail "dry-run of quick.conf" "$n"; fi
full=$FORKLAB_ROOT/configs/matrix/full.conf
plain=$(grep -c '^cell ' "$full") modes=$(grep -c '^cell-modes ' "$full")
"$RA" --config "$full" --dry-run >"$T_TMP/full.txt" 2>&1
check_eq "dry-run of full.conf: cells" "$((plain + modes * nmodes)) cells" \
	"$(tail -n 1 "$T_TMP/full.txt" | cut -d, -f1)"
check_eq "full.conf: heaps up to 48G, every method, THP on/off, traced counts" "spawn-4k-48g spawn-thp-48g heap-4k-32g@cow counts@cow counts-thp@cow apps-counts@cow build-counts@cow" \
	"$(awk '/--heap 48G/ || /--heap 32G --child/ || /--trace/ { print $1 }' "$T_TMP/full.txt" | tr '\n' ' ' | sed 's/ $//')"
"$RA" --config "$full" --dry-run --vm >"$T_TMP/fullvm.txt" 2>&1
check_eq "dry-run of full.conf --vm: every mode" "$((plain + modes * 3)) cells" \
	"$(tail -n 1 "$T_TMP/fullvm.txt" | cut -d, -f1)"
check_eq "--vm: a modes cell in cow, stack, eager" \
	"heap-4k@cow:cow heap-4k@stack:stack heap-4k@eager:eager" \
	"$(awk '$1 ~ /^heap-4k@/ { print $1 ":" $NF }' "$T_TMP/fullvm.txt" | tr '\n' ' ' | sed 's/ $//')"
check_eq "--vm without --config: vm.conf" \
	"$(($(grep -c '^cell ' "$FORKLAB_ROOT/configs/matrix/vm.conf") + 3 * $(grep -c '^cell-modes ' "$FORKLAB_ROOT/configs/matrix/vm.conf"))) cells" \
	"$("$RA" --vm --dry-run | tail -n 1 | cut -d, -f1)"
check_eq "--vm --debian without --config: debian.conf" \
	"$(($(grep -c '^cell ' "$FORKLAB_ROOT/configs/matrix/debian.conf") + 3 * $(grep -c '^cell-modes ' "$FORKLAB_ROOT/configs/matrix/debian.conf"))) cells" \
	"$("$RA" --vm --debian --dry-run | tail -n 1 | cut -d, -f1)"

# A real refusal: full.conf's biggest cell (a 32 GiB heap: ~96 GiB needed)
# next to one that fits; the run carries on and finishes.
avail_g=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
if [ "$avail_g" -ge 100 ]; then
	skip "refusal of a cell too big for the machine" "this machine has $avail_g GiB available: full.conf's biggest cell fits"
else
	{
		grep '^cell-modes heap-4k-32g ' "$full" | sed 's/^cell-modes/cell/'
		echo "cell small scenario last-sharer-reuses -n 2 --warmup 0"
	} >"$T_TMP/refuse.conf"
	rc=0
	"$RA" --config "$T_TMP/refuse.conf" --out "$T_TMP/refrun" >"$T_TMP/reflog" 2>&1 || rc=$?
	check_eq "run with a refused cell exits 0" 0 "$rc"
	check_eq "refusal names the cell's need" "1" \
		"$(grep -c '^      refused: forkbench heap: heap (parent + memcpy buffer + copies) needs 96 GiB but only .* is available' "$T_TMP/reflog")"
	check_eq "refused.txt: the cell and why" "heap-4k-32g: refused: forkbench heap: heap (parent + memcpy buffer + copies) needs 96 GiB" \
		"$(sed 's/ but only .*//' "$T_TMP/refrun/refused.txt")"
	check_eq "the cell after the refused one ran" "small.csv small.samples.csv" \
		"$(cd "$T_TMP/refrun/cells" && echo *)"
fi

# Interrupt and resume: cells a, b quick; c slow, asks for THP (interrupted
# twice); d after it.  The sysctls live in a fake tree: THP "never" must be
# raised to madvise for the THP cell and vm.fork_copy_mode set to 0 during
# the run, and both restored on every exit.
fake=$T_TMP/sysfs
mkdir -p "$fake/sys/kernel/mm/transparent_hugepage" "$fake/proc/sys/vm"
echo 'always madvise [never]' >"$fake/sys/kernel/mm/transparent_hugepage/enabled"
echo 2 >"$fake/proc/sys/vm/fork_copy_mode"
# The value chosen: the bracketed word of a sysfs choice (the fake file
# holds what was last written, a bare word, as a sysctl file would).
thp() { sed 's/.*\[\(.*\)\].*/\1/' "$fake/sys/kernel/mm/transparent_hugepage/enabled"; }
fcm() { cat "$fake/proc/sys/vm/fork_copy_mode"; }
cat >"$T_TMP/m.conf" <<'CONF'
cell a spawn --method fork_exit -n 3 --warmup 0
cell b scenario nested -n 2 --warmup 0
cell c spawn --method fork_exit --heap 16M --thp always -n 1000000 --warmup 0
cell-modes d scenario last-sharer-reuses -n 2 --warmup 0
CONF
run=$T_TMP/run
wait_for() {	# PATTERN FILE: up to 60 s
	for _ in $(seq 600); do
		grep -q -- "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}
# interrupt NAME SIG TARGET: start or resume the run, signal it while cell c runs.
interrupt() {
	local log=$T_TMP/log-$1 rc=0
	if [ -d "$run" ]; then
		FORKLAB_SYSFS_ROOT=$fake "$RA" --resume "$run" >"$log" 2>&1 &
	else
		FORKLAB_SYSFS_ROOT=$fake "$RA" --config "$T_TMP/m.conf" --out "$run" >"$log" 2>&1 &
	fi
	pid=$!
	wait_for '] c ' "$log" || fail "$1: cell c started" "$(tail -n 3 "$log")"
	sleep 1
	check_eq "$1: sysctls set while the cell runs" "madvise 0" "$(thp) $(fcm)"
	# ADDR_NO_RANDOMIZE = 0x0040000 in /proc/PID/personality (hex)
	# (the first forkbench of the group whose personality can be read: on a
	# loaded machine setarch may not have exec'd it yet, or a child is exiting)
	local fb pers=
	for _ in $(seq 100); do
		for fb in $(pgrep -g "$pid" -x forkbench); do
			pers=$(cat "/proc/$fb/personality" 2>/dev/null) && break 2
		done
		sleep 0.1
	done
	check_eq "$1: forkbench runs with ASLR off (setarch -R)" 1 "$(((0x${pers:-0} >> 18) & 1))"
	if [ "$3" = group ]; then kill -"$2" -- -"$pid"; else kill -"$2" "$pid"; fi
	wait "$pid" || rc=$?
	check_eq "$1: exit status" "$4" "$rc"
	check_eq "$1: no process of the run left" "" "$(pgrep -g "$pid" | tr '\n' ' ')"
	check_eq "$1: sysctls restored" "never 2" "$(thp) $(fcm)"
	check_eq "$1: finished cells kept, interrupted one absent" "a.csv b.csv" \
		"$(find "$run/cells" -maxdepth 1 -name '*.csv' ! -name '*.samples.csv' -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
	check_eq "$1: no partial files left" "" "$(find "$run/cells" -mindepth 1 -maxdepth 1 \( -name '*tmp*' -o -name '*part*' \) -printf '%f\n')"
	check_eq "$1: one line to resume" "run-all.sh: interrupted by SIG$2; finish with ./run-all.sh --resume $run" \
		"$(tail -n 1 "$log")"
}
interrupt sigint INT group 130
before=$(stat -c %Y "$run/cells/a.csv")
interrupt sigterm TERM pid 143
check_eq "the first resume ran nothing before c" "c" \
	"$(grep -o '\] [a-z@]*' "$T_TMP/log-sigterm" | sed 's/\] //' | tr '\n' ' ' | sed 's/ $//')"
# Cell c again, now short (its name and place unchanged): the last resume.
sed -i 's/-n 1000000/-n 3/' "$run/config.conf"
sleep 1
if FORKLAB_SYSFS_ROOT=$fake "$RA" --resume "$run" >"$T_TMP/log2" 2>&1; then
	pass "resume finishes"
else
	fail "resume finishes" "$(tail -n 3 "$T_TMP/log2")"
fi
check_eq "resume ran only the missing cells" "c d@cow" \
	"$(grep -o '\] [a-z@]*' "$T_TMP/log2" | sed 's/\] //' | tr '\n' ' ' | sed 's/ $//')"
check_eq "finished cell untouched" "$before" "$(stat -c %Y "$run/cells/a.csv")"
check_eq "sysctls restored after the run" "never 2" "$(thp) $(fcm)"
# summary: each cell's rows once (a: 3 metrics; b: 4 write rows + 3 fork
# rows, A has no fork; c: 3; d: A's write + B's fork, B exits unwritten).
cells=$(python3 -c '
import csv, sys, collections
c = collections.Counter(r["cell"] for r in csv.DictReader(open(sys.argv[1])))
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))' "$run/summary.csv")
check_eq "summary has every cell once" "a=3 b=7 c=3 d@cow=2" "$cells"
check_eq "samples: each iteration once (a: 3 iterations x 5 values)" 15 \
	"$(grep -vc '^#\|^bench' "$run/cells/a.samples.csv")"
meta=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["run_kind"], "|", m["aslr_process"], "|", m["aslr_cells"], "|", m["sysctls_for_run"])' "$run/metadata.json")
check_eq "metadata: ASLR and the sysctls the run set" \
	"host | off (ADDR_NO_RANDOMIZE) | off (setarch -R per forkbench run; kernel.randomize_va_space untouched) | $fake/sys/kernel/mm/transparent_hugepage/enabled: never -> madvise;$fake/proc/sys/vm/fork_copy_mode: 2 -> 0" \
	"$meta"
check_eq "kernel.randomize_va_space untouched" "$(cat /proc/sys/kernel/randomize_va_space)" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aslr_sysctl"])' "$run/metadata.json")"
