#!/bin/sh
# The HotOS'19 "fork in the road" comparison, as a ratio within one run:
# from a parent with a touched 1 GiB heap, fork_exec's time to start the new
# program grows at least 3x over an empty parent, while vfork_exec and
# posix_spawn (which do not copy the parent's page tables) stay within 1.5x.
. "$(dirname "$0")/../lib.sh"
MED="$FORKLAB_ROOT/tests/tools/median.sh"
G=1073741824

if ! "$FB" spawn --method fork_exec,vfork_exec,posix_spawn --heap 0,1G -n 25 --warmup 3 \
	--format csv -o "$T_TMP/r.csv" 2>"$T_TMP/err"; then
	if grep -q "available" "$T_TMP/err"; then
		skip "spawn ratio" "$(cat "$T_TMP/err")"
		exit 0
	fi
	fail "spawn ratio run" "$(cat "$T_TMP/err")"
	exit 1
fi
ratio() { # METHOD -> median(start, 1G) / median(start, 0), 2 decimals
	a=$("$MED" "$T_TMP/r.csv" "$1" start 0)
	b=$("$MED" "$T_TMP/r.csv" "$1" start $G)
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }'
}
fe=$(ratio fork_exec)
vf=$(ratio vfork_exec)
ps=$(ratio posix_spawn)
echo "start-time ratios 1G/0: fork_exec $fe, vfork_exec $vf, posix_spawn $ps"
if awk -v r="$fe" 'BEGIN { exit !(r >= 3) }'; then pass "fork_exec grows >= 3x with a 1 GiB parent ($fe x)"
else fail "fork_exec grows >= 3x with a 1 GiB parent" "ratio $fe"; fi
for m in vfork_exec:$vf posix_spawn:$ps; do
	r=${m#*:}
	if awk -v r="$r" 'BEGIN { exit !(r <= 1.5) }'; then pass "${m%%:*} stays within 1.5x ($r x)"
	else fail "${m%%:*} stays within 1.5x" "ratio $r"; fi
done
