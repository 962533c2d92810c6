#!/bin/sh
# libcowtrace.a as forkbench --trace uses it (build/bpf/cowtrace-libtest):
# follow the process itself, diff per-role counts around each iteration
# (child writes N of M pages: role 1 sees N + a small allowance, one
# process, one fork and one fork-time flush in role 0), and with a range
# exactly N.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"
ct_require
"$CT_PROG/cowtrace-libtest" 5
