#!/usr/bin/env bash
# Faults: bench keeps running through server failures, on private
# redis-server and memcached (docs/architecture.md, "Faults").
# Usage: faults.sh BENCH_BINARY
# Exit 77 (skipped) when redis-server, redis-cli or memcached is missing,
# unless CI=true, where that is a failure.
#
# a. kill -9 mid-run, restart on the same port ~1 s later (redis on the
#    event engine and on the blocking one, memcached on both: the text
#    protocol driver and libmemcached): bench finishes the
#    6 s phase and exits 1 (requests failed), run.json says complete,
#    summary.csv counts disconnects and answered requests, and
#    timeseries.csv has answered requests in a second after the first one
#    with disconnects, and run.json counts reconnects (the clients
#    reconnected). The same in open loop
#    (2000/s, both engines), where the requests due while the server was
#    down are counted as disconnected: at least 1000.
# b. `timeout: 200ms` and redis-server stopped (SIGSTOP) for 1 s: timeouts
#    counted, requests answered again after SIGCONT.
# c. Redis CLIENT KILL TYPE normal mid-run: disconnects counted, requests
#    answered after it, every client reconnected.
# d. Redis maxmemory 1mb, noeviction, sets: the OOM error replies are
#    counted as errors, not disconnects; the clients stay connected (no
#    reconnects).
# e. memcached -m 1 -I 512k (items at most half the memory): 20 MB of sets into 1 MB, then gets of every record:
#    evicted records are misses, never errors.
# f. as a., FerretDB (the MongoDB driver) killed -9 and restarted on the
#    same data, when tools/bin/bench-ferretdb is built.
set -uo pipefail
bench=$1

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
tmp_name=faults
source "$(dirname "$0")/../lib/servers.sh"

