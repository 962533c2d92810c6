# file: bench/predict.c
# test: unit/test_predict
# quick: yes
# what: a first write to an untouched page is predicted as a write-protect fault
s/p->c\[proc\].new_faults++;/p->c[proc].wp_faults++;/
