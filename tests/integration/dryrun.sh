#!/usr/bin/env bash
# bench run --dry-run and --trace N (docs/workload-format.md, "Dry run and
# trace"; docs/csv-schema.md, "trace.log").
#
# --dry-run: every target points at a listener that counts the connections
# it accepts (tests/lib/count_listener.py), or would be spawned from a PATH
# whose redis-server and memcached only leave a mark that they ran. The dry
# run must exit 0, print the plan and each op's commands as the drivers give
# them (a Redis query is SRANDMEMBER then MGET, a set in a range workload
# SET, ZADD and SADD, a memcached get `get <key>`, a MongoDB get a find), accept
# no connection, start no program and create no directory; bad input still
# exits 2.
#
# --trace 5: private redis-server (with a password, given in the address),
# memcached and, when built, FerretDB as external servers; trace.log holds,
# for every target and phase, exactly 5 commands and exactly one reply line
# per command, no control byte, and never the password. On the blocking
# engine memcached goes through libmemcached, traced at the request level.
# Usage: dryrun.sh BENCH_BINARY SOURCE_DIR
set -uo pipefail
bench=$1 src=$2

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
tmp_name=dryrun
source "$(dirname "$0")/../lib/servers.sh"
need python3

# ---- --dry-run ----

bg python3 "$src/tests/lib/count_listener.py" "$tmp/listener"
lpid=$bg_pid
wait_ready "$lpid" test -s "$tmp/listener.port" || { fail "the counting listener did not start"; exit 1; }
lport=$(cat "$tmp/listener.port")
accepted() { cat "$tmp/listener.count" 2>/dev/null || echo 0; }

cat >"$tmp/dry.yaml" <<'YAML'
name: dry
targets:
  - {name: r, driver: redis}
  - {name: m, driver: memcached}
  - {name: mg, driver: mongodb}
keyspace: {records: 1000, prefix: "dry:"}
values: {size: 100, categories: 10}
repeat: 2
phases:
  - {name: load, type: load, batch: 50}
  - {name: run, duration: 3s, warmup: 1s, mix: {get: 0.4, set: 0.2, query: 0.3, range: 0.1}, query: {limit: 10}}
YAML

export BENCH_REDIS_URI="redis://:dry-s3cret@127.0.0.1:$lport"
export BENCH_MEMCACHED_SERVERS="127.0.0.1:$lport"
export BENCH_MONGODB_URI="mongodb://127.0.0.1:$lport/?serverSelectionTimeoutMS=500"
expect_rc 0 "dry run on external servers" -- "$bench" run "$tmp/dry.yaml" --dry-run --servers external \
  --out "$tmp/results"
cp "$tmp/out" "$tmp/dry.out"
contains "$tmp/dry.out" "^plan: 3 targets x 1 sweep point x 2 repeats x 2 phases = 4 phase runs per target, 12 in all, its blocks .* in an order drawn from the seed (order: random" "plan, in the default random order"
expect_rc 0 "dry run, order: sequential" -- "$bench" run "$tmp/dry.yaml" --dry-run --servers external --set order=sequential
contains "$tmp/out" "^plan: .* 12 in all, one target after another (order: sequential)$" "plan, in the sequential order"
contains "$tmp/dry.out" "^expected duration: 24 s of timed phases (8 s per target), plus 2 phase runs per target" \
  "duration: timed phases counted, load said unknown"
contains "$tmp/dry.out" "^      SRANDMEMBER dry:~idx:cat:<category> 10$" "redis query: SRANDMEMBER with the limit"
contains "$tmp/dry.out" "^      (then, on the keys it returned) MGET dry:<key1> dry:<key2>$" "redis query: then MGET"
contains "$tmp/dry.out" "^      SET dry:<n> <value>" "redis set"
contains "$tmp/dry.out" "^      ZADD dry:~idx:keys 0 dry:<n>$" "redis set in a range workload: ZADD to the key index"
contains "$tmp/dry.out" "^      SADD dry:~idx:cat:<category> dry:<n>$" "redis set keeps the category index"
contains "$tmp/dry.out" "^      ZRANGEBYLEX dry:~idx:keys \[dry:<n> + LIMIT 0 100$" "redis range: ZRANGEBYLEX, the longest range"
contains "$tmp/dry.out" "^      GET dry:<n>$" "redis get"
contains "$tmp/dry.out" "^      get dry:<n>$" "memcached get"
contains "$tmp/dry.out" "^      set dry:<n> 0 0 100 <value>" "memcached set states the value's length"
contains "$tmp/dry.out" "not sent: memcached has no query" "memcached query: not sent, and why"
contains "$tmp/dry.out" '^      bench.find {find: "kv", filter: {_id: "dry:<n>"}, limit: 1' "mongodb get: a find"
contains "$tmp/dry.out" "the server at 127.0.0.1:$lport" "external address shown"
lacks "$tmp/dry.out" "dry-s3cret" "no password in the dry run's output"
lacks "$tmp/err" "dry-s3cret" "no password on stderr"
same "no connection accepted" "$(accepted)" 0
[ ! -e "$tmp/results" ] && ok || fail "--dry-run created $tmp/results"

