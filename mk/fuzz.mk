# Fuzzing (clang's libFuzzer) of the two input parsers: the size parser
# (lib/parse.c, --heap) and the matrix config parser (bench/matrix.c).
#
#   make fuzz                    build both targets and run each FUZZ_SECONDS (60)
#   make fuzz FUZZ_SECONDS=600   longer
#   make fuzz-build              only build build/fuzz/fuzz_{size,matrix}
#
# Each run starts from tests/fuzz/corpus/NAME (seeds, checked in) and keeps
# what it finds in build/fuzz/corpus-NAME; a crash or failed property
# leaves build/fuzz/crash-* and fails.  tests/host/fuzz.sh runs both for 20 s.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer -Ibench -Ilib
FUZZ_TARGETS := $(BUILD)/fuzz/fuzz_size $(BUILD)/fuzz/fuzz_matrix

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS)

$(BUILD)/fuzz/fuzz_size: tests/fuzz/fuzz_size.c lib/parse.c lib/parse.h | $(BUILD)/fuzz
	$(call msg,FUZZ-CC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) $(filter %.c,$^) -lm -o $@

$(BUILD)/fuzz/fuzz_matrix: tests/fuzz/fuzz_matrix.c bench/matrix.c bench/matrix.h lib/parse.c lib/parse.h | $(BUILD)/fuzz
	$(call msg,FUZZ-CC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) $(filter %.c,$^) -lm -o $@

$(BUILD)/fuzz:
	$(Q)mkdir -p $@

fuzz: $(FUZZ_TARGETS)
	$(Q)for t in size matrix; do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t && \
		echo "  FUZZ     $$t ($(FUZZ_SECONDS) s)" && \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-artifact_prefix=$(BUILD)/fuzz/crash-$$t- -print_final_stats=1 \
			$(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
			2>$(BUILD)/fuzz/$$t.log || { tail -n 30 $(BUILD)/fuzz/$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(BUILD)/fuzz/$$t.log; \
	done
