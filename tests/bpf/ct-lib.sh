# shellcheck shell=sh
# Helpers for the cowtrace tests in this directory (sourced, not a test).
#   . "$(dirname "$0")/ct-lib.sh"     (after ../lib.sh)

# shellcheck disable=SC2034 # for the tests that source this file
CT_PROG=$FORKLAB_BUILD/bpf

# ct_within NAME VALUE LO HI: pass if LO <= VALUE <= HI.
ct_within() {
	if [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ]; then
		pass "$1 ($2)"
	else
		fail "$1" "got '$2', expected $3..$4"
	fi
}

# Exit 77 (skip) where cowtrace cannot load BPF at all (not root, no BTF,
# no tracefs: ct_load_why in lib.sh); any other load failure is a FAIL.
ct_require() {
	_why=$(ct_load_why)
	case "$_why" in
	'') ;;
	skip:*) echo "cowtrace cannot run here: ${_why#skip: }"; exit 77 ;;
	*) fail "cowtrace loads its BPF" "${_why#fail: }"; exit 1 ;;
	esac
}

# ct_attach OUT.csv PROG ARGS...: start PROG (which waits for SIGUSR1),
# attach cowtrace -p to it, then release it; waits for both.
ct_attach() {
	_out=$1
	shift
	"$@" &
	_pid=$!
	"$CT" -f csv -o "$_out" -p "$_pid" 2>"$_out.err" &
	_ct=$!
	_i=0
	while ! grep -q '^cowtrace: following' "$_out.err" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -USR1 "$_pid"
	wait "$_pid"
	wait "$_ct"
}
