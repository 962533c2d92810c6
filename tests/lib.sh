# shellcheck shell=sh
# Shared helpers for forklab's shell tests.  POSIX sh: the same file is used
# by host tests (bash/dash) and in-guest tests (busybox ash).
#
#   . "$(dirname "$0")/../lib.sh"
#   pass NAME; fail NAME WHY; skip NAME WHY
#   check_eq NAME EXPECTED ACTUAL     check_le NAME A B     check_ge NAME A B
#   check_eager_copies NAME GOT HEAP_PAGES   (guest: one eager fork of forkmode-fork)
#   expect_fail NAME STATUS PATTERN -- CMD...   (exit status and stderr match)
#   mount_ns_why      why no private mount namespace can be made here (or nothing)
#   ct_get FILE SCOPE ROLE COLUMN   one value of a cowtrace --format csv report
#   vmstat_get NAME   a /proc/vmstat counter     mem_snap   sets anon, pt, free, commit (guest)

: "${FORKLAB_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FORKLAB_BUILD:=$FORKLAB_ROOT/build}"
# shellcheck disable=SC2034 # FB and CT are for the tests that source this file
FB=$FORKLAB_BUILD/forkbench CT=$FORKLAB_BUILD/cowtrace
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/forklab-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
skip() { echo "SKIP: $1: $2"; }

# need_tools NAME TOOL...: SKIP NAME (and end the test) when a tool is
# missing.
need_tools() {
	_nt_name=$1
	shift
	for _nt_tool in "$@"; do
		if ! command -v "$_nt_tool" >/dev/null; then
			skip "$_nt_name" "$_nt_tool not installed (scripts/install-deps.sh)"
			exit 0
		fi
	done
}

# need_root_cow NAME: SKIP NAME (and end the test) unless root (BPF) and
# the fork mode is cow (forkbench --trace's tests predict cow's counts).
need_root_cow() {
	if ! is_root; then
		skip "$1" "needs root (BPF)"
		exit 0
	fi
	if [ "$(cat /proc/sys/vm/fork_copy_mode 2>/dev/null || echo 0)" != 0 ]; then
		skip "$1" "expects cow mode"
		exit 0
	fi
}

# synth_report GENERATOR NAME DIR ARGS...: a synthetic run made by
# GENERATOR (tests/tools/synth-*.py) in DIR, and analysis/report.py on it.
synth_report() {
	_sr_gen=$1 _sr_name=$2 _sr_dir=$3
	shift 3
	if "$_sr_gen" "$_sr_dir" "$@" >"$T_TMP/syn" 2>&1 &&
		"$FORKLAB_ROOT/analysis/report.py" "$_sr_dir" >"$T_TMP/out" 2>&1; then
		pass "$_sr_name: report.py renders it"
	else
		fail "$_sr_name: report.py renders it" "$(tail -n 1 "$T_TMP/syn" "$T_TMP/out")"
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}
check_le() {
	if [ "$2" -le "$3" ] 2>/dev/null; then pass "$1"; else fail "$1" "expected $2 <= $3"; fi
}
check_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then pass "$1"; else fail "$1" "expected $2 >= $3"; fi
}

# forkmode-fork's own present private anonymous pages at fork, besides the
# heap: the 256 KiB = 64 pages of stack fl_stack_area() writes for
# fl_fork_run() (known: stack_area_pages, FORKMODE_OWN_MIN), and what the
# static C library and the program wrote before.  Measured (forkmode-fork
# --pages 2000, smaps per mapping, stock 6.18 host): 78-79 pages = stack 66
# (the 64 and 2 of main's frame, arguments and environment), .bss 5 (3 of
# them the smaps text read before the fork), .data 3, RELRO 2, [heap] 2
# (TLS); in the guest (docs/kernel.md) 2079 at fork, 79 of them its own.
# FORKMODE_OWN_MAX doubles the 14-15 beyond the stack area for another
# layout.
FORKMODE_OWN_MIN=64
FORKMODE_OWN_MAX=$((FORKMODE_OWN_MIN + 32))
# check_eager_copies NAME GOT HEAP_PAGES: GOT, fork_eager_copy over one
# eager fork of forkmode-fork, is the prediction: the heap's pages plus
# FORKMODE_OWN_MIN..FORKMODE_OWN_MAX of the program's own.
check_eager_copies() {
	if [ -n "$2" ] && [ "$2" -ge $(($3 + FORKMODE_OWN_MIN)) ] 2>/dev/null &&
		[ "$2" -le $(($3 + FORKMODE_OWN_MAX)) ]; then
		pass "$1/fork_eager_copy=heap+own ($2 = $3 + $(($2 - $3)))"
	else
		fail "$1/fork_eager_copy=heap+own" "expected $3 + $FORKMODE_OWN_MIN..$FORKMODE_OWN_MAX, got '$2'"
	fi
}

