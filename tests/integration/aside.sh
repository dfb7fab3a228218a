#!/usr/bin/env bash
# Cache-aside phases (docs/workload-format.md, "cache-aside phases").
#  a. Known answer: one client, seeded, closed loop, reads only, so the
#     key sequence is exact; the cache is a private redis-server with
#     maxmemory, allkeys-lru and maxmemory-samples 64 (its LRU is
#     approximated by sampling; 64 samples, its most, is the closest). After
#     the run (--keep) DBSIZE is the items the cache held: its capacity in
#     items (every key and value the same size). aside_lru replays the
#     phase's key sequence through an exact LRU of that capacity; bench's
#     hit ratio must be within 0.03 of it (docs/workload-format.md says
#     why that tolerance). Every miss was a store read and a write-back.
#  b. Reads and writes, 4 clients, on the servers bench spawns (Redis and
#     memcached), on_write update and invalidate: the store served every
#     miss and every write; the reads' hit ratio is the summary's.
#  c. One client cannot race itself: no stale read.
#  d. Bad input: exit 2, file:line:col.
#  e. A real store (store: memcached) instead of the simulated one.
#  f. values.ttl: the values a miss writes back expire.
#  g. A warmup: warmup.csv and run.json's warmup run, exactly `ops` measured.
#  Cache-aside seconds in timeseries.csv add up to the phase's reads.
# Usage: aside.sh BENCH_BINARY REPO_ROOT ASIDE_LRU_BINARY
set -uo pipefail
bench=$1 root=$2 lru=$3
tmp_name=aside
source "$root/tests/lib/servers.sh"

start_redis "" --maxmemory 2mb --maxmemory-policy allkeys-lru --maxmemory-samples 64 ||
  { fail "redis-server did not start"; finish aside; exit 1; }
cat >"$tmp/known.yaml" <<YAML
name: aside-known
targets: [{name: cache, driver: redis, uri: "redis://127.0.0.1:$rport"}]
keyspace: {records: 20000, distribution: zipfian, prefix: "ca:"}
values: {size: 200}
phases:
  - {name: aside, type: cache-aside, ops: 40000, clients: 1, mix: {get: 1}, store_latency: 0s}
