#!/usr/bin/env bash
# forkbench's own cost: forkbench spawn --method fork_exit next to a minimal
# C program's fork(); _exit(0); waitpid() loop (build/forklab-minfork), in
# the same run, interleaved round by round (the order alternating), and the
# ratios of their medians: fork() returning in the parent, and the child
# reaped.
#
#   scripts/harness-overhead.sh [--rounds R] [-n N] [--forkbench PATH]
#
# Each round runs both for N iterations (default 1000) and gives a ratio
# forkbench/minimal of each median; R rounds (default 20, at least 6) give
# the median of those ratios with its distribution-free 95 % CI (order
# statistics of the rounds, the achieved coverage printed).  The last two
# lines read:
#   return RATIO [LO, HI] (COVERAGE %) forkbench MEDIAN_US us minimal MEDIAN_US us
#   reap   RATIO [LO, HI] (COVERAGE %) forkbench MEDIAN_US us minimal MEDIAN_US us
# docs/forkbench.md ("The harness's own cost") has the measured figures.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FORKLAB_BUILD:-$top/build}
fb=$build/forkbench mf=$build/forklab-minfork
rounds=20 n=1000
die() { echo "harness-overhead.sh: $*" >&2; exit 2; }
count() { # NAME VALUE MIN MAX
	case $2 in '' | *[!0-9]*) die "$1 '$2' is not a whole number (allowed: $3..$4)" ;; esac
	if [ ${#2} -gt 8 ] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		die "$1 '$2' is out of range (allowed: $3..$4)"
	fi
}
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) [ $# -ge 2 ] || die "--rounds needs a number"; count --rounds "$2" 6 1000; rounds=$2; shift 2 ;;
	-n) [ $# -ge 2 ] || die "-n needs a number"; count -n "$2" 10 1000000; n=$2; shift 2 ;;
	--forkbench) [ $# -ge 2 ] || die "--forkbench needs a PATH"; fb=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (allowed: --rounds R, -n N, --forkbench PATH, --help)" ;;
	esac
done
[ -x "$fb" ] || die "no forkbench at '$fb' (build it with make)"
[ -x "$mf" ] || die "no forklab-minfork at '$mf' (build it with make)"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
minimal() { "$mf" "$n" | awk '{ print "minimal", $2, $4 }'; }
forkbench() {
	"$fb" spawn --method fork_exit -n "$n" --format csv |
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			 { m[$c["metric"]] = $c["median_ns"] }
			 END { print "forkbench", m["return"], m["reap"] }'
}
for r in $(seq "$rounds"); do
	if [ $((r % 2)) = 1 ]; then minimal; forkbench; else forkbench; minimal; fi >>"$tmp"
done
python3 - "$tmp" "$n" <<'PY'
import math, statistics, sys

rows = [l.split() for l in open(sys.argv[1])]
mini = [(float(r[1]), float(r[2])) for r in rows if r[0] == "minimal"]
fb = [(float(r[1]), float(r[2])) for r in rows if r[0] == "forkbench"]
if len(mini) != len(fb) or not mini:
    sys.exit("harness-overhead.sh: a round gave no medians")

def ci(xs):
    """Median of xs with the order-statistics 95 % CI: the widest k with
    P(Binomial(n, 1/2) < k) <= 2.5 %, [x(k), x(n-k+1)]."""
    xs, n = sorted(xs), len(xs)
    cdf = lambda k: sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    k = max([k for k in range(1, n // 2 + 1) if cdf(k - 1) <= 0.025], default=0)
    if not k:
        return statistics.median(xs), math.nan, math.nan, math.nan
    return statistics.median(xs), xs[k - 1], xs[n - k], 100 * (1 - 2 * cdf(k - 1))

for i, (a, b) in enumerate(zip(mini, fb)):
    print(f"round {i + 1}: minimal return {a[0] / 1e3:.1f} us reap {a[1] / 1e3:.1f} us, "
          f"forkbench return {b[0] / 1e3:.1f} us reap {b[1] / 1e3:.1f} us")
print(f"{len(mini)} rounds of {sys.argv[2]} iterations each; forkbench/minimal, median of the rounds' ratios:")
for j, name in enumerate(("return", "reap")):
    r, lo, hi, cov = ci([b[j] / a[j] for a, b in zip(mini, fb)])
    print(f"{name:<6} {r:.3f} [{lo:.3f}, {hi:.3f}] ({cov:.1f} %) "
          f"forkbench {statistics.median(b[j] for b in fb) / 1e3:.1f} us "
          f"minimal {statistics.median(a[j] for a in mini) / 1e3:.1f} us")
PY
