# 10. Several runs on the same axes (analysis/report.py RUN RUN...): one
#     line per run, labelled by its kernel, host and date; one panel per
#     question part (a spawn method, fork() or the child's write, ...);
#     median with its 95 % CI as error bars.
# gnuplot -c overlay.gp DATADIR OUTPREFIX STEM
# DATADIR/STEM.gp sets title, np (panels), nr (runs), ptitle(p), rlabel(r),
# xlabel, ylabel, xmin, xmax, ymin, ymax, logx, logy (0/1) and xt (a
# "set xtics (...)" command); DATADIR/STEM-P-R.dat: "x median lo hi".
load ARG0[1:strstrt(ARG0, "overlay.gp") - 1] . "common.gp"
dir = ARG1; stem = ARG3
load sprintf("%s/%s.gp", dir, stem)
cols = (np <= 3 ? np : 3)
rows = (np + cols - 1) / cols
krows = (nr + 1) / 2
band = 0.05 + 0.04 * krows
area = 0.98 - band
dodge(x, r) = (logx ? x * (1.0 + 0.04 * (r - (nr + 1) / 2.0)) : x)
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot
    set label 99 title . " (median; error bars: 95 % CI of the median)" at screen 0.5, screen 0.975 center
    if (logx) { set logscale x }
    if (logy) {
        set logscale y
        set ytics ()
        do for [e=-3:9] { do for [m in "1 2 5"] { v = m * 10.0 ** e; if (v >= ymin && v <= ymax) { set ytics add (sprintf("%g", v) v) } } }
    }
    set xrange [xmin:xmax]
    set yrange [ymin:ymax]
    eval xt
    set xlabel xlabel
    set ylabel ylabel
    unset key
    do for [p=1:np] {
        set origin ((p - 1) % cols) * 1.0 / cols, area - ((p - 1) / cols + 1) * area / rows
        set size 1.0 / cols, area / rows
        set title ptitle(p)
        plot for [r=1:nr] sprintf("%s/%s-%d-%d.dat", dir, stem, p, r) \
                using (dodge($1, r)):2 with linespoints lt r notitle, \
             for [r=1:nr] sprintf("%s/%s-%d-%d.dat", dir, stem, p, r) \
                using (dodge($1, r)):3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 lt r notitle
        unset label 99
    }
    eval key_panel
    set key at screen 0.5, screen 0.95 maxcolumns 2
    plot for [r=1:nr] NaN with linespoints lt r title rlabel(r)
    unset multiplot
    eval fin(fmt)
}
