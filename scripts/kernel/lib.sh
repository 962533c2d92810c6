# forklab kernel pipeline: helpers shared by scripts/kernel/*.sh (bash).
#
# Layout of the cache (FORKLAB_CACHE, default /var/cache/forklab):
#   kernel/src-<tarball sha>/          pristine extracted source, read-only
#   kernel/work-<flavour>/src          patched source tree (restored + patched per build)
#   kernel/work-<flavour>/obj          kbuild output (O=), reused: incremental rebuilds
#   kernel/<release>-<key>/            one finished build: bzImage, vmlinux, ... (the cache)
#   kernel/.lock-<flavour>             flock held while a work tree is in use
#
# The key hashes everything the build depends on: the source tarball, the
# patches named by kernel-patch/series (names and contents, in order), the
# config fragments, these scripts, gcc and pahole versions.
# shellcheck shell=bash

KROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KTARBALL=${FORKLAB_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
KSERIES=${FORKLAB_KERNEL_SERIES:-$KROOT/kernel-patch/series}
if [ -z "${FORKLAB_CACHE:-}" ]; then
	if [ -w /var/cache ] || [ -w /var/cache/forklab ]; then
		FORKLAB_CACHE=/var/cache/forklab
	else
		FORKLAB_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/forklab
	fi
fi
KCACHE=$FORKLAB_CACHE/kernel
JOBS=${JOBS:-$(nproc)}
PROG=$(basename "$0")
V=${V:-0}

# die MESSAGE: the reason, as the last line of output.
die() {
	echo "$PROG: $*" >&2
	exit 1
}
say() { echo "  $*"; }
# run CMD...: run a command, echoing it first when V=1.
run() {
	if [ "$V" = 1 ]; then
		printf '+ %s\n' "$*" >&2
	fi
	"$@"
}
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found (run scripts/install-deps.sh)"
	done
}
fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# lock NAME: hold an exclusive lock on the cache entry family NAME until exit.
lock() {
	mkdir -p "$KCACHE"
	exec {LOCK_FD}>"$KCACHE/.lock-$1"
	if ! flock -n "$LOCK_FD"; then
		say "waiting for another forklab kernel build ($KCACHE/.lock-$1)"
		flock -w "${FORKLAB_LOCK_WAIT:-7200}" "$LOCK_FD" ||
			die "gave up waiting for $KCACHE/.lock-$1"
	fi
}

# series_patches: print the absolute path of every patch named by the series
# file, in order (blank lines and '#' comments ignored).
series_patches() {
	local dir line series
	[ -f "$KSERIES" ] || return 0
	dir=$(dirname "$KSERIES") series=$(basename "$KSERIES")
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=$(echo "$line" | tr -d '[:space:]')
		[ -n "$line" ] || continue
		[ -f "$dir/$line" ] ||
			die "$series names $line, which does not exist in $dir"
		echo "$dir/$line"
	done <"$KSERIES"
}

tarball_sha() {
	[ -r "$KTARBALL" ] ||
		die "$KTARBALL not found (apt-get install linux-source-6.12, or scripts/install-deps.sh)"
	# Hashing 150 MB each call costs ~0.5 s; remember it by size + mtime.
	local stamp memo
	stamp=$(stat -c '%s-%Y' "$KTARBALL")
	memo=$KCACHE/.tarball-sha-$(basename "$KTARBALL")-$stamp
	if [ ! -s "$memo" ]; then
		mkdir -p "$KCACHE"
		sha256sum "$KTARBALL" | cut -c1-16 >"$memo.tmp.$$"
		mv "$memo.tmp.$$" "$memo"
	fi
	cat "$memo"
}

# pristine_src: extract the tarball once; print the directory.
pristine_src() {
	local sha dir tmp
	sha=$(tarball_sha)
	dir=$KCACHE/src-$sha
	if [ ! -f "$dir/Makefile" ]; then
		local fd
		exec {fd}>"$KCACHE/.lock-extract"
		flock "$fd"
	fi
	if [ ! -f "$dir/Makefile" ]; then
		say "extracting $(basename "$KTARBALL")" >&2
		tmp=$(mktemp -d "$KCACHE/.extract.XXXXXX")
		run tar -xf "$KTARBALL" -C "$tmp" ||
			{ rm -rf "$tmp"; die "cannot extract $KTARBALL"; }
		local top
		top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
		[ -f "$top/Makefile" ] || { rm -rf "$tmp"; die "$KTARBALL holds no kernel tree"; }
		rm -rf "$dir"
		mv "$top" "$dir"
		rm -rf "$tmp"
	fi
	echo "$dir"
}

# src_version DIR: 6.12.117
src_version() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	     END{print v "." p "." s}' "$1/Makefile"
}

# series_files: every path the series' patches name (git and plain unified
# diffs), one per line, sorted.
series_files() {
	local p
	while IFS= read -r p; do
		sed -n -e 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' \
			-e 's|^--- a/\([^[:space:]]*\).*|\1|p' \
			-e 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"
	done < <(series_patches) | sort -u
}

