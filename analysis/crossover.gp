# 6. When is copying up front cheaper?  fork to reap (fork + the child's
#    writes + its exit) vs the fraction of the heap the child writes, one
#    line per fork mode, linear axes (the cost is linear in the pages
#    written); median with its 95 % CI as error bars; the interpolated
#    crossover of eager and cow marked, its bootstrap 95 % CI shaded.
#    With one mode (a stock kernel) the same axes answer how the cost grows
#    with the fraction written, and no crossover is drawn.
# gnuplot -c crossover.gp DATADIR OUTPREFIX "MODE..." CROSS_X CI_LO CI_HI LABEL TITLE HEAP
# CROSS_X 0: no crossover; CI_LO = CI_HI = 0: no CI.
load ARG0[1:strstrt(ARG0, "crossover.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; cross = ARG4 + 0; clo = ARG5 + 0; chi = ARG6 + 0
label = ARG7; heap = ARG9
nm = words(modes)
band = (cross > 0 && chi > clo)
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title ARG8 . " (median; error bars: 95 % CI of the median)"
    eval key_margin(nm > 1 ? 2 : 0)
    eval panel(1, 1)
    set xlabel sprintf("fraction of the %s heap the child writes (%%, 4 KiB pages)", heap)
    set ylabel "fork to reap: fork + child's writes + exit (ms)"
    set xrange [0:105]
    set xtics 0, 10, 100
    set yrange [0:*]
    if (band) {
        set object 1 rect from clo, graph 0 to chi, graph 1 fc rgb "#bbbbbb" fs transparent solid 0.35 noborder behind
    }
    if (cross > 0) {
        set arrow 1 from cross, graph 0 to cross, graph 1 nohead dt 2 lw 2 lc rgb "#444444"
    }
    set title label
    plot for [i=1:nm] sprintf("%s/cross-%s.dat", dir, word(modes, i)) \
            using 1:2 with linespoints lt mode_lt(word(modes, i)) notitle, \
         for [i=1:nm] sprintf("%s/cross-%s.dat", dir, word(modes, i)) \
            using 1:3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 lt mode_lt(word(modes, i)) notitle
    if (nm > 1) {
        eval key_panel
        plot for [i=1:nm] NaN with linespoints lt mode_lt(word(modes, i)) title word(modes, i), \
             NaN with filledcurves fc rgb "#bbbbbb" fs transparent solid 0.35 \
                title (band ? "crossover (dashed), 95 % CI (bootstrap)" : "")
    }
    unset multiplot
    eval fin(fmt)
}
