#!/usr/bin/env python3
"""forklab report: plots and report.md/report.html/report.pdf for one or more runs.

    analysis/report.py RUN [RUN...] [--out DIR]

RUN is a results folder (summary.csv, metadata.json, cells/).  With one run
the report goes into RUN/; with several, into --out (default: the first
run's folder), one section per run.  The report finds its cells by what
they measured (each row's benchmark, method, heap, THP, write fractions,
whether it was traced), never by their names, so any matrix gets every
plot it has data for.  Medians and their 95 % CIs come from the runs'
summaries (forkbench's bench/stats.c); for runs made before the ci_level
column the CI is taken from the samples by the same rule (median_ci
below).  Ratios and the crossover get a percentile bootstrap CI from the
samples (cells/*.samples.csv).  Under QEMU TCG nothing is derived from
times: counts only.  A run under QEMU -icount (run-all.sh --vm --icount;
metadata "clock": "instructions ...") has instructions where others have
times: its summary's *_insn columns are read as the *_ns ones, and every
unit and "time" of its text and plots says instructions.  Plots are drawn by the gnuplot scripts beside this
file (gnuplot -c), PNG and SVG, and all of it once more into one PDF
(gnuplot's pdfcairo).  docs/run-all.md describes each plot.

With several runs a last section compares them: overlay plots
(plots-overlay/, class Overlay) with one line per run on the same axes.
"""
import argparse
import atexit
import base64
import csv
import glob
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ["cow", "stack", "eager"]
MiB = 1024 * 1024
PAGE = 4096
HPAGE = 2 * MiB  # bench/result.h FB_HPAGE_BYTES
CI_MIN_N = 6     # bench/stats.h STATS_CI_MIN_N
NOT_MEASURED = "not measured"  # a plot function's answer for a benchmark the run lacks
RESAMPLES = 2000
TCG_NOTE = ("**A run under QEMU TCG (software emulation): its times mean nothing (emulated memory "
            "copies and faults bear no relation to hardware); only its counts are meaningful, and "
            "they are exact.**")
ICOUNT_NOTE = ("**Instructions, not time: a run under QEMU -icount (shift=0), whose guest clock advanced "
               "one ns per instruction. Every value below that a timed run gives in ns, µs or ms is a "
               "count of the guest's instructions (k: thousands, M: millions), repeatable within a boot; "
               "TCG's instructions, so memory bandwidth, caches and TLB misses are not in them.**")
ICOUNT_MIXED_NOTE = ("**{runs}: instructions, not time (QEMU -icount): where the text says ns, µs or ms "
                     "of {them}, read instructions, thousands and millions of instructions.**")
# A time's words -> an instruction count's (1 ns of an -icount guest = 1
# instruction), applied to the text and the plots' labels of such a run.
# Never inside a name (cell names, columns, paths: letters, digits, _ @ / . -
# around the word).
_W = r"(?<![\w@/-])(?<!\w\.)"
_E = r"(?![\w@/-]|\.\w)"
INSN_WORDS = [(re.compile(a), b) for a, b in (
    (_W + r"Every time is" + _E, "Every instruction count is"),
    (_W + r"time \(ms" + _E, "instructions (millions"),
    (_W + r"time \(µs" + _E, "instructions (thousands"),
    (_W + r"ms" + _E, "M instructions"),
    (_W + r"µs" + _E, "k instructions"),
    (_W + r"ns" + _E, "instructions"),
    (_W + r"times" + _E, "instruction counts"),
    (_W + r"Time" + _E, "Instructions"),
    (_W + r"time" + _E, "instructions"),
)]


def insn_words(text):
    """The text of an -icount run: its units and times as instructions."""
    for a, b in INSN_WORDS:
        text = a.sub(b, text)
    return text


# The summary.csv of an -icount run (run-all.sh --vm --icount) names its
# columns by instructions: a time unit of a column name (between _ or at
# its ends) becomes the instruction count's, and back when it is read.
INSN_COLUMN_UNITS = {"per_s": "per_ginsn", "gbps": "bytes_per_insn", "usec": "kinsn", "sec": "ginsn",
                     "ms": "minsn", "ns": "insn"}
_COL_TO = re.compile(r"(?<![^_])(" + "|".join(INSN_COLUMN_UNITS) + r")(?![^_])")
_COL_BACK = re.compile(r"(?<![^_])(" + "|".join(INSN_COLUMN_UNITS.values()) + r")(?![^_])")
_BACK = {v: k for k, v in INSN_COLUMN_UNITS.items()}


def insn_column(name):
    """'median_ns' -> 'median_insn', 'fork_ms_per_gib' -> 'fork_minsn_per_gib', 'memcpy_gbps' ->
    'memcpy_bytes_per_insn' (GB/s = bytes per ns)."""
    return _COL_TO.sub(lambda m: INSN_COLUMN_UNITS[m.group(1)], name)


def insn_columns(row):
    """A summary row of an -icount run with its columns by their time names again."""
    return {_COL_BACK.sub(lambda m: _BACK[m.group(1)], k): v for k, v in row.items()}


def is_icount(meta):
    return str(meta.get("clock", "")).startswith("instructions")


def num(v):
    try:
        f = float(v)
        return f if math.isfinite(f) else None
    except (TypeError, ValueError):
        return None


class BadRun(Exception):
    """A run folder report.py cannot use; the message is one line."""


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def load_run(path):
    f = os.path.join(path, "summary.csv")
    try:
        rows = read_csv(f)
        f = os.path.join(path, "metadata.json")
        with open(f) as fh:
            meta = json.load(fh)
    except json.JSONDecodeError as e:
        raise BadRun(f"{f}:{e.lineno}: not valid JSON: {e.msg}") from e
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        raise BadRun(f"cannot read {f}: {e}") from e
    if not isinstance(meta, dict):
        raise BadRun(f"{f}: not a JSON object")
    if is_icount(meta):
        rows = [insn_columns(r) for r in rows]
    return rows, meta


def load_samples(path):
    """{(cell, method, metric, fork_mode, heap_bytes, thp): [values]} of a run."""
    out = {}
    for f in sorted(glob.glob(os.path.join(path, "cells", "*.samples.csv"))):
        cell = os.path.basename(f)[:-len(".samples.csv")]
        try:
            rows = read_csv(f)
        except (OSError, csv.Error, UnicodeDecodeError) as e:
            raise BadRun(f"cannot read {f}: {e}") from e
        for r in rows:
            v = num(r.get("value"))
            if v is not None:
                key = (cell, r.get("method", ""), r.get("metric", ""), r.get("fork_mode", ""),
                       r.get("heap_bytes", ""), r.get("thp", ""))
                out.setdefault(key, []).append(v)
    return out


def first_seen(values):
    """The distinct values, in the order they first come."""
    return list(dict.fromkeys(values))


def pick(rows, **kw):
    return [r for r in rows if all(r.get(k) == v for k, v in kw.items())]


def median(v):
    s = sorted(v)
    h = len(s) // 2
    return s[h] if len(s) % 2 else (s[h - 1] + s[h]) / 2


# ---- statistics ----
def median_ci(n):
    """(lo rank, hi rank, coverage) of the CI of the median of n values, ranks
    1-based, or None below 6: bench/stats.c stats_median_ci, the same walk
    over Binomial(n, 1/2) (coverage >= 95 %, as close as the ranks allow)."""
    def pmf(k):
        return math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) - n * math.log(2))
    half = n / 2
    k = max(0, int(math.floor(half - 8 * math.sqrt(n))))
    f = 0.0
    best = bi = bj = None
    while k < half:
        f_prev = f
        f += pmf(k)
        if k > 0:
            if f + f_prev > 0.05 or 2 * k + 1 > n:
                break
            bi, bj, best = k, k - 1, f + f_prev
        if 2 * f > 0.05 or 2 * k + 2 > n:
            break
        bi, bj, best = k, k, 2 * f
        k += 1
    return None if best is None else (bi + 1, n - bj, 1 - best)


def sig(v, n=3):
    """v with n significant digits, never in exponent form: 21.1, 0.578, 77961."""
    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    return f"{v:.{max(0, n - 1 - math.floor(math.log10(abs(v))))}f}"


def old_ci_level(n):
    """The coverage of the ranks forkbench's CI of the median had before the
    ci_level column (floor(n/2 - 0.98 sqrt n), ceil(n/2 + 1 + 0.98 sqrt n)):
    P(j <= B < k), B ~ Binomial(n, 1/2)."""
    half = 0.98 * math.sqrt(n)
    j = max(1, math.floor(n / 2 - half))
    k = min(n, math.ceil(n / 2 + 1 + half))
    return sum(math.comb(n, b) for b in range(j, k)) / 2 ** n


class Est:
    """A median with its 95 % CI (lo, hi; None when n/a) and n, in ns."""

    def __init__(self, med, lo, hi, level, n, why="", old=False):
        self.med, self.lo, self.hi, self.level, self.n, self.why = med, lo, hi, level, n, why
        self.old = old  # the summary's interval by forkbench's rule before ci_level

    def scaled(self, k):
        s = lambda v: None if v is None else v * k
        return Est(s(self.med), s(self.lo), s(self.hi), self.level, self.n, self.why, self.old)

    def has_ci(self):
        return self.lo is not None and self.hi is not None

    def ci_words(self, unit, k):
        """'95 % CI 20.9–21.4 ms, n = 8' with values x k (or why there is none)."""
        f = lambda v: sig(v * k)
        if not self.has_ci():
            return f"95 % CI n/a ({self.why}), n = {self.n}"
        name = "95 % CI" if self.level is None or self.level >= 0.95 else "CI"
        lvl = f" (an older rule's: coverage {100 * self.level:.1f} %)" if self.old else ""
        return f"{name} {f(self.lo)}–{f(self.hi)} {unit}{lvl}, n = {self.n}"

    def words(self, unit, k):
        """'21.1 ms (median; 95 % CI 20.9–21.4 ms, n = 8)' with values x k."""
        return f"{sig(self.med * k)} {unit} (median; {self.ci_words(unit, k)})"


def boot_medians(v, rng, resamples=RESAMPLES):
    return [median(rng.choices(v, k=len(v))) for _ in range(resamples)]


def pct_ci(vals):
    """The 2.5 and 97.5 percentiles of bootstrap values."""
    s = sorted(vals)
    n = len(s)
    return s[int(0.025 * n)], s[max(0, math.ceil(0.975 * n) - 1)]


def crossing(xs, diff):
    """The x where diff (eager - cow) first goes from > 0 to <= 0, linearly
    interpolated (x in % written on a linear axis, where the costs are
    straight lines); 0 when eager is already cheaper at the first x, None
    when it never is."""
    if diff[0] <= 0:
        return 0.0
    for x0, x1, d0, d1 in zip(xs, xs[1:], diff, diff[1:]):
        if d0 > 0 >= d1:
            return x0 + (x1 - x0) * d0 / (d0 - d1)
    return None


