#!/usr/bin/env bash
# Ctrl-C, SIGTERM and SIGKILL of `bench run` on real spawned servers.
# Usage: signals.sh BENCH_BINARY SOURCE_DIR
#
# Each case starts `bench run` in the background with a phase far longer than
# the test, waits (bounded polling, no fixed sleeps) until the phase it wants
# to interrupt is running, sends the signal and checks, within a time limit:
# the exit status, the partial results ("complete": false, summary.csv rows),
# and that no server bench spawned is left: not the PID bench printed, not a
# child pgrep saw under bench, not a server process on the port bench printed.
# Exit 77 (skipped) when redis-server, memcached or a MongoDB-compatible
# server is missing, unless CI=true.
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-signals-XXXXXX")
passed=0 failed=0
bench_pid=
watched=()   # every server and child PID seen, for the checks and the cleanup

ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# Whether a PID is a live process (a zombie is not).
alive() {
  local st
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# Last resort, so a failing test leaves nothing behind: only the PIDs this
# script started or saw bench start.
cleanup() {
  for p in "${watched[@]}" $bench_pid; do
    alive "$p" && kill -9 "$p" 2>/dev/null
  done
  [ -n "${SIGNALS_KEEP:-}" ] && echo "signals: kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

have_server() { command -v "$1" >/dev/null || [ -x "$src/tools/bin/$1" ]; }
for s in redis-server memcached; do
  if ! have_server "$s"; then
    [ "${CI:-}" = true ] && { echo "signals: $s missing (CI=true: failing)" >&2; exit 1; }
    echo "signals: $s missing: skipped" >&2; exit 77
  fi
done
if ! have_server mongod && ! have_server bench-ferretdb; then
  [ "${CI:-}" = true ] && { echo "signals: no MongoDB-compatible server (CI=true: failing)" >&2; exit 1; }
  echo "signals: no MongoDB-compatible server: skipped" >&2; exit 77
fi

now_ms() { date +%s%3N; }

# wait_until SECONDS DESCRIPTION -- command...: polls every 50 ms until the
# command succeeds; fails (returns 1) after SECONDS or when bench has exited.
wait_until() {
  local secs=$1 limit=$(( $(now_ms) + $1 * 1000 )) what=$2
  shift 3
  until "$@"; do
    if ! alive "$bench_pid"; then fail "$what: bench exited first"; show; return 1; fi
    if [ "$(now_ms)" -gt "$limit" ]; then
      fail "$what: not within $secs s"; show
      kill -9 "$bench_pid"; wait "$bench_pid" 2>/dev/null  # its servers die with it
      return 1
    fi
    sleep 0.05
  done
}

show() { sed 's/^/  | /' "$tmp/$case.err" "$tmp/$case.out" >&2 2>/dev/null; }

# start CASE WORKLOAD [bench args...]: `bench run` in the background.
start() {
  case=$1
  local wl=$2
  shift 2
  : >"$tmp/$case.out"; : >"$tmp/$case.err"  # there before the first poll
  # TMPDIR: the servers' directory that a SIGKILLed bench leaves goes with $tmp.
  TMPDIR=$tmp "$bench" run "$wl" --out "$tmp/res-$case" --no-charts "$@" >"$tmp/$case.out" 2>"$tmp/$case.err" &
  bench_pid=$!
  server_pid= server_port=
}

# The server bench printed: "redis: started redis-server (pid 123) on 127.0.0.1:4567".
started_line() { grep -Eq "^$1: started [^ ]+ \(pid [0-9]+\) on 127\.0\.0\.1:[0-9]+" "$tmp/$case.err"; }
read_server() {
  local line
  line=$(grep -E "^$1: started " "$tmp/$case.err" | tail -1)
  server_pid=$(sed -E 's/.*\(pid ([0-9]+)\).*/\1/' <<<"$line")
  server_port=$(sed -E 's/.*127\.0\.0\.1:([0-9]+).*/\1/' <<<"$line")
  watched+=("$server_pid")
  # bench's children now: the server (and nothing else it should outlive).
  local kids
  kids=$(pgrep -P "$bench_pid")
  for k in $kids; do watched+=("$k"); done
  grep -qx "$server_pid" <<<"$kids" && ok || fail "$case: server pid $server_pid is not a child of bench ($kids)"
}

# wait_exit SECONDS: waits for bench to exit; sets rc (255 when it did not).
wait_exit() {
  local limit=$(( $(now_ms) + $1 * 1000 ))
  while alive "$bench_pid" && [ "$(now_ms)" -le "$limit" ]; do sleep 0.05; done
  if alive "$bench_pid"; then
    fail "$case: bench still running $1 s after the signal"; show
    kill -9 "$bench_pid"; wait "$bench_pid" 2>/dev/null; rc=255
  else
    wait "$bench_pid" 2>/dev/null; rc=$?
  fi
}

server_on_port() {
  pgrep -f "(redis-server|memcached|bench-ferretdb|mongod)( |.*[^0-9])$server_port([^0-9]|\$)" >/dev/null
}

# no_server_left SECONDS: the printed PID, every child seen and any server
# process on the printed port are gone within SECONDS.
no_server_left() {
  local limit=$(( $(now_ms) + $1 * 1000 )) left
  while :; do
    left=
    for p in "${watched[@]}"; do alive "$p" && left="$left $p"; done
    [ -n "$server_port" ] && server_on_port && left="$left port:$server_port"
    [ -z "$left" ] && break
    [ "$(now_ms)" -gt "$limit" ] && break
    sleep 0.05
  done
  if [ -z "$left" ]; then ok; else fail "$case: server left running:$left"; ps -o pid,ppid,stat,args -p "$(IFS=,; echo "${watched[*]}")" >&2; fi
  watched=()
}

want_rc() { if [ "$rc" -eq "$1" ]; then ok; else fail "$case: exit $rc, want $1"; show; fi; }

# The partial results: run.json "complete": false, a phase marked
# interrupted, and summary.csv rows for the phase that ran (PHASE OP).
check_partial() {
  local dir json csv
  dir=$(ls -d "$tmp/res-$case"/*/ 2>/dev/null | head -1)
  if [ -z "$dir" ]; then fail "$case: no result directory"; show; return; fi
  json=${dir}run.json csv=${dir}summary.csv
  grep -q '"complete": false' "$json" && ok || fail "$case: run.json is not \"complete\": false"
  grep -q '"interrupted": true' "$json" && ok || fail "$case: no run marked interrupted in run.json"
  awk -F, -v ph="$1" -v op="$2" 'NR > 1 && $2 == ph && $6 == op && $12 > 0 { found = 1 } END { exit !found }' "$csv" \
    && ok || { fail "$case: summary.csv has no $1/$2 row with ops > 0"; cat "$csv" >&2; }
  grep -q 'stopping (again to quit at once)' "$tmp/$case.err" && ok || fail "$case: no 'stopping' message"
}

# Redis: how many keys, and how many reads it has served.
redis_keys() { redis-cli -p "$server_port" dbsize 2>/dev/null; }
redis_loading() { [ "$(redis_keys)" -gt 0 ] 2>/dev/null; }
redis_reading() {
  local hits
  hits=$(redis-cli -p "$server_port" info stats 2>/dev/null | tr -d '\r' |
         awk -F: '/^keyspace_(hits|misses):/ { n += $2 } END { print n + 0 }')
  [ "$hits" -gt 0 ]
}
# Memcached: items stored (its text protocol's `stats`).
mc_loading() {
  local items
  items=$( { exec 3<>"/dev/tcp/127.0.0.1/$server_port" && printf 'stats\r\nquit\r\n' >&3 && cat <&3; } 2>/dev/null |
           tr -d '\r' | awk '$2 == "curr_items" { print $3 }')
  [ "${items:-0}" -gt 0 ]
}
in_run_phase() { grep -q "^  $1: load (repeat 1): " "$tmp/$case.err"; }
# bench's own progress line (plain: at 1 s, then every 10 s) shows requests
# answered in the run phase's latest second: gets have reached the server.
run_answering() { grep -Eq "^  $1: run  [0-9]+/600 s  [1-9][0-9]*/s" "$tmp/$case.err"; }

# A long run phase after a small load: interrupted in the middle of the run.
cat >"$tmp/run.yaml" <<'YAML'
name: signals-run
targets: [redis, memcached, mongodb]
keyspace: {records: 200, prefix: "sig:"}
phases:
  - {name: load, type: load, batch: 50, clients: 2}
  - {name: run, duration: 600s, clients: 2, mix: {get: 0.9, set: 0.1}}
YAML
# A long load phase: interrupted in the middle of loading.
cat >"$tmp/load.yaml" <<'YAML'
name: signals-load
targets: [redis, memcached, mongodb]
keyspace: {records: 50000000, prefix: "sigl:"}
phases:
  - {name: load, type: load, batch: 20, clients: 1}
  - {name: run, duration: 600s, clients: 2, mix: {get: 1}}
YAML

# --- SIGINT in the middle of a run phase, on each kind of server ---
for t in redis memcached mongodb; do
  start "int-run-$t" "$tmp/run.yaml" --target "$t"
  wait_until 60 "$case: server started" -- started_line "$t" || continue
  read_server "$t"
  wait_until 60 "$case: run phase started" -- in_run_phase "$t" || continue
  if [ "$t" = redis ]; then
    wait_until 20 "$case: gets reach redis" -- redis_reading || continue
  else
    wait_until 30 "$case: the run phase answers requests" -- run_answering "$t" || continue
  fi
  kill -INT "$bench_pid"
  wait_exit 30
  want_rc 1
  check_partial run get
  grep -q '^results: ' "$tmp/$case.out" && ok || fail "$case: no 'results:' line"
  no_server_left 5
done

# --- SIGTERM in the middle of a load phase ---
for t in redis memcached; do
  start "term-load-$t" "$tmp/load.yaml" --target "$t"
  wait_until 60 "$case: server started" -- started_line "$t" || continue
  read_server "$t"
  if [ "$t" = redis ]; then
    wait_until 30 "$case: records reach redis" -- redis_loading || continue
  else
    wait_until 30 "$case: records reach memcached" -- mc_loading || continue
  fi
  kill -TERM "$bench_pid"
  wait_exit 30
  want_rc 1
  check_partial load load
  # The run phase after the interrupted load never started.
  ! grep -q "^  $t: run " "$tmp/$case.err" && ok || fail "$case: the run phase ran after the interrupt"
  no_server_left 5
done

# --- SIGINT while the first server starts: nothing to write, no server left ---
# A redis-server that never answers (first on PATH) keeps bench waiting for
# it, up to 30 s, when SIGINT comes; bench must give up on it at once.
case=int-start
mkdir -p "$tmp/hung"
printf '#!/bin/sh\nexec sleep 600\n' >"$tmp/hung/redis-server"
chmod +x "$tmp/hung/redis-server"
PATH="$tmp/hung:$PATH" start "$case" "$tmp/run.yaml" --target redis
bench_child() { kid=$(pgrep -P "$bench_pid" | head -1); [ -n "$kid" ] && grep -q '^redis: starting a private server' "$tmp/$case.err"; }
if wait_until 60 "$case: server forked" -- bench_child; then
  watched+=("$kid")
  kill -INT "$bench_pid"
  wait_exit 5
  want_rc 1
  grep -q 'redis: not run: interrupted while redis-server was starting' "$tmp/$case.err" && ok \
    || { fail "$case: no 'interrupted while redis-server was starting'"; show; }
  grep -q 'interrupted before any target ran, so no results were written' "$tmp/$case.err" && ok \
    || { fail "$case: no 'interrupted before any target ran'"; show; }
  [ -z "$(ls -A "$tmp/res-$case" 2>/dev/null)" ] && ok || fail "$case: wrote $(ls "$tmp/res-$case")"
  no_server_left 5
fi

# --- a second SIGINT while bench stops exits at once ---
# The server is frozen (SIGSTOP) first, so the clients cannot finish their
# request and the first SIGINT's clean stop cannot end before the second.
case=double-int
start "$case" "$tmp/run.yaml" --target redis
if wait_until 60 "$case: server started" -- started_line redis && read_server redis &&
   wait_until 60 "$case: run phase started" -- in_run_phase redis &&
   wait_until 20 "$case: gets reach redis" -- redis_reading; then
  kill -STOP "$server_pid"
  kill -INT "$bench_pid"
  wait_until 10 "$case: first SIGINT noticed" -- grep -q 'stopping (again to quit at once)' "$tmp/$case.err"
  t0=$(now_ms)
  kill -INT "$bench_pid"
  wait_exit 3
  elapsed=$(( $(now_ms) - t0 ))
  want_rc 1
  [ "$elapsed" -lt 2000 ] && ok || fail "$case: exited ${elapsed} ms after the second SIGINT, want < 2 s"
  ! grep -q '^results: ' "$tmp/$case.out" && ok || fail "$case: finished cleanly: the second SIGINT came too late"
  no_server_left 5
fi

# --- SIGKILL of bench: the kernel kills its servers (PR_SET_PDEATHSIG) ---
for t in redis mongodb; do
  start "kill-$t" "$tmp/run.yaml" --target "$t"
  wait_until 60 "$case: server started" -- started_line "$t" || continue
  read_server "$t"
  wait_until 60 "$case: run phase started" -- in_run_phase "$t" || continue
  kill -KILL "$bench_pid"
  wait_exit 5
  want_rc 137
  no_server_left 5
done

echo "signals: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
