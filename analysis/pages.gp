# 5. What does each page cost?  fork() per page of the parent's heap, the
#    child's write per page after fork (a COW fault in cow mode) and a
#    memcpy per page in the same run, in ns per 4 KiB page vs heap size;
#    4 KiB pages and THP side by side on the same axes; median with its
#    95 % CI as error bars.
# gnuplot -c pages.gp DATADIR OUTPREFIX "SERIES..." "WHAT..." "MODE..." "never always" "HEAP_MIB..." YMIN YMAX
# SERIES: data file stems (DATADIR/SERIES-THP.dat, whose header line holds
# the series' title); WHAT: fork, child_write or memcpy per series; MODE:
# its fork mode.
load ARG0[1:strstrt(ARG0, "pages.gp") - 1] . "common.gp"
dir = ARG1; series = ARG3; whats = ARG4; smodes = ARG5; thps = ARG6; heaps = ARG7
ymin = ARG8 + 0; ymax = ARG9 + 0
ns = words(series)
nmodes = 0; seen = ""
do for [i=1:ns] { m = word(smodes, i); if (strstrt(seen, " " . m . " ") == 0) { seen = seen . " " . m . " "; nmodes = nmodes + 1 } }
s_lt(i) = (word(whats, i) eq "memcpy" ? 6 : nmodes > 1 ? mode_lt(word(smodes, i)) : \
    (word(whats, i) eq "fork" ? 1 : 2))
s_dt(i) = (word(whats, i) eq "memcpy" ? 3 : nmodes > 1 && word(whats, i) eq "child_write" ? 2 : 1)
dodge(x, i) = x * (1.0 + 0.05 * (i - (ns + 1) / 2.0))
do for [fmt in formats] {
    eval term(fmt, ARG2)
    set multiplot title "Cost per 4 KiB page of the heap: fork(), the child's write after it, memcpy (median; error bars: 95 % CI of the median)"
    set logscale xy
    set yrange [ymin:ymax]
    set format y "%g"
    set xlabel "parent heap (MiB, log scale)"
    set ylabel "ns per 4 KiB page (log scale)"
    set xtics ()
    hmin = 1e9; hmax = 0
    do for [h in heaps] { x = h + 0; set xtics add (h x); hmin = (x < hmin ? x : hmin); hmax = (x > hmax ? x : hmax) }
    set xrange [hmin / 1.6 : hmax * 1.6]
    nt = words(thps)
    kr = (ns > 4 ? 3 : 1)
    eval key_margin(kr)
    do for [t=1:nt] {
        thp = word(thps, t)
        eval panel(t, nt)
        set title (thp eq "never" ? "4 KiB pages" : "transparent huge pages (--thp always; still per 4 KiB of heap)")
        plot for [i=1:ns] sprintf("%s/%s-%s.dat", dir, word(series, i), thp) \
                using (dodge($1, i)):2 every ::1 with linespoints lt s_lt(i) dt s_dt(i) notitle, \
             for [i=1:ns] sprintf("%s/%s-%s.dat", dir, word(series, i), thp) \
                using (dodge($1, i)):3:(0):($4 - $3) every ::1 with vectors heads size screen 0.006,90 lw 1.5 lt s_lt(i) notitle
    }
    eval key_panel
    plot for [i=1:ns] sprintf("%s/%s-%s.dat", dir, word(series, i), word(thps, 1)) \
        using 1:(-1) with linespoints lt s_lt(i) dt s_dt(i) title columnheader(2)
    unset multiplot
    eval fin(fmt)
}
