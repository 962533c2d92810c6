#!/usr/bin/env bash
# Merge figures printed by tests into build/test-logs/figures.txt.
#
#   scripts/figures-add.sh SOURCE [FIGURES] < lines
#
# Input: "key value words..." lines (the part after "FIGURE: ").  Each is
# stored as key<TAB>value<TAB>words<TAB>SOURCE, SOURCE stamped with the date
# and forklab's revision; a key already there is replaced, others are kept.
# scripts/readme-figures.sh turns the file into docs/testing.md's table.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ -z "$1" ]; then
	echo "figures-add: usage: figures-add.sh SOURCE [FIGURES] < lines" >&2
	exit 2
fi
src="$1, $(date -u +%Y-%m-%d), forklab $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
fig=${2:-build/test-logs/figures.txt}
if [ -e "$fig" ] && [ ! -f "$fig" ]; then
	echo "figures-add: '$fig' is not a regular file (the figures would be lost in it)" >&2
	exit 2
fi
mkdir -p "$(dirname "$fig")"
touch "$fig"
new=$(mktemp)
trap 'rm -f "$new"' EXIT
while read -r key value words; do
	case "$key" in '' | *[!A-Za-z0-9_.-]*) continue ;; esac
	printf '%s\t%s\t%s\t%s\n' "$key" "$value" "$words" "$src"
done >"$new"
awk -F'\t' 'NF == 4 { v[$1] = $0 } END { for (k in v) print v[k] }' "$fig" "$new" |
	LC_ALL=C sort >"$fig.tmp"
mv "$fig.tmp" "$fig"
