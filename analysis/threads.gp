# 9. What does a fork do to the parent's other threads?  The latency of a
#    thread's operations during fork() and outside it: left, every operation
#    (forkbench's uniform sample) as a CDF on a "nines" axis (0, 90, 99,
#    99.9 % ...: the tail a server sees), p99 marked; right, the longest
#    operation per fork (the stall) against the longest in the gap after
#    each fork, a plain CDF.  One x axis (log scale) for both.
# gnuplot -c threads.gp DATADIR OUTPREFIX NGROUPS XMIN_NS XMAX_NS YMAX HEAP NOTE
# DATADIR/threads-G-SIDE.dat (SIDE during or outside): a header 'ns "TITLE"',
# then "ns nines" per operation, and after two blank lines the p99 point;
# threads-G-SIDE-max.dat: "ns fraction" per fork.
load ARG0[1:strstrt(ARG0, "threads.gp") - 1] . "common.gp"
dir = ARG1; ng = ARG3 + 0; xmin = ARG4 + 0; xmax = ARG5 + 0; ymax = ARG6 + 0
side(j) = (j % 2 ? "during" : "outside")
grp(j) = (j + 1) / 2
s_lt(j) = (ng > 1 ? 1 + (grp(j) - 1) % 8 : (j % 2 ? 2 : 1))
s_dt(j) = (ng > 1 && j % 2 == 0 ? 2 : 1)
f(j) = sprintf("%s/threads-%d-%s.dat", dir, grp(j), side(j))
tick(e) = (e < 3 ? sprintf("%g ns", 10 ** e) : e < 6 ? sprintf("%g µs", 10 ** (e - 3)) : \
    e < 9 ? sprintf("%g ms", 10 ** (e - 6)) : sprintf("%g s", 10 ** (e - 9)))
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title sprintf("A thread's operations during vs outside fork() of a %s parent — %s", ARG7, ARG8)
    set logscale x
    set xrange [xmin:xmax]
    set xtics ()
    do for [e=0:10] { if (10.0 ** e >= xmin / 1.01 && 10.0 ** e <= xmax * 1.01) { set xtics add (tick(e) 10.0 ** e) } }
    set xlabel "operation latency (log scale)"
    eval key_margin(ng)
    eval panel(1, 2)
    set title "every operation (a uniform sample); p99 marked"
    set ylabel "fraction of operations at or below"
    set yrange [0:ymax]
    set ytics ("0 %%" 0, "50 %%" log10(2), "90 %%" 1, "99 %%" 2, "99.9 %%" 3, "99.99 %%" 4, "99.999 %%" 5, "99.9999 %%" 6)
    set mytics 1
    set arrow 1 from graph 0, first 2 to graph 1, first 2 nohead dt 3 lw 1.5 lc rgb "#444444"
    plot for [j=1:2 * ng] f(j) index 0 every ::1 using 1:2 with steps lt s_lt(j) dt s_dt(j) notitle, \
         for [j=1:2 * ng] f(j) index 1 using 1:2 with points lt s_lt(j) pt 7 ps 1.6 notitle
    unset arrow 1
    eval panel(2, 2)
    set title "the longest operation per fork, and in the gap after each fork"
    set ylabel "fraction of forks at or below"
    set yrange [0:1.05]
    set ytics autofreq
    set mytics
    plot for [j=1:2 * ng] sprintf("%s/threads-%d-%s-max.dat", dir, grp(j), side(j)) \
        using 1:2 with steps lt s_lt(j) dt s_dt(j) notitle, \
         for [j=1:2 * ng] sprintf("%s/threads-%d-%s-max.dat", dir, grp(j), side(j)) \
        using 1:2 with points lt s_lt(j) notitle
    eval key_panel
    plot for [j=1:2 * ng] f(j) using 1:(-1) with linespoints lt s_lt(j) dt s_dt(j) title columnheader(2)
    unset multiplot
    eval fin(fmt)
}
