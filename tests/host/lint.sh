#!/bin/sh
# User space builds warning-free with both gcc and clang (-Wall -Wextra
# -Werror, C11) and is cppcheck clean.
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1

for cc in gcc clang; do
	if ! command -v $cc >/dev/null; then
		fail "build with $cc" "$cc not installed (scripts/install-deps.sh)"
		continue
	fi
	if make -s BUILD="$T_TMP/$cc" CC=$cc all >"$T_TMP/$cc.log" 2>&1; then
		pass "build with $cc: no warnings"
	else
		fail "build with $cc: no warnings" "$(grep -m3 -E 'error|warning' "$T_TMP/$cc.log")"
	fi
done

if ! command -v cppcheck >/dev/null; then
	fail "cppcheck" "cppcheck not installed (scripts/install-deps.sh)"
	exit 0
fi
# Every user-space C file forklab has (BPF programs excluded: kernel side).
files=$(git ls-files '*.c' | grep -v '\.bpf\.c$' | grep -v '^kernel-patch/')
if cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	--std=c11 -D__x86_64__ -D_GNU_SOURCE --inline-suppr -Ibench -Ibpf -Itests/unit \
	--suppress=missingIncludeSystem $files >"$T_TMP/cppcheck.log" 2>&1; then
	pass "cppcheck clean ($(echo "$files" | wc -l) files)"
else
	fail "cppcheck clean" "$(head -c 400 "$T_TMP/cppcheck.log")"
fi
