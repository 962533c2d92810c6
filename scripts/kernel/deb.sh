#!/usr/bin/env bash
# forklab's kernel for bare metal: Debian's own 6.12 config + configs/kernel.config
# + kernel-patch/series, packaged with bindeb-pkg.
#
#   scripts/kernel/deb.sh check [--base FILE] [--objects "a.o b.o"]
#   scripts/kernel/deb.sh build [--base FILE] [--out DIR]
#   scripts/kernel/deb.sh config [--base FILE] [--out FILE]
#
#   check   what CI can afford (a few minutes): merge the fragment onto the base
#           config, fail if olddefconfig dropped any fragment option, then
#           compile the objects the patch series touches (its .c files, plus
#           mm/memory.o kernel/fork.o mm/mmap.o kernel/sys.o) with that config;
#           a compiler warning in them fails too.
#   build   make bindeb-pkg: linux-image/-headers/-libc-dev .debs into DIR
#           (default build/kernel-deb).  Hours on 2 cores.
#   config  only write the merged config (default build/kernel-deb/config).
#
#   --base FILE  base config (default /usr/src/linux-config-6.12/config.amd64_none_amd64.xz
#                from linux-config-6.12; /boot/config-$(uname -r) works too)
#
# Uses its own work tree ($FORKLAB_CACHE/kernel/work-deb), so it never waits
# for make kernel.  On failure the last line of output says why.
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
check|build|config) ;;
-h|--help|"") sed -n '2,24p' "$0"; [ -n "$cmd" ]; exit $? ;;
*) die "unknown command '$cmd' (check, build, config)" ;;
esac
base=${FORKLAB_DEB_BASE_CONFIG:-/usr/src/linux-config-6.12/config.amd64_none_amd64.xz}
objects="" out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--base) base=$2; shift 2 ;;
	--objects) objects=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
[ -f "$base" ] || die "base config $base not found (apt-get install linux-config-6.12, or --base /boot/config-\$(uname -r))"
need make gcc flex bison bc rsync git xz flock
FRAGMENT=$KROOT/configs/kernel.config
series_patches >/dev/null

lock deb
pristine=$(pristine_src)
work=$KCACHE/work-deb
src=$work/src obj=$work/obj
say "kernel $(src_version "$pristine") on $(basename "$base") + $(basename "$FRAGMENT"), work tree $work"
prepare_tree "$pristine" "$src"
mkdir -p "$obj"

# A distribution config may name certificate files that only exist in the
# distribution's own source package; a self-built kernel signs its modules
# with a key generated at build time instead.
base_fixed=$obj/.config.base
case "$base" in
*.xz) xz -dc "$base" >"$base_fixed" ;;
*) cp "$base" "$base_fixed" ;;
esac
sed -i -e 's|^CONFIG_SYSTEM_TRUSTED_KEYS=.*|CONFIG_SYSTEM_TRUSTED_KEYS=""|' \
	-e 's|^CONFIG_SYSTEM_REVOCATION_KEYS=.*|CONFIG_SYSTEM_REVOCATION_KEYS=""|' \
	-e 's|^CONFIG_MODULE_SIG_KEY=.*|CONFIG_MODULE_SIG_KEY="certs/signing_key.pem"|' "$base_fixed"
merge_config "$src" "$obj" "$base_fixed" "$FRAGMENT"
rm -f "$base_fixed"
say "merged config keeps all $(grep -cE '^(CONFIG_|# CONFIG_)' "$FRAGMENT") options of $(basename "$FRAGMENT")"

kmake() { run make -C "$src" O="$obj" -j"$JOBS" "$@"; }
log=$work/$cmd.log

case "$cmd" in
config)
	out=${out:-$KROOT/build/kernel-deb/config}
	mkdir -p "$(dirname "$out")"
	cp "$obj/.config" "$out"
	say "merged config: $out"
	;;
check)
	if [ -z "$objects" ]; then
		objects="mm/memory.o kernel/fork.o mm/mmap.o kernel/sys.o"
		# Plus every C file the series touches outside tools/ and Documentation/.
		while IFS= read -r p; do
			while IFS= read -r f; do
				case "$f" in tools/* | Documentation/* | scripts/* | samples/*) continue ;; esac
				objects="$objects ${f%.c}.o"
			done < <(sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$p")
		done < <(series_patches)
		objects=$(echo "$objects" | tr ' ' '\n' | awk 'NF && !seen[$0]++' | tr '\n' ' ')
	fi
	t0=$SECONDS
	# Force a recompile so warnings are seen every time, not only on the first.
	for o in $objects; do rm -f "$obj/$o"; done
	say "compiling with the merged config: $objects(log: $log)"
	# shellcheck disable=SC2086
	if ! kmake $objects >"$log" 2>&1; then
		tail -n 15 "$log" >&2
		die "patched tree does not compile with Debian's config + fragment: $(first_error "$log") (log: $log)"
	fi
	for o in $objects; do [ -f "$obj/$o" ] || die "$o was not built (not enabled by this config?)"; done
	if grep -q 'warning:' "$log"; then
		grep -B2 -A3 'warning:' "$log" | head -n 30 >&2
		die "compiler warning in a touched object: $(grep -m1 'warning:' "$log") (log: $log)"
	fi
	say "compiled ${objects}without warnings in $(fmt_secs $((SECONDS - t0)))"
	;;
build)
	out=${out:-$KROOT/build/kernel-deb}
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	t0=$SECONDS
	rm -f "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes
	say "make bindeb-pkg (-j$JOBS; hours on 2 CPUs; log: $log)"
	if ! kmake bindeb-pkg >"$log" 2>&1; then
		tail -n 15 "$log" >&2
		die "bindeb-pkg failed: $(first_error "$log") (log: $log)"
	fi
	debs=$(find "$work" -maxdepth 1 -name '*.deb')
	[ -n "$debs" ] || die "bindeb-pkg left no .deb in $work (log: $log)"
	# shellcheck disable=SC2086
	mv $debs "$out/"
	cp "$obj/.config" "$out/config"
	say "packages in $out after $(fmt_secs $((SECONDS - t0))):"
	printf '    %s\n' "$out"/*.deb
	;;
esac
