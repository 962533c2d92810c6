# file: bench/family.c
# test: tests/host/forkbench-interrupt.sh
# what: an interrupted nested run kills only the family's root, not its process group
0,/kill(-pid, SIGKILL);/ s/kill(-pid, SIGKILL);/(void)0;/
