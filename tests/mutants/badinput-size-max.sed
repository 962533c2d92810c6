# file: lib/parse.c
# test: BADINPUT_ONLY=forkbench tests/host/badinput.sh
# quick: yes
# what: a size beyond the option's maximum is accepted
s/if (v > (double)max || v >= 18446744073709551616.0) {/if (v >= 18446744073709551616.0) {/
