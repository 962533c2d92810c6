#!/usr/bin/env bash
# forklab's kernel for bare metal: a base config + configs/kernel.config
# + kernel-patch/series, packaged with bindeb-pkg (linux-image, linux-headers,
# linux-libc-dev .debs, as a bare-metal user builds them).
#
#   scripts/kernel/deb.sh check  [--config C] [--base FILE] [--objects "a.o b.o"]
#   scripts/kernel/deb.sh build  [--config C] [--base FILE] [--out DIR] [--force]
#   scripts/kernel/deb.sh config [--config C] [--base FILE] [--out FILE]
#
#   check   what CI can afford (a few minutes): merge the fragment onto the base
#           config, fail if olddefconfig dropped any fragment option, then
#           compile the objects the patch series touches (its .c files, plus
#           mm/memory.o kernel/fork.o mm/mmap.o kernel/sys.o) with that config;
#           a compiler warning in them fails too.
#   build   make bindeb-pkg: the .debs into DIR (default build/kernel-deb), cached
#           in $FORKLAB_CACHE/kernel/deb-<config>-<key>/ by everything they
#           depend on (--force rebuilds).  Ends with what Secure Boot needs.
#   config  only write the merged config (default build/kernel-deb/config).
#
#   --config C   debian   Debian's own 6.12 config (default; for real hardware):
#                         /usr/src/linux-config-6.12/config.amd64_none_amd64.xz
#                running  this machine's: /boot/config-$(uname -r), else /proc/config.gz
#                fast     tinyconfig + kernel-qemu.config + kernel-deb-fast.config:
#                         boots Debian 12 on a virtio disk under QEMU, nothing more
#   --base FILE  another base config file (debian and running only)
#
# Each config has its own work tree ($FORKLAB_CACHE/kernel/work-deb[-C]), so
# it never waits for make kernel or another config.  On failure the last line
# of output says why.
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
check|build|config) ;;
-h|--help|"") sed -n '2,29p' "$0"; [ -n "$cmd" ]; exit $? ;;
*) die "unknown command '$cmd' (check, build, config)" ;;
esac
flavour=${FORKLAB_DEB_CONFIG:-debian} base="" objects="" out="" force=0
while [ $# -gt 0 ]; do
	case "$1" in
	--config) [ $# -ge 2 ] || die "--config needs debian, running or fast"; flavour=$2; shift 2 ;;
	--base) [ $# -ge 2 ] || die "--base needs a FILE"; base=$2; shift 2 ;;
	--objects) [ $# -ge 2 ] || die "--objects needs a list"; objects=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a DIR"; out=$2; shift 2 ;;
	--force) force=1; shift ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
FRAGMENTS=("$KROOT/configs/kernel.config")
case "$flavour" in
debian)
	: "${base:=${FORKLAB_DEB_BASE_CONFIG:-/usr/src/linux-config-6.12/config.amd64_none_amd64.xz}}"
	[ -f "$base" ] || die "base config $base not found (apt-get install linux-config-6.12, or --base /boot/config-\$(uname -r))"
	work=$KCACHE/work-deb
	;;
running)
	if [ -z "$base" ]; then
		base=/boot/config-$(uname -r)
		[ -f "$base" ] || [ ! -r /proc/config.gz ] || base=/proc/config.gz
	fi
	[ -f "$base" ] || die "no config of the running kernel: neither /boot/config-$(uname -r) nor /proc/config.gz (--base FILE names one)"
	work=$KCACHE/work-deb-running
	;;
fast)
	[ -z "$base" ] || die "--base '$base': the fast config starts from tinyconfig (--base is for debian and running)"
	base=tinyconfig
	FRAGMENTS+=("$KROOT/configs/kernel-qemu.config" "$KROOT/configs/kernel-deb-fast.config")
	work=$KCACHE/work-deb-fast
	;;
*) die "--config: '$flavour' is not debian, running or fast" ;;
esac
for f in "${FRAGMENTS[@]}"; do [ -f "$f" ] || die "missing config fragment $f"; done
need make gcc flex bison bc rsync git xz flock
[ "$cmd" != build ] || need dpkg-buildpackage fakeroot
series_patches >/dev/null

# The base config as a file (.xz and .gz read too), with the certificate
# files a distribution config names but only its own source package has: a
# self-built kernel signs its modules with a key generated at build time.
# read_base OUT (tinyconfig: nothing to read).
read_base() {
	case "$base" in
	tinyconfig) return 0 ;;
	*.xz) xz -dc "$base" >"$1" ;;
	*.gz) gzip -dc "$base" >"$1" ;;
	*) cp "$base" "$1" ;;
	esac || die "cannot read base config $base"
	sed -i -e 's|^CONFIG_SYSTEM_TRUSTED_KEYS=.*|CONFIG_SYSTEM_TRUSTED_KEYS=""|' \
		-e 's|^CONFIG_SYSTEM_REVOCATION_KEYS=.*|CONFIG_SYSTEM_REVOCATION_KEYS=""|' \
		-e 's|^CONFIG_MODULE_SIG_KEY=.*|CONFIG_MODULE_SIG_KEY="certs/signing_key.pem"|' "$1"
}

