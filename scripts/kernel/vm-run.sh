#!/usr/bin/env bash
# Boot forklab's kernel under QEMU and run the in-guest tests, or a command.
#
#   scripts/kernel/vm-run.sh [options]                  run tests/guest/* in the guest
#   scripts/kernel/vm-run.sh [options] -- CMD [ARGS]    run CMD in the guest (cwd /forklab)
#
#   --kernel DIR     kernel build (default build/kernel, from make kernel)
#   --initrd FILE    initramfs (default build/kernel-initramfs.cpio.gz, from make initramfs)
#   --out DIR        results folder, shared with the guest over virtio 9p and
#                    mounted there at the same path (default build/vm/<date>)
#   --timeout S      kill the guest after S seconds (default 1800)
#   --accel A        auto (default: KVM if a probe boot works, else TCG), kvm, tcg,
#                    icount (TCG, one vCPU, -icount shift=0,sleep=off: the guest's
#                    clock counts instructions, 1 ns = 1 instruction)
#   --smp N          vCPUs (default 2)      --mem MB   guest memory (default 2048)
#   --append ARGS    extra kernel command line
#   --console        stream the guest console while it runs (V=1 does too)
#   --mode M         guest mode: tests (default), cmd, panic, hang (the last two
#                    exist to test this script's error handling)
#   --root IMG|DIR   boot a Debian root file system (scripts/kernel/rootfs.sh)
#                    instead of the initramfs; cmd mode only.  IMG: an ext4
#                    image on a virtio disk, the guest's writes discarded unless
#                    --root-writable; no initrd unless --initrd names one, so
#                    the kernel needs virtio-blk and ext4 built in (make
#                    kernel-deb's fast config).  DIR: a directory (e.g. the
#                    image mounted) shared over virtio 9p as the root, read-only
#                    unless --root-writable (make kernel's build can boot that)
#   --root-writable  keep the guest's writes in IMG or DIR (a copy or an overlay
#                    the caller owns)
#                    forklab's tree is shared read-only at /forklab; the
#                    command starts in /root (scripts/kernel/debian-guest-init)
#   --bzimage FILE   boot this kernel image (e.g. a vmlinuz a package installed)
#                    instead of the kernel build's bzImage
#
# The results folder gets console.log, metadata.json (virtualization = tcg|kvm),
# status, and guest-tests.log (tests) or cmd.log (cmd).  In the guest, CMD sees
# FORKLAB_OUT (that folder), FORKLAB_BUILD=/forklab/build, FORKLAB_VIRT.
#
# Exit status: the guest's (0 = every guest test passed).  A guest that hangs is
# killed at the timeout; a panic, a timeout or a QEMU error exits 1 and the
# last line of output says which.  A bad option or value exits 2 before
# anything is created.
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

kdir=$KROOT/build/kernel initrd="" out="" root="" root_rw=0 bzimage=""
timeout_s=1800 accel=${FORKLAB_ACCEL:-auto} smp=2 mem=2048 append="" console=0 mode=tests
# usage MESSAGE: a bad option or value (exit 2, nothing created yet).
usage() {
	echo "$PROG: $*" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kdir=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--console) console=1; shift ;;
	--mode) mode=$2; shift 2 ;;
	--root) root=$2; shift 2 ;;
	--root-writable) root_rw=1; shift ;;
	--bzimage) bzimage=$2; shift 2 ;;
	--) shift; mode=cmd; break ;;
	-h|--help) sed -n '2,42p' "$0"; exit 0 ;;
	*) usage "unknown option '$1' (see --help)" ;;
	esac
done
[ "$V" = 1 ] && console=1
case "$accel" in auto|kvm|tcg|icount) ;; *) usage "--accel: '$accel' is not auto, kvm, tcg or icount" ;; esac
[ "$accel" != icount ] || smp=1
case "$mode" in tests|cmd|panic|hang) ;; *) usage "--mode: '$mode' is not tests, cmd, panic or hang" ;; esac
for n in "$timeout_s" "$smp" "$mem"; do
	case "$n" in '' | *[!0-9]*) usage "'$n' is not a positive integer (--timeout/--smp/--mem)" ;; esac
