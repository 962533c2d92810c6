# file: bench/predict.c
# test: unit/test_predict
# quick: yes
# what: a write fault on a page no other process maps is predicted as a copy
s/if (p->refs\[f\] > 1) {/if (p->refs[f] > 0) {/
