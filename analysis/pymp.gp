# 7. What do Python's start methods cost over a big parent?  Left: Pool(1)
#    from its start to the first result vs the parent's heap (a list of
#    small objects), one line per start method (colour) and fork mode
#    (dash: cow solid, stack dashed, eager dotted), log-log, median with
#    its 95 % CI as error bars; "+gc.freeze" lines are the same with the
#    heap frozen.  Right: a fork child's Private_Dirty vs the heap in one
#    mode: after walking the list (its reference counts), the prediction,
#    after gc.collect() with and without gc.freeze().
# gnuplot -c pymp.gp DATADIR OUTPREFIX "SERIES..." "HEAP_MIB..." YMIN YMAX DIRTY_MODE
# SERIES: METHOD[-gcfreeze]:MODE, one data file pymp-SERIES.dat each
# (heap_MiB median_ms ci_lo_ms ci_hi_ms); pymp-dirty.dat holds heap_MiB
# walk predicted collect collect_frozen (MiB, NaN when not measured).
load ARG0[1:strstrt(ARG0, "pymp.gp") - 1] . "common.gp"
dir = ARG1; series = ARG3; heaps = ARG4; ymin = ARG5 + 0; ymax = ARG6 + 0; dmode = ARG7
ns = words(series)
method(s) = s[1:strstrt(s, ":") - 1]
smode(s) = s[strstrt(s, ":") + 1:]
base(m) = (strstrt(m, "-gcfreeze") ? m[1:strstrt(m, "-gcfreeze") - 1] : m)
meth_lt(m) = (base(m) eq "fork" ? 1 : base(m) eq "forkserver" ? 4 : base(m) eq "spawn" ? 2 : 6)
mode_dt(m) = (m eq "cow" ? 1 : m eq "stack" ? 2 : 3)
label(s) = base(method(s)) . (strstrt(method(s), "-gcfreeze") ? " +gc.freeze" : "") . " (" . smode(s) . ")"
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title "Python multiprocessing over a parent heap of small objects (median; error bars: 95 % CI of the median)"
    set xtics ()
    hmin = 1e9; hmax = 0
    do for [h in heaps] {
        set xtics add (h h + 0)
        hmin = (h + 0 < hmin ? h + 0 : hmin); hmax = (h + 0 > hmax ? h + 0 : hmax)
    }
    eval key_margin(2)
    eval panel(1, 2)
    set logscale xy
    set xrange [hmin / 1.5 : hmax * 1.5]
    set yrange [ymin:ymax]
    set format y "%g"
    set title "Pool(1): start to first result, per start method"
    set xlabel "parent heap (MiB of small objects, log scale)"
    set ylabel "start to first result (ms, log scale)"
    plot for [i=1:ns] sprintf("%s/pymp-%s.dat", dir, word(series, i)) \
            using 1:2 with linespoints lt meth_lt(method(word(series, i))) \
            dt mode_dt(smode(word(series, i))) \
            pt (strstrt(method(word(series, i)), "-gcfreeze") ? 6 : 7) notitle, \
         for [i=1:ns] sprintf("%s/pymp-%s.dat", dir, word(series, i)) \
            using 1:3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 \
            lt meth_lt(method(word(series, i))) notitle
    eval panel(2, 2)
    unset logscale y
    set yrange [0:*]
    set format y "%g"
    set title sprintf("a fork child's Private_Dirty (%s mode)", dmode)
    set ylabel "Private_Dirty (MiB, smaps_rollup)"
    set key inside right bottom Left reverse box opaque
    plot sprintf("%s/pymp-dirty.dat", dir) using 1:2 with linespoints lt 1 title "after walking the list", \
         "" using 1:3 with points lt 6 pt 2 ps 1.5 title "predicted: the pages of its reference counts", \
         "" using 1:4 with linespoints lt 2 title "after gc.collect()", \
         "" using 1:5 with linespoints lt 3 title "after gc.collect(), heap gc.freeze()d"
    unset key
    eval key_panel
    plot for [i=1:ns] NaN with linespoints lt meth_lt(method(word(series, i))) \
        dt mode_dt(smode(word(series, i))) pt (strstrt(method(word(series, i)), "-gcfreeze") ? 6 : 7) \
        title label(word(series, i))
    unset multiplot
    eval fin(fmt)
}
