#!/bin/sh
# A counter is declared in one place, the counter table (bpf/ct_counters.h).
# In a scratch copy of the tree (removed at exit) a throwaway counter gets
# a table row and a BPF handler (one COUNT line beside forks' in
# cowtrace.bpf.c) and nothing else: the copy builds, and the counter is a
# line of cowtrace --help, a column of cowtrace's CSV and human reports, a
# key of its JSON, and columns of forkbench --trace (total, parent_,
# child_).  It counts what forks counts, so its values are checked too.
# Without BPF privileges the parts that need no load run, the rest SKIPs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"

N=zz_forks
S=$T_TMP/tree
SB=$S/build

if ! git -C "$FORKLAB_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	skip "counter table" "needs a git checkout of forklab to copy"
	exit 0
fi

# ---- the copy: tracked and untracked (not ignored) files, own repository
mkdir "$S"
(cd "$FORKLAB_ROOT" && git ls-files -co --exclude-standard |
	while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done) >"$T_TMP/files"
tar -C "$FORKLAB_ROOT" -cf - -T "$T_TMP/files" | tar -C "$S" -xf -
if ! { git -C "$S" init -q && git -C "$S" add -A &&
	git -C "$S" -c user.name=forklab -c user.email=forklab@localhost commit -qm copy; }; then
	fail "scratch copy" "git init/commit in $S failed"
	exit 0
fi

# ---- the edits: a row at the end of CT_COUNTERS, a handler beside forks'
awk -v n="$N" '
	/^#define CT_COUNTERS\(X\)/ { in_table = 1 }
	{ line = $0 }
	in_table && line !~ /\\$/ {
		print line " \\"
		printf "\tX(ZZ_FORKS, %s, \"processes\", EXACT, ZZ_FORKS, NOVMA, CT_REPORT | CT_BENCH, ", n
		print "\"task:task_newtask\", \"throwaway: processes created\")"
		in_table = 0; next
	}
	{ print line }' "$S/bpf/ct_counters.h" >"$T_TMP/t.h" && mv "$T_TMP/t.h" "$S/bpf/ct_counters.h"
sed -i "s/^\(\t*\)COUNT(p, rs, forks, 1);/&\n\1COUNT(p, rs, $N, 1);/" "$S/bpf/cowtrace.bpf.c"
rows=$(grep -c "X(ZZ_FORKS, $N," "$S/bpf/ct_counters.h")
handlers=$(grep -c "COUNT(p, rs, $N, 1);" "$S/bpf/cowtrace.bpf.c")
check_eq "the copy has the row and the handler" "1 1" "$rows $handlers"
check_eq "git status: only the table and the BPF handler edited" \
	"M bpf/ct_counters.h M bpf/cowtrace.bpf.c" \
	"$(git -C "$S" status --porcelain | LC_ALL=C sort -r | awk '{printf "%s%s %s", (NR > 1 ? " " : ""), $1, $2}')"

# ---- it builds as it is
if ! make -C "$S" -s -j2 BUILD="$SB" "$SB/cowtrace" "$SB/forkbench" \
	"$SB/forkbench-target-static" "$SB/forkbench-spawn-worker" >"$T_TMP/make.log" 2>&1; then
	fail "the copy builds with only those two edits" "$(grep -m3 -E 'error|Error' "$T_TMP/make.log")"
	exit 0
fi
pass "the copy builds with only those two edits"

# ---- what needs no BPF load: --help
if "$SB/cowtrace" --help | grep -q "^  $N  *processes  *throwaway"; then
	pass "--help lists $N"
else
	fail "--help lists $N" "$("$SB/cowtrace" --help | sed -n '/^COUNTERS/,$p' | tail -3)"
fi

why=$(CT=$SB/cowtrace; ct_load_why)
case "$why" in
'') ;;
skip:*) skip "$N in cowtrace's reports and forkbench --trace" "${why#skip: }"; exit 0 ;;
*) fail "$N in cowtrace's reports and forkbench --trace" "${why#fail: }"; exit 1 ;;
esac

# ---- cowtrace: CSV column, JSON key, human column, each equal to forks
P=$FORKLAB_BUILD/bpf/cowtrace-pages
"$SB/cowtrace" -f csv -o "$T_TMP/r.csv" -- "$P" -m 10 -n 1
f=$(ct_get "$T_TMP/r.csv" total "" forks)
z=$(ct_get "$T_TMP/r.csv" total "" $N)
st=$(ct_get "$T_TMP/r.csv" status "" $N)
check_eq "CSV: $N column = forks (1), status exact" "1 1 exact" "$f $z $st"

"$SB/cowtrace" -f json -o "$T_TMP/r.json" -- "$P" -m 10 -n 1
out=$(python3 - "$T_TMP/r.json" "$N" 2>&1 <<'PY'
import json, sys
j, n = json.load(open(sys.argv[1])), sys.argv[2]
t = j["total"]
print(t[n], t["forks"], j["counters"][n]["status"], list(t)[:3])
PY
)
check_eq "JSON: \"$N\" key = forks, in the counters' statuses" \
	"1 1 exact ['forks', 'procs', 'wp_faults']" "$out"

"$SB/cowtrace" -o "$T_TMP/r.txt" -- "$P" -m 10 -n 1
# the last column, right-aligned under its name; forks is the 6th field
# (after fork_copies and fork_reuses)
hdr=$(grep '^pid ppid role comm' "$T_TMP/r.txt")
tot=$(grep '^total' "$T_TMP/r.txt")
if [ "${hdr##* }" = "$N" ] && [ "$(echo "$tot" | awk '{print $6, $NF}')" = "1 1" ] &&
   [ ${#hdr} = ${#tot} ] && grep -q "^$N  *exact  *task:task_newtask" "$T_TMP/r.txt"; then
	pass "human: $N column = forks (1), and its status line"
else
	fail "human: $N column = forks, and its status line" "$hdr / $tot"
fi

# ---- forkbench --trace: total, parent_ and child_ columns
if "$SB/forkbench" spawn -m fork_exit -n 2 --warmup 0 --trace --format csv \
	-o "$T_TMP/fb.csv" 2>"$T_TMP/fb.err"; then
	out=$(python3 - "$T_TMP/fb.csv" "$N" 2>&1 <<'PY'
import csv, sys
rows, n = list(csv.DictReader(open(sys.argv[1]))), sys.argv[2]
cols = [c for c in (n, "parent_" + n, "child_" + n) if c in rows[0]]
r = next(r for r in rows if r["method"] == "fork_exit")
print(len(cols), float(r[n]) >= 2, float(r["parent_" + n]) >= 2)
PY
)
	check_eq "forkbench --trace: $N, parent_$N, child_$N (fork_exit: one fork an iteration)" \
		"3 True True" "$out"
else
	fail "forkbench spawn --trace in the copy" "$(head -3 "$T_TMP/fb.err")"
fi
