#!/usr/bin/env bash
# Broken servers and what stands between bench and them (docs/architecture.md,
# "Data safety"): tests/lib/hostile_proxy in front of a private redis-server or
# memcached, given to bench as an external server, breaks one thing on
# purpose. bench must delete nothing foreign, finish (a hang guard of
# minutes, never a time limit on the work), stay within bounded memory,
# honour the first SIGTERM, and say what went wrong.
# Usage: broken_servers.sh BENCH_BINARY HOSTILE_PROXY_BINARY MONGO_PROBE_BINARY|none
# Exit 77 (skipped) when redis-server, redis-cli or memcached is missing,
# unless CI=true, where that is a failure; without FerretDB (or without
# tests/lib/mongo_probe) the MongoDB checks are skipped, a failure when CI=true.
#
# a. SCAN's MATCH dropped (every key comes back), for the check before the
#    run and the cleanup after it, and for the cleanup only (--skip 1: the
#    check sees the truth): the run succeeds, its cleanup removes its own
#    keys, and every foreign key (another prefix, "bench", "bench;1", "",
#    a hash) is byte for byte what it was.
# b. SCAN that never ends (cursor 7 and no keys, for ever): the check gives
#    up after its bound of calls, exit 3 naming it. A SCAN reply with an
#    element that is not a string (an integer) at the cleanup: the cleanup
#    fails with a warning saying so, and the foreign key "" is not UNLINKed.
#    The endless SCAN, slowed down: a SIGTERM during the check ends bench
#    (exit 1, "interrupted while checking").
# c. memcached's `lru_crawler metadump` that never ends, listing other
#    keys: the check gives up after its bound of lines, exit 3. Listing
#    keys under the prefix for ever at the cleanup: bench finishes with the
#    cleanup failed and a peak RSS under 300 MB. Slowed down: a SIGTERM
#    during the check ends bench (exit 1).
# b2. a fuzzy op whose SCAN never ends times out (the request timeout
#    covers its whole chain) on both engines, never hangs.
# d. libmemcached's path (BENCH_ENGINE_BLOCKING=1) answered with garbage:
#    VALUE k 0 -1, a length of 10^23, a VALUE for a key not asked for, an
#    8 MB line without a newline, VALUE k 0 999999999 and then nothing, a
#    200 MB value sent whole: every get is a disconnect (never an ok or a
#    miss), exit 1, peak RSS under 300 MB. A good value is ok, END alone a
#    miss: the checks do not see garbage where there is none.
# e. memcached -o no_lru_crawler: the refusal says why in a whole
#    sentence. A SIGSTOPped redis-server: "timeout after 300 ms", not
#    "Resource temporarily unavailable".
# f. MongoDB (FerretDB, when tools/bin/bench-ferretdb and tests/lib/mongo_probe
#    are built) through a proxy that takes the filter off every find and
#    the $match off every aggregate: the run succeeds, its cleanup removes
#    its own documents, and every foreign document is what it was.
# g. Redis GETs answered with garbage, on both engines (hiredis 0.14's
#    reader has no bound of its own; drivers/redis/redis_bound.c): a bulk
#    string longer than the workload's values (2 MB), 2 GB announced and
#    400 MB sent, an 8 MB error line: every get disconnected, the refusal
#    names the bound, peak RSS under 300 MB; an array of 2^31 - 1
#    elements: nothing allocated for it, the gets time out. A good value is
#    ok and $-1 a miss.
set -uo pipefail
bench=$1 proxy=$2 probe=${3:-none}

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
[ -x "$proxy" ] || { echo "FAIL - not executable: $proxy"; exit 1; }
tmp_name=broken
source "$(dirname "$0")/../lib/servers.sh"
die() { fail "$*"; echo "broken_servers: $passed passed, $failed failed"; exit 1; }

start_redis || die "redis-server did not start: $(tail -3 "$tmp/redis.log" "$tmp/ready.log")"
start_memcached || die "memcached did not start: $(tail -3 "$tmp/memcached.log" "$tmp/ready.log")"

