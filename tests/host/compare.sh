#!/bin/sh
# analysis/compare on synthetic runs (seeded, so every run of this test is
# the same): a planted 5 % slowdown gets a bootstrap CI of B/A that
# excludes 1 and is a REGRESSION once the threshold is below it (a planted
# 5 % speedup likewise an improvement); B drawn from A's own distribution
# is flagged a regression in at most 5 % of 200 trials even with no
# threshold at all; fewer than 6 samples are never flagged; machines that
# differ (metadata.json) are warned about; a THP share that differs is
# noted on its row.
. "$(dirname "$0")/../lib.sh"
CMP="$FORKLAB_ROOT/analysis/compare"

# mkrun DIR SEED SCALE N [THP_FRACTION [KERNEL]]: a run folder with one
# cell, x (heap, method m, metric fork, 16 MiB, --thp always), of N samples
# from a lognormal around 1 ms (sigma 0.04) times SCALE.
mkrun() {
	python3 - "$@" <<'PY'
import json, os, random, statistics, sys
d, seed, scale, n = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
frac = sys.argv[5] if len(sys.argv) > 5 else "1"
kernel = sys.argv[6] if len(sys.argv) > 6 else "6.18.0"
rng = random.Random(seed)
v = [round(1e6 * scale * rng.lognormvariate(0, 0.04)) for _ in range(n)]
os.makedirs(os.path.join(d, "cells"), exist_ok=True)
with open(os.path.join(d, "metadata.json"), "w") as f:
    json.dump({"kernel_release": kernel, "cpu_model": "test CPU", "cores": "2",
               "virtualization": "kvm", "thp_enabled": "madvise", "thp_defrag": "madvise",
               "governor": "n/a (no cpufreq)"}, f)
with open(os.path.join(d, "summary.csv"), "w") as f:
    f.write("cell,bench,method,fork_mode,heap_bytes,thp,iterations,median_ns,metric,thp_fraction\n")
    f.write(f"x,heap,m,cow,16777216,always,{n},{statistics.median(v)},fork,{frac}\n")
with open(os.path.join(d, "cells", "x.samples.csv"), "w") as f:
    f.write("# forklab-samples v1 complete\nbench,method,fork_mode,heap_bytes,thp,iteration,metric,value\n")
    f.writelines(f"heap,m,cow,16777216,always,{i},fork,{x}\n" for i, x in enumerate(v))
PY
}
row() { grep '^x ' "$1"; }

mkrun "$T_TMP/a" 1 1 40
mkrun "$T_TMP/slow" 2 1.05 40
mkrun "$T_TMP/fast" 3 0.95 40
"$CMP" "$T_TMP/a" "$T_TMP/slow" >"$T_TMP/o" 2>"$T_TMP/e"
rc=$?
ci=$(row "$T_TMP/o" | awk '{ print $10 }')
lo=$(echo "$ci" | sed 's/^\[\([0-9.]*\),.*/\1/')
if awk -v lo="$lo" 'BEGIN { exit !(lo > 1) }' && row "$T_TMP/o" | grep -q 'slower (within threshold)\|REGRESSION'; then
	pass "planted 5 % slowdown: the CI of B/A excludes 1 ($ci: $(row "$T_TMP/o" | sed 's/.*\]  *//'))"
else
	fail "planted 5 % slowdown: the CI of B/A excludes 1" "$(row "$T_TMP/o")"
fi
check_eq "planted 5 % slowdown, threshold 5 %: not beyond it, exit 0" 0 "$rc"
"$CMP" --threshold 1 "$T_TMP/a" "$T_TMP/slow" >"$T_TMP/o" 2>&1
check_eq "planted 5 % slowdown, threshold 1 %: REGRESSION, exit 3" "3 REGRESSION" "$? $(row "$T_TMP/o" | awk '{ print $11 }')"
"$CMP" --threshold 1 "$T_TMP/a" "$T_TMP/fast" >"$T_TMP/o" 2>&1
check_eq "planted 5 % speedup, threshold 1 %: improvement, exit 0" "0 improvement" "$? $(row "$T_TMP/o" | awk '{ print $11 }')"
"$CMP" --threshold 1 --seed 7 "$T_TMP/a" "$T_TMP/slow" >"$T_TMP/o2" 2>&1
"$CMP" --threshold 1 --seed 7 "$T_TMP/a" "$T_TMP/slow" >"$T_TMP/o3" 2>&1
check_eq "the same seed gives the same output" "" "$(diff "$T_TMP/o2" "$T_TMP/o3")"

