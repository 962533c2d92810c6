#!/bin/sh
# cowtrace's command line: exit status passthrough, well-formed CSV/JSON
# that name the mode and mark every counter, one-line errors with distinct
# exit statuses (bad input 2, not root 3, no BTF 4, tracefs 5, no such mode
# 7, no such PID 9, COMMAND 126/127), tracefs mounted when missing, -p
# attach, lost events reported.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"

# ---- bad input: one line naming the value, exit 2 (no root needed) ------
expect_fail "bad --format" 2 "unknown format 'xml'.*human, csv, json" -- "$CT" -f xml -- true
expect_fail "bad --mode" 2 "unknown mode 'fast'.*auto, kprobe, fentry, tracepoint" -- "$CT" -m fast -- true
expect_fail "bad -p" 2 "invalid PID '12x'" -- "$CT" -p 12x
expect_fail "-p 0" 2 "invalid PID '0'" -- "$CT" -p 0
expect_fail "bad --max-procs" 2 "invalid --max-procs '0'.*1-1048576" -- "$CT" --max-procs 0 -- true
expect_fail "bad --range" 2 "invalid --range '0x2000-0x1000'" -- "$CT" --range 0x2000-0x1000 -- true
expect_fail "unknown option" 2 "unknown option.*'--frobnicate'" -- "$CT" --frobnicate -- true
expect_fail "missing option value" 2 "missing value: '-f'" -- "$CT" -f
expect_fail "no COMMAND, no -p" 2 "no COMMAND and no -p PID" -- "$CT"
expect_fail "COMMAND and -p" 2 "either COMMAND or -p" -- "$CT" -p 1 -- true
expect_fail "unwritable -o" 2 "cannot write output file '/nonexistent/x'" -- "$CT" -o /nonexistent/x -- true
if "$CT" --help | grep -q '^EXAMPLES:' && "$CT" --help | grep -q '^Usage: cowtrace'; then
	pass "--help has USAGE and EXAMPLES"
else
	fail "--help has USAGE and EXAMPLES" "$("$CT" --help | head -3)"
fi

# ---- --version: the revision built from and libbpf's version ----------
out=$("$CT" --version 2>&1)
rc=$?
rev=$(git -C "$FORKLAB_ROOT" describe --always 2>/dev/null)
bpfv=$(pkg-config --modversion libbpf 2>/dev/null | cut -d. -f1,2)
if [ $rc = 0 ] && echo "$out" | grep -Eq '^cowtrace \(forklab\) ([0-9a-f]{7,}(-dirty)?|unknown), libbpf v[0-9]+\.[0-9]+$' &&
   { [ -z "$rev" ] || echo "$out" | grep -q "^cowtrace (forklab) ${rev}[ ,-]"; } &&
   { [ -z "$bpfv" ] || echo "$out" | grep -q "libbpf v$bpfv\$"; }; then
	pass "--version: revision ${rev:-?} and libbpf ${bpfv:-?}, exit 0"
else
	fail "--version: revision ${rev:-?} and libbpf ${bpfv:-?}, exit 0" "status $rc: $out"
fi
# --help lists the counters (rows of bpf/ct_counters.h)
n=$("$CT" --help | sed -n '/^COUNTERS/,$p' | grep -cE '^  [a-z_]+ +[a-z]+ +[a-z]')
check_ge "--help lists the counters ($n)" "$n" 12

# ---- not root: one line, exit 3 --------------------------------------
if is_root && command -v setpriv >/dev/null; then
	expect_fail "not root" 3 "needs root, or CAP_BPF and CAP_PERFMON" -- \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$CT" -- true
else
	skip "not root" "needs root and setpriv to drop privileges"
fi

ct_require

