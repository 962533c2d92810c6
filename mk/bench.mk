# forkbench: the harness, the benchmarks (one file each, found by wildcard:
# a new bench/benchmarks/NAME.c is built in with no edit here), and its
# exec targets.

# The program around the benchmarks: command line, run, output, registry.
BENCH_HARNESS_SRCS := main.c cli.c harness.c proc.c registry.c
# What benchmarks and the harness call: family of processes, heap, --trace,
# events, prediction, statistics, results, machine metadata.
BENCH_SUPPORT_SRCS := app.c family.c folio.c heapmem.c heapfit.c trace.c events.c evcount.c predict.c stats.c result.c sysinfo.c
# What unit tests link: the registry and the support objects that need
# neither the harness nor cowtrace's library.
BENCH_UNIT_SRCS    := registry.c events.c evcount.c predict.c stats.c result.c sysinfo.c matrix.c

BENCHMARKS       := $(sort $(wildcard bench/benchmarks/*.c))
BENCHMARK_OBJS   := $(BENCHMARKS:bench/%.c=$(BUILD)/bench/%.o)
BENCH_OBJS       := $(BENCH_HARNESS_SRCS:%.c=$(BUILD)/bench/%.o) \
		    $(BENCH_SUPPORT_SRCS:%.c=$(BUILD)/bench/%.o) $(BENCHMARK_OBJS)
BENCH_UNIT_OBJS  := $(BENCH_UNIT_SRCS:%.c=$(BUILD)/bench/%.o)
# redis's client library (libhiredis-dev), through pkg-config.
HIREDIS_CFLAGS := $(shell pkg-config --cflags hiredis 2>/dev/null)
HIREDIS_LIBS   := $(shell pkg-config --libs hiredis 2>/dev/null || echo -lhiredis)
HIREDIS_LIBS_STATIC := $(shell pkg-config --static --libs hiredis 2>/dev/null || echo -lhiredis)
BENCH_LIBS := -l:libpfm.a -lm
BENCH_OBJ_CFLAGS :=
$(BUILD)/bench/benchmarks/redis.o: BENCH_OBJ_CFLAGS := $(HIREDIS_CFLAGS)

ALL_TARGETS += $(BUILD)/forkbench $(BUILD)/forkbench-target-static \
	       $(BUILD)/forkbench-target-dynamic $(BUILD)/forkbench-spawn-worker $(BUILD)/forklab-matrix \
	       $(BUILD)/forklab-minfork $(BUILD)/forkbench-pymp.py \
	       $(BUILD)/forkbench-buildproj/.copied
STATIC_TARGETS += $(BUILD)/static/forkbench $(BUILD)/static/forkbench-target-static \
		  $(BUILD)/static/forkbench-target-dynamic $(BUILD)/static/forkbench-spawn-worker

$(BUILD)/bench/%.o: bench/%.c bench/*.h lib/*.h | $(BUILD)/bench/benchmarks
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ibench $(LIB_CPPFLAGS) $(CT_CPPFLAGS) $(BENCH_OBJ_CFLAGS) -c $< -o $@

# --trace links cowtrace's library (mk/bpf.mk).
$(BUILD)/forkbench: $(BENCH_OBJS) $(LIB_OBJS) $(CT_LIB)
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) $^ $(BENCH_LIBS) $(HIREDIS_LIBS) $(CT_LIBS) -o $@

$(BUILD)/static/forkbench: $(BENCH_OBJS) $(LIB_OBJS) $(CT_LIB) | $(BUILD)/static
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) -static $^ $(BENCH_LIBS) $(HIREDIS_LIBS_STATIC) $(CT_LIBS_STATIC) -o $@

# run-all.sh's matrix config parser (bench/matrix.c), a program of its own.
$(BUILD)/forklab-matrix: $(BUILD)/bench/matrix_main.o $(BUILD)/bench/matrix.o \
			 $(BUILD)/lib/parse.o $(BUILD)/lib/usage.o
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) $^ -lm -o $@

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

# spawn's worker (bench/spawn_worker.h): the process spawn forks from, a
# static program as small as a minimal C one, so it is no bigger than what
# it measures.  Static, hence like the targets without EXTRA_CFLAGS.
SPAWN_WORKER_SRCS := bench/spawn_worker.c bench/proc.c bench/heapmem.c bench/evcount.c
$(BUILD)/forkbench-spawn-worker $(BUILD)/static/forkbench-spawn-worker: $(SPAWN_WORKER_SRCS) bench/*.h lib/*.h | $(BUILD)/static
	$(call msg,LINK,$@)$(CC) $(TARGET_CFLAGS) -static -Ibench $(LIB_CPPFLAGS) $(SPAWN_WORKER_SRCS) -o $@

# The minimal fork loop scripts/harness-overhead.sh holds forkbench to: a
# plain dynamically linked C program, as a user would write it.
$(BUILD)/forklab-minfork: bench/tools/minfork.c
	$(call msg,LINK,$@)$(CC) $(TARGET_CFLAGS) $< -o $@

# pymp's Python side (bench/apps/pymp.py), beside forkbench where it looks.
$(BUILD)/forkbench-pymp.py: bench/apps/pymp.py
	$(call msg,CP,$@)cp $< $@

# build's project (bench/apps/buildproj), copied beside forkbench as a whole.
$(BUILD)/forkbench-buildproj/.copied: $(wildcard bench/apps/buildproj/* bench/apps/buildproj/src/*)
	$(call msg,CP,$(@D))rm -rf $(@D) && mkdir -p $(@D) && cp -R bench/apps/buildproj/. $(@D)/ && touch $@

# ---- unit tests: build/tests/unit/<name>, run by tests/run.sh ----
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))
ALL_TARGETS += $(UNIT_TESTS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BENCH_UNIT_OBJS) $(LIB_OBJS) | $(BUILD)/tests/unit
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) -Ibench $(LIB_CPPFLAGS) $^ $(BENCH_LIBS) -o $@

$(BUILD)/bench/benchmarks $(BUILD)/static $(BUILD)/tests/unit:
	$(Q)mkdir -p $@
