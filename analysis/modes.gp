# 2. What does each fork mode cost at fork and after?  fork() in the parent
#    and the child's write of every page vs heap size (4 KiB pages), one
#    line per mode, linear axes (both costs grow linearly with the heap),
#    both panels from 0 over the same heaps; median with its 95 % CI as
#    error bars.  Drawn only when the run has two fork modes or more.
# gnuplot -c modes.gp DATADIR OUTPREFIX "MODE..." XMAX
load ARG0[1:strstrt(ARG0, "modes.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; xmax = ARG4 + 0
nm = words(modes)
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title "fork() of a large parent and the child's writes after it, per fork mode (median; error bars: 95 % CI of the median)"
    set xlabel "parent heap (MiB, 4 KiB pages, every page touched)"
    set xrange [0:xmax]
    set yrange [0:*]
    eval key_margin(1)
    p = 0
    do for [what in "fork child_write"] {
        p = p + 1
        eval panel(p, 2)
        set title (what eq "fork" ? "fork() in the parent" : "the child writes every page after fork")
        set ylabel (what eq "fork" ? "fork() time (ms)" : "child's write time (ms)")
        plot for [i=1:nm] sprintf("%s/modes-%s-%s.dat", dir, what, word(modes, i)) \
                using 1:2 with linespoints lt mode_lt(word(modes, i)) notitle, \
             for [i=1:nm] sprintf("%s/modes-%s-%s.dat", dir, what, word(modes, i)) \
                using 1:3:(0):($4 - $3) with vectors heads size screen 0.006,90 lw 1.5 lt mode_lt(word(modes, i)) notitle
    }
    eval key_panel
    plot for [i=1:nm] NaN with linespoints lt mode_lt(word(modes, i)) title word(modes, i)
    unset multiplot
    eval fin(fmt)
}
