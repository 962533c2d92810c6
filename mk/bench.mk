# forkbench: the harness, one file per benchmark, and its exec targets.

BENCH_SRCS := main.c spawn.c heap.c nested.c scenario.c family.c trace.c predict.c stats.c result.c sysinfo.c events.c heapmem.c
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/bench/%.o)
# What unit tests link: everything but the harness and the benchmarks.
BENCH_LIB_OBJS := $(filter-out $(BUILD)/bench/main.o $(BUILD)/bench/spawn.o $(BUILD)/bench/heap.o $(BUILD)/bench/nested.o $(BUILD)/bench/scenario.o $(BUILD)/bench/family.o $(BUILD)/bench/trace.o $(BUILD)/bench/heapmem.o,$(BENCH_OBJS))
BENCH_LIBS := -l:libpfm.a -lm
FORKLAB_GIT := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

ALL_TARGETS += $(BUILD)/forkbench $(BUILD)/forkbench-target-static \
	       $(BUILD)/forkbench-target-dynamic $(BUILD)/forklab-matrix
STATIC_TARGETS += $(BUILD)/static/forkbench $(BUILD)/static/forkbench-target-static \
		  $(BUILD)/static/forkbench-target-dynamic

$(BUILD)/bench/%.o: bench/%.c bench/*.h lib/*.h | $(BUILD)/bench
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) $(LIB_CPPFLAGS) $(CT_CPPFLAGS) -c $< -o $@

# sysinfo.o records the revision it was built from.
$(BUILD)/bench/sysinfo.o: EXTRA_CFLAGS += -DFORKLAB_GIT='"$(FORKLAB_GIT)"'

# --trace links cowtrace's library (mk/bpf.mk).
$(BUILD)/forkbench: $(BENCH_OBJS) $(LIB_OBJS) $(CT_LIB)
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) $^ $(BENCH_LIBS) $(CT_LIBS) -o $@

$(BUILD)/static/forkbench: $(BENCH_OBJS) $(LIB_OBJS) $(CT_LIB) | $(BUILD)/static
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) -static $^ $(BENCH_LIBS) $(CT_LIBS_STATIC) -o $@

# run-all.sh's matrix config parser (bench/matrix.c), a program of its own.
$(BUILD)/forklab-matrix: $(BUILD)/bench/matrix_main.o $(BUILD)/bench/matrix.o $(BUILD)/lib/usage.o
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) $^ -o $@

# The exec targets are what forkbench measures starting, not code under
# test: built without EXTRA_CFLAGS (no sanitizers, which cannot be static).
TARGET_CFLAGS = $(CSTD) $(WARN) $(CFLAGS)

$(BUILD)/forkbench-target-static $(BUILD)/static/forkbench-target-static: bench/target.c | $(BUILD)/static
	$(call msg,LINK,$@)$(CC) $(TARGET_CFLAGS) -static $< -o $@

# In the guest (no shared libraries) the "dynamic" target is static too.
$(BUILD)/static/forkbench-target-dynamic: bench/target.c | $(BUILD)/static
	$(call msg,LINK,$@)$(CC) $(TARGET_CFLAGS) -static $< -o $@

$(BUILD)/forkbench-target-dynamic: bench/target.c
	$(call msg,LINK,$@)$(CC) $(TARGET_CFLAGS) $< -o $@

# ---- unit tests: build/tests/unit/<name>, run by tests/run.sh ----
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))
ALL_TARGETS += $(UNIT_TESTS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BENCH_LIB_OBJS) $(BUILD)/bench/matrix.o $(LIB_OBJS) | $(BUILD)/tests/unit
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) -Ibench $(LIB_CPPFLAGS) $^ $(BENCH_LIBS) -o $@

$(BUILD)/bench $(BUILD)/static $(BUILD)/tests/unit:
	$(Q)mkdir -p $@
