# 6. The crossover: fork + the child's writes vs the fraction of the heap the
#    child writes, one line per mode, where eager starts to beat cow marked.
# gnuplot -c crossover.gp DATADIR OUTPREFIX "MODE..." CROSS_X LABEL NOTE
load ARG0[1:strstrt(ARG0, "crossover.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; cross = ARG4 + 0; label = ARG5; note = ARG6
do for [fmt in "png svg"] {
    eval term(fmt, ARG2)
    set title "When is copying up front cheaper? fork + child writes vs fraction written" . note
    set xlabel "fraction of the heap the child writes (%)"
    set ylabel "fork + child write time (ms, median)"
    set logscale x
    set xrange [0.5:150]
    set yrange [0:*]
    unset arrow
    unset label
    if (cross > 0) {
        set arrow from cross, graph 0 to cross, graph 1 nohead dt 2 lw 2 lc rgb "#444444"
    }
    set label 1 label at graph 0.5, graph 0.95 center front
    plot for [i=1:words(modes)] sprintf("%s/cross-%s.dat", dir, word(modes, i)) \
            using 1:2 with linespoints lt i title word(modes, i)
    unset output
}
