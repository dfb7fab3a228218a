#!/usr/bin/env bash
# The live progress line on a terminal (issue #20, "progress that is
# right"), read from a real run through script(1) (a pseudo-terminal):
# Redis on the event engine and, when bench-ferretdb is built, MongoDB's
# stand-in on the blocking one. Properties that hold at any speed:
# "(warmup)" is on exactly the lines whose whole seconds gone are within
# the 2 s warmup, on both; Redis's first line of its run phase has a rate
# and a p99 (it read "-  p99 -": printed the moment the second ended,
# before any worker had handed it over; now it waits for them, up to the
# next second's end, which only a worker stalled for a second misses); a
# load line's "N of M" never exceeds M. Not asserted: the stand-in's lines
# have figures (a blocking client in a request of over a second, as
# FerretDB's p99 can be on a loaded host, holds its second open, and the
# line says "-" then). test_runner drives the same code with synthetic
# snapshots and a watched phase on both engines.
# Usage: progress.sh BENCH_BINARY SOURCE_DIR. Exit 77 (skipped) without
# redis-server or script (a failure under CI=true).
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-progress-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
need redis-server script
cd "$src" || exit 1

targets=redis
[ -x tools/bin/bench-ferretdb ] || command -v bench-ferretdb >/dev/null && targets=redis,mongodb
cmd=$(printf '%q ' "$bench" run workloads/quick.yaml --target "$targets" --out "$tmp/res" --no-charts \
  --set phases.run.warmup=2s --set phases.run.duration=2s --set keyspace.records=2000)
script -qec "$cmd" "$tmp/typescript" >/dev/null 2>&1
same "bench run on a terminal: exit" "$?" 0
# The terminal's rewritten lines, one per line, without the escapes.
tr '\r' '\n' <"$tmp/typescript" | sed 's/\x1b\[K//g' | grep -E '^  [a-z]+: (run|load)( \(warmup\))?  [0-9]' \
  >"$tmp/lines"
python3 - "$tmp/lines" "$targets" <<'PY' && pass "progress lines: (warmup) exactly within the warmup, a rate and p99 on the first" ||
import re, sys
lines = open(sys.argv[1]).read().splitlines()
bad, runs = [], {}
for l in lines:
    m = re.match(r"^  (\w+): (run|load)( \(warmup\))?  (\d+)(?:/\d+ s| s, (\d+) of (\d+))  (\S+)  p99 (\S+)", l)
    if not m:
        bad.append("unparsed: " + l)
        continue
    target, phase, warm, secs = m.group(1), m.group(2), bool(m.group(3)), int(m.group(4))
    if phase == "load":
        if int(m.group(5)) > int(m.group(6)):
            bad.append("more done than asked: " + l)
        continue
    runs[target] = runs.get(target, 0) + 1
    if warm != (secs < 2):
        bad.append("(warmup) wrong for second %d: %s" % (secs, l))
    if target == "redis" and runs[target] == 1 and not (
            re.match(r"^\d+/s$", m.group(7)) and re.match(r"^\d+\.\d{3}$", m.group(8))):
        bad.append("the first line has no rate or p99: " + l)
for t in sys.argv[2].split(","):
    if not runs.get(t):
        bad.append("no run line for " + t)
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
  { fail "progress lines"; cat "$tmp/lines" >&2; }
finish progress
