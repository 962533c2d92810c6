# file: bench/predict.c
# test: unit/test_predict
# quick: yes
# what: fork leaves the parent's PTEs writable (no parent write faults predicted)
s/p->writable\[pi\] = 0;/p->writable[pi] = 1;/
