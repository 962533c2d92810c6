#!/usr/bin/env bash
# forklab's main job: dependencies -> build -> matrix -> results/<run>/.
#
#   ./run-all.sh                      the quick matrix (configs/matrix/quick.conf)
#   ./run-all.sh --config FILE        another matrix (configs/matrix/full.conf: bare metal)
#   ./run-all.sh --dry-run            list the cells and an estimated time
#   ./run-all.sh --vm                 run a matrix (default configs/matrix/vm.conf) in
#                                     forklab's patched kernel under QEMU, every fork
#                                     mode; plots and report are made on the host
#   ./run-all.sh --vm --kernel DIR    boot that kernel build (default build/kernel, from
#                                     make kernel; e.g. a cached /var/cache/forklab/kernel/*)
#   ./run-all.sh --resume DIR         finish an interrupted run in DIR (where it began)
#   ./run-all.sh --out DIR            write the run to DIR (default results/<date>-<host>-<kernel>)
#
# A run folder holds metadata.json (the machine), cells/NAME.csv (summary)
# and cells/NAME.samples.csv (every sample) per cell, summary.csv (all
# cells), plots/ (PNG + SVG), report.md, report.html and run.log.  A cell's
# files appear only when it is complete, so --resume re-runs exactly the
# missing cells.  A cell that does not fit the machine is refused, with the
# reason (refused.txt), and the run carries on.
#
# Every forkbench runs with ASLR off: setarch -R on the host (no sysctl
# touched), kernel.randomize_va_space=0 in the guest.  For the run, THP
# "never" becomes "madvise" when a cell asks for --thp always, and
# vm.fork_copy_mode is set to 0 (cow) so cells without --fork-mode measure
# the stock behaviour; both are restored on every exit, Ctrl-C and SIGTERM
# included.  Under QEMU (--vm) times mean nothing; counts are exact.
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "run-all.sh: $*" >&2; exit 2; }
# cell_keep, refuse, unrefuse: the end of a cell, the same in the guest.
# shellcheck source=scripts/run-all-lib.sh
. scripts/run-all-lib.sh

config='' dry=0 resume='' out='' vm=0 kernel=
while [ $# -gt 0 ]; do
	case "$1" in
	--config) [ $# -ge 2 ] || die "--config needs a FILE"; config=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	--vm) vm=1; shift ;;
	--kernel) [ $# -ge 2 ] || die "--kernel needs a kernel build folder"; kernel=$2; shift 2 ;;
	--resume) [ $# -ge 2 ] || die "--resume needs a run folder"; resume=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift 2 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) die "unknown option '$1' (allowed: --config FILE, --dry-run, --vm, --kernel DIR, --resume DIR, --out DIR)" ;;
	esac
done
# A run folder's kind: host (the running kernel) or vm (the patched kernel under QEMU).
run_kind() { if [ -f "$1/run-kind" ]; then cat "$1/run-kind"; else echo host; fi; }
if [ -n "$resume" ]; then
	[ -z "$config" ] || die "--resume runs the folder's own config.conf: drop --config '$config'"
	[ -z "$out" ] || die "--resume writes into '$resume' itself: drop --out '$out'"
	[ -d "$resume/cells" ] || die "--resume: '$resume' is not a run folder (no cells/)"
	[ -f "$resume/config.conf" ] || die "--resume: '$resume' has no config.conf"
	kind=$(run_kind "$resume")
	case "$kind" in
	host)
		[ "$vm" = 0 ] || die "--resume: '$resume' ran on this machine's kernel, not under --vm: resume it without --vm"
		ran=$(sed -n 's/^ *"kernel_release": "\([^"]*\)".*/\1/p' "$resume/metadata.json" 2>/dev/null | head -n 1)
		[ -z "$ran" ] || [ "$ran" = "$(uname -r)" ] ||
			die "--resume: '$resume' ran on kernel $ran but this machine runs $(uname -r): start a new run"
		;;
	vm) vm=1 ;;
	*) die "--resume: '$resume/run-kind' says '$kind' (allowed: host, vm)" ;;
	esac
	config=$resume/config.conf
	out=$resume
elif [ -n "$out" ] && { [ -e "$out/config.conf" ] || [ -d "$out/cells" ]; }; then
	die "--out: '$out' already holds a run: finish it with --resume '$out' or pick another folder"
