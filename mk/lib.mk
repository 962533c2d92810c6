# lib/: code forkbench and cowtrace both link (value parsing, output
# escaping, the fork copy mode), built once into $(BUILD)/lib/.
#
# For a program that uses it:
#   CFLAGS += $(LIB_CPPFLAGS)        link: $(LIB_OBJS)
# A new lib/X.c joins LIB_SRCS.

LIB_SRCS     := parse.c output.c usage.c
LIB_OBJS     := $(LIB_SRCS:%.c=$(BUILD)/lib/%.o)
LIB_CPPFLAGS := -Ilib

$(BUILD)/lib/%.o: lib/%.c lib/*.h | $(BUILD)/lib
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) $(LIB_CPPFLAGS) -c $< -o $@

$(BUILD)/lib:
	$(Q)mkdir -p $@
