#!/bin/bash
# Bad input to every forklab program, from one table: forkbench, cowtrace,
# forklab-matrix, run-all.sh, analysis/compare, analysis/report.py and
# scripts/kernel/vm-run.sh.  Classes: unknown options, bad values (sizes,
# methods, scenarios, modes...), config files with syntax errors (the line
# named), missing privileges (run as nobody), missing BTF, an unwritable
# results folder (read-only to nobody; a read-only mount for root), a full
# disk (/dev/full, and a filled 64 KiB tmpfs).
#
# Every case must: exit with the status in the table (2 for bad usage),
# print exactly one line on stderr matching the pattern (the bad value and
# what is allowed, or the cause), leave no process behind (each case's
# processes carry FORKLAB_CASE in their environment; none may survive it)
# and leave no file in the output folders (nothing partial).
#
# BADINPUT_ONLY="forkbench cowtrace" limits the run to those programs
# (tests/host/sanitizers.sh runs the table against its own builds).
. "$(dirname "$0")/../lib.sh"
R=$FORKLAB_ROOT
export FB CT MX=$FORKLAB_BUILD/forklab-matrix RA=$R/run-all.sh CMP=$R/analysis/compare \
	RPT=$R/analysis/report.py VMR=$R/scripts/kernel/vm-run.sh FIX=$R/tests/fixtures \
	HO=$R/scripts/harness-overhead.sh
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

