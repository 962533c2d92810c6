#!/usr/bin/env bash
# cowtrace against bpftrace, an interleaved A/B/C benchmark (not a test):
# each workload runs PAIRS times under each of three conditions, the order
# rotated per pair (plain, cowtrace, bpftrace; cowtrace, bpftrace, plain;
# bpftrace, plain, cowtrace; ...):
#   plain     the workload alone
#   cowtrace  cowtrace -m MODE -- WORKLOAD (following it, as users run it)
#   bpftrace  bpftrace -c WORKLOAD, a one-liner over the tracepoints cowtrace
#             attaches in tracepoint mode, counting events per PID in a map
#             printed at exit
# Workloads (each times itself, so neither tracer's start-up is counted):
#   exec   N x fork+exec+wait of /bin/true (a bash loop)
#   cow    a MIB MiB parent (every page written) forks, the child writes
#          every page and exits: the child alone, from fork to reap
#          (build/bpf/cowtrace-bench cow MIB 1)
#   build  make -s -j JOBS of bench/apps/buildproj in a fresh scratch copy
# Two measures of each run: wall time, and CPU time (user + system) of the
# workload's processes (exec and build: the timing shell and every process
# it waited for; cow: the child alone, from wait4).  The tracers' programs
# run in the traced tasks, so their cost lands in that CPU time, which
# other load on the machine disturbs less than the wall time.
# Per pair the ratios traced/plain and cowtrace/bpftrace (the comparison:
# tracer=cowtrace_over_bpftrace, below 1 where cowtrace costs less);
# per workload, tracer and measure one line: the median ratio, its 95 % CI
# (distribution-free: order statistics of the ratios, as bench/stats.c),
# the number of pairs, the mean 1-minute load average read before each
# pair and the plain runs' median.
#
#   bpf/overhead-ab.sh [-p PAIRS] [-w exec,cow,build] [-n N] [-s MIB] [-j JOBS] [-m MODE] [-v]
#
# Needs root, bpftrace (Debian's package: scripts/install-deps.sh) and
# `make` (build/cowtrace, build/bpf/cowtrace-bench).  -v prints each pair's
# times on stderr.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME's decimal point
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CT=$BUILD/cowtrace
B=$BUILD/bpf/cowtrace-bench
PROJ=$ROOT/bench/apps/buildproj
pairs=30 workloads=exec,cow,build n=300 mib=256 jobs=2 mode=auto verbose=0

die() { echo "overhead-ab.sh: $*" >&2; exit 2; }
# num NAME VALUE LO HI
num() {
	if ! [[ $2 =~ ^[0-9]{1,9}$ ]] || ((10#$2 < $3 || 10#$2 > $4)); then
		die "$1 '$2' is not a whole number in $3..$4"
	fi
}

while getopts ":p:w:n:s:j:m:vh" o; do
	case $o in
	p) pairs=$OPTARG ;;
	w) workloads=$OPTARG ;;
	n) n=$OPTARG ;;
	s) mib=$OPTARG ;;
	j) jobs=$OPTARG ;;
	m) mode=$OPTARG ;;
	v) verbose=1 ;;
	h) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
	:) die "option -$OPTARG needs a value" ;;
	*) die "unknown option '-$OPTARG' (allowed: -p PAIRS, -w WORKLOADS, -n N, -s MIB, -j JOBS, -m MODE, -v, -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || die "unexpected argument '$1' (options only)"
num -p "$pairs" 2 1000
num -n "$n" 1 1000000
num -s "$mib" 1 65536
num -j "$jobs" 1 64
pairs=$((10#$pairs)) n=$((10#$n)) mib=$((10#$mib)) jobs=$((10#$jobs)) # 08 is 8
case $mode in
auto | kprobe | fentry | tracepoint) ;;
*) die "-m '$mode' is not a cowtrace mode (allowed: auto, kprobe, fentry, tracepoint)" ;;
esac
IFS=, read -r -a wl <<<"$workloads"
[ ${#wl[@]} -gt 0 ] || die "-w '' names no workload (allowed: exec, cow, build)"
for w in "${wl[@]}"; do
	case $w in
	exec | cow | build) ;;
	*) die "-w: unknown workload '$w' (allowed: exec, cow, build)" ;;
	esac
