# 5. Copy throughput at fork per mode vs the user-space memcpy floor measured
#    in the same run.
# gnuplot -c throughput.gp DATADIR OUTPREFIX "MODE..." NOTE
load ARG0[1:strstrt(ARG0, "throughput.gp") - 1] . "common.gp"
dir = ARG1; modes = ARG3; note = ARG4
do for [fmt in "png svg"] {
    eval term(fmt, ARG2)
    set title "Parent heap handled per second of fork(), vs memcpy of the same heap" . note
    set logscale x
    set xlabel "parent heap (MiB, 4 KiB pages)"
    set ylabel "GB/s (heap bytes / median time)"
    set yrange [0:*]
    plot for [i=1:words(modes)] sprintf("%s/tput-%s.dat", dir, word(modes, i)) \
            using 1:2 with linespoints lt i title "fork, " . word(modes, i), \
         sprintf("%s/tput-memcpy.dat", dir) using 1:2 with linespoints lt 6 dt 2 title "memcpy (same run)"
    unset output
}
