# shellcheck shell=sh
# The end of one cell of a run-all.sh matrix, shared by the run on this
# machine (run-all.sh, bash) and the run in the guest
# (scripts/run-all-guest.sh, busybox sh).  POSIX sh, safe under set -eu.
#
#   cell_keep RUN NAME PART STATUS
#       forkbench wrote PART.csv, PART.samples.csv and PART.log and exited
#       with STATUS.  0: the files become RUN/cells/NAME.csv and
#       NAME.samples.csv (renamed into place: a cell's files exist only
#       when it is complete) and an earlier refusal of NAME is dropped.
#       Otherwise the cell is refused, with forkbench's last line.  PART's
#       files are removed either way; a file that cannot be renamed returns
#       1 (NAME.csv, renamed last, then does not exist: the cell is not done).
#   refuse RUN NAME STATUS WHY
#       RUN/refused.txt gets "NAME: refused: WHY" (STATUS 2: forkbench
#       refused the cell, e.g. it does not fit the machine) or
#       "NAME: failed (exit STATUS): WHY", in place of NAME's earlier line;
#       the same line, indented, goes to stdout.
#   unrefuse RUN NAME
#       drops NAME's line from RUN/refused.txt (the file goes when empty).

cell_keep() {
	if [ "$4" = 0 ]; then
		mv "$3.samples.csv" "$1/cells/$2.samples.csv" || return 1
		mv "$3.csv" "$1/cells/$2.csv" || return 1
		unrefuse "$1" "$2"
	else
		refuse "$1" "$2" "$4" "$(tail -n 1 "$3.log")"
	fi
	rm -f "$3.csv" "$3.samples.csv" "$3.log"
}

refuse() {
	_ra_what=refused
	if [ "$3" != 2 ]; then _ra_what="failed (exit $3)"; fi
	echo "      $_ra_what: $4"
	unrefuse "$1" "$2"
	echo "$2: $_ra_what: $4" >>"$1/refused.txt"
}

unrefuse() {
	if [ ! -f "$1/refused.txt" ]; then return 0; fi
	# The name as a string, not a pattern: a line is NAME's if it starts "NAME: ".
	awk -v n="$2: " 'index($0, n) != 1' "$1/refused.txt" >"$1/refused.txt.tmp"
	if [ -s "$1/refused.txt.tmp" ]; then
		mv "$1/refused.txt.tmp" "$1/refused.txt"
	else
		rm -f "$1/refused.txt.tmp" "$1/refused.txt"
	fi
}
