#!/usr/bin/env bash
# forklab's main job: dependencies -> build -> matrix -> results/<run>/.
#
#   ./run-all.sh                      the quick matrix (configs/matrix/quick.conf)
#   ./run-all.sh --config FILE        another matrix (e.g. configs/matrix/full.conf)
#   ./run-all.sh --dry-run            list the cells and an estimated time
#   ./run-all.sh --resume DIR         finish an interrupted run in DIR
#   ./run-all.sh --out DIR            write the run to DIR (default results/<date>-<host>-<kernel>)
#
# A run folder holds metadata.json (the machine), cells/NAME.csv (summary)
# and cells/NAME.samples.csv (every sample) per cell, summary.csv (all
# cells), plots/ (PNG + SVG), report.md, report.html and run.log.  A cell's files appear only when it is complete, so
# --resume re-runs exactly the missing cells.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

die() { echo "run-all.sh: $*" >&2; exit 2; }

config=configs/matrix/quick.conf dry=0 resume= out=
while [ $# -gt 0 ]; do
	case "$1" in
	--config) [ $# -ge 2 ] || die "--config needs a FILE"; config=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	--resume) [ $# -ge 2 ] || die "--resume needs a run folder"; resume=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift 2 ;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (allowed: --config FILE, --dry-run, --resume DIR, --out DIR)" ;;
	esac
done
[ -f "$config" ] || die "config '$config' not found"
if [ -n "$resume" ]; then
	[ -d "$resume/cells" ] || die "--resume: '$resume' is not a run folder (no cells/)"
	[ -f "$resume/config.conf" ] || die "--resume: '$resume' has no config.conf"
	config=$resume/config.conf
	out=$resume
fi

# ---- parse the matrix: one cell per line, errors name file and line ----
names=() args=()
modes_avail="cow"
if [ -e /proc/sys/vm/fork_copy_mode ]; then modes_avail="cow stack eager"; fi
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%%#*}
	read -r kind name rest <<<"$line" || true
	[ -z "${kind:-}" ] && continue
	case "$kind" in
	cell|cell-modes) ;;
	*) die "$config:$lineno: unknown keyword '$kind' (allowed: cell, cell-modes)" ;;
	esac
	[[ "${name:-}" =~ ^[A-Za-z0-9_-]+$ ]] || die "$config:$lineno: bad cell name '${name:-}' (letters, digits, - and _)"
	[ -n "${rest:-}" ] || die "$config:$lineno: cell '$name' has no forkbench arguments"
	for n in "${names[@]}"; do
		[ "${n%%@*}" = "$name" ] && die "$config:$lineno: cell '$name' defined twice"
	done
	if [ "$kind" = cell-modes ]; then
		for m in $modes_avail; do names+=("$name@$m"); args+=("$rest --fork-mode $m"); done
	else
		names+=("$name"); args+=("$rest")
	fi
