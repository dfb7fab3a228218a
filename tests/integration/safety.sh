#!/usr/bin/env bash
# Data safety on servers bench did not start (docs/architecture.md, "Data
# safety"): private redis-server, memcached and FerretDB play external
# servers (`--servers external`, target uris).
# Usage: safety.sh BENCH_BINARY MONGO_PROBE_BINARY|none
# Exit 77 (skipped) when redis-server, redis-cli or memcached is missing,
# unless CI=true, where that is a failure; without FerretDB (or without
# tests/lib/mongo_probe) the MongoDB checks are skipped, a failure when CI=true.
#
# Foreign data first: another prefix written by `bench run --keep`, keys a
# careless glob or a range bound would catch ("bench", "bench;1", "abcx:1",
# "a*x:1" ...), a key of the prefix in Redis database 1, a document of the
# prefix in another collection. Then:
# a. a run of every op kind (records, inserts, counters, hashes, indexes,
#    the category index, a collection bench creates) and its cleanup leave
#    the foreign data byte for byte (Redis DUMP of every key, memcached
#    gets of every key listed by the crawler, every document as canonical
#    extended JSON) and nothing else (DBSIZE, curr_items, documents,
#    collections, indexes); run.json says what cleanup removed;
# b. the same for a prefix with glob characters, a*[x]:;
# c. Ctrl-C (Redis) and SIGTERM (memcached) mid-run: exit 1, partial
#    results, and the cleanup still ran;
# d. one key under the prefix: the target is refused with exit 3 and the
#    message naming the server and the count, no result directory; with
#    another target beside it, that one runs and the refused one has no
#    summary.csv rows, a `skipped` reason in run.json; the key is intact;
# e. --reuse runs on it and keeps it and the run's keys;
# f. no KEYS, FLUSHALL, FLUSHDB or flush_all so far; then --flush names the
#    server, empties it, and the run after it leaves nothing;
# g. a spawned server: run.json says no cleanup was needed;
# (after d) a sweep over keyspace.prefix is refused on such a server, and the
#    foreign key under its second prefix is intact;
# h. (run after c) `bench clean` removes what a --keep run left under the
#    prefix, on every driver, and the foreign data stays byte for byte; a
#    second clean finds nothing; a glob prefix; exit 3 for a server that
#    does not answer, 2 when no target is on a server bench did not start.
set -uo pipefail
bench=$1 probe=${2:-none}

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
tmp_name=safety
source "$(dirname "$0")/../lib/servers.sh"
die() { fail "$*"; echo "safety: $passed passed, $failed failed"; exit 1; }

start_redis || die "redis-server did not start: $(tail -3 "$tmp/redis.log" "$tmp/ready.log")"
start_memcached || die "memcached did not start: $(tail -3 "$tmp/memcached.log" "$tmp/ready.log")"
mongo=0
if have_ferretdb && [ -x "$probe" ]; then
  start_ferretdb || die "bench-ferretdb did not start: $(tail -3 "$tmp/ferretdb.log" "$tmp/ready.log")"
  mongo=1
elif [ "${CI:-}" = true ]; then
  fail "FerretDB (tools/bin/bench-ferretdb) or tests/lib/mongo_probe missing (CI=true: required)"
else
  echo "skip: MongoDB checks (no tools/bin/bench-ferretdb or tests/lib/mongo_probe)"
fi
muri="mongodb://127.0.0.1:${fport:-1}/"
mp() { "$probe" "$muri" "$@"; }

# ---- the servers' contents ----

# mc_keys: every key memcached holds (its crawler's list, URI-decoded), sorted.
mc_keys() {
  printf 'lru_crawler metadump hash\r\n' | mc_io | sed -n 's/^key=\([^ ]*\) .*/\1/p' |
    while IFS= read -r k; do printf '%b\n' "${k//%/\\x}"; done | LC_ALL=C sort
}
# snapshot FILE: everything the three servers hold, in a stable form.
snapshot() {
  {
    echo "== redis db 0: $(rcli DBSIZE) keys"
    # One redis-cli for every DUMP (bench's and these keys hold no spaces or quotes).
    rcli --scan | LC_ALL=C sort >"$tmp/r-keys"
    sed 's/^/DUMP /' "$tmp/r-keys" | redis-cli -h 127.0.0.1 -p "$rport" --no-raw | paste -d' ' "$tmp/r-keys" -
    echo "== redis db 1"
    redis-cli -h 127.0.0.1 -p "$rport" -n 1 --no-raw GET 'bench:000000000001'
    echo "== memcached: $(mc_field curr_items) items"
    mc_keys >"$tmp/mc-keys"
    cat "$tmp/mc-keys"
    { while IFS= read -r k; do printf 'get %s\r\n' "$k"; done <"$tmp/mc-keys"; printf 'version\r\n'; } | mc_io
    if [ "$mongo" = 1 ]; then
      echo "== mongodb: collections"; mp collections bench
      echo "== bench.kv: $(mp count bench kv) documents, indexes:"; mp indexes bench kv
      mp dump bench kv
      echo "== bench.other"; mp dump bench other
    fi
  } >"$1" 2>&1
}
# same_as BEFORE WHAT: the servers hold exactly what snapshot BEFORE saw.
same_as() {
  snapshot "$tmp/now"
  if cmp -s "$1" "$tmp/now"; then pass "$2: the servers hold exactly the foreign data again"
  else fail "$2: the servers' data changed: $(diff "$1" "$tmp/now" | head -8 | tr '\n' ' ')"; fi
}

