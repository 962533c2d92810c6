# lib/: code forkbench and cowtrace both link (value parsing, output
# escaping, the fork copy mode), built once into $(BUILD)/lib/.
#
# For a program that uses it:
#   CFLAGS += $(LIB_CPPFLAGS)        link: $(LIB_OBJS)
# A new lib/X.c joins LIB_SRCS.

LIB_SRCS     := parse.c output.c usage.c version.c
LIB_OBJS     := $(LIB_SRCS:%.c=$(BUILD)/lib/%.o)
LIB_CPPFLAGS := -Ilib

$(BUILD)/lib/%.o: lib/%.c lib/*.h | $(BUILD)/lib
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) $(LIB_CPPFLAGS) -c $< -o $@

# version.o records the revision it was built from; $(BUILD)/lib/revision
# changes (and version.o is rebuilt) when the revision does.  Where git
# cannot tell (another user than the checkout's owner), the last revision
# stands and nothing is written.
FORKLAB_GIT := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

$(BUILD)/lib/revision: FORCE | $(BUILD)/lib
	$(Q)if [ ! -e $@ ] || { [ '$(FORKLAB_GIT)' != unknown ] && \
		[ "$$(cat $@)" != '$(FORKLAB_GIT)' ]; }; then echo '$(FORKLAB_GIT)' >$@; fi

$(BUILD)/lib/version.o: $(BUILD)/lib/revision
$(BUILD)/lib/version.o: EXTRA_CFLAGS += -DFORKLAB_GIT='"$(FORKLAB_GIT)"'

.PHONY: FORCE
FORCE:

$(BUILD)/lib:
	$(Q)mkdir -p $@
