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
#   ./run-all.sh --vm --debian        the same on a Debian 12 userland (scripts/kernel/rootfs.sh)
#                                     instead of the busybox initramfs: the application
#                                     cells (redis, pymp, pgbench, build) need it; default
#                                     matrix configs/matrix/debian.conf
#   ./run-all.sh --vm --icount        instructions, not time: the guest under QEMU -icount
#                                     (vm-run.sh --accel icount: one vCPU, single-threaded
#                                     TCG, shift=0), whose clock counts instructions (1 ns =
#                                     1 instruction); the report, summary.csv and plots
#                                     label every such value instructions (also with --debian)
#   ./run-all.sh --resume DIR         finish an interrupted run in DIR (where it began)
#   ./run-all.sh --out DIR            write the run to DIR (default results/<date>-<host>-<kernel>)
#   ./run-all.sh --repeat K           run the matrix K times (1..20), the cell order rotated
#                                     each time, and report the CV of each cell's medians
#
# A run folder holds metadata.json (the machine), cells/NAME.csv (summary)
# and cells/NAME.samples.csv (every sample) per cell, summary.csv (all
# cells), plots/ (PNG + SVG), report.md, report.html and run.log (the
# progress, every warning and forkbench's messages).  With --repeat K,
# repeats/R/cells/ holds the cells of run R = 2..K and repeat-cv.csv the
# coefficient of variation of each row's median over the K runs.  A cell's
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
# What the guest's clock counts under --icount: metadata.json's "clock".
ICOUNT_CLOCK="instructions (QEMU -icount shift=0)"
# cell_keep, refuse, unrefuse: the end of a cell, the same in the guest.
# shellcheck source=scripts/run-all-lib.sh
. scripts/run-all-lib.sh

config='' dry=0 resume='' out='' vm=0 debian=0 icount=0 kernel='' repeat=''
while [ $# -gt 0 ]; do
	case "$1" in
	--config) [ $# -ge 2 ] || die "--config needs a FILE"; config=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	--vm) vm=1; shift ;;
	--debian) debian=1; shift ;;
	--icount) icount=1; shift ;;
	--kernel) [ $# -ge 2 ] || die "--kernel needs a kernel build folder"; kernel=$2; shift 2 ;;
	--resume) [ $# -ge 2 ] || die "--resume needs a run folder"; resume=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift 2 ;;
	--repeat) [ $# -ge 2 ] || die "--repeat needs a count K (allowed: 1..20)"; repeat=$2; shift 2
		case "$repeat" in [1-9] | 1[0-9] | 20) ;; *) die "--repeat '$repeat': not a count of runs (allowed: 1..20)" ;; esac ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) die "unknown option '$1' (allowed: --config FILE, --dry-run, --vm, --debian, --icount, --kernel DIR, --resume DIR, --out DIR, --repeat K)" ;;
	esac
done
# A run folder's kind: host (the running kernel), vm (the patched kernel under QEMU)
# or debian (the same on the Debian userland: --vm --debian).
run_kind() { if [ -f "$1/run-kind" ]; then cat "$1/run-kind"; else echo host; fi; }
if [ -n "$resume" ]; then
	[ -z "$config" ] || die "--resume runs the folder's own config.conf: drop --config '$config'"
	[ -z "$out" ] || die "--resume writes into '$resume' itself: drop --out '$out'"
	[ "$icount" = 0 ] || die "--resume runs under the folder's own clock: drop --icount"
	[ -d "$resume/cells" ] || die "--resume: '$resume' is not a run folder (no cells/)"
	[ -f "$resume/config.conf" ] || die "--resume: '$resume' has no config.conf"
	kind=$(run_kind "$resume")
	case "$kind" in
	host)
		[ "$vm" = 0 ] || die "--resume: '$resume' ran on this machine's kernel, not under --vm: resume it without --vm"
		if [ -f "$resume/metadata.json" ]; then
			ran=$(sed -n '/^ *"kernel_release": "/{s/^ *"kernel_release": "\([^"]*\)".*/\1/p;q}' "$resume/metadata.json")
			[ -z "$ran" ] || [ "$ran" = "$(uname -r)" ] ||
				die "--resume: '$resume' ran on kernel $ran but this machine runs $(uname -r): start a new run"
		elif compgen -G "$resume/cells/*.csv" >/dev/null; then
			die "--resume: '$resume' has finished cells but no metadata.json: the kernel they ran on is unknown; start a new run"
		fi
		;;
	vm) vm=1 ;;
	debian) vm=1 debian=1 ;;
	*) die "--resume: '$resume/run-kind' says '$kind' (allowed: host, vm, debian)" ;;
	esac
	[ -z "$repeat" ] || die "--resume runs the folder's own repeat count: drop --repeat '$repeat'"
	[ ! -f "$resume/clock" ] || icount=1
	repeat=$(cat "$resume/repeat" 2>/dev/null || echo 1)
	config=$resume/config.conf
	out=$resume
