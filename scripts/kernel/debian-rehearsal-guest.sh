#!/usr/bin/env bash
# The guest's half of scripts/kernel/debian-rehearsal.sh, run in the Debian
# image from forklab's shared tree (/forklab).  Prints PASS:/FAIL: lines and
# exits 0 only when none failed.
#
#   debian-rehearsal-guest.sh install   dpkg -i the linux-image and -headers
#                                       packages in $FORKLAB_OUT/debs, copy the
#                                       /boot files dpkg and the initramfs hook
#                                       made to $FORKLAB_OUT/boot
#   debian-rehearsal-guest.sh run REL [initrd]
#                                       booted from those files: uname -r (and,
#                                       with initrd, that Debian's initramfs
#                                       ran), the sysctls, the prctl, python3's
#                                       forks in each mode against /proc/vmstat,
#                                       forklab cloned ($FORKLAB_OUT/forklab.bundle,
#                                       else a copy of /forklab) and built, and
#                                       ./run-all.sh with a tiny matrix in cow,
#                                       stack and eager; the run folder goes to
#                                       $FORKLAB_OUT/run-all
#
# The work happens in /tmp/forklab-rehearsal (a tmpfs: the root may be
# read-only).
set -uo pipefail
OUT=${FORKLAB_OUT:?FORKLAB_OUT is not set (run in the guest by debian-rehearsal.sh)}
failed=0 passed=0
pass() { echo "PASS: debian/$1"; passed=$((passed + 1)); }
fail() { echo "FAIL: debian/$1: $2"; failed=$((failed + 1)); }
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi; }
# relay: pass on (and count) the PASS:/FAIL: lines of a helper; relay < <(CMD).
relay() {
	local l
	while IFS= read -r l; do
		echo "$l"
		case "$l" in
		PASS:*) passed=$((passed + 1)) ;;
		FAIL:*) failed=$((failed + 1)) ;;
		esac
	done
}
finish() {
	echo "$passed passed, $failed failed (guest: $1)"
	[ "$failed" = 0 ]
	exit $?
}

step_install() {
	local debs=$OUT/debs img rel log=$OUT/dpkg.log
	img=$(find "$debs" -maxdepth 1 -name 'linux-image-*.deb' ! -name '*-dbg_*' | head -n 1)
	[ -n "$img" ] || { fail dpkg-install "no linux-image package in $debs"; finish install; }
	rel=$(dpkg-deb -f "$img" Package | sed 's/^linux-image-//')
	echo "# installing $(basename "$img") and its headers (kernel $rel)"
	if dpkg -i "$img" "$debs"/linux-headers-*.deb >"$log" 2>&1; then
		pass "dpkg-install ($(dpkg-query -W -f='${Package} ${Version}' "linux-image-$rel"))"
	else
		fail dpkg-install "dpkg -i failed: $(tail -n 1 "$log")"
	fi
	# The package's postinst runs /etc/kernel/postinst.d/initramfs-tools.
	if grep -q "update-initramfs: Generating /boot/initrd.img-$rel" "$log" &&
		[ -s "/boot/initrd.img-$rel" ]; then
		pass "initramfs-hook (/boot/initrd.img-$rel, $(du -k "/boot/initrd.img-$rel" | cut -f1) KiB)"
	else
		fail initramfs-hook "no /boot/initrd.img-$rel made by update-initramfs (see $log)"
	fi
	local f missing=""
	for f in "/boot/vmlinuz-$rel" "/boot/config-$rel" "/boot/System.map-$rel" "/lib/modules/$rel/modules.dep"; do
		[ -s "$f" ] || missing="$missing $f"
	done
	check_eq "installed-files (vmlinuz, config, System.map, modules.dep)" "" "$missing"
	mkdir -p "$OUT/boot"
	cp "/boot/vmlinuz-$rel" "/boot/initrd.img-$rel" "/boot/config-$rel" "$OUT/boot/" ||
		fail copy-boot "cannot copy /boot files to $OUT/boot"
	echo "$rel" >"$OUT/boot/release"
	sync
	finish install
}