# ---- exit status passthrough ----------------------------------------
"$CT" -o /dev/null -- "$CT_PROG/cowtrace-pages" -m 10 -x 7
check_eq "exit status passed through" 7 $?
"$CT" -o /dev/null -- sh -c 'kill -9 $$'
check_eq "killed by SIGKILL: 128+9" 137 $?
expect_fail "COMMAND not found" 127 "cannot run '/nonexistent/prog'" -- "$CT" -o /dev/null -- /nonexistent/prog
: >"$T_TMP/noexec"
expect_fail "COMMAND not executable" 126 "cannot run '$T_TMP/noexec': Permission denied" -- \
	"$CT" -o /dev/null -- "$T_TMP/noexec"
expect_fail "-p: no such process" 9 "no process with PID 4194303" -- "$CT" -p 4194303
expect_fail "kprobe mode where there are no kprobes" 7 "kprobe" -- \
	"$CT" -m kprobe -o /dev/null -- true
"$CT" -o "$T_TMP/stdout-check" -- sh -c 'echo out; echo err >&2' >"$T_TMP/o" 2>"$T_TMP/e"
check_eq "COMMAND's stdout untouched" out "$(cat "$T_TMP/o")"

# ---- BTF and tracefs, in a private mount namespace --------------------
# Where none can be made (a chroot, some containers) these are skipped, with
# unshare's reason.
ns_why=$(mount_ns_why)
# shellcheck disable=SC2016 # the inner sh expands $0 (cowtrace's path)
if [ -z "$ns_why" ]; then
	expect_fail "no kernel BTF: exit 4" 4 "kernel has no BTF" -- unshare -m --propagation private \
		sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" -- true' "$CT"
	out=$(unshare -m --propagation private sh -c '
		umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
		grep -q " /sys/kernel/tracing tracefs" /proc/self/mounts && echo still-mounted
		"$0" -f csv -o /dev/null -- true && grep -c " /sys/kernel/tracing tracefs" /proc/self/mounts' "$CT" 2>&1)
	check_eq "tracefs unmounted: cowtrace mounts it" 1 "$out"
	if command -v setpriv >/dev/null; then
		expect_fail "tracefs unmounted, cannot mount: exit 5 says how" 5 \
			"tracefs is not mounted.*run: mount -t tracefs nodev /sys/kernel/tracing" -- \
			unshare -m --propagation private sh -c '
			umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
			exec setpriv --bounding-set -sys_admin --inh-caps -sys_admin "$0" -- true' "$CT"
	fi
else
	skip "BTF and tracefs errors" "no private mount namespace here: $ns_why"
fi

# ---- human: names the mode and marks every counter -------------------
"$CT" -- "$CT_PROG/cowtrace-pages" -m 100 -n 10 2>"$T_TMP/h.txt"
if grep -q '^cowtrace: mode tracepoint;' "$T_TMP/h.txt"; then
	pass "human: names the mode"
else
	fail "human: names the mode" "$(head -3 "$T_TMP/h.txt")"
fi
n=$(grep -cE '^(wp_faults|cow_copies|cow_reuses|tlb_flush_fork|tlb_flush_fault|tlb_pages_fork|tlb_pages_fault|fork_ns|eager_copies|lock_wait_ns) +(exact|approx|unavailable) ' "$T_TMP/h.txt")
check_eq "human: every counter marked exact/approx/unavailable" 10 "$n"
# role 1: fork_copies, fork_reuses, forks 0, wp_faults 1x
if grep -qE '^role 1 \(1 proc\) +1[0-9] +[0-9]+ +0 +1[0-9] ' "$T_TMP/h.txt" &&
   grep -q '^total' "$T_TMP/h.txt" && grep -q '^lost events: 0 ' "$T_TMP/h.txt"; then
	pass "human: role and total rows, lost events line"
else
	fail "human: role and total rows, lost events line" "$(tail -6 "$T_TMP/h.txt")"
fi
# fork_ns as people read it; tlb_pages_fork 0 beside a whole-mm flush explained
if grep -E '^role 0 ' "$T_TMP/h.txt" | grep -qE ' [0-9.]+ (us|ms) '; then
	pass "human: fork_ns in us or ms"
else
	fail "human: fork_ns in us or ms" "$(grep -E '^(pid|role 0)' "$T_TMP/h.txt")"
fi
if grep -q '^tlb_pages_fork 0: the 1 flushes during forks were whole-address-space flushes (tlb_full_fork 1)' "$T_TMP/h.txt"; then
	pass "human: tlb_pages_fork 0 beside a whole-address-space flush is explained"
else
	fail "human: tlb_pages_fork 0 beside a whole-address-space flush is explained" "$(tail -4 "$T_TMP/h.txt")"
fi
# fentry refused by the kernel: said calmly, with the reason
if grep '^probes:' "$T_TMP/h.txt" | grep -q 'fentry programs did not load: Operation not permitted'; then
	fail "human: fentry's EPERM said with its reason" "$(grep '^probes:' "$T_TMP/h.txt")"
else
	pass "human: fentry's EPERM said with its reason"
fi
# unavailable counters print '-', never 0 (eager_copies in tracepoint mode)
if grep -E '^total' "$T_TMP/h.txt" | grep -qE ' - '; then
	pass "human: unavailable counter printed as -"
else
	fail "human: unavailable counter printed as -" "$(grep '^total' "$T_TMP/h.txt")"
fi

# ---- CSV and JSON well-formed ----------------------------------------
"$CT" -f csv -V -o "$T_TMP/r.csv" -- "$CT_PROG/cowtrace-pages" -m 100 -n 10 -k 5
"$CT" -f json -V --lock-wait --vmstat -o "$T_TMP/r.json" -- "$CT_PROG/cowtrace-pages" -m 100 -n 10 -k 5
if out=$(python3 - "$T_TMP/r.csv" "$T_TMP/r.json" 2>&1 <<'PY'
import csv, json, sys
ok = {"exact", "approx", "unavailable"}
rows = list(csv.reader(open(sys.argv[1])))
head = rows[0]
assert all(len(r) == len(head) for r in rows), "ragged CSV"
# the statuses: one comment line, the last, '#' before the mode
assert [i for i, r in enumerate(rows) if r[0].startswith("#")] == [len(rows) - 1], "status line"
st = dict(zip(head, rows[-1]))
d = [dict(zip(head, r)) for r in rows[1:-1]]
assert st["scope"] == "status" and st["mode"] == "#tracepoint", st
assert all(r["scope"] in ("process", "image", "role", "total") for r in d), "a status row in the body"
for c in ("wp_faults", "cow_copies", "cow_reuses", "tlb_flush_fork", "tlb_flush_fault",
          "fork_ns", "eager_copies", "vma_anon_wp_faults"):
    assert st[c] in ok, (c, st[c])
scopes = [r["scope"] for r in d]
assert scopes.count("process") == 2 and scopes.count("total") == 1, scopes
tot = d[-1]
assert st["eager_copies"] == "unavailable" and tot["eager_copies"] == "", "unavailable must be empty"
assert int(tot["wp_faults"]) >= 15 and tot["lost_events"] == "0", tot
j = json.load(open(sys.argv[2]))
assert j["mode"] == "tracepoint" and j["exit_status"] == 0
root = [p for p in j["processes"] if p["depth"] == 0]
assert len(root) == 1 and j["pid"] == root[0]["pid"] > 0, ("pid is the command's", j["pid"])
assert [i["comm"] for i in root[0]["images"]][-1] == "cowtrace-pages", root[0]["images"]
assert set(v["status"] for v in j["counters"].values()) <= ok
assert j["counters"]["lock_wait_ns"]["status"] == "approx", j["counters"]["lock_wait_ns"]
assert j["total"]["eager_copies"] is None, "unavailable must be null"
assert j["total"]["wp_faults"] >= 15 and j["lost_events"]["total"] == 0
assert [r["role"] for r in j["roles"]] == [0, 1]
assert "pgfault" in j["vmstat_delta"]
assert j["processes"][1]["per_vma"]["anon"]["wp_faults"] >= 10
PY
); then
	pass "csv and json well-formed, statuses and empty/null unavailable values"
else
	fail "csv and json well-formed" "$out"
fi

# every counter column of the CSV is in --help's list
missing=""
for c in $(head -1 "$T_TMP/r.csv" | tr ',' '\n' | sed -e '1,/^created$/d' -e '/^vma_/d' -e '/^lost_events$/d'); do
	"$CT" --help | grep -q "^  $c " || missing="$missing $c"
done
check_eq "every CSV counter column is in --help" "" "$missing"

# strings through lib/output.h's writers: a comm with a comma and a quote
# (CSV: quoted, the quote doubled), an argument with a tab and a newline
# (JSON: \t and \n)
cp /bin/true "$T_TMP/a,\"b"
"$CT" -f csv -o "$T_TMP/q.csv" -- "$T_TMP/a,\"b" "$(printf 'x\ty\nz')"
"$CT" -f json -o "$T_TMP/q.json" -- "$T_TMP/a,\"b" "$(printf 'x\ty\nz')"
if out=$(python3 - "$T_TMP/q.csv" "$T_TMP/q.json" 2>&1 <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
assert all(len(r) == len(rows[0]) for r in rows), "ragged CSV"
assert rows[1][5] == 'a,"b', rows[1]
raw = open(sys.argv[2]).read()
assert '"x\\ty\\nz"' in raw, "tab and newline not escaped as \\t \\n"
j = json.loads(raw)
assert j["command"][1] == "x\ty\nz" and j["processes"][0]["comm"] == 'a,"b', j["command"]
PY
); then
	pass "CSV quotes a comm with , and \"; JSON escapes tab and newline as in forkbench"
else
	fail "CSV quotes a comm with , and \"; JSON escapes tab and newline as in forkbench" "$out"
fi

# ---- -o -: the report on stdout, nothing on stderr, no file named '-' ----
(cd "$T_TMP" && "$CT" -f csv -o - -- "$CT_PROG/cowtrace-pages" -m 10 >"$T_TMP/so" 2>"$T_TMP/se")
if head -1 "$T_TMP/so" | grep -q '^mode,scope,pid,' && grep -q '^tracepoint,total,' "$T_TMP/so" &&
   [ ! -s "$T_TMP/se" ] && [ ! -e "$T_TMP/-" ]; then
	pass "-o -: the CSV on stdout"
else
	fail "-o -: the CSV on stdout" "stdout $(head -c 100 "$T_TMP/so"); stderr $(head -c 100 "$T_TMP/se")"
fi

# ---- lost events: a process map of 2 entries, 5 children --------------
"$CT" --max-procs 2 -f csv -o "$T_TMP/l.csv" -- sh -c 'for i in 1 2 3 4 5; do /bin/true; done' \
	2>"$T_TMP/l.err"
lost=$(ct_get "$T_TMP/l.csv" total "" lost_events)
ct_within "lost events counted (map of 2, 6 processes)" "$lost" 3 5
if grep -q "^cowtrace: warning: $lost events lost" "$T_TMP/l.err"; then
	pass "lost events warned about on stderr"
else
	fail "lost events warned about on stderr" "$(cat "$T_TMP/l.err")"
fi

# ---- -p: attach to a running process ---------------------------------
ct_attach "$T_TMP/p.csv" "$CT_PROG/cowtrace-pages" -w -m 200 -n 50
if grep -q '^cowtrace: following PID [0-9]* and its descendants (mode tracepoint)' "$T_TMP/p.csv.err"; then
	pass "-p: announces what it follows"
else
	fail "-p: announces what it follows" "$(cat "$T_TMP/p.csv.err")"
fi
ct_within "-p: child of the attached process counted" "$(ct_get "$T_TMP/p.csv" role 1 wp_faults)" 50 60