elif [ -n "$out" ] && { [ -e "$out/config.conf" ] || [ -d "$out/cells" ]; }; then
	die "--out: '$out' already holds a run: finish it with --resume '$out' or pick another folder"
fi
[ "$debian" = 0 ] || [ "$vm" = 1 ] || die "--debian: only with --vm (the Debian userland booted under QEMU)"
[ "$icount" = 0 ] || [ "$vm" = 1 ] ||
	die "--icount: only with --vm (QEMU's instruction counter: the guest under --vm, or --vm --debian)"
[ "$vm" = 0 ] || [ -z "$repeat" ] || [ "$repeat" = 1 ] ||
	die "--repeat '$repeat': on this machine only (under --vm times mean nothing, counts do not vary)"
: "${repeat:=1}"
if [ -n "$kernel" ]; then
	[ "$vm" = 1 ] || die "--kernel '$kernel': only with --vm (the kernel booted under QEMU)"
	if [ ! -f "$kernel/bzImage" ] || [ ! -f "$kernel/kernel.release" ]; then
		die "--kernel: '$kernel' is not a kernel build (no bzImage and kernel.release; make kernel makes build/kernel)"
	fi
fi
if [ "$debian" = 1 ]; then
	: "${config:=configs/matrix/debian.conf}"
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