fi
if [ -n "$kernel" ]; then
	[ "$vm" = 1 ] || die "--kernel '$kernel': only with --vm (the kernel booted under QEMU)"
	if [ ! -f "$kernel/bzImage" ] || [ ! -f "$kernel/kernel.release" ]; then
		die "--kernel: '$kernel' is not a kernel build (no bzImage and kernel.release; make kernel makes build/kernel)"
	fi
fi
if [ "$vm" = 1 ]; then
	: "${config:=configs/matrix/vm.conf}"
	case "${out:-results}" in /*) abs=${out:-results} ;; *) abs=$PWD/${out:-results} ;; esac
	case "$abs" in *[[:space:],]*)
		die "--vm: the run folder is shared with the guest over 9p, so its path must not contain spaces or commas: '$abs'" ;;
	esac
fi
: "${config:=configs/matrix/quick.conf}"
[ -f "$config" ] || die "config '$config' not found"

# ---- parse and check the matrix: errors name file and line ----
# build/forklab-matrix (bench/matrix.c, the grammar and its errors) expands
# the config into NAME<TAB>FORKBENCH-ARGS lines, or prints one error line.
# With --check it first runs every cell's arguments through forkbench's own
# parser (forkbench ARGS --check: every option and value, nothing run), so
# a broken matrix stops here, dry run or not, before any cell runs; a cell
# that only does not fit this machine is refused when its turn comes.
modes_avail="cow"
if [ -e /proc/sys/vm/fork_copy_mode ]; then modes_avail="cow stack eager"; fi
tools=(build/forklab-matrix build/forkbench)
if ! command -v make >/dev/null || ! command -v gcc >/dev/null || ! make -s "${tools[@]}" >/dev/null 2>&1; then
	scripts/install-deps.sh --user
	make -s "${tools[@]}" || die "cannot build ${tools[*]}, which check the matrix (see above)"
fi
cells=$(build/forklab-matrix --modes "$modes_avail" --check build/forkbench -- "$config" 2>&1) ||
	die "${cells#forklab-matrix: }"
names=() args=()
while IFS=$'\t' read -r n a; do names+=("$n"); args+=("$a"); done <<<"$cells"

# ---- --vm: the guest kernel has every fork mode ----
# The matrix was expanded for the running kernel (cow only on a stock one);
# the guest runs each cell-modes cell in cow, stack and eager.
if [ "$vm" = 1 ]; then
	vn=() va=()
	for i in "${!names[@]}"; do
		vn+=("${names[$i]}") va+=("${args[$i]}")
		case "${names[$i]}" in *@cow) ;; *) continue ;; esac
		base=${names[$i]%@cow}
		for m in stack eager; do
			printf '%s\n' "${names[@]}" | grep -qxF "$base@$m" && continue
			vn+=("$base@$m") va+=("${args[$i]% --fork-mode cow} --fork-mode $m")
		done
	done
	names=("${vn[@]}") args=("${va[@]}")
fi

# Rough time per cell, from its iterations and heap sizes (seconds).
estimate() {
	awk -v a="$1" 'BEGIN {
		n = 10; if (match(a, /-n [0-9]+/)) n = substr(a, RSTART + 3, RLENGTH - 3) + 0
		h = 0; if (match(a, /--heap [^ ]+/)) {
			split(substr(a, RSTART + 7, RLENGTH - 7), s, ",")
			for (i in s) { v = s[i] + 0; u = substr(s[i], length(s[i]));
				if (u == "G") v *= 1024; else if (u == "K") v /= 1024; h += v } }
		t = 1 + n * (0.01 + h / 1024 * 0.6)
		if (a ~ /^spawn/) t *= 5
		printf "%d", t }'
}
# Under QEMU TCG a guest runs about this much slower (vm.conf, 2 vCPUs:
# 145 s of cells for 44 s of host estimate, 2026-11-21).
tcg_factor=3
ests=() est_total=0
for i in "${!names[@]}"; do
	e=$(estimate "${args[$i]}")
	[ "$vm" = 0 ] || e=$((e * tcg_factor))
	ests+=("$e"); est_total=$((est_total + e))
done

if [ "$dry" = 1 ]; then
	total=0 left=0
	printf '%-28s %6s  %s\n' cell est_s "forkbench arguments"
	for i in "${!names[@]}"; do
		e=${ests[$i]}
		if [ -n "$resume" ] && [ -f "$out/cells/${names[$i]}.csv" ]; then
			printf '%-28s %6s  %s\n' "${names[$i]}" "done" "${args[$i]}"
			continue
		fi
		total=$((total + e)) left=$((left + 1))
		printf '%-28s %6d  %s\n' "${names[$i]}" "$e" "${args[$i]}"
	done
	where="on this machine"
	[ "$vm" = 0 ] || where="under QEMU; TCG times are a rough guess"
	[ -z "$resume" ] || where="$where; $((${#names[@]} - left)) done"
	echo "${#names[@]} cells, about $((total / 60)) min $((total % 60)) s ($left to run $where)"
	exit 0
fi

# ---- dependencies and build ----
if ! scripts/install-deps.sh --check >/dev/null 2>&1; then
	scripts/install-deps.sh --user
fi
make -s all
initrd=build/kernel-initramfs.cpio.gz
if [ "$vm" = 1 ]; then
	# The guest kernel (cached; the first build takes 10+ minutes), the
	# static programs and the initramfs.
	make -s static
	if [ -z "$kernel" ]; then
		make -s initramfs
		kernel=build/kernel
	else
		# That kernel, with build/static and build/guest-root as they are.
		initrd=build/run-all-initramfs.cpio.gz
		scripts/kernel/initramfs.sh --kernel "$kernel" --out "$initrd"
	fi
fi

if [ -z "$out" ]; then
	if [ "$vm" = 1 ]; then
		out=results/$(date -u +%Y%m%d-%H%M%S)-qemu-$(cat "$kernel/kernel.release")
	else
		out=results/$(date -u +%Y%m%d-%H%M%S)-$(hostname -s)-$(uname -r)
	fi
fi
# A new run folder that cannot be written (permissions, a full disk) is
# removed again: one line says why, nothing is left.
new_run=0
[ -e "$out" ] || new_run=1
setup_fail() {	# ERROR-OUTPUT
	[ "$new_run" = 0 ] || rm -rf "$out"
	echo "run-all.sh: cannot write the run folder '$out': $(printf '%s\n' "$1" | tail -n 1)" >&2
	exit 1
}
err=$(mkdir -p "$out/cells" 2>&1) || setup_fail "$err"
if [ ! -f "$out/config.conf" ]; then
	err=$({ cp "$config" "$out/config.conf.tmp" && mv "$out/config.conf.tmp" "$out/config.conf"; } 2>&1) ||
		setup_fail "$err"
fi
kind=host
[ "$vm" = 0 ] || kind=vm
err=$( (echo "$kind" >"$out/run-kind") 2>&1) || setup_fail "$err"
log=$out/run.log

# ---- sysctls: saved, set for the run, restored on every exit ----
# FORKLAB_SYSFS_ROOT points these at a copy of the tree (tests).
SYSFS=${FORKLAB_SYSFS_ROOT:-}
THP_ENABLED=$SYSFS/sys/kernel/mm/transparent_hugepage/enabled
FORK_MODE=$SYSFS/proc/sys/vm/fork_copy_mode
saved=() changed=()
sysctl_get() {	# PATH: the value, or the [chosen] one of a sysfs choice
	local v
	v=$(cat "$1" 2>/dev/null) || return 1
	case "$v" in *\[*\]*) v=${v#*[}; v=${v%%]*} ;; esac
	printf '%s\n' "$v"
}
sysctl_set() {	# PATH VALUE
	local cur
	cur=$(sysctl_get "$1") || return 0
	[ "$cur" != "$2" ] || return 0
	if ! (echo "$2" >"$1") 2>/dev/null; then
		echo "run-all.sh: cannot set $1 to $2 (not root?): the cells run with $cur" >&2
		return 0
	fi
	saved+=("$1=$cur") changed+=("$1: $cur -> $2")
	echo "forklab: $1: $cur -> $2 for this run (restored at the end)"
}
restore_sysctls() {
	local i p v
	for ((i = ${#saved[@]} - 1; i >= 0; i--)); do
		p=${saved[$i]%=*} v=${saved[$i]##*=}
		if (echo "$v" >"$p") 2>/dev/null; then
			echo "forklab: $p restored to $v"
		else
			echo "run-all.sh: could not restore $p to $v: do it by hand" >&2
		fi
	done
	saved=()
}

# A cell's files are written as NAME.part.* and renamed when complete; an
# interrupted cell leaves only those, removed here.
cleanup() { rm -f "$out"/cells/*.tmp "$out"/cells/*.part.*; }
child='' tail_pid=''
on_signal() {	# SIG STATUS: stop the cell (or the guest), tidy up, restore
	trap '' INT TERM HUP
	# forkbench handles SIGINT itself; vm-run.sh, a background job of this
	# non-interactive shell, starts with SIGINT ignored and cannot trap it,
	# so it is stopped with SIGTERM (it stops QEMU).
	if [ -n "$child" ]; then
		if [ "$vm" = 1 ]; then kill -TERM "$child" 2>/dev/null || true
		else kill -"$1" "$child" 2>/dev/null || true; fi
		wait "$child" 2>/dev/null || true
	fi
	[ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
	cleanup
	[ "$vm" = 0 ] || vm_metadata
	restore_sysctls
	echo >&2
	echo "run-all.sh: interrupted by SIG$1; finish with ./run-all.sh --resume $out" >&2
	exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
trap 'restore_sysctls' EXIT

# metadata.json: forkbench's (with the ASLR the cells ran with) + run-all's.
meta_merge() {	# SRC DEST KEY=VALUE...
	python3 - "$@" <<'PY'
import json, os, sys
src, dest = sys.argv[1], sys.argv[2]
m = json.load(open(src))
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    m[k] = v
with open(dest + ".tmp", "w") as f:
    json.dump(m, f, indent=4)
    f.write("\n")
os.replace(dest + ".tmp", dest)
PY
}
sysctls_note() { if [ ${#changed[@]} -gt 0 ]; then (IFS=';'; echo "${changed[*]}"); else echo none; fi; }

# ---- run on this machine ----
run_host() {
	local aslr=(setarch -R) aslr_note="off (setarch -R per forkbench run; kernel.randomize_va_space untouched)"
	if ! setarch -R true 2>/dev/null; then
		aslr=() aslr_note="on (setarch -R does not work here)"
		echo "run-all.sh: setarch -R failed: the cells run with ASLR on" >&2
	fi
	if printf '%s\n' "${args[@]}" | grep -q -- '--thp always' &&
		[ "$(sysctl_get "$THP_ENABLED" || true)" = never ]; then
		sysctl_set "$THP_ENABLED" madvise
	fi
	if [ -e "$FORK_MODE" ]; then sysctl_set "$FORK_MODE" 0; fi
	# On forklab's kernel (bare metal, a Debian guest) the modes the cells ran in.
	local patched_modes=""
	[ "$modes_avail" = cow ] || patched_modes=1
	if [ ! -f "$out/metadata.json" ]; then
		err=$({ "${aslr[@]}" build/forkbench metadata >"$out/metadata.json.tmp" &&
			meta_merge "$out/metadata.json.tmp" "$out/metadata.json" run_kind=host \
				"aslr_cells=$aslr_note" "sysctls_for_run=$(sysctls_note)" "matrix=$config" \
				${patched_modes:+"fork_modes=$modes_avail"}; } 2>&1) || {
			restore_sysctls >/dev/null
			setup_fail "$err"
		}
		rm -f "$out/metadata.json.tmp"
	fi

	local i name part rc todo=0 done_n=0 est_done=0 est_left=0 el eta
	for i in "${!names[@]}"; do
		[ -f "$out/cells/${names[$i]}.csv" ] && continue
		todo=$((todo + 1)) est_left=$((est_left + ests[i] + 1))
	done
	echo "forklab: ${#names[@]} cells ($todo to run) -> $out"
	for i in "${!names[@]}"; do
		name=${names[$i]}
		[ -f "$out/cells/$name.csv" ] && continue
		done_n=$((done_n + 1))
		el=$((SECONDS - start)) eta=
		[ $est_done -gt 0 ] && eta=", about $((el * est_left / est_done)) s left"
		printf '[%d/%d] %-26s (%d s elapsed%s)\n' "$done_n" "$todo" "$name" "$el" "$eta"
		part=$out/cells/$name.part
		rc=0
		# In the background, so that a signal reaches the trap at once.
		# shellcheck disable=SC2086
		"${aslr[@]}" build/forkbench ${args[$i]} --format csv -o "$part.csv" \
			--samples "$part.samples.csv" >"$part.log" 2>&1 &
		child=$!
		wait "$child" || rc=$?
		child=
		cat "$part.log" >>"$log"
		if [ $rc -ge 128 ]; then
			# forkbench was stopped by a signal that missed run-all.sh.
			on_signal "$(kill -l $((rc - 128)))" "$rc"
		fi
		cell_keep "$out" "$name" "$part" "$rc"
		est_done=$((est_done + ests[i] + 1)) est_left=$((est_left - ests[i] - 1))
	done
}

# ---- run in the patched kernel under QEMU ----
vm_metadata() {
	[ -f "$out/metadata.vm.json" ] || return 0
	meta_merge "$out/metadata.vm.json" "$out/metadata.json" run_kind=vm \
		"aslr_cells=off (kernel.randomize_va_space=0 in the guest)" \
		"fork_modes=$(cat "$out/guest-modes" 2>/dev/null || echo unknown)" \
		"vm=QEMU $(sed -n 's/^ *"virtualization": "\([^"]*\)".*/\1/p' "$out/metadata.vm.json"), scripts/kernel/vm-run.sh" \
		"sysctls_for_run=none on the host" "matrix=$config" \
		"kernel_build=$(cd "$kernel" && pwd -P) ($(sed -n 's/^patches=//p' "$kernel/info" 2>/dev/null | wc -w) patches of kernel-patch/series)" \
		"timings=meaningless under TCG; counts are exact"
}
# The guest runs scripts/run-all-guest.sh (in the initramfs) on the cells
# written into the run folder: every cell, each with its rough time there.
run_vm() {
	local cells=$out/guest-cells.txt i todo=0 rc=0 timeout_s abs
	for i in "${!names[@]}"; do [ -f "$out/cells/${names[$i]}.csv" ] || todo=$((todo + 1)); done
	{
		echo "# forklab: the cells of $config (NAME EST_SECONDS FORKBENCH-ARGS...)."
		echo "# Written by run-all.sh --vm; run in the guest by scripts/run-all-guest.sh."
		for i in "${!names[@]}"; do
			printf '%s %d %s\n' "${names[$i]}" $((ests[i] / tcg_factor + 1)) "${args[$i]}"
		done
	} >"$cells"
	echo "forklab: ${#names[@]} cells ($todo to run) in forklab's kernel under QEMU -> $out"
	abs=$(cd "$out" && pwd)
	timeout_s=$((900 + 3 * est_total))
	rm -f "$out/cmd.log"
	: >"$out/cmd.log"
	scripts/kernel/vm-run.sh --kernel "$kernel" --initrd "$initrd" --out "$abs" --timeout "$timeout_s" \
		-- sh scripts/run-all-guest.sh "$abs/guest-cells.txt" >/dev/null &
	child=$!
	tail -n +1 -F --pid="$child" "$out/cmd.log" 2>/dev/null &
	tail_pid=$!
	wait "$child" || rc=$?
	child=
	wait "$tail_pid" 2>/dev/null || true
	tail_pid=
	cleanup
	vm_metadata
	[ $rc = 0 ] || {
		echo "run-all.sh: the guest stopped before the end (vm-run.sh exit $rc; $out/console.log); finish with ./run-all.sh --resume $out" >&2
		exit 1
	}
}

