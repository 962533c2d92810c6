#!/usr/bin/env bash
# run-all.sh --vm: a small matrix in forklab's kernel under QEMU (TCG).
#   run-all-vm/interrupt-*   Ctrl-C while the guest runs a cell: exit 130, no
#                            QEMU left, finished cells kept, no partial file
#   run-all-vm/resume-*      --resume boots again and runs only the missing
#                            cells; every cell once in summary.csv
#   run-all-vm/metadata-*    virtualization tcg, the guest's kernel and modes,
#                            ASLR off in the guest
#   run-all-vm/csv-*         every cell's CSV well formed
#   run-all-vm/counts-*      cowtrace's counts = the predictions x iterations
#                            (exact in this kernel: fentry or kprobe mode)
#   run-all-vm/refused       a cell too big for the guest is refused with why
#   run-all-vm/report        report made on the host, saying TCG times mean nothing
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
set -m	# the run gets its own process group, as under a terminal
export FORKLAB_ACCEL=tcg

# FORKLAB_RUNALL_KERNEL=DIR boots that kernel build (run-all.sh --kernel)
# instead of make kernel's.
kopt=()
if [ -n "${FORKLAB_RUNALL_KERNEL:-}" ]; then
	kopt=(--kernel "$FORKLAB_RUNALL_KERNEL")
	rel=$(cat "$FORKLAB_RUNALL_KERNEL/kernel.release")
elif make --no-print-directory -s kernel >"$T_TMP/kernel.log" 2>&1; then
	rel=$(cat build/kernel/kernel.release)
else
	fail run-all-vm/kernel "$(tail -n 1 "$T_TMP/kernel.log")"
	exit 0
fi

# counts: the child writes half of 4 MiB, then the parent all of it; seed:
# the seed case; slow: long enough to be interrupted (made short before the
# resume); big: 8 GiB does not fit a 2 GiB guest.
cat >"$T_TMP/tiny.conf" <<'CONF'
cell-modes counts heap --heap 4M --child-write 0.5 --parent-write 1 -n 2 --warmup 0 --trace
cell seed scenario nested -n 2 --warmup 0 --trace --fork-mode cow
cell slow spawn --method fork_exit -n 100000 --warmup 0
cell big heap --heap 8G -n 1
CONF
run=$FORKLAB_BUILD/vm/run-all-$(date +%Y%m%d-%H%M%S)-$$
rm -rf "$run"

t0=$SECONDS
./run-all.sh --vm "${kopt[@]}" --config "$T_TMP/tiny.conf" --out "$run" >"$T_TMP/log1" 2>&1 &
pid=$!
for _ in $(seq 1800); do	# up to 15 min for builds + boot
	grep -q '\] slow ' "$T_TMP/log1" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.5
done
sleep 2
kill -INT -- -"$pid" 2>/dev/null
rc=0
wait "$pid" || rc=$?
echo "# first run, interrupted: $((SECONDS - t0)) s"
check_eq run-all-vm/interrupt-status 130 "$rc"
check_eq run-all-vm/interrupt-no-process-left "" "$(pgrep -g "$pid" | tr '\n' ' ')"
check_eq run-all-vm/interrupt-no-qemu-left "" "$(pgrep -f -- "path=$run," || true)"
check_eq run-all-vm/interrupt-cells-kept "counts@cow counts@eager counts@stack seed" \
	"$(find "$run/cells" -maxdepth 1 -name '*.csv' ! -name '*.samples.csv' -printf '%f\n' 2>/dev/null |
		sed 's/\.csv$//' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
check_eq run-all-vm/interrupt-no-partial-files "" "$(find "$run/cells" -mindepth 1 -maxdepth 1 \( -name '*part*' -o -name '*tmp*' \) -printf '%f\n' 2>/dev/null)"
check_eq run-all-vm/interrupt-says-resume "run-all.sh: interrupted by SIGINT; finish with ./run-all.sh --resume $run" \
	"$(tail -n 1 "$T_TMP/log1")"

# The slow cell again, now short (its name and place unchanged).
sed -i 's/-n 100000/-n 50/' "$run/config.conf"
t0=$SECONDS
if ./run-all.sh --resume "$run" "${kopt[@]}" >"$T_TMP/log2" 2>&1; then
	pass run-all-vm/resume-finishes
else
	fail run-all-vm/resume-finishes "$(tail -n 2 "$T_TMP/log2" | tr '\n' ' ')"
fi
echo "# resume: $((SECONDS - t0)) s"
check_eq run-all-vm/resume-runs-only-missing "slow big" \
	"$(grep -o '^\[[0-9]*/[0-9]*\] [a-z@]*' "$T_TMP/log2" | sed 's/.*\] //' | tr '\n' ' ' | sed 's/ $//')"
check_eq run-all-vm/resume-every-cell-once \
	"counts@cow=5 counts@eager=5 counts@stack=5 seed=7 slow=3" \
	"$(python3 -c '
