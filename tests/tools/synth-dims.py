#!/usr/bin/env python3
"""synth-dims.py DIR [--modes cow,stack,eager] [--scale K] [--kernel R] [--date D] [--no-vmas]:
a synthetic run folder with the cells of the fork-cost dimensions (vmas,
heap --folio, threads) beside spawn and heap cells, for the report's tests
(tests/host/report-dims.sh), samples seeded and drawn around known costs,
every cost times K (default 1):

  vmas     fork = 200 us + 1 us per VMA (100, 1000, 10000 VMAs),
           reap = 2x fork; eager: + 10 %
  folio    a 64 MiB heap, the child writes 10 %: fork = 0.2 ms + 3.8 ms x
           4 KiB / folio size (4K, 16K, 64K, 2048K), child_write 25 ms,
           memcpy 4 ms, total fork + child_write + 1 ms; folio_fraction 1
  threads  write-1t, a 256 MiB parent: fork 8 ms, stall 300 us,
           outside_max 30 us (11 forks); 4000 sampled operations on each
           side: outside 30 ns but 0.5 % at 1 us, during 30 ns but 3 % at
           50 us (p99 50 us during, about 31 ns outside)
  spawn    as tests/tools/synth-run.py (fork_exit, fork_exec, posix_spawn)
  heap     as tests/tools/synth-run.py at 32 and 128 MiB, child writes 1

The summary's statistics come from the samples as forkbench's would
(synth-run.py's summary: bench/stats.c's CI of the median)."""
import argparse
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("synth_run", os.path.join(HERE, "synth-run.py"))
sr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sr)
sr.COLS += ["folio_bytes", "folio_fraction", "vmas", "thread_ops_during"]
MiB = sr.MiB


class Run(sr.Run):
    def __init__(self, path, scale):
        super().__init__(path)
        self.scale = scale

    def draw(self, cost, n):
        return super().draw(cost * self.scale, n)

    def mix(self, n, base, share, slow):
        """n operations of about base ns, a share of them about slow ns."""
        k = round(n * share)
        return [v * self.scale for v in [base * (1 + 0.05 * self.rng.random()) for _ in range(n - k)]
                + [slow * (1 + 0.2 * self.rng.random()) for _ in range(k)]]


def vmas(run, mode):
    pts = []
    for n in (100, 1000, 10000):
        fork = (200e3 + 1e3 * n) * (1.1 if mode == "eager" else 1)
        base = dict(bench="vmas", method=f"vmas{n}", fork_mode=mode, heap_bytes=0, thp="never", vmas=n)
        pts += [(dict(base, metric="fork"), run.draw(fork, 11)), (dict(base, metric="reap"), run.draw(2 * fork, 11))]
    run.cell(f"maps@{mode}", pts)


def folio(run, mode):
    pts = []
    for kib in (4, 16, 64, 2048):
        fork = 0.2e6 + 3.8e6 * 4 / kib
        base = dict(bench="heap", method=f"child10%-sequential-exit-folio{kib}K", fork_mode=mode,
                    heap_bytes=64 * MiB, thp="never", child_write_fraction=0.1, parent_write_fraction=0,
                    folio_bytes=kib * 1024, folio_fraction=1)
        for metric, cost in (("fork", fork), ("child_write", 25e6), ("memcpy", 4e6), ("total", fork + 26e6)):
            pts.append((dict(base, metric=metric), run.draw(cost, 8)))
    run.cell(f"sizes@{mode}", pts)


def threads(run, mode):
    base = dict(bench="threads", fork_mode=mode, heap_bytes=256 * MiB, thp="never")
    pts = [(dict(base, method="write-1t", metric=m), run.draw(c, 11))
           for m, c in (("fork", 8e6), ("stall", 300e3), ("outside_max", 30e3))]
    pts.append((dict(base, method="write-1t-during", metric="op"), run.mix(4000, 30, 0.03, 50e3)))
    pts.append((dict(base, method="write-1t-outside", metric="op"), run.mix(4000, 30, 0.005, 1e3)))
    run.cell(f"busy@{mode}", pts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--modes", default="cow")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--kernel", default="6.18.44-synth")
    ap.add_argument("--date", default="2026-12-01T00:00:00Z")
    ap.add_argument("--no-vmas", action="store_true")
    a = ap.parse_args()
    run = Run(a.dir, a.scale)
    sr.spawn(run, "procs", "never")
    for mode in a.modes.split(","):
        sr.heap(run, f"big@{mode}", mode, (32 * MiB, 128 * MiB), 1)
        if not a.no_vmas:
            vmas(run, mode)
        folio(run, mode)
        threads(run, mode)
    run.write()
    meta = os.path.join(a.dir, "metadata.json")
    text = open(meta).read().replace("6.12.117-forklab", a.kernel).replace("2026-12-01T00:00:00Z", a.date)
    if a.modes == "cow":
        text = text.replace('"cow stack eager"', '"cow"')
    with open(meta, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
