# 3. COW faults, copies, reuses and TLB flushes per fork mode and role (bars).
# gnuplot -c counts.gp DATAFILE OUTPREFIX TITLE
# DATAFILE: a header line of column titles (counter, then mode/role), then one
# row per counter.
load ARG0[1:strstrt(ARG0, "counts.gp") - 1] . "common.gp"
do for [fmt in "png svg"] {
    eval term(fmt, ARG2)
    set title ARG3
    set style data histograms
    set style histogram clustered gap 1
    set style fill solid 0.85 border -1
    set boxwidth 0.9
    set key outside right top
    set logscale y
    set yrange [0.8:*]
    set ylabel "events per iteration (log scale; 0 is not drawn)"
    set xlabel "counter"
    set xtics rotate by -20
    ncol = system(sprintf("head -n 1 '%s' | wc -w", ARG1)) + 0
    plot for [i=2:ncol] ARG1 using i:xtic(1) title columnheader(i)
    unset output
}
