#!/bin/sh
# The HotOS'19 "fork in the road" comparison, as a ratio within one run:
# from a parent with a touched 1 GiB heap, fork_exec's time to start the new
# program grows at least 3x over an empty parent, while vfork_exec and
# posix_spawn (which do not copy the parent's page tables) stay within 1.5x.
. "$(dirname "$0")/../lib.sh"
G=1073741824

if ! "$FB" spawn --method fork_exec,vfork_exec,posix_spawn --heap 0,1G -n 25 --warmup 3 \
	--format csv -o "$T_TMP/r.csv" 2>"$T_TMP/err"; then
	# only a heap the machine cannot hold is a skip
	if grep -Eq "needs .* but only .* is available" "$T_TMP/err"; then
		skip "spawn ratio" "$(cat "$T_TMP/err")"
		exit 0
	fi
	fail "spawn ratio run" "$(cat "$T_TMP/err")"
	exit 1
fi
# val METHOD HEAP_BYTES COLUMN -> that column of the start row
val() {
	awk -F, -v m="$1" -v h="$2" -v k="$3" '
		/^#/ { next }
		!hdr { for (i = 1; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$col["method"] == m && $col["metric"] == "start" && $col["heap_bytes"] == h { print $col[k] }
	' "$T_TMP/r.csv"
}
# num NAME VALUE: VALUE is a positive number (not empty, nan or inf)
num() {
	if ! awk -v v="$2" 'BEGIN { exit !(v ~ /^[0-9]+(\.[0-9]+)?(e\+?[0-9]+)?$/ && v + 0 > 0) }'; then
		fail "spawn ratio: $1" "not a positive number: '$2'"
		bad=1
	fi
}
bad=0
for m in fork_exec vfork_exec posix_spawn; do
	for h in 0 $G; do
		for k in median_ns ci95_lo_ns ci95_hi_ns; do
			num "$m heap $h $k" "$(val "$m" "$h" "$k")"
		done
	done
done
[ $bad = 0 ] || exit 1
ratio() { # METHOD -> median(start, 1G) / median(start, 0), 2 decimals
	awk -v a="$(val "$1" 0 median_ns)" -v b="$(val "$1" $G median_ns)" 'BEGIN { printf "%.2f", b / a }'
}
fe=$(ratio fork_exec)
vf=$(ratio vfork_exec)
ps=$(ratio posix_spawn)
if awk -v r="$fe" 'BEGIN { exit !(r >= 3) }'; then pass "fork_exec grows >= 3x with a 1 GiB parent ($fe x)"
else fail "fork_exec grows >= 3x with a 1 GiB parent" "ratio $fe"; fi
# vfork_exec and posix_spawn: a failure only when the 1 GiB parent is
# slower than 1.5x the empty one beyond the measured spread: the 95%
# confidence interval's low end with 1 GiB above 1.5x the high end with 0.
for m in vfork_exec:$vf posix_spawn:$ps; do
	r=${m#*:} m=${m%%:*}
	lo=$(val "$m" $G ci95_lo_ns) hi=$(val "$m" 0 ci95_hi_ns)
	if awk -v r="$r" 'BEGIN { exit !(r <= 1.5) }'; then pass "$m stays within 1.5x ($r x)"
	elif awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo <= 1.5 * hi) }'; then
		pass "$m stays within 1.5x given the spread (median ratio $r x, CI95 low with 1 GiB $lo ns <= 1.5 x CI95 high with 0 $hi ns)"
	else fail "$m stays within 1.5x" "ratio $r, and CI95 low with 1 GiB $lo ns > 1.5 x CI95 high with 0 $hi ns"; fi
done
echo "# start-time ratios 1G/0: fork_exec $fe, vfork_exec $vf, posix_spawn $ps"
