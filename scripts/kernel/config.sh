#!/usr/bin/env bash
# Merge config fragments onto a base config and check that every option of
# every fragment survived olddefconfig -- without building anything.
#
#   scripts/kernel/config.sh [--base BASE] [--out FILE] FRAGMENT...
#
#   --base BASE  a kconfig target (tinyconfig, defconfig; default tinyconfig)
#                or a config file (.xz allowed), e.g. Debian's
#                /usr/src/linux-config-6.12/config.amd64_none_amd64.xz
#   --out FILE   keep the merged config
#
# Exits 1 with the dropped options listed on the last line.  make kernel and
# make kernel-deb run the same check (lib.sh merge_config) before building.
set -euo pipefail
# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

base=tinyconfig out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--base) base=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "no config fragment given (see --help)"
frags=()
for f in "$@"; do
	[ -f "$f" ] || die "config fragment $f not found"
	frags+=("$(readlink -f "$f")")
done
need make gcc flex bison
pristine=$(pristine_src)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/forklab-config.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
merge_config "$pristine" "$tmp" "$base" "${frags[@]}"
[ -z "$out" ] || cp "$tmp/.config" "$out"
say "$(basename "$base"): all options of ${frags[*]##*/} survive olddefconfig"
