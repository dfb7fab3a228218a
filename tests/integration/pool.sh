#!/usr/bin/env bash
# pool.sh BENCH - a memcached pool: three private memcached, one target
# `servers: [a, b, c]`, run with --servers external (docs/drivers.md,
# memcached, "Pools"). Checks, from the servers' own counters and bench's
# results:
#  - the run has 0 errors and runs on the blocking engine (the event path
#    declines a pool), and says why (the progress output, run.json's
#    engine_reason);
#  - every server holds some of the keys (curr_items > 0 on each) and their
#    sum is exactly the records loaded: each key went to one server;
#  - a get-only phase after the run finds every key (0 misses);
#  - run.json names every server of the pool and the distribution;
#  - the same with `distribution: modula`, and both place keys differently.
# Exit 77 (skipped) without memcached, unless CI=true.
set -u
bench=${1:?usage: pool.sh BENCH}
tmp_name=pool
source "$(dirname "$0")/../lib/servers.sh"

records=3000
ports=() spids=()
for i in 1 2 3; do
  start_memcached || { fail "memcached $i did not start"; exit 1; }
  ports+=("$mport") spids+=("$mpid")
done
pool="[127.0.0.1:${ports[0]}, 127.0.0.1:${ports[1]}, 127.0.0.1:${ports[2]}]"

workload() { # NAME DISTRIBUTION
  cat >"$tmp/$1.yaml" <<YAML
name: pool-$1
seed: 7
targets:
  - {name: pool, driver: memcached, servers: $pool, options: {distribution: $2}}
keyspace: {records: $records, prefix: "pool:", distribution: sequential}
values: {size: 50}
phases:
  - {name: load, type: load, batch: 100, clients: 3}
  - {name: run, ops: 6000, clients: 3, pipeline: 4, mix: {get: 0.5, set: 0.5}}
  - {name: verify, ops: $records, clients: 3, pipeline: 8, mix: {get: 1}}
YAML
}

# items PORT: curr_items of one server
items() { mc_stats "$1" | awk '$1 == "curr_items" { print $2 }'; }
flush() { exec {fd}<>"/dev/tcp/127.0.0.1/$1" && printf 'flush_all\r\n' >&"$fd" && read -r -t 2 _ <&"$fd"; exec {fd}>&-; }

run_pool() { # NAME DISTRIBUTION
  local name=$1 dist=$2 n total=0 i rc
  for p in "${ports[@]}"; do flush "$p"; done
  workload "$name" "$dist"
  "$bench" run "$tmp/$name.yaml" --servers external --keep --out "$tmp/res-$name" --no-charts >"$tmp/$name.log" 2>&1
  rc=$?
  check "$name: bench exits 0 (exit $rc)" "$rc == 0" || { cat "$tmp/$name.log"; return 1; }
  dir=$(ls -d "$tmp/res-$name"/*/) csv=${dir}summary.csv
  local errs; errs=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    { s += $h["errors"] + $h["timeouts"] + $h["disconnects"] } END { print s + 0 }' "$csv")
  check "$name: errors + timeouts + disconnects = $errs = 0" "$errs == 0"
  local engine; engine=$(get pool run get engine)
  [ "$engine" = blocking ] && pass "$name: a pool runs on the blocking engine" || fail "$name: engine '$engine', want blocking"
  # ... and says why: on the progress output as each phase starts, and in run.json.
  contains "$tmp/$name.log" "pool: run: blocking engine: a pool of 3 servers (libmemcached)" \
    "$name: the phase says why it runs blocking"
  grep -q '"engine_reason": "a pool of 3 servers (libmemcached)"' "${dir}run.json" \
    && pass "$name: run.json's engine_reason says why" || fail "$name: run.json lacks engine_reason"
  for i in 0 1 2; do
    n=$(items "${ports[$i]}")
    counts[$i]=${n:-0}
    total=$((total + ${n:-0}))
    check "$name: server $((i + 1)) (port ${ports[$i]}) holds ${n:-0} > 0 keys" "${n:-0} > 0"
    # A spread, not only presence: with 160 ketama points per server (or
    # modula) a share under 10% of 3000 keys would be far outside the
    # scheme's variation.
    check "$name: server $((i + 1)) holds ${n:-0} >= 10% of the keys" "${n:-0} >= $records / 10"
  done
  check "$name: the servers hold $total keys in all = $records loaded" "$total == $records"
  local vops vmiss
  vops=$(get pool verify get ops) vmiss=$(get pool verify get misses)
  check "$name: the get-only phase answered ${vops:-0} = $records gets" "${vops:-0} == $records"
  check "$name: ... with ${vmiss:-x} = 0 misses (every key found)" "${vmiss:-1} == 0"
  grep -q "servers=3 protocol=text distribution=$dist" "${dir}run.json" \
    && pass "$name: run.json says servers=3, distribution=$dist" || fail "$name: run.json lacks the pool's detail"
  for i in 0 1 2; do
    grep -q "\"server$((i + 1))\": \"127.0.0.1:${ports[$i]} version=" "${dir}run.json" \
      && pass "$name: run.json names server $((i + 1)) (port ${ports[$i]})" \
      || fail "$name: run.json lacks server$((i + 1))=127.0.0.1:${ports[$i]}"
  done
}

declare -a counts
run_pool ketama ketama
ketama_counts="${counts[*]}"
run_pool modula modula
modula_counts="${counts[*]}"
# Two schemes, one key set: the per-server counts differ (they could only
# match by a coincidence over 3000 keys).
[ "$ketama_counts" != "$modula_counts" ] && pass "ketama ($ketama_counts) and modula ($modula_counts) place keys differently" \
  || fail "ketama and modula placed keys identically ($ketama_counts): the option has no effect"

echo "pool: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
