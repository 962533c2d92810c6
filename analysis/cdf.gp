# 4. Latency CDFs per method: empty parent and the largest parent.
# gnuplot -c cdf.gp DATADIR OUTPREFIX "METHOD..." "HEAPLABEL0 HEAPLABEL1" NOTE
load ARG0[1:strstrt(ARG0, "cdf.gp") - 1] . "common.gp"
dir = ARG1; methods = ARG3; heaps = ARG4; note = ARG5
do for [fmt in "png svg"] {
    eval term(fmt, ARG2)
    set multiplot layout 1,2 title "Distribution of the time until the new program runs" . note
    set logscale x
    set xlabel "time to start (µs, log scale)"
    set ylabel "fraction of iterations"
    set yrange [0:1]
    set key bottom right
    do for [h=1:words(heaps)] {
        set title "parent heap " . word(heaps, h)
        plot for [i=1:words(methods)] sprintf("%s/cdf-%d-%s.dat", dir, h, word(methods, i)) \
            using 1:2 with steps lt i title word(methods, i)
    }
    unset multiplot
    unset output
}
