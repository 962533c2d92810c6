# file: bpf/cowtrace_lib.h
# test: BADINPUT_ONLY=cowtrace tests/host/badinput.sh
# test: tests/bpf/cowtrace-cli.sh
# what: cowtrace without privileges exits 8 (load failure) instead of 3
s/CT_ERR_PERM\t= 3,/CT_ERR_PERM\t= 8,/
