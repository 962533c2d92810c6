# forklab — top-level build.  `make` builds user space into build/, `make test`
# runs every test tier and ends with "N passed, N failed, N skipped".
#
# Each part has its own fragment in mk/: bench.mk (forkbench), bpf.mk
# (cowtrace), kernel.mk (kernel, initramfs, QEMU).  V=1 shows commands.

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

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all test clean static deps

# bpf.mk first: bench.mk links the cowtrace library it defines.
-include mk/bpf.mk
include mk/bench.mk
-include $(filter-out mk/bpf.mk mk/bench.mk,$(sort $(wildcard mk/*.mk)))

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

clean:
	$(call msg,CLEAN,$(BUILD))rm -rf $(BUILD)