start=$SECONDS
if [ "$vm" = 1 ]; then run_vm; else run_host; fi
restore_sysctls

# All cells' summaries in one CSV (the union of their columns).
python3 - "$out" <<'PY'
import csv, glob, os, sys
out = sys.argv[1]
rows, cols = [], []
for path in sorted(glob.glob(os.path.join(out, "cells", "*.csv"))):
    if path.endswith(".samples.csv") or ".part." in path:
        continue
    cell = os.path.basename(path)[:-4]
    for r in csv.DictReader(l for l in open(path) if not l.startswith("#")):
        r = {"cell": cell, **r}
        rows.append(r)
        cols += [c for c in r if c not in cols]
tmp = os.path.join(out, "summary.csv.tmp")
with open(tmp, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols, restval="")
    w.writeheader()
    w.writerows(rows)
os.replace(tmp, os.path.join(out, "summary.csv"))
print(f"summary: {len(rows)} rows from {len(set(r['cell'] for r in rows))} cells")
PY
[ ! -f "$out/refused.txt" ] || echo "forklab: $(wc -l <"$out/refused.txt") cell(s) refused or failed: $out/refused.txt"
analysis/report.py "$out"
echo "forklab: done in $((SECONDS - start)) s; report: $out/report.md ($out/report.html)"
