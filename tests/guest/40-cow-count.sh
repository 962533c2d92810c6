#!/bin/sh
# In-guest: exact COW counts from /proc/vmstat for one fork, against the
# prediction rules (cow mode): a child writing N pages shared with its parent
# copies them all (pgfault >= N, pgreuse +0); the parent writing them after
# the child exited reuses every one (pgreuse +N exactly).
# build/static/cow-count does the measuring from one process.
. "$(dirname "$0")/../lib.sh"
prog=$FORKLAB_BUILD/cow-count
[ -x "$prog" ] || { echo "FAIL: 40-cow-count/setup: no $prog (make kernel-static)"; exit 1; }
"$prog" -n 1000