YAML
expect_rc 0 "cache-aside on an LRU Redis" -- "$bench" run "$tmp/known.yaml" --servers external --keep --out "$tmp/k" --no-charts
cap=$(rcli DBSIZE)
json=$(ls -d "$tmp"/k/*/ | head -1)run.json
aside() { # FILE FIELD: the first phase run's cache_aside.FIELD
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); ps=[p for t in r['targets'] for p in t['runs'] if 'cache_aside' in p]; print(ps[int(sys.argv[3])]['cache_aside'][sys.argv[2]])" "$1" "$2" "${3:-0}"
}
got=$(aside "$json" hit_ratio)
want=$("$lru" "$tmp/known.yaml" aside "$cap" | awk '{ print $6 }')
echo "capacity $cap items: bench's hit ratio $got, exact LRU $want"
evicted=$(info_field stats evicted_keys)
echo "evicted $evicted keys"
holds "the cache filled up and evicted (capacity below the keys read)" "0 < ${cap:-0} < 20000 and ${evicted:-0} > 1000"
holds "hit ratio within 0.03 of an exact LRU of $cap items" "abs($got - $want) <= 0.03"
holds "every miss read the store" "$(aside "$json" store_reads) == $(aside "$json" cache_misses)"
holds "every store read was written back" "$(aside "$json" fills) == $(aside "$json" store_reads)"
holds "40000 reads, no write" "$(aside "$json" reads) == 40000 and $(aside "$json" writes) == 0"
holds "one client: no stale read" "$(aside "$json" stale_reads) == 0"

# f. values.ttl: what a miss writes back expires (Redis TTL > 0); without
#    values.ttl it does not (TTL -1, a (a) key).
sed -e 's/values: {size: 200}/values: {size: 200, ttl: 100s}/' -e 's/prefix: "ca:"/prefix: "cat:"/' \
  -e 's/ops: 40000/ops: 200/' "$tmp/known.yaml" >"$tmp/ttl.yaml"
expect_rc 0 "cache-aside with values.ttl" -- "$bench" run "$tmp/ttl.yaml" --servers external --keep --out "$tmp/t" --no-charts
k=$(rcli --scan --pattern 'cat:*' | head -1)
ttl=$(rcli TTL "$k")
holds "a value written back has values.ttl's TTL ($k: $ttl s)" "0 < ${ttl:-0} <= 100"
k=$(rcli --scan --pattern 'ca:*' | head -1)
holds "without values.ttl it lives for ever ($k)" "$(rcli TTL "$k") == -1"

# b, c: both on_write modes on spawned servers.
for mode in update invalidate; do
  cat >"$tmp/mixed.yaml" <<YAML
name: aside-mixed
targets: [redis, memcached]
keyspace: {records: 2000, distribution: zipfian}
values: {size: 64}
phases:
  - {name: many, type: cache-aside, ops: 8000, clients: 4, mix: {get: 0.8, set: 0.2}, store_latency: {min: 0s, max: 200us}, on_write: $mode}
  - {name: one, type: cache-aside, ops: 4000, clients: 1, mix: {get: 0.8, set: 0.2}, store_latency: 0s, on_write: $mode}
YAML
  expect_rc 0 "on_write $mode" -- "$bench" run "$tmp/mixed.yaml" --out "$tmp/m-$mode" --no-charts
  json=$(ls -d "$tmp"/m-$mode/*/ | head -1)run.json
  csv=$(ls -d "$tmp"/m-$mode/*/ | head -1)summary.csv
  for i in 0 1 2 3; do
    holds "$mode run $i: the store served every miss" "$(aside "$json" store_reads $i) == $(aside "$json" cache_misses $i)"
    holds "$mode run $i: and every write" "$(aside "$json" store_writes $i) == $(aside "$json" writes $i)"
    holds "$mode run $i: every op ran" \
      "$(aside "$json" reads $i) + $(aside "$json" writes $i) == (8000 if $i % 2 == 0 else 4000)"
  done
  holds "$mode: one client, no stale read (redis)" "$(aside "$json" stale_reads 1) == 0"
  holds "$mode: one client, no stale read (memcached)" "$(aside "$json" stale_reads 3) == 0"
  # summary.csv's get row: misses are the cache's.
  holds "$mode: summary.csv's misses are the cache misses" "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["phase"] == "many" && $h["op"] == "get" && $h["target"] == "redis" { print $h["misses"] }' "$csv") == $(aside "$json" cache_misses 0)"
  # timeseries.csv: the phase's seconds add up to its reads and misses.
  ts=$(ls -d "$tmp"/m-$mode/*/ | head -1)timeseries.csv
  sums=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["phase"] == "many" && $h["op"] == "get" && $h["target"] == "redis" { n++; o += $h["ops"]; m += $h["misses"] }
    END { print n + 0, o + 0, m + 0 }' "$ts")
  read -r secs ts_ops ts_misses <<<"$sums"
  holds "$mode: timeseries.csv has the phase's seconds ($secs), its reads ($ts_ops) and misses ($ts_misses)" \
    "$secs > 0 and $ts_ops == $(aside "$json" reads 0) and $ts_misses == $(aside "$json" cache_misses 0)"
done

# e. A real store: a memcached server bench spawns for the phase, loaded at
#    version 0; one client: the versions it hands back are the ones
#    written, so no read is stale; every miss was a store read.
cat >"$tmp/store.yaml" <<'YAML'
name: aside-store
targets: [redis]
keyspace: {records: 2000, distribution: zipfian}
values: {size: 64}
server: {memory: 1MiB, eviction: lru}
phases:
  - {name: real, type: cache-aside, ops: 6000, clients: 1, mix: {get: 0.7, set: 0.3}, store: memcached, on_write: update}
