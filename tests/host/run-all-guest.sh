#!/bin/bash
# scripts/run-all-guest.sh, the cells of run-all.sh --vm, run here under
# busybox sh (the guest's shell) and dash, with the sysctls in a fake tree
# (FORKLAB_SYSFS_ROOT): a cell that runs, one forkbench refuses (exit 2),
# one that fails (exit 3, from a forkbench wrapper), one already done; the
# lines of refused.txt (scripts/run-all-lib.sh, shared with the host run),
# no partial file, the done cell untouched, ASLR restored and fork_copy_mode
# 0, guest-modes and metadata.vm.json; then the same folder again: only the
# cells without a CSV run, a cell that now runs loses its refusal, one that
# fails again keeps one line.  A bad cells file or no run folder: one line,
# exit 2, nothing run.
. "$(dirname "$0")/../lib.sh"
GUEST=$FORKLAB_ROOT/scripts/run-all-guest.sh

# forkbench, but "crash" fails as a broken cell would (exit 3).
mkdir -p "$T_TMP/fb"
cat >"$T_TMP/fb/forkbench" <<EOF
#!/bin/sh
[ "\$1" = crash ] && { echo "forkbench crash: broken on purpose" >&2; exit 3; }
exec "$FB" "\$@"
EOF
chmod +x "$T_TMP/fb/forkbench"

# What forkbench says about the cell it refuses (its wording is its own).
why_bad=$("$FB" heap --heap 4X -n 1 2>&1 >/dev/null | tail -n 1)
check_eq "forkbench refuses --heap 4X (exit 2)" 2 "$("$FB" heap --heap 4X -n 1 >/dev/null 2>&1; echo $?)"