done <"$config"
[ ${#names[@]} -gt 0 ] || die "$config: no cells"

# Rough time per cell, from its iterations and heap sizes (seconds).
estimate() {
	awk -v a="$1" 'BEGIN {
		n = 10; if (match(a, /-n [0-9]+/)) n = substr(a, RSTART + 3, RLENGTH - 3) + 0
		h = 0; if (match(a, /--heap [^ ]+/)) {
			split(substr(a, RSTART + 7, RLENGTH - 7), s, ",")
			for (i in s) { v = s[i] + 0; u = substr(s[i], length(s[i]));
				if (u == "G") v *= 1024; else if (u == "K") v /= 1024; h += v } }
		t = 1 + n * (0.01 + h / 1024 * 0.6)
		if (a ~ /^spawn/) t *= 5
		printf "%d", t }'
}

if [ "$dry" = 1 ]; then
	total=0
	printf '%-28s %6s  %s\n' cell est_s "forkbench arguments"
	for i in "${!names[@]}"; do
		e=$(estimate "${args[$i]}"); total=$((total + e))
		printf '%-28s %6d  %s\n' "${names[$i]}" "$e" "${args[$i]}"
	done
	echo "${#names[@]} cells, about $((total / 60)) min $((total % 60)) s"
	exit 0
fi

# ---- dependencies and build ----
if ! scripts/install-deps.sh --check >/dev/null 2>&1; then
	scripts/install-deps.sh --user
fi
make -s all

if [ -z "$out" ]; then
	out=results/$(date -u +%Y%m%d-%H%M%S)-$(hostname -s)-$(uname -r)
fi
mkdir -p "$out/cells"
[ -f "$out/config.conf" ] || cp "$config" "$out/config.conf"
[ -f "$out/metadata.json" ] || build/forkbench metadata >"$out/metadata.json"
log=$out/run.log

# A cell's files are written through .tmp + rename by forkbench; an
# interrupted cell leaves nothing but .tmp files, removed here.
cleanup() { rm -f "$out"/cells/*.tmp "$out"/cells/*.part.*; }
trap 'cleanup; echo; echo "run-all.sh: interrupted; finish with ./run-all.sh --resume $out" >&2; exit 130' INT TERM

start=$SECONDS done_n=0 todo=0
for i in "${!names[@]}"; do [ -f "$out/cells/${names[$i]}.csv" ] || todo=$((todo + 1)); done
echo "forklab: ${#names[@]} cells ($todo to run) -> $out"
for i in "${!names[@]}"; do
	name=${names[$i]}
	if [ -f "$out/cells/$name.csv" ]; then
		continue
	fi
	done_n=$((done_n + 1))
	el=$((SECONDS - start))
	eta=
	[ $done_n -gt 1 ] && eta=", about $((el * (todo - done_n + 1) / (done_n - 1))) s left"
	printf '[%d/%d] %-26s (%d s elapsed%s)\n' "$done_n" "$todo" "$name" "$el" "$eta"
	# Written as NAME.part*.csv, renamed when the cell is complete.
	part=$out/cells/$name.part
	rc=0
	# shellcheck disable=SC2086
	build/forkbench ${args[$i]} --format csv -o "$part.csv" --samples "$part.samples.csv" \
		>>"$log" 2>&1 || rc=$?
	if [ $rc = 0 ]; then
		mv "$part.samples.csv" "$out/cells/$name.samples.csv"
		mv "$part.csv" "$out/cells/$name.csv"
	elif [ $rc -ge 128 ]; then
		rm -f "$part".*
		cleanup
		echo "run-all.sh: interrupted; finish with ./run-all.sh --resume $out" >&2
		exit $rc
	else
		rm -f "$part".*
		echo "      refused or failed (see $log): $(tail -n 1 "$log")"
		echo "$name: $(tail -n 1 "$log")" >>"$out/refused.txt"
	fi
done

# All cells' summaries in one CSV (the union of their columns).
python3 - "$out" <<'PY'
import csv, glob, os, sys
out = sys.argv[1]
rows, cols = [], []
for path in sorted(glob.glob(os.path.join(out, "cells", "*.csv"))):
    if path.endswith(".samples.csv") or ".part." in path:
        continue
    cell = os.path.basename(path)[:-4]
    for r in csv.DictReader(l for l in open(path) if not l.startswith("#")):
        r = {"cell": cell, **r}
        rows.append(r)
        cols += [c for c in r if c not in cols]
tmp = os.path.join(out, "summary.csv.tmp")
with open(tmp, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols, restval="")
    w.writeheader()
    w.writerows(rows)
os.replace(tmp, os.path.join(out, "summary.csv"))
print(f"summary: {len(rows)} rows from {len(set(r['cell'] for r in rows))} cells")
PY
analysis/report.py "$out"
echo "forklab: done in $((SECONDS - start)) s; report: $out/report.md ($out/report.html)"
