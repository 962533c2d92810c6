# shellcheck shell=sh
# Shared helpers for forklab's shell tests.  POSIX sh: the same file is used
# by host tests (bash/dash) and in-guest tests (busybox ash).
#
#   . "$(dirname "$0")/../lib.sh"
#   pass NAME; fail NAME WHY; skip NAME WHY
#   check_eq NAME EXPECTED ACTUAL     check_le NAME A B     check_ge NAME A B
#   expect_fail NAME STATUS PATTERN -- CMD...   (exit status and stderr match)
#   mount_ns_why      why no private mount namespace can be made here (or nothing)

: "${FORKLAB_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FORKLAB_BUILD:=$FORKLAB_ROOT/build}"
# shellcheck disable=SC2034 # FB and CT are for the tests that source this file
FB=$FORKLAB_BUILD/forkbench CT=$FORKLAB_BUILD/cowtrace
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/forklab-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
skip() { echo "SKIP: $1: $2"; }

check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}
check_le() {
	if [ "$2" -le "$3" ] 2>/dev/null; then pass "$1"; else fail "$1" "expected $2 <= $3"; fi
}
check_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then pass "$1"; else fail "$1" "expected $2 >= $3"; fi
}

# expect_fail NAME STATUS PATTERN -- CMD ARGS...
# CMD must exit with STATUS and print exactly one line on stderr matching
# the extended regex PATTERN.
expect_fail() {
	_n=$1 _st=$2 _pat=$3
	shift 4
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	_rc=$?
	_lines=$(wc -l <"$T_TMP/err")
	if [ "$_rc" != "$_st" ]; then
		fail "$_n" "exit status $_rc, expected $_st (stderr: $(head -c 200 "$T_TMP/err"))"
	elif [ "$_lines" != 1 ]; then
		fail "$_n" "expected a one-line error, got $_lines lines: $(head -c 200 "$T_TMP/err")"
	elif ! grep -Eq -- "$_pat" "$T_TMP/err"; then
		fail "$_n" "stderr '$(cat "$T_TMP/err")' does not match /$_pat/"
	else
		pass "$_n"
	fi
}

is_root() { [ "$(id -u)" = 0 ]; }

# mount_ns_why: nothing when a private mount namespace can be made here
# (unshare -m, as the tests that hide a mount use it), else why not, in
# unshare's words: in a chroot or a container whose root is no mount point,
# "unshare: cannot change root filesystem propagation: Invalid argument".
mount_ns_why() {
	if ! command -v unshare >/dev/null; then
		echo "no unshare (util-linux)"
	elif ! unshare -m --propagation private true 2>"$T_TMP/unshare.err"; then
		_why=$(tail -n 1 "$T_TMP/unshare.err")
		echo "${_why:-unshare -m --propagation private failed}"
	fi
}
