# file: bpf/cowtrace.c
# test: BADINPUT_ONLY=cowtrace tests/host/badinput.sh
# what: cowtrace leaves its half-written FILE.tmp behind when writing -o fails
/^static void drop_out_tmp(/,/^}/ s/unlink(out_tmp);/(void)0;/