# Spawn mode: the server programs first on PATH only leave a mark.
mkdir -p "$tmp/fakebin"
for prog in redis-server memcached mongod bench-ferretdb; do
  printf '#!/bin/sh\ntouch "%s/spawned-%s"\nexec sleep 30\n' "$tmp" "$prog" >"$tmp/fakebin/$prog"
  chmod +x "$tmp/fakebin/$prog"
done
expect_rc 0 "dry run with spawned servers" -- env PATH="$tmp/fakebin:$PATH" "$bench" run "$tmp/dry.yaml" \
  --dry-run --servers spawn --out "$tmp/results"
contains "$tmp/out" "a private redis-server bench would spawn ($tmp/fakebin/redis-server)" "spawn mode: the program found"
contains "$tmp/out" "a private mongod bench would spawn ($tmp/fakebin/mongod)" "spawn mode: mongodb's first choice"
contains "$tmp/out" "^      SRANDMEMBER dry:~idx:cat:<category> 10$" "spawn mode: the same commands"
compgen -G "$tmp/spawned-*" >/dev/null && fail "--dry-run started a server: $(ls "$tmp"/spawned-*)" || ok
[ ! -e "$tmp/results" ] && ok || fail "--dry-run created $tmp/results"
# A program the host lacks: the target would not run, and the dry run says so.
if ! command -v mongod >/dev/null; then
  sed 's/{name: mg, driver: mongodb}/{name: mg, driver: mongodb, spawn: {program: mongod}}/' "$tmp/dry.yaml" >"$tmp/nomongod.yaml"
  expect_rc 0 "dry run, mongod missing" -- "$bench" run "$tmp/nomongod.yaml" --dry-run --servers spawn
  contains "$tmp/out" "^target mg (driver mongodb): would not run (exit 3): " "a missing program said"
fi
# The null driver sends nothing.
printf 'name: n\ntargets: [{name: n, driver: "null"}]\nphases: [{name: run, ops: 10, mix: {get: 1}}]\n' >"$tmp/null.yaml"
expect_rc 0 "dry run of the null driver" -- "$bench" run "$tmp/null.yaml" --dry-run
contains "$tmp/out" "(nothing is sent)" "null: nothing is sent"

# Bad input is still bad input (exit 2), and nothing is contacted.
printf 'name: bad\ntargets: [redis]\nphases: [{name: run, duration: -5s}]\n' >"$tmp/bad.yaml"
expect_rc 2 "invalid workload under --dry-run" -- "$bench" run "$tmp/bad.yaml" --dry-run --servers external
contains "$tmp/err" "bad.yaml:3:" "the error names file:line"
expect_rc 2 "--set to an unknown key under --dry-run" -- "$bench" run "$tmp/dry.yaml" --dry-run --servers external \
  --set keyspace.nonsense=1
expect_rc 2 "--target that is not one" -- "$bench" run "$tmp/dry.yaml" --dry-run --servers external --target nope
expect_rc 2 "--trace with --dry-run" -- "$bench" run "$tmp/dry.yaml" --dry-run --trace 5
expect_rc 2 "--trace 0" -- "$bench" run "$tmp/dry.yaml" --trace 0
expect_rc 2 "--trace x" -- "$bench" run "$tmp/dry.yaml" --trace x
same "still no connection accepted" "$(accepted)" 0
stop_pid "$lpid"

# ---- --trace ----

