#!/bin/sh
# Adding a benchmark to forkbench is one new file: in a scratch copy of the
# tree, a throwaway benchmark (bench/benchmarks/regprobe.c, its descriptor
# and one FB_BENCH row) is added and nothing else is touched; the build
# picks it up and it shows end to end: the list, its --help, CSV and JSON
# rows, in the dynamic and the static forkbench.  If registering needed a
# second edit (a table, an extern, a Makefile list), it would not show.
# The build with it is `make -j2 clean all` over a build of the tree before:
# that it ends with a whole build is checked too.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
CHECK="$FORKLAB_ROOT/tests/tools/check_summary.py"

for tool in git cpio make python3; do
	if ! command -v $tool >/dev/null; then
		skip "registry" "$tool not installed"
		exit 0
	fi
done

# The tree as it is (tracked files and new ones not ignored), without
# build/, as a git repository of its own whose first commit is that tree.
S=$T_TMP/tree
mkdir -p "$S"
(cd "$FORKLAB_ROOT" && git ls-files --cached --others --exclude-standard |
	while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
	cpio -pdm --quiet "$S") || { fail "registry: scratch copy" "cpio failed"; exit 0; }
if ! (cd "$S" && git init -q && git add -A &&
	git -c user.name=forklab -c user.email=forklab@localhost commit -q -m tree) \
	>"$T_TMP/git.log" 2>&1; then
	fail "registry: scratch copy" "$(tail -n 3 "$T_TMP/git.log")"
	exit 0
fi

# Its own build/, whatever BUILD or make's flags the test runs under.
smake() {
	env -u BUILD -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u EXTRA_CFLAGS \
		make -C "$S" -s -j2 BUILD=build "$@" >"$T_TMP/make.log" 2>&1
}

# Before: the tree as it is builds, without regprobe.
if smake build/forkbench && ! "$S/build/forkbench" --help | grep -q regprobe; then
	pass "registry: the scratch tree builds, no regprobe in it"
else
	fail "registry: the scratch tree builds, no regprobe in it" \
		"$(grep -m3 -E 'error|Error' "$T_TMP/make.log")"
	exit 0
fi

cat >"$S/bench/benchmarks/regprobe.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
/* forkbench regprobe: a throwaway benchmark, one file (tests/host/registry.sh). */
#include "forkbench.h"

static int regprobe_run(struct fb_common *c)
{
	struct fb_cell *cell = cell_new(c->res, "regprobe", "clock_read",
					fork_mode_name(c->fork_mode), 0, thp_names[c->thp],
					c->iterations);
	uint64_t i, t0;

	for (i = 0; i < c->iterations && !fb_stopping(); i++) {
		t0 = now_ns();
		cell_put(cell, "probe", FB_TIME, (double)(now_ns() - t0));
		cell_commit(cell);
	}
	return 0;
}

static const struct argp regprobe_argp = {
	NULL, NULL, NULL, "forkbench regprobe: two clock reads, the registry's probe.", NULL, NULL, NULL
};

static const struct fb_bench regprobe_bench = {
	.name = "regprobe",
	.summary = "registry probe: one file, no other edit",
	.argp = &regprobe_argp,
	.default_iterations = 3,
	.run = regprobe_run,
};
FB_BENCH(regprobe_bench);
EOF

check_eq "registry: the benchmark is the one change to the tree" \
	"?? bench/benchmarks/regprobe.c" "$(cd "$S" && git status --porcelain --untracked-files=all)"

# An incremental make picks it up.
if smake build/forkbench && "$S/build/forkbench" --help | grep -q '^  regprobe '; then
	pass "registry: an incremental make builds it in"
else
	fail "registry: an incremental make builds it in" \
		"$(grep -m3 -E 'error|Error' "$T_TMP/make.log")"
fi

# Then `make -j2 clean all` over that build: clean runs first (a file
# left in build/ is gone) and the build after it is whole (up-to-date
# targets are not taken for built while clean removes them).
: >"$S/build/left-from-before"
if smake clean all build/static/forkbench; then
	pass "registry: make -j2 clean all builds with the new file"
else
	fail "registry: make -j2 clean all builds with the new file" \
		"$(grep -m3 -E 'error|Error' "$T_TMP/make.log")"
	exit 0
