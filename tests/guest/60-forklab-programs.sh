#!/bin/sh
# In-guest: forklab's statically linked programs (forkbench, cowtrace) run
# unchanged in the guest,
# and forkbench's metadata names the virtualization, both from FORKLAB_VIRT
# and from its own CPUID detection.
. "$(dirname "$0")/../lib.sh"

# The public programs (docs/design.md); other files in build/static are helpers
# of particular guest tests with their own command lines.
for name in forkbench cowtrace; do
	p=$FORKLAB_BUILD/$name
	if [ ! -x "$p" ]; then
		fail "programs/$name-help" "no $name in build/static (make static)"
	elif "$p" --help >"$T_TMP/out" 2>&1; then
		pass "programs/$name-help"
	else
		fail "programs/$name-help" "exit $?: $(tail -n 1 "$T_TMP/out")"
	fi
done

if [ -x "$FB" ]; then
	"$FB" metadata >"$T_TMP/meta.json" 2>"$T_TMP/err"
	v=$(sed -n 's/.*"virtualization": *"\([^"]*\)".*/\1/p' "$T_TMP/meta.json")
	check_eq programs/forkbench-metadata-virtualization "$FORKLAB_VIRT" "$v"
	env -u FORKLAB_VIRT "$FB" metadata >"$T_TMP/meta.json" 2>"$T_TMP/err"
	v=$(sed -n 's/.*"virtualization": *"\([^"]*\)".*/\1/p' "$T_TMP/meta.json")
	check_eq programs/forkbench-detects-virtualization "$FORKLAB_VIRT" "$v"
else
	fail programs/forkbench-metadata "no forkbench in build/static (make static)"
fi
