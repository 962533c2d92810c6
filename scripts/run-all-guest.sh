#!/bin/sh
# The cells of a run-all.sh --vm run, in forklab's kernel under QEMU (busybox
# sh; scripts/kernel/initramfs.sh puts it in the guest as
# /forklab/scripts/run-all-guest.sh).
#
#   sh scripts/run-all-guest.sh CELLS
#
# CELLS: one cell per line, "NAME EST FORKBENCH-ARGS...", EST its rough time
# in seconds; run-all.sh --vm writes the whole matrix into the run folder
# (guest-cells.txt).  The run folder is $FORKLAB_OUT, shared with the host
# over 9p: a cell whose cells/NAME.csv is there is done and skipped, the
# others run one by one and end as on the host (scripts/run-all-lib.sh:
# their files renamed into cells/ when complete, or a line in refused.txt).
# Progress lines go to stdout, forkbench's output to run.log.
#
# For the run, ASLR is off (kernel.randomize_va_space=0, restored on exit)
# and vm.fork_copy_mode is 0 (cow), so cells without --fork-mode measure the
# stock behaviour.  guest-modes gets the modes the kernel has,
# metadata.vm.json forkbench's metadata and, when a cell traces,
# cowtrace-sources.json where cowtrace's counters come from in this kernel.
# forkbench is $FORKLAB_BUILD's (default /forklab/build); FORKLAB_SYSFS_ROOT
# points the sysctls at a copy of the tree (tests).  Exit status 0 once every cell ran or was refused, 2
# for a bad CELLS file or no FORKLAB_OUT (nothing run).
die() { echo "run-all-guest.sh: $*" >&2; exit 2; }
[ $# = 1 ] || die "usage: run-all-guest.sh CELLS (one 'NAME EST FORKBENCH-ARGS...' line per cell)"
cells=$1
[ -f "$cells" ] || die "no cells file '$cells'"
O=${FORKLAB_OUT:-}
if [ -z "$O" ] || [ ! -d "$O/cells" ]; then die "FORKLAB_OUT='$O' is not a run folder (no cells/)"; fi
FB=${FORKLAB_BUILD:-/forklab/build}/forkbench
SYS=${FORKLAB_SYSFS_ROOT:-}
# shellcheck source=scripts/run-all-lib.sh
. "$(dirname "$0")/run-all-lib.sh"
set -f	# forkbench's arguments are words, never file patterns

# The matrix, checked before anything runs: how many cells, how many to run.
total=0 todo=0 est_left=0 n=0
while read -r name est args; do
	n=$((n + 1))
	case "$name$est$args" in '' | '#'*) continue ;; esac
	case "$est" in '' | *[!0-9]*) die "$cells:$n: '$est' is not a time in seconds (NAME EST FORKBENCH-ARGS...)" ;; esac
	[ -n "$args" ] || die "$cells:$n: cell '$name' has no forkbench arguments"
	total=$((total + 1))
	[ -f "$O/cells/$name.csv" ] && continue
	todo=$((todo + 1)) est_left=$((est_left + est))
done <"$cells"

aslr_file=$SYS/proc/sys/kernel/randomize_va_space
aslr=$(cat "$aslr_file")
echo 0 >"$aslr_file"
trap 'echo "$aslr" >"$aslr_file"' EXIT
if [ -e "$SYS/proc/sys/vm/fork_copy_mode" ]; then
	echo 0 >"$SYS/proc/sys/vm/fork_copy_mode"
	echo "cow stack eager" >"$O/guest-modes"
else
	echo cow >"$O/guest-modes"
fi
if [ ! -f "$O/metadata.vm.json" ]; then
	"$FB" metadata >"$O/metadata.vm.json.tmp" && mv "$O/metadata.vm.json.tmp" "$O/metadata.vm.json"
fi
# With --trace in the matrix: where this kernel gives cowtrace each counter
# (cowtrace -f json's "counters": status and source), so a check can tell a
# count from a probe apart from one read off the kernel's own vm events.
CT=$(dirname "$FB")/cowtrace
if [ ! -f "$O/cowtrace-sources.json" ] && [ -x "$CT" ] && grep -q -- '--trace' "$cells"; then
	if "$CT" -f json -o "$O/cowtrace-sources.json.tmp" -- true >/dev/null 2>&1; then
		mv "$O/cowtrace-sources.json.tmp" "$O/cowtrace-sources.json"
	else
		rm -f "$O/cowtrace-sources.json.tmp"
	fi
fi

echo "forklab guest: $total cells ($todo to run), $(uname -m), $(uname -r)"
t0=$(date +%s) est_done=0 i=0
while read -r name est args; do
	case "$name$est$args" in '' | '#'*) continue ;; esac
	[ -f "$O/cells/$name.csv" ] && continue
	i=$((i + 1))
	el=$(($(date +%s) - t0)) eta=""
	[ "$est_done" -gt 0 ] && eta=", about $((el * est_left / est_done)) s left"
	echo "[$i/$todo] $name ($el s elapsed$eta)"
	p=$O/cells/$name.part
	# shellcheck disable=SC2086 # the matrix's forkbench arguments, one word each
	"$FB" $args --format csv -o "$p.csv" --samples "$p.samples.csv" >"$p.log" 2>&1 </dev/null
	rc=$?
	cat "$p.log" >>"$O/run.log"
	cell_keep "$O" "$name" "$p" "$rc"
	est_done=$((est_done + est)) est_left=$((est_left - est))
done <"$cells"
exit 0
