# file: analysis/report.py
# test: tests/host/analysis.sh
# quick: yes
# what: the report's fork time per GiB divides by MiB, not GiB
s|float(big\['median_ns'\])/1e6/gib:.1f|float(big['median_ns'])/1e6/(gib*1024):.1f|
