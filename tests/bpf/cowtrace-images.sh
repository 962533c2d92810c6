#!/bin/sh
# Host (tracepoint mode): per image (a process's program between execve
# calls) and summaries.
#  - a forked child's writes before its execve are the image its parent's
#    program ran (fork COW), the exec'd program's own are file COW: the
#    image rows (CSV scope=image, JSON "images", human "image N:") tell
#    them apart and add up to the process's row;
#  - make -j2 spawns its recipes with vfork/posix_spawn (created
#    clone_vm): fork-caused COW only where a fork happened, in the image
#    that forked or the first image of a fork child;
#  - --by comm (the default beyond 20 processes), --top, --tree.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"
ct_require

# ---- exec split: bash forks a child that execs true ---------------------
# (bash, not dash: dash runs a command with vfork)
"$CT" -f csv -o "$T_TMP/e.csv" -- bash -c '/bin/true; exec /bin/true'
"$CT" -f json -o "$T_TMP/e.json" -- bash -c '/bin/true; exec /bin/true'
"$CT" -- bash -c '/bin/true; exec /bin/true' 2>"$T_TMP/e.txt"
if out=$(python3 - "$T_TMP/e.csv" "$T_TMP/e.json" 2>&1 <<'PY'
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if not r["mode"].startswith("#")]
procs = [r for r in rows if r["scope"] == "process"]
assert len(procs) == 2, procs
root, child = sorted(procs, key=lambda r: int(r["role"]))
img = lambda p: [r for r in rows if r["scope"] == "image" and r["pid"] == p["pid"]]
# the root: cowtrace's launcher, bash, then true (exec without fork)
assert [r["comm"] for r in img(root)] == ["cowtrace", "bash", "true"], img(root)
assert [r["image"] for r in img(root)] == ["0", "1", "2"], img(root)
assert root["created"] == "root" and root["image"] == "", root
# the child: bash's copy (fork COW), then true (file COW only)
ci = img(child)
assert [r["comm"] for r in ci] == ["bash", "true"] and child["created"] == "fork", ci
assert int(ci[0]["fork_faults"]) > 0 and int(ci[0]["fork_copies"]) > 0, ci[0]
assert int(ci[1]["fork_faults"]) == 0 and int(ci[1]["file_copies"]) > 0, ci[1]
assert int(root["forks"]) == 1 and int(img(root)[1]["forks"]) == 1, root
for p in procs:
    for c in ("wp_faults", "cow_copies", "fork_copies", "file_copies", "forks"):
        assert sum(int(r[c]) for r in img(p)) == int(p[c]), (c, p, img(p))
j = json.load(open(sys.argv[2]))
ch = [p for p in j["processes"] if p["depth"] == 1][0]
assert [i["comm"] for i in ch["images"]] == ["bash", "true"] and ch["created"] == "fork", ch
assert ch["images"][1]["fork_copies"] == 0 and ch["images"][0]["fork_copies"] > 0, ch
PY
); then
	pass "exec split: image rows per program, fork COW in the forked bash, file COW in true"
else
	fail "exec split: image rows per program" "$out"
fi
if grep -qE '^ +image 0: bash ' "$T_TMP/e.txt" && grep -qE '^ +image 1: true ' "$T_TMP/e.txt"; then
	pass "human: the images under the process"
else
	fail "human: the images under the process" "$(sed -n '/^pid/,$p' "$T_TMP/e.txt")"
fi

# ---- make -j2: fork-caused COW only where a fork happened ----------------
mkdir "$T_TMP/mk"
printf 'all: a b c d\na b c:\n\ttouch $@\nd:\n\tcat /dev/null | wc -l > $@\n' >"$T_TMP/mk/Makefile"
(cd "$T_TMP/mk" && "$CT" -f csv -o "$T_TMP/m.csv" -- make -s -j2)
if out=$(python3 - "$T_TMP/m.csv" 2>&1 <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if not r["mode"].startswith("#")]
procs = [r for r in rows if r["scope"] == "process"]
imgs = {p["pid"]: [r for r in rows if r["scope"] == "image" and r["pid"] == p["pid"]] or [p]
        for p in procs}
seen = 0
for p in procs:
    for i in imgs[p["pid"]]:
        f = int(i["fork_faults"])
        first = i["image"] in ("", "0") or (p["created"] != "root" and i is imgs[p["pid"]][0])
        forked = int(i["forks"]) > 0
        ok = f == 0 or forked or (p["created"] == "fork" and first)
        assert ok, ("fork COW in an image that neither forked nor is a fork child's first", i)
        seen += f > 0
make = [p for p in procs if p["created"] == "root"][0]
assert make["comm"] == "make" and int(make["fork_faults"]) == 0, make
assert int(make["forks"]) >= 4, make
kids = [p for p in procs if p["ppid"] == make["pid"]]
assert kids and all(k["created"] == "clone_vm" for k in kids), [(k["comm"], k["created"]) for k in kids]
for k in kids:
    if k["comm"] == "touch":
        assert int(k["fork_faults"]) == 0 and int(k["file_copies"]) > 0, k
