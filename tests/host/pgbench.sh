#!/bin/bash
# forkbench pgbench: Debian's PostgreSQL 15, started by forkbench as user
# postgres, pgbench -S for 1 s per run, three iterations.
#   - the rows are there and well formed: select, select-connect and
#     connect, 3 iterations each, every median above 0;
#   - a connection costs: the -C latency (a new backend, a fork of the
#     postmaster, per transaction) exceeds the plain one in the same run
#     (the ratio is printed as a FIGURE; measured here: about 400);
#   - the connection cost is the difference of the two (within 1 %);
#   - nothing is left: no process of the run's session (setsid) and no
#     scratch folder (TMPDIR is the test's own folder) after the run and
#     after SIGINT in the middle of a pgbench run (exit 130).
# SKIP without PostgreSQL 15 (postgresql-15: initdb, postgres, pgbench), or without root (the server runs
# as user postgres).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/session.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"
BIN=/usr/lib/postgresql/15/bin
STOP_LIMIT=15

for f in "$BIN/initdb" "$BIN/postgres" "$BIN/pgbench"; do
	if [ ! -x "$f" ]; then
		skip "pgbench" "$f not installed (scripts/install-deps.sh installs postgresql-15)"
		exit 0
	fi
done
if ! is_root; then
	skip "pgbench" "not root (PostgreSQL runs as user postgres)"
	exit 0
fi
# The server, as user postgres, reaches its folder through the test's.
SCRATCH=$T_TMP/tmp
mkdir -p "$SCRATCH"
chmod 755 "$T_TMP" "$SCRATCH"

# forkbench's session: grace for the server's processes to go.
SESS_GRACE=30

# ---- a whole run ----
if ! TMPDIR=$SCRATCH sess_run pgbench --seconds 1 -n 3 --warmup 0 --format csv -o "$T_TMP/r.csv"; then
	fail "pgbench runs" "exit $rc: $(head -c 400 "$T_TMP/err")"
	sess_left "run" "$SCRATCH"
	exit 0
fi
pass "pgbench runs (16 MiB shared_buffers, 3 iterations)"
sess_left "run" "$SCRATCH"
for m in "select latency" "select-connect latency" "connect connect"; do
	# shellcheck disable=SC2086 # method and metric
	check_eq "$m: 3 iterations" 3 "$("$COL" "$T_TMP/r.csv" $m iterations)"
	# shellcheck disable=SC2086
	v=$("$COL" "$T_TMP/r.csv" $m median_ns)
	check_ge "$m: median above 0 ($v ns)" "${v%.*}" 1
done
plain=$("$COL" "$T_TMP/r.csv" select latency median_ns)
conn=$("$COL" "$T_TMP/r.csv" select-connect latency median_ns)
cost=$("$COL" "$T_TMP/r.csv" connect connect median_ns)
r=$(awk -v a="$conn" -v b="$plain" 'BEGIN { if (a > 0 && b > 0) printf "%.1f", a / b }')
if awk -v r="$r" 'BEGIN { exit !(r != "" && r > 1) }'; then
	pass "-C latency exceeds the plain one ($r: $conn vs $plain ns)"
else
	fail "-C latency exceeds the plain one" "ratio '$r' ($conn vs $plain ns)"
fi
echo "FIGURE: pgbench-connect-ratio $r pgbench -S latency with -C over without"
# The difference per iteration: its median is near the medians' difference.
d=$(awk -v a="$conn" -v b="$plain" -v c="$cost" 'BEGIN { printf "%.3f", (c - (a - b)) / (a - b) }')
if awk -v d="$d" 'BEGIN { exit !(d >= -0.01 && d <= 0.01) }'; then
	pass "connect = select-connect - select (relative gap $d)"
else
	# The median of differences may differ from the difference of medians
	# by one iteration's spread: allow the spread of select-connect.
	sd=$("$COL" "$T_TMP/r.csv" select-connect latency stddev_ns)
	if awk -v a="$conn" -v b="$plain" -v c="$cost" -v s="$sd" \
		'BEGIN { g = c - (a - b); if (g < 0) g = -g; exit !(g <= s + 1) }'; then
		pass "connect = select-connect - select within select-connect's stddev ($cost vs $conn - $plain)"
	else
		fail "connect = select-connect - select" "$cost vs $conn - $plain"
	fi
fi

# ---- SIGINT in the middle of a pgbench run ----
TMPDIR=$SCRATCH sess_start "SIGINT" pgbench --seconds 2 -n 20 --warmup 0 --format csv -o "$T_TMP/i.csv"
if sess_wait_for "$pid" ':pgbench$' 15; then
	pass "SIGINT: pgbench running in the run's session when signalled ($(sess_procs "$pid"))"
else
	fail "SIGINT: pgbench running in the run's session" "none: $(sess_procs "$pid")"
fi
sess_stop "SIGINT" INT "$STOP_LIMIT"
check_eq "SIGINT: exit status 130" 130 "$rc"
sess_left "SIGINT" "$SCRATCH"
