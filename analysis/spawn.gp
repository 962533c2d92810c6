# 1. Process creation latency vs parent size (the HotOS'19 figure), log-log,
#    4 KiB and THP side by side, median with a p10-p90 band.
# gnuplot -c spawn.gp DATADIR OUTPREFIX "METHOD..." NOTE "never always" ["HEAP_MIB..."]
# HEAP_MIB: the heaps measured, in MiB (0 = empty), one x tic each.
load ARG0[1:strstrt(ARG0, "spawn.gp") - 1] . "common.gp"
dir = ARG1; methods = ARG3; note = ARG4; thps = ARG5; heaps = ARG6
do for [fmt in "png svg"] {
    eval term(fmt, ARG2)
    set multiplot layout 1,words(thps) title "Time until the new program runs, vs parent heap size" . note
    set logscale xy
    set xlabel "parent heap (MiB; leftmost point: empty heap)"
    set ylabel "time to start (µs; median, band p10-p90)"
    if (strlen(heaps) > 0) {
        set xtics ()
        do for [h in heaps] { set xtics add (sprintf("%s", h) (h eq "0" ? 0.25 : h + 0)) }
    } else {
        set xtics ("0" 0.25, "1" 1, "16" 16, "256" 256, "1024" 1024, "4096" 4096)
    }
    do for [thp in thps] {
        set title (thp eq "never" ? "4 KiB pages" : "transparent huge pages")
        plot for [i=1:words(methods)] sprintf("%s/spawn-%s-%s.dat", dir, thp, word(methods, i)) \
                using 1:3:4 with filledcurves lc i fs transparent solid 0.15 noborder notitle, \
             for [i=1:words(methods)] sprintf("%s/spawn-%s-%s.dat", dir, thp, word(methods, i)) \
                using 1:2 with linespoints lt i title word(methods, i)
    }
    unset multiplot
    unset output
}
