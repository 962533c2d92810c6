#!/bin/sh
# --thp always that gets no huge pages says so: with THP disabled for the
# process (PR_SET_THP_DISABLE, which its children inherit) heap, spawn and
# nested warn on stderr with the share obtained and the reason, the
# summary's thp_fraction is 0 and the human table shows "always 0%".  A
# heap smaller than a huge page has no thp_fraction (empty) and a warning.
# The control: the same runs without the prctl get huge pages (where THP
# is not off) and no warning.  THP's sysfs switch is left alone: it is the
# whole machine's, and other runs may share the machine.
. "$(dirname "$0")/../lib.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"

# no_thp CMD...: CMD with PR_SET_THP_DISABLE set (prctl 41), as a parent
# that disabled THP would hand it down.
no_thp() {
	python3 -c '
import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(41, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_THP_DISABLE): " + os.strerror(ctypes.get_errno()))
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}
warned() {	# NAME FILE PATTERN
	if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1" "stderr: $(cat "$2")"; fi
}
WHY="warning: --thp always: only 0 % of the 16 MiB heap \(cow mode\) is backed by huge pages: THP is disabled for this process \(PR_SET_THP_DISABLE"

# heap
if no_thp "$FB" heap --heap 16M --thp always -n 2 --warmup 0 --format csv -o "$T_TMP/h.csv" 2>"$T_TMP/h.err"; then
	check_eq "heap, THP disabled: thp_fraction 0" 0 \
		"$("$COL" "$T_TMP/h.csv" child100%-sequential-exit fork thp_fraction)"
	check_eq "heap, THP disabled: thp_bytes 0" 0 \
		"$("$COL" "$T_TMP/h.csv" child100%-sequential-exit fork thp_bytes)"
	warned "heap, THP disabled: one warning with the share and the reason" "$T_TMP/h.err" "^forkbench heap: $WHY"
	check_eq "heap, THP disabled: one warning line" 1 "$(grep -c warning "$T_TMP/h.err")"
else
	fail "heap, THP disabled: runs" "$(cat "$T_TMP/h.err")"
fi
no_thp "$FB" heap --heap 16M --thp always -n 1 --warmup 0 >"$T_TMP/h.txt" 2>/dev/null
if grep -q ' always 0% ' "$T_TMP/h.txt"; then
	pass "heap, THP disabled: the table says always 0%"
else
	fail "heap, THP disabled: the table says always 0%" "$(head -n 2 "$T_TMP/h.txt")"
fi

# spawn: the heap lives in a worker process, which inherits the prctl.
if no_thp "$FB" spawn --method fork_exit --heap 0,16M --thp always -n 1 --warmup 0 --format csv \
	-o "$T_TMP/s.csv" 2>"$T_TMP/s.err"; then
	check_eq "spawn, THP disabled: thp_fraction 0 at 16M, empty at 0" "0:" "$(python3 -c '
import csv, sys
r = {x["heap_bytes"]: x["thp_fraction"] for x in csv.DictReader(open(sys.argv[1])) if x["metric"] == "start"}
print(r["16777216"] + ":" + r["0"])' "$T_TMP/s.csv")"
	warned "spawn, THP disabled: warned" "$T_TMP/s.err" "^forkbench spawn: $WHY"
else
	fail "spawn, THP disabled: runs" "$(cat "$T_TMP/s.err")"
fi

# nested: the family's root makes the heap anew every iteration.
if no_thp "$FB" nested --shape chain:1 --heap 16M --thp always -n 2 --warmup 0 --format csv \
	-o "$T_TMP/n.csv" 2>"$T_TMP/n.err"; then
	check_eq "nested, THP disabled: thp_fraction 0" 0 "$("$COL" "$T_TMP/n.csv" 'A(depth 0)' write thp_fraction)"
	warned "nested, THP disabled: warned" "$T_TMP/n.err" "^forkbench nested: $WHY"
else
	fail "nested, THP disabled: runs" "$(cat "$T_TMP/n.err")"
fi

# A heap below one huge page: nothing to back, no fraction, a warning.
"$FB" nested --thp always -n 1 --warmup 0 --format csv -o "$T_TMP/small.csv" 2>"$T_TMP/small.err"
check_eq "4 KiB heap with --thp always: thp_fraction empty" "" \
	"$("$COL" "$T_TMP/small.csv" 'A(depth 0)' write thp_fraction)"
warned "4 KiB heap with --thp always: warned" "$T_TMP/small.err" \
	"warning: --thp always: the 4 KiB heap is smaller than a huge page \(2 MiB\)"

# The control: THP not disabled.  Where THP is available the heap gets
# huge pages and nothing is said; where it is off, the reason says so.
thp=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
"$FB" heap --heap 16M --thp always -n 1 --warmup 0 --format csv -o "$T_TMP/c.csv" 2>"$T_TMP/c.err"
f=$("$COL" "$T_TMP/c.csv" child100%-sequential-exit fork thp_fraction)
case "$thp" in
always | madvise)
	if [ -n "$f" ] && awk -v f="$f" 'BEGIN { exit !(f > 0) }'; then
		pass "control: THP obtained without the prctl (thp_fraction $f)"
	else
		fail "control: THP obtained without the prctl" "thp_fraction '$f'"
	fi
	if [ "$f" = 1 ]; then
		check_eq "control: all of it, no warning" "" "$(grep warning "$T_TMP/c.err")"
	else
		warned "control: part of it, and a warning" "$T_TMP/c.err" "only [0-9]+ % of the 16 MiB heap"
	fi
	;;
*)
	check_eq "control: THP off on this machine: thp_fraction 0" 0 "$f"
	warned "control: THP off: the reason" "$T_TMP/c.err" "transparent_hugepage/enabled is never|no transparent huge pages"
	;;
esac