done
if [ ! -x "$CT" ] || [ ! -x "$B" ]; then die "no $CT or $B (build them with make)"; fi
[ "$(id -u)" = 0 ] || die "needs root (cowtrace and bpftrace load BPF)"
BT=$(command -v bpftrace) || die "no bpftrace (Debian's bpftrace package: apt-get install bpftrace, or scripts/install-deps.sh)"

# The tracepoints cowtrace attaches in tracepoint mode (bpf/ct_attach.c).
BT_PROG='tracepoint:exceptions:page_fault_user, tracepoint:exceptions:page_fault_kernel,
tracepoint:tlb:tlb_flush, tracepoint:task:task_newtask,
tracepoint:sched:sched_process_exec, tracepoint:sched:sched_process_exit,
tracepoint:mmap_lock:mmap_lock_start_locking, tracepoint:mmap_lock:mmap_lock_acquire_returned
{ @events[pid] = count(); }
END { print(@events); clear(@events); }'

tmp=$(mktemp -d "${TMPDIR:-/tmp}/overhead-ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# sample.sh: one run of the workload, "WALL_NS CPU_NS" to $tmp/t (run by
# /bin/bash: bpftrace 0.17's -c runs ELF programs only).  CPU time: bash's
# `times` (in the shell itself, not a pipeline's subshell): the shell's own
# user and system time (exec's forks are its own) and its children's
# (waited-for descendants).
# write_sample WORKLOAD
write_sample() {
	local body
	case $1 in
	exec) body="for ((i = 0; i < $n; i++)); do /bin/true; done" ;;
	cow) body="\"$B\" cow $mib 1 >\"$tmp/cow.out\"" ;;
	build) body="make -s -C \"$tmp/proj\" -j $jobs >/dev/null" ;;
	esac
	cat >"$tmp/sample.sh" <<-EOF
		set -e
		unset MAKEFLAGS MFLAGS GNUMAKEFLAGS MAKELEVEL
		t0=\$EPOCHREALTIME
		$body
		t1=\$EPOCHREALTIME
		times >"$tmp/times"
		echo \$((\${t1/./} - \${t0/./}))000 \$(cat "$tmp/times") >"$tmp/t"
	EOF
}

# run WORKLOAD CONDITION: one sample; "WALL_NS CPU_NS" on stdout.
run() {
	local t
	rm -f "$tmp/t" "$tmp/cow.out"
	if [ "$1" = build ]; then
		rm -rf "$tmp/proj"
		cp -r "$PROJ" "$tmp/proj"
	fi
	case $2 in
	plain) /bin/bash "$tmp/sample.sh" ;;
	cowtrace) "$CT" -m "$mode" -o "$tmp/ct.out" -- /bin/bash "$tmp/sample.sh" ;;
	bpftrace)
		"$BT" -o "$tmp/bt.out" -e "$BT_PROG" -c "/bin/bash $tmp/sample.sh" >/dev/null 2>"$tmp/bt.err" ||
			{ echo "overhead-ab.sh: bpftrace failed: $(tail -n 1 "$tmp/bt.err")" >&2; return 1; }
		grep -q '^@events\[[0-9]*\]: [0-9]' "$tmp/bt.out" ||
			{ echo "overhead-ab.sh: bpftrace printed no per-PID counts" >&2; return 1; }
		;;
	esac
	[ -s "$tmp/t" ] || { echo "overhead-ab.sh: $1 under $2 gave no time" >&2; return 1; }
	if [ "$1" = cow ]; then
		t=$(sed -n 's/.* median_ns=\([0-9]*\) .*child_cpu_median_ns=\([0-9]*\) .*/\1 \2/p' "$tmp/cow.out")
	else
		# "WALL 0mU.UUUs 0mS.SSSs 0mU.UUUs 0mS.SSSs" -> "WALL CPU_NS" (%.0f: mawk's
		# %d stops at 2^31 - 1)
		t=$(awk '{ for (i = 2; i <= 5; i++) { split($i, a, /[ms]/); c += (a[1] * 60 + a[2]) * 1e9 }
			printf "%.0f %.0f\n", $1, c }' "$tmp/t")
	fi
	[ -n "$t" ] || { echo "overhead-ab.sh: $1 under $2 gave no time" >&2; return 1; }
	echo "$t"
}

