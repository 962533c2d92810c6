#!/bin/sh
# Bad input to forkbench: each refused up front with exit status 2 and one
# line naming the value and what is allowed; nothing is written.
. "$(dirname "$0")/../lib.sh"

expect_fail "no benchmark" 2 "no benchmark given \(allowed: spawn, .*metadata" -- "$FB"
expect_fail "unknown benchmark" 2 "unknown benchmark 'sapwn' \(allowed: spawn" -- "$FB" sapwn
expect_fail "unknown method" 2 "unknown method 'frok' \(allowed: fork_exit, fork_exec, vfork_exec, posix_spawn, clone_vfork_exec\)" \
	-- "$FB" spawn --method frok
expect_fail "empty method in list" 2 "empty item in list 'fork_exit,'" -- "$FB" spawn --method fork_exit,
expect_fail "size without unit" 2 "--heap: size '4096' has no unit" -- "$FB" spawn --heap 4096
expect_fail "size with unknown unit" 2 "unknown unit 'Q'" -- "$FB" spawn --heap 4Q
expect_fail "size too large" 2 "--heap: size 5T is too large \(max 4 TiB\)" -- "$FB" spawn --heap 5T
expect_fail "heap over MemAvailable" 2 "--heap needs 3 TiB but only .* is available \(MemAvailable minus a .* margin\)" \
	-- "$FB" spawn --heap 3T
expect_fail "iterations 0" 2 "--iterations: 0 is out of range \(allowed: 1\.\.10000000\)" -- "$FB" spawn -n 0
expect_fail "iterations not a number" 2 "--iterations: 'ten' is not a number" -- "$FB" spawn -n ten
expect_fail "warmup negative" 2 "--warmup: '-1' is not a number" -- "$FB" spawn --warmup=-1
expect_fail "thp value" 2 "unknown --thp value 'madvise' \(allowed: never, always\)" -- "$FB" spawn --thp madvise
expect_fail "format value" 2 "unknown --format 'xml' \(allowed: human, csv, json\)" -- "$FB" spawn --format xml
expect_fail "exec target" 2 "unknown --exec-target 'musl' \(allowed: static, dynamic\)" -- "$FB" spawn --exec-target musl
expect_fail "cpu out of range" 2 "--cpu: 4096 is out of range \(allowed: 0\.\." -- "$FB" spawn --cpu 4096
expect_fail "unknown option" 2 "^forkbench spawn: unrecognized option '--bogus' \(see 'forkbench spawn --help'\)" -- "$FB" spawn --bogus
expect_fail "missing value" 2 "option '--heap' requires an argument" -- "$FB" spawn --heap
expect_fail "stray argument" 2 "unexpected argument 'extra'" -- "$FB" spawn extra
expect_fail "too many events" 2 "--events .*at most 8 events" -- "$FB" spawn --events a,b,c,d,e,f,g,h,i
expect_fail "unwritable output" 1 "-o: cannot write '/nonexistent/dir/out.csv' \(folder /nonexistent/dir: No such file or directory\)" \
	-- "$FB" spawn -n 1 --warmup 0 --method fork_exit -o /nonexistent/dir/out.csv

expect_fail "fork mode unknown" 2 "unknown --fork-mode 'lazy' \(allowed: cow, stack, eager\)" -- "$FB" spawn --fork-mode lazy
expect_fail "fork mode twice" 2 "--fork-mode: 'cow' given twice" -- "$FB" spawn --fork-mode cow,cow
if [ -e /proc/sys/vm/fork_copy_mode ]; then
	skip "fork mode eager on a stock kernel" "this kernel has vm.fork_copy_mode"
else
	expect_fail "fork mode eager on a stock kernel" 2 "need forklab's kernel patch" -- "$FB" spawn --fork-mode eager
fi

# heap, nested, scenario
expect_fail "heap: zero heap" 2 "--heap: sizes must be above 0 for heap" -- "$FB" heap --heap 0
expect_fail "heap: fraction out of range" 2 "--child-write: fraction 1.5 is out of range" -- "$FB" heap --heap 1M --child-write 1.5
expect_fail "heap: bad pattern" 2 "unknown --pattern 'zigzag' \(allowed: sequential, stride, random\)" -- "$FB" heap --heap 1M --pattern zigzag
expect_fail "heap: bad parent-when" 2 "unknown --parent-when 'never'" -- "$FB" heap --heap 1M --parent-when never
expect_fail "heap: too large for memory" 2 "heap \(parent \+ memcpy buffer \+ copies\) needs" -- "$FB" heap --heap 2T
expect_fail "nested: tree too large" 2 "--shape tree:4:5: 1365 processes; at most 64" -- "$FB" nested --shape tree:4:5
expect_fail "nested: huge tree" 2 "--shape tree:63:63: over 1000000 processes" -- "$FB" nested --shape tree:63:63
expect_fail "nested: heap x processes over memory" 2 "the family \(heap x processes\) needs" -- "$FB" nested --shape chain:20 --heap 1T
expect_fail "nested: bad shape" 2 "unknown --shape 'ring:3'" -- "$FB" nested --shape ring:3
expect_fail "nested: bad edge" 2 "bad edge at 'A_B'" -- "$FB" nested --shape edges:A_B
expect_fail "nested: edge names out of order" 2 "must be named B" -- "$FB" nested --shape edges:A-C
expect_fail "nested: unknown process in order" 2 "--write-order: unknown process 'E' \(this shape has A..D\)" -- "$FB" nested --write-order D,E
expect_fail "nested: exit of a non-leaf" 2 "exit:B: only a leaf other than A can exit early" -- "$FB" nested --write-order exit:B
expect_fail "scenario: none given" 2 "which scenario\?" -- "$FB" scenario
expect_fail "scenario: unknown" 2 "unknown scenario 'cow-magic' \(allowed: parent-writes, same-va-different-pa, last-sharer-reuses, nested, fork-exec\)" -- "$FB" scenario cow-magic
expect_fail "scenario: two names" 2 "one scenario per run" -- "$FB" scenario nested fork-exec

# --help works and shows usage and examples.
"$FB" spawn --help >"$T_TMP/help" 2>&1
if grep -q "Examples:" "$T_TMP/help" && grep -q -- "--method" "$T_TMP/help"; then
	pass "spawn --help has options and examples"
else
	fail "spawn --help has options and examples" "$(head -3 "$T_TMP/help")"
fi
