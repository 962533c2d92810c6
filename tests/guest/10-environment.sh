#!/bin/sh
# In-guest: the environment forklab's programs expect from the kernel under
# test: file systems, BTF, every vCPU, the config fragment's options really
# on (/proc/config.gz), the mm interfaces the benchmarks and selftests use,
# and metadata that names how the guest runs (virtualization = tcg here).
. "$(dirname "$0")/../lib.sh"

mounted() { grep -q "^[^ ]* $1 $2 " /proc/mounts; }
for m in /proc:proc /sys:sysfs /sys/kernel/tracing:tracefs /sys/fs/bpf:bpf \
	/sys/kernel/debug:debugfs /sys/fs/cgroup:cgroup2; do
	dir=${m%%:*} fs=${m#*:}
	if mounted "$dir" "$fs"; then pass "env/mount-$fs"; else fail "env/mount-$fs" "$fs not mounted at $dir"; fi
done

if [ -r /sys/kernel/btf/vmlinux ] && [ -s /sys/kernel/btf/vmlinux ]; then
	pass env/btf-vmlinux
else
	fail env/btf-vmlinux "/sys/kernel/btf/vmlinux missing (CONFIG_DEBUG_INFO_BTF)"
fi
check_eq env/kernel-release "$(cat "$FORKLAB_ROOT/kernel.release")" "$(uname -r)"

want_cpus=$(sed -n 's/.*forklab\.smp=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$want_cpus" ]; then
	check_eq env/all-vcpus-online "$want_cpus" "$(grep -c '^processor' /proc/cpuinfo)"
else
	skip env/all-vcpus-online "no forklab.smp= on the kernel command line"
fi

virt=$(sed -n 's/.*"virtualization": "\([^"]*\)".*/\1/p' /run/metadata.json)
case "${FORKLAB_VIRT:-}" in
tcg | kvm) check_eq env/metadata-virtualization "$FORKLAB_VIRT" "$virt" ;;
*) fail env/metadata-virtualization "forklab.virt= missing or unknown ('${FORKLAB_VIRT:-}')" ;;
esac

# Every option of the fragments this kernel is built from
# (scripts/kernel/build.sh), as the running kernel reports it;
# kernel-deb-fast.config is the .deb's, not this kernel's.
if [ -r /proc/config.gz ]; then
	zcat /proc/config.gz >"$T_TMP/config"
	for frag in "$FORKLAB_ROOT"/configs/kernel.config "$FORKLAB_ROOT"/configs/kernel-qemu.config; do
		bad=""
		while IFS= read -r line || [ -n "$line" ]; do
			case "$line" in
			CONFIG_*=*) sym=${line%%=*} want=${line#*=} ;;
			"# CONFIG_"*" is not set") sym=${line#\# } sym=${sym%% *} want=n ;;
			*) continue ;;
			esac
			have=$(grep "^$sym=" "$T_TMP/config" | cut -d= -f2-)
			[ -n "$have" ] || have=n
			[ "$have" = "$want" ] || bad="$bad $sym=$want(got $have)"
		done <"$frag"
		name=env/config-$(basename "$frag" .config)
		if [ -z "$bad" ]; then pass "$name"; else fail "$name" "not in the running kernel:$bad"; fi
	done
else
	fail env/config "/proc/config.gz missing (CONFIG_IKCONFIG_PROC)"
fi

has() { # NAME PATH WHY
	if [ -e "$2" ]; then pass "$1"; else fail "$1" "$2 missing ($3)"; fi
}
has env/kprobe-events /sys/kernel/tracing/kprobe_events CONFIG_KPROBE_EVENTS
has env/function-tracer /sys/kernel/tracing/available_filter_functions CONFIG_FUNCTION_TRACER
has env/thp-sysfs /sys/kernel/mm/transparent_hugepage/enabled CONFIG_TRANSPARENT_HUGEPAGE
has env/ksm-sysfs /sys/kernel/mm/ksm/run CONFIG_KSM
has env/gup-test /sys/kernel/debug/gup_test CONFIG_GUP_TEST
has env/hugetlb /proc/sys/vm/nr_hugepages CONFIG_HUGETLBFS
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	pass env/memcg
else
	fail env/memcg "no memory controller in /sys/fs/cgroup/cgroup.controllers (CONFIG_MEMCG)"
fi
if grep -q '^pgfault ' /proc/vmstat && grep -q '^pgreuse ' /proc/vmstat; then
	pass env/vmstat-pgfault-pgreuse
else
	fail env/vmstat-pgfault-pgreuse "/proc/vmstat lacks pgfault/pgreuse (CONFIG_VM_EVENT_COUNTERS)"
fi
thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
check_eq env/thp-default-always always "$thp"