pw='tr4ce-S3cret'
start_redis || { fail "redis-server did not start: $(tail -3 "$tmp/redis.log")"; exit 1; }
same "requirepass set" "$(rcli CONFIG SET requirepass "$pw")" OK
start_memcached || { fail "memcached did not start: $(tail -3 "$tmp/memcached.log")"; exit 1; }
targets='[{name: r, driver: redis}, {name: m, driver: memcached}]'
n_targets=2
if have_ferretdb; then
  start_ferretdb || { fail "bench-ferretdb did not start: $(tail -3 "$tmp/ferretdb.log")"; exit 1; }
  targets='[{name: r, driver: redis}, {name: m, driver: memcached}, {name: mg, driver: mongodb}]'
  n_targets=3
  export BENCH_MONGODB_URI="mongodb://127.0.0.1:$fport/"
else
  echo "note: no bench-ferretdb: mongodb's trace not checked"
fi
export BENCH_REDIS_URI="redis://:$pw@127.0.0.1:$rport"
export BENCH_MEMCACHED_SERVERS="127.0.0.1:$mport"
cat >"$tmp/trace.yaml" <<YAML
name: traced
targets: $targets
keyspace: {records: 200, prefix: "tr:"}
values: {size: 100}
phases:
  - {name: load, type: load, batch: 10, clients: 2}
  - {name: run, ops: 400, clients: 2, pipeline: 3, mix: {get: 0.8, set: 0.1, delete: 0.1}}
YAML

# check_trace LOG: per section (target, phase), exactly 5 commands and one
# reply line per command.
check_trace() {
  local log=$1 what=$2
  nonempty "$log" "$what: trace.log"
  same "$what: sections" "$(grep -c '^== ' "$log")" "$((n_targets * 2))"
  awk '/^== / { if (h) print h, s, r; h = $2 "/" $6; s = r = 0; next }
       /^client [0-9]+ > / { s++ } /^client [0-9]+ < [^ ]/ { r++ }
       END { if (h) print h, s, r }' "$log" >"$tmp/sections"
  while read -r sec sent replies; do
    same "$what: $sec: commands" "$sent" 5
    same "$what: $sec: replies" "$replies" 5
  done <"$tmp/sections"
  lacks "$log" "$pw" "$what: the password"
  LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$log" && fail "$what: a control byte in trace.log" || ok
}

expect_rc 0 "run with --trace 5" -- "$bench" run "$tmp/trace.yaml" --servers external --trace 5 \
  --out "$tmp/res" --no-charts --quiet
dir=$(ls -d "$tmp"/res/*/ | head -1)
log=$dir/trace.log
check_trace "$log" "event engine"
contains "$log" '^client [0-9]* > SET tr:[0-9]\{12\} "' "redis: SET with its value, quoted"
contains "$log" '^client [0-9]* < +OK$' "redis: +OK"
contains "$log" '^client [0-9]* > GET tr:[0-9]\{12\}$' "redis run: GET"
contains "$log" '^client [0-9]* > set tr:[0-9]\{12\} 0 0 100 ' "memcached: the set line"
contains "$log" '^client [0-9]* < STORED$' "memcached: STORED"
contains "$log" '^client [0-9]* > get tr:' "memcached run: get"
if [ "$n_targets" = 3 ]; then
  contains "$log" '^client [0-9]* > bench.find { "find" : "kv", "filter" : ' "mongodb: the find document"
  contains "$log" '^client [0-9]* < { .*"ok" : 1' "mongodb: the reply document"
fi
grep -rl "$pw" "$dir" >/dev/null && fail "the password is in the result directory" || ok

# The blocking engine: memcached through libmemcached, at the request level.
expect_rc 0 "blocking engine with --trace 5" -- env BENCH_ENGINE_BLOCKING=1 "$bench" run "$tmp/trace.yaml" \
  --servers external --trace 5 --target r,m --out "$tmp/res-blocking" --no-charts --quiet
n_targets=2
check_trace "$(ls -d "$tmp"/res-blocking/*/ | head -1)/trace.log" "blocking engine"
contains "$(ls -d "$tmp"/res-blocking/*/ | head -1)/trace.log" '^client [0-9]* > \[libmemcached; request level\] get tr:' \
  "memcached blocking: request level, said so"

# Without --trace there is no trace.log.
expect_rc 0 "run without --trace" -- "$bench" run "$tmp/trace.yaml" --servers external --target r \
  --out "$tmp/res-plain" --no-charts --quiet
[ ! -e "$(ls -d "$tmp"/res-plain/*/ | head -1)/trace.log" ] && ok || fail "trace.log without --trace"

finish dryrun