# expect_fail NAME STATUS PATTERN -- CMD ARGS...
# CMD must exit with STATUS and print exactly one line on stderr matching
# the extended regex PATTERN.
expect_fail() {
	_n=$1 _st=$2 _pat=$3
	shift 4
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	_rc=$?
	_lines=$(wc -l <"$T_TMP/err")
	if [ "$_rc" != "$_st" ]; then
		fail "$_n" "exit status $_rc, expected $_st (stderr: $(head -c 200 "$T_TMP/err"))"
	elif [ "$_lines" != 1 ]; then
		fail "$_n" "expected a one-line error, got $_lines lines: $(head -c 200 "$T_TMP/err")"
	elif ! grep -Eq -- "$_pat" "$T_TMP/err"; then
		fail "$_n" "stderr '$(cat "$T_TMP/err")' does not match /$_pat/"
	else
		pass "$_n"
	fi
}

is_root() { [ "$(id -u)" = 0 ]; }

# mount_ns_why: nothing when a private mount namespace can be made here
# (unshare -m, as the tests that hide a mount use it), else why not, in
# unshare's words: in a chroot or a container whose root is no mount point,
# "unshare: cannot change root filesystem propagation: Invalid argument".
mount_ns_why() {
	if ! command -v unshare >/dev/null; then
		echo "no unshare (util-linux)"
	elif ! unshare -m --propagation private true 2>"$T_TMP/unshare.err"; then
		_why=$(tail -n 1 "$T_TMP/unshare.err")
		echo "${_why:-unshare -m --propagation private failed}"
	fi
}

# ct_load_why: nothing when cowtrace loads its BPF here ("$CT" -- true);
# else why not, prefixed "skip: " where the machine cannot load BPF at all
# (exit 3: not root or no CAP_BPF, 4: no kernel BTF, 5: no tracefs) and
# "fail: " for any other failure (6: a tracepoint missing, 7: probe mode,
# 8: load or attach failed, ...): on a machine that loads BPF, that is
# cowtrace's bug, never a reason to skip.
ct_load_why() {
	if ! is_root; then
		echo "skip: needs root (BPF)"
		return
	fi
	if [ ! -x "$CT" ]; then
		echo "fail: $CT not built (make)"
		return
	fi
	"$CT" -f csv -o /dev/null -- true >/dev/null 2>"$T_TMP/ct-load.err"
	_rc=$?
	case $_rc in
	0) ;;
	3|4|5) echo "skip: cowtrace cannot load BPF here (exit $_rc): $(head -n 1 "$T_TMP/ct-load.err")" ;;
	*) echo "fail: cowtrace failed to load on a machine that loads BPF (exit $_rc): $(head -n 1 "$T_TMP/ct-load.err")" ;;
	esac
}

# ct_get FILE SCOPE ROLE COLUMN: one value of a cowtrace --format csv report
# (SCOPE status|process|image|role|total; ROLE empty for the first row of
# SCOPE; the statuses are the comment line #MODE,status,...).
ct_get() {
	awk -F, -v s="$2" -v r="$3" -v c="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) ci = i; next }
		{ sub(/^#/, "") }
		$2 == s && (r == "" || $5 == r) { print (ci ? $ci : "no-column-" c); exit }' "$1"
}

# vmstat_get NAME: the /proc/vmstat counter, for the checks that only need
# "did it move".
vmstat_get() { sed -n "s/^$1 //p" /proc/vmstat; }

# mem_snap: one fork-free reading (builtins only; a $(...) would fork this
# shell, and the reader's pages would be in what it reads), after folding
# the per-CPU parts of the counters.  Sets anon (nr_anon_pages minus this
# shell's own RssAnon, which its loop grows), pt, free and commit.  free is
# MemFree plus the pages waiting in the per-CPU free lists (/proc/zoneinfo
# "count:"), which MemFree leaves out and which move by megabytes.
# shellcheck disable=SC2034 # anon, pt, free, commit are for the test that sources this file
mem_snap() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	while read -r k v; do
		case $k in nr_anon_pages) anon=$v ;; nr_page_table_pages) pt=$v ;; esac
	done </proc/vmstat
	while read -r k v _; do
		case $k in MemFree:) free=$v ;; Committed_AS:) commit=$v ;; esac
	done </proc/meminfo
	while read -r k v _; do
		case $k in RssAnon:) anon=$((anon - v / 4)) ;; esac
	done </proc/$$/status
	while read -r k v _; do
		case $k in count:) free=$((free + v * 4)) ;; esac
	done </proc/zoneinfo
}
