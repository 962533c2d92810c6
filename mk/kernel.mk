# forklab kernel pipeline: build Linux 6.12 (Debian's linux-source-6.12) with
# forklab's config fragment and patch series, boot it under QEMU, run the
# in-guest tests.  Included by the top-level Makefile.  See README.md, "The
# kernel pipeline".
#
#   make kernel            guest kernel -> build/kernel (link into the cache)
#
# Builds are cached in $(FORKLAB_CACHE)/kernel (default /var/cache/forklab).

KERNEL_DIR   := $(BUILD)/kernel
export V

.PHONY: kernel

kernel:
	$(call msg,KERNEL,$(KERNEL_DIR))scripts/kernel/build.sh --link $(KERNEL_DIR)
