#!/usr/bin/env python3
"""synth-run.py DIR [--icount]: a synthetic run folder for the report's tests, with
cell names no matrix of forklab uses and every kind of cell the report
plots, in three fork modes on a timed (not TCG) machine, 11 to 20 seeded
samples per point drawn around known costs:

  spawn    fork_exec  start = 300 us + 60 us per MiB of parent heap
           posix_spawn start = 200 us, fork_exit start = 150 us + 50 us/MiB
  heap     fork = 20 ns + 50 ns per page (eager: + 300 ns per page),
           child_write = 2000 ns per page written (eager: 300 ns),
           memcpy = 250 ns per page, total = fork + child_write + 1 ms
  fractions at 128 MiB: total cow = 10 + 100 f ms, eager = 40 + 20 f ms
           (f the fraction written), so eager beats cow above 37.5 %
  traced   cowtrace counts equal to the predictions

summary.csv is what run-all.sh would write: forkbench's columns (median,
the CI of the median with ci_level, p10, p90) per metric, cells/*.csv and
cells/*.samples.csv beside it.  --icount: the same values as a run of
run-all.sh --vm --icount writes them (instructions, not time): metadata
virtualization "icount" and its clock, summary.csv's columns named by
instructions (report.py's insn_column: median_ns is median_insn)."""
import csv
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "analysis"))
from report import insn_column, median_ci  # noqa: E402  (bench/stats.c's rule)

MiB = 1 << 20
PAGE = 4096
COLS = ["cell", "bench", "method", "fork_mode", "heap_bytes", "thp", "iterations", "median_ns", "p90_ns",
        "p99_ns", "mean_ns", "stddev_ns", "min_ns", "max_ns", "ci95_lo_ns", "ci95_hi_ns", "p10_ns", "metric",
        "thp_bytes", "thp_fraction", "ci_level", "child_write_fraction", "parent_write_fraction",
        "pred_child_wp_faults", "pred_child_cow_copies", "pred_parent_wp_faults", "pred_parent_cow_reuses",
        "pred_eager_copies"]
ROLE_COUNTERS = ["wp_faults", "cow_copies", "cow_reuses", "tlb_flush_fork", "tlb_flush_fault", "eager_copies"]
COLS += [f"{role}_{c}" for c in ROLE_COUNTERS for role in ("parent", "child")]


def quantile(s, q):
    h = (len(s) - 1) * q
    i = int(math.floor(h))
    return s[-1] if i + 1 >= len(s) else s[i] + (h - i) * (s[i + 1] - s[i])


def summary(values):
    s = sorted(values)
    n = len(s)
    out = {"iterations": n, "median_ns": quantile(s, 0.5), "p10_ns": quantile(s, 0.1),
           "p90_ns": quantile(s, 0.9), "p99_ns": quantile(s, 0.99), "mean_ns": sum(s) / n,
           "min_ns": s[0], "max_ns": s[-1]}
    out["stddev_ns"] = math.sqrt(sum((v - out["mean_ns"]) ** 2 for v in s) / max(1, n - 1))
    r = median_ci(n)
    if r:
        out.update(ci95_lo_ns=s[r[0] - 1], ci95_hi_ns=s[r[1] - 1], ci_level=r[2])
    return out


