# file: bpf/cowtrace_lib.h
# test: BADINPUT_ONLY=cowtrace tests/host/badinput.sh
# what: cowtrace -p of a missing PID exits 8 (load failure) instead of 9
s/CT_ERR_PID\t= 9,/CT_ERR_PID\t= 8,/