import csv, sys, collections
c = collections.Counter(r["cell"] for r in csv.DictReader(open(sys.argv[1])))
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))' "$run/summary.csv" 2>&1)"
check_eq run-all-vm/refused "big: refused: forkbench heap: heap (parent + memcpy buffer + copies) needs 24 GiB" \
	"$(sed 's/ but only .*//' "$run/refused.txt" 2>&1)"

check_eq run-all-vm/metadata \
	"vm | tcg | $rel | cow stack eager | 0 | off (kernel.randomize_va_space=0 in the guest)" \
	"$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(" | ".join(str(m[k]) for k in ("run_kind", "virtualization", "kernel_release", "fork_modes",
                                      "aslr_sysctl", "aslr_cells")))' "$run/metadata.json" 2>&1)"

# Every cell CSV: the documented header first, every row as wide, numbers.
python3 - "$run" <<'PY'
import csv, glob, os, sys
need = "bench,method,fork_mode,heap_bytes,thp,iterations,median_ns,p90_ns,p99_ns,mean_ns,stddev_ns,min_ns,max_ns,ci95_lo_ns,ci95_hi_ns".split(",")
for path in sorted(glob.glob(os.path.join(sys.argv[1], "cells", "*.csv"))):
    name = os.path.basename(path)
    if name.endswith(".samples.csv"):
        continue
    rows = list(csv.reader(l for l in open(path) if not l.startswith("#")))
    why = ""
    if not rows or rows[0][:len(need)] != need:
        why = "header is not bench,method,...,ci95_hi_ns"
    elif len(rows) < 2:
        why = "no rows"
    elif any(len(r) != len(rows[0]) for r in rows[1:]):
        why = "rows of another width than the header"
    else:
        for r in rows[1:]:
            for c in ("heap_bytes", "iterations", "median_ns", "p90_ns"):
                try:
                    float(r[rows[0].index(c)])
                except ValueError:
                    why = f"{c} = '{r[rows[0].index(c)]}' is not a number"
    print(f"FAIL: run-all-vm/csv-{name}: {why}" if why else f"PASS: run-all-vm/csv-{name}")
PY

# Traced counts (totals over the iterations) = predictions per iteration x
# iterations, per role (heap) and per process (scenario).
python3 - "$run" <<'PY'
import csv, os, sys
rows = list(csv.DictReader(open(os.path.join(sys.argv[1], "summary.csv"))))
def chk(name, want, got):
    print(f"PASS: {name}" if want == got else f"FAIL: {name}: expected {want}, got {got}")
for mode in ("cow", "stack", "eager"):
    rs = [r for r in rows if r["cell"] == f"counts@{mode}" and r["metric"] == "fork"]
    if not rs:
        print(f"FAIL: run-all-vm/counts-{mode}: no fork row in counts@{mode}")
        continue
    r = rs[0]
    it = int(r["iterations"])
    want = [int(r[k]) * it for k in ("pred_child_wp_faults", "pred_child_cow_copies",
                                     "pred_parent_wp_faults", "pred_parent_cow_reuses")]
    got = [int(r[k] or -1) for k in ("child_wp_faults", "child_cow_copies",
                                     "parent_wp_faults", "parent_cow_reuses")]
    chk(f"run-all-vm/counts-{mode} (child wp/copies, parent wp/reuses)", want, got)
    if mode == "eager":
        chk("run-all-vm/counts-eager-copies-cover-the-heap", True,
            int(r["eager_copies"] or 0) >= int(r["pred_eager_copies"]) * it > 0)
        chk("run-all-vm/counts-eager-no-heap-faults", [0, 0], [want[0], want[2]])
    else:
        chk(f"run-all-vm/counts-{mode}-heap-written", [512 * it, 1024 * it], [want[1], want[3]])
seed = [r for r in rows if r["cell"] == "seed" and r["metric"] == "write"]
procs = {}
for r in seed:
    it = int(r["iterations"])
    procs[r["method"].split(":")[1].split("(")[0]] = (
        [int(r[f"cow_pred_{k}"]) * it for k in ("wp_faults", "cow_copies", "cow_reuses")],
        [int(r[k] or -1) for k in ("wp_faults", "cow_copies", "cow_reuses")])
chk("run-all-vm/counts-seed-processes", "ABCD", "".join(sorted(procs)))
for p, (want, got) in sorted(procs.items()):
    chk(f"run-all-vm/counts-seed-{p} (wp, copies, reuses)", want, got)
chk("run-all-vm/counts-seed-total (3 copies, 1 reuse per iteration)", [6, 2],
    [sum(g[1] for _, g in procs.values()), sum(g[2] for _, g in procs.values())])
PY

if grep -q 'its times mean nothing .emulated memory copies and faults bear no relation to hardware.; only its counts are meaningful' "$run/report.md" 2>/dev/null &&
	[ -s "$run/plots/counts.png" ]; then
	pass run-all-vm/report
else
	fail run-all-vm/report "no TCG note in $run/report.md or no plots/counts.png"
fi
echo "# results: $run"
