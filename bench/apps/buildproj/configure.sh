#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A configure-style script: what autoconf's output does, in small: one
# compiler run per header and per function checked, a few command
# substitutions and pipelines per source file (the arguments).  Prints
# config.h.
set -eu
CC=${CC:-cc}
tmp=conftest.$$
trap 'rm -f "$tmp".c "$tmp".o "$tmp"' EXIT

echo "/* config.h: made by configure.sh */"
for h in stdio.h stdlib.h string.h unistd.h fcntl.h errno.h signal.h time.h; do
	name=$(echo "$h" | tr '[:lower:]./' '[:upper:]__')
	if printf '#include <%s>\n' "$h" | "$CC" -E - >/dev/null 2>&1; then
		echo "#define HAVE_$name 1"
	fi
done
for f in fork pipe dup2 waitpid; do
	name=$(echo "$f" | tr '[:lower:]' '[:upper:]')
	printf '#include <unistd.h>\n#include <sys/wait.h>\nint main(void) { return (int)(long)&%s; }\n' "$f" >"$tmp".c
	if "$CC" "$tmp".c -o "$tmp" >/dev/null 2>&1; then
		echo "#define HAVE_$name 1"
	fi
done
n=0
for s in "$@"; do
	base=$(basename "$s" .c)
	lines=$(wc -l <"$s")
	n=$((n + 1))
	echo "#define LINES_$(echo "$base" | tr '[:lower:]' '[:upper:]') $lines"
done
echo "#define NSOURCES $n"
