#!/usr/bin/env bash
# Install every Debian package forklab needs, idempotently.
#
#   scripts/install-deps.sh            user space + kernel pipeline (default)
#   scripts/install-deps.sh --user     user space only (forkbench, cowtrace, analysis)
#   scripts/install-deps.sh --check    exit 0 if nothing is missing, 1 otherwise
#   scripts/install-deps.sh --cross    also the cross compilers of
#                                      make kernel-cross-check (alpha, m68k, arm64)
#   scripts/install-deps.sh --list-user   print the user-space packages, one a
#                                      line (the Debian guest image installs them)
#
# Why each package is here is written in README.md ("Dependencies").
set -euo pipefail

USER_PKGS=(
	build-essential pkg-config        # gcc, make, libc headers; forkbench build's make and cc
	clang llvm                        # BPF objects (clang -target bpf), llvm-strip
	libbpf-dev bpftool                # CO-RE loader library, skeleton generator
	libelf-dev zlib1g-dev libzstd-dev # libbpf's own dependencies (static links too)
	libpfm4-dev                       # --events: PMU event names -> perf_event_attr
	gnuplot-nox                       # plots (pngcairo, svg, pdfcairo terminals)
	python3                           # test helpers: JSON/CSV/SVG well-formedness; forkbench pymp
	cppcheck clang-tidy shellcheck    # static analysis in make test (tests/host/lint.sh)
	libclang-rt-dev                   # libFuzzer + sanitizer runtimes (make fuzz)
	procps util-linux                 # ps, pgrep, setarch, taskset
	redis-server redis-tools          # forkbench redis: the server it starts, redis-cli
	libhiredis-dev                    # forkbench redis: its client library (pkg-config hiredis)
	postgresql-15                     # forkbench pgbench: initdb, postgres, pgbench
	bpftrace                          # bpf/overhead-ab.sh: cowtrace's overhead against bpftrace's
)
KERNEL_PKGS=(
	linux-source-6.12 linux-config-6.12 # the kernel under test and Debian's config
	bc flex bison libssl-dev dwarves     # kernel build, pahole for BTF
	cpio busybox-static                  # the initramfs
	qemu-system-x86                      # the guest
	xz-utils rsync kmod dpkg-dev debhelper fakeroot # make kernel-deb (bindeb-pkg)
	stress-ng                            # reliability tier
	mmdebstrap                           # the Debian 12 guest image (make debian-rootfs)
	libcap-dev libnuma-dev liburing-dev  # static libs of some mm selftests (make kernel-selftests)
)

CROSS_PKGS=(
	gcc-alpha-linux-gnu gcc-m68k-linux-gnu gcc-aarch64-linux-gnu # make kernel-cross-check
)

want=("${USER_PKGS[@]}")
check=0
case "${1:-}" in
--user) ;;
--check) check=1; want+=("${KERNEL_PKGS[@]}") ;;
""|--all) want+=("${KERNEL_PKGS[@]}") ;;
--cross) want+=("${KERNEL_PKGS[@]}" "${CROSS_PKGS[@]}") ;;
--list-user) printf '%s\n' "${USER_PKGS[@]}"; exit 0 ;;
*) echo "install-deps.sh: unknown option '$1' (allowed: --user, --all, --cross, --check, --list-user)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$check" = 1 ]; then
	echo "missing packages: ${missing[*]}" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: need root to install: ${missing[*]} (run: sudo $0)" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; update once, then install.
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -q
	apt-get install -y --no-install-recommends "${missing[@]}"
fi
