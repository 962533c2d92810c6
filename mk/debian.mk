# The bare-metal path under QEMU: forklab's kernel on a Debian 12 userland.
# See docs/kernel.md, "Bare metal".
#
#   make debian-rootfs      the Debian 12 image (scripts/kernel/rootfs.sh; cached
#                           in $(FORKLAB_CACHE)/rootfs) -> build/debian-rootfs.img
#   make vm-debian          boot forklab's kernel on it and run CMD (default
#                           /forklab/build/forkbench spawn -n 100); VM_ARGS passes
#                           options to scripts/kernel/vm-debian.sh (e.g. --deb)
#   make test-debian        the rehearsal (tests/vm/50-debian.sh, opt-in): make
#                           kernel-deb KCONFIG=fast, dpkg -i in the guest, a boot
#                           from the installed /boot files, ./run-all.sh inside
#   make test-debian-apps   redis, pymp, pgbench and build in every fork mode on
#                           that userland (tests/vm/55-debian-apps.sh, opt-in)

.PHONY: debian-rootfs vm-debian test-debian test-debian-apps

debian-rootfs:
	$(call msg,ROOTFS,$(BUILD)/debian-rootfs.img)scripts/kernel/rootfs.sh --link $(BUILD)/debian-rootfs.img

# The command goes through the environment: no quoting of CMD's own quotes.
vm-debian: export FORKLAB_VM_CMD := $(CMD)
vm-debian: all
	$(call msg,QEMU,debian)scripts/kernel/vm-debian.sh $(VM_ARGS) $${FORKLAB_VM_CMD:+--cmd "$$FORKLAB_VM_CMD"}

# One test file, outside make test's tiers (it takes most of an hour).
test-debian: all
	$(Q)mkdir -p $(BUILD)/test-logs
	$(Q)FORKLAB_DEBIAN_REHEARSAL=1 FORKLAB_ROOT=$(CURDIR) FORKLAB_BUILD=$(abspath $(BUILD)) \
		tests/vm/50-debian.sh 2>&1 | tee $(BUILD)/test-logs/test-debian.log; \
	awk '/^PASS:/{p++} /^FAIL:/{f++} /^SKIP:/{s++} END{printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 || p == 0}' \
		$(BUILD)/test-logs/test-debian.log

# The applications in every fork mode on the Debian userland (run-all.sh
# --vm --debian), checked: outside make test's tiers (about 30 minutes).
test-debian-apps: all
	$(Q)mkdir -p $(BUILD)/test-logs
	$(Q)FORKLAB_DEBIAN_APPS=1 FORKLAB_ROOT=$(CURDIR) FORKLAB_BUILD=$(abspath $(BUILD)) \
		tests/vm/55-debian-apps.sh 2>&1 | tee $(BUILD)/test-logs/test-debian-apps.log; \
	awk '/^PASS:/{p++} /^FAIL:/{f++} /^SKIP:/{s++} END{printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 || p == 0}' \
		$(BUILD)/test-logs/test-debian-apps.log