# python3 forks N times in the current mode (sysctl or prctl), single- and
# multi-threaded, and compares with /proc/vmstat's forklab counters: the
# guest runs nothing else, so every count is exact.
py_forks() {
	python3 - "$@" <<'PY'
import ctypes, os, sys, threading
mode, prctl_mode = sys.argv[1], int(sys.argv[2])
N = 40
KEYS = ["fork_eager_copy", "fork_stack_copy", "fork_copy_threaded", "fork_tlb_flush_skipped"]
libc = ctypes.CDLL(None, use_errno=True)
# lib/fork_mode.h: PR_SET/GET_FORK_COPY_MODE; the setting is the mode + 1
# (0 follows vm.fork_copy_mode), and GET returns it.
PR_SET, PR_GET = 74, 75

def vmstat():
    return {k: int(v) for k, v in (l.split() for l in open("/proc/vmstat")) if k in KEYS}

def forks(n):
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)

def measure(n):
    a = vmstat()
    forks(n)
    b = vmstat()
    return {k: b[k] - a[k] for k in KEYS}

def out(name, ok, got):
    print(f"{'PASS' if ok else 'FAIL'}: debian/python3-{name}" + ("" if ok else f": got {got}"))

if prctl_mode >= 0:
    rc = libc.prctl(PR_SET, prctl_mode + 1, 0, 0, 0)
    got = libc.prctl(PR_GET, 0, 0, 0, 0)
    out(f"{mode}-prctl-get", rc == 0 and got == prctl_mode + 1,
        f"set {rc}, get {got} (errno {ctypes.get_errno()})")
forks(2)  # settle: first-fork effects (page tables, libc) out of the way
d = measure(N)
if mode == "cow":
    out(f"{mode}-{N}-forks (no forklab counter moves)", d == dict.fromkeys(KEYS, 0), d)
elif mode == "stack":
    out(f"{mode}-{N}-forks (stack pages copied, 1-2 per fork; no eager, no skip)",
        N <= d["fork_stack_copy"] <= 2 * N and d["fork_eager_copy"] == 0
        and d["fork_tlb_flush_skipped"] == 0 and d["fork_copy_threaded"] == 0, d)
else:
    out(f"{mode}-{N}-forks (fork_tlb_flush_skipped = {N} exactly, pages copied)",
        d["fork_tlb_flush_skipped"] == N and d["fork_eager_copy"] >= 100 * N
        and d["fork_copy_threaded"] == 0 and d["fork_stack_copy"] == 0, d)
# A second thread: stack and eager forks run as cow, each counted once.
stop = threading.Event()
t = threading.Thread(target=stop.wait)
t.start()
d = measure(N)
stop.set()
t.join()
want = N if mode != "cow" else 0
out(f"{mode}-{N}-threaded-forks (fork_copy_threaded = {want} exactly, nothing copied)",
    d == dict(dict.fromkeys(KEYS, 0), fork_copy_threaded=want), d)
PY
}

