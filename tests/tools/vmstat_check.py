#!/usr/bin/env python3
"""vmstat_check.py RUN -> PASS:/FAIL: lines: in a run-all.sh --vm --debian
folder, each application cell's cowtrace counts (BPF: kprobes or fentry on
wp_page_copy, wp_page_reuse, fork_copy_count, copy_process and the
tlb:tlb_flush tracepoint) against the growth of the kernel's own
/proc/vmstat counters over the same windows (forkbench's vmstat_ columns).

The two sides never share a variable: cowtrace-sources.json (cowtrace's
report of where this kernel gives it each counter) must show cow_copies and
cow_reuses from the wp_page_copy and wp_page_reuse probes (else a FAIL).
eager_copies is compared only where it comes from a probe on forklab's
fork_copy_count (called with the pages of each copy made at fork, in the
forking task; the vm events count the same copies per CPU for the whole
system); where cowtrace reads it off the kernel's own fork_eager_copy +
fork_stack_copy events over dup_mmap (a kernel without that function), the
comparison would be of a counter with itself: a SKIP saying so.

forkbench reads /proc/vmstat before and after cowtrace's counters at each
edge of a window: vmstat_X covers cowtrace's window, and vmstat_edge_X is
what grew while cowtrace's counters were being read, inside vmstat_X's
window but perhaps outside cowtrace's (pymp's Python keeps running between
its samples).  So a count both sides see exactly lies in
[vmstat_X - vmstat_edge_X, vmstat_X].  The guest runs nothing but the run
(scripts/kernel/debian-guest-init: no services, no other process writing
while forkbench waits), so nothing else is allowed for.

Per cell (the application's traced row, summed over its iterations):
  copies   the kernel's cow_fault_copy (wp_page_copy's copies but those of
           the zero page, which allocate and copy nothing, and the unshare
           ones of GUP) between cowtrace's copies of fork-shared and
           page-cache pages (fork_copies + file_copies: of real pages, at
           most cow_fault_copy) and all of its copies (cow_copies: with the
           zero page's, at least cow_fault_copy less its edge).  Measured:
           equal to the first in pymp, pgbench and build, one more in Redis
           (a copy cowtrace puts in neither class)
  reuses   cow_reuses against pgreuse (every wp_page_reuse): in the interval
  eager    (probe source only) eager_copies against fork_eager_copy +
           fork_stack_copy: in the interval
  flushes  every fork either flushes the parent's TLB (cowtrace's
           tlb_flush_fork) or skips it (fork_tlb_flush_skipped: eager, nothing
           write-protected): phase_forks - tlb_flush_fork in the interval of
           fork_tlb_flush_skipped
  threaded fork_copy_threaded: 0 in cow mode (counted only for stack and
           eager forks); in stack and eager, Redis's BGSAVE forks (threads:
           bio, jemalloc) run as cow, each counted: = its tlb_flush_fork
           (cowtrace: one flush per cow fork) = the iterations; pymp, pgbench
           and build fork from single-threaded parents: 0
  backends pgbench: the connections of its -C runs (pgbench's own count)
           = the forks of the postmaster cowtrace saw (parent_phase_forks):
           the trace follows the server, started as user postgres, and
           every backend
  mode     eager (but Redis): no fork-caused write fault in the parent or
           the children (fork_copies and fork_reuses 0); cow: no page copied
           at fork (vmstat: fork_eager_copy + fork_stack_copy 0), the
           fork-caused faults (cowtrace) above 0
"""
import csv
import json
import os
import sys

APPS = ("redis", "pymp", "pgbench", "build")
THREADED = {"redis"}
MODES = ("cow", "stack", "eager")


def out(ok, name, detail):
    print(f"{'PASS' if ok else 'FAIL'}: {name}{' (' if ok else ': '}{detail}{')' if ok else ''}")


def traced_row(path):
    """The first row of the cell with cowtrace's counts, or None."""
    with open(path) as f:
        for r in csv.DictReader(l for l in f if not l.startswith("#")):
            if r.get("wp_faults"):
                return r
    return None


def num(r, k):
    v = r.get(k, "")
    return float(v) if v not in ("", None) else None


def within(name, got, v, edge, detail=""):
    """got in [v - edge, v]."""
    if got is None or v is None or edge is None:
        out(False, name, f"a count is missing: cowtrace {got}, vmstat {v}, edge {edge}")
        return
    out(v - edge <= got <= v, name,
        f"cowtrace {got:.0f}, vmstat {v:.0f} (edge {edge:.0f}){detail}")