YAML
expect_rc 0 "a memcached store" -- "$bench" run "$tmp/store.yaml" --out "$tmp/st" --no-charts
json=$(ls -d "$tmp"/st/*/ | head -1)run.json
contains "$json" '"store": "memcached"' "run.json names the store"
contains "$json" '"store_server": "memcached 1\.' "run.json names the server that answered as the store"
holds "real store: some misses (the cache is small)" "$(aside "$json" cache_misses) > 100"
holds "real store: every miss read it" "$(aside "$json" store_reads) == $(aside "$json" cache_misses)"
holds "real store: and every write went to it" "$(aside "$json" store_writes) == $(aside "$json" writes)"
holds "real store: one client, no stale read" "$(aside "$json" stale_reads) == 0"
# g. A warmup: the ops that start in it are the warmup's (warmup.csv, and
#    run.json's warmup run), the measured ones are exactly `ops`, and
#    timeseries.csv's warmup seconds are negative.
cat >"$tmp/warm.yaml" <<'YAML'
name: aside-warm
targets: [redis]
keyspace: {records: 2000, distribution: zipfian}
values: {size: 64}
phases:
  - {name: warm, type: cache-aside, warmup: 1s, ops: 3000, clients: 2, mix: {get: 0.9, set: 0.1}, store_latency: 0s}
YAML
expect_rc 0 "a cache-aside warmup" -- "$bench" run "$tmp/warm.yaml" --out "$tmp/w" --no-charts
dir=$(ls -d "$tmp"/w/*/ | head -1)
read -r warm_ops measured_ops <<<"$(python3 -c "
import json, sys
runs = [p for t in json.load(open(sys.argv[1]))['targets'] for p in t['runs'] if 'cache_aside' in p]
ops = lambda p: p['cache_aside']['reads'] + p['cache_aside']['writes']
print(sum(ops(p) for p in runs if p['warmup']), sum(ops(p) for p in runs if not p['warmup']))" "${dir}run.json")"
holds "warmup: run.json's warmup run has ops ($warm_ops), the measured one exactly 3000 ($measured_ops)" \
  "${warm_ops:-0} > 0 and ${measured_ops:-0} == 3000"
contains "${dir}warmup.csv" "^aside-warm,warm,redis,redis,[^,]*,get," "warmup: warmup.csv has the phase's reads"
holds "warmup: timeseries.csv has its seconds, below 0" \
  "$(awk -F, 'NR > 1 && $2 == "warm" && $8 < 0 { n++ } END { print n + 0 }' "${dir}timeseries.csv") > 0"

# With --servers external bench starts no store, and writes into no
# server it does not guard: the target is not run (exit 3).
cat >"$tmp/ext.yaml" <<YAML
name: aside-ext
targets: [{name: cache, driver: redis, uri: "redis://127.0.0.1:$rport"}]
keyspace: {records: 100, prefix: "ext:"}
phases:
  - {name: real, type: cache-aside, ops: 10, clients: 1, mix: {get: 1}, store: memcached}
YAML
expect_rc 3 "a store with --servers external" -- "$bench" run "$tmp/ext.yaml" --servers external --out "$tmp/ext" --no-charts
contains "$tmp/err" "a cache-aside store is a server bench spawns" "a store with --servers external: why"
invalid_edit "the null driver as a store" "$tmp/store.yaml" 's/store: memcached/store: "null"/' "bad.yaml:7:[0-9]*: phases.real.store 'null' is no store"
invalid_edit "store and store_latency" "$tmp/store.yaml" 's/store: memcached/store: memcached, store_latency: 1ms/' \
  "phases.real has both store and store_latency"

invalid_edit "on_write: maybe" "$tmp/mixed.yaml" 's/on_write: invalidate}/on_write: maybe}/' "bad.yaml:7:[0-9]*: phases.one.on_write must be invalidate or update, got 'maybe'"
invalid_edit "no store_latency" "$tmp/mixed.yaml" 's/, store_latency: 0s//' "bad.yaml:7:[0-9]*: .*needs store_latency"
invalid_edit "a delete in the mix" "$tmp/mixed.yaml" 's/mix: {get: 0.8, set: 0.2}, store_latency: 0s/mix: {get: 0.8, delete: 0.2}, store_latency: 0s/' \
  "a cache-aside phase reads (get) and writes (set); 'delete' is neither"
invalid_edit "store_latency min over max" "$tmp/mixed.yaml" 's/{min: 0s, max: 200us}/{min: 1ms, max: 200us}/' "store_latency min (1ms) is greater than max (200us)"
invalid_edit "pipeline on a cache-aside phase" "$tmp/mixed.yaml" 's/type: cache-aside, ops: 4000/type: cache-aside, pipeline: 4, ops: 4000/' \
  "key 'pipeline' is only for run or crash phases"

finish aside
