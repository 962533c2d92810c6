# 7. What does fork() cost per mapping?  fork() in the parent vs the number
#    of its mappings (VMAs), log-log, one line per fork mode; median with its
#    95 % CI as error bars (the shape of the maple-tree duplication figures).
# gnuplot -c vmas.gp DATADIR OUTPREFIX "MODE..." "VMAS..." YMIN YMAX NOTE HEAPNOTE
# DATADIR/vmas-MODE.dat: "vmas median_ms ci_lo_ms ci_hi_ms"; NOTE: what the
# lines are ("cow only (stock kernel)"); HEAPNOTE: "" or ", plus a 64 MiB heap".
load ARG0[1:strstrt(ARG0, "vmas.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; counts = ARG4; ymin = ARG5 + 0; ymax = ARG6 + 0
nm = words(modes)
dodge(x, i) = x * (1.0 + 0.05 * (i - (nm + 1) / 2.0))  # the error bars of one x apart
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set title sprintf("fork() time vs the parent's mappings (VMAs) — %s — median; error bars: 95 %% CI of the median", ARG7)
    set logscale xy
    set xlabel sprintf("mappings (VMAs) the parent has besides forkbench's own%s (log scale)", ARG8)
    set ylabel "fork() time (ms, log scale)"
    set yrange [ymin:ymax]
    set format y "%g"
    set ytics ()
    do for [e=-3:6] { do for [m in "1 2 5"] { v = m * 10.0 ** e; if (v >= ymin && v <= ymax) { set ytics add (sprintf("%g", v) v) } } }
    set xtics ()
    nmin = 1e12; nmax = 0
    do for [n in counts] { x = n + 0; set xtics add (n x); nmin = (x < nmin ? x : nmin); nmax = (x > nmax ? x : nmax) }
    set xrange [nmin / 1.6 : nmax * 1.6]
    if (nm < 2) { unset key } else { set key width 2 }
    plot for [i=1:nm] sprintf("%s/vmas-%s.dat", dir, word(modes, i)) \
            using (dodge($1, i)):2 with linespoints lt mode_lt(word(modes, i)) title word(modes, i), \
         for [i=1:nm] sprintf("%s/vmas-%s.dat", dir, word(modes, i)) \
            using (dodge($1, i)):3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 lt mode_lt(word(modes, i)) notitle
    eval fin(fmt)
}
