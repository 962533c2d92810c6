#!/usr/bin/env python3
"""forklab report: plots and report.md/report.html for one or more runs.

    analysis/report.py RUN [RUN...] [--out DIR]

RUN is a results folder (summary.csv, metadata.json, cells/).  With one run
the report goes into RUN/; with several, into --out (default: the first
run's folder), one section per run.  Every number comes from the runs'
summaries, which forkbench computed (bench/stats.c: the one implementation
of medians, percentiles and CIs); the CDFs use the raw samples.  Plots are
drawn by the gnuplot scripts beside this file (gnuplot -c), PNG and SVG.
"""
import argparse
import base64
import csv
import glob
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ["cow", "stack", "eager"]
MiB = 1024 * 1024
HPAGE = 2 * MiB  # bench/result.h FB_HPAGE_BYTES
CI_MIN_N = 6     # bench/stats.h STATS_CI_MIN_N


def num(v):
    try:
        f = float(v)
        return f if math.isfinite(f) else None
    except (TypeError, ValueError):
        return None


class BadRun(Exception):
    """A run folder report.py cannot use; the message is one line."""


def load_run(path):
    f = os.path.join(path, "summary.csv")
    try:
        with open(f, newline="") as fh:
            rows = list(csv.DictReader(fh))
        f = os.path.join(path, "metadata.json")
        with open(f) as fh:
            meta = json.load(fh)
    except json.JSONDecodeError as e:
        raise BadRun(f"{f}:{e.lineno}: not valid JSON: {e.msg}") from e
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        raise BadRun(f"cannot read {f}: {e}") from e
    if not isinstance(meta, dict):
        raise BadRun(f"{f}: not a JSON object")
    return rows, meta


def first_seen(values):
    """The distinct values, in the order they first come."""
    return list(dict.fromkeys(values))


def pick(rows, **kw):
    return [r for r in rows if all(r.get(k) == v for k, v in kw.items())]


def heap_x(b):
    """Heap in MiB for a log axis; the empty heap is drawn at 0.25."""
    b = float(b)
    return 0.25 if b == 0 else b / MiB