shells=()
if command -v busybox >/dev/null; then shells+=("busybox sh"); fi
if command -v dash >/dev/null; then shells+=(dash); fi
if [ ${#shells[@]} = 0 ]; then shells=(sh); fi

# setup DIR [MODES]: a run folder DIR/run with its cells file, a fake sysctl
# tree DIR/sys (ASLR 2; fork_copy_mode 2 unless MODES is "cow").
setup() {
	rm -rf "$1"
	mkdir -p "$1/run/cells" "$1/sys/proc/sys/kernel" "$1/sys/proc/sys/vm"
	echo 2 >"$1/sys/proc/sys/kernel/randomize_va_space"
	[ "${2:-}" = cow ] || echo 2 >"$1/sys/proc/sys/vm/fork_copy_mode"
	cat >"$1/run/guest-cells.txt" <<'CELLS'
# forklab: test cells (NAME EST_SECONDS FORKBENCH-ARGS...).
small 1 scenario last-sharer-reuses -n 2 --warmup 0
done 1 spawn --method fork_exit -n 2 --warmup 0
bad 1 heap --heap 4X -n 1
crash 1 crash --anything
CELLS
	echo "kept as it was" >"$1/run/cells/done.csv"
}
# guest DIR SHELL...: run the guest script on DIR's run folder.
guest() {
	local d=$1
	shift
	FORKLAB_OUT=$d/run FORKLAB_BUILD=$T_TMP/fb FORKLAB_SYSFS_ROOT=$d/sys \
		"$@" "$GUEST" "$d/run/guest-cells.txt" >"$d/out" 2>&1
}
cells_of() { find "$1/run/cells" -mindepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }

for sh in "${shells[@]}"; do
	d=$T_TMP/${sh%% *}
	setup "$d"
	rc=0
	# shellcheck disable=SC2086 # "busybox sh" is two words
	guest "$d" $sh || rc=$?
	check_eq "$sh: exit 0 with a refused and a failed cell" 0 "$rc"
	check_eq "$sh: progress: the 3 cells to run, in order" \
		"forklab guest: 4 cells (3 to run), $(uname -m), $(uname -r)|[1/3] small|[2/3] bad|[3/3] crash" \
		"$(grep -E '^(forklab guest|\[)' "$d/out" | sed '/^\[/s/ (.*//' | tr '\n' '|' | sed 's/|$//')"
	check_eq "$sh: the refused and the failed cell said why" \
		"      refused: $why_bad|      failed (exit 3): forkbench crash: broken on purpose" \
		"$(grep '^      ' "$d/out" | tr '\n' '|' | sed 's/|$//')"
	check_eq "$sh: refused.txt, one line per cell" \
		"bad: refused: $why_bad|crash: failed (exit 3): forkbench crash: broken on purpose" \
		"$(tr '\n' '|' <"$d/run/refused.txt" | sed 's/|$//')"
	check_eq "$sh: complete cells only, no partial file" "done.csv small.csv small.samples.csv" "$(cells_of "$d")"
	check_eq "$sh: the done cell untouched" "kept as it was" "$(cat "$d/run/cells/done.csv")"
	check_eq "$sh: ASLR restored, fork_copy_mode 0 (cow)" "2 0" \
		"$(cat "$d/sys/proc/sys/kernel/randomize_va_space") $(cat "$d/sys/proc/sys/vm/fork_copy_mode")"
	check_eq "$sh: guest-modes" "cow stack eager" "$(cat "$d/run/guest-modes")"
	check_eq "$sh: metadata.vm.json is forkbench's" "$(uname -r)" \
		"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["kernel_release"])' "$d/run/metadata.vm.json" 2>&1)"
	check_eq "$sh: forkbench's output in run.log" 1 "$(grep -c '^forkbench crash: broken on purpose$' "$d/run/run.log")"

	# Again: bad now fits, crash still fails.
	sed -i 's/--heap 4X/--heap 1M/' "$d/run/guest-cells.txt"
	rc=0
	# shellcheck disable=SC2086
	guest "$d" $sh || rc=$?
	check_eq "$sh: again: only the cells without a CSV ran" \
		"forklab guest: 4 cells (2 to run)|[1/2] bad|[2/2] crash" \
		"$(grep -E '^(forklab guest|\[)' "$d/out" | sed '/^\[/s/ (.*//; s/), .*/)/' | tr '\n' '|' | sed 's/|$//')"
	check_eq "$sh: again: the cell that ran lost its refusal, the other kept one line" \
		"crash: failed (exit 3): forkbench crash: broken on purpose" "$(cat "$d/run/refused.txt")"
	check_eq "$sh: again: cells" "bad.csv bad.samples.csv done.csv small.csv small.samples.csv" "$(cells_of "$d")"
done

# A kernel without vm.fork_copy_mode: cow only.
d=$T_TMP/stock
setup "$d" cow
printf 'small 1 scenario last-sharer-reuses -n 2 --warmup 0\n' >"$d/run/guest-cells.txt"
guest "$d" sh
check_eq "stock kernel: guest-modes cow, no fork_copy_mode written" "cow absent" \
	"$(cat "$d/run/guest-modes") $([ -e "$d/sys/proc/sys/vm/fork_copy_mode" ] && echo present || echo absent)"

# Bad input: one line, exit 2, nothing run (no guest-modes, ASLR untouched).
d=$T_TMP/bad
setup "$d"
bad_case() {	# NAME PATTERN CELLS-LINE
	printf '%s\n' "$3" >"$d/run/guest-cells.txt"
	expect_fail "$1" 2 "$2" -- env FORKLAB_OUT="$d/run" FORKLAB_BUILD="$T_TMP/fb" FORKLAB_SYSFS_ROOT="$d/sys" \
		sh "$GUEST" "$d/run/guest-cells.txt"
}
bad_case "cells: EST not a number" "guest-cells.txt:1: 'x' is not a time in seconds" "small x scenario nested"
bad_case "cells: no forkbench arguments" "guest-cells.txt:1: cell 'lonely' has no forkbench arguments" "lonely 3"
expect_fail "no cells file" 2 "^run-all-guest.sh: no cells file '/nonexistent'$" -- \
	env FORKLAB_OUT="$d/run" sh "$GUEST" /nonexistent
expect_fail "no argument" 2 "^run-all-guest.sh: usage: run-all-guest.sh CELLS" -- sh "$GUEST"
expect_fail "no FORKLAB_OUT" 2 "^run-all-guest.sh: FORKLAB_OUT='' is not a run folder" -- \
	env -u FORKLAB_OUT sh "$GUEST" "$d/run/guest-cells.txt"
check_eq "bad input: nothing run, ASLR untouched" "done.csv | 2" \
	"$(cells_of "$d") $(ls "$d/run/guest-modes" 2>/dev/null)| $(cat "$d/sys/proc/sys/kernel/randomize_va_space")"