# start_px NAME UPSTREAM_PORT PROXY_ARGS...: a hostile_proxy; sets px_port,
# px_pid. Its stderr ("changed: ...") is $tmp/NAME.err.
npx=0
start_px() {
  local name=$1 up=$2 word in out; shift 2
  npx=$((npx + 1))
  mkfifo "$tmp/px$npx.in" "$tmp/px$npx.out" || return 1
  exec {in}<>"$tmp/px$npx.in" {out}<>"$tmp/px$npx.out"
  held_fds+=("$in" "$out")
  bg "$proxy" --upstream "127.0.0.1:$up" "$@" <"$tmp/px$npx.in" >"$tmp/px$npx.out" 2>"$tmp/$name.err"
  px_pid=$bg_pid
  read -r -t 10 -u "$out" word px_port && [ "$word" = PORT ] || { cat "$tmp/$name.err"; return 1; }
}

contains() { if grep -q -- "$2" "$1"; then pass "$3"; else fail "$3: '$2' not in $(head -c 600 "$1")"; fi; }
lacks() { if grep -q -- "$2" "$1"; then fail "$3: '$2' in $1"; else pass "$3"; fi; }

# workload NAME URI [RUN_PHASE]: one target (redis:// uri: redis,
# mongodb://: mongodb, else memcached), 100 records under "bench:".
workload() {
  local driver=memcached run=${3:-"{name: run, ops: 100, mix: {get: 0.5, set: 0.5}}"}
  case $2 in redis://*) driver=redis ;; mongodb://*) driver=mongodb ;; esac
  cat >"$tmp/$1.yaml" <<YAML
name: broken-$1
seed: 3
targets:
  - {name: $driver, uri: "$2", timeout: 2s}
keyspace: {records: 100, prefix: "bench:"}
values: {size: 16}
phases:
  - {name: load, batch: 20}
  - $run
YAML
}