# Time per cell (seconds): a model of what its iterations, heap sizes and
# writes cost, fitted to quick.conf's cells on the development VM while a
# kernel build ran (docs/run-all.md, "Estimates"), scaled by FACTOR: how
# fast this machine runs a probe cell now against that reference.  A heap
# beyond MemAvailable is refused at once: 1 s.
mem_avail_mib=$(awk '/^MemAvailable:/ { printf "%d", $2 / 1024 }' /proc/meminfo 2>/dev/null || echo 0)
estimate() {	# FORKBENCH-ARGS FACTOR
	awk -v a="$1" -v f="$2" -v avail="${mem_avail_mib:-0}" '
	function frac(v) { return v ~ /%$/ ? v / 100 : v + 0 }
	BEGIN {
		nw = split(a, w, " "); b = w[1]
		n = -1; wu = 5; h = 0; nh = 1; cw = 1; pw = 0; thp = 0; nm = 5; nf = 2; ds = 64; around = 0.5; nsb = 0; secs = 0
		sm = "fork,forkserver,spawn"; ng = 1; nj = 1; units = 23
		for (i = 2; i <= nw; i++) {
			if (w[i] == "-n" || w[i] == "--iterations") n = w[i + 1] + 0
			else if (w[i] == "--warmup") wu = w[i + 1] + 0
			else if (w[i] == "--child-write") cw = frac(w[i + 1])
			else if (w[i] == "--parent-write") pw = frac(w[i + 1])
			else if (w[i] == "--thp" && w[i + 1] == "always") thp = 1
			else if (w[i] == "--start-method") sm = w[i + 1]
			else if (w[i] == "--gc-freeze") ng = split(w[i + 1], g, ",")
			else if (w[i] == "-j" || w[i] == "--jobs") nj = split(w[i + 1], g, ",")
			else if (w[i] == "--units") units = w[i + 1] + 0
			else if (w[i] == "--method") {
				nm = split(w[i + 1], m, ","); nf = 0
				for (j = 1; j <= nm; j++) nf += m[j] ~ /^fork_/
			} else if (w[i] == "--heap" || w[i] == "--dataset") {
				k = split(w[i + 1], s, ","); v = 0
				if (w[i] == "--heap") nh = k
				for (j = 1; j <= k; j++) {
					v = s[j] + 0; u = toupper(substr(s[j], length(s[j])))
					if (u == "K") v /= 1024; else if (u == "G") v *= 1024
					else if (u == "T") v *= 1048576; else if (u != "M") v /= 1048576
					h += v
				}
				if (w[i] == "--dataset") ds = h
			} else if (w[i] == "--around") around = w[i + 1] / 1000
			else if (w[i] == "--shared-buffers") nsb = split(w[i + 1], s, ",")
			else if (w[i] == "--seconds") secs = w[i + 1] + 0
		}
		if (n < 0) n = b == "spawn" ? 100 : b == "heap" ? 10 : b == "redis" ? 5 : b == "pymp" ? 10 : b == "build" ? 6 : b == "pgbench" ? 5 : 11
		it = n + wu
		if (b == "redis" && h == 0) h = ds
		if (avail > 0 && h > avail) { printf "1"; exit }
		fixed = 0
		if (b == "spawn")	# the worker touches its heap; the fork methods copy its page tables
			t = 0.5 + h * 0.003 + it * (h * nf * 0.0007 * (thp ? 0.4 : 1) + nm * 0.005)
		else if (b == "heap")	# fork, the child'"'"'s copies, the parent'"'"'s writes, the memcpy floor
			t = 0.5 + it * h * (0.025 + 0.027 * cw + 0.013 * pw) * (thp ? 0.45 : 1)
		else if (b == "redis") {	# start and fill, the BGSAVEs; the load around them is wall time
			t = 1 + h * 0.005 + it * (0.05 + h * 0.045)
			fixed = it * 2 * around
		} else if (b == "pymp") {	# per start method and heap: python3 and its heap, then per
			# iteration a pool (fork 1.2 s, forkserver 3 s, spawn 4 s) and three children
			k = split(sm, m, ","); t = 0.5
			for (j = 1; j <= k; j++)
				t += ng * (nh + h * 0.02 + it * (nh * (m[j] == "fork" ? 1.2 : m[j] == "spawn" ? 4 : 3) + h * 0.01))
		} else if (b == "pgbench") {	# per size initdb, start, fill (3 s), two runs of --seconds
			t = 0.5	# per iteration; all of it is wall time
			fixed = (nsb ? nsb : 1) * (3 + it * 2 * (secs ? secs : 2))
		} else if (b == "build")	# a copy, the configure step, the units, the link
			t = 0.5 + nj * it * (6 + units * 0.4)
		else
			t = 0.5 + it * (0.05 + h * 0.03)
		t = t * f + fixed
		printf "%d", t < 1 ? 1 : t + 0.5
	}'
}
# The probe: one small heap cell, timed, against its model's time (the
# factor, 0.01..20; about 0.06 on an idle 2-core VM, whose probe takes
# 0.1 s).  Under QEMU TCG a guest runs about tcg_factor times slower again
# (vm.conf, 2 vCPUs: 145 s of cells for 44 s of host estimate, 2026-11-21).
probe_args="heap --heap 16M -n 2 --warmup 0"
probe_factor() {
	local t0 t1 ref
	t0=$(date +%s%N)
	# shellcheck disable=SC2086 # the arguments are words
	build/forkbench $probe_args --format csv -o /dev/null >/dev/null 2>&1 || { echo 1; return 0; }
	t1=$(date +%s%N)
	ref=2.164	# estimate's heap model for the probe: 0.5 + 2 * 16 * (0.025 + 0.027)
	awk -v t=$(((t1 - t0) / 1000000)) -v r="$ref" 'BEGIN {
		f = t / 1000 / r; if (f < 0.01) f = 0.01; if (f > 20) f = 20; printf "%.3f", f }'
}
factor=$(probe_factor)
tcg_factor=3
[ "$vm" = 0 ] || factor=$(awk -v f="$factor" -v k=$tcg_factor 'BEGIN { printf "%.3f", f * k }')
# The summary, report.py's plots and report: about 15 s at the reference
# (a python3 start alone took 2 s there).  The run's setup: what this
# script took so far (the matrix check, the probe) and the package check,
# build check and metadata, about 15 s at the reference.
report_est=$(awk -v f="$factor" 'BEGIN { t = 15 * f; printf "%d", t < 1 ? 1 : t + 0.5 }')
setup_est=$(awk -v f="$factor" -v s=$SECONDS 'BEGIN { printf "%d", s + 15 * f + 0.5 }')
ests=() est_total=0
for i in "${!names[@]}"; do
	e=$(estimate "${args[$i]}" "$factor")
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
	total=$((total + setup_est + report_est))
	where="on this machine, which ran the probe cell at ${factor}x the reference time"
	[ "$vm" = 0 ] || where="under QEMU; TCG times are a rough guess"
	[ "$icount" = 0 ] || where="$where (-icount: one vCPU, single-threaded TCG)"
	[ -z "$resume" ] || where="$where; $((${#names[@]} - left)) done"
	if [ "$repeat" -gt 1 ]; then
		# The repeats of a resumed run: those not done yet.
		for ((r = 2; r <= repeat; r++)); do
			for i in "${!names[@]}"; do
				[ -f "$out/repeats/$r/cells/${names[$i]}.csv" ] && continue
				total=$((total + ests[i])) left=$((left + 1))
			done
		done
		where="$where, $repeat runs of the matrix"
	fi
	echo "${#names[@]} cells, about $((total / 60)) min $((total % 60)) s ($left to run $where)"
	exit 0