done
[ "$mode" != cmd ] || [ $# -gt 0 ] || usage "no command after --"
if [ -n "$root" ]; then
	[ "$mode" = cmd ] || usage "--root runs a command (-- CMD), not --mode $mode"
else
	[ "$root_rw" = 0 ] || usage "--root-writable needs --root IMG"
	: "${initrd:=$KROOT/build/kernel-initramfs.cpio.gz}"
fi
# 9p's mount options cannot carry spaces or commas in the shared path.
case "$out" in '') abs="" ;; /*) abs=$out ;; *) abs=$PWD/$out ;; esac
case "$abs" in *[[:space:],]*) usage "--out path must not contain spaces or commas: $abs" ;; esac
need qemu-system-x86_64 timeout
if [ -n "$bzimage" ]; then
	[ -f "$bzimage" ] || die "no kernel image at $bzimage"
	kimage=$bzimage
	# "Linux kernel x86 boot executable bzImage, version 6.12.118-forklab (...)"
	release=$(file -bL "$kimage" 2>/dev/null | sed -n 's/.*, version \([^ ]*\) .*/\1/p')
else
	[ -f "$kdir/bzImage" ] || die "no kernel at $kdir/bzImage (run: make kernel)"
	kimage=$kdir/bzImage
	release=$(cat "$kdir/kernel.release")
fi
[ -z "$initrd" ] || [ -f "$initrd" ] || die "no initramfs at $initrd (run: make initramfs)"
[ -z "$root" ] || [ -e "$root" ] || die "no root file system image at $root (run: make debian-rootfs)"
case "$root" in *[[:space:],]*) usage "--root path must not contain spaces or commas: $root" ;; esac

if [ -z "$out" ]; then
	out=$KROOT/build/vm/$(date +%Y%m%d-%H%M%S)-$$
fi
err=$(mkdir -p "$out" 2>&1) || die "--out: ${err#mkdir: }"
out=$(cd "$out" && pwd)
rm -f "$out"/{console.log,status,guest-tests.log,cmd.log,cmd.sh,metadata.json,qemu.log,guest-init.sh}
rm -rf "$out/guest-logs"
if [ "$mode" = cmd ]; then
	{
		# The initramfs has forklab at /forklab; the Debian image starts in root's home.
		if [ -n "$root" ]; then echo "cd /root"; else echo "cd /forklab"; fi
		printf '%q ' "$@"
		echo
	} >"$out/cmd.sh"
fi

qemu_base() { # ACCEL CPU SMP MEM LOG [KERNEL INITRD]
	local k=${6:-$kimage} i=${7-$initrd}
	echo qemu-system-x86_64 -nodefaults -display none -no-reboot -monitor none \
		-accel "$1" -cpu "$2" -smp "$3" -m "$4" -serial "file:$5" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$k" ${i:+-initrd "$i"}
}