# start_run NAME [ENV=VALUE...]: bench on $tmp/NAME.yaml in the background,
# under a wrapper that passes it SIGTERM and SIGINT and, once it has
# exited, writes its peak RSS (getrusage of the child, kB) to
# $tmp/NAME.rss: measured whatever the run's length (sampling /proc
# missed a run shorter than a sample on a fast machine).
# finish_run NAME: waits for it, with a hang guard of $guard s (240;
# BENCH_TEST_HANG_GUARD): bench is then killed, which fails the test (it
# must finish on its own). Sets rc, dir, csv, hwm_mb (bench's peak RSS).
# run: both.
guard=${BENCH_TEST_HANG_GUARD:-240}
start_run() {
  local name=$1; shift
  bg python3 -c '
import resource, signal, subprocess, sys
child = []
def forward(sig, frame):
    if child:
        child[0].send_signal(sig)
signal.signal(signal.SIGTERM, forward)
signal.signal(signal.SIGINT, forward)
child.append(subprocess.Popen(sys.argv[2:]))
rc = child[0].wait()
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)
' "$tmp/$name.rss" env "$@" "$bench" run "$tmp/$name.yaml" --servers external --out "$tmp/res-$name" --quiet \
    --no-charts </dev/null >"$tmp/$name.log" 2>&1
  bpid=$bg_pid
}
finish_run() {
  local name=$1 end=$((${EPOCHREALTIME/./} + guard * 1000000)) hwm
  while kill -0 "$bpid" 2>/dev/null; do
    if [ "${EPOCHREALTIME/./}" -ge "$end" ]; then
      fail "$name: bench still running after the $guard s hang guard: killed"
      pkill -KILL -P "$bpid"
      kill -KILL "$bpid"
      break
    fi
    sleep 0.05
  done
  wait "$bpid"; rc=$?
  forget "$bpid"
  hwm=$(cat "$tmp/$name.rss" 2>/dev/null || echo 0)
  hwm_mb=$((${hwm:-0} / 1024))
  dir=$(ls -d "$tmp/res-$name"/*/ 2>/dev/null | head -1)
  csv=${dir}summary.csv
}
run() { start_run "$@"; finish_run "$1"; }
cleanup_of() { sed -n 's/.*"cleanup": "\(.*\)",\{0,1\}$/\1/p' "${dir}run.json" 2>/dev/null | head -1; }
# wait_for FILE REGEX: polls until FILE holds a line matching REGEX while
# bench runs (60 s at most).
wait_for() {
  local end=$((${EPOCHREALTIME/./} + 60000000))
  while [ "${EPOCHREALTIME/./}" -lt "$end" ] && kill -0 "$bpid" 2>/dev/null; do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# ---- foreign Redis keys ----
foreign=(user:1 user:2 bench 'bench;1' 'benc:1' '' 'abcx:1')
for k in "${foreign[@]}"; do rcli SET "$k" "v-$k" >/dev/null; done
rcli HSET 'bench~h' f 1 >/dev/null
foreign+=('bench~h')
# redis_foreign: every foreign key's DUMP, and DBSIZE.
redis_foreign() {
  local k
  for k in "${foreign[@]}"; do printf '%s=' "$k"; redis-cli -h 127.0.0.1 -p "$rport" --no-raw DUMP "$k"; done
  echo "dbsize $(rcli DBSIZE)"
}
redis_foreign >"$tmp/r-foreign"
redis_intact() {
  redis_foreign >"$tmp/r-now"
  if cmp -s "$tmp/r-foreign" "$tmp/r-now"; then pass "$1: every foreign key intact, nothing else left"
  else fail "$1: redis changed: $(diff "$tmp/r-foreign" "$tmp/r-now" | head -6 | tr '\n' ' ')"; fi
}

# ---- a. SCAN without its MATCH ----
for skip in 0 1; do
  start_px match-all "$rport" --mode scan-match-all --skip "$skip" || die "hostile_proxy did not start"
  workload match "redis://127.0.0.1:$px_port"
  run match
  check "match-all (skip $skip): bench exits 0 (exit $rc)" "$rc == 0" || cat "$tmp/match.log"
  c=$(cleanup_of) n=$(sed -n 's/^removed \([0-9]*\) keys.*/\1/p' <<<"$c")
  check "match-all (skip $skip): cleanup removed the run's 100 keys ($c)" "${n:-0} == 100"
  check "match-all (skip $skip): the proxy dropped MATCH ($(grep -c changed "$tmp/match-all.err") SCANs)" \
    "$(grep -c changed "$tmp/match-all.err") > 0"
  redis_intact "match-all (skip $skip)"
  stop_pid "$px_pid"
done

# ---- b. SCAN that never ends, and elements that are not keys ----
start_px endless "$rport" --mode scan-eval --arg "return {'7', {}}" || die "hostile_proxy did not start"
workload endless "redis://127.0.0.1:$px_port"
run endless
check "endless SCAN: the target is refused, exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/endless.log"
contains "$tmp/endless.log" "redis: SCAN did not finish in 1000 calls (DBSIZE ${#foreign[@]})" "endless SCAN: the message names the bound"
check "endless SCAN: 1000 SCANs sent ($(grep -c changed "$tmp/endless.err"))" "$(grep -c changed "$tmp/endless.err") == 1000"
stop_pid "$px_pid"
redis_intact "endless SCAN"

# A SCAN page too big to hold, in array elements or in bytes: refused at
# the bound (REDIS_SETUP_*), the target not run. Before, hiredis allocated
# the array its header announced and held every element sent.
start_px bigscan "$rport" --mode scan-eval \
  --arg "local t = {} for i = 1, 1000001 do t[i] = 'k' end return {'0', t}" || die "hostile_proxy did not start"
workload bigscan "redis://127.0.0.1:$px_port"
run bigscan
check "a SCAN page of 1000001 keys: the target is refused, exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/bigscan.log"
contains "$tmp/bigscan.log" "a reply of over 1000000 array elements (bench's bound)" "a SCAN page of 1000001 keys: the message names the bound"
stop_pid "$px_pid"
start_px hugescan "$rport" --mode scan-eval \
  --arg "local s = string.rep('k', 1000000) local t = {} for i = 1, 70 do t[i] = s end return {'0', t}" ||
  die "hostile_proxy did not start"
workload hugescan "redis://127.0.0.1:$px_port"
run hugescan
check "a SCAN page of 70 MB: the target is refused, exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/hugescan.log"
contains "$tmp/hugescan.log" "a reply of over 67108864 bytes (bench's bound)" "a SCAN page of 70 MB: the message names the bound"
stop_pid "$px_pid"
redis_intact "SCAN pages too big"

start_px slow "$rport" --mode scan-eval --arg "return {'7', {}}" --delay-ms 200 || die "hostile_proxy did not start"
workload slow "redis://127.0.0.1:$px_port"
start_run slow
wait_for "$tmp/slow.err" changed || fail "slow SCAN: the check never reached the proxy"
kill -TERM "$bpid"
finish_run slow
check "slow endless SCAN, SIGTERM: bench exits 1 (exit $rc)" "$rc == 1" || cat "$tmp/slow.log"
contains "$tmp/slow.log" "not run: interrupted while checking that prefix 'bench:' is empty on redis" "slow endless SCAN, SIGTERM: says so"
stop_pid "$px_pid"

start_px nonstring "$rport" --mode scan-eval --skip 1 \
  --arg "local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3]); table.insert(r[2], 7); return r" ||
  die "hostile_proxy did not start"
workload nonstring "redis://127.0.0.1:$px_port"
run nonstring
check "non-string key: the run still exits 0 (exit $rc)" "$rc == 0" || cat "$tmp/nonstring.log"
case $(cleanup_of) in *"is not a string"*) pass "non-string key: the cleanup failed, saying why" ;;
  *) fail "non-string key: cleanup: $(cleanup_of)" ;; esac