fi

# ---- dependencies and build ----
if ! scripts/install-deps.sh --check >/dev/null 2>&1; then
	scripts/install-deps.sh --user
fi
make -s all
initrd=build/kernel-initramfs.cpio.gz
if [ "$debian" = 1 ]; then
	# The guest kernel (cached; the first build takes 10+ minutes); the
	# Debian image is vm-debian.sh's (cached by its package list), and the
	# guest runs this tree's build/ over 9p.
	if [ -z "$kernel" ]; then
		scripts/kernel/build.sh --link build/kernel || die "--debian: no kernel: make kernel failed (its reason above)"
		kernel=build/kernel
	fi
elif [ "$vm" = 1 ]; then
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
		[ "$debian" = 0 ] || out=$out-debian
		[ "$icount" = 0 ] || out=$out-icount
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
[ "$debian" = 0 ] || kind=debian
err=$( (echo "$kind" >"$out/run-kind") 2>&1) || setup_fail "$err"
# An -icount run's clock, for --resume and the summary (run folders of other
# runs have no clock file).
if [ "$icount" = 1 ] && [ ! -f "$out/clock" ]; then
	err=$( (echo "$ICOUNT_CLOCK" >"$out/clock") 2>&1) || setup_fail "$err"
fi
if [ "$repeat" -gt 1 ] && [ ! -f "$out/repeat" ]; then
	err=$( (echo "$repeat" >"$out/repeat") 2>&1) || setup_fail "$err"
