# forklab — top-level build.  `make` builds user space into build/, `make test`
# runs every test tier and ends with "N passed, N failed, N skipped".
#
# Each part has its own fragment in mk/: lib.mk (code both programs link),
# bench.mk (forkbench), bpf.mk (cowtrace), kernel.mk (kernel, initramfs,
# QEMU).  V=1 shows commands.

CC      ?= gcc
BUILD   ?= build
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# `make clean GOAL...` (also with -j): clean runs alone first, then a new
# make builds the other goals.  In one make, -j would run rm -rf $(BUILD)
# beside the build (or after it) and leave no build.
CLEAN_FIRST := $(and $(filter clean,$(MAKECMDGOALS)),$(filter-out clean,$(MAKECMDGOALS)))
ifneq ($(CLEAN_FIRST),)
.PHONY: $(MAKECMDGOALS) clean-first
$(MAKECMDGOALS): clean-first
	@:
clean-first:
	$(call msg,CLEAN,$(BUILD))rm -rf $(BUILD)
	$(Q)$(MAKE) --no-print-directory $(CLEAN_FIRST)
else

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all test test-sanitize sanitize-all clean static deps

# lib.mk first: every program links its objects.  bpf.mk before bench.mk:
# bench.mk links the cowtrace library it defines.
include mk/lib.mk
-include mk/bpf.mk
include mk/bench.mk
-include $(filter-out mk/lib.mk mk/bpf.mk mk/bench.mk,$(sort $(wildcard mk/*.mk)))

all: $(ALL_TARGETS)

# Statically linked programs for the QEMU initramfs.
static: $(STATIC_TARGETS)

deps:
	scripts/install-deps.sh

# TIER=unit|host|bpf|vm (comma-separated) limits the run; default: all tiers.
# Installs missing packages first (as ./run-all.sh does).
test:
	$(Q)scripts/install-deps.sh --check >/dev/null 2>&1 || scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run.sh $(if $(TIER),--tier $(TIER))

# The user-space tiers again, with every program and C test built with
# AddressSanitizer and UndefinedBehaviorSanitizer into $(BUILD)/sanitize
# (any finding aborts the program, so the test fails).  TIER as for test.
# Leak checking is off here: LeakSanitizer stops the world at exit with a
# cloned task, which the traced process counts would see; sanitizers.sh
# runs the programs with it on.  The bpf tier is left out by default: its
# exact fault counts are of the plain programs, and the sanitizer runtime
# adds faults (and, with ASLR, a re-exec) of its own.
SANITIZE_TIERS := unit,host
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
test-sanitize:
	$(Q)scripts/install-deps.sh --check >/dev/null 2>&1 || scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/sanitize $(BUILD)/sanitize/forkbench-target-static \
		$(BUILD)/sanitize/forkbench-spawn-worker
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/sanitize EXTRA_CFLAGS="$(SANITIZE)" sanitize-all
	$(Q)ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		BUILD=$(abspath $(BUILD))/sanitize tests/run.sh --tier $(or $(TIER),$(SANITIZE_TIERS))

# Everything of all but what must be static (-static and ASan do not mix)
# or is preloaded into the guest's stress-ng.
sanitize-all: $(filter-out $(STATIC_TARGETS) %/forkbench-target-static %/forkbench-spawn-worker %/forklab-minfork %.so,$(ALL_TARGETS))

clean:
	$(call msg,CLEAN,$(BUILD))rm -rf $(BUILD)

endif
