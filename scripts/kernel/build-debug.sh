#!/usr/bin/env bash
# Build forklab's debug guest kernel (make kernel-debug): make kernel's build
# with configs/debug/kernel-debug.config merged after kernel-qemu.config
# (DEBUG_VM, PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, PAGE_TABLE_CHECK, ...), for
# make vm-stress.  It is not the test kernel: under TCG it made the guest
# tests several times slower.
#
#   scripts/kernel/build-debug.sh [--link DIR] [--force]    (build.sh's options)
#
# build.sh takes its config fragments from the tree it lives in, so this runs
# a copy of it in a scratch tree whose configs/kernel-qemu.config is
# kernel-qemu.config followed by kernel-debug.config.  The cache key is
# build.sh's own, so the build is cached next to make kernel's.  Both use the
# same work tree: going from one config to the other recompiles everything
# (48 min here on 2 busy cores), a cached build takes a second.  The fragment
# lives in configs/debug/, out of configs/*.config, which the initramfs
# carries and the guest checks against the running kernel.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
for f in configs/kernel.config configs/kernel-qemu.config configs/debug/kernel-debug.config \
	scripts/kernel/build.sh scripts/kernel/lib.sh; do
	[ -f "$root/$f" ] || { echo "build-debug.sh: missing $root/$f" >&2; exit 1; }
done
ov=$(mktemp -d "${TMPDIR:-/tmp}/forklab-kdebug.XXXXXX")
trap 'rm -rf "$ov"' EXIT
mkdir -p "$ov/scripts/kernel" "$ov/configs"
cp "$root"/scripts/kernel/*.sh "$ov/scripts/kernel/"
cp "$root/configs/kernel.config" "$ov/configs/"
cat "$root/configs/kernel-qemu.config" "$root/configs/debug/kernel-debug.config" \
	>"$ov/configs/kernel-qemu.config"
export FORKLAB_KERNEL_SERIES=${FORKLAB_KERNEL_SERIES:-$root/kernel-patch/series}
"$ov/scripts/kernel/build.sh" "$@"
