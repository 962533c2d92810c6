# cowtrace: BPF object -> bpftool skeleton -> loader library, CLI, tests.
#
#   build/bpf/cowtrace.bpf.o     clang -target bpf, linked by bpftool gen object
#   build/bpf/cowtrace.skel.h    bpftool gen skeleton
#   build/libcowtrace.a          the library forkbench links for --trace
#   build/cowtrace               CLI, dynamic (-lbpf -lelf -lz)
#   build/static/cowtrace        CLI, fully static (QEMU initramfs)
#   build/bpf/cowtrace-{pages,seed,bench,libtest}, build/static/cowtrace-{pages,seed}
#                                test and benchmark programs
#   build/tests/unit/ct-table    the counter table's unit test
#
# bpf/vmlinux.h is checked in: building needs neither BTF nor network.
#
# For a program that links the library (forkbench --trace):
#   CFLAGS  += $(CT_CPPFLAGS)
#   dynamic:  $(CT_LIB) $(CT_LIBS)        static: $(CT_LIB) $(CT_LIBS_STATIC)

CLANG     ?= clang
BPFTOOL   ?= bpftool
BPF_ARCH  := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
	      -Wno-unused-function

CT_LIB         := $(BUILD)/libcowtrace.a
CT_LIB_SRCS    := ct_open.c ct_preflight.c ct_attach.c ct_status.c ct_proctree.c ct_maps.c \
		  ct_counters.c
CT_LIB_OBJS    := $(CT_LIB_SRCS:%.c=$(BUILD)/bpf/%.o)
CT_CPPFLAGS    := -Ibpf
CT_LIBS        := -lbpf -lelf -lz
CT_LIBS_STATIC := -l:libbpf.a -l:libelf.a -l:libz.a -l:libzstd.a

CT_TESTPROGS := cowtrace-pages cowtrace-seed
ALL_TARGETS += $(CT_LIB) $(BUILD)/cowtrace \
	       $(CT_TESTPROGS:%=$(BUILD)/bpf/%) $(BUILD)/bpf/cowtrace-bench \
	       $(BUILD)/bpf/cowtrace-libtest
STATIC_TARGETS += $(BUILD)/static/cowtrace $(CT_TESTPROGS:%=$(BUILD)/static/%)

$(BUILD)/bpf/cowtrace.tmp.bpf.o: bpf/cowtrace.bpf.c bpf/cowtrace.h bpf/ct_counters.h bpf/vmlinux.h \
				 | $(BUILD)/bpf
	$(call msg,BPF,$@)$(CLANG) $(BPF_CFLAGS) -Ibpf -c $< -o $@

$(BUILD)/bpf/cowtrace.bpf.o: $(BUILD)/bpf/cowtrace.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)$(BPFTOOL) gen object $@ $<

$(BUILD)/bpf/cowtrace.skel.h: $(BUILD)/bpf/cowtrace.bpf.o
	$(call msg,GEN-SKEL,$@)$(BPFTOOL) gen skeleton $< name cowtrace_bpf > $@

# the library's parts (bpf/ct_internal.h says which does what)
$(CT_LIB_OBJS): $(BUILD)/bpf/%.o: bpf/%.c bpf/*.h $(BUILD)/bpf/cowtrace.skel.h
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ibpf -I$(BUILD)/bpf -c $< -o $@

$(BUILD)/bpf/cowtrace.o: bpf/cowtrace.c bpf/cowtrace_lib.h bpf/ct_counters.h lib/*.h | $(BUILD)/bpf
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ibpf $(LIB_CPPFLAGS) -c $< -o $@

$(CT_LIB): $(CT_LIB_OBJS)
	$(call msg,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/cowtrace: $(BUILD)/bpf/cowtrace.o $(LIB_OBJS) $(CT_LIB)
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) $^ $(CT_LIBS) -lm -o $@

$(BUILD)/static/cowtrace: $(BUILD)/bpf/cowtrace.o $(LIB_OBJS) $(CT_LIB) | $(BUILD)/static
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) -static $^ $(CT_LIBS_STATIC) -lm -o $@

# the library as forkbench uses it
$(BUILD)/bpf/cowtrace-libtest: bpf/tests/cowtrace-libtest.c bpf/cowtrace_lib.h bpf/ct_counters.h \
			       $(CT_LIB)
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) $(CT_CPPFLAGS) $< $(CT_LIB) $(CT_LIBS) -o $@

# the counter table and the status rules, nothing loaded (the unit tier)
CT_UNIT := $(BUILD)/tests/unit/ct-table
ALL_TARGETS += $(CT_UNIT)
$(CT_UNIT): bpf/tests/ct-table.c bpf/*.h tests/unit/unit.h $(CT_LIB) | $(BUILD)/tests/unit
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) -Ibpf -Itests/unit $< $(CT_LIB) $(CT_LIBS) -o $@

$(BUILD)/bpf/cowtrace-%: bpf/tests/cowtrace-%.c bpf/tests/pin.h | $(BUILD)/bpf
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) $< -o $@

$(BUILD)/static/cowtrace-%: bpf/tests/cowtrace-%.c bpf/tests/pin.h | $(BUILD)/static
	$(call msg,LINK,$@)$(CC) $(ALL_CFLAGS) -static $< -o $@

$(BUILD)/bpf:
	$(Q)mkdir -p $@

.PHONY: cowtrace
cowtrace: $(BUILD)/cowtrace

# forkbench --trace's columns come from the counter table
$(BUILD)/bench/trace.o: bpf/cowtrace_lib.h bpf/ct_counters.h
