#!/usr/bin/env bash
# The run order (docs/workload-format.md, "order"): blocks of target x sweep
# point x repeat.
#  a. Null driver, a sweep x repeat x 2 targets: run.json's order.blocks is
#     a permutation of every block, not the sequential order by default, the
#     same for the same seed; `order: sequential` (and --set) is target by
#     target, point by point, repeat by repeat; summary.csv has the same rows
#     and op counts in both orders (fixed-op phases), sorted by target,
#     sweep point and repeat.
#  b. Spawned redis-server and memcached: each started once per run (the
#     run's log), its data loaded once for a sweep of run-phase keys.
#  c. Private servers given as external ones, counted by the servers
#     themselves: a get-only sweep over clients loads the records once
#     (Redis SET calls, memcached cmd_set = records); a mix with deletes
#     loads in every block; a sweep over keyspace.records loads each size
#     once as a row, and every reload the order forced is in run.json;
#     two targets on one server fall back to the sequential order.
# Usage: order.sh BENCH_BINARY
set -uo pipefail
bench=$1
tmp_name=order
source "$(dirname "$0")/../lib/servers.sh"
need python3

# blocks DIR: run.json's blocks as "target/sweep_value/repeat/load" words.
blocks() {
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join("%s/%s/%s/%s" % (b["target"], b["sweep_value"], b["repeat"], b["load"]) for b in r["order"]["blocks"]))' \
    "$(ls -d "$1"/*/ | head -1)run.json"
}
kind() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["order"]["kind"])' "$(ls -d "$1"/*/ | head -1)run.json"; }
# rows DIR: summary.csv's workload, phase, target, op, clients, repeat,
# sweep_value, ops and errors, in file order.
rows() {
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print(",".join(r[k] for k in ("workload", "phase", "target", "op", "clients", "repeat", "sweep_value", "ops", "errors")))' \
    "$(ls -d "$1"/*/ | head -1)summary.csv"
}

# ---- a. null driver ----
cat >"$tmp/null.yaml" <<'YAML'
name: order-null
seed: 11
targets: [{name: a, driver: null}, {name: b, driver: null}]
keyspace: {records: 50}
phases:
  - {name: load}
  - {name: run, ops: 400, clients: 2, mix: {get: 0.5, set: 0.5}}
repeat: 3
sweep: {clients: [1, 2]}
YAML
expect_rc 0 "null: random" -- "$bench" run "$tmp/null.yaml" --out "$tmp/r1" --no-charts --quiet
expect_rc 0 "null: random again" -- "$bench" run "$tmp/null.yaml" --out "$tmp/r2" --no-charts --quiet
expect_rc 0 "null: sequential" -- "$bench" run "$tmp/null.yaml" --set order=sequential --out "$tmp/s1" --no-charts --quiet
expect_rc 0 "null: another seed" -- "$bench" run "$tmp/null.yaml" --set seed=12 --out "$tmp/r3" --no-charts --quiet
sed 's/^seed: 11/seed: 11\norder: sequential/' "$tmp/null.yaml" >"$tmp/null-seq.yaml"
expect_rc 0 "null: order: sequential in the file" -- "$bench" run "$tmp/null-seq.yaml" --out "$tmp/s2" --no-charts --quiet
r1=$(blocks "$tmp/r1") r2=$(blocks "$tmp/r2") s1=$(blocks "$tmp/s1") r3=$(blocks "$tmp/r3") s2=$(blocks "$tmp/s2")
same "default order" "$(kind "$tmp/r1")" random
same "order: sequential" "$(kind "$tmp/s1")" sequential
want=""
for t in a b; do for v in 1 2; do for rep in 1 2 3; do
  load=reused; [ "$v" = 1 ] && [ "$rep" = 1 ] && load=loaded
  want+="$t/$v/$rep/$load "
