#!/bin/sh
# forkbench --version: one line with the git revision it was built from and
# the libbpf it links, exit 0; the revision is the one its metadata records.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

out=$("$FB" --version 2>"$T_TMP/err")
rc=$?
check_eq "forkbench --version: exit 0, nothing on stderr" "0:" "$rc:$(cat "$T_TMP/err")"
check_eq "forkbench --version: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
rev=$(printf '%s\n' "$out" | sed -n 's/^forkbench (forklab) \([^ ,]*\), libbpf v[0-9][0-9]*\.[0-9][0-9]*$/\1/p')
if [ -z "$rev" ]; then
	fail "forkbench --version: 'forkbench (forklab) REV, libbpf vX.Y'" "got '$out'"
else
	pass "forkbench --version: 'forkbench (forklab) REV, libbpf vX.Y' ($out)"
fi

# The revision is a commit of this repository (a -dirty build: of its parent).
if [ -n "$rev" ] && git -C "$FORKLAB_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	if git -C "$FORKLAB_ROOT" cat-file -e "${rev%-dirty}^{commit}" 2>/dev/null; then
		pass "forkbench --version: revision $rev is a commit of the repository"
	else
		fail "forkbench --version: revision is a commit of the repository" "no commit '$rev'"
	fi
else
	skip "forkbench --version: revision is a commit" "no git repository at $FORKLAB_ROOT"
fi

# The libbpf version is the installed library's (Debian: libbpf1 1:X.Y.Z-N).
pkg=$(dpkg-query -W -f '${Version}' libbpf1 2>/dev/null | sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9]*\.[0-9]*\).*/v\2/p')
if [ -z "$pkg" ]; then
	skip "forkbench --version: libbpf version is the installed one" "no libbpf1 package"
else
	case "$out" in
	*", libbpf $pkg") pass "forkbench --version: libbpf $pkg, the installed one" ;;
	*) fail "forkbench --version: libbpf version is the installed one" "package $pkg, got '$out'" ;;
	esac
fi

meta=$("$FB" metadata | python3 -c 'import json,sys; print(json.load(sys.stdin)["forklab_git"])')
check_eq "forkbench --version: the revision the metadata records" "$rev" "$meta"