fi
log=$out/run.log
err=$( (: >>"$log") 2>&1) || setup_fail "$err"
# What the run prints goes to run.log too: say (stdout) and warn (stderr).
say() { printf '%s\n' "$*"; printf '%s\n' "$*" >>"$log"; }
warn() { printf '%s\n' "$*" >&2; printf 'warning: %s\n' "$*" >>"$log"; }

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
		warn "run-all.sh: cannot set $1 to $2 (not root?): the cells run with $cur"
		return 0
	fi
	saved+=("$1=$cur") changed+=("$1: $cur -> $2")
	say "forklab: $1: $cur -> $2 for this run (restored at the end)"
}
restore_sysctls() {
	local i p v
	for ((i = ${#saved[@]} - 1; i >= 0; i--)); do
		p=${saved[$i]%=*} v=${saved[$i]##*=}
		if (echo "$v" >"$p") 2>/dev/null; then
			say "forklab: $p restored to $v"
		else
			warn "run-all.sh: could not restore $p to $v: do it by hand"
		fi
	done
	saved=()
}

# The folder of run R of the matrix (--repeat): the run folder for the first.
run_dir() { if [ "$1" = 1 ]; then echo "$out"; else echo "$out/repeats/$1"; fi; }
# A cell's files are written as NAME.part.* and renamed when complete; an
# interrupted cell leaves only those, removed here.
cleanup() { rm -f "$out"/cells/*.tmp "$out"/cells/*.part.* "$out"/repeats/*/cells/*.part.*; }
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
	warn "run-all.sh: interrupted by SIG$1; finish with ./run-all.sh --resume $out"
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
		warn "run-all.sh: setarch -R failed: the cells run with ASLR on"
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

	local i j r n=${#names[@]} name dir tag part rc todo=0 done_n=0 est_done=0 est_left=$report_est el eta t0 msg
	local cells_start=$SECONDS
	for ((r = 1; r <= repeat; r++)); do
		for i in "${!names[@]}"; do
			[ -f "$(run_dir "$r")/cells/${names[$i]}.csv" ] && continue
			todo=$((todo + 1)) est_left=$((est_left + ests[i] + 1))
		done
	done
	if [ "$repeat" = 1 ]; then
		say "forklab: $n cells ($todo to run) -> $out"
	else
		say "forklab: $n cells, $repeat runs of the matrix ($todo cells to run) -> $out"
	fi
	for ((r = 1; r <= repeat; r++)); do
		dir=$(run_dir "$r") tag=
		[ "$repeat" = 1 ] || tag=" (run $r/$repeat)"
		mkdir -p "$dir/cells"
		for ((j = 0; j < n; j++)); do
			# Run r starts (r - 1)/K of the way into the matrix: each cell
			# meets the machine at another point of the run.
			i=$(((j + (r - 1) * n / repeat) % n))
			name=${names[$i]}
			[ -f "$dir/cells/$name.csv" ] && continue
			done_n=$((done_n + 1))
			# The estimates left, scaled by the time the cells so far took
			# over theirs (the setup before them left out).
			el=$((SECONDS - start)) eta=
			[ $est_done -gt 0 ] && eta=", about $(((SECONDS - cells_start) * est_left / est_done)) s left"
			say "$(printf '[%d/%d] %-26s (%d s elapsed%s)' "$done_n" "$todo" "$name$tag" "$el" "$eta")"
			part=$dir/cells/$name.part
			rc=0 t0=$SECONDS
			# In the background, so that a signal reaches the trap at once.
			# shellcheck disable=SC2086
			"${aslr[@]}" build/forkbench ${args[$i]} --format csv -o "$part.csv" \
				--samples "$part.samples.csv" >"$part.log" 2>&1 &
			child=$!
			wait "$child" || rc=$?
			child=
			cat "$part.log" >>"$log"
			printf '      %s: %d s (estimate %d s), exit %d\n' "$name$tag" $((SECONDS - t0)) "${ests[$i]}" "$rc" >>"$log"
			if [ $rc -ge 128 ]; then
				# forkbench was stopped by a signal that missed run-all.sh.
				on_signal "$(kill -l $((rc - 128)))" "$rc"
			fi
			msg=$(cell_keep "$dir" "$name" "$part" "$rc")
			[ -z "$msg" ] || say "$msg"
			est_done=$((est_done + ests[i] + 1)) est_left=$((est_left - ests[i] - 1))
		done
	done
}

# ---- run in the patched kernel under QEMU ----
vm_metadata() {
	local vm_script=vm-run.sh
	[ "$debian" = 0 ] || vm_script="vm-debian.sh (Debian 12 userland)"
	[ -f "$out/metadata.vm.json" ] || return 0
	local clock=()
	[ "$icount" = 0 ] || clock=("clock=$ICOUNT_CLOCK"
		"timings=instructions, not time: the guest's clock advanced 1 ns per instruction (QEMU -icount shift=0, sleep=off, one vCPU), repeatable within a boot; counts are exact")
	meta_merge "$out/metadata.vm.json" "$out/metadata.json" run_kind=vm \
		"aslr_cells=off (kernel.randomize_va_space=0 in the guest)" \
		"fork_modes=$(cat "$out/guest-modes" 2>/dev/null || echo unknown)" \
		"vm=QEMU $(sed -n 's/^ *"virtualization": "\([^"]*\)".*/\1/p' "$out/metadata.vm.json"), scripts/kernel/$vm_script" \
		"sysctls_for_run=none on the host" "matrix=$config" \
		"kernel_build=$(cd "$kernel" && pwd -P) ($(sed -n 's/^patches=//p' "$kernel/info" 2>/dev/null | wc -w) patches of kernel-patch/series)" \
		"timings=meaningless under TCG; counts are exact" "${clock[@]}"
}
# The guest runs scripts/run-all-guest.sh (in the initramfs) on the cells
# written into the run folder: every cell, each with its rough time there.
run_vm() {
	local cells=$out/guest-cells.txt i todo=0 rc=0 timeout_s abs accel=()
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
	# Servers, python3 and gcc under TCG: 20-60 times their time on the
	# host (pgbench's cell of 11 s took 220 s), not the 3 of forkbench's
	# own cells.
	[ "$debian" = 0 ] || timeout_s=$((1800 + 60 * est_total))
	# -icount: one vCPU, single-threaded TCG: twice as long again.
	if [ "$icount" = 1 ]; then
		accel=(--accel icount) timeout_s=$((2 * timeout_s))
	fi
	rm -f "$out/cmd.log"
	: >"$out/cmd.log"
	if [ "$debian" = 1 ]; then
		scripts/kernel/vm-debian.sh --kernel "$kernel/bzImage" --out "$abs" --timeout "$timeout_s" "${accel[@]}" \
			-- sh /forklab/scripts/run-all-guest.sh "$abs/guest-cells.txt" >/dev/null &
	else
		scripts/kernel/vm-run.sh --kernel "$kernel" --initrd "$initrd" --out "$abs" --timeout "$timeout_s" "${accel[@]}" \
			-- sh scripts/run-all-guest.sh "$abs/guest-cells.txt" >/dev/null &
	fi
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
# Under --icount the times are instructions: a time unit of a column name
# becomes the instruction count's (median_ns: median_insn, memcpy_gbps:
# memcpy_bytes_per_insn; analysis/report.py's insn_column).
msg=$(python3 - "$out" "$icount" <<'PY'
import csv, glob, os, sys
out, icount = sys.argv[1], sys.argv[2] == "1"
rows, cols = [], []
for path in sorted(glob.glob(os.path.join(out, "cells", "*.csv"))):
    if path.endswith(".samples.csv") or ".part." in path:
        continue
    cell = os.path.basename(path)[:-4]
    for r in csv.DictReader(l for l in open(path) if not l.startswith("#")):
        r = {"cell": cell, **r}
        rows.append(r)
        cols += [c for c in r if c not in cols]
if icount:
    sys.path.insert(0, "analysis")
    from report import insn_column as insn
    rows = [{insn(c): v for c, v in r.items()} for r in rows]
    cols = [insn(c) for c in cols]
tmp = os.path.join(out, "summary.csv.tmp")
with open(tmp, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols, restval="")
    w.writeheader()
    w.writerows(rows)
os.replace(tmp, os.path.join(out, "summary.csv"))
print(f"summary: {len(rows)} rows from {len(set(r['cell'] for r in rows))} cells")
PY
)
say "$msg"
for f in "$out/refused.txt" "$out"/repeats/*/refused.txt; do
	[ ! -f "$f" ] || warn "forklab: $(wc -l <"$f") cell(s) refused or failed: $f"
done
# --repeat: each row's median over the runs, and their coefficient of
# variation (sample standard deviation over mean), into repeat-cv.csv.
if [ "$repeat" -gt 1 ]; then
	msg=$(python3 - "$out" "$repeat" <<'PY'
import csv, glob, os, statistics, sys
out, k = sys.argv[1], int(sys.argv[2])
key = ("bench", "method", "fork_mode", "heap_bytes", "thp", "metric")
meds = {}
for r in range(1, k + 1):
    d = out if r == 1 else os.path.join(out, "repeats", str(r))
    for path in sorted(glob.glob(os.path.join(d, "cells", "*.csv"))):
        if path.endswith(".samples.csv") or ".part." in path:
            continue
        cell = os.path.basename(path)[:-4]
        for row in csv.DictReader(l for l in open(path) if not l.startswith("#")):
            if row.get("median_ns") in (None, ""):
                continue
            meds.setdefault((cell,) + tuple(row.get(c, "") for c in key), []).append(float(row["median_ns"]))
cols = ["cell", *key, "runs", "mean_median_ns", "min_median_ns", "max_median_ns", "cv_pct"]
rows = []
for kk, v in meds.items():
    cv = 100 * statistics.stdev(v) / statistics.mean(v) if len(v) > 1 and statistics.mean(v) > 0 else None
    rows.append(dict(zip(cols, [*kk, len(v), f"{statistics.mean(v):.0f}", f"{min(v):.0f}",
                                f"{max(v):.0f}", "" if cv is None else f"{cv:.2f}"])))
tmp = os.path.join(out, "repeat-cv.csv.tmp")
with open(tmp, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols)
    w.writeheader()
    w.writerows(rows)
os.replace(tmp, os.path.join(out, "repeat-cv.csv"))
cvs = sorted((float(r["cv_pct"]), r["cell"], r["metric"], r["heap_bytes"]) for r in rows if r["cv_pct"])
if not cvs:
    print(f"between-run variability: no row was measured in two of the {k} runs (repeat-cv.csv)")
else:
    top = cvs[-1]
    print(f"between-run variability over {k} runs: CV of the medians per row {statistics.median(c[0] for c in cvs):.1f} % "
          f"(median of {len(cvs)} rows), {sum(c[0] <= 2 for c in cvs)} rows within 2 %, "
          f"largest {top[0]:.1f} % ({top[1]} {top[2]}, heap {top[3]} B); per row in repeat-cv.csv")
PY
)
	say "forklab: $msg"
fi
if msg=$(analysis/report.py "$out" 2>&1); then
	say "$msg"
else
	rc=$?
	warn "$msg"
	exit $rc
fi
say "forklab: done in $((SECONDS - start)) s; report: $out/report.md ($out/report.html)"
