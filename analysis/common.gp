# forklab gnuplot defaults: fixed palette, one look for every plot.
# Loaded by every script.
# The look, applied by term() at the start of every output (after a reset,
# so what one output's plot set never leaks into the next).
style = "set datafile separator whitespace; \
    set datafile missing 'NaN'; \
    set key top left box opaque; \
    set grid xtics ytics mxtics mytics lc rgb '#dddddd'; \
    set border lw 1.2; \
    set linetype 1 lc rgb '#1b6ac9' lw 2 pt 7 ps 0.8; \
    set linetype 2 lc rgb '#d1495b' lw 2 pt 5 ps 0.8; \
    set linetype 3 lc rgb '#2a9d8f' lw 2 pt 9 ps 0.9; \
    set linetype 4 lc rgb '#e9a23b' lw 2 pt 11 ps 0.9; \
    set linetype 5 lc rgb '#6a4c93' lw 2 pt 13 ps 0.9; \
    set linetype 6 lc rgb '#555555' lw 2 pt 3 ps 0.9; \
    set linetype 7 lc rgb '#8c564b' lw 2 pt 15 ps 0.9; \
    set linetype 8 lc rgb '#17becf' lw 2 pt 1 ps 0.9; \
    set linetype cycle 8"
# Every script draws inside  do for [fmt in formats] { eval term(fmt, ARG2) ... eval fin(fmt) }
# and sets everything it needs inside that loop:
# PNG and SVG files, or (report.py's PDF, which sets FORKLAB_PDF and the
# pdfcairo terminal itself) one more page of the PDF.
formats = exists("FORKLAB_PDF") ? "pdfpage" : "png svg"
term(fmt, name) = "reset; " . style . "; " . (fmt eq "pdfpage" ? "" : fmt eq "png" ? \
    "set terminal pngcairo size 1100,650 noenhanced font 'DejaVu Sans,11'" : \
    "set terminal svg size 1100,650 dynamic noenhanced font 'DejaVu Sans,11'") . \
    (fmt eq "pdfpage" ? "" : sprintf("; set output '%s.%s'", name, fmt))
fin(fmt) = (fmt eq "pdfpage" ? "" : "unset output")
# One colour per fork mode in every plot.
mode_lt(m) = (m eq "cow" ? 1 : m eq "stack" ? 2 : m eq "eager" ? 3 : 6)
# Panels side by side share one key, in a band between the title and the
# panels, never over the data: in a multiplot without layout, panel I of N
# is placed by panel(I, N) and drawn with key_margin(ROWS) and no key, then
# key_panel turns the whole canvas into an empty plot whose key (the same
# series, plotted as NaN) lies in that band, in ROWS rows.
key_margin(rows) = sprintf("unset key; set tmargin %g", 3.0 + 1.25 * rows)
panel(i, n) = sprintf("set origin %g,0; set size %g,0.96", (i - 1.0) / n, 1.0 / n)
key_panel = "set origin 0,0; set size 1,0.96; unset border; unset tics; " . \
    "unset xlabel; unset ylabel; unset title; unset grid; unset logscale; unset object; unset label; " . \
    "unset arrow; set xrange [0:1]; set yrange [0:1]; " . \
    "set key at screen 0.5, screen 0.945 center top horizontal nobox noopaque width 2 samplen 3"
# Error bars are vertical vectors with flat heads from the CI's low to its
# high end (using X:LO:(0):(HI-LO) with vectors heads size screen 0.006,90):
# yerrorbars would draw a second point over the line's.
