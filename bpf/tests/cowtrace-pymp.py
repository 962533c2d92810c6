# SPDX-License-Identifier: GPL-2.0
"""A Python 'fork' child writing a known part of its parent's heap, for
cowtrace's agreement with the kernel's own accounting
(tests/bpf/cowtrace-pymp.sh, docs/cowtrace.md "Python multiprocessing").

    python3 cowtrace-pymp.py MIB PART

The parent fills a bytearray of MIB MiB (every page written), then starts
one multiprocessing child with the 'fork' start method.  The child reads
its Private_Dirty (/proc/self/smaps_rollup), writes one byte of every page
of the first 1/PART of the bytearray (COW copies of pages its parent still
maps), reads Private_Dirty again and sends both to the parent, which
prints one line:

    pid=CHILD_PID pages=PAGES_WRITTEN dirty_before_kb=KB dirty_after_kb=KB
"""
import multiprocessing
import os
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")


def private_dirty_kb():
    with open("/proc/self/smaps_rollup", "rb") as f:
        for line in f:
            if line.startswith(b"Private_Dirty:"):
                return int(line.split()[1])
    return -1


def child(buf, part, conn):
    end = len(buf) // part
    before = private_dirty_kb()
    for i in range(0, end, PAGE):
        buf[i] = 2
    after = private_dirty_kb()
    conn.send((os.getpid(), (end + PAGE - 1) // PAGE, before, after))
    conn.close()


def main():
    if len(sys.argv) != 3 or not all(a.isdigit() and int(a) > 0 for a in sys.argv[1:]):
        sys.exit("usage: cowtrace-pymp.py MIB PART (positive whole numbers)")
    mib, part = int(sys.argv[1]), int(sys.argv[2])
    buf = bytearray(b"\x01") * (mib << 20)
    ctx = multiprocessing.get_context("fork")
    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=child, args=(buf, part, w))
    p.start()
    w.close()
    pid, pages, before, after = r.recv()
    p.join()
    if p.exitcode != 0:
        sys.exit("the child exited with status %s" % p.exitcode)
    print("pid=%d pages=%d dirty_before_kb=%d dirty_after_kb=%d" % (pid, pages, before, after))


if __name__ == "__main__":
    main()
