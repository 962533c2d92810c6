#!/usr/bin/env python3
"""Check a forkbench summary (CSV or JSON) is well formed.

check_summary.py FILE [--rows N] [--require-columns a,b] [--nonempty a,b]
Prints one line per problem and exits 1 if any; CSV and JSON are detected
from the content.  Every numeric column must parse as a number or be empty
(JSON: null); the columns docs/design.md names must be present."""
import argparse
import csv
import json
import sys

DESIGN = ("bench,method,fork_mode,heap_bytes,thp,iterations,median_ns,p90_ns,p99_ns,"
          "mean_ns,stddev_ns,min_ns,max_ns,ci95_lo_ns,ci95_hi_ns").split(",")
TEXT = {"bench", "method", "fork_mode", "thp", "metric"}


def rows_of(path):
    text = open(path).read()
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        for key in ("tool", "complete", "results"):
            if key not in doc:
                raise ValueError(f"JSON lacks '{key}'")
        return [dict(r) for r in doc["results"]], "json"
    lines = [l for l in text.splitlines() if not l.startswith("#")]
    reader = csv.reader(lines)
    header = next(reader)
    out = []
    for i, row in enumerate(reader, 2):
        if len(row) != len(header):
            raise ValueError(f"CSV line {i}: {len(row)} fields, header has {len(header)}")
        out.append({h: (v if v != "" else None) for h, v in zip(header, row)})
    missing = [c for c in DESIGN if c not in header]
    if missing:
        raise ValueError(f"CSV header lacks {','.join(missing)}")
    return out, "csv"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--rows", type=int)
    ap.add_argument("--require-columns", default="")
    ap.add_argument("--nonempty", default="")
    a = ap.parse_args()
    problems = []
    try:
        rows, kind = rows_of(a.file)
    except (ValueError, json.JSONDecodeError, StopIteration) as e:
        print(f"{a.file}: not well formed: {e}")
        return 1
    if a.rows is not None and len(rows) != a.rows:
        problems.append(f"{len(rows)} rows, expected {a.rows}")
    need = DESIGN + [c for c in a.require_columns.split(",") if c]
    for n, r in enumerate(rows):
        for c in need:
            if c not in r:
                problems.append(f"row {n}: column '{c}' missing")
        for c in [c for c in a.nonempty.split(",") if c] + ["median_ns", "iterations"]:
            if r.get(c) is None:
                problems.append(f"row {n}: '{c}' is empty")
        for c, v in r.items():
            if c in TEXT or v is None:
                continue
            try:
                float(v)
            except (TypeError, ValueError):
                problems.append(f"row {n}: '{c}' = {v!r} is not a number")
    for p in problems:
        print(f"{a.file} ({kind}): {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
