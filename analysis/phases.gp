# 7. Where does fork's time go?  One stacked bar per traced fork cell (heap
#    size, VMA count, fork mode): the parent's copy_process time per fork
#    split into its phases (cowtrace's phase_* counters, kprobe or fentry
#    mode), bottom to top: VMA tree duplication, page-table copy, anon_vma
#    setup, dup_mmap's TLB flush, the rest of copy_process; the total on
#    top of each bar.
# gnuplot -c phases.gp DATADIR OUTPREFIX TITLE
# DATADIR/phases.dat: a header line "x heap more" and the five phase names,
# then per bar "x "heap" "more" vma pgtable anon_vma tlb rest" in us per
# fork ("more": the VMA count and the mode where they vary, or "").
load ARG0[1:strstrt(ARG0, "phases.gp") - 1] . "common.gp"
f = ARG1 . "/phases.dat"
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set title ARG3
    set style data histograms
    set style histogram rowstacked
    set style fill solid 0.85 border -1
    set boxwidth 0.6
    set key outside right top vertical box opaque
    set ylabel "µs per fork (copy_process)"
    set yrange [0:*]
    set offsets 0, 0, graph 0.08, 0
    set xtics nomirror scale 0 font ",9"
    set grid noxtics ytics
    set bmargin 4
    sum(i) = column(4) + column(5) + column(6) + column(7) + column(8)
    plot for [i=4:8] f using i:xtic(sprintf("%s\n%s", strcol(2), strcol(3))) \
           title columnheader(i) lt (i - 3), \
         f using 1:(sum(0)):(sprintf("%.0f", sum(0))) with labels offset 0,0.8 font ",9" notitle
    eval fin(fmt)
}