# kvm_works: a short probe boot; hardware that only pretends (kvm_pvm) hangs.
# The answer is remembered per host boot.
kvm_works() {
	if [ ! -w /dev/kvm ]; then
		say "no usable /dev/kvm: using TCG"
		return 1
	fi
	# The probe boots make kernel's build with the initramfs (make initramfs).
	local pk=$kimage pi=$initrd
	if [ -n "$root" ]; then
		pk=$KROOT/build/kernel/bzImage pi=$KROOT/build/kernel-initramfs.cpio.gz
		if [ ! -f "$pk" ] || [ ! -f "$pi" ]; then
			say "no kernel and initramfs for the KVM probe (make initramfs): using TCG"
			return 1
		fi
	fi
	local memo boot stamp tmp rc=0
	boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	stamp="$boot $(qemu-system-x86_64 --version | head -n 1)"
	memo=$FORKLAB_CACHE/kvm-probe
	if [ -f "$memo" ] && [ "$(head -n 1 "$memo")" = "$stamp" ]; then
		[ "$(sed -n 2p "$memo")" = yes ] && return 0
		say "KVM probe failed earlier on this boot ($(sed -n 3p "$memo")): using TCG"
		return 1
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/forklab-kvm-probe.XXXXXX")
	say "probing KVM (${FORKLAB_KVM_PROBE_TIMEOUT:-20} s at most)"
	# In a subshell whose stderr is discarded: QEMU may abort (SIGABRT), and
	# bash would report that on our stderr.
	# shellcheck disable=SC2046
	(timeout -k 2 "${FORKLAB_KVM_PROBE_TIMEOUT:-20}" $(qemu_base kvm host 1 256 "$tmp/console.log" "$pk" "$pi") \
		-append "console=ttyS0 panic=-1 forklab.mode=probe" >"$tmp/qemu.log" 2>&1 </dev/null
	exit $?) 2>/dev/null || rc=$?
	local why=""
	case $rc in
	1) grep -q 'forklab-guest: exit status 0' "$tmp/console.log" || why="qemu: $(tail -n 1 "$tmp/qemu.log")" ;;
	124 | 137) why="guest hung for ${FORKLAB_KVM_PROBE_TIMEOUT:-20} s" ;;
	*) why="qemu exit $rc: $(tail -n 1 "$tmp/qemu.log")" ;;
	esac
	rm -rf "$tmp"
	mkdir -p "$FORKLAB_CACHE"
	printf '%s\n%s\n%s\n' "$stamp" "$([ -z "$why" ] && echo yes || echo no)" "$why" >"$memo"
	[ -z "$why" ] && return 0
	say "KVM probe failed ($why): using TCG"
	return 1
}

case "$accel" in
auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
esac
icount=()
if [ "$accel" = kvm ]; then
	accel_arg=kvm cpu=host
elif [ "$accel" = icount ]; then
	accel_arg=tcg,thread=single cpu=max icount=(-icount "shift=0,sleep=off")
else
	accel_arg=tcg,thread=multi cpu=max
fi

cmdline="console=ttyS0 panic=-1 oops=panic forklab.mode=$mode forklab.out=$out forklab.virt=$accel forklab.smp=$smp"
disk=()
if [ -n "$root" ]; then
	# The image's /sbin/forklab-init runs guest-init.sh from the results folder.
	cp "$KROOT/scripts/kernel/debian-guest-init" "$out/guest-init.sh"
	# A loaded host makes TCG's timer look broken to the IO-APIC check
	# ("IO-APIC + timer doesn't work!", a panic): skip that check.
	[ "$accel" = kvm ] || cmdline="$cmdline no_timer_check"
	if [ -d "$root" ]; then
		cmdline="$cmdline root=forklab-root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 $([ "$root_rw" = 1 ] && echo rw || echo ro) init=/sbin/forklab-init"
		disk=(-virtfs "local,path=$root,mount_tag=forklab-root,security_model=none,readonly=$([ "$root_rw" = 1 ] && echo off || echo on),id=forklab-root")
	else
		cmdline="$cmdline root=/dev/vda rw rootfstype=ext4 init=/sbin/forklab-init"
		disk=(-drive "file=$root,format=raw,if=virtio,cache=unsafe,snapshot=$([ "$root_rw" = 1 ] && echo off || echo on)")
	fi
	# forklab's tree, read-only, at /forklab in the guest.
	disk+=(-virtfs "local,path=$KROOT,mount_tag=forklab-src,security_model=none,readonly=on,id=forklab-src")
