# 13. What does a new PostgreSQL connection cost?  Left: pgbench's
#     connection cost per transaction (the -S latency with -C, a fork of the
#     postmaster per transaction, minus the latency without -C) vs
#     shared_buffers, one line per fork mode (the common colours), linear y
#     from 0 so a flat line reads as flat, each point labelled with its
#     median when there is one mode; error bars: the 95 % CI of the median (none below 6
#     iterations).  Right: the -S latency with -C (solid) and without
#     (dashed), log y.  The points of the modes are set a little apart on x
#     so their error bars do not hide each other.  Top left of the left
#     panel, per mode: the largest size's cost over the smallest's with its
#     bootstrap CI and what it says (flat: the CI holds 1).
# gnuplot -c pgbench.gp DATADIR OUTPREFIX "MODE..." "SIZE_MIB..." "LABEL..." TITLE YMAX LMIN LMAX
# DATADIR/pgbench-MODE.dat: shared_buffers_MiB median_ms ci_lo_ms ci_hi_ms
# (the connect rows); DATADIR/pgbench-lat-MODE.dat: shared_buffers_MiB,
# then median, CI low, CI high of select, then of select-connect (ms);
# DATADIR/pgbench-ratio-MODE.dat: that mode's ratio as one quoted label.
load ARG0[1:strstrt(ARG0, "pgbench.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; sizes = ARG4; labels = ARG5; ttl = ARG6
ymax = ARG7 + 0; lmin = ARG8 + 0; lmax = ARG9 + 0
nm = words(modes)
xs(x, i) = x * (1 + 0.06 * (i - (nm + 1) / 2.0))
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title ttl
    set xtics ()
    hmin = 1e12; hmax = 0
    do for [k=1:words(sizes)] {
        h = word(sizes, k) + 0
        set xtics add (word(labels, k) h)
        hmin = (h < hmin ? h : hmin); hmax = (h > hmax ? h : hmax)
    }
    unset mxtics
    eval key_margin(1)
    eval panel(1, 2)
    set logscale x
    set xrange [hmin / 1.6 : hmax * 1.6]
    set yrange [0:ymax]
    set format y "%g"
    set title "connection cost per transaction (with -C minus without)"
    set xlabel "shared_buffers (log scale)"
    set ylabel "connection cost per transaction (ms)"
    plot for [i=1:nm] sprintf("%s/pgbench-%s.dat", dir, word(modes, i)) \
            using (xs($1, i)):2 with linespoints lt mode_lt(word(modes, i)) notitle, \
         for [i=1:nm] sprintf("%s/pgbench-%s.dat", dir, word(modes, i)) \
            using (xs($1, i)):3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 \
            lt mode_lt(word(modes, i)) notitle, \
         for [i=1:nm] sprintf("%s/pgbench-%s.dat", dir, word(modes, i)) \
            using (xs($1, i)):(nm == 1 ? $2 : NaN):(sprintf("%.3g ms", $2)) with labels left offset 1, 0 \
            tc lt mode_lt(word(modes, i)) notitle, \
         for [i=1:nm] sprintf("%s/pgbench-ratio-%s.dat", dir, word(modes, i)) \
            using (hmin / 1.5):(ymax * (0.96 - 0.06 * i)):1 with labels left tc lt mode_lt(word(modes, i)) notitle
    eval panel(2, 2)
    set logscale y
    set yrange [lmin:lmax]
    set title "pgbench -S latency per transaction: with -C (solid), without (dashed)"
    set ylabel "latency per transaction (ms, log scale)"
    plot for [i=1:nm] sprintf("%s/pgbench-lat-%s.dat", dir, word(modes, i)) \
            using (xs($1, i)):5 with linespoints lt mode_lt(word(modes, i)) notitle, \
         for [i=1:nm] sprintf("%s/pgbench-lat-%s.dat", dir, word(modes, i)) \
            using (xs($1, i)):6:(0):($7 - $6) with vectors heads size screen 0.006,90 lw 1.5 \
            lt mode_lt(word(modes, i)) notitle, \
         for [i=1:nm] sprintf("%s/pgbench-lat-%s.dat", dir, word(modes, i)) \
            using (xs($1, i)):2 with linespoints lt mode_lt(word(modes, i)) dt 2 notitle, \
         for [i=1:nm] sprintf("%s/pgbench-lat-%s.dat", dir, word(modes, i)) \
            using (xs($1, i)):3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 \
            lt mode_lt(word(modes, i)) notitle
    eval key_panel
    plot for [i=1:nm] NaN with linespoints lt mode_lt(word(modes, i)) title word(modes, i) . " mode"
    unset multiplot
    eval fin(fmt)
}
