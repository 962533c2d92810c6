#!/usr/bin/env python3
"""synth-pgbench.py DIR [--modes cow,stack,eager] [--grow K] [-n N] [--tcg] [--traced]:
a synthetic run folder with forkbench pgbench cells (one per fork mode,
shared_buffers 16 and 256 MiB) beside a spawn cell, for the report's
tests (tests/host/report-pgbench.sh), samples seeded and drawn around
known costs:

  select          0.05 ms per transaction (pgbench -S, one connection)
  connect         2 ms per transaction at 16 MiB, K x 2 ms at 256 MiB
                  (default K 1: flat); eager mode 1.5x
  select-connect  select + connect of the same iteration

N iterations per row (default 11); --tcg marks the run as made under QEMU
TCG; --traced gives every pgbench row cowtrace's counts (tracing slows
what it measures: the report draws no such row).  The summary's
statistics come from the samples as forkbench's would (synth-run.py)."""
import argparse
import importlib.util
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("synth_run", os.path.join(HERE, "synth-run.py"))
sr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sr)
sr.COLS += ["wp_faults"]
MiB = sr.MiB


def pgbench(run, mode, grow, n, traced):
    pts = []
    for h in (16 * MiB, 256 * MiB):
        conn = 2e6 * (grow if h > 16 * MiB else 1) * (1.5 if mode == "eager" else 1)
        sel = run.draw(50e3, n)
        cost = run.draw(conn, n)
        base = dict(bench="pgbench", fork_mode=mode, heap_bytes=h, thp="never")
        if traced:
            base["wp_faults"] = 1000 * n
        pts += [(dict(base, method="select", metric="latency"), sel),
                (dict(base, method="select-connect", metric="latency"), [s + c for s, c in zip(sel, cost)]),
                (dict(base, method="connect", metric="connect"), cost)]
    run.cell(f"pg@{mode}", pts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--modes", default="cow,stack,eager")
    ap.add_argument("--grow", type=float, default=1.0)
    ap.add_argument("-n", type=int, default=11)
    ap.add_argument("--tcg", action="store_true")
    ap.add_argument("--traced", action="store_true")
    a = ap.parse_args()
    run = sr.Run(a.dir)
    sr.spawn(run, "procs", "never")
    for mode in a.modes.split(","):
        pgbench(run, mode, a.grow, a.n, a.traced)
    run.write()
    path = os.path.join(a.dir, "metadata.json")
    with open(path) as f:
        meta = json.load(f)
    meta["fork_modes"] = " ".join(a.modes.split(","))
    if a.tcg:
        meta["virtualization"] = "tcg"
    with open(path, "w") as f:
        json.dump(meta, f, indent=2)


if __name__ == "__main__":
    main()
