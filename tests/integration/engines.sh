#!/usr/bin/env bash
# engines.sh BENCH - every op of Redis and memcached on the event engine,
# and the same counts on both engines (docs/architecture.md, "The runner";
# driver.h, the event hooks). One workload with range, query, fuzzy, every
# structure op, incr, rmw, insert, records of fields with categories (so
# writes keep both indexes), one client so the run is the same sequence
# of requests whatever the timing; bench spawns a fresh private server per
# target and run.
#  - by default every summary.csv row (redis and memcached, load and run)
#    reads engine `event`, with 0 errors, timeouts and disconnects, and
#    run.json has no engine_reason;
#  - with BENCH_ENGINE_BLOCKING=1 every row reads `blocking`, run.json's
#    engine_reason and the progress output say why;
#  - per target, phase and op, both runs count the same requests, misses,
#    failures, unsupported requests and items per request.
# Exit 77 (skipped) without redis-server or memcached, unless CI=true.
set -uo pipefail
bench=${1:?usage: engines.sh BENCH}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-engines-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
PATH=$PATH:$(dirname "$0")/../../tools/bin
need redis-server memcached

cat >"$tmp/engines.yaml" <<'YAML'
name: engines
seed: 21
targets: [redis, memcached]
keyspace: {records: 300, prefix: "en:", distribution: uniform}
values: {size: 24, fields: 3, categories: 6}
phases:
  - {name: load, type: load, batch: 50, clients: 1}
  - name: run
    ops: 3000
    clients: 1
    pipeline: 4
    mix: {get: 0.1, set: 0.05, delete: 0.05, insert: 0.05, rmw: 0.05, range: 0.1, query: 0.1, fuzzy: 0.05,
          incr: 0.1, hset: 0.05, hget: 0.05, lpush: 0.05, lrange: 0.05, sadd: 0.05, smembers: 0.025,
          zadd: 0.025, zrangebyscore: 0.05}
    structures: {members: 10, length: 5, list_max: 10}
YAML

# run NAME [ENV...]: bench run; the result directory in $dir.
run() {
  local name=$1; shift
  env "$@" "$bench" run "$tmp/engines.yaml" --out "$tmp/res-$name" --no-charts \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  dir=$(ls -d "$tmp/res-$name"/*/ 2>/dev/null | head -1)
  [ -n "$dir" ] && [ -f "${dir}summary.csv" ] || { fail "$name: no summary.csv (exit $rc)"; tail -5 "$tmp/$name.err"; return 1; }
}
# table DIR: '|'-separated (a cell may be empty): target phase op ops misses errors timeouts disconnects unsupported items_per_op engine
table() {
  csvtab "${1}summary.csv" | awk -F'\t' -v OFS='|' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    { print $h["target"], $h["phase"], $h["op"], $h["ops"], $h["misses"], $h["errors"], $h["timeouts"],
            $h["disconnects"], $h["unsupported"], $h["items_per_op"], $h["engine"] }'
}

if run event; then
  check "event: bench exits 0 (exit $rc)" "$rc == 0" || tail -5 "$tmp/event.err"
  table "$dir" >"$tmp/event.tab"
  for t in redis memcached; do
    n=$(awk -F'|' -v t=$t '$1 == t' "$tmp/event.tab" | wc -l)
    e=$(awk -F'|' -v t=$t '$1 == t && $11 != "event"' "$tmp/event.tab" | wc -l)
    check "event: $t: all $n rows read engine event ($e do not)" "$n > 0 && $e == 0"
  done
  for op in range query fuzzy hset lpush zadd; do
    same "event: redis $op on the event engine" "$(awk -F'|' -v o=$op '$1 == "redis" && $2 == "run" && $3 == o { print $11 }' "$tmp/event.tab")" event
  done
  same "event: memcached incr on the event engine" \
    "$(awk -F'|' '$1 == "memcached" && $2 == "run" && $3 == "incr" { print $11 }' "$tmp/event.tab")" event
  bad=$(awk -F'|' '{ s += $6 + $7 + $8 } END { print s + 0 }' "$tmp/event.tab")
  check "event: 0 errors, timeouts, disconnects (got $bad)" "$bad == 0"
  lacks "${dir}run.json" '"engine_reason"' "event: run.json has no engine_reason"
  lacks "$tmp/event.err" "blocking engine" "event: no phase says it runs blocking"
fi

if run blocking BENCH_ENGINE_BLOCKING=1; then
  check "blocking: bench exits 0 (exit $rc)" "$rc == 0" || tail -5 "$tmp/blocking.err"
  table "$dir" >"$tmp/blocking.tab"
  e=$(awk -F'|' '$11 != "blocking"' "$tmp/blocking.tab" | wc -l)
  check "blocking: every row reads engine blocking ($e do not)" "$e == 0"
  contains "${dir}run.json" '"engine_reason": "BENCH_ENGINE_BLOCKING is set"' "blocking: run.json says why"
  contains "$tmp/blocking.err" "redis: run: blocking engine: BENCH_ENGINE_BLOCKING is set" \
    "blocking: the phase says why as it starts"
  contains "$tmp/blocking.err" "memcached: load: blocking engine: BENCH_ENGINE_BLOCKING is set" \
    "blocking: the load phase too"
fi

# The same requests and answers, row by row (the engine column aside).
if [ -s "$tmp/event.tab" ] && [ -s "$tmp/blocking.tab" ]; then
  cut -d'|' -f1-10 "$tmp/event.tab" | sort >"$tmp/event.cmp"
  cut -d'|' -f1-10 "$tmp/blocking.tab" | sort >"$tmp/blocking.cmp"
  if diff "$tmp/blocking.cmp" "$tmp/event.cmp" >"$tmp/diff"; then
    pass "both engines: the same requests, misses, failures and items per op ($(wc -l <"$tmp/event.cmp") rows)"
  else
    fail "the engines counted differently (blocking <, event >):"; cat "$tmp/diff"
  fi
fi
finish engines