class Run:
    def __init__(self, path):
        self.path = path
        self.rng = random.Random(12)
        self.rows = []
        os.makedirs(os.path.join(path, "cells"), exist_ok=True)

    def draw(self, cost, n):
        """n samples around cost (ns): a few % of noise, a slow tail."""
        return [cost * (1 + abs(self.rng.gauss(0, 0.03)) + (0.2 if self.rng.random() < 0.1 else 0))
                for _ in range(n)]

    def cell(self, name, points):
        """points: [(row dict without statistics, samples)]."""
        rows, samples = [], []
        for base, vals in points:
            r = dict(base, cell=name, **summary(vals))
            rows.append(r)
            for i, v in enumerate(vals):
                samples.append([r["bench"], r["method"], r["fork_mode"], r["heap_bytes"], r["thp"], i,
                                r["metric"], f"{v:.0f}"])
        self.rows += rows
        with open(os.path.join(self.path, "cells", f"{name}.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=COLS[1:], extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        with open(os.path.join(self.path, "cells", f"{name}.samples.csv"), "w", newline="") as f:
            f.write("# forklab-samples v1 complete\n")
            w = csv.writer(f)
            w.writerow(["bench", "method", "fork_mode", "heap_bytes", "thp", "iteration", "metric", "value"])
            w.writerows(samples)

    def write(self, icount=False):
        insn = insn_column if icount else (lambda c: c)
        with open(os.path.join(self.path, "summary.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=[insn(c) for c in COLS])
            w.writeheader()
            w.writerows({insn(c): v for c, v in r.items()} for r in self.rows)
        meta = {"kernel_release": "6.12.117-forklab", "hostname": "synth", "fork_copy_mode": "cow",
                "thp_enabled": "madvise", "cpu_model": "synthetic", "cores": "2", "virtualization": "kvm",
                "governor": "n/a", "fork_modes": "cow stack eager", "date": "2026-12-01T00:00:00Z"}
        if icount:
            meta.update(virtualization="icount", clock="instructions (QEMU -icount shift=0)")
        with open(os.path.join(self.path, "metadata.json"), "w") as f:
            json.dump(meta, f, indent=2)


def spawn(run, name, thp):
    pts = []
    for heap in (0, 64 * MiB, 512 * MiB):
        mib = heap / MiB
        for m, us in (("fork_exit", 150 + 50 * mib), ("fork_exec", 300 + 60 * mib), ("posix_spawn", 200)):
            if thp == "always":
                us = us / 10 + 100
            for metric, k in (("return", 0.5), ("start", 1.0), ("reap", 1.3)):
                base = dict(bench="spawn", method=m, fork_mode="cow", heap_bytes=heap, thp=thp, metric=metric,
                            thp_fraction=1 if thp == "always" and heap else "")
                pts.append((base, run.draw(us * 1e3 * k, 20)))
    run.cell(name, pts)


def heap(run, name, mode, heaps, frac, thp="never", n=11, pw=0):
    pts = []
    for h in heaps:
        pages = h // PAGE
        fork = 20 + 50 * pages + (300 * pages if mode == "eager" else 0)
        child = (300 if mode == "eager" else 2000) * pages * frac
        base = dict(bench="heap", method=f"child{frac * 100:g}%-sequential-exit", fork_mode=mode, heap_bytes=h,
                    thp=thp, child_write_fraction=frac, parent_write_fraction=pw,
                    thp_fraction=1 if thp == "always" else "")
        if h == 128 * MiB and thp == "never":  # the crossover's costs
            total = (40 + 20 * frac if mode == "eager" else 10 + 100 * frac + (1 if mode == "stack" else 0)) * 1e6
        else:
            total = fork + child + 1e6
        for metric, cost in (("fork", fork), ("child_write", child), ("total", total), ("memcpy", 250 * pages)):
            pts.append((dict(base, metric=metric), run.draw(cost, n)))
    run.cell(name, pts)


def traced(run, name, mode):
    pages = 16 * MiB // PAGE
    half = pages // 2
    n = 6
    eager = mode == "eager"
    base = dict(bench="heap", method="child50%-sequential-exit", fork_mode=mode, heap_bytes=16 * MiB,
                thp="never", child_write_fraction=0.5, parent_write_fraction=1, metric="fork",
                pred_child_wp_faults=0 if eager else half, pred_child_cow_copies=0 if eager else half,
                pred_parent_wp_faults=0 if eager else pages, pred_parent_cow_reuses=0 if eager else pages,
                pred_eager_copies=pages if eager else "")
    got = {"parent": [0 if eager else pages, 0, 0 if eager else pages, 0 if eager else 1, 0,
                      pages + 100 if eager else 0],
           "child": [0 if eager else half, 0 if eager else half, 0, 0, 0 if eager else half, ""]}
    for role, vals in got.items():
        for c, v in zip(ROLE_COUNTERS, vals):
            base[f"{role}_{c}"] = "" if v == "" else v * n
    run.cell(name, [(base, run.draw(5e6, n))])


def main():
    run = Run(sys.argv[1])
    spawn(run, "procs", "never")
    spawn(run, "procs-huge", "always")
    for mode in ("cow", "stack", "eager"):
        heap(run, f"big@{mode}", mode, (32 * MiB, 128 * MiB), 1)
        heap(run, f"big-huge@{mode}", mode, (32 * MiB, 128 * MiB), 1, thp="always")
        for f in (0.05, 0.25, 0.6):
            heap(run, f"w{f * 100:g}@{mode}", mode, (128 * MiB,), f)
        traced(run, f"tally@{mode}", mode)
    run.write(icount="--icount" in sys.argv[2:])


if __name__ == "__main__":
    main()