def write_dat(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def gnuplot(script, *args):
    cmd = ["gnuplot", "-c", os.path.join(HERE, script)] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{script}: {r.stderr.strip()}")


class Run:
    def __init__(self, path):
        self.path = path
        self.rows, self.meta = load_run(path)
        self.label = f"{self.meta.get('hostname', '?')} {self.meta.get('kernel_release', '?')}"
        virt = self.meta.get("virtualization", "none")
        self.note = ""
        if virt == "tcg":
            self.note = "\n(QEMU TCG guest: these times mean nothing; only counts are meaningful)"
        self.plots = {}      # key -> (png path, caption)
        self.missing = {}    # key -> why there is no plot
        self.headlines = []

    def modes(self, **kw):
        return [m for m in MODES if pick(self.rows, fork_mode=m, **kw)]

    def spawn_methods(self):
        """The spawn methods of this run, from its method column, in the
        order forkbench writes them: a method forkbench gains shows here
        with no edit to this file."""
        return first_seen(r["method"] for r in self.rows
                          if r.get("bench") == "spawn" and r.get("metric") == "start")

    # ---- data + plots ----
    def plot_spawn(self, d, out):
        methods = self.spawn_methods()
        if not methods:
            return "no spawn cells in this run"
        thps = [t for t in ("never", "always")
                if pick(self.rows, bench="spawn", metric="start", thp=t)]
        for thp in thps:
            for m in methods:
                rs = sorted(pick(self.rows, bench="spawn", method=m, metric="start", thp=thp),
                            key=lambda r: float(r["heap_bytes"]))
                write_dat(os.path.join(d, f"spawn-{thp}-{m}.dat"),
                          ["# heap_MiB median_us p10_us p90_us"] +
                          [f"{heap_x(r['heap_bytes'])} {float(r['median_ns'])/1e3} "
                           f"{float(r['p10_ns'])/1e3} {float(r['p90_ns'])/1e3}" for r in rs] or ["NaN NaN NaN NaN"])
        heaps = sorted({float(r["heap_bytes"]) for r in self.rows if r["bench"] == "spawn"})
        gnuplot("spawn.gp", d, out, " ".join(methods), self.note, " ".join(thps),
                " ".join(f"{h / MiB:g}" for h in heaps))
        return None

    def plot_modes(self, d, out):
        modes = self.modes(bench="heap", thp="never", metric="fork")
        cells = [r for r in self.rows if r["cell"].startswith("heap-4k")]
        if not cells:
            return "no heap-4k cells in this run"
        for what in ("fork", "child_write"):
            for m in modes:
                rs = sorted(pick(cells, metric=what, fork_mode=m), key=lambda r: float(r["heap_bytes"]))
                write_dat(os.path.join(d, f"modes-{what}-{m}.dat"),
                          ["# heap_MiB median_ms p10_ms p90_ms"] +
                          [f"{heap_x(r['heap_bytes'])} {float(r['median_ns'])/1e6} "
                           f"{float(r['p10_ns'])/1e6} {float(r['p90_ns'])/1e6}" for r in rs])
        gnuplot("modes.gp", d, out, " ".join(modes), self.note)
        return None

    def plot_counts(self, d, out):
        traced = [r for r in self.rows if r["cell"].split("@")[0] == "counts" and r["metric"] == "fork"]
        traced.sort(key=lambda r: MODES.index(r["fork_mode"]) if r["fork_mode"] in MODES else 9)
        cols, series = [], []
        if traced and any(num(r.get("child_wp_faults")) is not None for r in traced):
            counters = ["wp_faults", "cow_copies", "cow_reuses", "tlb_flush_fork", "tlb_flush_fault",
                        "eager_copies"]
            self.counts_table = []
            for r in traced:
                it = float(r["iterations"])
                for role in ("parent", "child"):
                    cols.append(f"{r['fork_mode']}/{role}")
                    series.append([(num(r.get(f"{role}_{c}")) or 0) / it for c in counters])
                    got = [num(r.get(f"{role}_{c}")) for c in counters]
                    got = ["" if v is None else f"{v / it:g}" for v in got]
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
                    pred = ["" if v is None else f"{v:g}" for v in (pw, pc, pr, None, None, pe)]
                    self.counts_table.append(
                        [f"{r['fork_mode']}/{role}"] +
                        [f"{g} ({p})" if p else g for g, p in zip(got, pred)])
            r0 = traced[0]
            title = (f"cowtrace counts per iteration, heap {float(r0['heap_bytes']) / MiB:g} MiB: "
                     f"child writes {100 * (num(r0.get('child_write_fraction')) or 0):g} %, "
                     f"then the parent {100 * (num(r0.get('parent_write_fraction')) or 0):g} %")
            mode = self.meta_trace()
        else:
            rs = [r for r in self.rows if r["cell"].startswith("counts") or r["cell"].startswith("cross-50")]
            rs = [r for r in rs if r["metric"] == "fork"]
            if not rs:
                return "no counts cell (needs root for cowtrace) and no cross-50 cell"
            counters = ["wp_faults (measured minflt)", "predicted wp_faults", "predicted copies",
                        "predicted reuses"]
            for r in rs:
                for role in ("parent", "child"):
                    pre = "pred_parent" if role == "parent" else "pred_child"
                    cols.append(f"{r['fork_mode']}/{role}")
                    pw = num(r.get(f"{pre}_wp_faults")) or 0
                    pr = num(r.get("pred_parent_cow_reuses")) or 0 if role == "parent" else 0
                    pc = num(r.get(f"{pre}_cow_copies"))
                    if pc is None:  # the parent's, in runs before the column: faults - reuses
                        pc = pw - pr if role == "parent" else 0
                    series.append([num(r.get(f"{role}_write_minflt")) or 0, pw, pc, pr])
            title = "write faults per iteration (getrusage) and predictions; cowtrace needs root"
        lines = ["counter " + " ".join(c.replace(" ", "_") for c in cols)]
        for i, c in enumerate(counters):
            lines.append(c.replace(" ", "_") + " " + " ".join(f"{s[i]:g}" for s in series))
        path = os.path.join(d, "counts.dat")
        write_dat(path, lines)
        note = " (QEMU TCG guest: counts are exact)" if self.note else ""
        gnuplot("counts.gp", path, out, title + note)
        return None

    def meta_trace(self):
        return ""

    def plot_cdf(self, d, out):
        samples = glob.glob(os.path.join(self.path, "cells", "spawn-4k*.samples.csv"))
        if not samples:
            return "no spawn-4k samples in this run"
        vals = {}
        for path in samples:
            for r in csv.DictReader(l for l in open(path) if not l.startswith("#")):
                if r["metric"] == "start" and r["value"]:
                    vals.setdefault((r["method"], int(r["heap_bytes"])), []).append(float(r["value"]) / 1e3)
        heaps = sorted({h for _, h in vals})
        pickh = [heaps[0], heaps[-1]] if len(heaps) > 1 else heaps
        methods = [m for m in first_seen(self.spawn_methods() + sorted(m for m, _ in vals))
                   if any((m, h) in vals for h in pickh)]
        for i, h in enumerate(pickh, 1):
            for m in methods:
                v = sorted(vals.get((m, h), []))
                write_dat(os.path.join(d, f"cdf-{i}-{m}.dat"),
                          ["# us fraction"] + [f"{x} {(k + 1) / len(v)}" for k, x in enumerate(v)]
                          or ["NaN NaN"])
        labels = " ".join(("empty" if h == 0 else f"{h // MiB}MiB") for h in pickh)
        gnuplot("cdf.gp", d, out, " ".join(methods), labels, self.note)
        return None

    def plot_throughput(self, d, out):
        cells = [r for r in self.rows if r["cell"].startswith("heap-4k")]
        if not cells:
            return "no heap-4k cells in this run"
        modes = self.modes(bench="heap", thp="never", metric="fork")
        for m in modes:
            rs = sorted(pick(cells, metric="fork", fork_mode=m), key=lambda r: float(r["heap_bytes"]))
            write_dat(os.path.join(d, f"tput-{m}.dat"), ["# heap_MiB GBps"] +
                      [f"{heap_x(r['heap_bytes'])} {float(r['heap_bytes']) / float(r['median_ns'])}" for r in rs])
        rs = sorted(pick(cells, metric="memcpy", fork_mode=modes[0]), key=lambda r: float(r["heap_bytes"]))
        write_dat(os.path.join(d, "tput-memcpy.dat"), ["# heap_MiB GBps"] +
                  [f"{heap_x(r['heap_bytes'])} {float(r['heap_bytes']) / float(r['median_ns'])}" for r in rs])
        gnuplot("throughput.gp", d, out, " ".join(modes), self.note)
        return None

    def crossover(self):
        """(fraction %, label) where eager's total falls below cow's."""
        pts = {}
        for r in self.rows:
            if not r["cell"].startswith("cross-"):
                continue
            frac = num(r.get("child_write_fraction"))
            if frac is None or r["metric"] not in ("fork", "child_write"):
                continue
            pts.setdefault(r["fork_mode"], {}).setdefault(frac * 100, 0)
            pts[r["fork_mode"]][frac * 100] += float(r["median_ns"]) / 1e6
        return pts

    def plot_crossover(self, d, out):
        pts = self.crossover()
        if not pts:
            return "no cross-* cells in this run"
        for m, p in pts.items():
            write_dat(os.path.join(d, f"cross-{m}.dat"), ["# percent ms"] +
                      [f"{x} {y}" for x, y in sorted(p.items())])
        cx, label = 0, ""
        if "eager" in pts and "cow" in pts:
            xs = sorted(set(pts["eager"]) & set(pts["cow"]))
            diff = [(x, pts["eager"][x] - pts["cow"][x]) for x in xs]
            for (x0, d0), (x1, d1) in zip(diff, diff[1:]):
                if d0 > 0 >= d1:
                    # on the plot's log x axis, where the lines are straight
                    cx = math.exp(math.log(x0) + (math.log(x1) - math.log(x0)) * d0 / (d0 - d1))
                    break
            if cx:
                label = f"eager beats cow above ~{cx:.0f} % written"
            elif diff and diff[0][1] <= 0:
                label = "eager is cheaper at every measured fraction"
            else:
                label = "cow is cheaper at every measured fraction"
        else:
            label = "only cow measured: the crossover needs forklab's kernel (stack/eager modes)"
        gnuplot("crossover.gp", d, out, " ".join(m for m in MODES if m in pts), cx, label, self.note)
        self.cross_label = label
        return None

    def make_plots(self, outdir):
        d = os.path.join(outdir, "data")
        os.makedirs(d, exist_ok=True)
        for key, fn, caption in [
            ("spawn", self.plot_spawn, "Process creation vs parent size (fork_exec grows, vfork/posix_spawn stay flat)"),
            ("modes", self.plot_modes, "fork latency and post-fork child write time per fork mode"),
            ("counts", self.plot_counts, "Faults, copies, reuses and TLB flushes per mode and role"),
            ("cdf", self.plot_cdf, "Latency CDFs per method"),
            ("throughput", self.plot_throughput, "Copy throughput at fork vs the memcpy floor"),
            ("crossover", self.plot_crossover, "The crossover: total cost vs fraction written"),
        ]:
            out = os.path.join(outdir, key)
            try:
                why = fn(d, out)
            except RuntimeError as e:
                why = f"gnuplot could not draw it ({e})"
            if why:
                self.missing[key] = why
            else:
                self.plots[key] = (out + ".png", caption)

    def scenario_counts(self):
        """Traced scenario cells: per process, counts per iteration next to the predictions."""
        out = []
        for r in self.rows:
            if r["bench"] != "scenario" or r["metric"] != "write" or num(r.get("wp_faults")) is None:
                continue
            it = float(r["iterations"])
            cells = [r["cell"], r["method"]]
            for c in ("wp_faults", "cow_copies", "cow_reuses"):
                got, pred = num(r.get(c)), num(r.get(f"{r['fork_mode']}_pred_{c}"))
                cells.append(("" if got is None else f"{got / it:g}") +
                             ("" if pred is None else f" ({pred:g})"))
            out.append(cells)
        return out

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
        return out

    # ---- headline numbers ----
    def headline(self):
        h = []
        forks = [r for r in self.rows if r["cell"].startswith("heap-4k") and r["metric"] == "fork"
                 and r["fork_mode"] == "cow"]
        if forks:
            big = max(forks, key=lambda r: float(r["heap_bytes"]))
            gib = float(big["heap_bytes"]) / 2**30
            h.append(f"fork() of a parent with a touched {float(big['heap_bytes'])/MiB:.0f} MiB heap "
                     f"(4 KiB pages) takes {float(big['median_ns'])/1e6:.1f} ms (median): "
                     f"{float(big['median_ns'])/1e6/gib:.1f} ms per GiB.")
            w = num(big.get("child_write_ns_per_page"))
            if w:
                h.append(f"A child writing every page after fork pays {w/1e3:.2f} µs per COW fault "
                         f"(median per page), against {num(big.get('memcpy_ns_per_page'))/1e3:.2f} µs per page "
                         f"for a memcpy of the same heap in the same run.")
        st = [r for r in self.rows if r["bench"] == "spawn" and r["metric"] == "start" and r["thp"] == "never"]
        if st:
            big = max(float(r["heap_bytes"]) for r in st)
            fe = pick(st, method="fork_exec", heap_bytes=str(int(big)))
            ps = pick(st, method="posix_spawn", heap_bytes=str(int(big)))
            if fe and ps:
                ratio = float(fe[0]["median_ns"]) / float(ps[0]["median_ns"])
                h.append(f"With a {big/MiB:.0f} MiB parent, fork+exec takes {ratio:.1f}x as long as "
                         f"posix_spawn to start the new program ({float(fe[0]['median_ns'])/1e3:.0f} µs vs "
                         f"{float(ps[0]['median_ns'])/1e3:.0f} µs, medians).")
        return h


def img_tag(path, html):
    if html:
        data = base64.b64encode(open(path, "rb").read()).decode()
        return f'<img alt="{os.path.basename(path)}" src="data:image/png;base64,{data}" style="max-width:100%">'
    return f"![{os.path.basename(path)}]({os.path.basename(os.path.dirname(path))}/{os.path.basename(path)})"


META_KEYS = ["kernel_release", "fork_copy_mode", "thp_enabled", "cpu_model", "cores", "mem_total_bytes",
             "virtualization", "governor", "aslr_sysctl", "aslr_cells", "sysctls_for_run", "fork_modes",
             "compiler", "forklab_git", "date"]


def render(runs, outdir, html):
    out = []
    esc = (lambda s: s.replace("&", "&amp;").replace("<", "&lt;")) if html else (lambda s: s)
    out.append("# forklab report")
    out.append("")
    out.append("Runs: " + ", ".join(esc(r.label) for r in runs) + ".")
    if any(r.meta.get("virtualization") == "tcg" for r in runs):
        out.append("")
        out.append("**A run under QEMU TCG (software emulation): its times mean nothing (emulated memory "
                   "copies and faults bear no relation to hardware); only its counts are meaningful, and "
                   "they are exact.**")
    out.append("")
    out.append("## Machines")
    out.append("")
    out.append("| | " + " | ".join(esc(os.path.basename(r.path.rstrip('/'))) for r in runs) + " |")
    out.append("|---|" + "---|" * len(runs))
    for k in META_KEYS:
        out.append(f"| {k} | " + " | ".join(esc(str(r.meta.get(k, ''))) for r in runs) + " |")
    for r in runs:
        out.append("")
        out.append(f"## {esc(r.label)}")
        out.append("")
        heads = r.headline()
        if heads and r.meta.get("virtualization") == "tcg":
            out.append("Times from a QEMU TCG guest: they mean nothing and are listed only to show "
                       "what a run on hardware reports.")
            out.append("")
        for line in heads:
            out.append(f"- {line}")
        if getattr(r, "cross_label", None):
            out.append(f"- Crossover: {r.cross_label}.")
        flags = r.flags()
        if flags:
            out.append("")
            out.append("Flagged cells:")
            out.append("")
            for line in flags:
                out.append(f"- {line}")
        sc = r.scenario_counts()
        if sc:
            out.append("")
            out.append("The classic questions, traced (cowtrace): counts per iteration of each process's "
                       "write, the prediction for its fork mode in parentheses:")
            out.append("")
            out.append("| cell | process | wp_faults | cow_copies | cow_reuses |")
            out.append("|---|---|---|---|---|")
            for row in sc:
                out.append("| " + " | ".join(row) + " |")
        if getattr(r, "counts_table", None):
            out.append("")
            out.append("Counts per iteration from cowtrace (the `counts` cell), the prediction in "
                       "parentheses; the predicted eager_copies are the heap's pages only, the measured "
                       "ones add the process's own stack, libc and TLS pages:")
            out.append("")
            out.append("| mode/role | wp_faults | cow_copies | cow_reuses | tlb_flush_fork | tlb_flush_fault "
                       "| eager_copies |")
            out.append("|---|---|---|---|---|---|---|")
            for row in r.counts_table:
                out.append("| " + " | ".join(row) + " |")
        for key, (png, caption) in r.plots.items():
            out.append("")
            out.append(f"### {caption}")
            out.append("")
            out.append(img_tag(png, html))
        for key, why in r.missing.items():
            out.append("")
            out.append(f"- No {key} plot: {why}.")
    text = "\n".join(out) + "\n"
    if not html:
        return text
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
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
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
            body.append(f"<p>&bull; {line[2:]}</p>")
        elif line.startswith("**"):
            body.append(f"<p><b>{line.strip('*')}</b></p>")
        elif line:
            body.append(line if line.startswith("<img") else f"<p>{line}</p>")
    if in_table:
        body.append("</table>")
    style = ("body{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse}td{border:1px solid #ccc;padding:2px 8px;font-size:90%}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>forklab report</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


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


def write_report(runs, outdir):
    os.makedirs(outdir, exist_ok=True)
    for i, r in enumerate(runs):
        pd = os.path.join(outdir, "plots" if len(runs) == 1 else f"plots-{i + 1}")
        os.makedirs(pd, exist_ok=True)
        r.make_plots(pd)
    for name, html in (("report.md", False), ("report.html", True)):
        tmp = os.path.join(outdir, name + ".tmp")
        try:
            with open(tmp, "w") as f:
                f.write(render(runs, outdir, html))
            os.replace(tmp, os.path.join(outdir, name))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    print(f"report: {os.path.join(outdir, 'report.md')} and report.html, "
          f"{sum(len(r.plots) for r in runs)} plots")


if __name__ == "__main__":
    main()
