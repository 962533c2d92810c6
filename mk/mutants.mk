# make test-mutants: every planted bug of tests/mutants/ in a scratch copy,
# one at a time, against the tests that cover its code; ends with
# "N mutants, N killed" and fails if one survived or no longer applies
# (tests/tools/mutants.sh; the quick set runs in make test as
# tests/host/mutants.sh).  MUTANTS="a b" limits the run to those.
.PHONY: test-mutants
test-mutants: all
	$(Q)FORKLAB_BUILD=$(abspath $(BUILD)) tests/tools/mutants.sh $(MUTANTS)
