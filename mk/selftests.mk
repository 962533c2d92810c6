# The kernel's mm selftests (tools/testing/selftests/mm of the 6.12 tree,
# all but cow, which build.sh builds with the kernel), static, for the guest.
# Included by the top-level Makefile.  See docs/testing.md (selftests/mm).
#
#   make kernel-selftests  build them (cached in $(FORKLAB_CACHE)/kernel-selftests)
#                          into build/guest-root/forklab/build/kernel-selftests
#   make vm-selftests      boot the guest and run every one of them in cow, stack
#                          and eager mode, long ones included (the make test form,
#                          tests/guest/forkmode-selftests-mm.sh, leaves those out)

KSELFTESTS_OUT := $(BUILD)/guest-root/forklab/build/kernel-selftests
VM_SELFTESTS_TIMEOUT ?= 7200

.PHONY: kernel-selftests vm-selftests

kernel-selftests: kernel
	$(call msg,SELFTEST,$(KSELFTESTS_OUT))scripts/kernel/selftests.sh \
		--kernel $(KERNEL_DIR) --out $(KSELFTESTS_OUT)

guest-root: kernel-selftests

vm-selftests: static
	$(Q)$(MAKE) --no-print-directory initramfs
	$(call msg,QEMU,forkmode-selftests-mm --full)scripts/kernel/vm-run.sh \
		--kernel $(KERNEL_DIR) --initrd $(INITRAMFS) --timeout $(VM_SELFTESTS_TIMEOUT) \
		--out $(BUILD)/vm/selftests-$$(date +%Y%m%d-%H%M%S) $(VM_ARGS) \
		-- sh tests/guest/forkmode-selftests-mm.sh --full