done; done; done
same "sequential: target, point, repeat (one load per target)" "$s1" "${want% }"
same "order: sequential in the file = --set order=sequential" "$s2" "$s1"
strip() { tr ' ' '\n' | cut -d/ -f1-3 | sort; }
same "random: a permutation of every block" "$(strip <<<"$r1")" "$(strip <<<"$s1")"
[ "$(strip <<<"$r1" | sort -u | wc -l)" = 12 ] && ok || fail "random: 12 distinct blocks in '$r1'"
[ "$(cut -d/ -f1-3 <<<"${r1// /$'\n'}")" != "$(cut -d/ -f1-3 <<<"${s1// /$'\n'}")" ] && ok || fail "random is the sequential order: $r1"
same "random: the same seed, the same order" "$r2" "$r1"
[ "$(cut -d/ -f1-3 <<<"${r3// /$'\n'}")" != "$(cut -d/ -f1-3 <<<"${r1// /$'\n'}")" ] && ok || fail "seed 12 gave seed 11's order: $r3"
# Each target's first block loads, the others reuse its data.
for t in a b; do
  n=$(tr ' ' '\n' <<<"$r1" | grep -c "^$t/.*/loaded$")
  same "random: $t loaded once" "$n" 1
done
rows "$tmp/r1" >"$tmp/rows-r1"; rows "$tmp/s1" >"$tmp/rows-s1"
if cmp -s "$tmp/rows-r1" "$tmp/rows-s1"; then ok; else fail "summary.csv rows differ between the orders"; diff "$tmp/rows-s1" "$tmp/rows-r1" | head >&2; fi
# comparison.csv (harness/analysis/aggregate*.c): the same rows and sample
# counts whatever the order.
cmprows() {
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    print(",".join(r[k] for k in ("phase", "op", "sweep_value", "metric", "target", "n")))' \
    "$(ls -d "$1"/*/ | head -1)comparison.csv"
}
same "comparison.csv: the same rows and n in both orders" "$(cmprows "$tmp/r1")" "$(cmprows "$tmp/s1")"
[ "$(cmprows "$tmp/r1" | grep -c '^run,get,.*,3$')" -gt 0 ] && ok || fail "comparison.csv: the run phase's rows aggregate 3 repeats"
sorted=$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
k = [(r["target"], float(r["sweep_value"]), int(r["repeat"])) for r in rows]
print(k == sorted(k) and len(rows) == 2 * (1 + 2 * 3 * 2))' "$(ls -d "$tmp"/r1/*/ | head -1)summary.csv")
same "random: summary.csv sorted by target, sweep point, repeat (2 load + 24 run rows)" "$sorted" True
holds "random: run.json's runs in the same order as sequential's" "[(x['phase'], x['sweep_value'], x['repeat']) for t in __import__('json').load(open('$(ls -d "$tmp"/r1/*/ | head -1)run.json'))['targets'] for x in t['runs']] == [(x['phase'], x['sweep_value'], x['repeat']) for t in __import__('json').load(open('$(ls -d "$tmp"/s1/*/ | head -1)run.json'))['targets'] for x in t['runs']]"

# ---- b. spawned servers ----
cat >"$tmp/spawn.yaml" <<'YAML'
name: order-spawn
seed: 5
targets: [redis, memcached]
keyspace: {records: 300, prefix: "ord:"}
phases:
  - {name: load}
  - {name: run, ops: 300, mix: {get: 1}}
repeat: 2
sweep: {clients: [1, 2]}
YAML
expect_rc 0 "spawned: run" -- "$bench" run "$tmp/spawn.yaml" --out "$tmp/sp" --no-charts
cp "$tmp/err" "$tmp/spawn.log"
for t in redis memcached; do
  n=$(grep -c "^$t: started " "$tmp/spawn.log")
  same "spawned: $t started once per run" "$n" 1
  n=$(tr ' ' '\n' <<<"$(blocks "$tmp/sp")" | grep -c "^$t/.*/loaded$")
  same "spawned: $t's data loaded once" "$n" 1
  n=$(rows "$tmp/sp" | grep -c "^order-spawn,load,$t,load,.*,300,0$")
  same "spawned: one load row of 300 records for $t" "$n" 1
  n=$(rows "$tmp/sp" | grep -c "^order-spawn,run,$t,get,.*,300,0$")
  same "spawned: 4 run rows of 300 gets, no errors, for $t" "$n" 4
done

# ---- c. the servers' own counts ----
start_redis || { fail "redis-server did not start"; finish order; exit 1; }
start_memcached || { fail "memcached did not start"; finish order; exit 1; }
cmdstat() { rcli INFO commandstats | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p"; }
# ext NAME MIX [--set ...]: a run on the two servers as external ones;
# leaves redis SET calls and memcached cmd_set of the run in $sets, $mcsets.
ext() {
  local name=$1 mix=$2; shift 2
  cat >"$tmp/$name.yaml" <<YAML
name: order-$name
seed: 9
targets:
  - {name: redis, uri: "redis://127.0.0.1:$rport"}
  - {name: memcached, driver: memcached, uri: "127.0.0.1:$mport"}
keyspace: {records: 200, prefix: "oe:"}
phases:
  - {name: load}
  - {name: run, ops: 200, mix: $mix}
repeat: 2
sweep: {clients: [1, 2]}
YAML
  rcli CONFIG RESETSTAT >/dev/null
  local before; before=$(mc_field cmd_set)
  expect_rc 0 "external $name: run" -- "$bench" run "$tmp/$name.yaml" --servers external --out "$tmp/$name" --no-charts "$@"
  sets=$(cmdstat set) sets=${sets:-0}
  mcsets=$(( $(mc_field cmd_set) - before ))
}
ext reads "{get: 1}"
same "get-only sweep: Redis SET calls = the 200 records, loaded once" "$sets" 200
same "get-only sweep: memcached cmd_set = the 200 records, loaded once" "$mcsets" 200
ext deletes "{get: 0.5, delete: 0.5}"
same "deletes: Redis loaded in each of the 4 blocks" "$sets" 800
same "deletes: memcached loaded in each of the 4 blocks" "$mcsets" 800
n=$(rows "$tmp/deletes" | grep -c "^order-deletes,load,redis,load,.*,200,0$")
same "deletes: a load row per block" "$n" 4
ext sizes "{get: 1}" --set seed=2 --set 'sweep={keyspace.records: [100, 200]}'
bl=$(blocks "$tmp/sizes")
want=$(tr ' ' '\n' <<<"$bl" | awk -F/ '$1 == "redis" && ($4 == "loaded" || $4 == "reloaded") { n += $2 } END { print n + 0 }')
[[ $bl == *redis/*/reloaded* ]] && ok || fail "records sweep: seed 2 should make Redis reload a size: $bl"
same "records sweep: Redis SET calls = the records of every load and reload in run.json ($bl)" "$sets" "$want"
# Each point runs on its own keys only: before loading the other size, the
# keys of the last one were removed, all of them.
removed=$(grep -c "removed the .* keys of keyspace.records=.* before loading" "$tmp/err")
reloads=$(tr ' ' '\n' <<<"$bl" | grep -c "/loaded$\|/reloaded$")
same "records sweep: a removal before every load but each target's first" "$removed" "$((reloads - 2))"
bad=$(sed -n 's/.*removed the \([0-9]*\) keys of keyspace.records=\([0-9]*\) before.*/\1 \2/p' "$tmp/err" | awk '$1 != $2' | wc -l)
same "records sweep: each removal took the whole last size" "$bad" 0
n=$(rows "$tmp/sizes" | grep -c "^order-sizes,load,redis,load,")
same "records sweep: one load row per size" "$n" 2
holds "records sweep: the load rows are 100 and 200 records" "sorted(int(l.split(',')[7]) for l in open('/dev/stdin') if l.startswith('order-sizes,load,redis,')) == [100, 200]" <<<"$(rows "$tmp/sizes")"
# Two targets on one server bench did not start: sequential, with a warning.
cat >"$tmp/shared.yaml" <<YAML
name: order-shared
targets:
  - {name: r1, driver: redis, uri: "redis://127.0.0.1:$rport"}
  - {name: r2, driver: redis, uri: "redis://127.0.0.1:$rport"}
keyspace: {records: 50, prefix: "os:"}
phases: [{name: load}, {name: run, ops: 50, mix: {get: 1}}]
repeat: 2
YAML
expect_rc 0 "shared server: run" -- "$bench" run "$tmp/shared.yaml" --servers external --out "$tmp/shared" --no-charts --quiet
same "shared server: sequential" "$(kind "$tmp/shared")" sequential
contains "$(ls -d "$tmp"/shared/*/ | head -1)run.json" "order: sequential, not random: targets r1 and r2 share the server" "shared server: the warning"
same "shared server: nothing left under the prefix" "$(rcli DBSIZE)" 0

finish order