# the pipeline's sh forks cat and wc: fork COW there, and only there
assert seen >= 2, ("the pipeline's forks show fork COW", seen)
last = [imgs[p["pid"]][-1] for p in procs if p["comm"] in ("cat", "wc")]
assert len(last) == 2 and all(int(i["fork_faults"]) == 0 for i in last), last
PY
); then
	pass "make -j2: fork COW only in images that forked or fork children before exec"
else
	fail "make -j2: fork COW only in images that forked or fork children before exec" "$out"
fi

# ---- summaries ---------------------------------------------------------
# 26 processes: per program name by default
# shellcheck disable=SC2016 # the inner sh expands it
"$CT" -- sh -c 'for i in $(seq 25); do /bin/true; done' 2>"$T_TMP/b.txt"
if grep -qE '^comm \(images\) +fork_copies ' "$T_TMP/b.txt" && grep -qE '^true \(25\) ' "$T_TMP/b.txt" &&
   ! grep -qE '^pid ppid role comm' "$T_TMP/b.txt"; then
	pass "more than 20 processes: a row per program name (true (25))"
else
	fail "more than 20 processes: a row per program name" "$(sed -n '/^comm/,/^total/p' "$T_TMP/b.txt" | head -5)"
fi
# shellcheck disable=SC2016 # the inner sh expands it
"$CT" --by pid -- sh -c 'for i in $(seq 25); do /bin/true; done' 2>"$T_TMP/p.txt"
# sh, seq (in its own fork) and 25 true
check_eq "--by pid: a row per process" 27 "$(grep -cE '^[0-9]+ +[0-9]+ +[0-9]+ ' "$T_TMP/p.txt")"
"$CT" --by comm --top 1 -- sh -c '/bin/true; /bin/echo x >/dev/null; ls >/dev/null' 2>"$T_TMP/t.txt"
rows=$(sed -n '/^comm (images)/,/^(/p' "$T_TMP/t.txt" | grep -vcE '^(comm|\()')
if [ "$rows" = 2 ] && grep -qE '^[0-9]+ others \([0-9]+\) ' "$T_TMP/t.txt"; then
	pass "--top 1: one program and the others summed"
else
	fail "--top 1: one program and the others summed" "$(sed -n '/^comm/,/^total/p' "$T_TMP/t.txt")"
fi
# the rows per program name add up to the total (wp_faults, counted from
# the right: the leads have different numbers of words)
sums=$(awk '
	/^comm \(images\)/ { for (i = 1; i <= NF; i++) if ($i == "wp_faults") k = NF - i; rows = 1; next }
	rows && /^\(/ { rows = 0 }
	rows { s += $(NF - k) }
	/^total/ { t = $(NF - k) }
	END { print s, t }' "$T_TMP/b.txt")
check_eq "--by comm: the rows add up to the total wp_faults" "${sums#* } ${sums#* }" "$sums"

# --tree: each process below its parent, indented two columns per level
"$CT" --tree -- sh -c 'sh -c "/bin/true; /bin/true"; /bin/true' 2>"$T_TMP/r.txt"
if out=$(awk '
	/^[0-9]+ +[0-9]+ +[0-9]+ / {
		pid = $1; ppid = $2; role = $3
		lead = substr($0, 22)
		ind = match(lead, /[^ ]/) - 1
		if (n++ && !(ppid in seen)) { print "parent of " pid " not above it"; bad = 1 }
		if (ind != 2 * role) { print pid ": indent " ind " at role " role; bad = 1 }
		seen[pid] = 1
	}
	END { if (n != 5) print n " processes, expected 5"; exit (bad || n != 5) }' "$T_TMP/r.txt"); then
	pass "--tree: parents above their children, two columns per level"
else
	fail "--tree: parents above their children, two columns per level" "$out"
fi

# ---- python3 as found on PATH (maybe a wrapper script that forks before
# it execs the interpreter): the interpreter's own image has no fork COW
"$CT" -f csv -o "$T_TMP/py.csv" -- python3 -c pass
if out=$(python3 - "$T_TMP/py.csv" 2>&1 <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if not r["mode"].startswith("#")]
root = [r for r in rows if r["scope"] == "process" and r["created"] == "root"][0]
last = [r for r in rows if r["scope"] == "image" and r["pid"] == root["pid"]][-1]
assert last["comm"].startswith("python3") and last["fork_faults"] == "0", last
PY
); then
	pass "python3 -c pass: the interpreter's image shows 0 fork-caused COW"
else
	fail "python3 -c pass: the interpreter's image shows 0 fork-caused COW" "$out"
fi