# Identical distributions: 200 trials through compare's own row function
# (the one the command runs), no threshold: a regression is a CI wholly
# above 1, which a 95 % CI should give about 2.5 % of the time.
python3 - "$CMP" >"$T_TMP/trials" <<'PY'
import importlib.machinery, importlib.util, random, sys
loader = importlib.machinery.SourceFileLoader("compare", sys.argv[1])
spec = importlib.util.spec_from_loader("compare", loader)
cmp = importlib.util.module_from_spec(spec)
loader.exec_module(cmp)
rng = random.Random(20261206)
draws = [lambda: rng.lognormvariate(0, 0.3), lambda: 1 + rng.expovariate(1),
         lambda: rng.uniform(1, 2)]
reg = excl = reg5 = 0
for t in range(200):
    n = (8, 20, 40)[t % 3]
    d = draws[t % len(draws)]
    a, b = [d() for _ in range(n)], [d() for _ in range(n)]
    ci, v = cmp.compare_row(("x", str(t)), a, b, 0, 2000, 1)
    reg += v == "REGRESSION"
    excl += ci[0] > 1 or ci[1] < 1
    reg5 += cmp.verdict(ci, 5) == "REGRESSION"
print(reg, excl, reg5)
PY
read -r reg excl reg5 <"$T_TMP/trials"
if [ -n "$reg" ] && [ "$reg" -le 10 ]; then
	pass "identical distributions, no threshold: $reg of 200 flagged as regressions (<= 10; the CI excluded 1 in $excl)"
else
	fail "identical distributions: at most 5 % flagged" "$(cat "$T_TMP/trials")"
fi
check_le "identical distributions, threshold 5 %: at most 5 % flagged ($reg5 of 200)" "$reg5" 10

# Fewer than 6 samples: no CI, never a flag, however large the change.
mkrun "$T_TMP/a5" 1 1 5
mkrun "$T_TMP/b5" 2 3 5
"$CMP" --threshold 0 "$T_TMP/a5" "$T_TMP/b5" >"$T_TMP/o" 2>&1
check_eq "n = 5: n/a, no regression, exit 0" "0 n/a (n < 6: 5 in A, 5 in B)" \
	"$? $(row "$T_TMP/o" | sed 's/.*  -  *//')"

# Machines: a warning names what differs; none for the same machine.
mkrun "$T_TMP/other" 2 1 40 1 6.12.117
"$CMP" "$T_TMP/a" "$T_TMP/other" >/dev/null 2>"$T_TMP/e"
if grep -q '^compare: warning: the runs come from different machines or settings.*kernel_release 6.18.0 vs 6.12.117' "$T_TMP/e"; then
	pass "a different kernel is warned about"
else
	fail "a different kernel is warned about" "$(cat "$T_TMP/e")"
fi
"$CMP" "$T_TMP/a" "$T_TMP/slow" >/dev/null 2>"$T_TMP/e"
check_eq "the same machine: no warning" "" "$(cat "$T_TMP/e")"

# THP: a share that differs is on the row.
mkrun "$T_TMP/nothp" 2 1 40 0
"$CMP" "$T_TMP/a" "$T_TMP/nothp" >"$T_TMP/o" 2>&1
if row "$T_TMP/o" | grep -q '; THP obtained differs: A 100 %, B 0 %$'; then
	pass "a THP share that differs is noted on the row"
else
	fail "a THP share that differs is noted on the row" "$(row "$T_TMP/o")"
fi
