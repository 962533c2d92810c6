#!/usr/bin/env python3
"""doccheck.py links FILE...            relative links and images resolve
   doccheck.py paths --root DIR FILE... repository paths in backticks exist

links: every relative markdown link or image target in FILE names an
existing file or folder (relative to FILE's folder), and a #anchor names a
heading of the target markdown file (GitHub's slugs: lower case, punctuation
dropped, spaces to '-', repeats numbered -1, -2...).

paths: every `code span` or link target whose first word starts with one of
forklab's top-level folders or files (bench/, scripts/install-deps.sh,
./run-all.sh...) exists under DIR; a glob (configs/matrix/*.conf) must match
something.  Spans with placeholders (<date>, {a,b}, $VAR, ...) are skipped.

One line per problem, FILE:LINE: what; exit 1 if there is any, 2 on bad
usage."""
import glob
import os
import re
import sys

TOP_DIRS = ("bench", "bpf", "lib", "kernel-patch", "analysis", "configs",
            "scripts", "tests", "mk", "results", "docs", ".ci")
TOP_FILES = ("run-all.sh", "Makefile", "README.md", ".clang-tidy", ".gitignore")
PLACEHOLDER = re.compile(r"[<>{}$…]|\.\.\.")
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def prose_lines(text):
    """(line number, line) of the lines outside fenced and indented code."""
    out, fenced, in_code, prev_blank = [], None, False, True
    for n, line in enumerate(text.split("\n"), 1):
        m = FENCE.match(line)
        if fenced:
            if m and m.group(1) == fenced:
                fenced = None
            continue
        if m:
            fenced, prev_blank = m.group(1), False
            continue
        if not line.strip():
            prev_blank = True
            continue
        if line.startswith("    ") or line.startswith("\t"):
            if in_code or prev_blank:
                in_code, prev_blank = True, False
                continue
        in_code, prev_blank = False, False
        out.append((n, line))
    return out


def slug_text(heading):
    t = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    t = t.replace("`", "")
    t = re.sub(r"<[^>]+>", "", t)
    t = t.strip().lower()
    t = re.sub(r"[^\w\- ]", "", t)
    return t.replace(" ", "-")


def anchors(path):
    seen, result = {}, set()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for _, line in prose_lines(text):
        m = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        s = slug_text(m.group(2))
        k = seen.get(s, 0)
        seen[s] = k + 1
        result.add(s if k == 0 else f"{s}-{k}")
    return result


def without_code_spans(line):
    return CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def check_links(path, problems):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    base = os.path.dirname(path) or "."
    for n, line in prose_lines(text):
        for m in LINK.finditer(without_code_spans(line)):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue    # http:, https:, mailto:
            file_part, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(base, file_part)) if file_part else path
            if not os.path.exists(dest):
                problems.append(f"{path}:{n}: link to '{target}': no such file")
                continue
            if anchor and dest.endswith(".md") and anchor not in anchors(dest):
                problems.append(f"{path}:{n}: link to '{target}': no heading "
                                f"'#{anchor}' in {os.path.relpath(dest)}")


def repo_path(word):
    """The repository path a code span's first word names, or None."""
    w = word[2:] if word.startswith("./") else word
    if PLACEHOLDER.search(w) or w.startswith("/"):
        return None
    first = w.split("/", 1)[0]
    if ("/" in w and first in TOP_DIRS) or w in TOP_FILES or w.rstrip("/") in TOP_DIRS:
        return w
    return None


def check_paths(path, root, problems):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for n, line in prose_lines(text):
        words = [m.group(2).strip().split()[0] for m in CODE_SPAN.finditer(line)
                 if m.group(2).strip()]
        words += [m.group(1).partition("#")[0] for m in LINK.finditer(without_code_spans(line))]
        for word in words:
            p = repo_path(word)
            if p is None:
                continue
            full = os.path.join(root, p)
            if any(c in p for c in "*?["):
                ok = bool(glob.glob(full))
            else:
                ok = os.path.exists(full)
            if not ok:
                problems.append(f"{path}:{n}: '{p}' does not exist in the repository")


def main(argv):
    if len(argv) < 2 or argv[0] not in ("links", "paths"):
        print("doccheck.py: usage: doccheck.py links FILE... | paths --root DIR FILE...",
              file=sys.stderr)
        return 2
    mode, args = argv[0], argv[1:]
    root = "."
    if mode == "paths":
        if len(args) < 3 or args[0] != "--root":
            print("doccheck.py: paths needs --root DIR and a FILE", file=sys.stderr)
            return 2
        root, args = args[1], args[2:]
    problems = []
    for path in args:
        if not os.path.isfile(path):
            problems.append(f"{path}: no such file")
        elif mode == "links":
            check_links(path, problems)
        else:
            check_paths(path, root, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
