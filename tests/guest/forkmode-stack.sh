#!/bin/sh
# In-guest: stack mode (vm.fork_copy_mode=1, kernel-patch/).
#
# Exact, with forkmode-fork: the parent forks at a known stack pointer
# (mid-page); the child writes a byte just below it and execs forkmode-exit
# (no C library, no write fault), the parent writes a byte just below its
# own and waits.  Write faults (cow_fault_copy + pgreuse) over the fork:
#   cow:   2 (the child's and the parent's first write to the shared page)
#   stack: 0 for every fork_copy_stack_pages tried, and fork_stack_copy =
#          the present anonymous pages of the window (checked by pagemap)
#   eager: 0
#
# Through the C library, with forkmode-spawn: fork()+execve()+waitpid() of
# forkmode-exit, 4 times per process, in 20 processes per setting (each gets
# another random stack offset within its page).  With a window that covers
# the stack (64 pages) every process takes the same number of write faults:
# the C library's own data (5 per iteration with Debian 12's static glibc).
# cow adds the child's and the parent's fault on the page at the stack
# pointer, 2 per iteration (4 when the frames straddle a page boundary).
# The default window must leave every process at the floor; 1 page does
# not (the stack offset sometimes puts a frame on the neighbouring page).
# The sweep is printed ("# sweep ...") and is how the default was chosen
# (docs/kernel.md).  The shell runs in eager mode meanwhile, so that its own forks
# add nothing to the global counters; sysctls touched are restored.
. "$(dirname "$0")/../lib.sh"
F=$FORKLAB_BUILD/forkmode-fork
S=$FORKLAB_BUILD/forkmode-spawn
X=$FORKLAB_BUILD/forkmode-exit
m=/proc/sys/vm/fork_copy_mode
s=/proc/sys/vm/fork_copy_stack_pages
[ -f $m ] || { echo "FAIL: forkmode-stack/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
for p in "$F" "$S" "$X"; do [ -x "$p" ] || { echo "FAIL: forkmode-stack/setup: no $p in this initramfs (make static)"; exit 1; }; done
saved_m=$(cat $m) saved_s=$(cat $s)
trap 'echo "$saved_m" >$m; echo "$saved_s" >$s; rm -rf "$T_TMP"' EXIT
# The forks of this shell must not add to the global counters: eager mode
# takes no write fault.  Each measured process sets its own mode (prctl).
echo 2 >$m

run() {
	_n=$1; shift
	if ! "$F" "$@" >"$T_TMP/$_n" 2>&1 || grep -q '^error=' "$T_TMP/$_n"; then
		fail "$_n" "forkmode-fork $*: $(grep -m1 '^error=' "$T_TMP/$_n" || tail -n 1 "$T_TMP/$_n")"
		return 1
	fi
}
kv() { sed -n "s/^$2=//p" "$T_TMP/$1"; }
wp() { echo $(($(kv "$1" d_cow_fault_copy) + $(kv "$1" d_pgreuse))); }

if run exact-cow --mode cow --child-stack --parent-stack --exec "$X"; then
	check_eq exact-cow/2-stack-write-faults 2 "$(wp exact-cow)"
	check_eq exact-cow/child-exec-ok 0 "$(kv exact-cow child_exit)"
	check_eq exact-cow/fork_stack_copy=0 0 "$(kv exact-cow d_fork_stack_copy)"
fi
for n in 1 2 3 8 64 "$saved_s"; do
	echo "$n" >$s
	t=exact-stack-$n
	if run "$t" --mode stack --child-stack --parent-stack --exec "$X"; then
		check_eq "$t/0-stack-write-faults" 0 "$(wp "$t")"
		check_eq "$t/fork_stack_copy=window-pages" "$(kv "$t" window_present)" "$(kv "$t" d_fork_stack_copy)"
		check_eq "$t/child-exec-ok" 0 "$(kv "$t" child_exit)"
	fi
done
echo "$saved_s" >$s
if run exact-eager --mode eager --child-stack --parent-stack --exec "$X"; then
	check_eq exact-eager/0-stack-write-faults 0 "$(wp exact-eager)"
	check_eager_copies exact-eager "$(kv exact-eager d_fork_eager_copy)" 0
	check_eq exact-eager/fork_eager_copy=anon-pages "$(kv exact-eager anon_pages)" "$(kv exact-eager d_fork_eager_copy)"
fi

# The sweep.
echo 2 >$m
I=4 R=20
sweep() { # MODE [PAGES]: one line of per-process write fault counts
	[ -n "${2:-}" ] && echo "$2" >$s
	_l=""
	_i=0
	while [ $_i -lt $R ]; do
		_w=$("$S" --mode "$1" -n $I --warmup 1 "$X" | sed -n 's/^wp_faults=//p')
		_l="$_l ${_w:-x}"
		_i=$((_i + 1))
	done
	echo "$_l"
}
min() { echo "$@" | tr ' ' '\n' | grep . | sort -n | head -n 1; }
max() { echo "$@" | tr ' ' '\n' | grep . | sort -n | tail -n 1; }
w64=$(sweep stack 64)
w1=$(sweep stack 1)
wdef=$(sweep stack "$saved_s")
wcow=$(sweep cow)
echo "# sweep, write faults per process ($I fork+exec each):"
echo "#   stack, 64 pages:$w64"
echo "#   stack, 1 page:  $w1"
echo "#   stack, $saved_s pages (default):$wdef"
echo "#   cow:            $wcow"
# shellcheck disable=SC2086 # the lists are split into words on purpose
floor=$(min $w64) max64=$(max $w64) maxdef=$(max $wdef) mincow=$(min $wcow)
check_eq sweep/64-pages-same-in-every-process "$floor" "$max64"
check_eq "sweep/default-$saved_s-pages-leaves-no-stack-fault" "$floor" "$maxdef"
check_eq sweep/cow-adds-2-faults-per-fork $((floor + 2 * I)) "$mincow"