# ---- plots ----
def write_dat(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def gp_str(s):
    """A gnuplot single-quoted string."""
    return "'" + str(s).replace("'", "''") + "'"


_GP_INSN = []  # the folder of the gnuplot scripts as an -icount run's


def gp_script(script, insn=False):
    """The path of a gnuplot script beside this file; for an -icount run
    (insn) a copy whose strings (titles, labels) say instructions."""
    if not insn:
        return os.path.join(HERE, script)
    if not _GP_INSN:
        d = tempfile.mkdtemp(prefix="forklab-gp-")
        atexit.register(shutil.rmtree, d, True)
        shutil.copy(os.path.join(HERE, "common.gp"), d)
        _GP_INSN.append(d)
    path = os.path.join(_GP_INSN[0], script)
    if not os.path.exists(path):
        with open(os.path.join(HERE, script)) as f:
            text = re.sub(r'"[^"\n]*"', lambda m: insn_words(m.group(0)), f.read())
        with open(path, "w") as f:
            f.write(text)
    return path


def insn_args(args):
    """A plot's arguments for an -icount run: its words, not its paths."""
    return tuple(insn_words(a) if isinstance(a, str) and os.sep not in a else a for a in args)


def gnuplot(script, *args):
    path = script if os.path.isabs(script) else os.path.join(HERE, script)
    cmd = ["gnuplot", "-c", path] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{script}: {r.stderr.strip()}")


def heap_x(b):
    """Heap in MiB for a log axis; the empty heap is drawn at 0.25."""
    b = float(b)
    return 0.25 if b == 0 else b / MiB


def heap_words(b):
    b = float(b)
    if b == 0:
        return "0"
    if b >= 2**30 and b % 2**30 == 0:
        return f"{b / 2**30:g} GiB"
    return f"{b / MiB:g} MiB" if b >= MiB else f"{b / 1024:g} KiB"


def log_range(vals):
    """A log axis range holding vals, its ends on the 1-2-5 steps below and
    above them (no half-empty decade)."""
    vals = [v for v in vals if v is not None and v > 0]
    if not vals:
        return 1, 10
    steps = [m * 10 ** e for e in range(-3, 13) for m in (1, 2, 5)]
    lo = max([s for s in steps if s <= min(vals) / 1.05] or [steps[0]])
    hi = min([s for s in steps if s >= max(vals) * 1.05] or [steps[-1]])
    return lo, hi


def est_line(x, e, k):
    """'x median lo hi' of an Est in units of k ns; NaN for a CI n/a."""
    f = lambda v: "NaN" if v is None else f"{v / k:.6g}"
    return f"{x:.6g} {f(e.med)} {f(e.lo)} {f(e.hi)}"


class Run:
    def __init__(self, path):
        self.path = path
        self.rows, self.meta = load_run(path)
        self.samples = load_samples(path)
        self.legacy = bool(self.rows) and "ci_level" not in self.rows[0]
        self.label = f"{self.meta.get('hostname', '?')} {self.meta.get('kernel_release', '?')}"
        self.tcg = self.meta.get("virtualization") == "tcg"
        self.icount = is_icount(self.meta)
        self.run_modes = [m for m in MODES if any(r.get("fork_mode") == m for r in self.rows)]
        self.plots = {}      # key -> (png path, caption)
        self.missing = {}    # key -> why there is no plot
        self.notes = {}      # key -> what its caption adds (how its error bars were drawn)
        self.calls = []      # (key, script, args) for the PDF
        self.used = {}       # cell -> [plot keys it feeds]
        self.counts_table = []
        self.cross = None
        self.classify()

    # ---- what each row measured ----
    def key(self, r):
        return (r["cell"], r.get("method", ""), r.get("metric", ""), r.get("fork_mode", ""),
                r.get("heap_bytes", ""), r.get("thp", ""))

    def est(self, r):
        """The Est of a summary row: forkbench's CI (ci_level), or for a run
        made before that column, from its samples by the same rule."""
        n = int(num(r.get("iterations")) or 0)
        med = num(r.get("median_ns"))
        if not self.legacy:
            lo, hi, lvl = num(r.get("ci95_lo_ns")), num(r.get("ci95_hi_ns")), num(r.get("ci_level"))
            if lvl is None:
                return Est(med, None, None, None, n, f"fewer than {CI_MIN_N} iterations" if n < CI_MIN_N else "none in the summary")
            return Est(med, lo, hi, lvl, n)
        v = sorted(self.samples.get(self.key(r), []))
        if v:
            ranks = median_ci(len(v))
            if ranks is None:
                return Est(med, None, None, None, n, f"fewer than {CI_MIN_N} samples")
            return Est(med, v[ranks[0] - 1], v[ranks[1] - 1], ranks[2], n)
        if n < CI_MIN_N:
            return Est(med, None, None, None, n, f"fewer than {CI_MIN_N} iterations")
        # no samples: the summary's interval, by the rule forkbench used
        # then, with the coverage those ranks achieve
        lo, hi = num(r.get("ci95_lo_ns")), num(r.get("ci95_hi_ns"))
        if lo is None or hi is None:
            return Est(med, None, None, None, n, "none in the summary")
        return Est(med, lo, hi, old_ci_level(n), n, old=True)

    def classify(self):
        rows = [r for r in self.rows if num(r.get("median_ns")) is not None]
        for r in self.rows:
            self.used.setdefault(r["cell"], [])

        size = {}
        for r in self.rows:
            size[r["cell"]] = size.get(r["cell"], 0) + 1

        self.twins = {}  # a cell every point of which another cell's is drawn instead -> that cell

        def best(group):
            """One row per key: the one with the most iterations, then from the
            cell with the most rows (a series rather than a single point)."""
            out, lost = {}, []
            rank = lambda r: (num(r.get("iterations")) or 0, size[r["cell"]])
            for k, r in group:
                if k not in out or rank(r) > rank(out[k]):
                    if k in out:
                        lost.append((out[k], k))
                    out[k] = r
                else:
                    lost.append((r, k))
            for r, k in lost:
                if out[k]["cell"] != r["cell"]:
                    self.twins.setdefault(r["cell"], out[k]["cell"])
            return out
        self.spawn = best(((r["thp"], r["method"], r["metric"], float(r["heap_bytes"])), r)
                          for r in rows if r.get("bench") == "spawn")
        heap = [r for r in rows if r.get("bench") == "heap" and not self.traced(r) and not self.folio(r)]
        # fork, the child's write of every page, memcpy: per heap size
        self.sizes = best(((r["thp"], r["fork_mode"], r["metric"], float(r["heap_bytes"])), r) for r in heap
                          if num(r.get("child_write_fraction")) == 1 and not num(r.get("parent_write_fraction")))
        # the fraction written, at the heap size with the most fractions
        frac = {}
        for r in heap:
            cw = num(r.get("child_write_fraction"))
            if r["thp"] == "never" and cw is not None and not num(r.get("parent_write_fraction")) \
                    and r["metric"] == "total":
                frac.setdefault(float(r["heap_bytes"]), []).append((cw, r))
        self.frac_heap, self.frac = None, {}
        if frac:
            h = max(frac, key=lambda h: (len({cw for cw, _ in frac[h]}), h))
            if len({cw for cw, _ in frac[h]}) >= 2:
                self.frac_heap = h
                self.frac = best(((r["fork_mode"], 100 * cw), r) for cw, r in frac[h])
        self.traced_rows = [r for r in rows if r.get("bench") == "heap" and self.traced(r) and r["metric"] == "fork"
                            and not self.folio(r)]

    @staticmethod
    def traced(r):
        return any(num(r.get(c)) is not None for c in ("child_wp_faults", "parent_wp_faults", "wp_faults"))

    def use(self, rows, key):
        for r in rows:
            if key not in self.used.setdefault(r["cell"], []):
                self.used[r["cell"]].append(key)

    def spawn_methods(self):
        """The spawn methods of this run, from its method column, in the
        order forkbench writes them: a method forkbench gains shows here
        with no edit to this file."""
        return first_seen(r["method"] for r in self.rows
                          if r.get("bench") == "spawn" and r.get("metric") == "start")

    def draw(self, key, script, *args):
        if self.icount:
            args = insn_args(args)
        gnuplot(gp_script(script, self.icount), *args)
        self.calls.append((key, script, args))

    # ---- the plots: each answers one question ----
    def plot_spawn(self, d, out):
        methods = self.spawn_methods()
        if not methods:
            return "no spawn cells in this run"
        thps = [t for t in ("never", "always") if any(k[0] == t and k[2] == "start" for k in self.spawn)]
        heaps = sorted({k[3] for k in self.spawn if k[2] == "start"})
        vals = []
        for thp in thps:
            for m in methods:
                pts = sorted((k[3], r) for k, r in self.spawn.items() if k[:3] == (thp, m, "start"))
                es = [(h, self.est(r)) for h, r in pts]
                vals += [v for _, e in es for v in (e.med, e.lo, e.hi)]
                write_dat(os.path.join(d, f"spawn-{thp}-{m}.dat"),
                          ["# heap_MiB median_us ci_lo_us ci_hi_us"] +
                          ([est_line(heap_x(h), e, 1e3) for h, e in es] or ["NaN NaN NaN NaN"]))
                self.use([r for _, r in pts], "spawn")
        lo, hi = log_range([v / 1e3 for v in vals if v])
        self.draw("spawn", "spawn.gp", d, out, " ".join(methods), " ".join(thps),
                  " ".join(f"{h / MiB:g}" for h in heaps), lo, hi)
        return None

    def plot_modes(self, d, out):
        if len(self.run_modes) < 2:
            return f"{self.mode_words()}: the plot compares fork modes"
        pts = {k: r for k, r in self.sizes.items() if k[0] == "never"}
        modes = [m for m in MODES if any(k[1] == m for k in pts)]
        if len(modes) < 2:
            return "no heap cells (child writes every page) in two fork modes or more"
        hmax = 0
        for what in ("fork", "child_write"):
            for m in modes:
                rs = sorted((k[3], r) for k, r in pts.items() if k[1] == m and k[2] == what)
                hmax = max([hmax] + [h for h, _ in rs])
                write_dat(os.path.join(d, f"modes-{what}-{m}.dat"), ["# heap_MiB median_ms ci_lo_ms ci_hi_ms"] +
                          ([est_line(h / MiB, self.est(r), 1e6) for h, r in rs] or ["NaN NaN NaN NaN"]))
                self.use([r for _, r in rs], "modes")
        self.draw("modes", "modes.gp", d, out, " ".join(modes), hmax / MiB * 1.08)
        return None

    def counts_data(self):
        """(title, counters, [(column, role, mode, [value or None per counter])]) or a reason."""
        traced = sorted(self.traced_rows, key=lambda r: (MODES.index(r["fork_mode"]) if r["fork_mode"] in MODES
                                                         else 9, float(r["heap_bytes"])))
        traced = [r for r in traced if float(r["heap_bytes"]) == float(traced[0]["heap_bytes"])] if traced else []
        traced = list({r["fork_mode"]: r for r in reversed(traced)}.values())[::-1]
        bars = []
        if traced:
            counters = ["wp_faults", "cow_copies", "cow_reuses", "tlb_flush_fork", "tlb_flush_fault", "eager_copies"]
            for r in traced:
                it = float(r["iterations"])
                for role in ("parent", "child"):
                    got = [num(r.get(f"{role}_{c}")) for c in counters]
                    bars.append((r["fork_mode"], role, [None if v is None else v / it for v in got]))
                    self.counts_row(r, role, counters, got, it)
            r0 = traced[0]
            title = (f"cowtrace counts per iteration, heap {heap_words(r0['heap_bytes'])}: "
                     f"child writes {100 * (num(r0.get('child_write_fraction')) or 0):g} %, "
                     f"then the parent {100 * (num(r0.get('parent_write_fraction')) or 0):g} % "
                     f"(n = {int(float(r0['iterations']))})")
            self.use(traced, "counts")
            return title, counters, bars
        rs = [r for r in self.rows if r.get("bench") == "heap" and r["metric"] == "fork"
              and num(r.get("pred_child_wp_faults")) is not None and not self.folio(r)]
        if not rs:
            return "no traced heap cell (cowtrace needs root) and no heap cell with predictions"
        # the cell whose writes tell most: the parent writes too, the child part of the heap, the smallest heap
        score = lambda r: (-(num(r.get("parent_write_fraction")) or 0),
                           abs((num(r.get("child_write_fraction")) or 0) - 0.5), float(r["heap_bytes"]))
        r0 = min(rs, key=score)
        rs = [r for r in rs if score(r) == score(r0)]
        rs = sorted({r["fork_mode"]: r for r in rs}.values(), key=lambda r: MODES.index(r["fork_mode"])
                    if r["fork_mode"] in MODES else 9)
        counters = ["wp_faults (measured minflt)", "predicted wp_faults", "predicted copies", "predicted reuses"]
        for r in rs:
            for role in ("parent", "child"):
                pre = "pred_parent" if role == "parent" else "pred_child"
                pw = num(r.get(f"{pre}_wp_faults"))
                pr = num(r.get("pred_parent_cow_reuses")) if role == "parent" else 0
                pc = num(r.get(f"{pre}_cow_copies"))
                if pc is None and role == "parent":  # runs before the column: faults - reuses
                    pc = None if pw is None or pr is None else pw - pr
                bars.append((r["fork_mode"], role, [num(r.get(f"{role}_write_minflt")), pw, pc, pr]))
        title = (f"write faults per iteration (getrusage) and predictions, heap {heap_words(r0['heap_bytes'])}: "
                 f"child writes {100 * (num(r0.get('child_write_fraction')) or 0):g} %, then the parent "
                 f"{100 * (num(r0.get('parent_write_fraction')) or 0):g} % (cowtrace needs root)")
        self.use(rs, "counts")
        return title, counters, bars

    def counts_row(self, r, role, counters, got, it):
        pw = num(r.get(f"pred_{role}_wp_faults"))
        if role == "child":
            pc = num(r.get("pred_child_cow_copies"))
            pr = None if pw is None or pc is None else pw - pc
        else:
            pr = num(r.get("pred_parent_cow_reuses"))
            # runs before pred_parent_cow_copies: faults - reuses
            pc = num(r.get("pred_parent_cow_copies"))
            if pc is None:
                pc = None if pw is None or pr is None else pw - pr
        pe = num(r.get("pred_eager_copies")) if role == "parent" and r["fork_mode"] == "eager" else None
        pred = [pw, pc, pr, None, None, pe]
        self.counts_table.append((f"{r['fork_mode']}/{role}", counters,
                                  [None if v is None else v / it for v in got], pred))

    COUNTER_WORDS = {
        "wp_faults": "write-protect faults", "cow_copies": "COW copies (a new page)",
        "cow_reuses": "COW reuses (the page kept)", "tlb_flush_fork": "TLB flushes at fork",
        "tlb_flush_fault": "TLB flushes at faults", "eager_copies": "pages copied at fork (eager)",
    }

    def plot_counts(self, d, out):
        got = self.counts_data()
        if isinstance(got, str):
            return got
        title, counters, bars = got
        for i, c in enumerate(counters, 1):
            lines = [f"# {c}" + (f": {self.COUNTER_WORDS[c]}" if c in self.COUNTER_WORDS else "")]
            for j, (mode, role, vals) in enumerate(bars):
                v = vals[i - 1]
                lt = MODES.index(mode) + 1 if mode in MODES else 6
                lines.append(f'{j} "{mode}" "{role}" {0 if v is None else f"{v:g}"} '
                             f'"{"n/a" if v is None else f"{v:g}"}" {lt}')
            write_dat(os.path.join(d, f"counts-{i}.dat"), lines)
        note = " (QEMU TCG guest: counts are exact)" if self.tcg else ""
        self.draw("counts", "counts.gp", d, out, title + note, len(counters))
        return None

    def plot_cdf(self, d, out):
        methods = self.spawn_methods()
        ks = {(k[1], k[3]): r for k, r in self.spawn.items() if k[0] == "never" and k[2] == "start"}
        vals = {}
        for (m, h), r in ks.items():
            v = self.samples.get(self.key(r))
            if v:
                vals[(m, int(h))] = sorted(x / 1e3 for x in v)
        if not vals:
            return "no samples of spawn cells (4 KiB pages) in this run"
        heaps = sorted({h for _, h in vals})
        pickh = [heaps[0], heaps[-1]] if len(heaps) > 1 else heaps
        methods = [m for m in first_seen(methods + sorted(m for m, _ in vals)) if any((m, h) in vals for h in pickh)]
        allv = []
        for i, h in enumerate(pickh, 1):
            for m in methods:
                v = vals.get((m, h), [])
                allv += v
                write_dat(os.path.join(d, f"cdf-{i}-{m}.dat"),
                          ["# us fraction"] + [f"{x} {(k + 1) / len(v)}" for k, x in enumerate(v)] or ["NaN NaN"])
                if (m, h) in vals:
                    self.use([ks[(m, float(h))]], "cdf")
        labels = " ".join(("empty" if h == 0 else heap_words(h).replace(" ", "\u00a0")) for h in pickh)
        lo, hi = log_range(allv)
        self.draw("cdf", "cdf.gp", d, out, " ".join(methods), labels, lo, hi)
        return None

    def plot_pages(self, d, out):
        if not self.sizes:
            return "no heap cells in which the child writes every page"
        thps = [t for t in ("never", "always") if any(k[0] == t for k in self.sizes)]
        modes = [m for m in MODES if any(k[1] == m for k in self.sizes)]
        series, vals, heaps = [], [], set()
        for what, label in (("fork", "fork()"), ("child_write", "the child's write"),
                            ("memcpy", "memcpy (same run)")):
            for m in (modes if what != "memcpy" else modes[:1]):
                name = f"pages-{what}-{m}"
                title = label if what == "memcpy" or len(modes) == 1 else f"{label}, {m}"
                if what == "child_write" and m != "eager":
                    title += " (a COW fault)" if len(modes) == 1 else ""
                series.append((name, what, m))
                for thp in thps:
                    rs = sorted((k[3], r) for k, r in self.sizes.items() if k[:3] == (thp, m, what))
                    lines = [f'heap_MiB "{title}" ci_lo_ns ci_hi_ns']
                    for h, r in rs:
                        e = self.est(r).scaled(PAGE / h)
                        vals += [e.med, e.lo, e.hi]
                        heaps.add(h)
                        lines.append(est_line(h / MiB, e, 1))
                    write_dat(os.path.join(d, f"{name}-{thp}.dat"), lines if len(lines) > 1 else lines + ["NaN NaN NaN NaN"])
                    self.use([r for _, r in rs], "pages")
        lo, hi = log_range(vals)
        self.draw("pages", "pages.gp", d, out, *(" ".join(s[i] for s in series) for i in range(3)),
                  " ".join(thps), " ".join(f"{h / MiB:g}" for h in sorted(heaps)), lo, hi)
        return None

    def redis_windows(self, r):
        """{iteration: [(start_ms, phase, p99_ns, max_ns)]} of a redis timeline row's cell."""
        k = self.key(r)
        col = {m: self.samples.get(k[:2] + (m,) + k[3:], [])
               for m in ("window_start_ms", "window_phase", "window_p99", "window_max", "window_iteration")}
        n = min(len(v) for v in col.values())
        out = {}
        for i in range(n):
            out.setdefault(int(col["window_iteration"][i]), []).append(
                (col["window_start_ms"][i], int(col["window_phase"][i]), col["window_p99"][i], col["window_max"][i]))
        return out

    def plot_redis(self, d, out):
        rows = [r for r in self.rows if r.get("bench") == "redis" and r.get("method") == "timeline"
                and r.get("metric") == "window_p99"]
        if not rows:
            return "no redis timeline rows in this run"
        by = {}
        for r in rows:
            by.setdefault(r["fork_mode"], {})[float(r["heap_bytes"])] = r
        modes = [m for m in MODES if m in by] + sorted(m for m in by if m not in MODES)
        common = set.intersection(*(set(v) for v in by.values()))
        ds = max(common) if common else max(by[modes[0]])
        modes = [m for m in modes if ds in by[m]]
        drawn, ends, vals = [], [], []
        for m in modes:
            r = by[m][ds]
            its = self.redis_windows(r)
            if not its:
                continue
            # the BGSAVE of median duration (windows during it)
            order = sorted(its, key=lambda i: (sum(1 for w in its[i] if w[1] == 1), i))
            ws = its[order[(len(order) - 1) // 2]]
            fork = [x for x in self.rows if x["cell"] == r["cell"] and x.get("method") == "bgsave"
                    and x.get("metric") == "fork" and x.get("fork_mode") == m
                    and float(x["heap_bytes"]) == ds]
            fm = num(fork[0].get("median_ns")) if fork else None
            end = min((w[0] for w in ws if w[1] == 2), default=max(w[0] for w in ws) + 100) / 1e3
            label = f"{m}: p99 (fork {sig(fm / 1e6)} ms, median of {len(order)})" if fm else f"{m}: p99"
            write_dat(os.path.join(d, f"redis-{m}.dat"), [f't_s "{label}" max_ms'] +
                      [f"{(w[0] + 50) / 1e3:.6g} {w[2] / 1e6:.6g} {w[3] / 1e6:.6g}" for w in ws])
            vals += [v / 1e6 for w in ws for v in (w[2], w[3]) if v > 0]
            drawn.append(m)
            ends.append(f"{end:.6g}")
            self.use([r] + fork, "redis")
        if not drawn:
            return "no samples of the redis timeline in this run"
        lo, hi = log_range(vals)
        title = (f"Redis SET latency across a BGSAVE of {heap_words(ds)} (p99 of each 100 ms window; "
                 f"one BGSAVE per mode, the one of median duration)")
        self.draw("redis", "redis.gp", d, out, " ".join(drawn), title, lo, hi, " ".join(ends))
        return None

    def cross_ci(self, xs, modes):
        """Bootstrap 95 % CI of the crossover from the samples of each point:
        (lo, hi, share of resamples with no crossing) or None without samples."""
        sam = {}
        for m in modes:
            for x in xs:
                v = self.samples.get(self.key(self.frac[(m, x)]))
                if not v or len(v) < CI_MIN_N:
                    return None
                sam[(m, x)] = v
        rng = random.Random(f"crossover:{self.frac_heap}")
        boots = {k: boot_medians(v, rng) for k, v in sam.items()}
        cx = []
        for i in range(RESAMPLES):
            diff = [boots[("eager", x)][i] - boots[("cow", x)][i] for x in xs]
            cx.append(crossing(xs, diff))
        found = [c for c in cx if c is not None]
        none = 1 - len(found) / len(cx)
        if none > 0.025:
            return None, None, none
        found += [math.inf] * (len(cx) - len(found))
        lo, hi = pct_ci(found)
        return lo, hi, none

    def plot_crossover(self, d, out):
        if not self.frac:
            return "no heap cells at one heap size with two or more write fractions"
        modes = [m for m in MODES if any(k[0] == m for k in self.frac)]
        multi = len(modes) > 1
        key = "crossover" if multi else "fraction"
        for m in modes:
            rs = sorted((x, r) for (mm, x), r in self.frac.items() if mm == m)
            write_dat(os.path.join(d, f"cross-{m}.dat"), ["# percent_written median_ms ci_lo_ms ci_hi_ms"] +
                      [est_line(x, self.est(r), 1e6) for x, r in rs])
            self.use([r for _, r in rs], key)
        cx, lo, hi, label = 0, 0, 0, ""
        if "eager" in modes and "cow" in modes:
            xs = sorted({x for (m, x) in self.frac if m == "cow"} & {x for (m, x) in self.frac if m == "eager"})
            meds = {m: [num(self.frac[(m, x)]["median_ns"]) for x in xs] for m in ("cow", "eager")}
            c = crossing(xs, [e - w for e, w in zip(meds["eager"], meds["cow"])])
            ci = self.cross_ci(xs, ("cow", "eager"))
            n = min(int(num(self.frac[(m, x)].get("iterations")) or 0) for m in ("cow", "eager") for x in xs)
            if c is None:
                label = f"cow is cheaper at every measured fraction ({xs[0]:g} to {xs[-1]:g} % written, n ≥ {n})"
            elif c == 0:
                label = f"eager is cheaper at every measured fraction ({xs[0]:g} to {xs[-1]:g} % written, n ≥ {n})"
            else:
                cx = c
                if ci is None:
                    cis = "95 % CI n/a: no samples, or fewer than 6 per point"
                elif ci[0] is None:
                    cis = f"95 % CI not bounded: {100 * ci[2]:.0f} % of the bootstrap resamples cross nowhere"
                else:
                    lo, hi = ci[0], ci[1]
                    cis = f"95 % CI {sig(lo)}–{'∞' if math.isinf(hi) else sig(hi)} %, bootstrap"
                    hi = 100 if math.isinf(hi) else hi
                label = f"eager beats cow above {sig(c)} % written ({cis}, n ≥ {n} per point)"
            self.cross = label
        elif multi:
            label = "no cow and eager lines: no crossover to find"
        title = ("When is copying up front cheaper? fork to reap vs fraction written, per fork mode" if multi else
                 f"fork to reap vs the fraction of the heap the child writes, {self.mode_words()}")
        out = os.path.join(os.path.dirname(out), key)
        self.draw(key, "crossover.gp", d, out, " ".join(modes), cx, lo, hi, label, title,
                  heap_words(self.frac_heap))
        return None

    PHASES = [("phase_vma_ns", "VMA tree duplication (dup_mmap's own)"), ("phase_pgtable_ns", "page tables (copy_page_range)"),
              ("phase_anon_vma_ns", "anon_vma (anon_vma_fork)"), ("phase_tlb_ns", "TLB flush (dup_mmap's)"),
              ("phase_rest_ns", "rest of copy_process")]

    def plot_phases(self, d, out):
        """Where fork's time goes: per traced fork row whose parent's forks
        were split into phases (cowtrace in kprobe or fentry mode), one
        stacked bar of the phases per fork, ordered by mode, heap, VMAs."""
        if not any("parent_phase_forks" in r for r in self.rows):
            return ""  # a run from before cowtrace's fork phases, or none traced
        rows = [r for r in self.rows if r.get("metric") == "fork" and (num(r.get("parent_phase_forks")) or 0) > 0]
        if not rows:
            return ("no cell traced with the fork phases (forkbench --trace in cowtrace's kprobe or fentry "
                    "mode; a tracepoint-only kernel has none)")
        if self.tcg:
            return "a QEMU TCG run: its times mean nothing, so no plot of times"
        vmas = lambda r: num(r.get("vmas")) or 0
        rows.sort(key=lambda r: (MODES.index(r["fork_mode"]) if r.get("fork_mode") in MODES else 9,
                                 float(r["heap_bytes"]), vmas(r), r.get("bench", ""), r.get("method", "")))
        modes = first_seen(r.get("fork_mode", "") for r in rows)
        lines = ["x heap more " + " ".join(f'"{w}"' for _, w in self.PHASES)]
        for i, r in enumerate(rows):
            n = num(r["parent_phase_forks"])
            more = [f"{vmas(r):g} VMAs"] if num(r.get("vmas")) is not None else []
            more += [r.get("fork_mode", "")] if len(modes) > 1 else []
            vals = [(num(r.get(f"parent_{c}")) or 0) / n / 1e3 for c, _ in self.PHASES]
            lines.append(f'{i} "heap {heap_words(r["heap_bytes"])}" "{", ".join(more)}" '
                         + " ".join(f"{v:.6g}" for v in vals))
        write_dat(os.path.join(d, "phases.dat"), lines)
        self.use(rows, "phases")
        forks = sorted({int(num(r["parent_phase_forks"])) for r in rows})
        self.draw("phases", "phases.gp", d, out,
                  f"Where fork's time goes: the parent's copy_process per fork, by phase "
                  f"(cowtrace, {' or '.join(map(str, forks))} forks per bar)")
        return None

    def plot_pymp(self, d, out):
        if not any(r.get("bench") == "pymp" for r in self.rows):
            return ""  # no Python in this run: nothing to say
        first = [r for r in self.rows if r.get("bench") == "pymp" and r.get("metric") == "first_result"
                 and num(r.get("median_ns")) is not None and not self.traced(r)]
        if not first:
            return "no untraced pymp cells in this run (tracing slows what it counts)"
        pts = {}  # (method, mode) -> {heap: row}, the row with the most iterations
        for r in first:
            at = pts.setdefault((r["method"], r["fork_mode"]), {})
            h = float(r["heap_bytes"])
            if h not in at or num(r["iterations"]) > num(at[h]["iterations"]):
                at[h] = r
        methods = first_seen(r["method"] for r in first)
        keys = sorted(pts, key=lambda k: (methods.index(k[0]), MODES.index(k[1]) if k[1] in MODES else 9))
        series, vals = [], []
        for m, mode in keys:
            es = [(h, self.est(r)) for h, r in sorted(pts[(m, mode)].items())]
            vals += [v for _, e in es for v in (e.med, e.lo, e.hi) if v]
            write_dat(os.path.join(d, f"pymp-{m}:{mode}.dat"), ["# heap_MiB median_ms ci_lo_ms ci_hi_ms"] +
                      [est_line(h / MiB, e, 1e6) for h, e in es])
            series.append(f"{m}:{mode}")
            self.use(list(pts[(m, mode)].values()), "pymp")
        heaps = sorted({h for at in pts.values() for h in at})
        dmode = "cow" if any(k[1] == "cow" for k in pts) else keys[0][1]

        def kib(frozen, col):
            rs = [at[h] for (m, mode), at in pts.items() if mode == dmode and m.endswith("-gcfreeze") == frozen
                  for h in at if h == hh and num(at[h].get(col)) is not None]
            return "NaN" if not rs else f"{num(rs[0][col]) / 1024:.6g}"
        lines = ["# heap_MiB walk_MiB predicted_MiB collect_MiB collect_frozen_MiB"]
        for hh in heaps:
            walk = kib(False, "walk_dirty_kb")
            pred = kib(False, "predicted_walk_kb")
            if walk == "NaN":
                walk, pred = kib(True, "walk_dirty_kb"), kib(True, "predicted_walk_kb")
            lines.append(f"{hh / MiB:g} {walk} {pred} {kib(False, 'collect_dirty_kb')} "
                         f"{kib(True, 'collect_dirty_kb')}")
        write_dat(os.path.join(d, "pymp-dirty.dat"), lines)
        lo, hi = log_range([v / 1e6 for v in vals])
        self.draw("pymp", "pymp.gp", d, out, " ".join(series), " ".join(f"{h / MiB:g}" for h in heaps),
                  lo, hi, dmode)
        return None

    def pgbench_points(self):
        """{mode: {shared_buffers bytes: {method: row}}} of the untraced
        pgbench rows (connect, select, select-connect), per point the row
        with the most iterations; tracing slows what it measures."""
        pts = {}
        for r in self.rows:
            if r.get("bench") != "pgbench" or num(r.get("median_ns")) is None or self.traced(r):
                continue
            if (r.get("method"), r.get("metric")) not in (("connect", "connect"), ("select", "latency"),
                                                          ("select-connect", "latency")):
                continue
            at = pts.setdefault(r["fork_mode"], {}).setdefault(float(r["heap_bytes"]), {})
            if r["method"] not in at or num(r["iterations"]) > num(at[r["method"]]["iterations"]):
                at[r["method"]] = r
        return {m: {h: at for h, at in by.items() if "connect" in at} for m, by in pts.items()
                if any("connect" in at for at in by.values())}

    def plot_pgbench(self, d, out):
        pts = self.pgbench_points()
        if not pts:
            return "no untraced pgbench connect rows in this run (tracing slows what it measures)"
        modes = self.dims_modes([{"fork_mode": m} for m in pts])
        sizes = sorted({h for by in pts.values() for h in by})
        cmax, lat, no_ci = 0, [], False
        for m in modes:
            conn, lines = [], ["# shared_buffers_MiB select_ms lo hi select_connect_ms lo hi"]
            for h in sorted(pts[m]):
                at = pts[m][h]
                e = self.est(at["connect"])
                no_ci |= not e.has_ci()
                cmax = max([cmax] + [v / 1e6 for v in (e.med, e.hi) if v is not None])
                conn.append(est_line(h / MiB, e, 1e6))
                ls = [est_line(h / MiB, self.est(at[k]), 1e6).split()[1:] if k in at else ["NaN"] * 3
                      for k in ("select", "select-connect")]
                lat += [num(v) for v in ls[0] + ls[1]]
                lines.append(f"{h / MiB:.6g} " + " ".join(ls[0] + ls[1]))
                self.use(list(at.values()), "pgbench")
            write_dat(os.path.join(d, f"pgbench-{m}.dat"), ["# shared_buffers_MiB median_ms ci_lo_ms ci_hi_ms"] + conn)
            write_dat(os.path.join(d, f"pgbench-lat-{m}.dat"), lines)
        lo, hi = log_range(lat)
        bars = ("no error bars: fewer than 6 iterations" if all(
            not self.est(at["connect"]).has_ci() for by in pts.values() for at in by.values())
            else "error bars: 95 % CI of the median" + (", none below 6 iterations" if no_ci else ""))
        self.notes["pgbench"] = f" (median; {bars})"
        title = f"New PostgreSQL connections (pgbench -S -C), {self.mode_note(modes)}: median; {bars}"
        for m in modes:  # the largest size's cost over the smallest's, written in the left panel
            label, got = "", self.pgbench_ratio(m, pts[m])
            if got:
                big, small, ratio, rlo, rhi = got
                ci = "95 % CI n/a" if rlo is None else f"95 % CI {sig(rlo)}–{sig(rhi)}x"
                short = ("too few samples to tell" if rlo is None else "flat" if rlo <= 1 <= rhi
                         else "grows" if rlo > 1 else "falls")
                label = f"{m}: {heap_words(big)} / {heap_words(small)} = {sig(ratio)}x ({ci}): {short}"
            write_dat(os.path.join(d, f"pgbench-ratio-{m}.dat"), ["# label", f'"{label}"'])
        ymax = cmax / (0.9 - 0.06 * len(modes)) if cmax > 0 else 1  # room above the data for the labels
        self.draw("pgbench", "pgbench.gp", d, out, " ".join(modes), " ".join(f"{h / MiB:.6g}" for h in sizes),
                  " ".join(heap_words(h).replace(" ", "\u00a0") for h in sizes), title, ymax, lo, hi)
        return None

    def pgbench_ratio(self, m, by):
        """(largest, smallest shared_buffers, ratio of their connection
        costs' medians, bootstrap CI lo, hi: None without 6 samples each),
        or None with one size or a smallest cost not above 0."""
        hs = sorted(by)
        big, small = by[hs[-1]]["connect"], by[hs[0]]["connect"]
        if len(hs) < 2 or num(small["median_ns"]) <= 0:
            return None
        ratio = num(big["median_ns"]) / num(small["median_ns"])
        sa, sb = self.samples.get(self.key(big)), self.samples.get(self.key(small))
        rng = random.Random(f"pgbench:{m}")
        boot = [] if not sa or not sb or min(len(sa), len(sb)) < CI_MIN_N else \
            [x / y for x, y in zip(boot_medians(sa, rng), boot_medians(sb, rng)) if y > 0]
        lo, hi = pct_ci(boot) if boot else (None, None)
        return hs[-1], hs[0], ratio, lo, hi

    @staticmethod
    def pgbench_verdict(lo, hi):
        if lo is None:
            return "too few samples to tell whether shared_buffers changes it"
        if lo <= 1 <= hi:
            return "shared memory keeps fork flat"
        return f"the connection costs {'more' if lo > 1 else 'less'} with the larger shared_buffers"

    def pgbench_headline(self):
        """Per fork mode: the connection's cost per transaction at each
        shared_buffers size, and the largest size's over the smallest's."""
        out = []
        for m, by in self.pgbench_points().items():
            at = " and ".join(f"{self.est(by[h]['connect']).words('ms', 1e-6)} with {heap_words(h)}"
                              for h in sorted(by))
            line = (f"A new PostgreSQL connection (pgbench -S -C: a fork of the postmaster per transaction) "
                    f"costs {at} of shared_buffers per transaction ({m} mode)")
            got = self.pgbench_ratio(m, by)
            if got is None:
                out.append(line + ".")
                continue
            big, small, ratio, lo, hi = got
            ci = ("95 % CI n/a: no samples, or fewer than 6" if lo is None
                  else f"95 % CI {sig(lo)}–{sig(hi)}x, bootstrap")
            out.append(f"{line}: {sig(ratio)}x at {heap_words(big)} over {heap_words(small)} ({ci}): "
                       f"{self.pgbench_verdict(lo, hi)}.")
        return out

    # The microbenchmarks; every other benchmark is an application.
    MICRO = {"spawn", "heap", "nested", "scenario", "vmas", "threads"}

    # The applications table's counters: fork-caused COW (pages a fork
    # shared, cowtrace's attribution), private-file COW (a program's own
    # first writes after exec: not fork's), pages copied at fork (stack and
    # eager mode) and the parent's TLB flushes at fork.
    APP_COLS = ("fork_copies", "fork_reuses", "file_copies", "eager_copies", "tlb_flush_fork")

    def app_counts(self):
        """Traced application cells: per iteration, cowtrace's counts in total
        (the forking parent's / its children's), one row per cell, method and mode;
        per connection where the row counts its connections (pgbench's connect
        rows: a backend forked per connection)."""
        out, seen = [], set()
        cols = self.APP_COLS
        for r in self.rows:
            k = (r["cell"], r.get("method", ""), r.get("fork_mode", ""), r.get("heap_bytes", ""))
            if r.get("bench") in self.MICRO or not self.traced(r) or k in seen:
                continue
            seen.add(k)
            it = num(r.get("iterations")) or 1
            conns = num(r.get("connections"))
            if conns:
                it = conns

            def per(c):
                v = num(r.get(c))
                if v is None:
                    return "n/a"
                return f"{v / it:,.0f}" if v / it >= 1000 else f"{v / it:.4g}"
            h = float(r["heap_bytes"])
            method = r["method"] + (f" {heap_words(h)}" if h else "") + (" (per connection)" if conns else "")
            out.append([r["bench"], method, r["fork_mode"]] +
                       [f"{per(c)} ({per('parent_' + c)} / {per('child_' + c)})" for c in cols])
            self.use([r], "applications table")
        return out

    def mode_words(self):
        if self.run_modes == ["cow"]:
            return "cow only (stock kernel)"
        return " and ".join(self.run_modes) + " only"

    PLOTS = [
        ("spawn", "plot_spawn", "What does it cost to start a program from a big parent? Time until "
         "the new program runs vs parent heap, per method"),
        ("modes", "plot_modes", "What does each fork mode cost at fork and after? fork() and the "
         "child's writes vs heap size"),
        ("counts", "plot_counts", "What does the kernel do per iteration? Write faults, copies, reuses "
         "and TLB flushes per mode and role"),
        ("cdf", "plot_cdf", "How spread are the start times? Their distribution, empty and largest parent"),
        ("pages", "plot_pages", "What does each page cost? fork(), the child's write and memcpy, "
         "in ns per 4 KiB page"),
        ("crossover", "plot_crossover", "When is copying up front cheaper? fork to reap vs fraction written"),
        ("vmas", "plot_vmas", "What does fork() cost per mapping? fork() vs the parent's VMA count"),
        ("folio", "plot_folio", "What do larger folios save? fork() and the child's writes vs folio size"),
        ("threads", "plot_threads", "What does a fork do to the parent's other threads? Their operations' "
         "latency during vs outside fork()"),
        ("redis", "plot_redis", "What does a Redis snapshot do to its clients? SET latency over time "
         "across a BGSAVE, per fork mode"),
        ("phases", "plot_phases", "Where does fork's time go? The parent's copy_process per fork, split into "
         "VMA tree duplication, page-table copy, anon_vma setup, TLB flush and the rest, per heap size "
         "and VMA count"),
        ("pymp", "plot_pymp", "What do Python's start methods cost over a big parent? Pool start to first "
         "result vs heap, and what a fork child dirties"),
        ("pgbench", "plot_pgbench", "What does a new connection cost? pgbench's connection cost per transaction "
         "vs shared_buffers, per fork mode"),
    ]
    TIMED = {"spawn", "modes", "cdf", "pages", "crossover", "vmas", "folio", "threads", "redis", "pymp", "pgbench"}
    APPS = {"redis", "pymp", "pgbench"}  # plots of application benchmarks, named after their bench

    def make_plots(self, outdir):
        d = os.path.join(outdir, "data")
        os.makedirs(d, exist_ok=True)
        for key, fn, caption in self.PLOTS:
            if key in self.APPS and not any(r.get("bench") == key for r in self.rows):
                continue  # an application plot: not missed in a run without its cells
            if self.tcg and key in self.TIMED:
                self.missing[key] = "a QEMU TCG run: its times mean nothing, so no plot of times"
                continue
            out = os.path.join(outdir, key)
            n0 = len(self.calls)
            try:
                why = getattr(self, fn)(d, out)
            except RuntimeError as e:
                why = f"gnuplot could not draw it ({e})"
            if why in (NOT_MEASURED, ""):  # a benchmark the run did not run, or no column this plot reads
                continue
            if why:
                self.missing[key] = why
                continue
            real = self.calls[n0][0] if len(self.calls) > n0 else key
            if real != key:  # the crossover without eager: the cost vs fraction written
                caption = "How does the cost grow with the fraction the child writes? fork to reap vs fraction written"
                out = os.path.join(outdir, real)
            self.plots[real] = (out + ".png", caption + self.notes.get(real, ""))

    def scenario_counts(self):
        """Traced scenario cells: per process, counts per iteration next to the predictions."""
        out = []
        for r in self.rows:
            if r["bench"] != "scenario" or r["metric"] != "write" or num(r.get("wp_faults")) is None:
                continue
            it = float(r["iterations"])
            cells = [r["cell"], r["method"]]
            got, pred = [], []
            for c in ("wp_faults", "cow_copies", "cow_reuses"):
                g, p = num(r.get(c)), num(r.get(f"{r['fork_mode']}_pred_{c}"))
                got.append(None if g is None else g / it)
                pred.append(p)
            out.append((cells, got, pred))
            self.use([r], "questions table")
        return out

    def scenario_faults(self):
        """Untraced scenario cells: per process, the write faults getrusage
        counted in its write (medians per iteration) next to the predicted
        write faults, copies and reuses; fork-exec's faults before exec."""
        out = []
        for r in self.rows:
            if r["bench"] != "scenario" or num(r.get("wp_faults")) is not None:
                continue
            m = r["fork_mode"]
            if r["metric"] == "write" and num(r.get("write_minflt")) is not None:
                out.append([r["cell"], r["method"], fmt_count(num(r["write_minflt"]), num(r.get(f"{m}_pred_wp_faults")))]
                           + [fmt_count(num(r.get(f"{m}_pred_{c}")), None) for c in ("cow_copies", "cow_reuses")])
            elif num(r.get("minflt_fork_to_exec")) is not None:
                out.append([r["cell"], r["method"] + " (fork to exec)", fmt_count(num(r["minflt_fork_to_exec"]), None),
                            "", ""])
            else:
                continue
            self.use([r], "questions table")
        return out

    # ---- the dimensions: VMA count, folio size, a threaded parent ----
    # (vmas, heap --folio and threads cells: docs/forkbench.md)
    @staticmethod
    def folio(r):
        return num(r.get("folio_bytes")) is not None

    @staticmethod
    def ns_words(v):
        """A latency in ns in the unit that suits it: '31.5 ns', '56.5 µs', '8.14 ms'."""
        if v is None:
            return "n/a"
        for k, unit in ((1e6, "ms"), (1e3, "µs")):
            if abs(v) >= k:
                return f"{sig(v / k)} {unit}"
        return f"{sig(v)} ns"

    def boot_ratio(self, a, b, seed):
        """'95 % CI lo–hix, bootstrap' of median(a) / median(b) from their samples."""
        sa, sb = self.samples.get(self.key(a)), self.samples.get(self.key(b))
        if not sa or not sb or min(len(sa), len(sb)) < CI_MIN_N:
            return "95 % CI n/a: no samples, or fewer than 6"
        rng = random.Random(seed)
        lo, hi = pct_ci([x / y for x, y in zip(boot_medians(sa, rng), boot_medians(sb, rng)) if y > 0])
        return f"95 % CI {sig(lo)}–{sig(hi)}x, bootstrap"

    def dims_modes(self, rows):
        return [m for m in MODES if any(r["fork_mode"] == m for r in rows)] + \
            first_seen(r["fork_mode"] for r in rows if r["fork_mode"] not in MODES)

    def mode_note(self, modes):
        """What a plot's lines are: 'cow only (stock kernel)' for one mode."""
        if len(modes) > 1:
            return "one line per fork mode"
        return self.mode_words() if self.run_modes == modes else f"{modes[0]} mode only"

    def vmas_points(self):
        """{mode: [(vma count, fork row)]}, at the heap with the most counts."""
        rows = [r for r in self.rows if r.get("bench") == "vmas" and r.get("metric") == "fork"
                and num(r.get("median_ns")) is not None and num(r.get("vmas")) is not None]
        if not rows:
            return {}
        per = {}
        for r in rows:
            per.setdefault(float(r["heap_bytes"]), set()).add(num(r["vmas"]))
        heap = max(per, key=lambda h: (len(per[h]), -h))
        pts = {}
        for r in rows:
            if float(r["heap_bytes"]) != heap:
                continue
            k = (r["fork_mode"], num(r["vmas"]))
            if k not in pts or (num(r.get("iterations")) or 0) > (num(pts[k].get("iterations")) or 0):
                pts[k] = r
        out = {}
        for (m, n), r in sorted(pts.items(), key=lambda p: p[0][1]):
            out.setdefault(m, []).append((n, r))
        return {m: out[m] for m in self.dims_modes([r for _, r in sum(out.values(), [])])}

    def plot_vmas(self, d, out):
        pts = self.vmas_points()
        if not pts:
            return NOT_MEASURED
        vals, counts = [], set()
        for m, ps in pts.items():
            lines = ["# vmas median_ms ci_lo_ms ci_hi_ms"]
            for n, r in ps:
                e = self.est(r)
                vals += [e.med, e.lo, e.hi]
                counts.add(n)
                lines.append(est_line(n, e, 1e6))
            write_dat(os.path.join(d, f"vmas-{m}.dat"), lines)
            self.use([r for _, r in ps], "vmas")
        lo, hi = log_range([v / 1e6 for v in vals if v])
        heap = float(next(iter(pts.values()))[0][1]["heap_bytes"])
        self.draw("vmas", "vmas.gp", d, out, " ".join(pts), " ".join(f"{n:g}" for n in sorted(counts)), lo, hi,
                  self.mode_note(list(pts)), "" if heap == 0 else f", plus a {heap_words(heap)} heap")
        return None

    def vmas_headline(self):
        out = []
        for m, ps in self.vmas_points().items():
            if len(ps) < 2:
                continue
            (n0, a), (n1, b) = ps[0], ps[-1]
            ea, eb = self.est(a), self.est(b)
            per = (eb.med - ea.med) / (n1 - n0)
            out.append(f"fork() with {n1:g} mappings (VMAs) takes {sig(eb.med / ea.med)}x as long as with {n0:g} "
                       f"({m} mode; {self.boot_ratio(b, a, f'vmas:{m}')}; {eb.words('ms', 1e-6)} vs "
                       f"{ea.words('ms', 1e-6)}): {sig(per / 1e3)} µs per added VMA.")
        return out

    def folio_points(self):
        """(heap, child write fraction, {(mode, metric): [(folio bytes, row)]}) at the heap and
        fraction with the most folio sizes, or None."""
        rows = [r for r in self.rows if r.get("bench") == "heap" and self.folio(r)
                and num(r.get("median_ns")) is not None and not self.traced(r)]
        if not rows:
            return None
        per = {}
        for r in rows:
            per.setdefault((float(r["heap_bytes"]), num(r.get("child_write_fraction")) or 0),
                           set()).add(num(r["folio_bytes"]))
        heap, cw = max(per, key=lambda k: (len(per[k]), k[0], k[1]))
        pts = {}
        for r in rows:
            if (float(r["heap_bytes"]), num(r.get("child_write_fraction")) or 0) != (heap, cw):
                continue
            k = (r["fork_mode"], r["metric"], num(r["folio_bytes"]))
            if k not in pts or (num(r.get("iterations")) or 0) > (num(pts[k].get("iterations")) or 0):
                pts[k] = r
        out = {}
        for (m, what, fb), r in sorted(pts.items(), key=lambda p: p[0][2]):
            out.setdefault((m, what), []).append((fb, r))
        return heap, cw, out

    def plot_folio(self, d, out):
        got = self.folio_points()
        if not got:
            return NOT_MEASURED
        heap, cw, pts = got
        modes = self.dims_modes([r for ps in pts.values() for _, r in ps])
        sizes = set()
        for what in ("fork", "child_write"):
            for m in modes:
                ps = pts.get((m, what), [])
                sizes.update(fb for fb, _ in ps)
                write_dat(os.path.join(d, f"folio-{what}-{m}.dat"), ["# folio_KiB median_ms ci_lo_ms ci_hi_ms"] +
                          ([est_line(fb / 1024, self.est(r), 1e6) for fb, r in ps] or ["NaN NaN NaN NaN"]))
                self.use([r for _, r in ps], "folio")
        self.draw("folio", "folio.gp", d, out, " ".join(modes), " ".join(f"{s / 1024:g}" for s in sorted(sizes)),
                  heap_words(heap), f"{100 * cw:g}", self.mode_note(modes))
        return None

    def folio_headline(self):
        got = self.folio_points()
        if not got:
            return []
        heap, cw, pts = got
        out = []
        for (m, what), ps in pts.items():
            if what not in ("fork", "child_write") or len(ps) < 2:
                continue
            (f0, a), (f1, b) = ps[0], ps[-1]
            ea, eb = self.est(a), self.est(b)
            name = "fork()" if what == "fork" else f"The child's write of {100 * cw:g} % of it"
            of = f" of a {heap_words(heap)} heap" if what == "fork" else ""
            out.append(f"{name}{of} in {heap_words(f1)} folios takes {sig(eb.med / ea.med)}x the time in "
                       f"{heap_words(f0)} ones ({m} mode; {self.boot_ratio(b, a, f'folio:{m}:{what}')}; "
                       f"{eb.words('ms', 1e-6)} vs {ea.words('ms', 1e-6)}).")
        return out

    def folio_flags(self):
        """Folio sizes not obtained for the whole heap (folio_fraction below 1)."""
        short = {}
        for r in self.rows:
            f = num(r.get("folio_fraction"))
            if self.folio(r) and r.get("metric") == "fork" and f is not None and f < 1:
                short.setdefault(r["cell"], []).append(f"{heap_words(num(r['folio_bytes']))} "
                                                        f"({r['fork_mode']}): {100 * f:.0f} %")
        return [f"`{c}` asked for folio sizes and got less: {', '.join(p)} of the heap in folios of that size "
                f"(folio_fraction); those times are not all of that size." for c, p in short.items()]

    def threads_groups(self):
        """{(method, mode): {metric or 'during'/'outside': row}} of the threads cells."""
        out = {}
        for r in self.rows:
            if r.get("bench") != "threads" or num(r.get("median_ns")) is None:
                continue
            meth = r["method"]
            for side in ("during", "outside"):
                if meth.endswith(f"-{side}") and r["metric"] == "op":
                    out.setdefault((meth[:-len(side) - 1], r["fork_mode"]), {})[side] = r
            if r["metric"] in ("fork", "stall", "outside_max"):
                out.setdefault((meth, r["fork_mode"]), {})[r["metric"]] = r
        return {k: v for k, v in out.items() if "during" in v and "outside" in v}

    def plot_threads(self, d, out):
        groups = self.threads_groups()
        if not groups:
            return NOT_MEASURED
        allv, ymax = [], 1
        for i, ((meth, m), g) in enumerate(groups.items(), 1):
            who = f" ({meth}, {m})" if len(groups) > 1 else ""
            for side in ("during", "outside"):
                v = sorted(self.samples.get(self.key(g[side]), []))
                p99 = num(g[side].get("p99_ns"))
                title = ("during fork()" if side == "during" else "outside fork()") + who + \
                    (f", p99 {self.ns_words(p99)}" if p99 is not None else "")
                lines = [f'ns "{title}"']
                lines += [f"{x:g} {-math.log10(1 - (k + 0.5) / len(v)):.6g}" for k, x in enumerate(v)] or ["NaN NaN"]
                lines += ["", "", f"{p99:g} 2" if p99 is not None else "NaN NaN"]
                write_dat(os.path.join(d, f"threads-{i}-{side}.dat"), lines)
                ymax = max(ymax, math.log10(2 * len(v)) if v else 1)
                per = g.get("stall" if side == "during" else "outside_max")
                pv = sorted(self.samples.get(self.key(per), [])) if per else []
                write_dat(os.path.join(d, f"threads-{i}-{side}-max.dat"),
                          ["# ns fraction"] + ([f"{x:g} {(k + 1) / len(pv):.6g}" for k, x in enumerate(pv)]
                                              or ["NaN NaN"]))
                allv += v + pv
            self.use(list(g.values()), "threads")
        lo, hi = log_range(allv)
        heaps = first_seen(heap_words(g["during"]["heap_bytes"]) for g in groups.values())
        self.draw("threads", "threads.gp", d, out, len(groups), lo, hi, math.ceil(ymax),
                  "/".join(heaps), self.mode_note(first_seen(m for _, m in groups)))
        return None

    def threads_headline(self):
        out = []
        for (meth, m), g in self.threads_groups().items():
            st, om, fk = g.get("stall"), g.get("outside_max"), g.get("fork")
            if not (st and om):
                continue
            es, eo = self.est(st), self.est(om)
            unit, k = ("ms", 1e-6) if max(es.med, eo.med) >= 1e6 else ("µs", 1e-3)
            fw = f" (fork() {self.est(fk).words('ms', 1e-6)})" if fk else ""
            pd, po = num(g["during"].get("p99_ns")), num(g["outside"].get("p99_ns"))
            nd, no = int(num(g["during"].get("iterations")) or 0), int(num(g["outside"].get("iterations")) or 0)
            out.append(f"While a {heap_words(st['heap_bytes'])} parent forks{fw}, its thread `{meth}` stalls "
                       f"{sig(es.med / eo.med)}x as long as outside forks ({m} mode; "
                       f"{self.boot_ratio(st, om, f'threads:{meth}:{m}')}): its longest operation per fork "
                       f"{es.words(unit, k)} vs {eo.words(unit, k)} in the gap after each fork; "
                       f"p99 of its operations {self.ns_words(pd)} during forks vs {self.ns_words(po)} outside "
                       f"(n = {nd} and {no} sampled).")
        return out

    def dims_headline(self):
        return self.vmas_headline() + self.folio_headline() + self.threads_headline()

    # ---- cells to read with care ----
    def thp_share(self, r):
        """thp_fraction, or (runs before that column) thp_bytes over the heap
        in whole huge pages; None where no huge page fits."""
        if "thp_fraction" in r:
            return num(r["thp_fraction"])
        whole = (num(r.get("heap_bytes")) or 0) // HPAGE * HPAGE
        tb = num(r.get("thp_bytes"))
        return tb / whole if whole and tb is not None else None

    def flags(self):
        """One line per kind of cell whose numbers are not what it asked
        for: --thp always with less than every huge page, and fewer than
        6 iterations (no 95 % CI of the median)."""
        out, short = [], {}
        for r in self.rows:
            if r.get("thp") != "always" or (num(r.get("heap_bytes")) or 0) < HPAGE:
                continue
            f = self.thp_share(r)
            if f is None or f < 1:
                short.setdefault(r["cell"], {})[(float(r["heap_bytes"]), r["fork_mode"])] = f
        for cell, got in short.items():
            parts = ", ".join(f"{h / MiB:g} MiB ({m}): {'n/a' if f is None else f'{100 * f:.0f} %'}"
                              for (h, m), f in sorted(got.items()))
            out.append(f"`{cell}` asked for THP (`--thp always`) and got less: {parts} of the heap in "
                       f"huge pages (thp_fraction); its times are not those of a THP heap.")
        few = first_seen(r["cell"] for r in self.rows if (num(r.get("iterations")) or 0) < CI_MIN_N)
        if few:
            out.append(f"No 95 % CI of the median (fewer than {CI_MIN_N} iterations): "
                       + ", ".join(f"`{c}`" for c in few) + ".")
        return out + self.folio_flags()

    # ---- headline numbers ----
    def headline(self):
        if self.tcg:
            return self.count_headline()
        h = []
        forks = [(k[3], r) for k, r in self.sizes.items() if k[:3] == ("never", "cow", "fork")]
        if not forks:
            forks = [(k[3], r) for k, r in self.sizes.items() if k[0] == "never" and k[2] == "fork"]
        if forks:
            size, big = max(forks, key=lambda p: p[0])
            mode = big["fork_mode"]
            fe = self.est(big)
            gib = size / 2**30
            h.append(f"fork() of a parent with a touched {size / MiB:.0f} MiB heap (4 KiB pages, {mode} mode) "
                     f"takes {fe.words('ms', 1e-6)}: {sig(fe.med / 1e6 / gib)} ms per GiB "
                     f"({fe.scaled(1 / gib).ci_words('ms per GiB', 1e-6)}).")
            cw = self.sizes.get(("never", mode, "child_write", size))
            mc = self.sizes.get(("never", mode, "memcpy", size))
            if cw and mc:
                pages = size / PAGE
                w, c = self.est(cw).scaled(1 / pages), self.est(mc).scaled(1 / pages)
                what = "a COW fault each" if mode != "eager" else "no fault: eager copied them at fork"
                h.append(f"A child writing every page after fork pays {sig(w.med / 1e3)} µs per page, {what} "
                         f"(median; {w.ci_words('µs', 1e-3)}), against {sig(c.med / 1e3)} µs per page "
                         f"for a memcpy of the same heap in the same run ({c.ci_words('µs', 1e-3)}).")
        st = {(k[1], k[3]): r for k, r in self.spawn.items() if k[0] == "never" and k[2] == "start"}
        hs = sorted({h_ for m, h_ in st if m == "fork_exec"} & {h_ for m, h_ in st if m == "posix_spawn"})
        if hs:
            big = hs[-1]
            fe, ps = st[("fork_exec", big)], st[("posix_spawn", big)]
            a, b = self.samples.get(self.key(fe)), self.samples.get(self.key(ps))
            ratio = float(fe["median_ns"]) / float(ps["median_ns"])
            if a and b and min(len(a), len(b)) >= CI_MIN_N:
                rng = random.Random("spawn-ratio")
                lo, hi = pct_ci([x / y for x, y in zip(boot_medians(a, rng), boot_medians(b, rng)) if y > 0])
                ci = f"95 % CI {sig(lo)}–{sig(hi)}x, bootstrap"
            else:
                ci = "95 % CI n/a: no samples, or fewer than 6"
            h.append(f"With a {heap_words(big)} parent, fork+exec takes {sig(ratio)}x as long as "
                     f"posix_spawn to start the new program ({ci}; "
                     f"{self.est(fe).words('µs', 1e-3)} vs {self.est(ps).words('µs', 1e-3)}).")
        if self.cross:
            h.append(f"Crossover: {self.cross}.")
        return h + self.dims_headline() + self.pgbench_headline()

    def count_headline(self):
        """Under TCG: how many traced counts equal their prediction."""
        pairs = []
        for name, counters, got, pred in self.counts_table:
            for c, g, p in zip(counters, got, pred):
                if c != "eager_copies" and g is not None and p is not None:
                    pairs.append((f"{name} {c}", g, p))
        for cells, got, pred in self.scenario_counts():
            for c, g, p in zip(("wp_faults", "cow_copies", "cow_reuses"), got, pred):
                if g is not None and p is not None:
                    pairs.append((f"{cells[0]} {cells[1]} {c}", g, p))
        if not pairs:
            return ["No traced heap or scenario cell in this run (cowtrace: `--trace`): no count to "
                    "hold against a prediction, and its times mean nothing."]
        its = sorted({int(num(r.get("iterations")) or 0) for r in self.rows if self.traced(r)})
        off = [f"{w}: {g:g} (predicted {p:g})" for w, g, p in pairs if g != p]
        line = (f"Traced counts per iteration (exact under TCG; n = {', '.join(map(str, its))} iterations "
                f"per cell): {len(pairs) - len(off)} of {len(pairs)} equal their prediction")
        return [line + (": every one." if not off else "; these differ: " + "; ".join(off) + ".")]

    def cells_table(self):
        """Every cell of the run: what it measured and where it shows."""
        out = []
        for cell in first_seen(r["cell"] for r in self.rows):
            rs = [r for r in self.rows if r["cell"] == cell]
            r0 = rs[0]
            heaps = ",".join(heap_words(h) for h in sorted({float(r["heap_bytes"]) for r in rs}))
            par = [f"heap {heaps}", f"thp {r0.get('thp', '')}"]
            cw, pw = num(r0.get("child_write_fraction")), num(r0.get("parent_write_fraction"))
            if r0.get("bench") == "heap":
                par.append(f"child writes {100 * (cw or 0):g} %")
                if pw:
                    par.append(f"parent writes {100 * pw:g} %")
                if self.traced(r0):
                    par.append("traced")
                if self.folio(r0):
                    par.append("folio " + ",".join(heap_words(f) for f in sorted({num(r["folio_bytes"]) for r in rs
                                                                                  if self.folio(r)})))
            else:
                par.append(", ".join(first_seen(r["method"] for r in rs)))
            modes = " ".join(first_seen(r.get("fork_mode", "") for r in rs))
            shown = self.used.get(cell, [])
            where = ", ".join(k for k in shown if k in self.plots or k in ("questions table", "applications table"))
            if not where and self.tcg and r0.get("bench") != "scenario":
                where = "not plotted: TCG times"
            elif not where:
                twin = self.twins.get(cell)
                where = f"the same points as `{twin}`, drawn from that cell" if twin else "this table only"
            out.append([f"`{cell}`", r0.get("bench", ""), "; ".join(par), modes,
                        str(int(max(num(r.get("iterations")) or 0 for r in rs))), where])
        return out


# ---- several runs on the same axes: one line per run ----
class Overlay:
    """The overlay plots of two runs or more (analysis/overlay.gp): the
    spawn times, the heap's fork() and child's write, the VMA count, each
    with one line per run that has the points."""

    PLOTS = [
        ("overlay-spawn", "overlay_spawn", "Runs compared: time until the new program runs vs parent heap, "
         "per method (4 KiB pages)"),
        ("overlay-heap", "overlay_heap", "Runs compared: fork() and the child's write of every page vs heap "
         "size (4 KiB pages)"),
        ("overlay-vmas", "overlay_vmas", "Runs compared: fork() vs the parent's mappings (VMAs)"),
    ]

    def __init__(self, runs):
        self.runs = runs
        self.icount = all(r.icount for r in runs)
        self.plots, self.missing, self.calls = {}, {}, []

    @staticmethod
    def label(r):
        m = r.meta
        date = str(m.get("date", "?"))[:16].replace("T", " ")
        return f"{m.get('kernel_release', '?')} on {m.get('hostname', '?')}, {date}"

    def write(self, d, stem, title, panels, xlabel, ylabel, xs, ticks, logy=True):
        """panels: [(title, [points of run 1, run 2, ...])], a point (x, Est);
        writes the data and the settings file; None or why there is no plot."""
        runs = [i for i in range(len(self.runs)) if any(p[1][i] for p in panels)]
        if len(runs) < 2:
            return "fewer than two runs with these points"
        vals = []
        for p, (_, pts) in enumerate(panels, 1):
            for j, i in enumerate(runs, 1):
                lines = ["# x median ci_lo ci_hi"] + [est_line(x, e, 1) for x, e in pts[i]]
                write_dat(os.path.join(d, f"{stem}-{p}-{j}.dat"), lines if len(lines) > 1 else lines + ["NaN NaN NaN NaN"])
                vals += [v for _, e in pts[i] for v in (e.med, e.lo, e.hi)]
        ylo, yhi = log_range(vals) if logy else (0, max(v for v in vals if v is not None) * 1.1)
        if self.icount:
            title, xlabel, ylabel = insn_words(title), insn_words(xlabel), insn_words(ylabel)
            panels = [(insn_words(t), pts) for t, pts in panels]
        fn = lambda name, items: f"{name}(i) = " + "".join(f"i == {k} ? {gp_str(t)} : " for k, t in
                                                       enumerate(items, 1)) + "''"
        write_dat(os.path.join(d, f"{stem}.gp"), [
            f"title = {gp_str(title)}", f"np = {len(panels)}", f"nr = {len(runs)}",
            fn("ptitle", [t for t, _ in panels]), fn("rlabel", [self.label(self.runs[i]) for i in runs]),
            f"xlabel = {gp_str(xlabel)}", f"ylabel = {gp_str(ylabel)}",
            f"xmin = {min(xs) / 1.6:g}", f"xmax = {max(xs) * 1.6:g}", f"ymin = {ylo:g}", f"ymax = {yhi:g}",
            "logx = 1", f"logy = {int(logy)}",
            "xt = " + gp_str("set xtics (" + ", ".join(f'"{t}" {x:g}' for x, t in ticks) + ")")])
        return None

    def overlay_spawn(self, d, out):
        methods = [m for m in self.runs[0].spawn_methods() if all(m in r.spawn_methods() for r in self.runs)]
        if not methods:
            return "no spawn method measured in every run"
        panels, heaps = [], set()
        for m in methods:
            pts = []
            for r in self.runs:
                rs = sorted((k[3], row) for k, row in r.spawn.items() if k[:3] == ("never", m, "start"))
                pts.append([(heap_x(h), r.est(row).scaled(1e-3)) for h, row in rs])
                heaps.update(h for h, _ in rs)
            panels.append((m, pts))
        ticks = [(heap_x(h), "empty" if h == 0 else f"{h / MiB:g}") for h in sorted(heaps)]
        why = self.write(d, "overlay-spawn", "Time until the new program runs vs parent heap, 4 KiB pages, one line per run",
                         panels, "parent heap (MiB, log scale)", "time to start (µs, log scale)",
                         [x for x, _ in ticks], ticks)
        return why or self.draw("overlay-spawn", d, out)

    def overlay_heap(self, d, out):
        modes = [m for m in MODES if all(any(k[:2] == ("never", m) for k in r.sizes) for r in self.runs)]
        if not modes:
            return "no heap cells (child writes every page, 4 KiB pages) in one fork mode in every run"
        m = modes[0]
        panels, heaps = [], set()
        for what, words in (("fork", "fork() in the parent"), ("child_write", "the child writes every page")):
            pts = []
            for r in self.runs:
                rs = sorted((k[3], row) for k, row in r.sizes.items() if k[:3] == ("never", m, what))
                pts.append([(h / MiB, r.est(row).scaled(1e-6)) for h, row in rs])
                heaps.update(h for h, _ in rs)
            panels.append((f"{words} ({m} mode)", pts))
        ticks = [(h / MiB, f"{h / MiB:g}") for h in sorted(heaps)]
        why = self.write(d, "overlay-heap", "fork() of a touched heap and the child's writes after it, one line per run",
                         panels, "parent heap (MiB, 4 KiB pages, log scale)", "time (ms, log scale)",
                         [x for x, _ in ticks], ticks)
        return why or self.draw("overlay-heap", d, out)

    def overlay_vmas(self, d, out):
        got = [r.vmas_points() for r in self.runs]
        modes = [m for m in MODES if all(m in g for g in got)]
        if not modes:
            return "no vmas cells in one fork mode in every run"
        m = modes[0]
        pts = [[(n, r.est(row).scaled(1e-6)) for n, row in g[m]] for r, g in zip(self.runs, got)]
        counts = sorted({n for p in pts for n, _ in p})
        why = self.write(d, "overlay-vmas", f"fork() time vs the parent's mappings (VMAs), {m} mode, one line per run",
                         [(f"fork() ({m} mode)", pts)], "mappings (VMAs) besides forkbench's own (log scale)",
                         "fork() time (ms, log scale)", counts, [(n, f"{n:g}") for n in counts])
        return why or self.draw("overlay-vmas", d, out)

    def draw(self, stem, d, out):
        gnuplot(gp_script("overlay.gp", self.icount), d, out, stem)
        self.calls.append((stem, "overlay.gp", (d, out, stem)))
        return None

    def make_plots(self, outdir):
        d = os.path.join(outdir, "data")
        os.makedirs(d, exist_ok=True)
        for key, fn, caption in self.PLOTS:
            if any(r.tcg for r in self.runs):
                self.missing[key] = "a QEMU TCG run among them: its times mean nothing"
                continue
            if any(r.icount for r in self.runs) and not self.icount:
                self.missing[key] = "a QEMU -icount run among them: its instructions and the others' times do not compare"
                continue
            try:
                why = getattr(self, fn)(d, os.path.join(outdir, key))
            except RuntimeError as e:
                why = f"gnuplot could not draw it ({e})"
            if why:
                self.missing[key] = why
            else:
                self.plots[key] = (os.path.join(outdir, key + ".png"), caption)


def fmt_count(g, p):
    gs = "n/a" if g is None else f"{g:g}"
    return gs if p is None else f"{gs} ({p:g})"


def img_tag(path, html):
    if html:
        data = base64.b64encode(open(path, "rb").read()).decode()
        return f'<img alt="{os.path.basename(path)}" src="data:image/png;base64,{data}" style="max-width:100%">'
    return f"![{os.path.basename(path)}]({os.path.basename(os.path.dirname(path))}/{os.path.basename(path)})"


META_KEYS = ["kernel_release", "fork_copy_mode", "thp_enabled", "cpu_model", "cores", "mem_total_bytes",
             "virtualization", "governor", "aslr_sysctl", "aslr_cells", "sysctls_for_run", "fork_modes",
             "compiler", "forklab_git", "date"]


def blocks(runs, ov=None):
    """The report as blocks: ("md", line) or ("plot", run index, key); the
    index len(runs) is the overlay of the runs (ov)."""
    out = []
    # -icount: the words of a section whose runs all counted instructions
    insn = [all(r.icount for r in runs)]
    md = lambda s="": out.append(("md", insn_words(s) if insn[0] else s))
    raw = lambda s="": out.append(("md", s))

    def table(intro, header, rows):
        """An introduced Markdown table: intro, a blank line, header, its rule, the rows."""
        md()
        md(intro)
        md()
        md("| " + " | ".join(header) + " |")
        md("|" + "---|" * len(header))
        for row in rows:
            md("| " + " | ".join(row) + " |")
    md("# forklab report")
    md()
    md("Runs: " + ", ".join(r.label for r in runs) + ".")
    if any(r.tcg for r in runs):
        md()
        md(TCG_NOTE)
    if insn[0]:
        raw()
        raw(ICOUNT_NOTE)
    elif any(r.icount for r in runs):
        ic = [r.label for r in runs if r.icount]
        raw()
        raw(ICOUNT_MIXED_NOTE.format(runs=", ".join(ic), them="these runs" if len(ic) > 1 else "this run"))
    md()
    md("Every time is a median with its 95 % confidence interval (CI) and n, the number of iterations: "
       "CIs of medians are distribution-free (order statistics; none below 6 iterations), CIs of ratios "
       "and of the crossover are percentile bootstraps from the samples. Error bars in the plots are "
       "these CIs of the median.")
    md()
    md("## Machines")
    md()
    md("| | " + " | ".join(os.path.basename(r.path.rstrip('/')) for r in runs) + " |")
    md("|---|" + "---|" * len(runs))
    for k in META_KEYS:
        raw(f"| {k} | " + " | ".join(str(r.meta.get(k, '')) for r in runs) + " |")
    if any("clock" in r.meta for r in runs):
        raw("| clock | " + " | ".join(str(r.meta.get("clock", "time")) for r in runs) + " |")
    for i, r in enumerate(runs):
        insn[0] = r.icount
        md()
        md(f"## {r.label}")
        md()
        md(f"Fork modes measured: {r.mode_words() if len(r.run_modes) < 2 else ', '.join(r.run_modes)}.")
        if r.tcg:
            md("Under QEMU TCG nothing here is derived from times: counts only.")
        md()
        for line in r.headline():
            md(f"- {line}")
        flags = r.flags()
        if flags:
            md()
            md("Flagged cells:")
            md()
            for line in flags:
                md(f"- {line}")
        sc = r.scenario_counts()
        if sc:
            table("The classic questions, traced (cowtrace): counts per iteration of each process's "
                  "write, the prediction for its fork mode in parentheses:",
                  ["cell", "process", "wp_faults", "cow_copies", "cow_reuses"],
                  [cells + [fmt_count(g, p) for g, p in zip(got, pred)] for cells, got, pred in sc])
        sf = r.scenario_faults()
        if sf:
            table("The classic questions, cells without cowtrace (`--trace`, which needs root): the faults "
                  "getrusage counted in each process's write (fork-exec: in the child from fork to exec), per "
                  "iteration, the predicted write faults in parentheses, and the predicted copies and reuses:",
                  ["cell", "process", "write faults", "predicted copies", "predicted reuses"], sf)
        if r.counts_table and r.counts_table[0][1][0] == "wp_faults":
            table("Counts per iteration from cowtrace (the traced heap cell), the prediction in "
                  "parentheses; the predicted eager_copies are the heap's pages only, the measured "
                  "ones add the process's own stack, libc and TLS pages:",
                  ["mode/role"] + list(r.counts_table[0][1]),
                  [[name] + [fmt_count(g, p) for g, p in zip(got, pred)]
                   for name, _, got, pred in r.counts_table])
        ac = r.app_counts()
        if ac:
            table("What fork cost each application, per mode, from cowtrace (`--trace`): per iteration (pgbench: "
                  "per new connection), in "
                  "total (the forking parent's / its children's): copy-on-write of pages a fork shared "
                  "(copies and reuses), the first writes to private file pages (a program's own after exec, "
                  "not fork's), pages copied at fork (stack and eager mode) and TLB flushes at fork:",
                  ["application", "method", "mode"] + list(r.APP_COLS), ac)
        for key, (png, caption) in r.plots.items():
            md()
            md(f"### {caption}")
            md()
            out.append(("plot", i, key))
        if r.missing:
            md()
        for key, why in r.missing.items():
            md(f"- No {key} plot: {why}.")
        md()
        md("Every cell of the run, found by what it measured (its benchmark and parameters, not its name):")
        md()
        md("| cell | benchmark | parameters | modes | n | shown in |")
        md("|---|---|---|---|---|---|")
        for row in r.cells_table():
            raw("| " + " | ".join(row) + " |")
    if ov:
        out += [("md", insn_words(b[1])) if b[0] == "md" and ov.icount else b for b in overlay_blocks(ov, len(runs))]
    return out


def overlay_blocks(ov, index):
    out = [("md", ""), ("md", "## Runs compared"), ("md", ""),
           ("md", "The same axes for every run, one line per run (its kernel, host and date).")]
    for key, (_, caption) in ov.plots.items():
        out += [("md", ""), ("md", f"### {caption}"), ("md", ""), ("plot", index, key)]
    if ov.missing:
        out.append(("md", ""))
    out += [("md", f"- No {key} plot: {why}.") for key, why in ov.missing.items()]
    return out


def render(runs, html, ov=None):
    lines = []
    for b in blocks(runs, ov):
        if b[0] == "md":
            lines.append(b[1])
        else:
            lines.append(img_tag((runs + [ov])[b[1]].plots[b[2]][0], html))
    text = "\n".join(lines) + "\n"
    if not html:
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace("&lt;img", "<img")
    body = []
    in_table = False
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set("".join(cells)) <= set("-"):
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
            body.append("<tr>" + "".join(f"<td>{c.replace('`', '')}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("### "):
            body.append(f"<h3>{line[4:]}</h3>")
        elif line.startswith("## "):
            body.append(f"<h2>{line[3:]}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{line[2:]}</h1>")
        elif line.startswith("- "):
            body.append(f"<p>&bull; {line[2:].replace('`', '')}</p>")
        elif line.startswith("**"):
            body.append(f"<p><b>{line.strip('*')}</b></p>")
        elif line:
            body.append(line if line.startswith("<img") else f"<p>{line.replace('`', '')}</p>")
    if in_table:
        body.append("</table>")
    style = ("body{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse}td{border:1px solid #ccc;padding:2px 8px;font-size:90%}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>forklab report</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


# ---- the PDF: text pages and every plot, one gnuplot pdfcairo file ----
PDF_COLS, PDF_ROWS = 132, 54


def pdf_text(line):
    """A markdown line as plain text lines of at most PDF_COLS characters."""
    t = line.replace("**", "").replace("`", "")
    if t.startswith("|"):
        cells = [c.strip() for c in t.strip("|").split("|")]
        if set("".join(cells)) <= set("-"):
            return []
        t = "  ".join(cells)
    if t.startswith("- "):
        return textwrap.wrap(t[2:], PDF_COLS - 2, initial_indent="• ", subsequent_indent="  ") or [""]
    return textwrap.wrap(t, PDF_COLS) or [""]


def pdf_script(runs, pdf, path, ov=None):
    gp = ["set terminal pdfcairo size 11in,6.5in noenhanced font 'DejaVu Sans,6.8' fontscale 1 linewidth 0.8",
          f"set output {gp_str(pdf)}", "FORKLAB_PDF = 1"]
    page = []

    def flush():
        if not any(page):
            page.clear()
            return
        gp.append("reset; unset border; unset tics; unset key; set xrange [0:1]; set yrange [0:1]")
        for i, t in enumerate(page, 1):
            y = 0.96 - (i - 1) * 0.92 / PDF_ROWS
            head = t.startswith("#")
            font = "DejaVu Sans Mono:Bold,6.4" if head else "DejaVu Sans Mono,5.8"
            gp.append(f"set label {i} {gp_str(t.lstrip('# ') if head else t)} at screen 0.04, screen {y:.4f} "
                      f"left font '{font}'")
        gp.append("plot NaN notitle")
        page.clear()
    for b in blocks(runs, ov):
        if b[0] == "md":
            for t in pdf_text(b[1]):
                if len(page) >= PDF_ROWS:
                    flush()
                page.append(t)
            continue
        flush()
        run = (runs + [ov])[b[1]]
        for key, script, args in run.calls:
            if key == b[2]:
                gp.append("reset")
                gp.append(f"call {gp_str(gp_script(script, run.icount))} " + " ".join(gp_str(a) for a in args))
    flush()
    gp.append("unset output")
    write_dat(path, gp)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"report.py: {message} (usage: report.py RUN [RUN...] [--out DIR])", file=sys.stderr)
        sys.exit(2)


def main():
    try:
        report()
    except BadRun as e:
        sys.exit(f"report.py: {e}")
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        sys.exit(f"report.py: {where}{e.strerror or e}")
    except RuntimeError as e:  # gnuplot failed: its first line
        sys.exit(f"report.py: {str(e).strip().splitlines()[0] if str(e).strip() else 'gnuplot failed'}")


def tree(d):
    """Every path under d (and d), for removing what a failed report created."""
    paths = {d} if os.path.exists(d) else set()
    for root, dirs, files in os.walk(d):
        paths.update(os.path.join(root, n) for n in dirs + files)
    return paths


def remove_new(d, before):
    for p in sorted(tree(d) - before, key=len, reverse=True):
        try:
            if os.path.isdir(p) and not os.path.islink(p):
                os.rmdir(p)
            else:
                os.unlink(p)
        except OSError:
            pass


def report():
    ap = Parser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--out")
    a = ap.parse_args()
    for p in a.runs:
        if not os.path.isfile(os.path.join(p, "summary.csv")):
            sys.exit(f"report.py: '{p}' is not a run folder (no summary.csv)")
    outdir = a.out or a.runs[0]
    runs = [Run(p) for p in a.runs]
    before = tree(outdir)
    try:
        write_report(runs, outdir)
    except BaseException:
        remove_new(outdir, before)  # a failed report leaves nothing new behind
        raise


def write_atomic(path, text):
    tmp = path + ".tmp"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# Every plot report.py draws or once drew (throughput: before pages).
ALL_PLOTS = {"spawn", "modes", "counts", "cdf", "pages", "crossover", "fraction", "throughput",
             "vmas", "folio", "threads", "redis", "phases", "pymp"}


def write_report(runs, outdir):
    os.makedirs(outdir, exist_ok=True)
    for i, r in enumerate(runs):
        pd = os.path.join(outdir, "plots" if len(runs) == 1 else f"plots-{i + 1}")
        os.makedirs(pd, exist_ok=True)
        r.make_plots(pd)
        # a plot of an earlier report of this folder that this one does not draw
        for key in ALL_PLOTS - set(r.plots):
            for ext in ("png", "svg"):
                if os.path.exists(os.path.join(pd, f"{key}.{ext}")):
                    os.unlink(os.path.join(pd, f"{key}.{ext}"))
    ov = write_overlay(runs, outdir)
    for name, html in (("report.md", False), ("report.html", True)):
        write_atomic(os.path.join(outdir, name), render(runs, html, ov))
    pdf = os.path.join(outdir, "report.pdf")
    script = pdf + ".gp.tmp"  # the pages: text, then each plot's script again
    try:
        pdf_script(runs, pdf + ".tmp", script, ov)
        r = subprocess.run(["gnuplot", script], capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"report.pdf: {r.stderr.strip()}")
        os.replace(pdf + ".tmp", pdf)
    finally:
        for f in (pdf + ".tmp", script):
            if os.path.exists(f):
                os.unlink(f)
    print(f"report: {os.path.join(outdir, 'report.md')}, report.html and report.pdf, "
          f"{sum(len(r.plots) for r in runs) + (len(ov.plots) if ov else 0)} plots")


def write_overlay(runs, outdir):
    """With two runs or more: plots-overlay/, one line per run (Overlay)."""
    if len(runs) < 2:
        return None
    ov = Overlay(runs)
    pd = os.path.join(outdir, "plots-overlay")
    os.makedirs(pd, exist_ok=True)
    ov.make_plots(pd)
    for key, _, _ in Overlay.PLOTS:
        for ext in ("png", "svg"):
            if key not in ov.plots and os.path.exists(os.path.join(pd, f"{key}.{ext}")):
                os.unlink(os.path.join(pd, f"{key}.{ext}"))
    return ov


if __name__ == "__main__":
    main()
