# 7. What does a Redis snapshot do to its clients?  The SET latency (p99
#    of each 100 ms window) over time across a BGSAVE, one line per fork
#    mode, the window's max as a thin dashed line of the same colour; time
#    0 is the BGSAVE (the fork), a dashed vertical line per mode where the
#    snapshot was seen done; log latency axis.  One BGSAVE per mode: the
#    one of median duration.
# gnuplot -c redis.gp DATADIR OUTPREFIX "MODE..." TITLE YMIN YMAX "END_S..."
# DATADIR/redis-MODE.dat: t_s p99_ms max_ms, its header line holding the
# mode's label as the second word; END_S: per mode, the BGSAVE's end in s.
load ARG0[1:strstrt(ARG0, "redis.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; ttl = ARG4; ymin = ARG5 + 0; ymax = ARG6 + 0; ends = ARG7
nm = words(modes)
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set title ttl
    set logscale y
    set format y "%g"
    set yrange [ymin:ymax]
    set xlabel "time from the BGSAVE command (s; 0 = the fork)"
    set ylabel "SET latency, p99 per 100 ms window (ms, log scale)"
    set key outside top center horizontal box maxrows 1
    set tmargin 4.5
    set offsets graph 0.02, graph 0.02, 0, 0
    set arrow from 0, graph 0 to 0, graph 1 nohead lw 2 lc rgb '#000000'
    set label "BGSAVE: fork" at 0, graph 0.97 offset 0.5, 0 left
    do for [i=1:nm] {
        e = word(ends, i) + 0
        set arrow from e, graph 0 to e, graph 1 nohead dt 2 lw 1.5 lt mode_lt(word(modes, i))
    }
    plot for [i=1:nm] sprintf("%s/redis-%s.dat", dir, word(modes, i)) \
            using 1:2 with linespoints lt mode_lt(word(modes, i)) title columnheader(2), \
         for [i=1:nm] sprintf("%s/redis-%s.dat", dir, word(modes, i)) \
            using 1:3 every ::1 with lines lt mode_lt(word(modes, i)) lw 1 dt 2 notitle, \
         NaN with lines lt 6 lw 1 dt 2 title "max per window (dashed, the mode's colour)", \
         NaN with impulses lt 6 lw 1.5 dt 2 title "vertical dashed: the snapshot seen done"
    eval fin(fmt)
}
