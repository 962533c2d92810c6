# 1. What does it cost to start a program from a big parent?  Time until
#    the new program runs vs parent heap, per method, log-log; 4 KiB pages
#    and THP side by side on the same axes; median with its 95 % CI as
#    error bars (points of one heap spread a little apart so the bars show).
# gnuplot -c spawn.gp DATADIR OUTPREFIX "METHOD..." "never always" "HEAP_MIB..." YMIN YMAX
# HEAP_MIB: the heaps measured, in MiB (0 = empty), one x tic each.
load ARG0[1:strstrt(ARG0, "spawn.gp") - 1] . "common.gp"
dir = ARG1; methods = ARG3; thps = ARG4; heaps = ARG5; ymin = ARG6 + 0; ymax = ARG7 + 0
nm = words(methods); nt = words(thps)
dodge(x, i) = x * (1.0 + 0.07 * (i - (nm + 1) / 2.0))
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title "Time until the new program runs, vs parent heap size (median; error bars: 95 % CI of the median)"
    set logscale xy
    set xlabel "parent heap (MiB, log scale; 'empty': no heap)"
    set ylabel "time to start (µs, log scale)"
    set yrange [ymin:ymax]
    set format y "%.0f"
    set xtics ()
    hmin = 1e9; hmax = 0
    do for [h in heaps] {
        x = (h eq "0" ? 0.25 : h + 0)
        set xtics add ((h eq "0" ? "empty" : h) x)
        hmin = (x < hmin ? x : hmin); hmax = (x > hmax ? x : hmax)
    }
    set xrange [hmin / 1.6 : hmax * 1.6]
    eval key_margin(1)
    do for [t=1:nt] {
        thp = word(thps, t)
        eval panel(t, nt)
        set title (thp eq "never" ? "4 KiB pages" : "transparent huge pages (--thp always)")
        plot for [i=1:nm] sprintf("%s/spawn-%s-%s.dat", dir, thp, word(methods, i)) \
                using (dodge($1, i)):2 with linespoints lt i notitle, \
             for [i=1:nm] sprintf("%s/spawn-%s-%s.dat", dir, thp, word(methods, i)) \
                using (dodge($1, i)):3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 lt i notitle
    }
    eval key_panel
    plot for [i=1:nm] NaN with linespoints lt i title word(methods, i)
    unset multiplot
    eval fin(fmt)
}
