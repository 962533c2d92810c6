# file: bench/events.c
# test: BADINPUT_ONLY=forkbench tests/host/badinput.sh
# what: --events takes more than 8 events (the ninth written past the table)
s/if (e->n == FB_MAX_EVENTS || strlen/if (strlen/
