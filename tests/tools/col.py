#!/usr/bin/env python3
"""col.py FILE METHOD METRIC COLUMN -> the value of COLUMN in the forkbench
summary CSV row whose method equals METHOD and metric equals METRIC
(empty output if the value is empty; exit 1 if there is no such row)."""
import csv
import sys

path, method, metric, column = sys.argv[1:5]
rows = csv.DictReader(l for l in open(path) if not l.startswith("#"))
for r in rows:
    if r["method"] == method and r["metric"] == metric:
        print(r[column])
        sys.exit(0)
sys.exit(1)
