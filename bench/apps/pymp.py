# SPDX-License-Identifier: GPL-2.0
"""forkbench pymp's Python side (docs/forkbench.md, "pymp").

    python3 forkbench-pymp.py HEAP_BYTES METHOD FREEZE ITERATIONS

Builds a parent heap of about HEAP_BYTES as a list of small objects (one
GC-tracked instance of a slotted class each: a reference count a read of
the object writes, as in real programs), optionally gc.freeze()s it, then
ITERATIONS times:
  - Pool(1) of start method METHOD: from the call to Pool() to the first
    result of one apply() (first_result_ns), and to the end of join()
    (join_ns);
  - three os.fork() children, one after the other, each reading
    Private_Dirty of /proc/self/smaps_rollup after its work: "walk" iterates
    the list (a reference count write per object), "base" does nothing,
    "collect" runs gc.collect() (a full collection, as a long-lived worker
    eventually does).
One JSON object per line on stdout: first the heap's accounting ("heap"),
then one per iteration ("sample").  The walk's prediction is
predicted_walk_kb = base_dirty_kb + 4 * (the pages holding the reference
counts the walk writes: the objects' and the list's own, counted from id(),
which is the object's address in CPython).
"""
import gc
import json
import multiprocessing
import os
import sys
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


class Obj:
    """A small GC-tracked object: 16 bytes of header, one slot."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v


def answer():
    return 1


def private_dirty_kb():
    with open("/proc/self/smaps_rollup", "rb") as f:
        for line in f:
            if line.startswith(b"Private_Dirty:"):
                return int(line.split()[1])
    return -1


def child(fd, kind, heap):
    """In a fork child: the work of kind, then Private_Dirty to fd."""
    if kind == "walk":
        for _ in heap:
            pass
    elif kind == "collect":
        gc.collect()
    kb = private_dirty_kb()
    os.write(fd, b"%d\n" % kb)
    os._exit(0)


def fork_child(kind, heap):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        child(w, kind, heap)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        out = f.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not out.strip():
        raise RuntimeError("the %s child failed (status %d)" % (kind, status))
    return int(out)


def pool_times(ctx):
    t0 = time.monotonic_ns()
    pool = ctx.Pool(1)
    pool.apply(answer)
    t1 = time.monotonic_ns()
    pool.close()
    pool.join()
    t2 = time.monotonic_ns()
    return t1 - t0, t2 - t0


def build(heap_bytes):
    """About heap_bytes of objects (each as large as pymalloc makes it)."""
    per = (sys.getsizeof(Obj(None)) + 15) // 16 * 16
    n = max(1, heap_bytes // per)
    heap = [Obj(None) for _ in range(n)]
    pages = {id(o) // PAGE for o in heap}
    pages.add(id(heap) // PAGE)
    return heap, n, len(pages)


def main():
    heap_bytes, method, freeze, iters = (int(sys.argv[1]), sys.argv[2], sys.argv[3] == "yes",
                                         int(sys.argv[4]))
    ctx = multiprocessing.get_context(method)
    heap, n, walk_pages = build(heap_bytes)
    gc.collect()
    if freeze:
        gc.freeze()
    print(json.dumps({"heap": 1, "objects": n, "walk_pages": walk_pages,
                      "python": sys.version.split()[0]}), flush=True)
    for i in range(iters):
        first, join = pool_times(ctx)
        base = fork_child("base", heap)
        walk = fork_child("walk", heap)
        coll = fork_child("collect", heap)
        print(json.dumps({"sample": i, "first_result_ns": first, "join_ns": join,
                          "base_dirty_kb": base, "walk_dirty_kb": walk,
                          "collect_dirty_kb": coll,
                          "predicted_walk_kb": base + walk_pages * PAGE // 1024}),
              flush=True)


if __name__ == "__main__":
    main()
