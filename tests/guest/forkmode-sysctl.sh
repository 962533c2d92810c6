#!/bin/sh
# In-guest: the sysctls of the vm.fork_copy_mode series (kernel-patch/).
# vm.fork_copy_mode (0 cow, 1 stack, 2 eager), vm.fork_copy_prctl_max (0..2)
# and vm.fork_copy_stack_pages (1..64) take every valid value and refuse the
# rest with EINVAL, keeping the old value; /proc/vmstat has the series' counters; the four functions
# the series keeps out of line are in kallsyms (kprobe attach points).
# Sysctls touched are restored.
. "$(dirname "$0")/../lib.sh"
m=/proc/sys/vm/fork_copy_mode
s=/proc/sys/vm/fork_copy_stack_pages
c=/proc/sys/vm/fork_copy_prctl_max
# forklab's guest runs forklab's kernel: a missing sysctl is a failure.
for f in $m $s $c; do
	[ -f "$f" ] || { fail "sysctl/exists" "no $f: kernel-patch/ not applied"; exit 1; }
done
saved_m=$(cat $m) saved_s=$(cat $s) saved_c=$(cat $c)
trap 'echo "$saved_m" >$m; echo "$saved_s" >$s; echo "$saved_c" >$c; rm -rf "$T_TMP"' EXIT

# At boot: cow, and the measured stack default (see docs/kernel.md).
check_eq sysctl/boot-mode-is-cow 0 "$saved_m"
check_eq sysctl/boot-stack-pages-default 2 "$saved_s"
check_eq sysctl/boot-prctl-max-allows-all 2 "$saved_c"

# set FILE VALUE: prints the write's error message, if any.
set_sysctl() { (echo "$2" >"$1") 2>&1; }

for v in 0 1 2; do
	err=$(set_sysctl $m $v)
	check_eq "sysctl/fork_copy_mode=$v accepted" "$v:" "$(cat $m):$err"
done
echo 1 >$m
for v in 3 -1 100 abc 2x; do
	err=$(set_sysctl $m "$v")
	case "$err" in
	*"Invalid argument"*) check_eq "sysctl/fork_copy_mode=$v EINVAL, value kept" 1 "$(cat $m)" ;;
	*) fail "sysctl/fork_copy_mode=$v EINVAL, value kept" "write gave '$err', value now $(cat $m)" ;;
	esac
done
echo 0 >$m

for v in 0 1 2; do
	err=$(set_sysctl $c $v)
	check_eq "sysctl/fork_copy_prctl_max=$v accepted" "$v:" "$(cat $c):$err"
done
echo 1 >$c
for v in 3 -1 x; do
	err=$(set_sysctl $c "$v")
	case "$err" in
	*"Invalid argument"*) check_eq "sysctl/fork_copy_prctl_max=$v EINVAL, value kept" 1 "$(cat $c)" ;;
	*) fail "sysctl/fork_copy_prctl_max=$v EINVAL, value kept" "write gave '$err', value now $(cat $c)" ;;
	esac
done
echo 2 >$c

for v in 1 2 3 64; do
	err=$(set_sysctl $s $v)
	check_eq "sysctl/fork_copy_stack_pages=$v accepted" "$v:" "$(cat $s):$err"
done
echo 5 >$s
for v in 0 65 -1 1000 x; do
	err=$(set_sysctl $s "$v")
	case "$err" in
	*"Invalid argument"*) check_eq "sysctl/fork_copy_stack_pages=$v EINVAL, value kept" 5 "$(cat $s)" ;;
	*) fail "sysctl/fork_copy_stack_pages=$v EINVAL, value kept" "write gave '$err', value now $(cat $s)" ;;
	esac
done

for v in cow_fault_copy fork_eager_copy fork_eager_fallback fork_stack_copy \
	fork_copy_threaded fork_tlb_flush_skipped pgreuse; do
	if grep -q "^$v " /proc/vmstat; then pass "vmstat/$v"; else fail "vmstat/$v" "not in /proc/vmstat"; fi
done

if [ -r /proc/kallsyms ] && grep -q ' copy_page_range$' /proc/kallsyms; then
	for f in do_wp_page wp_page_copy wp_page_reuse dup_mmap; do
		if grep -Eq " [tT] $f\$" /proc/kallsyms; then
			pass "kallsyms/$f (kprobe attach point)"
		else
			fail "kallsyms/$f (kprobe attach point)" \
				"not a symbol: $(grep -E " $f(\.|\$)" /proc/kallsyms | head -n 2 | tr '\n' ' ')"
		fi
	done
else
	skip kallsyms/noinline "no /proc/kallsyms (CONFIG_KALLSYMS off)"
fi
