#!/usr/bin/env bash
# Mode 0 against an unpatched kernel, in instructions: forklab's kernel and
# the same 6.12 source and guest config without the series (make
# kernel-stock), each booted under QEMU -icount (vm-run.sh --accel icount,
# one vCPU: 1 ns of the guest's clock = 1 instruction), BOOTS boots each.
#
#   scripts/kernel/icount-baseline.sh [--boots B] [-n N] [--out DIR]
#
#   --boots B   boots per kernel (default 2, allowed 1..10): the spread
#               between boots of one kernel
#   -n N        forks per median (forkmode-bench -n, default 5, allowed 1..100)
#   --out DIR   where the boots' folders and table.md go
#               (default build/icount-baseline/<date>); a boot that finished
#               there before is kept (an interrupted run goes on)
#
# In each boot, forkmode-bench -n N 0 16 64: a minimal fork (no heap) and a
# cow fork of a touched 16 and 64 MiB heap (4 KiB pages), median of N.
# Stock: the run twice (the repeat within a boot).  Patched: first with no
# mode chosen since boot (the static key fork_copy_used off: patch 13),
# then after one eager fork (forkmode-bench --mode eager -n 1 1) has turned
# it on, the same run again.  Every run forks in cow (mode 0).
#
# Prints (and writes to DIR/table.md) one row per kernel and state: the
# medians of each boot, instructions per fork and per heap page (and the
# child's write fault per page of the 64 MiB heap), and the spread between its boots ((max - min) / min).  docs/kernel.md, "Against an
# unpatched kernel", quotes a run.  Boots build/kernel's, then
# build/kernel-stock's, as they are; a missing one is built first (make
# kernel, make kernel-stock: cached), and make static.  Exit 2 on a bad
# option, 1 if a boot fails (the last line says which).
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

boots=2 n=5 out=""
usage() {
	echo "$PROG: $*" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--boots | -n | --out)
		[ $# -ge 2 ] || usage "$1 needs a value (see --help)"
		case "$1" in
		--boots) boots=$2 ;;
		-n) n=$2 ;;
		--out) out=$2 ;;
		esac
		shift 2
		;;
	-h | --help) sed -n '2,28p' "$0"; exit 0 ;;
	*) usage "unknown option '$1' (allowed: --boots B, -n N, --out DIR)" ;;
	esac
done
case "$boots" in [1-9] | 10) ;; *) usage "--boots '$boots': not a count of boots (allowed: 1..10)" ;; esac
case "$n" in [1-9] | [1-9][0-9] | 100) ;; *) usage "-n '$n': not a count of forks (allowed: 1..100)" ;; esac
: "${out:=$KROOT/build/icount-baseline/$(date -u +%Y%m%d-%H%M%S)}"
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
case "$out" in *[[:space:],]*) usage "--out '$out': a path without spaces or commas (it is shared over 9p)" ;; esac

cd "$KROOT"
mkdir -p "$out"
make -s static || die "make static failed (its reason above)"

# prepare K: build/K as it is, or built (taken from the cache) if missing,
# and its initramfs with build/static as it is now.
prepare() {
	if [ ! -f "build/$1/bzImage" ]; then
		local stock=()
		[ "$1" = kernel ] || stock=(--stock)
		scripts/kernel/build.sh "${stock[@]}" --link "build/$1" >/dev/null ||
			die "make $1 failed (its reason above)"
	fi
	[ -f "$out/$1.cpio.gz" ] || scripts/kernel/initramfs.sh --kernel "build/$1" --out "$out/$1.cpio.gz"
}

# The guest's part (a file in the shared folder): phase lines, then
# forkmode-bench's lines.
guest_script() {
	cat <<EOF
B=/forklab/build/forkmode-bench
echo phase=first
\$B -n $n 0 16 64 || exit 1
if [ -e /proc/sys/vm/fork_copy_mode ]; then
	\$B --mode eager -n 1 1 >/dev/null || exit 1
	echo phase=after-eager
else
	echo phase=again
fi
\$B -n $n 0 16 64
EOF
}

# Each kernel's boots in turn; a boot that finished (status 0) in an
# earlier, interrupted run with the same --out is kept.
for k in kernel kernel-stock; do
	for ((b = 1; b <= boots; b++)); do
		if [ "$(cat "$out/$k-$b/status" 2>/dev/null)" = 0 ] && [ -s "$out/$k-$b/cmd.log" ]; then
			say "boot $b of build/$k: done before ($out/$k-$b)"
			continue
		fi
		prepare "$k"
		say "boot $b of $boots: $(cat "build/$k/kernel.release") under -icount"
		mkdir -p "$out/$k-$b"
		guest_script >"$out/$k-$b/baseline-guest.sh"
		scripts/kernel/vm-run.sh --accel icount --kernel "build/$k" --initrd "$out/$k.cpio.gz" \
			--out "$out/$k-$b" --timeout 3600 -- sh "$out/$k-$b/baseline-guest.sh" >/dev/null ||
			die "boot $b of build/$k failed ($out/$k-$b/console.log)"
	done
done

# The table: per kernel and phase, each boot's medians, then the spread.
python3 - "$out" "$boots" "$n" <<'PY' | tee "$out/table.md"
import os, re, sys
out, boots, n = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = {}  # (kernel, phase) -> [boot] -> {size: (fork, per page)}
for k in ("kernel-stock", "kernel"):
    for b in range(1, boots + 1):
        phase, log = None, os.path.join(out, f"{k}-{b}", "cmd.log")
        for line in open(log) if os.path.exists(log) else []:
            m = re.match(r"phase=(\S+)", line)
            if m:
                phase = m.group(1)
                continue
            kv = dict(re.findall(r"(\w+)=(\S+)", line))
            if "size_mib" not in kv or phase is None:
                continue
            mib, f = int(kv["size_mib"]), int(kv["fork_median_ns"])
            pages = int(kv["pages"])
            w = float(kv["child_write_ns_per_page"]) if pages else None
            rows.setdefault((k, phase), {}).setdefault(b, {})[mib] = (f, f / pages if pages else None, w)
names = {("kernel-stock", "first"): "stock", ("kernel-stock", "again"): "stock, run again",
         ("kernel", "first"): "patched, mode 0, key off",
         ("kernel", "after-eager"): "patched, mode 0, key on"}
cols = [(0, 0, "minimal fork"), (16, 0, "16 MiB fork"), (16, 1, "16 MiB per page"),
        (64, 0, "64 MiB fork"), (64, 1, "64 MiB per page"), (64, 2, "child's write per page (64 MiB)")]
def cell(vals, i):
    v = [x for x in vals if x is not None]
    if len(v) != len(vals) or not v:
        return "n/a"
    fmt = (lambda x: f"{x:,.0f}") if i == 0 else (lambda x: f"{x:,.1f}")
    s = " / ".join(fmt(x) for x in v)
    if len(v) > 1 and min(v) > 0:
        s += f" ({(max(v) - min(v)) / min(v) * 100:.1f} %)"
    return s
print(f"Instructions (QEMU -icount shift=0), median of {n} forks, boots 1 / {boots}"
      if boots > 1 else f"Instructions (QEMU -icount shift=0), median of {n} forks, one boot")
print("(spread between boots: (max - min) / min)")
print()
print("| kernel | " + " | ".join(c[2] for c in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for key, name in names.items():
    if key not in rows:
        continue
    per = rows[key]
    line = [name]
    for mib, i, _ in cols:
        line.append(cell([per.get(b, {}).get(mib, (None, None, None))[i] for b in range(1, boots + 1)], i))
    print("| " + " | ".join(line) + " |")
PY
say "boots and table: $out"
