# file: bpf/ct_attach.c
# test: tests/bpf/cowtrace-lib.sh
# test: BADINPUT_ONLY=cowtrace tests/host/badinput.sh
# what: loading the BPF programs always fails (exit 8) on a machine that loads BPF
/^static int load(/,/^}/ s/if (!rc)/if (0)/
