# 4. How spread are the start times?  Their distribution (empirical CDF)
#    per method, empty and largest parent, on the same x axis.
# gnuplot -c cdf.gp DATADIR OUTPREFIX "METHOD..." "HEAPLABEL0 HEAPLABEL1" XMIN XMAX
load ARG0[1:strstrt(ARG0, "cdf.gp") - 1] . "common.gp"
dir = ARG1; methods = ARG3; heaps = ARG4; xmin = ARG5 + 0; xmax = ARG6 + 0
nm = words(methods); nh = words(heaps)
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title "Distribution of the time until the new program runs (every iteration, 4 KiB pages)"
    set logscale x
    set xrange [xmin:xmax]
    set format x "%.0f"
    set xlabel "time to start (µs, log scale)"
    set ylabel "fraction of iterations at or below"
    set yrange [0:1]
    eval key_margin(1)
    do for [h=1:nh] {
        eval panel(h, nh)
        set title "parent heap " . word(heaps, h)
        plot for [i=1:nm] sprintf("%s/cdf-%d-%s.dat", dir, h, word(methods, i)) \
            using 1:2 with steps lt i notitle
    }
    eval key_panel
    plot for [i=1:nm] NaN with lines lt i title word(methods, i)
    unset multiplot
    eval fin(fmt)
}