check "non-string key: the foreign key \"\" is still there" "$(rcli EXISTS '') == 1"
stop_pid "$px_pid"
redis-cli -h 127.0.0.1 -p "$rport" --scan --pattern 'bench:*' | while IFS= read -r k; do rcli DEL "$k" >/dev/null; done
redis_intact "non-string key (and the run's keys removed by the test)"

# A fuzzy request whose SCAN never ends (each reply prompt, the cursor
# never 0): the request timeout covers its whole chain, on both engines:
# every one a timeout, never a hang (before: the blocking engine sent SCAN
# after SCAN for ever). --skip 1 lets the check before the run through.
for engine in event blocking; do
  env=(); [ $engine = blocking ] && env=(BENCH_ENGINE_BLOCKING=1)
  start_px fuzzy-$engine "$rport" --mode scan-eval --arg "return {'7', {}}" --skip 1 || die "hostile_proxy did not start"
  workload fuzzy-$engine "redis://127.0.0.1:$px_port" "{name: run, ops: 3, mix: {fuzzy: 1}}"
  run fuzzy-$engine "${env[@]}"
  check "endless fuzzy SCAN ($engine): bench exits 1, the requests failed (exit $rc)" "$rc == 1" \
    || cat "$tmp/fuzzy-$engine.log"
  t=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["phase"] == "run" && $h["op"] == "fuzzy" { print $h["timeouts"] + 0, $h["engine"] }' "$csv" 2>/dev/null)
  same "endless fuzzy SCAN ($engine): 3 timeouts on the $engine engine" "$t" "3 $engine"
  grep -q 'timeout after 2000 ms' "${dir}run.json" && pass "endless fuzzy SCAN ($engine): run.json says timeout after 2000 ms" \
    || fail "endless fuzzy SCAN ($engine): run.json lacks the timeout"
  stop_pid "$px_pid"
  redis-cli -h 127.0.0.1 -p "$rport" --scan --pattern 'bench:*' | while IFS= read -r k; do rcli DEL "$k" >/dev/null; done
  redis_intact "endless fuzzy SCAN ($engine) (and the run's keys removed by the test: its cleanup met the endless SCAN)"
done

# ---- c. metadump that never ends ----
printf 'set user:1 0 0 3\r\nfoo\r\nset bench 0 0 3\r\nbar\r\nversion\r\n' | mc_io >/dev/null
mc_items() { mc_field curr_items; }

start_px dump-other "$mport" --mode metadump --arg other: || die "hostile_proxy did not start"
workload dump-other "127.0.0.1:$px_port"
run dump-other
check "endless metadump: the target is refused, exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/dump-other.log"
contains "$tmp/dump-other.log" "lru_crawler metadump: over 100004 lines for 2 items" "endless metadump: the message names the bound"
stop_pid "$px_pid"

