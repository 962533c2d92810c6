# 2. fork latency per fork mode vs heap size, and the child's write time
#    after fork per mode (4 KiB pages), median with a p10-p90 band.
# gnuplot -c modes.gp DATADIR OUTPREFIX "MODE..." NOTE
load ARG0[1:strstrt(ARG0, "modes.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; note = ARG4
do for [fmt in "png svg"] {
    eval term(fmt, ARG2)
    set multiplot layout 1,2 title "fork() of a large parent and the child's writes after it, per fork mode" . note
    set logscale xy
    set xlabel "parent heap (MiB, 4 KiB pages, every page touched)"
    do for [what in "fork child_write"] {
        set title (what eq "fork" ? "fork() in the parent" : "child writes every page after fork")
        set ylabel (what eq "fork" ? "fork latency (ms; median, band p10-p90)" : "child write time (ms; median, band p10-p90)")
        plot for [i=1:words(modes)] sprintf("%s/modes-%s-%s.dat", dir, what, word(modes, i)) \
                using 1:3:4 with filledcurves lc i fs transparent solid 0.15 noborder notitle, \
             for [i=1:words(modes)] sprintf("%s/modes-%s-%s.dat", dir, what, word(modes, i)) \
                using 1:2 with linespoints lt i title word(modes, i)
    }
    unset multiplot
    unset output
}