# start_bench NAME WORKLOAD [ENV=VALUE...]: bench in the background against
# the current servers; sets bpid, and dir once finish_bench ran. It runs
# with --quiet unless loud=1 (then bench prints a line per phase).
start_bench() {
  local name=$1 wl=$2 quiet=--quiet; shift 2
  [ -n "${loud:-}" ] && quiet=--no-charts
  bg env BENCH_REDIS_URI="redis://127.0.0.1:${rport:-1}" BENCH_MEMCACHED_SERVERS="127.0.0.1:${mport:-1}" \
    BENCH_MONGODB_URI="mongodb://127.0.0.1:${fport:-1}/" "$@" \
    "$bench" run "$wl" --servers external --out "$tmp/res-$name" "$quiet" </dev/null >"$tmp/$name.log" 2>&1
  bpid=$bg_pid
}
# finish_bench NAME: waits for bench; sets rc, dir, csv, ts.
finish_bench() {
  wait "$bpid"; rc=$?
  forget "$bpid"
  dir=$(ls -d "$tmp/res-$1"/*/ 2>/dev/null | head -1)
  csv=${dir}summary.csv ts=${dir}timeseries.csv
  [ -f "$csv" ] || { fail "$1: no summary.csv (exit $rc)"; cat "$tmp/$1.log"; return 1; }
}
# sum TARGET PHASE COLUMN: over every op of that phase.
sum() {
  csvtab "$csv" | awk -F'\t' -v t="$1" -v ph="$2" -v name="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == ph { s += $h[name] } END { print s + 0 }'
}
# after_gap TARGET PHASE: answered requests in the seconds after the first
# second with disconnects or timeouts (timeseries.csv), or -1 when no
# second had any.
after_gap() {
  awk -F, -v t="$1" -v ph="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == ph {
      s = $h["second"] + 0; ops[s] += $h["ops"]
      if ($h["disconnects"] + $h["timeouts"] > 0 && (first == "" || s < first)) first = s }
    END { if (first == "") { print -1; exit } for (s in ops) if (s + 0 > first) n += ops[s]; print n + 0 }' "$ts"
}
# ts_reconnects: timeseries.csv's reconnects over every second of every
# phase run, each second once (its op rows repeat the figure).
ts_reconnects() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    { k = $h["target"] SUBSEP $h["phase"] SUBSEP $h["sweep_value"] SUBSEP $h["repeat"] SUBSEP $h["second"]
      if (!(k in seen)) { seen[k] = 1; s += $h["reconnects"] } } END { print s + 0 }' "$ts"
}
complete() { grep -q '"complete": *true' "${dir}run.json"; }
# reconnects: the sum of run.json's reconnects over every phase run.
reconnects() { grep -o '"reconnects": *[0-9]*' "${dir}run.json" | awk -F: '{ s += $2 } END { print s + 0 }'; }

# The run phase has started: the server has answered `hits` gets.
redis_hits_past() { local h; h=$(info_field stats keyspace_hits 2>/dev/null) && [ "${h:-0}" -ge "$1" ]; }
mc_hits_past() { local h; h=$(mc_field get_hits 2>/dev/null) && [ "${h:-0}" -ge "$1" ]; }

workload() { # NAME TARGET RUN_PHASE_FLOW [TARGET_EXTRA]
  cat >"$tmp/$1.yaml" <<YAML
name: faults-$1
seed: 21
targets: [{name: $2${4:+, $4}}]
keyspace: {records: 1000, prefix: "flt:"}
values: {size: 32}
phases:
  - {name: load, batch: 500, clients: 1}
  - {name: run, $3}
YAML
}
workload kill-redis redis "duration: 6s, clients: 4, mix: {get: 0.9, set: 0.1}"
workload kill-open redis "duration: 6s, clients: 2, rate: 2000, mix: {get: 0.9, set: 0.1}"
workload kill-mc memcached "duration: 6s, clients: 4, mix: {get: 0.9, set: 0.1}"
workload kill-mongo mongodb "duration: 6s, clients: 2, mix: {get: 0.9, set: 0.1}" "timeout: 1s"
workload stop redis "duration: 5s, clients: 4, mix: {get: 1}" "timeout: 200ms"
workload ckill redis "duration: 4s, clients: 4, mix: {get: 1}"
workload oom redis "duration: 2s, clients: 2, pipeline: 8, mix: {set: 1}"
cat >"$tmp/evict.yaml" <<'YAML'
name: faults-evict
seed: 22
targets: [memcached]
keyspace: {records: 20000, prefix: "fle:", distribution: sequential}
values: {size: 1000}
phases:
  - {name: load, batch: 500, clients: 2}
  - {name: run, ops: 20000, clients: 2, pipeline: 8, mix: {get: 1}}
YAML
"$bench" validate "$tmp"/*.yaml >"$tmp/validate.log" 2>&1 \
  || { cat "$tmp/validate.log"; fail "the test's own workloads do not validate"; exit 1; }

# ---- a. kill -9, restart on the same port ----
# kill_run NAME KIND WORKLOAD [ENV=VALUE...]: KIND redis or mc.
kill_run() {
  local name=$1 kind=$2 wl=$3 port; shift 3
  case $kind in
    redis)
      start_redis || { fail "$name: redis-server did not start"; return 1; }
      start_bench "$name" "$tmp/$wl.yaml" "$@"
      wait_ready "$bpid" redis_hits_past 2000 || { fail "$name: the run phase did not start"; return 1; }
      kill -KILL "$rpid"; wait "$rpid" 2>/dev/null; forget "$rpid"
      sleep 1 # the experiment itself: the server is down for a second
      port=$rport
      start_redis "$port" || fail "$name: redis-server did not restart on port $port" ;;
    mc)
      start_memcached || { fail "$name: memcached did not start"; return 1; }
      start_bench "$name" "$tmp/$wl.yaml" "$@"
      wait_ready "$bpid" mc_hits_past 2000 || { fail "$name: the run phase did not start"; return 1; }
      kill -KILL "$mpid"; wait "$mpid" 2>/dev/null; forget "$mpid"
      sleep 1
      port=$mport
      start_memcached "$port" || fail "$name: memcached did not restart on port $port" ;;
    mongo)
      # FerretDB has no counters a shell reads cheaply: bench's own
      # progress line (plain, at 1 s into a phase) says the run phase's
      # clients are connected and sending.
      start_ferretdb || { fail "$name: bench-ferretdb did not start"; return 1; }
      loud=1 start_bench "$name" "$tmp/$wl.yaml" "$@"
      wait_ready "$bpid" grep -q '^  mongodb: run  [0-9]' "$tmp/$name.log" \
        || { fail "$name: the run phase did not start"; return 1; }
      kill -KILL "$fpid"; wait "$fpid" 2>/dev/null; forget "$fpid"
      sleep 1
      port=$fport
      start_ferretdb "$port" || fail "$name: bench-ferretdb did not restart on port $port" ;;
  esac
  finish_bench "$name" || return 1
  local t=redis; [ "$kind" = mc ] && t=memcached; [ "$kind" = mongo ] && t=mongodb
  local disc ops after
  disc=$(sum "$t" run disconnects) ops=$(sum "$t" run ops) after=$(after_gap "$t" run)
  check "$name: bench exits 1, requests failed (exit $rc)" "$rc == 1" || cat "$tmp/$name.log"
  complete && pass "$name: run.json complete" || fail "$name: run.json not complete"
  check "$name: disconnects = $disc > 0, ops = $ops > 0" "$disc > 0 && $ops > 0"
  check "$name: answered after the gap = $after > 0 (reconnected)" "$after > 0"
  local rec; rec=$(reconnects)
  check "$name: run.json reconnects = $rec >= clients" "$rec >= 2"
  local tsrec; tsrec=$(ts_reconnects)
  check "$name: timeseries.csv reconnects = $tsrec = run.json's $rec" "$tsrec == $rec"
  # Open loop: the schedule goes on; what fell due while the server was
  # down (1 s at least, at 2000/s) is counted as disconnected.
  [ "$wl" = kill-open ] && check "$name: open loop, disconnects = $disc >= 1000 (due while down)" "$disc >= 1000"
  case $kind in redis) stop_pid "$rpid" ;; mc) stop_pid "$mpid" ;; mongo) stop_pid "$fpid" ;; esac
}
kill_run kill-redis-event redis kill-redis
kill_run kill-redis-blocking redis kill-redis BENCH_ENGINE_BLOCKING=1
kill_run kill-open-event redis kill-open
kill_run kill-open-blocking redis kill-open BENCH_ENGINE_BLOCKING=1
kill_run kill-mc-event mc kill-mc
kill_run kill-mc-blocking mc kill-mc BENCH_ENGINE_BLOCKING=1
# The MongoDB driver (libmongoc, blocking threads) against FerretDB,
# restarted on the same SQLite data.
if have_ferretdb; then
  kill_run kill-mongo mongo kill-mongo
elif [ "${CI:-}" = true ]; then
  fail "kill-mongo: $ferretdb_bin not built (CI=true: required; scripts/install-deps builds it)"
else
  echo "skip - kill-mongo: $ferretdb_bin not built (scripts/install-deps builds it)"
fi

# ---- b. timeout and a stopped server ----
for engine in event blocking; do
  name=stop-$engine
  env=(); [ $engine = blocking ] && env=(BENCH_ENGINE_BLOCKING=1)
  start_redis || { fail "$name: redis-server did not start"; continue; }
  start_bench "$name" "$tmp/stop.yaml" "${env[@]}"
  if wait_ready "$bpid" redis_hits_past 2000; then
    kill -STOP "$rpid"
    sleep 1 # the experiment itself: the server stalls for a second
    kill -CONT "$rpid"
  else
    fail "$name: the run phase did not start"
  fi
  if finish_bench "$name"; then
    to=$(sum redis run timeouts) ops=$(sum redis run ops) after=$(after_gap redis run)
    check "$name: bench exits 1 (exit $rc)" "$rc == 1" || cat "$tmp/$name.log"
    complete && pass "$name: run.json complete" || fail "$name: run.json not complete"
    check "$name: timeouts = $to > 0, ops = $ops > 0" "$to > 0 && $ops > 0"
    check "$name: answered after the stall = $after > 0" "$after > 0"
  fi
  stop_pid "$rpid"
done

# ---- c. CLIENT KILL ----
start_redis || fail "client kill: redis-server did not start"
for engine in event blocking; do
  name=ckill-$engine
  env=(); [ $engine = blocking ] && env=(BENCH_ENGINE_BLOCKING=1)
  h0=$(info_field stats keyspace_hits)
  start_bench "$name" "$tmp/ckill.yaml" "${env[@]}"
  if wait_ready "$bpid" redis_hits_past $((h0 + 2000)); then
    killed=$(rcli CLIENT KILL TYPE normal)
  else
    fail "$name: the run phase did not start"
  fi
  if finish_bench "$name"; then
    disc=$(sum redis run disconnects) ops=$(sum redis run ops) after=$(after_gap redis run)
    check "$name: bench exits 1 (exit $rc)" "$rc == 1" || cat "$tmp/$name.log"
    # CLIENT KILL skips the caller (SKIPME yes) and answers how many it closed.
    check "$name: clients killed = ${killed:-0} >= 4" "${killed:-0} >= 4"
    check "$name: disconnects = $disc > 0, ops = $ops > 0" "$disc > 0 && $ops > 0"
    check "$name: answered after the kill = $after > 0" "$after > 0"
    rec=$(reconnects)
    check "$name: run.json reconnects = $rec >= 4" "$rec >= 4"
  fi
done
stop_pid "$rpid"

# ---- d. Redis out of memory ----
start_redis "" --maxmemory 1mb --maxmemory-policy noeviction || fail "oom: redis-server did not start"
for engine in event blocking; do
  name=oom-$engine
  env=(); [ $engine = blocking ] && env=(BENCH_ENGINE_BLOCKING=1)
  rcli FLUSHALL >/dev/null
  start_bench "$name" "$tmp/oom.yaml" "${env[@]}"
  if finish_bench "$name"; then
    errs=$(sum redis run errors) disc=$(sum redis run disconnects) to=$(sum redis run timeouts)
    check "$name: bench exits 1 (exit $rc)" "$rc == 1" || cat "$tmp/$name.log"
    rec=$(reconnects)
    check "$name: errors = $errs > 0; disconnects = $disc, timeouts = $to, reconnects = $rec: 0" \
      "$errs > 0 && $disc == 0 && $to == 0 && $rec == 0"
    grep -q OOM "${dir}run.json" && pass "$name: run.json quotes the OOM reply" || fail "$name: no OOM in run.json"
  fi
done
stop_pid "$rpid"

# ---- e. memcached evictions ----
start_memcached "" -m 1 -I 512k || fail "evict: memcached did not start"
name=evict
start_bench "$name" "$tmp/evict.yaml"
if finish_bench "$name"; then
  ev=$(mc_field evictions) miss=$(sum memcached run misses) errs=$(sum memcached run errors)
  ok=$(sum memcached run ops)
  check "$name: bench exits 0 (exit $rc)" "$rc == 0" || cat "$tmp/$name.log"
  check "$name: memcached evicted ${ev:-0} > 0" "${ev:-0} > 0"
  # Each record is read once (sequential, a slice per client): every
  # evicted one is exactly one miss.
  check "$name: misses = $miss = evictions, errors = $errs = 0, ops = $ok = 20000" \
    "$miss == ${ev:-0} && $errs == 0 && $ok == 20000"
fi
stop_pid "$mpid"

echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