start_px dump-mine "$mport" --mode metadump --skip 1 --arg bench: || die "hostile_proxy did not start"
workload dump-mine "127.0.0.1:$px_port"
run dump-mine
check "endless metadump of the prefix at the cleanup: bench finishes (exit $rc)" "$rc == 0 || $rc == 1" ||
  cat "$tmp/dump-mine.log"
case $(cleanup_of) in *"lru_crawler metadump: over "*" lines for "*" items"*) pass "endless metadump of the prefix: the cleanup failed, saying why" ;;
  *) fail "endless metadump of the prefix: cleanup: $(cleanup_of)" ;; esac
check "endless metadump of the prefix: peak RSS ${hwm_mb} MB < 300 MB" "$hwm_mb > 0 && $hwm_mb < 300"
stop_pid "$px_pid"
printf 'flush_all\r\nset user:1 0 0 3\r\nfoo\r\nset bench 0 0 3\r\nbar\r\nversion\r\n' | mc_io >/dev/null

start_px dump-slow "$mport" --mode metadump --arg other: --delay-ms 100 || die "hostile_proxy did not start"
workload dump-slow "127.0.0.1:$px_port"
start_run dump-slow
wait_for "$tmp/dump-slow.err" changed || fail "slow metadump: the check never reached the proxy"
kill -TERM "$bpid"
finish_run dump-slow
check "slow endless metadump, SIGTERM: bench exits 1 (exit $rc)" "$rc == 1" || cat "$tmp/dump-slow.log"
contains "$tmp/dump-slow.log" "not run: interrupted while checking that prefix 'bench:' is empty on memcached" \
  "slow endless metadump, SIGTERM: says so"
stop_pid "$px_pid"

# ---- d. garbage replies to libmemcached's gets ----
# garbage NAME REPLY OK MISSES DISCONNECTS: 8 gets (one client) answered with
# REPLY; the run phase's counts must be these.
garbage() {
  local name=$1 want_ok=$3 want_miss=$4 want_disc=$5 ops miss disc
  start_px "get-$name" "$mport" --mode get-reply --arg "$2" || die "hostile_proxy did not start"
  workload "get-$name" "127.0.0.1:$px_port" "{name: run, ops: 8, clients: 1, mix: {get: 1}}"
  run "get-$name" BENCH_ENGINE_BLOCKING=1
  ops=$(get memcached run get ops) miss=$(get memcached run get misses) disc=$(get memcached run get disconnects)
  check "get $name: ok $((${ops:-0} - ${miss:-0})), misses ${miss:-?}, disconnects ${disc:-?} (want $want_ok, $want_miss, $want_disc)" \
    "${ops:-0} - ${miss:-0} == $want_ok && ${miss:--1} == $want_miss && ${disc:--1} == $want_disc" || cat "$tmp/get-$name.log"
  check "get $name: exit $((want_disc ? 1 : 0)) (exit $rc)" "$rc == $((want_disc ? 1 : 0))"
  check "get $name: peak RSS ${hwm_mb} MB < 300 MB" "$hwm_mb > 0 && $hwm_mb < 300"
  stop_pid "$px_pid"
}
garbage good 'VALUE {key} 0 16\r\n{fill:16}\r\nEND\r\n' 8 0 0
garbage miss 'END\r\n' 0 8 0
garbage minus-one 'VALUE {key} 0 -1\r\nEND\r\n' 0 0 8
garbage 10e23 'VALUE {key} 0 100000000000000000000000\r\nEND\r\n' 0 0 8
garbage other-key 'VALUE other:1 0 1\r\nx\r\nEND\r\n' 0 0 8
garbage 8mb-line '{fill:8000000}' 0 0 8
garbage 999999999 'VALUE {key} 0 999999999\r\n' 0 0 8
garbage 200mb-value 'VALUE {key} 0 200000000\r\n{fill:200000000}\r\nEND\r\n' 0 0 8

