#!/bin/sh
# The documentation: README.md stays short (at most 300 lines); every
# relative link and image in README.md and docs/*.md resolves to a file, and
# every #anchor to a heading of its target; every repository path the README
# names in backticks or links exists; the figures block of docs/testing.md is
# what scripts/readme-figures.sh writes, and --check tells when it is stale.
# The checker (tests/tools/doccheck.py) must first catch a broken link, a
# broken anchor and a missing path in a document made to have them.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
DC="$FORKLAB_ROOT/tests/tools/doccheck.py"
MAX_README_LINES=300

if ! command -v python3 >/dev/null; then
	fail "docs" "python3 not installed (scripts/install-deps.sh)"
	exit 0
fi

# ---- the checker catches what it is for ----
mkdir -p "$T_TMP/canary/sub"
cat >"$T_TMP/canary/sub/other.md" <<'EOF'
# Other

## A `code` heading: with punctuation
EOF
cat >"$T_TMP/canary/canary.md" <<'EOF'
# Canary

[good file](sub/other.md), [good anchor](sub/other.md#a-code-heading-with-punctuation),
[good local anchor](#canary), `bench/` and `configs/matrix/*.conf` exist.
[broken link](sub/missing.md) and [broken anchor](sub/other.md#no-such-heading),
`scripts/no-such-script.sh --flag` is missing; `results/<date>/` is a placeholder.

    [in a code block](not/checked.md) `scripts/not-checked.sh`
EOF
"$DC" links "$T_TMP/canary/canary.md" >"$T_TMP/links.out" 2>&1
"$DC" paths --root "$FORKLAB_ROOT" "$T_TMP/canary/canary.md" >"$T_TMP/paths.out" 2>&1
found=$(cat "$T_TMP/links.out" "$T_TMP/paths.out")
if [ "$(echo "$found" | grep -c .)" = 3 ] &&
	echo "$found" | grep -q "canary.md:5: link to 'sub/missing.md': no such file" &&
	echo "$found" | grep -q "canary.md:5: link to 'sub/other.md#no-such-heading': no heading" &&
	echo "$found" | grep -q "canary.md:6: 'scripts/no-such-script.sh' does not exist"; then
	pass "doccheck.py catches a broken link, a broken anchor and a missing path, nothing else"
else
	fail "doccheck.py catches a broken link, a broken anchor and a missing path, nothing else" \
		"it reported: $(echo "$found" | tr '\n' ' ')"
fi

# ---- the documentation itself ----
n=$(wc -l <README.md)
check_le "README.md is at most $MAX_README_LINES lines ($n)" "$n" "$MAX_README_LINES"

docs=$(ls docs/*.md 2>/dev/null)
if [ -z "$docs" ]; then
	fail "docs/*.md exist" "no markdown files in docs/"
fi
# shellcheck disable=SC2086 # one argument per file name (no spaces in docs/)
if out=$("$DC" links README.md $docs 2>&1); then
	pass "every relative link and anchor in README.md and docs/*.md resolves ($(echo README.md $docs | wc -w) files)"
else
	fail "every relative link and anchor in README.md and docs/*.md resolves" "$(echo "$out" | head -n 5 | tr '\n' ' ')"
fi
if out=$("$DC" paths --root "$FORKLAB_ROOT" README.md 2>&1); then
	pass "every repository path README.md names exists"
else
	fail "every repository path README.md names exists" "$(echo "$out" | head -n 5 | tr '\n' ' ')"
fi

# ---- the figures block: rewritten by scripts/readme-figures.sh ----
# The table's rows back into figures.txt lines (key, value, words, source):
# readme-figures.sh must reproduce the block exactly from them.
doc=docs/testing.md
if [ "$(grep -c '^<!-- figures:begin -->$' "$doc")" != 1 ] || [ "$(grep -c '^<!-- figures:end -->$' "$doc")" != 1 ]; then
	fail "$doc has one figures block" "expected one '<!-- figures:begin -->' and one '<!-- figures:end -->' line"
	exit 0
fi
cp "$doc" "$T_TMP/testing.md"
# shellcheck disable=SC2016 # the backticks are the table's, not a command
sed -n '/^<!-- figures:begin -->$/,/^<!-- figures:end -->$/p' "$doc" |
	sed -n 's/^| `\([^`]*\)` | \([^ |]*\) \(.*\) | \([^|]*\) |$/\1\t\2\t\3\t\4/p' >"$T_TMP/figures.txt"
rows=$(wc -l <"$T_TMP/figures.txt")
check_ge "$doc's figures block has figures ($rows)" "$rows" 1
if scripts/readme-figures.sh --check "$T_TMP/figures.txt" "$T_TMP/testing.md" >"$T_TMP/out" 2>&1; then
	pass "readme-figures.sh --check: the block is what it writes from its own rows"
else
	fail "readme-figures.sh --check: the block is what it writes from its own rows" "$(head -c 300 "$T_TMP/out")"
fi
# One figure changes: --check says so (exit 1), a rewrite puts it in the table.
sed '1s/\t[^\t]*\t/\t999999\t/' "$T_TMP/figures.txt" >"$T_TMP/figures2.txt"
key=$(head -n 1 "$T_TMP/figures.txt" | cut -f 1)
scripts/readme-figures.sh --check "$T_TMP/figures2.txt" "$T_TMP/testing.md" >"$T_TMP/out" 2>&1
check_eq "readme-figures.sh --check exits 1 when a figure changed" 1 $?
if scripts/readme-figures.sh "$T_TMP/figures2.txt" "$T_TMP/testing.md" >"$T_TMP/out" 2>&1 &&
	grep -q "^| \`$key\` | 999999 " "$T_TMP/testing.md" &&
	[ "$(wc -l <"$T_TMP/testing.md")" = "$(wc -l <"$doc")" ] &&
	scripts/readme-figures.sh --check "$T_TMP/figures2.txt" "$T_TMP/testing.md" >/dev/null 2>&1; then
	pass "readme-figures.sh rewrites the figure in place, and --check is then content"
else
	fail "readme-figures.sh rewrites the figure in place" "$(head -c 300 "$T_TMP/out")"
fi
expect_fail "readme-figures.sh: a document without the block" 2 "has no '<!-- figures:begin -->'" -- \
	scripts/readme-figures.sh --check "$T_TMP/figures.txt" README.md
