# 3. What does the kernel do per iteration?  One panel per counter (write
#    faults, copies, reuses, TLB flushes, eager copies), one bar per fork
#    mode and role, linear axes from 0, each bar labelled with its value,
#    "n/a" where the run has none (a 0 is a drawn 0, not a missing bar); the
#    labels give the values, so the panels need no y axis.
# gnuplot -c counts.gp DATADIR OUTPREFIX TITLE NCOUNTERS
# DATADIR/counts-I.dat: a first line "# PANEL TITLE", then per bar
# "x mode role value label linetype" (value 0 and label "n/a" when missing).
load ARG0[1:strstrt(ARG0, "counts.gp") - 1] . "common.gp"
dir = ARG1; nc = ARG4 + 0
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot layout (nc > 4 ? 3 : nc > 2 ? 2 : 1),(nc > 1 ? 2 : 1) title ARG3
    set style fill solid 0.85 border -1
    set boxwidth 0.7
    unset key
    set yrange [0:1<*]
    set offsets 0, 0, graph 0.2, 0
    unset ytics
    set border 1
    unset ylabel
    set xtics nomirror scale 0 font ",9"
    unset grid
    set format y "%g"
    set bmargin 4
    set lmargin 2
    set rmargin 2
    do for [c=1:nc] {
        f = sprintf("%s/counts-%d.dat", dir, c)
        set title system(sprintf("sed -n '1s/^# //p' '%s'", f))
        stats f using 1 nooutput
        set xrange [-0.6 : STATS_max + 0.6]
        plot f using 1:4:(0.7):6:xtic(sprintf("%s\n%s", strcol(2), strcol(3))) with boxes lc variable, \
             f using 1:4:5 with labels offset 0,0.8 font ",9"
    }
    unset multiplot
    eval fin(fmt)
}
