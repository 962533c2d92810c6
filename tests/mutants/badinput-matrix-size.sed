# file: bench/matrix.c
# test: BADINPUT_ONLY=forklab-matrix tests/host/badinput.sh
# what: a matrix config of any size is read
s/if (len > MATRIX_MAX_BYTES)/if (0)/