# ---- g. hostile replies to Redis GETs, on both engines ----
# rgarbage NAME REPLY OK MISSES DISCONNECTS TIMEOUTS [GETS]: GETS gets (8;
# one client) answered with REPLY, on the blocking engine (hiredis's
# reader, fed by redis_get_reply) and the event engine (fed by
# redis_node_on_readable); the run phase's counts must be these, and
# bench's peak RSS under 300 MB.
rgarbage() {
  local name=$1 want_ok=$3 want_miss=$4 want_disc=$5 want_to=$6 n=${7:-8} ops miss disc to engine
  for engine in blocking event; do
    start_px "rget-$name" "$rport" --mode redis-get-reply --arg "$2" || die "hostile_proxy did not start"
    workload "rget-$name-$engine" "redis://127.0.0.1:$px_port" "{name: run, ops: $n, clients: 1, mix: {get: 1}}"
    if [ "$engine" = blocking ]; then run "rget-$name-$engine" BENCH_ENGINE_BLOCKING=1; else run "rget-$name-$engine"; fi
    ops=$(get redis run get ops) miss=$(get redis run get misses) disc=$(get redis run get disconnects)
    to=$(get redis run get timeouts)
    same "redis get $name: the $engine engine ran it" "$(get redis run get engine)" "$engine"
    check "redis get $name ($engine): ok $((${ops:-0} - ${miss:-0})), misses ${miss:-?}, disconnects ${disc:-?}, timeouts ${to:-?} (want $want_ok, $want_miss, $want_disc, $want_to)" \
      "${ops:-0} - ${miss:-0} == $want_ok && ${miss:--1} == $want_miss && ${disc:--1} == $want_disc && ${to:--1} == $want_to" ||
      cat "$tmp/rget-$name-$engine.log"
    check "redis get $name ($engine): peak RSS ${hwm_mb} MB < 300 MB" "$hwm_mb < 300"
    stop_pid "$px_pid"
  done
}
rgarbage good '$16\r\n{fill:16}\r\n' 8 0 0 0
rgarbage nil '$-1\r\n' 0 8 0 0
# Longer than the workload's values (16 bytes: the bound is 1 MiB + 64 KiB):
# refused at its header, before hiredis buffers it.
rgarbage 2mb '$2000000\r\n{fill:2000000}\r\n' 0 0 8 0
# 2 GB announced, 400 MB sent: hiredis would buffer all of it and wait.
rgarbage 2gb '$2000000000\r\n{fill:400000000}' 0 0 8 0
# A line that never ends (an error reply of 8 MB).
rgarbage 8mb-line '-{fill:8000000}' 0 0 8 0
# An array of 2^31 - 1 elements: the GET path's reader functions allocate
# nothing for it (redis_node.c), so bench waits for its elements within
# bounded memory and times out.
rgarbage 2g-array '*2147483647\r\n' 0 0 0 2 2
for engine in blocking event; do
  # (the proxy writes the header a byte at a time: "at least" part of it)
  grep -q "get disconnected: redis: a reply announced a bulk string of \(at least \)\{0,1\}[0-9]* bytes, over bench's bound of 1114112" \
    "$tmp"/res-rget-2gb-$engine/*/run.json && pass "redis get 2gb ($engine): the refusal names the length and the bound" ||
    fail "redis get 2gb ($engine): the refusal: $(grep -h '"error"' "$tmp"/res-rget-2gb-$engine/*/run.json | head -2)"
done

# A range whose index read answers keys that are not strings (nil, a
# number) beside one that is: each still holds its place in the fetch
# that follows, so the command stays whole and the connection in step: no
# timeout, no disconnect, every get after it answered (a fetch written
# with fewer keys than it announced had Redis wait for the rest).
for engine in blocking event; do
  start_px "range-$engine" "$rport" --mode range-eval --arg "return {'bench:000000000001', false, 7}" ||
    die "hostile_proxy did not start"
  workload "range-$engine" "redis://127.0.0.1:$px_port" \
    "{name: run, ops: 40, clients: 1, mix: {range: 0.5, get: 0.5}, range: {length: 3}}"
  if [ "$engine" = blocking ]; then run "range-$engine" BENCH_ENGINE_BLOCKING=1; else run "range-$engine"; fi
  same "range with non-string keys: the $engine engine ran it" "$(get redis run range engine)" "$engine"
  for op in range get; do
    check "range with non-string keys ($engine): $op disconnects $(get redis run $op disconnects), timeouts $(get redis run $op timeouts), errors $(get redis run $op errors)" \
      "$(get redis run $op disconnects) == 0 && $(get redis run $op timeouts) == 0 && $(get redis run $op errors) == 0" ||
      cat "$tmp/range-$engine.log"
  done
  check "range with non-string keys ($engine): every get answered (ops $(get redis run get ops), misses $(get redis run get misses))" \
    "$(get redis run get ops) > 0 && $(get redis run get misses) == 0"
  stop_pid "$px_pid"
