#!/bin/sh
# In-guest: eager fork when memory runs out (kernel-patch/).  A process in a
# memory cgroup, its limit set just before the fork to what it uses plus a
# headroom (forkmode-fork --memcg):
#   eager, 16 MiB heap, 4 MiB headroom: fork fails with ENOMEM; the parent
#     keeps its data and its pages; every page copied for the child is
#     freed again (nr_anon_pages +0 over the failed fork) and uncharged
#   eager, 64 MiB headroom: the same fork succeeds
#   cow, 4 MiB headroom: succeeds (fork copies nothing)
#   eager, THP heap (4 THPs), 1.5 MiB headroom: no THP can be charged, so
#     each is copied into small pages (fork_eager_fallback), which cannot
#     be charged either: fork fails with ENOMEM, no THP is split, the
#     parent keeps its data and pages
# The cgroup is removed afterwards.
. "$(dirname "$0")/../lib.sh"
F=$FORKLAB_BUILD/forkmode-fork
m=/proc/sys/vm/fork_copy_mode
cg=/sys/fs/cgroup
[ -f $m ] || { echo "FAIL: forkmode-enomem/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x "$F" ] || { echo "FAIL: forkmode-enomem/setup: no $F in this initramfs (make static)"; exit 1; }
[ -f $cg/cgroup.controllers ] || mount -t cgroup2 cgroup2 $cg 2>/dev/null
grep -qw memory $cg/cgroup.controllers 2>/dev/null || { echo "no memory cgroup controller"; exit 77; }
dir=$cg/forkmode-enomem
enabled=0
grep -qw memory $cg/cgroup.subtree_control || { echo +memory >$cg/cgroup.subtree_control && enabled=1; }
thp=/sys/kernel/mm/transparent_hugepage
saved_thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp/enabled 2>/dev/null)
saved_2m=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp/hugepages-2048kB/enabled 2>/dev/null)
saved_m=$(cat $m)
cleanup() {
	echo "$saved_m" >$m
	rmdir $dir 2>/dev/null
	[ $enabled = 1 ] && echo -memory >$cg/cgroup.subtree_control
	[ -n "$saved_thp" ] && echo "$saved_thp" >$thp/enabled
	[ -n "$saved_2m" ] && echo "$saved_2m" >$thp/hugepages-2048kB/enabled
	rm -rf "$T_TMP"
}
trap cleanup EXIT
mkdir -p $dir
# This shell's forks take no write fault in eager mode (global counters).
echo 2 >$m

run() {
	_n=$1; shift
	if ! "$F" --memcg $dir "$@" >"$T_TMP/$_n" 2>&1 || grep -q '^error=' "$T_TMP/$_n"; then
		fail "$_n" "forkmode-fork $*: $(grep -m1 '^error=' "$T_TMP/$_n" || tail -n 1 "$T_TMP/$_n")"
		return 1
	fi
	echo "# $_n: $(grep -E '^(fork_errno|anon_pages|memcg_[a-z]*|d_[a-z_]*)=' "$T_TMP/$_n" | grep -v '=0$' | tr '\n' ' ')"
}
kv() { sed -n "s/^$2=//p" "$T_TMP/$1"; }

if run eager-enomem --mode eager --pages 4096 --headroom 4096; then
	check_eq eager-enomem/fork-fails-ENOMEM 12 "$(kv eager-enomem fork_errno)"
	check_eq eager-enomem/parent-kept-data 1 "$(kv eager-enomem heap_intact)"
	check_eq eager-enomem/parent-kept-pages "$(kv eager-enomem anon_pages)" "$(kv eager-enomem anon_pages_after)"
	check_eq eager-enomem/copies-freed-nr_anon_pages+0 0 "$(kv eager-enomem d_nr_anon_pages)"
	check_le eager-enomem/copies-uncharged "$(kv eager-enomem memcg_after)" \
		$(($(kv eager-enomem memcg_before) + 512 * 1024))
	check_eq eager-enomem/no-tlb-flush-needed 1 "$(kv eager-enomem d_fork_tlb_flush_skipped)"
fi
if run eager-fits --mode eager --pages 4096 --headroom 65536; then
	check_eq eager-fits/fork-succeeds 0 "$(kv eager-fits fork_errno)"
	check_eq eager-fits/child-ok 0 "$(kv eager-fits child_exit)"
	check_eager_copies eager-fits "$(kv eager-fits d_fork_eager_copy)" 4096
	check_eq eager-fits/fork_eager_copy=anon-pages "$(kv eager-fits anon_pages)" "$(kv eager-fits d_fork_eager_copy)"
fi
if run cow-fits --mode cow --pages 4096 --headroom 4096; then
	check_eq cow-fits/fork-succeeds 0 "$(kv cow-fits fork_errno)"
	check_eq cow-fits/child-ok 0 "$(kv cow-fits child_exit)"
fi

if [ -n "$saved_thp" ]; then
	echo madvise >$thp/enabled
	[ -n "$saved_2m" ] && echo inherit >$thp/hugepages-2048kB/enabled
	if run thp-fallback --mode eager --thp 4 --headroom 1536 &&
		[ "$(kv thp-fallback heap_thp_kb)" = 8192 ]; then
		check_eq thp-fallback/fork-fails-ENOMEM 12 "$(kv thp-fallback fork_errno)"
		# the first THP fails its charge, then its small pages: fork stops there
		check_eq thp-fallback/fork_eager_fallback=1 1 "$(kv thp-fallback d_fork_eager_fallback)"
		check_eq thp-fallback/no-thp-split 0 "$(kv thp-fallback d_thp_split_pmd)"
		check_eq thp-fallback/parent-kept-data 1 "$(kv thp-fallback heap_intact)"
		check_eq thp-fallback/parent-still-thp 8192 "$(kv thp-fallback heap_thp_kb)"
		check_eq thp-fallback/copies-freed-nr_anon_pages+0 0 "$(kv thp-fallback d_nr_anon_pages)"
	elif [ -f "$T_TMP/thp-fallback" ]; then
		skip thp-fallback "no THP-backed heap ($(kv thp-fallback heap_thp_kb) kB of 8192)"
	fi
else
	skip thp-fallback "no transparent hugepage support"
fi
