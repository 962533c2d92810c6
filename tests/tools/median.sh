#!/bin/sh
# median.sh CSV METHOD METRIC HEAP_BYTES -> median_ns of that forkbench row
awk -F, -v m="$2" -v k="$3" -v h="$4" '
	/^#/ { next }
	NR == 1 || !hdr { for (i = 1; i <= NF; i++) col[$i] = i; hdr = 1; next }
	$col["method"] == m && $col["metric"] == k && $col["heap_bytes"] == h { print $col["median_ns"] }
' "$1"
