#!/bin/sh
# User space builds warning-free with both gcc and clang (-Wall -Wextra
# -Werror, C11), is cppcheck clean, and clang-tidy clean (.clang-tidy:
# bugprone-*, cert-*, clang-analyzer-*, performance-*, minus the noisy ones);
# every shell script is shellcheck clean (.shellcheckrc).
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

# Every user-space C file forklab has (BPF programs excluded: kernel side).
files=$(git ls-files '*.c' | grep -v '\.bpf\.c$' | grep -v '^kernel-patch/')
if ! command -v cppcheck >/dev/null; then
	fail "cppcheck" "cppcheck not installed (scripts/install-deps.sh)"
elif printf '%s\n' "$files" | xargs -d '\n' cppcheck --quiet --error-exitcode=1 \
	--enable=warning,portability,performance --std=c11 -D__x86_64__ -D_GNU_SOURCE --inline-suppr \
	-Ilib -Ibench -Ibpf -Itests/unit --suppress=missingIncludeSystem >"$T_TMP/cppcheck.log" 2>&1; then
	pass "cppcheck clean ($(echo "$files" | wc -l) files)"
else
	fail "cppcheck clean" "$(head -c 400 "$T_TMP/cppcheck.log")"
fi

# Every shell script forklab has: *.sh, and the files without an extension
# whose first line runs sh, bash or busybox sh (scripts/kernel/guest-init,
# .ci/run).  Run records under results/ are kept as they were written and
# are left out.  Sourced files follow from the script's folder and any
# finding, style included, fails (.shellcheckrc).
sh_files=$(git ls-files | grep -v '^results/' | while IFS= read -r f; do
	case "${f##*/}" in
	*.sh) echo "$f" ;;
	*.*) ;;
	*) head -n 1 "$f" | grep -Eq '^#! *(/usr)?/bin/(env +)?(sh|bash|dash|busybox +sh)( |$)' && echo "$f" ;;
	esac
done)
if ! command -v shellcheck >/dev/null; then
	fail "shellcheck" "shellcheck not installed (scripts/install-deps.sh)"
else
	# A canary with one known finding shows shellcheck reports what it finds.
	cat >"$T_TMP/sc_canary.sh" <<'SH'
#!/bin/sh
echo $1
SH
	printf '%s\n' "$sh_files" | xargs -d '\n' shellcheck -f gcc >"$T_TMP/shellcheck.log" 2>&1
	rc=$?
	if ! shellcheck -f gcc "$T_TMP/sc_canary.sh" 2>&1 | grep -q 'sc_canary.sh:2:.*SC2086'; then
		fail "shellcheck clean" "shellcheck did not flag its canary: $(shellcheck -f gcc "$T_TMP/sc_canary.sh" 2>&1 | head -c 300)"
	elif [ "$rc" = 0 ] && [ ! -s "$T_TMP/shellcheck.log" ]; then
		pass "shellcheck clean ($(echo "$sh_files" | wc -l) scripts)"
	else
		fail "shellcheck clean" "$(grep -c . "$T_TMP/shellcheck.log") findings (exit $rc): $(head -n 3 "$T_TMP/shellcheck.log" | tr '\n' ' ')"
	fi
fi

# clang-tidy on lib/, forkbench, cowtrace (user space), their tests and the fuzz
# targets.  Findings in the generated BPF skeleton (build/bpf/*.skel.h) are
# not forklab's code and are left out.
if ! command -v clang-tidy >/dev/null; then
	fail "clang-tidy" "clang-tidy not installed (scripts/install-deps.sh)"
	exit 0
fi
if [ ! -f "$FORKLAB_BUILD/bpf/cowtrace.skel.h" ]; then
	fail "clang-tidy" "no $FORKLAB_BUILD/bpf/cowtrace.skel.h (run make first)"
	exit 0
fi
tidy_files=$(git ls-files 'lib/*.c' 'bench/*.c' 'bpf/*.c' 'bpf/tests/*.c' 'tests/unit/*.c' 'tests/fuzz/*.c' |
	grep -v '\.bpf\.c$')
# A canary with one known finding shows clang-tidy ran with these checks.
printf '#include <string.h>\nint f(const char *a, const char *b) { if (strcmp(a, b)) return 1; return 0; }\n' \
	>"$T_TMP/tidy_canary.c"
cp .clang-tidy "$T_TMP/"
# one file per clang-tidy, two at a time
# shellcheck disable=SC2016 # $1..$3 belong to the inner sh
{ printf '%s\n' "$tidy_files"; echo "$T_TMP/tidy_canary.c"; } | xargs -P 2 -I{} sh -c 'clang-tidy --quiet "$1" -- -std=c11 -D_GNU_SOURCE \
	-Ilib -Ibench -Ibpf -I"$2/bpf" -Itests/unit >"$3/tidy.$(echo "$1" | tr / _).log" 2>&1' \
	sh {} "$FORKLAB_BUILD" "$T_TMP"
cat "$T_TMP"/tidy.*.log >"$T_TMP/tidy.log"
grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$T_TMP/tidy.log" |
	grep -Ev '(^|/)bpf/[a-z_]+\.skel\.h:|tidy_canary\.c:' >"$T_TMP/tidy.findings"
n=$(wc -l <"$T_TMP/tidy.findings")
if ! grep -q 'tidy_canary.c:2:.*bugprone-suspicious-string-compare' "$T_TMP/tidy.log"; then
	fail "clang-tidy clean" "clang-tidy did not flag its canary: $(head -c 300 "$T_TMP/tidy.log")"
elif [ "$n" = 0 ]; then
	pass "clang-tidy clean ($(echo "$tidy_files" | wc -l) files)"
else
	fail "clang-tidy clean" "$n findings: $(head -n 3 "$T_TMP/tidy.findings" | tr '\n' ' ')"
fi
