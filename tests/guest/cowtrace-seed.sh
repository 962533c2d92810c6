#!/bin/sh
# In-guest: cowtrace counts the nested seed case exactly in every probe mode
# the guest kernel offers.  cowtrace-seed: A forks B, B forks C and D, one
# shared page (at 0x5eed00000000, selected with --range) written in the
# order D, C, B, A.  Prediction (cow mode): 4 write faults, 3 copies,
# 1 reuse; by role A (0) 1 reuse, B (1) 1 copy, C+D (2) 2 copies.
#  - kprobe: must attach (copy_page_range is probeable even in a stock
#    build); on a kernel whose do_wp_page/wp_page_copy/wp_page_reuse are not
#    inlined (the forklab patch) those three counters must be exact.
#  - fentry: where the kernel has BPF trampolines; skipped otherwise.
#  - tracepoint: copies derived from wp_page_copy's one-page TLB flush.
#  - kprobe-stock: kprobe mode with the four functions a stock build
#    inlines taken away (COWTRACE_NO_PROBE): the same counts, derived.
# POSIX sh (busybox ash).
. "$(dirname "$0")/../lib.sh"

S=$FORKLAB_BUILD/cowtrace-seed
R=0x5eed00000000-0x5eed00001000
if [ ! -x "$CT" ] || [ ! -x "$S" ]; then
	fail cowtrace-seed "no $CT or $S (make static)"
	exit 0
fi

# not inlined (wp_page_reuse may be a clone, wp_page_reuse.constprop.0)
patched=0
if grep -q ' do_wp_page$' /proc/kallsyms && grep -q ' wp_page_copy$' /proc/kallsyms &&
   grep -qE ' wp_page_reuse(\.constprop\.[0-9]+|\.isra\.[0-9]+)?$' /proc/kallsyms; then
	patched=1
fi

# kprobe-stock: the functions a stock 6.12 -O2 build inlines, taken away
for mode in kprobe fentry tracepoint kprobe-stock; do
	env=""
	m=$mode
	if [ $mode = kprobe-stock ]; then
		env="COWTRACE_NO_PROBE=do_wp_page,wp_page_copy,wp_page_reuse,dup_mmap"
		m=kprobe
	fi
	env $env "$CT" -m $m -f csv -o "$T_TMP/$mode.csv" --range $R -- "$S" 2>"$T_TMP/$mode.err"
	rc=$?
	if [ $mode = fentry ] && [ $rc = 7 ]; then
		skip "cowtrace-seed/fentry" "$(cat "$T_TMP/$mode.err")"
		continue
	fi
	if [ $rc != 0 ]; then
		fail "cowtrace-seed/$mode: runs" "exit $rc: $(cat "$T_TMP/$mode.err")"
		continue
	fi
	f=$T_TMP/$mode.csv
	check_eq "cowtrace-seed/$mode: mode" $m "$(ct_get "$f" status "" mode)"
	got=""
	for col in wp_faults cow_copies cow_reuses; do
		got="$got $(ct_get "$f" total "" $col)"
	done
	check_eq "cowtrace-seed/$mode: total wp_faults cow_copies cow_reuses" " 4 3 1" "$got"
	got=""
	for role in 0 1 2; do
		for col in procs wp_faults cow_copies cow_reuses; do
			got="$got $(ct_get "$f" role $role $col)"
		done
		got="$got /"
	done
	check_eq "cowtrace-seed/$mode: per role (procs wp copies reuses) A / B / C+D" \
		" 1 1 0 1 / 1 1 1 0 / 2 2 2 0 /" "$got"
	st="$(ct_get "$f" status "" wp_faults) $(ct_get "$f" status "" cow_copies) $(ct_get "$f" status "" cow_reuses)"
	# fentry names its target exactly: not a clone such as wp_page_reuse.constprop.0
	want="exact exact exact"
	if [ $mode = fentry ] && ! grep -q ' wp_page_reuse$' /proc/kallsyms; then
		want="exact exact approx"
	fi
	if [ $mode != tracepoint ] && [ $mode != kprobe-stock ] && [ $patched = 1 ]; then
		check_eq "cowtrace-seed/$mode: exact counters (functions not inlined)" "$want" "$st"
	else
		echo "# $mode statuses (wp copies reuses): $st"
	fi
done