fi
if [ ! -e "$S/build/left-from-before" ] && [ -x "$S/build/forkbench" ] &&
	[ -x "$S/build/cowtrace" ] && [ -x "$S/build/tests/unit/test_escape" ]; then
	pass "make -j2 clean all: clean ran first, the build is whole"
else
	fail "make -j2 clean all: clean ran first, the build is whole" \
		"$(cd "$S/build" 2>/dev/null && echo ./*)"
fi
check_eq "registry: the build changed no file of the tree" \
	"?? bench/benchmarks/regprobe.c" "$(cd "$S" && git status --porcelain --untracked-files=all)"

for fb in "$S/build/forkbench" "$S/build/static/forkbench"; do
	kind=dynamic
	[ "$fb" = "$S/build/static/forkbench" ] && kind=static

	# The list: the six in their order, the new one after them (no order key).
	list=$("$fb" --help | sed -n 's/^  \([a-z][a-z0-9_-]*\)  .*/\1/p' | tr '\n' ' ')
	check_eq "registry $kind: --help lists it after spawn, heap, nested, scenario, vmas, threads, redis, pymp, pgbench, build" \
		"spawn heap nested scenario vmas threads redis pymp pgbench build regprobe " "$list"
	if "$fb" --help | grep -q '^  regprobe   registry probe: one file, no other edit$'; then
		pass "registry $kind: --help shows its summary"
	else
		fail "registry $kind: --help shows its summary" "$("$fb" --help | grep regprobe)"
	fi
	"$fb" regprobe --help >"$T_TMP/help" 2>&1
	rc=$?
	if [ $rc = 0 ] && grep -q 'two clock reads' "$T_TMP/help" && grep -q -- '--heap' "$T_TMP/help"; then
		pass "registry $kind: regprobe --help shows its text and the common options"
	else
		fail "registry $kind: regprobe --help" "exit $rc: $(head -c 200 "$T_TMP/help")"
	fi
	expect_fail "registry $kind: an unknown name lists it among the allowed" 2 \
		"unknown benchmark 'nosuch' \(allowed: spawn, heap, nested, scenario, vmas, threads, redis, pymp, pgbench, build, regprobe, metadata\)" \
		-- "$fb" nosuch
	expect_fail "registry $kind: its options are checked like the others'" 2 \
		"^forkbench regprobe: --iterations: 0 is out of range" -- "$fb" regprobe -n 0

	if "$fb" regprobe --format csv -n 4 --warmup 0 >"$T_TMP/p.csv" 2>"$T_TMP/err"; then
		if out=$("$CHECK" "$T_TMP/p.csv" --rows 1); then
			pass "registry $kind: CSV well formed, one row"
		else
			fail "registry $kind: CSV well formed, one row" "$out"
		fi
		row=$(grep '^regprobe,' "$T_TMP/p.csv" | cut -d, -f1,2,6)
		check_eq "registry $kind: CSV row of regprobe, 4 iterations" "regprobe,clock_read,4" "$row"
	else
		fail "registry $kind: CSV run" "$(head -c 300 "$T_TMP/err")"
	fi
	if "$fb" regprobe --format json -n 4 --warmup 0 >"$T_TMP/p.json" 2>"$T_TMP/err"; then
		if out=$("$CHECK" "$T_TMP/p.json" --rows 1); then
			pass "registry $kind: JSON well formed, one row"
		else
			fail "registry $kind: JSON well formed, one row" "$out"
		fi
		got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["results"][0]
print(r["bench"], r["method"], r["metric"], r["iterations"], d["metadata"]["bench"], d["complete"])' "$T_TMP/p.json")
		check_eq "registry $kind: JSON row and metadata of regprobe" \
			"regprobe clock_read probe 4 regprobe True" "$got"
	else
		fail "registry $kind: JSON run" "$(head -c 300 "$T_TMP/err")"
	fi
done

# The forkbench under test does not have it: the scratch build is what
# showed it.
if "$FB" --help | grep -q regprobe; then
	fail "registry: $FB has no regprobe" "it lists regprobe"
else
	pass "registry: $FB has no regprobe"
fi
