# forklab gnuplot defaults: fixed palette, one look for every plot.
# Loaded by every script.
set datafile separator whitespace
set datafile missing "NaN"
set key top left box opaque
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set border lw 1.2
set linetype 1 lc rgb "#1b6ac9" lw 2 pt 7 ps 0.8
set linetype 2 lc rgb "#d1495b" lw 2 pt 5 ps 0.8
set linetype 3 lc rgb "#2a9d8f" lw 2 pt 9 ps 0.9
set linetype 4 lc rgb "#e9a23b" lw 2 pt 11 ps 0.9
set linetype 5 lc rgb "#6a4c93" lw 2 pt 13 ps 0.9
set linetype 6 lc rgb "#555555" lw 2 pt 3 ps 0.9
set linetype cycle 6
# Every script draws inside  do for [fmt in "png svg"] { eval term(fmt, ARG2) ... }
term(fmt, name) = (fmt eq "png" ? \
    "set terminal pngcairo size 1100,650 noenhanced font 'DejaVu Sans,11'" : \
    "set terminal svg size 1100,650 dynamic noenhanced font 'DejaVu Sans,11'") . \
    sprintf("; set output '%s.%s'", name, fmt)