# The packages depend on the source, the series, the base config, the
# fragments, these scripts and the compilers.
deb_key() {
	local tmp
	tmp=$(mktemp)
	read_base "$tmp"
	{
		echo "forklab kernel-deb v1 ($flavour)"
		tarball_sha
		series_patches | while IFS= read -r p; do
			basename "$p"
			sha256sum <"$p"
		done
		[ "$base" != tinyconfig ] || echo tinyconfig
		cat "$tmp" "${FRAGMENTS[@]}"
		cat "$KROOT/scripts/kernel/deb.sh" "$KROOT/scripts/kernel/lib.sh"
		gcc --version | head -n 1
		pahole --version 2>/dev/null || true
	} | sha256sum | cut -c1-16
	rm -f "$tmp"
}

# secure_boot_note: what a user with Secure Boot on must do.
secure_boot_note() {
	cat <<'NOTE'
  Secure Boot: these packages are not signed.  With Secure Boot on, the
  firmware (shim) refuses the kernel: either turn Secure Boot off in the
  firmware setup, or sign vmlinuz with a key of your own (sbsign) and enrol
  it with mokutil --import (MOK), then reboot and confirm the enrolment.
NOTE
}

if [ "$cmd" = build ]; then
	key=$(deb_key)
	entry=$KCACHE/deb-$flavour-$key
	out=${out:-$KROOT/build/kernel-deb}
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	if [ "$force" = 0 ] && [ -f "$entry/info" ]; then
		touch "$entry"
		rm -f "$out"/*.deb
		cp "$entry"/*.deb "$entry/config" "$out/"
		say "packages of the $flavour config cached: $entry"
		printf '    %s\n' "$out"/*.deb
		secure_boot_note
		exit 0
	fi
fi

lock "deb${work#"$KCACHE"/work-deb}"
pristine=$(pristine_src)
src=$work/src obj=$work/obj
say "kernel $(src_version "$pristine") on $(basename "$base") + ${FRAGMENTS[*]##*/}, work tree $work"
prepare_tree "$pristine" "$src"
mkdir -p "$obj"
if [ "$base" = tinyconfig ]; then
	merge_config "$src" "$obj" tinyconfig "${FRAGMENTS[@]}"
else
	base_fixed=$obj/.config.base
	read_base "$base_fixed"
	merge_config "$src" "$obj" "$base_fixed" "${FRAGMENTS[@]}"
	rm -f "$base_fixed"
fi
say "merged config keeps all $(cat "${FRAGMENTS[@]}" | grep -cE '^(CONFIG_|# CONFIG_)') options of ${FRAGMENTS[*]##*/}"

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
		die "patched tree does not compile with the $flavour config + fragment: $(first_error "$log") (log: $log)"
	fi
	for o in $objects; do [ -f "$obj/$o" ] || die "$o was not built (not enabled by this config?)"; done
	if grep -q 'warning:' "$log"; then
		grep -B2 -A3 'warning:' "$log" | head -n 30 >&2
		die "compiler warning in a touched object: $(grep -m1 'warning:' "$log") (log: $log)"
	fi
	say "compiled ${objects}without warnings in $(fmt_secs $((SECONDS - t0)))"
	;;
build)
	t0=$SECONDS
	rm -f "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes
	say "make bindeb-pkg (-j$JOBS; log: $log)"
	# No linux-image-*-dbg package: it copies the whole vmlinux with its
	# debug information (gigabytes on Debian's config) and nothing uses it.
	if ! DEB_BUILD_PROFILES=pkg.linux-upstream.nokerneldbg kmake bindeb-pkg >"$log" 2>&1; then
		tail -n 15 "$log" >&2
		die "bindeb-pkg failed: $(first_error "$log") (log: $log)"
	fi
	debs=$(find "$work" -maxdepth 1 -name '*.deb')
	[ -n "$debs" ] || die "bindeb-pkg left no .deb in $work (log: $log)"
	secs=$((SECONDS - t0))
	stage=$(mktemp -d "$KCACHE/.stage-deb.XXXXXX")
	# shellcheck disable=SC2086
	mv $debs "$stage/"
	cp "$obj/.config" "$stage/config"
	cp "$log" "$stage/build.log"
	{
		echo "release=$(cat "$obj/include/config/kernel.release")"
		echo "config=$flavour (base $base, fragments ${FRAGMENTS[*]##*/})"
		echo "key=$key"
		echo "patches=$(series_patches | xargs -r -n1 basename | tr '\n' ' ')"
		echo "compiler=$(gcc --version | head -n 1)"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in ${secs}s with -j$JOBS on $(nproc) CPUs"
	} >"$stage/info"
	rm -rf "$entry"
	mv "$stage" "$entry"
	chmod 755 "$entry"
	# Keep the two most recently used package sets of each config.
	find "$KCACHE" -mindepth 1 -maxdepth 1 -type d -name "deb-$flavour-*" -printf '%T@ %p\n' |
		sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -rf
	rm -f "$out"/*.deb
	cp "$entry"/*.deb "$entry/config" "$out/"
	say "packages of the $flavour config built in $(fmt_secs "$secs") (cached: $entry):"
	printf '    %s\n' "$out"/*.deb
	secure_boot_note
	;;
esac
