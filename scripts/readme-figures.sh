#!/usr/bin/env bash
# Rewrite the README's figures block from what the tests printed.
#
#   scripts/readme-figures.sh [--check] [FIGURES]
#
# FIGURES (default build/test-logs/figures.txt) holds key<TAB>value<TAB>
# words<TAB>source lines that scripts/figures-add.sh collected from tests'
# "FIGURE:" lines.  The block between "<!-- figures:begin -->" and
# "<!-- figures:end -->" in README.md becomes a table of them, in key order,
# each with the run it came from.  --check: exit 1 if the README differs.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
fig=${1:-build/test-logs/figures.txt}
die() { echo "readme-figures: $*" >&2; exit 2; }
[ -s "$fig" ] || die "no figures in '$fig' (run make test first)"
if ! grep -q '^<!-- figures:begin -->$' README.md || ! grep -q '^<!-- figures:end -->$' README.md; then
	die "README.md has no '<!-- figures:begin -->' ... '<!-- figures:end -->' block"
fi

table=$(mktemp) new=$(mktemp)
trap 'rm -f "$table" "$new"' EXIT
{
	printf '| Figure | Value | From |\n|---|---|---|\n'
	LC_ALL=C sort "$fig" | awk -F'\t' 'NF == 4 { printf "| `%s` | %s %s | %s |\n", $1, $2, $3, $4 }'
} >"$table"
awk -v t="$table" '
	/^<!-- figures:end -->$/ { skip = 0 }
	!skip { print }
	/^<!-- figures:begin -->$/ { while ((getline l < t) > 0) print l; skip = 1 }
' README.md >"$new"
if [ $check = 1 ]; then
	cmp -s README.md "$new" || { echo "README.md figures differ from $fig (run scripts/readme-figures.sh)"; exit 1; }
	exit 0
fi
cat "$new" >README.md
echo "README.md: $(wc -l <"$fig") figures from $fig"