# summary WORKLOAD TRACER MEASURE PLAIN_MEDIAN_NS: the line of one workload,
# tracer and measure from $tmp/ratios.TRACER.MEASURE and $tmp/load.
summary() {
	sort -g "$tmp/ratios.$2.$3" | awk -v w="$1" -v tr="$2" -v m="$3" -v lf="$tmp/load" -v pm="$4" '
		{ v[++n] = $1 }
		END {
			while ((getline l < lf) > 0) { ls += l; ln++ }
			med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			# leaving out i ratios below and j above misses the median
			# with probability F(i) + F(j), F the Binomial(n, 1/2) CDF:
			# the last of (1,0), (1,1), (2,1), ... still at most 5 %
			p = 2 ^ -n; f = 0; lo = 0
			for (k = 0; 2 * k < n; k++) {
				fp = f; f += p; p = p * (n - k) / (k + 1)
				if (k > 0) {
					if (f + fp > 0.05 || 2 * k + 1 > n) break
					lo = k + 1; hi = n - k + 1
				}
				if (2 * f > 0.05 || 2 * k + 2 > n) break
				lo = k + 1; hi = n - k
			}
			ci = lo ? sprintf("%.3f..%.3f", v[lo], v[hi]) : "none"
			printf "workload=%s tracer=%s measure=%s ratio=%.3f ci95=%s n=%d load=%.2f plain_median_ms=%.3f\n",
				w, tr, m, med, ci, n, ls / ln, pm / 1e6
		}'
}

# (printf: mawk's print writes numbers from 2^31 on as %.6g)
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.0f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ct_mode=$("$CT" -m "$mode" -f csv -- true 2>&1 | awk -F, '$2 == "status" { sub(/^#/, "", $1); print $1 }')
echo "# overhead-ab: cowtrace ${ct_mode:-?} mode, $("$BT" --version 2>&1 | head -n 1); kernel $(uname -r); $(nproc) CPUs"
echo "# $pairs pairs per workload, order rotated; exec: $n x fork+exec+wait of /bin/true; cow: a $mib MiB child writes every page; build: make -j $jobs of bench/apps/buildproj"
conds=(plain cowtrace bpftrace)
for w in "${wl[@]}"; do
	write_sample "$w"
	for f in load plain.wall plain.cpu ratios.{cowtrace,bpftrace,cowtrace_over_bpftrace}.{wall,cpu}; do
		: >"$tmp/$f"
	done
	for ((p = 0; p < pairs; p++)); do
		cut -d' ' -f1 /proc/loadavg >>"$tmp/load"
		declare -A wall=() cpu=()
		for ((k = 0; k < 3; k++)); do
			c=${conds[(p + k) % 3]}
			read -r "wall[$c]" "cpu[$c]" <<<"$(run "$w" "$c")"
		done
		echo "${wall[plain]}" >>"$tmp/plain.wall"
		echo "${cpu[plain]}" >>"$tmp/plain.cpu"
		for c in cowtrace bpftrace; do
			awk -v a="${wall[$c]}" -v b="${wall[plain]}" 'BEGIN { printf "%.6f\n", a / b }' >>"$tmp/ratios.$c.wall"
			awk -v a="${cpu[$c]}" -v b="${cpu[plain]}" 'BEGIN { printf "%.6f\n", a / b }' >>"$tmp/ratios.$c.cpu"
		done
		awk -v a="${wall[cowtrace]}" -v b="${wall[bpftrace]}" 'BEGIN { printf "%.6f\n", a / b }' \
			>>"$tmp/ratios.cowtrace_over_bpftrace.wall"
		awk -v a="${cpu[cowtrace]}" -v b="${cpu[bpftrace]}" 'BEGIN { printf "%.6f\n", a / b }' \
			>>"$tmp/ratios.cowtrace_over_bpftrace.cpu"
		[ "$verbose" = 0 ] ||
			echo "$w pair $((p + 1)) (wall/cpu ns): plain ${wall[plain]}/${cpu[plain]}" \
				"cowtrace ${wall[cowtrace]}/${cpu[cowtrace]} bpftrace ${wall[bpftrace]}/${cpu[bpftrace]}" >&2
	done
	for m in wall cpu; do
		pm=$(median <"$tmp/plain.$m")
		for c in cowtrace bpftrace cowtrace_over_bpftrace; do summary "$w" "$c" "$m" "$pm"; done
	done
done
