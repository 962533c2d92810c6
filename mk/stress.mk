# forklab stress and integrity tests of the kernel patch (kernel-patch/), in
# the QEMU guest.  Included by the top-level Makefile.  See docs/testing.md,
# "Stress and integrity".
#
#   make test / make vm-test   the short forms (tests/guest/stress-*.sh), on
#                              make kernel's guest kernel
#   make kernel-debug          that kernel with configs/debug/kernel-debug.config too
#                              (lockdep, DEBUG_VM, page table check): build/kernel-debug
#   make vm-stress             the full forms on the debug kernel: STRESS_SECONDS
#                              of stress-ng per phase (default 600),
#                              INTEGRITY_TREES trees per mode and heap (default
#                              200), eager fork under global and memcg memory
#                              pressure.  STRESS_KERNEL=$(BUILD)/kernel: on the
#                              test kernel instead
#
# The guest gets Debian's stress-ng (dynamically linked: with its shared
# libraries and the loader, listed in build/guest-root/forklab/stress-ng.files),
# forkmode-flip.so (LD_PRELOAD: every stress-ng process flips its own mode)
# and forkmode-integrity (static).

STRESS_SECONDS      ?= 600
INTEGRITY_TREES     ?= 200
VM_STRESS_TIMEOUT   ?= $(shell echo $$(( 5 * $(STRESS_SECONDS) + 30 * $(INTEGRITY_TREES) + 1800 )))
STRESS_NG           ?= /usr/bin/stress-ng
KERNEL_DEBUG_DIR    := $(BUILD)/kernel-debug
STRESS_KERNEL       ?= $(KERNEL_DEBUG_DIR)
STRESS_INITRAMFS    := $(BUILD)/kernel-stress-initramfs.cpio.gz
STRESS_ROOT         := $(BUILD)/guest-root
STRESS_FILES        := $(STRESS_ROOT)/forklab/stress-ng.files
STRESS_FLIP         := $(STRESS_ROOT)/forklab/lib/forkmode-flip.so
STRESS_FULL         := $(STRESS_ROOT)/forklab/tests/guest/stress-full.sh
FIGURES             := $(BUILD)/test-logs/figures.txt

STRESS_STATIC := $(BUILD)/static/forkmode-integrity
STATIC_TARGETS += $(STRESS_STATIC)
# In `make` too, so that the gcc/clang warning checks cover them.
ALL_TARGETS += $(STRESS_STATIC) $(BUILD)/forkmode-flip.so

.PHONY: vm-stress stress-guest-root kernel-debug

kernel-debug:
	$(call msg,KERNEL,$(KERNEL_DEBUG_DIR))scripts/kernel/build-debug.sh --link $(KERNEL_DEBUG_DIR)

guest-root: stress-guest-root
stress-guest-root: $(STRESS_FILES) $(STRESS_FLIP) $(STRESS_FULL)

# Not executable: guest-init leaves it to make vm-stress.
$(STRESS_FULL): tests/guest/stress-full.sh
	@mkdir -p $(@D)
	$(Q)install -m 644 $< $@

# stress-ng, every library ldd names and the loader, at the paths ldd gives
# (the loader's default search path finds them; the guest has no ld.so.cache).
# Without stress-ng installed the list is empty and the guest test skips.
$(STRESS_FILES): $(wildcard $(STRESS_NG)) mk/stress.mk
	@mkdir -p $(@D)
	$(call msg,COPY,stress-ng + libraries -> $(STRESS_ROOT))set -e; \
	if [ ! -x $(STRESS_NG) ]; then \
		echo "  stress-ng: $(STRESS_NG) not installed (scripts/install-deps.sh); the guest test will skip" >&2; \
		: >$@; exit 0; \
	fi; \
	files="$(STRESS_NG) $$(ldd $(STRESS_NG) | awk '$$2 == "=>" && $$3 ~ /^\// {print $$3} $$1 ~ /^\// {print $$1}')"; \
	for f in $$files; do install -D -m 755 "$$(readlink -f $$f)" "$(STRESS_ROOT)$$f"; done; \
	printf '%s\n' $$files >$@

$(BUILD)/forkmode-flip.so: tests/guest/src/forkmode_flip.c lib/fork_mode.h
	@mkdir -p $(@D)
	$(call msg,CC-SO,$@)$(CC) $(ALL_CFLAGS) $(KT_CPPFLAGS) -fPIC -shared $< -o $@ -lpthread

$(STRESS_FLIP): $(BUILD)/forkmode-flip.so
	@mkdir -p $(@D)
	$(Q)install -m 755 $< $@

# The FIGURE lines of the run join $(FIGURES) through scripts/figures-add.sh
# (as tests/run.sh's do; scripts/readme-figures.sh): keys *-full.
vm-stress: static kernel-static guest-root $(if $(filter $(KERNEL_DEBUG_DIR),$(STRESS_KERNEL)),kernel-debug)
	$(call msg,CPIO,$(STRESS_INITRAMFS))scripts/kernel/initramfs.sh --kernel $(STRESS_KERNEL) --out $(STRESS_INITRAMFS)
	$(call msg,QEMU,stress $(STRESS_SECONDS)s/phase + integrity $(INTEGRITY_TREES) trees)out=$(BUILD)/vm/stress-$$(date +%Y%m%d-%H%M%S); \
	st=0; scripts/kernel/vm-run.sh --kernel $(STRESS_KERNEL) --initrd $(STRESS_INITRAMFS) \
		--timeout $(VM_STRESS_TIMEOUT) --out $$out $(VM_ARGS) \
		-- sh tests/guest/stress-full.sh $(STRESS_SECONDS) $(INTEGRITY_TREES) || st=$$?; \
	tr -d '\r' <$$out/cmd.log | sed -n 's/^FIGURE: //p' | \
		scripts/figures-add.sh "make vm-stress STRESS_SECONDS=$(STRESS_SECONDS) INTEGRITY_TREES=$(INTEGRITY_TREES)" $(FIGURES); \
	echo "  figures: $$(grep -c -- '^[a-z-]*-full' $(FIGURES)) full-run lines in $(FIGURES)"; exit $$st