# prepare_tree PRISTINE WORKSRC: make WORKSRC the pristine tree with the
# series applied, rewriting only files whose content must change.
#
# The series is applied (git apply) to a copy of just the files it touches;
# a patch that does not apply stops here, naming it, with the work tree left
# alone.  Then rsync --checksum (without --times) brings the work tree to
# pristine + that overlay: a file is rewritten, and gets the current time,
# only if its content differs.  So mtimes never go back, every content
# change moves one forward, and kbuild rebuilds exactly what changed since
# the last build -- nothing when the series is the same.
prepare_tree() {
	local pristine=$1 src=$2 p name err f
	local ov=$src.overlay
	rm -rf "$ov"
	mkdir -p "$ov/tree" "$src"
	series_files >"$ov/files"
	while IFS= read -r f; do
		[ ! -e "$pristine/$f" ] || (cd "$pristine" && cp --parents -p -- "$f" "$ov/tree/")
		echo "/$f" >>"$ov/exclude"
	done <"$ov/files"
	: >>"$ov/exclude"
	while IFS= read -r p; do
		name=${p#"$KROOT"/}
		# Never let git find a repository above the tree (e.g. the cache
		# living inside a checkout): apply relative to the tree itself.
		if ! err=$(cd "$ov/tree" && GIT_CEILING_DIRECTORIES=$ov \
			run git apply --whitespace=nowarn "$p" 2>&1); then
			rm -rf "$ov"
			die "$name does not apply to linux $(src_version "$pristine"): $(echo "$err" | grep -m1 -E 'error|fatal' || echo "$err" | tail -n 1)"
		fi
		say "applied $name"
	done < <(series_patches)
	if ! run rsync -rlp --checksum --delete --exclude-from="$ov/exclude" "$pristine/" "$src/" ||
		! run rsync -rlp --checksum "$ov/tree/" "$src/"; then
		die "cannot bring $src to pristine + series"
	fi
	# Files the series deletes (or that only an earlier series had created).
	while IFS= read -r f; do
		[ -e "$ov/tree/$f" ] || rm -f -- "$src/$f"
	done <"$ov/files"
	rm -rf "$ov"
}

# config_check CONFIG FRAGMENT...: every option a fragment sets must be in
# CONFIG with the same value; lists the ones olddefconfig dropped or changed.
config_check() {
	local config=$1 frag line sym want have bad=()
	shift
	for frag in "$@"; do
		while IFS= read -r line || [ -n "$line" ]; do
			case "$line" in
			CONFIG_*=*) sym=${line%%=*}; want=${line#*=} ;;
			"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; want=n ;;
			*) continue ;;
			esac
			have=$(grep -E "^$sym=" "$config" | cut -d= -f2-) || have=n
			[ -n "$have" ] || have=n
			[ "$have" = "$want" ] || bad+=("$sym=$want (got $have)")
		done <"$frag"
	done
	if [ ${#bad[@]} -gt 0 ]; then
		die "${#bad[@]} config fragment option(s) dropped or changed by olddefconfig (unmet dependency?): ${bad[*]}"
	fi
}

# merge_config SRC OBJ BASE FRAGMENT...: write OBJ/.config from BASE (a
# kconfig target such as tinyconfig, or a config file, .xz allowed) with the
# fragments merged on top (merge_config.sh -m, then olddefconfig), and check
# that every fragment option survived.  OBJ/.config is only replaced when the
# result differs, so kbuild keeps its objects.
merge_config() {
	local src=$1 obj=$2 base=$3 cand
	shift 3
	mkdir -p "$obj"
	cand=$obj/.config.candidate
	rm -f "$cand"
	if [ -f "$base" ]; then
		case "$base" in
		*.xz) xz -dc "$base" >"$cand" ;;
		*) cp "$base" "$cand" ;;
		esac
	else
		run make -s -C "$src" O="$obj" KCONFIG_CONFIG="$cand" "$base" >"$obj/.config.log" 2>&1 ||
			{ tail -n 5 "$obj/.config.log" >&2; die "make $base failed"; }
	fi
	(cd "$src" && KCONFIG_CONFIG=$cand run scripts/kconfig/merge_config.sh -m -O "$obj" "$cand" "$@") \
		>"$obj/.config.log" 2>&1 ||
		{ tail -n 5 "$obj/.config.log" >&2; die "merge_config.sh failed on $*"; }
	run make -s -C "$src" O="$obj" KCONFIG_CONFIG="$cand" olddefconfig >"$obj/.config.log" 2>&1 ||
		{ tail -n 5 "$obj/.config.log" >&2; die "make olddefconfig failed"; }
	config_check "$cand" "$@"
	if cmp -s "$cand" "$obj/.config"; then
		rm -f "$cand"
	else
		mv "$cand" "$obj/.config"
	fi
	rm -f "$cand.old" "$obj/.config.log"
}

# first_error LOG: the first compiler/linker error line of a build log.
first_error() {
	grep -m1 -E '(error|Error|ERROR)[: ]|undefined reference|No rule to make target' "$1" ||
		tail -n 1 "$1"
}

# prune_cache KEEP: keep the KEEP most recently used finished builds.
prune_cache() {
	local keep=$1
	find "$KCACHE" -mindepth 1 -maxdepth 1 -type d -name '*-*' ! -name 'src-*' \
		! -name 'work-*' ! -name '.*' -printf '%T@ %p\n' 2>/dev/null |
		sort -rn | tail -n +"$((keep + 1))" | cut -d' ' -f2- |
		while IFS= read -r d; do
			[ -f "$d/kernel.release" ] || continue
			say "pruning old kernel build $(basename "$d")"
			rm -rf "$d"
		done || true
}
