# file: bench/predict.c
# test: unit/test_predict
# quick: yes
# what: a write to a writable page is predicted as a fault
s/^\t\tif (p->writable\[idx\])$/\t\tif (0)/