WORK=/tmp/forklab-rehearsal
step_run() {
	local rel=$1 initrd=${2:-} v mode i
	check_eq uname-r "$rel" "$(uname -r)"
	if [ "$initrd" != initrd ]; then
		:
	elif [ -d /run/initramfs ]; then
		pass "booted-through-the-package-initrd (/run/initramfs)"
	else
		fail booted-through-the-package-initrd "no /run/initramfs: the kernel did not start Debian's initramfs"
	fi
	check_eq userland "Debian GNU/Linux 12 (bookworm)" "$(. /etc/os-release && echo "$PRETTY_NAME")"
	check_eq sysctls "0 2 2" "$(cat /proc/sys/vm/fork_copy_mode /proc/sys/vm/fork_copy_stack_pages \
		/proc/sys/vm/fork_copy_prctl_max 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	if (echo 3 >/proc/sys/vm/fork_copy_mode) 2>/dev/null; then v=accepted; else v=refused; fi
	check_eq sysctl-refuses-3 "refused 0" "$v $(cat /proc/sys/vm/fork_copy_mode)"

	# python3 from Debian, each mode through the sysctl, then eager through the prctl.
	for mode in cow stack eager; do
		case $mode in cow) i=0 ;; stack) i=1 ;; eager) i=2 ;; esac
		echo "$i" >/proc/sys/vm/fork_copy_mode
		relay < <(py_forks "$mode" -1 2>&1)
	done
	echo 0 >/proc/sys/vm/fork_copy_mode
	relay < <(py_forks eager 2 2>&1)

	# forklab from a clone, built in the guest.
	local t0=$SECONDS log=$OUT/forklab-build.log
	local how="git clone of $OUT/forklab.bundle"
	rm -rf "$WORK"
	mkdir -p "$WORK"
	if [ -f "$OUT/forklab.bundle" ]; then
		git clone -q "$OUT/forklab.bundle" "$WORK/forklab" >"$log" 2>&1
	else
		how="a copy of /forklab"
		mkdir -p "$WORK/forklab" &&
			tar -C /forklab --exclude=./build --exclude=./results --exclude=./.git -cf - . |
			tar -C "$WORK/forklab" -xf - >"$log" 2>&1
	fi
	if make -C "$WORK/forklab" -j"$(nproc)" all >>"$log" 2>&1; then
		pass "forklab-clone-and-build ($how, built in $((SECONDS - t0)) s)"
	else
		fail forklab-clone-and-build "$(tail -n 1 "$log")"
		finish run
	fi
	echo "# forklab built in $((SECONDS - t0)) s"

	# run-all.sh, a tiny matrix: one heap cell in every fork mode, traced.
	cat >"$WORK/tiny.conf" <<'CONF'
cell-modes counts heap --heap 4M --child-write 0.5 --parent-write 1 -n 2 --warmup 0 --trace
CONF
	t0=$SECONDS
	if (cd "$WORK/forklab" && ./run-all.sh --config "$WORK/tiny.conf" --out "$WORK/run") >"$OUT/run-all.log" 2>&1; then
		pass "run-all ($((SECONDS - t0)) s)"
	else
		fail run-all "$(tail -n 1 "$OUT/run-all.log")"
	fi
	rm -rf "$OUT/run-all"
	cp -r "$WORK/run" "$OUT/run-all" 2>/dev/null
	relay < <(python3 - "$OUT/run-all" "$rel" 2>&1 <<'PY'
import csv, json, os, sys
run, rel = sys.argv[1], sys.argv[2]
def chk(name, want, got):
    print(f"PASS: debian/{name}" if want == got else f"FAIL: debian/{name}: expected {want}, got {got}")
try:
    m = json.load(open(os.path.join(run, "metadata.json")))
    rows = list(csv.DictReader(open(os.path.join(run, "summary.csv"))))
except (OSError, ValueError) as e:
    print(f"FAIL: debian/run-all-results: {e}")
    sys.exit(0)
chk("run-all-metadata (kernel, modes)", [rel, "cow stack eager"],
    [m.get("kernel_release"), m.get("fork_modes")])
chk("run-all-report", True, os.path.getsize(os.path.join(run, "report.md")) > 0
    if os.path.exists(os.path.join(run, "report.md")) else False)
for mode in ("cow", "stack", "eager"):
    rs = [r for r in rows if r["cell"] == f"counts@{mode}" and r["metric"] == "fork"]
    if not rs:
        print(f"FAIL: debian/run-all-counts-{mode}: no fork row in counts@{mode}")
        continue
    r = rs[0]
    it = int(r["iterations"])
    want = [int(r[k]) * it for k in ("pred_child_wp_faults", "pred_child_cow_copies",
                                     "pred_parent_wp_faults", "pred_parent_cow_reuses")]
    got = [int(r[k] or -1) for k in ("child_wp_faults", "child_cow_copies",
                                     "parent_wp_faults", "parent_cow_reuses")]
    chk(f"run-all-counts-{mode} (child wp/copies, parent wp/reuses = predictions)", want, got)
PY
	)
	finish run
}

case "${1:-}" in
install) step_install ;;
run) [ $# -ge 2 ] || { echo "debian-rehearsal-guest.sh: run needs the kernel release" >&2; exit 2; }
	step_run "$2" "${3:-}" ;;
*) echo "debian-rehearsal-guest.sh: '${1:-}' is not install or run" >&2; exit 2 ;;
esac
