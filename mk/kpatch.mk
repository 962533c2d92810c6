# forklab kernel patch series (kernel-patch/): the statically linked programs
# the in-guest tests of vm.fork_copy_mode run (tests/guest/forkmode-*.sh).
# They land in build/static/, which the initramfs takes whole; `make static`
# builds them.  Included by the top-level Makefile.
#
#   forkmode-fork    one fork measured exactly (/proc/vmstat deltas)
#   forkmode-spawn   fork+exec+wait through the C library, faults and times
#   forkmode-bench   eager fork ns/page next to memcpy ns/page
#   forkmode-count   one fork's kernel calls per page table (kprobes)
#   forkmode-prctl   PR_SET/GET_FORK_COPY_MODE checks (PASS/FAIL lines)
#   forkmode-stress  forks in flight while the mode changes
#   forkmode-secure  setuid/setgid exec resets the mode; vm.fork_copy_prctl_max
#   forkmode-torn    threaded parents: no torn snapshot, fork_copy_threaded
#   forkmode-kill    SIGKILL ends a long eager fork
#   forkmode-exit    exec target without a C library (no write faults)

KPATCH_SRC   := tests/guest/src
KPATCH_PROGS := forkmode-fork forkmode-spawn forkmode-bench forkmode-count forkmode-prctl \
		forkmode-secure forkmode-torn forkmode-kill \
		forkmode-stress
KPATCH_DEPS  := $(KPATCH_SRC)/forkmode_lib.h lib/fork_mode.h

KPATCH_STATIC := $(KPATCH_PROGS:%=$(BUILD)/static/%) $(BUILD)/static/forkmode-exit
STATIC_TARGETS += $(KPATCH_STATIC)
# In `make` too, so that the gcc/clang warning checks cover them.
ALL_TARGETS += $(KPATCH_STATIC)

.PHONY: kpatch-static
kpatch-static: $(KPATCH_STATIC)

$(BUILD)/static/forkmode-%: $(KPATCH_SRC)/forkmode_%.c $(KPATCH_DEPS)
	@mkdir -p $(@D)
	$(call msg,CC-STATIC,$@)$(CC) $(ALL_CFLAGS) $(KT_CPPFLAGS) -static $< -o $@ -lpthread

# No C library: exec'ing it takes no write fault (see forkmode_exit.c).
$(BUILD)/static/forkmode-exit: $(KPATCH_SRC)/forkmode_exit.c
	@mkdir -p $(@D)
	$(call msg,CC-STATIC,$@)$(CC) $(CSTD) $(WARN) -O2 -nostdlib -static $< -o $@
