# file: run-all.sh
# test: tests/host/run-all.sh
# what: run-all.sh --vm --resume continues a host run under QEMU
s/\[ "\$vm" = 0 \] || die "--resume: /true || die "--resume: /