def sources(run):
    """Whether cowtrace's eager_copies come from a probe (compared), or
    None when the copies and reuses themselves do not (nothing compared)."""
    path = os.path.join(run, "cowtrace-sources.json")
    try:
        with open(path) as f:
            c = json.load(f)["counters"]
    except (OSError, ValueError, KeyError) as e:
        out(False, "apps/vmstat/sources", f"no cowtrace report of its sources in {path}: {e}")
        return None
    ok = True
    for k, fn in (("cow_copies", "wp_page_copy"), ("cow_reuses", "wp_page_reuse")):
        src = c.get(k, {}).get("source", "")
        good = f"kprobe on {fn}" in src or f"fentry on {fn}" in src
        out(good, f"apps/vmstat/sources/{k}",
            f"{c.get(k, {}).get('status', '?')}: {src}" if good else
            f"'{src}': not a kprobe or fentry on {fn}, a source apart from /proc/vmstat")
        ok = ok and good
    src = c.get("eager_copies", {}).get("source", "")
    probe = "fork_copy_count" in src and "events" not in src
    if probe:
        out(True, "apps/vmstat/sources/eager_copies", src)
    else:
        print(f"SKIP: apps/vmstat/*/eager: cowtrace's eager_copies here are '{src}': "
              "the kernel's own counters, so no comparison with /proc/vmstat")
    return probe if ok else None
def cell(run, app, mode, eager_probe):
    path = os.path.join(run, "cells", f"{app}@{mode}.csv")
    r = traced_row(path) if os.path.exists(path) else None
    p = f"apps/{app}/{mode}/vmstat"
    if r is None:
        out(False, p, f"no traced row in {path}")
        return
    if num(r, "vmstat_cow_fault_copy") is None or num(r, "vmstat_edge_cow_fault_copy") is None:
        out(False, p, "no vmstat_ and vmstat_edge_ counts: not forklab's kernel, or a forkbench without them")
        return
    g = lambda k: num(r, k)  # noqa: E731
    e = lambda k: (g("vmstat_" + k), g("vmstat_edge_" + k))  # noqa: E731
    it = g("iterations")
    lo, hi = g("fork_copies") + g("file_copies"), g("cow_copies")
    v, ve = e("cow_fault_copy")
    out(lo <= v and v - ve <= hi, f"{p}/copies",
        f"cowtrace's copies of fork-shared and page-cache pages {lo:.0f} <= the kernel's "
        f"cow_fault_copy {v:.0f} (edge {ve:.0f}) <= all of cowtrace's copies {hi:.0f}")
    within(f"{p}/reuses", g("cow_reuses"), *e("pgreuse"))
    v = g("vmstat_fork_eager_copy") + g("vmstat_fork_stack_copy")
    ve = g("vmstat_edge_fork_eager_copy") + g("vmstat_edge_fork_stack_copy")
    c = g("eager_copies")
    if eager_probe:
        within(f"{p}/eager", c, v, ve)
    sk, ske = e("fork_tlb_flush_skipped")
    within(f"{p}/flushes", g("phase_forks") - g("tlb_flush_fork"), sk, ske,
           f"; forks {g('phase_forks'):.0f}, flushed {g('tlb_flush_fork'):.0f}")
    thr = g("vmstat_fork_copy_threaded")
    if mode == "cow" or app not in THREADED:
        out(thr == 0, f"{p}/threaded", f"fork_copy_threaded {thr:.0f}, expected 0")
    else:
        out(thr == g("tlb_flush_fork") == it, f"{p}/threaded",
            f"fork_copy_threaded {thr:.0f}, cowtrace's tlb_flush_fork {g('tlb_flush_fork'):.0f}, "
            f"BGSAVEs {it:.0f}")
    if mode == "eager" and app not in THREADED:
        out(g("fork_copies") == 0 and g("fork_reuses") == 0, f"apps/{app}/{mode}/no-fork-fault",
            f"fork_copies {g('fork_copies'):.0f}, fork_reuses {g('fork_reuses'):.0f}")
    if app == "pgbench":
        out(g("connections") == g("parent_phase_forks") and g("connections") > 0,
            f"apps/{app}/{mode}/traced-backends",
            f"connections {g('connections'):.0f} (pgbench's transactions with -C, and its first), "
            f"the postmaster's forks {g('parent_phase_forks'):.0f} (cowtrace)")
    if mode == "cow":
        out(v == 0 and g("fork_copies") + g("fork_reuses") > 0, f"apps/{app}/{mode}/cow-faults",
            f"pages copied at fork {v:.0f} (vmstat), fork_copies + fork_reuses "
            f"{g('fork_copies') + g('fork_reuses'):.0f} (cowtrace)")


def main():
    run = sys.argv[1]
    eager_probe = sources(run)
    if eager_probe is None:
        return
    for app in APPS:
        for mode in MODES:
            cell(run, app, mode, eager_probe)


main()
