#!/usr/bin/env bash
# A run from flags (docs/workload-format.md, "Flags"): `bench run --target
# null --requests N --clients C ...` makes the same summary.csv op counts,
# per op, as the same workload written as YAML with the same seed and an
# op-count phase; the workload.yaml it saves in its result directory runs
# again to the same counts; every flag reaches the YAML key it stands for
# (read back from that workload.yaml), with a file the flags override it
# in every run phase and a --set of the same key overrides the flag; a bad
# value is exit 2 naming it before anything starts (a private redis-server
# given as the target counts no connection); URIs of redis and memcached
# (private servers, given as external ones) and spawned servers run.
# Usage: flags.sh BENCH_BINARY SOURCE_DIR
set -uo pipefail
bench=$1 src=$2

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
tmp_name=flags
source "$(dirname "$0")/../lib/servers.sh"
need redis-server memcached

# ops per (phase, op) of a result directory's summary.csv, sorted.
counts() { python3 -c 'import csv, sys
rows = sorted((r["phase"], r["op"], r["clients"], r["pipeline"], r["ops"], r["misses"]) for r in csv.DictReader(open(sys.argv[1])))
print("\n".join(",".join(r) for r in rows))' "$1"/summary.csv; }
one_dir() { local d; d=$(ls -d "$1"/*/ 2>/dev/null | head -1); echo "${d%/}"; }
# yaml_get FILE EXPR: a Python expression on the loaded workload `w`.
yaml_get() { python3 -c 'import sys, yaml; w = yaml.safe_load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# 1. Flags against the same workload in YAML: the same op counts per op.
flags=(--target null --requests 3000 --clients 3 --pipeline 4 --ratio 1:3 --seed 11 --size 20 --records 500)
expect_rc 0 "a run from flags" -- "$bench" run "${flags[@]}" --out "$tmp/fl" --no-charts --quiet
fl=$(one_dir "$tmp/fl")
cat >"$tmp/same.yaml" <<'YAML'
name: same
seed: 11
targets: [{name: "null", driver: "null"}]
keyspace: {records: 500}
values: {size: 20}
phases:
  - {name: load, type: load}
  - {name: run, ops: 3000, clients: 3, pipeline: 4, mix: {set: 0.25, get: 0.75}}
YAML
expect_rc 0 "the same workload from YAML" -- "$bench" run "$tmp/same.yaml" --out "$tmp/yl" --no-charts --quiet
yl=$(one_dir "$tmp/yl")
same "flags and YAML: the same ops per phase and op" "$(counts "$fl")" "$(counts "$yl")"
check "the run phase split its 3000 requests over get and set" \
  "$(awk -F, '$2 == "run" { s += $12 } END { print s }' "$fl/summary.csv") == 3000"
check "both ops ran" "$(grep -c '^flags,run,' "$fl/summary.csv") == 2"

# 2. The saved workload.yaml repeats the run.
nonempty "$fl/workload.yaml" "workload.yaml saved"
expect_rc 0 "bench run DIR/workload.yaml" -- "$bench" run "$fl/workload.yaml" --out "$tmp/again" --no-charts --quiet
same "the saved workload re-runs to the same counts" "$(counts "$(one_dir "$tmp/again")")" "$(counts "$fl")"
[ ! -e "$(one_dir "$tmp/yl")/workload.yaml" ] && ok || fail "a run from a file without flags saves no workload.yaml"

# 3. Every flag reaches its key.
expect_rc 0 "every flag" -- "$bench" run --target a=null --target null,null -c 2 -P 3 --test-time 1 --warmup 1ms \
  --rate 5000 --ratio 2:0 -d 7 --key-maximum 60 --key-prefix fl: --distribution zipfian --seed 5 --run-count 2 \
  --out "$tmp/every" --no-charts --quiet
ev=$(one_dir "$tmp/every")/workload.yaml
run_phase='[p for p in w["phases"] if p["name"] == "run"][0]'
same "--target NAME=DRIVER, DRIVER,DRIVER" "$(yaml_get "$ev" '[(t["name"], t["driver"]) for t in w["targets"]]')" \
  "[('a', 'null'), ('null', 'null'), ('null-2', 'null')]"
same "-c: clients" "$(yaml_get "$ev" "$run_phase[\"clients\"]")" 2
same "-P: pipeline" "$(yaml_get "$ev" "$run_phase[\"pipeline\"]")" 3
same "--test-time 1: duration 1s, no ops" "$(yaml_get "$ev" "($run_phase[\"duration\"], $run_phase.get(\"ops\"))")" "('1s', None)"
same "--warmup" "$(yaml_get "$ev" "$run_phase[\"warmup\"]")" 1ms
same "--rate" "$(yaml_get "$ev" "$run_phase[\"rate\"]")" 5000
same "--ratio 2:0: sets only" "$(yaml_get "$ev" "$run_phase[\"mix\"]")" "{'set': 1}"
same "-d: values.size" "$(yaml_get "$ev" 'w["values"]["size"]')" 7
same "--key-maximum: keyspace.records" "$(yaml_get "$ev" 'w["keyspace"]["records"]')" 60
same "--key-prefix" "$(yaml_get "$ev" 'w["keyspace"]["prefix"]')" fl:
same "--distribution" "$(yaml_get "$ev" 'w["keyspace"]["distribution"]')" zipfian
same "--seed" "$(yaml_get "$ev" 'w["seed"]')" 5
same "--run-count: repeat" "$(yaml_get "$ev" 'w["repeat"]')" 2
check "three targets, two repeats ran" "$(grep -c ',run,.*,set,' "$(dirname "$ev")/summary.csv") == 6"
expect_rc 0 "-n, --size, --records, --key-pattern" -- "$bench" run --target null -n 40 --ratio 1:4 --size 9 --records 30 \
  --key-pattern S:S --out "$tmp/rest" --no-charts --quiet
rs=$(one_dir "$tmp/rest")/workload.yaml
same "-n: ops, no duration" "$(yaml_get "$rs" "($run_phase[\"ops\"], $run_phase.get(\"duration\"))")" "(40, None)"
same "--ratio 1:4" "$(yaml_get "$rs" "$run_phase[\"mix\"]")" "{'set': 0.2, 'get': 0.8}"
same "--key-pattern S:S: sequential" "$(yaml_get "$rs" 'w["keyspace"]["distribution"]')" sequential

# The terminal says what each phase ran: under a sweep over the run's
# clients, the load's own 4 clients (not the sweep's), each point as key=value.
expect_rc 0 "a sweep over clients" -- "$bench" run --target null -n 300 --records 40 --set 'sweep={clients: [2, 3]}' \
  --out "$tmp/sw" --no-charts
contains "$tmp/out" "^phase load (load): 4 clients, batch 100 at every sweep point$" "the load's clients, not the sweep's"
contains "$tmp/out" "^phase run (run): clients by sweep point, pipeline 1$" "the run's clients are the sweep's"
contains "$tmp/out" "^  clients=3 " "a sweep point's row names its key"
same "summary.csv's clients: what ran" "$(awk -F, 'NR > 1 { print $2 $7 }' "$(one_dir "$tmp/sw")/summary.csv" | sort -u | tr '\n' ' ')" \
  "load4 run2 run3 "

# 4. With a file: the flags override it in every run phase; --set wins over a flag.
cat >"$tmp/two.yaml" <<'YAML'
name: two
seed: 3
targets: [{name: n, driver: "null"}]
keyspace: {records: 100}
phases:
  - {name: load, type: load, clients: 1}
  - {name: first, duration: 5s, clients: 1, mix: {get: 1}}
  - {name: second, ops: 100, clients: 1, mix: {get: 1}}
YAML
expect_rc 0 "a file with flags" -- "$bench" run "$tmp/two.yaml" -n 60 -c 3 --set phases.second.clients=2 \
  --out "$tmp/two" --no-charts --quiet
tw=$(one_dir "$tmp/two")
same "flags in every run phase, --set over the flag, load untouched" \
  "$(awk -F, 'NR > 1 { print $2, $7, $12 }' "$tw/summary.csv" | sort | tr '\n' ' ')" \
  "first 3 60 load 1 100 second 2 60 "
same "the saved workload holds the file's keys with the flags" \
  "$(yaml_get "$tw/workload.yaml" '(w["name"], w["seed"], [(p["name"], p["clients"], p.get("ops"), p.get("duration")) for p in w["phases"]])')" \
  "('two', 3, [('load', 1, None, None), ('first', 3, 60, None), ('second', 2, 60, None)])"
expect_rc 2 "--target URI with a file" -- "$bench" run "$tmp/two.yaml" --target redis://127.0.0.1:1 --out "$tmp/x"
contains "$tmp/err" "targets.NAME.uri" "--target URI with a file: says how to set an address"
expect_rc 0 "--target NAME with a file selects, repeatable" -- "$bench" run "$tmp/two.yaml" --target n --target n \
  -n 10 --out "$tmp/sel" --no-charts --quiet

# 5. Bad values: exit 2 naming the value, before anything starts.
start_redis || { fail "redis-server did not start: $(tail -3 "$tmp/redis.log")"; exit 1; }
conns() { info_field stats total_connections_received; }
before=$(conns)
bad() {
  local what=$1 want=$2; shift 2
  expect_rc 2 "bad: $what" -- "$bench" run --target "redis://127.0.0.1:$rport" "$@" --out "$tmp/bad"
  contains "$tmp/err" "$want" "bad: $what names the value"
}
bad "--clients x" "--clients 'x'" --clients x
bad "--clients 0" "phases.run.clients=0" --clients 0
bad "--ratio 1-10" "--ratio '1-10'" --ratio 1-10
bad "--ratio 0:0" "--ratio '0:0'" --ratio 0:0
bad "--duration 5q" "--duration '5q'" --duration 5q
bad "--rate -1" "--rate '-1'" --rate -1
bad "--key-pattern G:G" "--key-pattern 'G:G'" --key-pattern G:G
bad "--distribution zipf" "distribution 'zipf'" --distribution zipf
bad "--duration and --requests" "--duration and --requests" --duration 5s --requests 10
bad "an unknown driver" "--target 'nosuch'" --target nosuch
bad "an unknown scheme" "no driver takes this scheme" --target http://127.0.0.1:1
bad "a bad name" "a name is letters" --target 'a b=null'
bad "two targets of one name" "two targets named 'x'" --target x=null --target x=null
expect_rc 2 "a password on the command line" -- "$bench" run --target 'redis://:s3cr3t@127.0.0.1:1' --out "$tmp/bad"
lacks "$tmp/err" "s3cr3t" "a password on the command line is not echoed"
expect_rc 2 "a flag without its value" -- "$bench" run --target null --size
contains "$tmp/err" "--size needs a value" "a flag without its value"
expect_rc 2 "no workload, no target" -- "$bench" run --clients 3 --out "$tmp/bad"
contains "$tmp/err" "--target redis://" "no workload: the flags form is suggested"
same "no connection for bad flags (but redis-cli's own)" "$(conns)" "$((before + 1))"
[ ! -e "$tmp/bad" ] && ok || fail "bad flags wrote nothing"

# 6. URIs: redis:// and memcached:// (private servers as external ones), and a spawned server.
start_memcached || { fail "memcached did not start"; exit 1; }
expect_rc 0 "redis:// and memcached:// URIs" -- "$bench" run --target "redis://127.0.0.1:$rport" \
  --target "mc=memcached://127.0.0.1:$mport" -n 400 --records 50 --key-prefix fu: --out "$tmp/uri" --no-charts --quiet
ur=$(one_dir "$tmp/uri")
same "targets from URIs" "$(awk -F, 'NR > 1 && $2 == "run" { print $3 }' "$ur/summary.csv" | sort -u | tr '\n' ' ')" "mc redis "
check "redis counted the run's GETs and SETs" \
  "$(rcli INFO commandstats | awk -F'[=,:]' '/^cmdstat_(get|set):/ { s += $3 } END { print s }') >= 400"
check "memcached got the run's gets" "$(mc_field cmd_get) > 0"
same "memcached's address without its scheme" "$(yaml_get "$ur/workload.yaml" 'w["targets"][1]["uri"]')" "127.0.0.1:$mport"
same "the run's keys are gone (data safety as for any external server)" "$(rcli DBSIZE)" 0
expect_rc 0 "--keep" -- "$bench" run --target "redis://127.0.0.1:$rport" -n 100 --records 30 --key-prefix kp: --keep \
  --out "$tmp/kp" --no-charts --quiet
same "--keep left the records" "$(rcli DBSIZE)" 30
expect_rc 0 "bench clean from the same flags" -- "$bench" clean --target "redis://127.0.0.1:$rport" --key-prefix kp:
contains "$tmp/out" "removed 30 keys under prefix 'kp:'" "bench clean from flags says what it removed"
same "bench clean from flags removed them" "$(rcli DBSIZE)" 0
expect_rc 0 "a spawned redis from --target redis" -- "$bench" run --target redis -n 200 --records 20 --out "$tmp/sp" \
  --no-charts --quiet
contains "$(one_dir "$tmp/sp")/run.json" '"spawned"' "--target redis spawns a server"

finish flags