fi
[ -z "$append" ] || cmdline="$cmdline $append"
# shellcheck disable=SC2207
qemu=($(qemu_base "$accel_arg" "$cpu" "$smp" "$mem" "$out/console.log")
	"${icount[@]}" -virtfs "local,path=$out,mount_tag=forklab,security_model=none,id=forklab"
	"${disk[@]}" -append "$cmdline")

say "booting ${release:-an unknown kernel}${root:+ on $(basename "$root")} ($accel, $smp vCPUs, $mem MB, timeout ${timeout_s}s): $out"
[ "$V" = 1 ] && printf '+ %s\n' "${qemu[*]}" >&2
t0=$SECONDS
: >"$out/console.log"
timeout -k 5 "$timeout_s" "${qemu[@]}" >"$out/qemu.log" 2>&1 </dev/null &
qpid=$!
tail_pid=""
if [ "$console" = 1 ]; then
	tail -n +1 -f --pid="$qpid" "$out/console.log" &
	tail_pid=$!
fi
# Never leave a guest behind: our own timeout or Ctrl-C stops QEMU too.
# shellcheck disable=SC2317 # run by the trap below (shellcheck takes the trap-only function for dead code, as the script ends in die)
cleanup() {
	kill -TERM "$qpid" 2>/dev/null || true
	[ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap 'cleanup; die "interrupted; guest stopped"' INT TERM HUP
rc=0
wait "$qpid" || rc=$?
[ -z "$tail_pid" ] || wait "$tail_pid" 2>/dev/null || true
trap - INT TERM HUP
secs=$((SECONDS - t0))

# Show what the guest reported.
case "$mode" in
tests) [ ! -f "$out/guest-tests.log" ] || [ "$console" = 1 ] || cat "$out/guest-tests.log" ;;
cmd) [ ! -f "$out/cmd.log" ] || [ "$console" = 1 ] || cat "$out/cmd.log" ;;
esac

last_console() { grep -v '^[[:space:]]*$' "$out/console.log" | tail -n 1 | tr -d '\r' | cut -c1-200; }
panic_line() {
	grep -m1 -aE 'Kernel panic - not syncing|BUG: |Oops: |general protection fault' "$out/console.log" |
		tr -d '\r' | sed 's/^\[[ 0-9.]*\] //' | cut -c1-200
}
reported=$(sed -n 's/^forklab-guest: exit status \([0-9]*\).*/\1/p' "$out/console.log" | tr -d '\r' | tail -n 1)
status=""
case $rc in
124 | 137)
	die "guest timed out after ${timeout_s}s and was killed (last console line: $(last_console); log: $out/console.log)"
	;;
0)
	# QEMU exited on reboot without the exit device: a panic, or no /dev/port.
	p=$(panic_line)
	[ -z "$p" ] || die "guest kernel panic after ${secs}s: $p (log: $out/console.log)"
	[ -f "$out/status" ] && status=$(cat "$out/status")
	[ -n "$status" ] || status=$reported
	[ -n "$status" ] || die "guest stopped after ${secs}s without reporting a status (last console line: $(last_console))"
	;;
*)
	if [ $((rc % 2)) = 1 ] && [ -n "$reported" ] && [ $((rc >> 1)) = "$reported" ]; then
		status=$reported
	else
		die "qemu failed (exit $rc): $(tail -n 1 "$out/qemu.log")"
	fi
	;;
esac
echo "$status" >"$out/status"
case "$out" in "$KROOT"/build/vm/*) ln -sfn "$out" "$KROOT/build/vm/last" ;; esac
if [ "$status" = 0 ]; then
	say "guest passed ($accel, ${secs}s): $out"
	exit 0
fi
case "$mode" in
tests) die "guest tests failed (guest exit status $status, ${secs}s): $(grep -m1 '^FAIL:' "$out/guest-tests.log" 2>/dev/null || echo "see $out/console.log")" ;;
*) die "guest command failed with status $status (${secs}s; log: $out/${mode}.log)" ;;
esac
