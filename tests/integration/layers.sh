#!/usr/bin/env bash
# The layer check (scripts/check-layers, docs/architecture.md "Layers"):
# the real build passes it, and it refuses a call up a layer and a circle
# between two files, on small objects compiled here.
# Usage: layers.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1 src=$2
. "$src/tests/lib/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$src/scripts/check-layers" "$build/layers.txt" 2>"$tmp/err" && ok || fail "the build's layers: $(cat "$tmp/err")"

# low.c calls high_fn of a library that links low: up a layer.
printf 'int high_fn(void);\nint low_fn(void) { return high_fn(); }\n' >"$tmp/low.c"
printf 'int low_fn(void);\nint high_fn(void) { return 1; }\nint top(void) { return low_fn(); }\n' >"$tmp/high.c"
# x.c and y.c, one library, call each other: a circle.
printf 'int y_fn(void);\nint x_fn(void) { return 0; }\nint x2(void) { return y_fn(); }\n' >"$tmp/x.c"
printf 'int x_fn(void);\nint y_fn(void) { return x_fn(); }\n' >"$tmp/y.c"
for f in low high x y; do cc -c "$tmp/$f.c" -o "$tmp/$f.o" || fail "cc $f.c"; done

printf 'low\t\t%s\nhigh\tlow\t%s\n' "$tmp/low.o" "$tmp/high.o" >"$tmp/up.txt"
python3 "$src/scripts/check-layers" "$tmp/up.txt" 2>"$tmp/err"
[ $? = 1 ] && ok || fail "a call up a layer passed the check"
contains "$tmp/err" "low uses high_fn of high: low may not use high" "the message names the call"

printf 'one\t\t%s;%s\n' "$tmp/x.o" "$tmp/y.o" >"$tmp/circle.txt"
python3 "$src/scripts/check-layers" "$tmp/circle.txt" 2>"$tmp/err"
[ $? = 1 ] && ok || fail "a circle passed the check"
contains "$tmp/err" "files in a circle: x -> y (y_fn); y -> x (x_fn)" "the message names the circle"

# The same two files without the call back: a tree, which passes.
printf 'int y_fn(void);\nint x_fn(void) { return 0; }\nint x2(void) { return y_fn(); }\n' >"$tmp/x.c"
printf 'int y_fn(void) { return 2; }\n' >"$tmp/y.c"
cc -c "$tmp/y.c" -o "$tmp/y.o" && cc -c "$tmp/x.c" -o "$tmp/x.o" || fail "cc"
python3 "$src/scripts/check-layers" "$tmp/circle.txt" 2>"$tmp/err" && ok || fail "a tree failed the check: $(cat "$tmp/err")"
# A file of a harness layer that prints (uses stderr): refused; cli/'s may.
mkdir -p "$tmp/harness/CMakeFiles/bench_gen.dir/gen" "$tmp/harness/CMakeFiles/bench.dir/cli"
printf '#include <stdio.h>\nint say(void) { return fprintf(stderr, "bench: no\\n"); }\n' >"$tmp/say.c"
cc -c "$tmp/say.c" -o "$tmp/harness/CMakeFiles/bench_gen.dir/gen/say.c.o" &&
	cc -c "$tmp/say.c" -o "$tmp/harness/CMakeFiles/bench.dir/cli/say.c.o" || fail "cc say.c"
printf 'bench_gen\t\t%s\n' "$tmp/harness/CMakeFiles/bench_gen.dir/gen/say.c.o" >"$tmp/print.txt"
python3 "$src/scripts/check-layers" "$tmp/print.txt" 2>"$tmp/err"
[ $? = 1 ] && ok || fail "a harness layer that prints passed the check"
contains "$tmp/err" "harness/gen/say.c uses stderr: below cli/ nothing prints an error" "the message names the file"
printf 'bench\t\t%s\n' "$tmp/harness/CMakeFiles/bench.dir/cli/say.c.o" >"$tmp/print.txt"
python3 "$src/scripts/check-layers" "$tmp/print.txt" 2>"$tmp/err" && ok || fail "cli/ may print: $(cat "$tmp/err")"

echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
