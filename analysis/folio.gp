# 8. What do larger folios save?  fork() in the parent and the child's
#    writes after it vs the folio size backing the heap (mTHP, --folio), one
#    line per fork mode, both panels from 0 (the saving read as a share of
#    the 4 KiB cost); median with its 95 % CI as error bars.
# gnuplot -c folio.gp DATADIR OUTPREFIX "MODE..." "FOLIO_KIB..." HEAP CHILD_PCT NOTE
# DATADIR/folio-WHAT-MODE.dat: "folio_KiB median_ms ci_lo_ms ci_hi_ms".
load ARG0[1:strstrt(ARG0, "folio.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; sizes = ARG4
nm = words(modes)
dodge(x, i) = x * (1.0 + 0.05 * (i - (nm + 1) / 2.0))  # the error bars of one x apart
kib(s) = (s >= 1024 ? sprintf("%g MiB", s / 1024.0) : sprintf("%g KiB", s))
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title sprintf("fork() and the child's writes vs the folio size of a %s heap — %s — median; error bars: 95 %% CI of the median", ARG5, ARG7)
    set logscale x 2
    set xlabel "folio size backing the heap (log scale)"
    set xtics ()
    smin = 1e12; smax = 0
    do for [s in sizes] { x = s + 0; set xtics add (kib(x) x); smin = (x < smin ? x : smin); smax = (x > smax ? x : smax) }
    set xrange [smin / 1.6 : smax * 1.6]
    set yrange [0:*]
    eval key_margin(1)
    p = 0
    do for [what in "fork child_write"] {
        p = p + 1
        eval panel(p, 2)
        set title (what eq "fork" ? "fork() in the parent" : sprintf("the child writes %s %% of the heap after fork", ARG6))
        set ylabel (what eq "fork" ? "fork() time (ms)" : "child's write time (ms)")
        plot for [i=1:nm] sprintf("%s/folio-%s-%s.dat", dir, what, word(modes, i)) \
                using (dodge($1, i)):2 with linespoints lt mode_lt(word(modes, i)) notitle, \
             for [i=1:nm] sprintf("%s/folio-%s-%s.dat", dir, what, word(modes, i)) \
                using (dodge($1, i)):3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 lt mode_lt(word(modes, i)) notitle
    }
    eval key_panel
    plot for [i=1:nm] NaN with linespoints lt mode_lt(word(modes, i)) title word(modes, i)
    unset multiplot
    eval fin(fmt)
}