# ---- workloads ----

targets() { # the external targets (mongodb ones only when FerretDB runs)
  echo "  - {name: redis, uri: \"redis://127.0.0.1:$rport\"}"
  echo "  - {name: memcached, uri: \"127.0.0.1:$mport\"}"
  if [ "$mongo" = 1 ]; then
    echo "  - {name: mongodb, uri: \"$muri\"}"
    echo "  - {name: mongo-fresh, driver: mongodb, uri: \"$muri\", options: {collection: fresh}}"
  fi
}
# workload NAME PREFIX [RUN_PHASE [RECORDS]]: every op kind bench writes with.
workload() {
  local run=${3:-"{name: run, ops: 400, clients: 2, mix: {get: 0.2, set: 0.1, delete: 0.1, insert: 0.1, incr: 0.1, hset: 0.1, lpush: 0.1, query: 0.1, range: 0.1}}"}
  cat >"$tmp/$1.yaml" <<YAML
name: safety-$1
seed: 5
max_error_rate: 0
targets:
$(targets)
keyspace: {records: ${4:-200}, prefix: "$2"}
values: {size: 16, categories: 4}
phases:
  - {name: load, batch: 50}
  - $run
YAML
}
# run NAME [ARGS...]: bench on $tmp/NAME.yaml, results in a directory of
# their own; sets rc, dir, csv.
nrun=0
run() {
  local name=$1; shift
  nrun=$((nrun + 1))
  "$bench" run "$tmp/$name.yaml" --servers external --out "$tmp/res-$nrun" --quiet --no-charts "$@" \
    </dev/null >"$tmp/$name.log" 2>&1
  rc=$?
  dir=$(ls -d "$tmp/res-$nrun"/*/ 2>/dev/null | head -1)
  csv=${dir}summary.csv
}
# cleanup_of TARGET: run.json's cleanup of a target.
cleanup_of() {
  awk -v t="\"name\": \"$1\"," 'index($0, t) { on = 1 } on && /"cleanup":/ { sub(/.*"cleanup": /, ""); print; exit }' "${dir}run.json"
}
rows_of() { awk -F, -v t="$1" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["target"] == t { n++ } END { print n + 0 }' "$csv"; }

# ---- foreign data ----
workload foreign "user:" "{name: run, ops: 200, mix: {set: 0.3, insert: 0.2, incr: 0.2, hset: 0.1, lpush: 0.1, query: 0.1}}" 50
run foreign --keep
check "foreign: bench --keep writes another prefix (exit $rc)" "$rc == 0" || cat "$tmp/foreign.log"
for t in redis memcached; do
  case $(cleanup_of $t) in *"kept: --keep"*) pass "foreign: $t cleanup says kept (--keep)" ;;
    *) fail "foreign: $t cleanup: $(cleanup_of $t)" ;; esac
done
lookalikes=(bench 'benc:1' 'xbench:1' 'bench;1' 'abcx:1' 'a*x:1' 'a*[x]' 'a*[x];1' 'user:~n:x')
for k in "${lookalikes[@]}"; do rcli SET "$k" "v-$k" >/dev/null; done
rcli HSET 'bench~h' f 1 >/dev/null
redis-cli -h 127.0.0.1 -p "$rport" -n 1 SET 'bench:000000000001' 'db 1 is not bench' >/dev/null
{ for k in "${lookalikes[@]}"; do printf 'set %s 0 0 %d\r\nv-%s\r\n' "$k" $((${#k} + 2)) "$k"; done
  printf 'version\r\n'; } | mc_io >/dev/null
if [ "$mongo" = 1 ]; then
  for k in "${lookalikes[@]}"; do mp insert bench kv "$k" "v-$k"; done
  mp insert bench other 'bench:000000000001' 'another collection'
fi
snapshot "$tmp/foreign"
nforeign=$(rcli DBSIZE) mforeign=$(mc_field curr_items)
check "foreign: redis holds $nforeign keys, memcached $mforeign items" "$nforeign > 50 && $mforeign > 50"

# ---- a. a run and its cleanup ----
workload main "bench:"
run main
check "main: bench exits 0 (exit $rc)" "$rc == 0" || cat "$tmp/main.log"
for t in redis memcached $([ "$mongo" = 1 ] && echo mongodb mongo-fresh); do
  c=$(cleanup_of $t) n=$(sed -n 's/^"removed \([0-9]*\) .*/\1/p' <<<"$c")
  check "main: $t: cleanup $c" "${n:-0} >= 200"
done
same_as "$tmp/foreign" main
check "main: redis DBSIZE $(rcli DBSIZE) = $nforeign, memcached curr_items $(mc_field curr_items) = $mforeign" \
  "$(rcli DBSIZE) == $nforeign && $(mc_field curr_items) == $mforeign"

# ---- b. glob characters in the prefix ----
workload glob 'a*[x]:'
run glob
check "glob: bench exits 0 with prefix a*[x]: (exit $rc)" "$rc == 0" || cat "$tmp/glob.log"
n=$(sed -n 's/^"removed \([0-9]*\) .*/\1/p' <<<"$(cleanup_of redis)")
check "glob: redis cleanup removed ${n:-0} keys" "${n:-0} >= 200"
same_as "$tmp/foreign" glob

# ---- c. Ctrl-C and SIGTERM mid-run ----
redis_hits_past() { local h; h=$(info_field stats keyspace_hits 2>/dev/null) && [ "${h:-0}" -ge "$1" ]; }
mc_hits_past() { local h; h=$(mc_field get_hits 2>/dev/null) && [ "${h:-0}" -ge "$1" ]; }
workload long "bench:" "{name: run, duration: 60s, clients: 2, rate: 500, mix: {get: 0.5, insert: 0.5}}"
for case in "redis INT redis_hits_past" "memcached TERM mc_hits_past"; do
  read -r t sig ready <<<"$case"
  rcli CONFIG RESETSTAT >/dev/null
  h0=$(mc_field get_hits)
  bg "$bench" run "$tmp/long.yaml" --servers external --target "$t" --out "$tmp/res-sig-$t" --quiet --no-charts \
    </dev/null >"$tmp/sig-$t.log" 2>&1
  bpid=$bg_pid
  if [ "$t" = redis ]; then wait_ready "$bpid" $ready 50; else wait_ready "$bpid" $ready $((h0 + 50)); fi ||
    fail "$sig: the run phase of $t did not start"
  kill -"$sig" "$bpid"
  wait "$bpid"; rc=$?; forget "$bpid"
  dir=$(ls -d "$tmp/res-sig-$t"/*/ 2>/dev/null | head -1)
  check "$sig: bench exits 1 (exit $rc)" "$rc == 1" || cat "$tmp/sig-$t.log"
  grep -q '"complete": *false' "${dir}run.json" 2>/dev/null && pass "$sig: run.json says complete: false" ||
    fail "$sig: run.json not written or complete"
  case $(cleanup_of "$t") in '"removed '*) pass "$sig: $t cleanup: $(cleanup_of "$t")" ;;
    *) fail "$sig: $t cleanup: $(cleanup_of "$t")" ;; esac
  same_as "$tmp/foreign" "$sig"
done

# ---- h. bench clean: the keys under the prefix, nothing else ----
# A run with --keep leaves its keys (what a run quit at once leaves); bench
# clean removes them through the same namespace code, and the foreign data
# (other prefixes, look-alike names) stays byte for byte. No query op: the
# category index it would create is not a key, and clean leaves it.
sel=redis,memcached$([ "$mongo" = 1 ] && echo ,mongodb)
workload clean "bench:" "{name: run, ops: 400, clients: 2, mix: {get: 0.3, set: 0.2, insert: 0.2, incr: 0.1, hset: 0.1, lpush: 0.1}}"
run clean --keep --target "$sel"
check "clean: bench --keep exits 0 (exit $rc)" "$rc == 0" || cat "$tmp/clean.log"
check "clean: the run left its keys (redis DBSIZE $(rcli DBSIZE) > $nforeign + 200)" "$(rcli DBSIZE) > $nforeign + 200"
"$bench" clean "$tmp/clean.yaml" --servers external --target "$sel" </dev/null >"$tmp/clean.out" 2>&1
rc=$?
check "clean: bench clean exits 0 (exit $rc)" "$rc == 0" || cat "$tmp/clean.out"
for t in redis memcached $([ "$mongo" = 1 ] && echo mongodb); do
  n=$(sed -n "s/^$t: removed \([0-9]*\) \(keys\|documents in bench.kv\) under prefix 'bench:' on .*127.0.0.1:[0-9]*.*/\1/p" "$tmp/clean.out")
  check "clean: $t: bench clean says it removed ${n:-no} keys" "${n:-0} >= 200" || cat "$tmp/clean.out"
done
same_as "$tmp/foreign" clean
"$bench" clean "$tmp/clean.yaml" --servers external --target redis </dev/null >"$tmp/clean.out" 2>&1
rc=$?
check "clean again: exit 0 (exit $rc)" "$rc == 0"
grep -q "^redis: nothing under prefix 'bench:' on redis://127.0.0.1:$rport\$" "$tmp/clean.out" &&
  pass "clean again: nothing under the prefix" || fail "clean again: $(cat "$tmp/clean.out")"
# A glob prefix is a literal prefix there too.
workload cleanglob 'a*[x]:' "{name: run, ops: 100, mix: {set: 1}}"
run cleanglob --keep --target redis
"$bench" clean "$tmp/cleanglob.yaml" --target redis </dev/null >"$tmp/clean.out" 2>&1
rc=$?
check "clean a*[x]: (target uri, default --servers): exit 0 (exit $rc)" "$rc == 0" || cat "$tmp/clean.out"
same_as "$tmp/foreign" "clean a*[x]:"
# A server that does not answer: exit 3; no server bench did not start: exit 2.
printf 'name: c\ntargets: [{name: redis, uri: "redis://127.0.0.1:1"}]\nphases: [{name: load}]\n' >"$tmp/clean-dead.yaml"
"$bench" clean "$tmp/clean-dead.yaml" </dev/null >"$tmp/clean.out" 2>&1
rc=$?
check "clean: unreachable server: exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/clean.out"
printf 'name: c\ntargets: [redis]\nphases: [{name: load}]\n' >"$tmp/clean-spawn.yaml"
BENCH_SERVERS= "$bench" clean "$tmp/clean-spawn.yaml" </dev/null >"$tmp/clean.out" 2>&1
rc=$?
check "clean: only a spawned target: exit 2 (exit $rc)" "$rc == 2" || cat "$tmp/clean.out"

# ---- d. a key under the prefix: refused ----
seed=(redis "rcli SET bench:zzz mine" memcached "printf 'set bench:zzz 0 0 4\r\nmine\r\nversion\r\n' | mc_io")
[ "$mongo" = 1 ] && seed+=(mongodb "mp insert bench kv bench:zzz mine")
for ((i = 0; i < ${#seed[@]}; i += 2)); do
  t=${seed[i]}
  eval "${seed[i + 1]}" >/dev/null
  run main --target "$t"
  check "refused $t: exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/main.log"
  if grep -q "not run: $t at [^ ]*127.0.0.1:[0-9]*/\? already holds 1 \(key\|document in bench.kv\) under prefix 'bench:'; use another keyspace.prefix, --reuse to run on them, or --flush" "$tmp/main.log"
  then pass "refused $t: the message names the server and the count"; else fail "refused $t: message: $(cat "$tmp/main.log")"; fi
  check "refused $t: no result directory" "$([ -z "$dir" ] && echo 1 || echo 0) == 1"
done
printf 'delete bench:zzz\r\nversion\r\n' | mc_io >/dev/null
run main --target redis,memcached
check "redis refused beside memcached: exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/main.log"
check "redis refused: no redis rows, $(rows_of memcached) memcached rows in summary.csv" \
  "$(rows_of redis) == 0 && $(rows_of memcached) > 0"
grep -q '"skipped": "redis at .* already holds 1 key under prefix' "${dir}run.json" &&
  pass "redis refused: run.json says why it was skipped" || fail "redis refused: run.json skipped: $(grep skipped "${dir}run.json")"
check "redis refused: bench:zzz still says mine" "$([ "$(rcli GET bench:zzz)" = mine ] && echo 1 || echo 0) == 1"

# A sweep over keyspace.prefix writes under a prefix per point, and the
# check and cleanup know one: refused without --reuse, and the foreign key
# under the second point's prefix is intact.
rcli SET sw2:000000000001 foreign >/dev/null
workload sweep sw1:
printf 'sweep: {keyspace.prefix: ["sw1:", "sw2:"]}\n' >>"$tmp/sweep.yaml"
run sweep --target redis
check "sweep over the prefix: refused, exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/sweep.log"
grep -q "not run: the sweep writes under prefix 'sw2:' as well as 'sw1:'" "$tmp/sweep.log" &&
  pass "sweep over the prefix: the message names both prefixes" || fail "sweep over the prefix: $(cat "$tmp/sweep.log")"
check "sweep over the prefix: sw2:000000000001 still says foreign" \
  "$([ "$(rcli GET sw2:000000000001)" = foreign ] && echo 1 || echo 0) == 1"
rcli DEL sw2:000000000001 >/dev/null

# ---- e. --reuse ----
printf 'set bench:zzz 0 0 4\r\nmine\r\nversion\r\n' | mc_io >/dev/null
run main --reuse
check "reuse: exit 0 (exit $rc)" "$rc == 0" || cat "$tmp/main.log"
case $(cleanup_of redis) in *"kept: --reuse"*) pass "reuse: redis cleanup keeps" ;; *) fail "reuse: redis cleanup: $(cleanup_of redis)" ;; esac
check "reuse: bench:zzz kept, and the run's keys ($(rcli DBSIZE) > $nforeign + 1)" \
  "$([ "$(rcli GET bench:zzz)" = mine ] && echo 1 || echo 0) == 1 && $(rcli DBSIZE) > $nforeign + 1"

# ---- f. KEYS never, flushes only with --flush ----
cmds=$(rcli INFO commandstats | grep -o '^cmdstat_[a-z]*' | tr '\n' ' ')
check "no KEYS, FLUSHALL or FLUSHDB so far ($cmds)" "$(grep -cE 'cmdstat_(keys|flushall|flushdb) ' <<<"$cmds ") == 0"
check "no flush_all on memcached so far (cmd_flush $(mc_field cmd_flush))" "$(mc_field cmd_flush) == 0"
run main --flush
check "flush: exit 0 (exit $rc)" "$rc == 0" || cat "$tmp/main.log"
grep -q "^bench: --flush: emptying redis at redis://127.0.0.1:$rport" "$tmp/main.log" &&
  grep -q "^bench: --flush: emptying memcached at 127.0.0.1:$mport" "$tmp/main.log" &&
  pass "flush: the message names each server" || fail "flush: $(grep flush "$tmp/main.log")"
check "flush: redis db 0 is empty ($(rcli DBSIZE)), memcached holds no key ($(mc_keys | wc -l))" \
  "$(rcli DBSIZE) == 0 && $(mc_keys | wc -l) == 0"
check "flush: redis db 1 untouched" "$([ "$(redis-cli -h 127.0.0.1 -p "$rport" -n 1 GET bench:000000000001)" = 'db 1 is not bench' ] && echo 1 || echo 0) == 1"
if [ "$mongo" = 1 ]; then
  check "flush: database bench has no collection left ($(mp collections bench | tr '\n' ' '))" "$(mp collections bench | wc -l) == 0"
fi
cmds=$(rcli INFO commandstats | grep -o '^cmdstat_[a-z]*' | tr '\n' ' ')
check "flush: FLUSHDB once, never KEYS or FLUSHALL ($cmds)" \
  "$(grep -c 'cmdstat_flushdb ' <<<"$cmds ") == 1 && $(grep -cE 'cmdstat_(keys|flushall) ' <<<"$cmds ") == 0"

# ---- g. spawned servers ----
cat >"$tmp/spawn.yaml" <<'YAML'
name: safety-spawn
targets: [redis]
keyspace: {records: 10}
phases: [{name: load}]
YAML
"$bench" run "$tmp/spawn.yaml" --out "$tmp/res-spawn" --quiet --no-charts </dev/null >"$tmp/spawn.log" 2>&1
rc=$? dir=$(ls -d "$tmp/res-spawn"/*/ 2>/dev/null | head -1)
if [ "$rc" = 0 ]; then
  case $(cleanup_of redis) in *"none needed"*) pass "spawn: no cleanup needed" ;; *) fail "spawn: cleanup: $(cleanup_of redis)" ;; esac
else
  fail "spawn: exit $rc: $(tail -3 "$tmp/spawn.log")"
fi

echo "safety: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
