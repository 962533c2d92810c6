#!/bin/bash
# forkbench heap --folio: every anonymous folio size this kernel has (its
# /sys/kernel/mm/transparent_hugepage/hugepages-*kB with an enabled
# switch), and 4K, is obtained as asked: the heap's pages are all in
# folios of that size (page flags: folio_fraction 1, still 1 after the
# iterations) and the kernel's fault count of that size grew by heap/size.
# The per-size switches are the
# machine's: after the run, and after SIGINT and SIGTERM in the middle of
# one, every switch has its value from before.  Needs root (sysfs,
# /proc/kpageflags) and mTHP (Linux 6.8 or later); skipped otherwise.
. "$(dirname "$0")/../lib.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"
SYS=/sys/kernel/mm/transparent_hugepage

if ! is_root; then
	exit 77
fi
sizes=4K
for d in "$SYS"/hugepages-*kB; do
	[ -e "$d/enabled" ] || continue
	kb=${d##*/hugepages-}
	sizes="$sizes ${kb%kB}K"
done
if [ "$sizes" = 4K ]; then
	skip "folio" "this kernel has no mTHP ($SYS/hugepages-*kB/enabled)"
	exit 0
fi
switches() { for f in "$SYS"/hugepages-*kB/enabled; do echo "${f#"$SYS"/}: $(cat "$f")"; done; }
before=$(switches)
list=$(echo "$sizes" | tr ' ' '\n' | sort -n | paste -sd ,)
H=$((16 << 20))

if ! "$FB" heap --heap 16M --folio "$list" -n 2 --warmup 0 --child-write 0.1 --format csv \
	-o "$T_TMP/f.csv" 2>"$T_TMP/err"; then
	fail "heap --folio $list runs" "$(cat "$T_TMP/err")"
	exit 1
fi
check_eq "the switches are restored after the run" "$before" "$(switches)"
for s in $(echo "$list" | tr , ' '); do
	m=child10%-sequential-exit-folio$s
	b=$(( ${s%K} * 1024 ))
	check_eq "folio $s: folio_bytes asked" "$b" "$("$COL" "$T_TMP/f.csv" "$m" fork folio_bytes)"
	check_eq "folio $s: every page of the heap in a $s folio" 1 \
		"$("$COL" "$T_TMP/f.csv" "$m" fork folio_fraction)"
	check_eq "folio $s: still after the iterations" 1 \
		"$("$COL" "$T_TMP/f.csv" "$m" fork folio_fraction_end)"
	if [ "$s" != 4K ]; then
		check_eq "folio $s: the kernel counted heap/size faults of that size" $((H / b)) \
			"$("$COL" "$T_TMP/f.csv" "$m" fork folio_allocs)"
	fi
done
# SIGINT and SIGTERM while a folio size is set: restored, exit 128+signal.
# The smallest mTHP size: setting it changes at least the PMD size's switch.
small=$(echo "$list" | cut -d , -f 2)
for sig in INT TERM; do
	"$FB" heap --heap 64M --folio "$small" -n 100000 --warmup 0 --format csv \
		-o "$T_TMP/i.csv" 2>"$T_TMP/i.err" &
	pid=$!
	set=0
	for _ in $(seq 100); do
		if [ "$(switches)" != "$before" ]; then set=1; break; fi
		sleep 0.05
	done
	sleep 0.5
	kill -s $sig $pid
	wait $pid
	rc=$?
	check_eq "SIG$sig: the switches were set during the run" 1 $set
	check_eq "SIG$sig: exit status 128+signal" $((128 + $(kill -l $sig))) $rc
	check_eq "SIG$sig: the switches are restored" "$before" "$(switches)"
done