done

# ---- e. messages ----
stop_pid "$mpid"
start_memcached "" -o no_lru_crawler || die "memcached -o no_lru_crawler did not start: $(tail -3 "$tmp/memcached.log")"
workload nocrawler "127.0.0.1:$mport"
run nocrawler
check "no LRU crawler: refused, exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/nocrawler.log"
contains "$tmp/nocrawler.log" "memcached 127.0.0.1:$mport: lru_crawler metadump: CLIENT_ERROR lru crawler disabled (needs the LRU crawler); run with --reuse to run without the check" \
  "no LRU crawler: the reason in a whole sentence"

cat >"$tmp/stopped.yaml" <<YAML
name: broken-stopped
targets:
  - {name: redis, uri: "redis://127.0.0.1:$rport", timeout: 300ms}
keyspace: {records: 10}
phases: [{name: load}]
YAML
kill -STOP "$rpid"
run stopped
kill -CONT "$rpid"
check "stopped redis: unreachable, exit 3 (exit $rc)" "$rc == 3" || cat "$tmp/stopped.log"
contains "$tmp/stopped.log" "not run: cannot reach redis at redis://127.0.0.1:$rport: redis: INFO cluster: timeout after 300 ms" \
  "stopped redis: the message says it timed out"
lacks "$tmp/stopped.log" "Resource temporarily unavailable" "stopped redis: no EAGAIN text"

# ---- f. MongoDB without its query filter ----
if have_ferretdb && [ -x "$probe" ]; then
  start_ferretdb || die "bench-ferretdb did not start: $(tail -3 "$tmp/ferretdb.log" "$tmp/ready.log")"
  mp() { "$probe" "mongodb://127.0.0.1:$fport/" "$@"; }
  for k in user:1 bench 'bench;1' 'benc:1' 'abcx:1'; do mp insert bench kv "$k" "v-$k"; done
  mp dump bench kv >"$tmp/m-foreign"
  start_px mongo "$fport" --mode mongo-no-filter || die "hostile_proxy did not start"
  # Sets only: a get is a find, whose filter the proxy takes away too.
  workload mongo "mongodb://127.0.0.1:$px_port/" "{name: run, ops: 100, mix: {set: 1}}"
  run mongo
  check "no filter: bench exits 0 (exit $rc)" "$rc == 0" || cat "$tmp/mongo.log"
  c=$(cleanup_of) n=$(sed -n 's/^removed \([0-9]*\) documents.*/\1/p' <<<"$c")
  check "no filter: cleanup removed the run's 100 documents ($c)" "${n:-0} == 100"
  check "no filter: the proxy took filters away ($(grep -c changed "$tmp/mongo.err") commands)" \
    "$(grep -c changed "$tmp/mongo.err") > 0"
  mp dump bench kv >"$tmp/m-now"
  if cmp -s "$tmp/m-foreign" "$tmp/m-now"; then pass "no filter: every foreign document intact, nothing else left"
  else fail "no filter: bench.kv changed: $(diff "$tmp/m-foreign" "$tmp/m-now" | head -6 | tr '\n' ' ')"; fi
  stop_pid "$px_pid"
elif [ "${CI:-}" = true ]; then
  fail "FerretDB (tools/bin/bench-ferretdb) or tests/lib/mongo_probe missing (CI=true: required)"
else
  echo "skip: MongoDB checks (no tools/bin/bench-ferretdb or tests/lib/mongo_probe)"
fi

echo "broken_servers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
