#!/usr/bin/env bash
# VM tier: a broken kernel fails fast and says why on its last line of output.
#   kernel-fail/missing-patch        series names a file that does not exist
#   kernel-fail/patch-does-not-apply a patch that does not apply is named
#   kernel-fail/config-option-dropped  a fragment option olddefconfig drops is listed
#   kernel-fail/build-error          a compile error is quoted (file and message)
#   vm-fail/guest-panic              a guest kernel panic is reported, not waited out
#   vm-fail/guest-hang               a hung guest is killed at the timeout
#   vm-fail/no-stray-qemu            ... and no QEMU process is left behind
#   vm/guest-command-status          a guest command's exit status comes back
#   vm/guest-9p-results              files the guest writes land in the results folder
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
last() { grep -v '^[[:space:]]*$' "$1" | tail -n 1; }

# expect_last NAME PATTERN -- CMD...: CMD fails and its last line matches PATTERN.
expect_last() {
	local name=$1 pat=$2 rc=0
	shift 3
	"$@" >"$T_TMP/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		fail "$name" "succeeded, expected a failure"
	elif last "$T_TMP/out" | grep -Eq -- "$pat"; then
		pass "$name"
		echo "# $name: $(last "$T_TMP/out" | cut -c1-220)"
	else
		fail "$name" "last line '$(last "$T_TMP/out" | cut -c1-200)' does not match /$pat/"
	fi
}

printf 'nothere.patch\n' >"$T_TMP/series-missing"
expect_last kernel-fail/missing-patch 'names nothere.patch, which does not exist' -- \
	scripts/kernel/build.sh --series "$T_TMP/series-missing"

cat >"$T_TMP/0001-broken.patch" <<'P'
diff --git a/mm/memory.c b/mm/memory.c
--- a/mm/memory.c
+++ b/mm/memory.c
@@ -1,2 +1,2 @@
-this line is not in mm/memory.c
+and neither is this one
 nor this
P
printf '# comment\n0001-broken.patch\n' >"$T_TMP/series"
expect_last kernel-fail/patch-does-not-apply '0001-broken.patch does not apply to linux 6\.12.*mm/memory.c' -- \
	scripts/kernel/build.sh --series "$T_TMP/series"

printf 'CONFIG_KPROBES=y\nCONFIG_GUP_TEST=y\n# CONFIG_DEBUG_FS is not set\n' >"$T_TMP/bad.config"
expect_last kernel-fail/config-option-dropped 'dropped or changed.*CONFIG_GUP_TEST=y \(got n\)' -- \
	scripts/kernel/config.sh "$T_TMP/bad.config"

# A patch that applies but does not compile, on top of the real series (so
# the work tree differs from the real build in one leaf file only, and
# neither this build nor the next real one recompiles more than that).
if pristine=$(bash -c '. scripts/kernel/lib.sh && pristine_src' 2>"$T_TMP/err"); then
	mkdir -p "$T_TMP/a" "$T_TMP/b" "$T_TMP/kp"
	cp "$pristine/kernel/configs.c" "$T_TMP/a/configs.c"
	{ echo '#error "forklab test: deliberate build failure"'; cat "$T_TMP/a/configs.c"; } >"$T_TMP/b/configs.c"
	(cd "$T_TMP" && diff -u --label a/kernel/configs.c --label b/kernel/configs.c \
		a/configs.c b/configs.c) >"$T_TMP/kp/zz-build-error.patch"
	for p in kernel-patch/*.patch; do
		[ ! -e "$p" ] || ln -s "$FORKLAB_ROOT/$p" "$T_TMP/kp/"
	done
	{ cat kernel-patch/series; echo zz-build-error.patch; } >"$T_TMP/kp/series"
	expect_last kernel-fail/build-error 'kernel build failed: .*kernel/configs.c.*deliberate build failure' -- \
		scripts/kernel/build.sh --series "$T_TMP/kp/series"
else
	fail kernel-fail/build-error "no pristine source: $(tail -n 1 "$T_TMP/err")"
fi

# The guest side needs the stock kernel and an initramfs.
if ! make --no-print-directory kernel initramfs >"$T_TMP/make.log" 2>&1; then
	fail vm-fail/setup "make kernel initramfs: $(last "$T_TMP/make.log")"
	exit 0
fi
vm=(scripts/kernel/vm-run.sh --accel tcg)
expect_last vm-fail/guest-panic 'guest kernel panic after .*Kernel panic - not syncing' -- \
	"${vm[@]}" --mode panic --timeout 300 --out "$T_TMP/panic"

t0=$SECONDS
expect_last vm-fail/guest-hang 'guest timed out after 20s and was killed' -- \
	"${vm[@]}" --mode hang --timeout 20 --out "$T_TMP/hang"
echo "# hang detected after $((SECONDS - t0)) s"
if pgrep -f -- "$T_TMP/hang" >/dev/null; then
	fail vm-fail/no-stray-qemu "a process still runs with $T_TMP/hang: $(pgrep -af -- "$T_TMP/hang" | head -n 1)"
else
	pass vm-fail/no-stray-qemu
fi

expect_last vm/guest-command-status 'guest command failed with status 3' -- \
	"${vm[@]}" --timeout 300 --out "$T_TMP/cmd" -- sh -c 'exit 3'

rc=0
# shellcheck disable=SC2016 # $FORKLAB_OUT is the guest's, expanded there
"${vm[@]}" --timeout 300 --out "$T_TMP/ninep" -- \
	sh -c 'uname -r >"$FORKLAB_OUT/release.txt"' >"$T_TMP/out" 2>&1 || rc=$?
if [ "$rc" = 0 ] && [ "$(cat "$T_TMP/ninep/release.txt" 2>/dev/null)" = "$(cat build/kernel/kernel.release)" ]; then
	pass vm/guest-9p-results
else
	fail vm/guest-9p-results "exit $rc, release.txt '$(cat "$T_TMP/ninep/release.txt" 2>/dev/null)': $(last "$T_TMP/out")"
fi