chmod 755 "$T_TMP"
export IN=$T_TMP/in OUT=$T_TMP/out RO=$T_TMP/ro ROMNT=$T_TMP/romnt FULL=$T_TMP/full
mkdir -p "$IN" "$OUT" "$RO" "$ROMNT" "$FULL"
chmod 777 "$OUT"
chmod 555 "$RO"
mounts=""
cleanup() {
	for m in $mounts; do umount "$m" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap cleanup EXIT
if is_root && mount -t tmpfs -o ro,size=64k forklab-ro "$ROMNT" 2>/dev/null; then
	mounts="$mounts $ROMNT"
fi
if is_root && mount -t tmpfs -o size=64k,mode=1777 forklab-full "$FULL" 2>/dev/null; then
	mounts="$mounts $FULL"
	dd if=/dev/zero of="$FULL/fill" bs=4k 2>/dev/null
fi

# ---- input fixtures (readable by nobody) --------------------------------
printf 'cell ok spawn -n 1\nbogus x y\n' >"$IN/keyword.conf"
printf '# c\ncell a spawn -n 1\ncell a spawn -n 2\n' >"$IN/dup.conf"
printf 'cell-modes a spawn -n 1\ncell a spawn\n' >"$IN/dup-modes.conf"
printf 'cell b@d spawn\n' >"$IN/name.conf"
printf '\n\ncell lonely   # no arguments\n' >"$IN/noargs.conf"
: >"$IN/empty.conf"
printf '# only\n\n   # comments\n' >"$IN/comments.conf"
printf 'cell a spawn\ncell b sp\000awn\n' >"$IN/nul.conf"
printf 'cell \033[31mred spawn\n' >"$IN/escape.conf"
head -c 1100000 /dev/zero | tr '\0' '#' >"$IN/huge.conf"
printf 'cell a spawn -n 1\n' >"$IN/secret.conf"
printf 'cell a spawn --method fork_exit -n 1 --warmup 0\n' >"$IN/good.conf"
printf 'cell a spawn -n 6\ncell b spwan\n' >"$IN/badcell.conf"
printf '# sizes take a unit\ncell-modes h heap --heap 256 -n 6\n' >"$IN/nounit.conf"
printf 'not BTF at all\n' >"$IN/garbage.btf"
[ -r /sys/kernel/btf/vmlinux ] && head -c 4096 /sys/kernel/btf/vmlinux >"$IN/truncated.btf"
mkdir -p "$IN/badmeta" "$IN/badsum" "$IN/notrun"
# a run of run-all.sh --vm --icount, interrupted
mkdir -p "$IN/icrun/cells"
printf 'cell a spawn -n 1\n' >"$IN/icrun/config.conf"
echo vm >"$IN/icrun/run-kind"
echo "instructions (QEMU -icount shift=0)" >"$IN/icrun/clock"
cp "$FIX/run-a/summary.csv" "$IN/badmeta/"
printf '{"kernel_release": "6.12",\n "cpu": \n' >"$IN/badmeta/metadata.json"
printf 'cell,median_ns\nx,1\377\376\n' >"$IN/badsum/summary.csv"
cp "$FIX/run-a/metadata.json" "$IN/badsum/"
chmod -R a+rX "$IN"
chmod 600 "$IN/secret.conf"

# ---- the table: NAME :: WHO :: STATUS :: STDERR PATTERN :: COMMAND -------
# WHO: any (this user), nobody (uid 65534, no capabilities), root.
# COMMAND runs under sh -c with $FB $CT $MX $RA $CMP $RPT $VMR $IN $OUT $RO
# $ROMNT $FULL set; nothing may be left in $OUT, $RO, $ROMNT, $FULL.
table=$T_TMP/table
cat >"$table" <<'EOF'
forkbench: no benchmark :: any :: 2 :: no benchmark given \(allowed: spawn, .*metadata :: $FB
forkbench: unknown benchmark :: any :: 2 :: unknown benchmark 'sapwn' \(allowed: spawn :: $FB sapwn
forkbench: escape in benchmark name :: any :: 2 :: unknown benchmark 'sp\\x1bawn' :: $FB "$(printf 'sp\033awn')"
forkbench: unknown option :: any :: 2 :: ^forkbench spawn: unrecognized option '--bogus' \(see 'forkbench spawn --help'\)$ :: $FB spawn --bogus
forkbench: option value missing :: any :: 2 :: option '--heap' requires an argument :: $FB spawn --heap
forkbench: stray argument :: any :: 2 :: unexpected argument 'extra' :: $FB spawn extra
forkbench: unknown method :: any :: 2 :: unknown method 'frok' \(allowed: fork_exit, fork_exec, vfork_exec, posix_spawn, clone_vfork_exec\) :: $FB spawn --method frok
forkbench: empty method in list :: any :: 2 :: empty item in list 'fork_exit,' :: $FB spawn --method fork_exit,
forkbench: exec target :: any :: 2 :: unknown --exec-target 'musl' \(allowed: static, dynamic\) :: $FB spawn --exec-target musl
forkbench: size without unit :: any :: 2 :: --heap: size '4096' has no unit :: $FB spawn --heap 4096
forkbench: size with unknown unit :: any :: 2 :: unknown unit 'Q' \(allowed: B, K, M, G, T\) :: $FB spawn --heap 4Q
forkbench: size not a number :: any :: 2 :: size 'lots' is not a number with a unit :: $FB spawn --heap lots
forkbench: size in fractions of a byte :: any :: 2 :: size 1.5B is not a whole number of bytes :: $FB spawn --heap 1.5B
forkbench: size with a newline :: any :: 2 :: --heap: size '4\\x0aK' has an unknown unit :: $FB spawn --heap "$(printf '4\nK')"
forkbench: size too large :: any :: 2 :: --heap: size 5T is too large \(max 4 TiB\) :: $FB spawn --heap 5T
forkbench: size 2^64 :: any :: 2 :: --heap: size 16777216T is too large :: $FB spawn --heap 16777216T
forkbench: heap over MemAvailable :: any :: 2 :: --heap needs 3 TiB but only .* is available :: $FB spawn --heap 3T
forkbench: iterations 0 :: any :: 2 :: --iterations: 0 is out of range \(allowed: 1\.\.10000000\) :: $FB spawn -n 0
forkbench: iterations not a number :: any :: 2 :: --iterations: 'ten' is not a number :: $FB spawn -n ten
forkbench: iterations overflow :: any :: 2 :: --iterations: 99999999999999999999999 is out of range :: $FB spawn -n 99999999999999999999999
forkbench: warmup negative :: any :: 2 :: --warmup: '-1' is not a number :: $FB spawn --warmup=-1
forkbench: thp value :: any :: 2 :: unknown --thp value 'madvise' \(allowed: never, always\) :: $FB spawn --thp madvise
forkbench: format value :: any :: 2 :: unknown --format 'xml' \(allowed: human, csv, json\) :: $FB spawn --format xml
forkbench: cpu out of range :: any :: 2 :: --cpu: 4096 is out of range \(allowed: 0\.\. :: $FB spawn --cpu 4096
forkbench: too many events :: any :: 2 :: --events .*at most 8 events :: $FB spawn --events a,b,c,d,e,f,g,h,i
forkbench: unknown event :: any :: 2 :: ^forkbench heap: --events: unknown event 'perf::NO-SUCH' \(libpfm4 knows no such event :: $FB heap --heap 1M -n 1 --events perf::NO-SUCH
forkbench: bad event attribute :: any :: 2 :: --events: 'perf::PAGE-FAULTS:zz': invalid event attribute :: $FB nested -n 1 --events perf::PAGE-FAULTS:zz
forkbench: --check of a bad value :: any :: 2 :: ^forkbench heap: --heap: size '256' has no unit :: $FB heap --heap 256 --check
forkbench: fork mode unknown :: any :: 2 :: unknown --fork-mode 'lazy' \(allowed: cow, stack, eager\) :: $FB spawn --fork-mode lazy
forkbench: fork mode twice :: any :: 2 :: --fork-mode: 'cow' given twice :: $FB spawn --fork-mode cow,cow
forkbench: heap with zero heap :: any :: 2 :: --heap: sizes must be above 0 for heap :: $FB heap --heap 0
forkbench: heap fraction out of range :: any :: 2 :: --child-write: fraction 1.5 is out of range :: $FB heap --heap 1M --child-write 1.5
forkbench: heap bad pattern :: any :: 2 :: unknown --pattern 'zigzag' \(allowed: sequential, stride, random\) :: $FB heap --heap 1M --pattern zigzag
forkbench: heap bad parent-when :: any :: 2 :: unknown --parent-when 'never' :: $FB heap --heap 1M --parent-when never
forkbench: heap too large for memory :: any :: 2 :: heap \(parent \+ memcpy buffer \+ copies\) needs :: $FB heap --heap 2T
forkbench: heap folio not a power of two :: any :: 2 :: --folio: 3 KiB is not a power of two from 4K to 1G :: $FB heap --heap 1M --folio 3K
forkbench: heap folio without unit :: any :: 2 :: --folio: size '4096' has no unit :: $FB heap --heap 1M --folio 4096
forkbench: heap folio too large :: any :: 2 :: --folio: size 2G is too large \(max 1 GiB\) :: $FB heap --heap 1M --folio 2G
forkbench: heap folio empty item :: any :: 2 :: --folio '4K,': empty item in list :: $FB heap --heap 1M --folio 4K,
forkbench: heap folio and THP :: any :: 2 :: --folio and --thp always: one of them :: $FB heap --heap 1M --folio 64K --thp always
forkbench: heap folio size the kernel lacks :: any :: 2 :: --folio 4 MiB: this kernel has no (folios of that size \(allowed here: 4K, .*\)|mTHP) :: $FB heap --heap 1M --folio 4M
forkbench: heap folio not root :: nobody :: 2 :: --folio 64 KiB: (needs root to set .*/hugepages-64kB/enabled|this kernel has no) :: $FB heap --heap 1M --folio 64K
forkbench: nested tree too large :: any :: 2 :: --shape tree:4:5: 1365 processes; at most 64 :: $FB nested --shape tree:4:5
forkbench: nested huge tree :: any :: 2 :: --shape tree:63:63: over 1000000 processes :: $FB nested --shape tree:63:63
forkbench: nested heap x processes :: any :: 2 :: the family \(heap x processes\) needs :: $FB nested --shape chain:20 --heap 1T
forkbench: nested bad shape :: any :: 2 :: unknown --shape 'ring:3' :: $FB nested --shape ring:3
forkbench: nested bad edge :: any :: 2 :: bad edge at 'A_B' :: $FB nested --shape edges:A_B
forkbench: nested edges out of order :: any :: 2 :: must be named B :: $FB nested --shape edges:A-C
forkbench: nested unknown process :: any :: 2 :: --write-order: unknown process 'E' \(this shape has A..D\) :: $FB nested --write-order D,E
forkbench: nested early exit of a non-leaf :: any :: 2 :: exit:B: only a leaf other than A can exit early :: $FB nested --write-order exit:B
forkbench: vmas 0 :: any :: 2 :: --vmas: 0 is out of range \(allowed: 1\.\.1000000\) :: $FB vmas --vmas 0
forkbench: vmas not a number :: any :: 2 :: --vmas: 'many' is not a number :: $FB vmas --vmas many
forkbench: vmas empty item :: any :: 2 :: --vmas '100,': empty item in list :: $FB vmas --vmas 100,
forkbench: vmas too many counts :: any :: 2 :: --vmas: at most 16 counts :: $FB vmas --vmas 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
forkbench: vmas above vm.max_map_count :: any :: 2 :: --vmas 999999: with forkbench's own [0-9]+ mappings .*above vm.max_map_count [0-9]+ \(at most [0-9]+ here\) :: $FB vmas --vmas 999999
forkbench: threads 0 :: any :: 2 :: --threads: 0 is out of range \(allowed: 1\.\.64\) :: $FB threads --threads 0
forkbench: threads too many :: any :: 2 :: --threads: 65 is out of range \(allowed: 1\.\.64\) :: $FB threads --threads 65
forkbench: threads bad work :: any :: 2 :: unknown --thread-work 'nap' \(allowed: read, write, syscall\) :: $FB threads --thread-work nap
forkbench: threads CPU out of range :: any :: 2 :: --thread-cpus: 4096 is out of range \(allowed: 0\.\. :: $FB threads --thread-cpus 4096
forkbench: threads empty CPU :: any :: 2 :: --thread-cpus '0,': empty item in list :: $FB threads --thread-cpus 0,
forkbench: redis dataset 0 :: any :: 2 :: --dataset: 0 is too small \(allowed: 1M\.\.4T\) :: $FB redis --dataset 0
forkbench: redis dataset bad unit :: any :: 2 :: --dataset: size '1x' has an unknown unit 'x' :: $FB redis --dataset 1x
forkbench: redis dataset empty item :: any :: 2 :: --dataset '64M,': empty item in list :: $FB redis --dataset 64M,
forkbench: redis dataset over MemAvailable :: any :: 2 :: --dataset 3 TiB \(with Redis's overhead, a third more\) needs 4 TiB but only .* is available :: $FB redis --dataset 3T
forkbench: redis eager dataset over MemAvailable :: any :: 2 :: --dataset 1 TiB \(with Redis's overhead, a third more, twice for eager\) needs .* but only .* is available :: $FB redis --dataset 1T --fork-mode eager
forkbench: redis rate too low :: any :: 2 :: --rate: 50 is out of range \(allowed: 100\.\.100000\) :: $FB redis --rate 50
forkbench: redis around not a number :: any :: 2 :: --around: 'long' is not a number \(allowed: 100\.\.60000\) :: $FB redis --around long
forkbench: redis with --heap :: any :: 2 :: --heap: redis has no heap of its own; --dataset SIZE sets Redis's used_memory :: $FB redis --heap 64M
forkbench: redis with --thp always :: any :: 2 :: --thp: redis leaves Redis's memory to the kernel \(allowed: never\) :: $FB redis --thp always
forkbench: redis server missing :: any :: 2 :: /nonexistent/redis-server not found: install Debian's redis-server \(scripts/install-deps.sh\) :: $FB redis --server /nonexistent/redis-server
forkbench: pgbench shared-buffers 0 :: any :: 2 :: --shared-buffers: 0 is too small \(allowed: 1M\.\.1T\) :: $FB pgbench --shared-buffers 0
forkbench: pgbench shared-buffers bad unit :: any :: 2 :: --shared-buffers: size '1x' has an unknown unit 'x' :: $FB pgbench --shared-buffers 1x
forkbench: pgbench shared-buffers empty item :: any :: 2 :: --shared-buffers '16M,': empty item in list :: $FB pgbench --shared-buffers 16M,
forkbench: pgbench shared-buffers over MemAvailable :: any :: 2 :: --shared-buffers 900 GiB needs .* but only .* is available :: $FB pgbench --shared-buffers 900G
forkbench: pgbench seconds 0 :: any :: 2 :: --seconds: 0 is out of range \(allowed: 1\.\.3600\) :: $FB pgbench --seconds 0
forkbench: pgbench scale not a number :: any :: 2 :: --scale: 'many' is not a number \(allowed: 1\.\.10000\) :: $FB pgbench --scale many
forkbench: pgbench with --heap :: any :: 2 :: --heap: pgbench has no heap of its own; --shared-buffers SIZE sets PostgreSQL's shared_buffers :: $FB pgbench --heap 64M
forkbench: pgbench with --thp always :: any :: 2 :: --thp: pgbench leaves PostgreSQL's memory to the kernel \(allowed: never\) :: $FB pgbench --thp always
forkbench: pgbench postgres missing :: any :: 2 :: /nonexistent/initdb not found: install Debian's postgresql-15 \(scripts/install-deps.sh\) :: $FB pgbench --bindir /nonexistent
forkbench: pymp bad start method :: any :: 2 :: unknown --start-method 'vfork' \(allowed: fork, forkserver, spawn\) :: $FB pymp --start-method fork,vfork
forkbench: pymp empty start method :: any :: 2 :: --start-method 'fork,': empty item in list :: $FB pymp --start-method fork,
forkbench: pymp bad gc-freeze :: any :: 2 :: unknown --gc-freeze 'maybe' \(allowed: no, yes\) :: $FB pymp --gc-freeze maybe
forkbench: pymp heap too large :: any :: 2 :: --heap.*needs .* but only .* is available :: $FB pymp --heap 4T
forkbench: build 0 jobs :: any :: 2 :: --jobs: 0 is out of range \(allowed: 1\.\.64\) :: $FB build -j 0
forkbench: build jobs not a number :: any :: 2 :: --jobs: 'all' is not a number :: $FB build --jobs 2,all
forkbench: build too many job counts :: any :: 2 :: --jobs: at most 8 values :: $FB build -j 1,2,3,4,5,6,7,8,9
forkbench: build 24 units :: any :: 2 :: --units: 24 is out of range \(allowed: 1\.\.23\) :: $FB build --units 24
forkbench: scenario missing :: any :: 2 :: which scenario\? :: $FB scenario
forkbench: scenario unknown :: any :: 2 :: unknown scenario 'cow-magic' \(allowed: parent-writes, same-va-different-pa, last-sharer-reuses, nested, fork-exec\) :: $FB scenario cow-magic
forkbench: two scenarios :: any :: 2 :: one scenario per run :: $FB scenario nested fork-exec
forkbench: -o is a folder :: any :: 1 :: -o: '.*/out' is a folder, not a file :: $FB spawn -n 1 -o "$OUT"
forkbench: -o in a missing folder :: any :: 1 :: -o: cannot write '/nonexistent/dir/out.csv' \(folder /nonexistent/dir: No such file or directory\) :: $FB spawn -n 1 -o /nonexistent/dir/out.csv
forkbench: --samples in a missing folder :: any :: 1 :: --samples: cannot write '/nonexistent/s.csv' :: $FB spawn -n 1 --samples /nonexistent/s.csv
forkbench: results folder not writable :: nobody :: 1 :: -o: cannot write '.*/ro/x.csv' \(folder .*/ro: Permission denied\) :: $FB spawn -n 1 -o "$RO/x.csv"
forkbench: results folder read-only :: root :: 1 :: --samples: cannot write '.*/romnt/s.csv' \(folder .*: Read-only file system\) :: $FB spawn -n 1 --samples "$ROMNT/s.csv"
forkbench: disk full, /dev/full :: any :: 1 :: ^forkbench: cannot write /dev/full: No space left on device$ :: $FB spawn -n 1 --warmup 0 --method fork_exit -o /dev/full
forkbench: disk full, summary :: root :: 1 :: ^forkbench: cannot write .*/full/x.csv: No space left on device$ :: $FB spawn -n 1 --warmup 0 --method fork_exit -o "$FULL/x.csv"
forkbench: disk full, samples :: root :: 1 :: ^forkbench: cannot write .*/full/s.csv: No space left on device$ :: $FB spawn -n 1 --warmup 0 --method fork_exit --samples "$FULL/s.csv" >/dev/null
forkbench: --trace not root :: nobody :: 1 :: --trace: needs root, or CAP_BPF and CAP_PERFMON :: $FB nested -n 1 --trace
cowtrace: bad --format :: any :: 2 :: unknown format 'xml' \(allowed: human, csv, json\) :: $CT -f xml -- true
cowtrace: newline in --format :: any :: 2 :: unknown format 'x\\x0aml' :: $CT -f "$(printf 'x\nml')" -- true
cowtrace: bad --mode :: any :: 2 :: unknown mode 'fast' \(allowed: auto, kprobe, fentry, tracepoint\) :: $CT -m fast -- true
cowtrace: bad -p :: any :: 2 :: invalid PID '12x' :: $CT -p 12x
cowtrace: -p 0 :: any :: 2 :: invalid PID '0' :: $CT -p 0
cowtrace: bad --max-procs :: any :: 2 :: invalid --max-procs '0' \(allowed: 1-1048576\) :: $CT --max-procs 0 -- true
cowtrace: reversed --range :: any :: 2 :: invalid --range '0x2000-0x1000' :: $CT --range 0x2000-0x1000 -- true
cowtrace: unknown option :: any :: 2 :: unknown option or missing value: '--frobnicate' :: $CT --frobnicate -- true
cowtrace: bad --by :: any :: 2 :: unknown --by 'name' \(allowed: auto, pid, comm\) :: $CT --by name -- true
cowtrace: bad --top :: any :: 2 :: invalid --top '0' \(allowed: 1-100000\) :: $CT --top 0 -- true
cowtrace: --top not a number :: any :: 2 :: invalid --top '5x' \(allowed: 1-100000\) :: $CT --top 5x -- true
cowtrace: --tree and --by comm :: any :: 2 :: give --tree or --by comm, not both :: $CT --tree --by comm -- true
cowtrace: option value missing :: any :: 2 :: missing value: '--btf' :: $CT --btf
cowtrace: no COMMAND :: any :: 2 :: no COMMAND and no -p PID :: $CT
cowtrace: COMMAND and -p :: any :: 2 :: either COMMAND or -p :: $CT -p 1 -- true
cowtrace: -o in a missing folder :: any :: 2 :: cannot write output file '/nonexistent/x': No such file or directory :: $CT -o /nonexistent/x -- true
cowtrace: -o is a folder :: any :: 2 :: cannot write output file '.*/out': it is a folder :: $CT -o "$OUT" -- true
cowtrace: not root :: nobody :: 3 :: needs root, or CAP_BPF and CAP_PERFMON \(running as uid 65534 :: $CT -- true
cowtrace: not root, -o not left behind :: nobody :: 3 :: needs root, or CAP_BPF and CAP_PERFMON :: $CT -f csv -o "$OUT/r.csv" -- true
cowtrace: results folder not writable :: nobody :: 2 :: cannot write output file '.*/ro/r.csv': Permission denied :: $CT -o "$RO/r.csv" -- true
cowtrace: --btf missing file :: root :: 4 :: cannot use '/nonexistent.btf' as kernel BTF: No such file or directory :: $CT --btf /nonexistent.btf -- true
cowtrace: --btf garbage :: root :: 4 :: cannot use '.*/garbage.btf' as kernel BTF: neither a vmlinux with a .BTF section nor a raw BTF file :: $CT --btf "$IN/garbage.btf" -- true
forklab-matrix: no FILE :: any :: 2 :: ^forklab-matrix: no config FILE given :: $MX
forklab-matrix: unknown option :: any :: 2 :: unknown option '--fast' \(allowed: --modes LIST, --check FORKBENCH, --help\) :: $MX --fast x.conf
forklab-matrix: two files :: any :: 2 :: one config FILE only, 'b.conf' is one too many :: $MX a.conf b.conf
forklab-matrix: unknown mode :: any :: 2 :: --modes: unknown mode 'lazy' \(allowed: cow, stack, eager\) :: $MX --modes 'cow lazy' "$IN/dup.conf"
forklab-matrix: mode twice :: any :: 2 :: --modes: 'cow' given twice :: $MX --modes cow,cow "$IN/dup.conf"
forklab-matrix: no modes :: any :: 2 :: --modes: empty list :: $MX --modes ' ' "$IN/dup.conf"
forklab-matrix: --modes value missing :: any :: 2 :: --modes needs a list of modes :: $MX --modes
forklab-matrix: missing config :: any :: 2 :: cannot read config '/nonexistent.conf': No such file or directory :: $MX /nonexistent.conf
forklab-matrix: config not readable :: nobody :: 2 :: cannot read config '.*/secret.conf': Permission denied :: $MX "$IN/secret.conf"
forklab-matrix: config is a folder :: any :: 2 :: cannot read config '.*/in': Is a directory :: $MX "$IN"
forklab-matrix: unknown keyword, line 2 :: any :: 2 :: keyword.conf:2: unknown keyword 'bogus' \(allowed: cell, cell-modes\) :: $MX "$IN/keyword.conf"
forklab-matrix: duplicate, line 3 :: any :: 2 :: dup.conf:3: cell 'a' defined twice :: $MX "$IN/dup.conf"
forklab-matrix: duplicate of a cell-modes name :: any :: 2 :: dup-modes.conf:2: cell 'a' defined twice :: $MX --modes 'cow stack eager' "$IN/dup-modes.conf"
forklab-matrix: bad name :: any :: 2 :: name.conf:1: bad cell name 'b@d' \(letters, digits, - and _\) :: $MX "$IN/name.conf"
forklab-matrix: escape in a name :: any :: 2 :: escape.conf:1: bad cell name '\\x1b\[31mred' :: $MX "$IN/escape.conf"
forklab-matrix: no arguments, line 3 :: any :: 2 :: noargs.conf:3: cell 'lonely' has no forkbench arguments :: $MX "$IN/noargs.conf"
forklab-matrix: NUL byte :: any :: 2 :: nul.conf:2: NUL byte in the line :: $MX "$IN/nul.conf"
forklab-matrix: empty config :: any :: 2 :: empty.conf: no cells$ :: $MX "$IN/empty.conf"
forklab-matrix: only comments :: any :: 2 :: comments.conf: no cells$ :: $MX "$IN/comments.conf"
forklab-matrix: config too large :: any :: 2 :: huge.conf: 1048577 bytes, more than a matrix config may have :: $MX "$IN/huge.conf"
forklab-matrix: --check value missing :: any :: 2 :: --check needs the forkbench program :: $MX "$IN/good.conf" --check
forklab-matrix: a cell forkbench refuses :: any :: 2 :: ^forklab-matrix: .*badcell.conf:2: cell b: forkbench: unknown benchmark 'spwan' :: $MX --check "$FB" "$IN/badcell.conf"
run-all.sh: unknown option :: any :: 2 :: ^run-all.sh: unknown option '--fast' :: $RA --fast
run-all.sh: option value missing :: any :: 2 :: ^run-all.sh: --config needs a FILE$ :: $RA --config
run-all.sh: missing config :: any :: 2 :: ^run-all.sh: config '/nonexistent.conf' not found$ :: $RA --config /nonexistent.conf
run-all.sh: resume of a non-run :: any :: 2 :: is not a run folder :: $RA --resume "$IN/notrun"
run-all.sh: unknown keyword, line 2 :: any :: 2 :: ^run-all.sh: .*keyword.conf:2: unknown keyword 'bogus' :: $RA --config "$IN/keyword.conf" --dry-run
run-all.sh: duplicate, line 3 :: any :: 2 :: ^run-all.sh: .*dup.conf:3: cell 'a' defined twice$ :: $RA --config "$IN/dup.conf" --dry-run
run-all.sh: bad name :: any :: 2 :: ^run-all.sh: .*name.conf:1: bad cell name 'b@d' :: $RA --config "$IN/name.conf" --dry-run
run-all.sh: no arguments, line 3 :: any :: 2 :: ^run-all.sh: .*noargs.conf:3: cell 'lonely' has no forkbench arguments$ :: $RA --config "$IN/noargs.conf" --dry-run
run-all.sh: NUL byte :: any :: 2 :: ^run-all.sh: .*nul.conf:2: NUL byte in the line$ :: $RA --config "$IN/nul.conf" --dry-run
run-all.sh: empty config :: any :: 2 :: ^run-all.sh: .*empty.conf: no cells$ :: $RA --config "$IN/empty.conf" --dry-run
run-all.sh: a cell forkbench refuses, dry run :: any :: 2 :: ^run-all.sh: .*badcell.conf:2: cell b: forkbench: unknown benchmark 'spwan' :: $RA --config "$IN/badcell.conf" --dry-run
run-all.sh: a size without a unit, real run :: any :: 2 :: ^run-all.sh: .*nounit.conf:2: cell h@cow: forkbench heap: --heap: size '256' has no unit :: $RA --config "$IN/nounit.conf" --out "$OUT/run"
run-all.sh: results folder not writable :: nobody :: 1 :: cannot create directory .*/ro/run.*Permission denied :: $RA --config "$IN/good.conf" --out "$RO/run"
run-all.sh: disk full :: root :: 1 :: ^run-all.sh: cannot write the run folder '.*/full/run': .*No space left on device$ :: $RA --config "$IN/good.conf" --out "$FULL/run" >/dev/null
run-all.sh: --repeat not a number :: any :: 2 :: ^run-all.sh: --repeat 'x': not a count of runs \(allowed: 1\.\.20\)$ :: $RA --repeat x --dry-run
run-all.sh: --repeat 0 :: any :: 2 :: ^run-all.sh: --repeat '0': not a count of runs \(allowed: 1\.\.20\)$ :: $RA --repeat 0 --dry-run
run-all.sh: --repeat 21 :: any :: 2 :: ^run-all.sh: --repeat '21': not a count of runs \(allowed: 1\.\.20\)$ :: $RA --repeat 21 --dry-run
run-all.sh: --repeat without a count :: any :: 2 :: ^run-all.sh: --repeat needs a count K \(allowed: 1\.\.20\)$ :: $RA --repeat
run-all.sh: --repeat with --vm :: any :: 2 :: ^run-all.sh: --repeat '2': on this machine only :: $RA --repeat 2 --vm --dry-run
run-all.sh: --icount without --vm :: any :: 2 :: ^run-all.sh: --icount: only with --vm \(QEMU's instruction counter: the guest under --vm, or --vm --debian\)$ :: $RA --icount --dry-run
run-all.sh: --icount with --resume :: any :: 2 :: ^run-all.sh: --resume runs under the folder's own clock: drop --icount$ :: $RA --resume "$IN/icrun" --icount
harness-overhead.sh: unknown option :: any :: 2 :: ^harness-overhead.sh: unknown option '--fast' \(allowed: --rounds R, -n N, --forkbench PATH, --help\)$ :: $HO --fast
harness-overhead.sh: too few rounds :: any :: 2 :: ^harness-overhead.sh: --rounds '5' is out of range \(allowed: 6\.\.1000\)$ :: $HO --rounds 5
harness-overhead.sh: -n not a number :: any :: 2 :: ^harness-overhead.sh: -n '1e3' is not a whole number \(allowed: 10\.\.1000000\)$ :: $HO -n 1e3
harness-overhead.sh: no forkbench :: any :: 2 :: ^harness-overhead.sh: no forkbench at '/nonexistent' \(build it with make\)$ :: $HO --forkbench /nonexistent
compare: no arguments :: any :: 2 :: ^compare: the following arguments are required: a, b \(usage: compare RUN_A RUN_B :: $CMP
compare: bad threshold :: any :: 2 :: ^compare: argument --threshold: invalid float value: 'abc' :: $CMP --threshold abc "$FIX/run-a" "$FIX/run-b"
compare: threshold out of range :: any :: 2 :: ^compare: --threshold -5.0 is out of range \(allowed: 0..1000\)$ :: $CMP --threshold=-5 "$FIX/run-a" "$FIX/run-b"
compare: resamples out of range :: any :: 2 :: ^compare: --resamples 5 is out of range \(allowed: 100..1000000\)$ :: $CMP --resamples 5 "$FIX/run-a" "$FIX/run-b"
compare: bad seed :: any :: 2 :: ^compare: argument --seed: invalid int value: 'x' :: $CMP --seed x "$FIX/run-a" "$FIX/run-b"
compare: not a run folder :: any :: 2 :: ^compare: '.*/notrun' is not a run folder \(no summary.csv\)$ :: $CMP "$IN/notrun" "$FIX/run-a"
compare: summary.csv not text :: any :: 2 :: ^compare: cannot read .*/badsum/summary.csv: 'utf-8' codec can't decode :: $CMP "$IN/badsum" "$FIX/run-a"
report.py: no arguments :: any :: 2 :: ^report.py: the following arguments are required: runs :: $RPT
report.py: not a run folder :: any :: 1 :: ^report.py: '/nonexistent' is not a run folder \(no summary.csv\)$ :: $RPT /nonexistent
report.py: metadata.json syntax error, line 3 :: any :: 1 :: ^report.py: .*/badmeta/metadata.json:3: not valid JSON: :: $RPT "$IN/badmeta" --out "$OUT"
report.py: summary.csv not text :: any :: 1 :: ^report.py: cannot read .*/badsum/summary.csv: 'utf-8' codec can't decode :: $RPT "$IN/badsum" --out "$OUT"
report.py: results folder not writable :: nobody :: 1 :: ^report.py: .*/ro/[a-z]*: Permission denied$ :: $RPT "$FIX/run-a" --out "$RO/rep"
report.py: results folder read-only :: root :: 1 :: ^report.py: .*/romnt/[a-z]*: Read-only file system$ :: $RPT "$FIX/run-a" --out "$ROMNT"
report.py: disk full :: root :: 1 :: ^report.py: .*No space left on device :: $RPT "$FIX/run-a" --out "$FULL" >/dev/null
vm-run.sh: unknown option :: any :: 2 :: ^vm-run.sh: unknown option '--bogus' :: $VMR --bogus
vm-run.sh: bad --accel :: any :: 2 :: ^vm-run.sh: --accel: 'fast' is not auto, kvm, tcg or icount$ :: $VMR --accel fast
vm-run.sh: bad --mode :: any :: 2 :: ^vm-run.sh: --mode: 'x' is not tests, cmd, panic or hang$ :: $VMR --mode x
vm-run.sh: bad --timeout :: any :: 2 :: ^vm-run.sh: '10s' is not a positive integer :: $VMR --timeout 10s
vm-run.sh: nothing after -- :: any :: 2 :: ^vm-run.sh: no command after --$ :: $VMR --
vm-run.sh: no kernel :: any :: 1 :: ^vm-run.sh: no kernel at /nonexistent/bzImage \(run: make kernel\)$ :: $VMR --kernel /nonexistent
EOF
if [ -e /proc/sys/vm/fork_copy_mode ]; then
	skip "forkbench: --fork-mode eager on a stock kernel" "this kernel has vm.fork_copy_mode"
else
	cat >>"$table" <<'EOF'
forkbench: --fork-mode eager on a stock kernel :: any :: 2 :: --fork-mode stack/eager need forklab's kernel patch :: $FB spawn --fork-mode cow,eager
forkbench: --fork-mode as nobody on a stock kernel :: nobody :: 2 :: --fork-mode stack/eager need forklab's kernel patch :: $FB spawn --fork-mode stack
EOF
fi
# cowtrace cases that get past the privilege check: only where it loads
# (a load failure where BPF can load is a failure, not a skip).
ct_why=$(ct_load_why)
case "$ct_why" in fail:*) fail "cowtrace loads its BPF" "${ct_why#fail: }" ;; esac
if [ -z "$ct_why" ]; then
	cat >>"$table" <<'EOF'
cowtrace: --btf truncated :: root :: 4 :: cannot use '.*/truncated.btf' as kernel BTF: neither :: $CT --btf "$IN/truncated.btf" -- true
EOF
	# The kernel's BTF is hidden in a private mount namespace, where one can
	# be made (not in a chroot or some containers).
	ns_why=$(mount_ns_why)
	if [ -z "$ns_why" ]; then
		cat >>"$table" <<'EOF'
cowtrace: kernel without BTF :: root :: 4 :: kernel has no BTF \(/sys/kernel/btf/vmlinux: No such file or directory\).*--btf FILE :: unshare -m --propagation private sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$CT" -- true'
EOF
	else
		skip "cowtrace: kernel without BTF" "no private mount namespace here: $ns_why"
	fi
	cat >>"$table" <<'EOF'
cowtrace: disk full, /dev/full :: root :: 2 :: ^cowtrace: cannot write output file '/dev/full': No space left on device$ :: $CT -f csv -o /dev/full -- true
cowtrace: disk full, tmpfs :: root :: 2 :: ^cowtrace: cannot write output file '.*/full/r.json': No space left on device$ :: $CT -f json -o "$FULL/r.json" -- true
cowtrace: results folder read-only :: root :: 2 :: ^cowtrace: cannot write output file '.*/romnt/r.csv': Read-only file system$ :: $CT -o "$ROMNT/r.csv" -- true
cowtrace: no such PID :: root :: 9 :: no process with PID 4194303 :: $CT -p 4194303
cowtrace: COMMAND not found :: root :: 127 :: ^cowtrace: cannot run '/nonexistent/prog': No such file or directory$ :: $CT -o /dev/null -- /nonexistent/prog
EOF
else
	skip "cowtrace: BTF, disk-full and COMMAND cases" "cowtrace cannot load BPF here (not root or no BPF)"
fi
# vm-run.sh cases past the kernel check need a built kernel and initramfs.
if [ -f "$R/build/kernel/bzImage" ] && [ -f "$R/build/kernel-initramfs.cpio.gz" ]; then
	cat >>"$table" <<'EOF'
vm-run.sh: no initramfs :: any :: 1 :: ^vm-run.sh: no initramfs at /nonexistent.cpio.gz \(run: make initramfs\)$ :: $VMR --initrd /nonexistent.cpio.gz
vm-run.sh: --out with a space :: any :: 2 :: ^vm-run.sh: --out path must not contain spaces or commas: :: $VMR --out "$OUT/a b"
vm-run.sh: results folder not writable :: nobody :: 1 :: cannot create directory .*/ro/vm.*Permission denied :: $VMR --out "$RO/vm" -- true
EOF
else
	skip "vm-run.sh: cases past the kernel check" "no build/kernel (make kernel initramfs)"
fi

# ---- run every case --------------------------------------------------------
n=0 ran=0 failed=0 skipped_priv=0
declare -A per_prog
while IFS= read -r row; do
	case "$row" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	name=${row%% :: *}; rest=${row#* :: }
	if [ -n "${BADINPUT_ONLY:-}" ]; then
		case " $BADINPUT_ONLY " in *" ${name%%:*} "*) ;; *) continue ;; esac
	fi
	who=${rest%% :: *}; rest=${rest#* :: }
	want=${rest%% :: *}; rest=${rest#* :: }
	pat=${rest%% :: *}; cmd=${rest#* :: }
	prefix=""
	case "$who" in
	any) ;;
	root) if ! is_root; then skip "$name" "needs root"; skipped_priv=$((skipped_priv + 1)); continue; fi ;;
	nobody)
		if ! is_root || ! command -v setpriv >/dev/null; then
			skip "$name" "needs root and setpriv to run as nobody"; skipped_priv=$((skipped_priv + 1)); continue
		fi
		prefix=$NOBODY ;;
	*) fail "$name" "bad WHO '$who' in the table"; continue ;;
	esac
	case "$name" in *"disk full"* | *"read-only"*)
		if ! mountpoint -q "$FULL" || ! mountpoint -q "$ROMNT"; then
			skip "$name" "cannot mount a tmpfs here"; continue
		fi ;;
	esac
	id="bi$$-$n"
	# shellcheck disable=SC2086
	(cd "$OUT" && FORKLAB_CASE=$id exec $prefix bash -c "$cmd") >"$T_TMP/o" 2>"$T_TMP/e" </dev/null
	rc=$?
	ran=$((ran + 1))
	prog=${name%%:*}
	per_prog[$prog]=$((${per_prog[$prog]:-0} + 1))
	why=""
	lines=$(wc -l <"$T_TMP/e")
	if [ "$rc" != "$want" ]; then
		why="exit status $rc, expected $want (stderr: $(head -c 300 "$T_TMP/e"))"
	elif [ "$lines" != 1 ]; then
		why="expected one line on stderr, got $lines: $(head -c 300 "$T_TMP/e")"
	elif ! grep -Eq -- "$pat" "$T_TMP/e"; then
		why="stderr '$(cat "$T_TMP/e")' does not match /$pat/"
	elif [ -s "$T_TMP/o" ]; then
		why="wrote on stdout: $(head -c 200 "$T_TMP/o")"
	fi
	# no process of the case left (give a killed one a moment to go)
	left=""
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=$(grep -lsa "FORKLAB_CASE=$id" /proc/[0-9]*/environ | cut -d/ -f3 | tr '\n' ' ')
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -z "$why" ] && [ -n "$left" ]; then
		why="processes left behind: $left"
		for p in $left; do kill -9 "$p" 2>/dev/null; done
	fi
	files=$(find "$OUT" "$RO" "$ROMNT" "$FULL" -mindepth 1 ! -path "$FULL/fill" 2>/dev/null | tr '\n' ' ')
	if [ -z "$why" ] && [ -n "$files" ]; then
		why="files left behind: $files"
	fi
	rm -rf "${OUT:?}"/* "${OUT:?}"/.[!.]* 2>/dev/null
	find "$FULL" -mindepth 1 ! -path "$FULL/fill" -delete 2>/dev/null
	if [ -n "$why" ]; then
		fail "$name" "$why"
		failed=$((failed + 1))
	else
		pass "$name"
	fi
done <"$table"

# Help is not an error: exit 0, usage and examples on stdout.
"$FB" spawn --help >"$T_TMP/help" 2>&1
if grep -q "Examples:" "$T_TMP/help" && grep -q -- "--method" "$T_TMP/help"; then
	pass "forkbench spawn --help has options and examples"
else
	fail "forkbench spawn --help has options and examples" "$(head -3 "$T_TMP/help")"
fi

# The devices the disk-full cases wrote to are still devices.
if [ -c /dev/full ] && [ -c /dev/null ]; then
	pass "/dev/full and /dev/null are still character devices"
else
	fail "/dev/full and /dev/null are still character devices" "$(ls -l /dev/full /dev/null)"
fi

summary=""
for p in $(printf '%s\n' "${!per_prog[@]}" | sort); do summary="$summary $p ${per_prog[$p]},"; done
echo "# $ran cases run ($failed failed, $skipped_priv skipped for privileges):${summary%,}"
if [ -z "${BADINPUT_ONLY:-}" ] && [ "$failed" = 0 ]; then
	echo "FIGURE: badinput-cases $ran bad inputs tried on ${#per_prog[@]} programs, each refused cleanly (exit status, one-line error, nothing on stdout, no process or file left)"
fi
