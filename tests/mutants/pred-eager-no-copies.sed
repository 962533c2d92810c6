# file: bench/predict.c
# test: unit/test_predict
# quick: yes
# what: an eager fork is predicted to copy nothing
s/p->c\[parent\].eager_copies++;/(void)0;/
