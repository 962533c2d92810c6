# file: analysis/report.py
# test: tests/host/analysis.sh
# quick: yes
# what: the report's fork time per GiB divides by MiB, not GiB
s|sig(fe.med / 1e6 / gib)|sig(fe.med / 1e6 / (gib * 1024))|
