#!/usr/bin/env bash
# Rewrite the documentation's figures block from what the tests printed.
#
#   scripts/readme-figures.sh [--check] [FIGURES [DOC]]
#
# FIGURES (default build/test-logs/figures.txt) holds key<TAB>value<TAB>
# words<TAB>source lines that scripts/figures-add.sh collected from tests'
# "FIGURE:" lines.  The block between "<!-- figures:begin -->" and
# "<!-- figures:end -->" in DOC (default docs/testing.md, "Figures from the
# tests") becomes a table of them, in key order, each with the run it came
# from.  --check: exit 1 if DOC differs.  Relative paths are taken from the
# repository's top folder.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
fig=${1:-build/test-logs/figures.txt}
doc=${2:-docs/testing.md}
die() { echo "readme-figures: $*" >&2; exit 2; }
[ $# -le 2 ] || die "too many arguments (allowed: [--check] [FIGURES [DOC]])"
[ -s "$fig" ] || die "no figures in '$fig' (run make test first)"
[ -f "$doc" ] || die "no document '$doc'"
if ! grep -q '^<!-- figures:begin -->$' "$doc" || ! grep -q '^<!-- figures:end -->$' "$doc"; then
	die "$doc has no '<!-- figures:begin -->' ... '<!-- figures:end -->' block"
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
' "$doc" >"$new"
if [ $check = 1 ]; then
	cmp -s "$doc" "$new" || { echo "$doc figures differ from $fig (run scripts/readme-figures.sh)"; exit 1; }
	exit 0
fi
cat "$new" >"$doc"
echo "$doc: $(wc -l <"$fig") figures from $fig"
