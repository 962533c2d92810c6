#!/usr/bin/env bash
# Rewrite the README's figures block from what the tests printed.
#
#   scripts/readme-figures.sh [--check] [FIGURES]
#
# FIGURES (default build/test-logs/figures.txt) holds "key value words..."
# lines that tests/run.sh collected from "FIGURE:" lines.  The block between
# "<!-- figures:begin -->" and "<!-- figures:end -->" in README.md becomes a
# table of them, in key order.  --check: exit 1 if the README differs.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
fig=${1:-build/test-logs/figures.txt}
die() { echo "readme-figures: $*" >&2; exit 2; }
[ -s "$fig" ] || die "no figures in '$fig' (run make test first)"
grep -q '^<!-- figures:begin -->$' README.md && grep -q '^<!-- figures:end -->$' README.md ||
	die "README.md has no '<!-- figures:begin -->' ... '<!-- figures:end -->' block"

table=$(mktemp) new=$(mktemp)
trap 'rm -f "$table" "$new"' EXIT
{
	run=$(sed -n 's/^_run //p' "$fig")
	[ -z "$run" ] || printf 'From `make test`, %s.\n\n' "$run"
	printf '| Figure | Value |\n|---|---:|\n'
	grep -v '^_run ' "$fig" | sort | while read -r key value words; do
		printf '| %s | %s |\n' "${words:-$key}" "$value"
	done
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
echo "README.md: $(grep -vc '^_run ' "$fig") figures from $fig"
