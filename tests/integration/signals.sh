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
source "$(dirname "$0")/../lib/lib.sh"
bench_pid=
watched=()   # every server and child PID seen, for the checks and the cleanup

# Whether a PID is a live process (a zombie is not).
alive() {
  local st
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# Last resort, so a failing test leaves nothing behind: only the PIDs this
# script started or saw bench start.
ext_pid=      # the redis-server this script starts as an external server
cleanup() {
  for p in "${watched[@]}" $bench_pid $ext_pid; do
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
  csvtab "$csv" | awk -F'\t' -v ph="$1" -v op="$2" 'NR > 1 && $2 == ph && $6 == op && $12 > 0 { found = 1 } END { exit !found }' \
    && ok || { fail "$case: summary.csv has no $1/$2 row with ops > 0"; cat "$csv" >&2; }
  grep -q 'stopping (again, a second later, to quit at once)' "$tmp/$case.err" && ok || fail "$case: no 'stopping' message"
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
# stopped PID: the server's main thread is stopped (SIGSTOP took effect).
stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
# waiting_on PORT: one of bench's threads is blocked in a system call
# (read, recv) on a socket to the server on PORT: with the server stopped, it cannot return before
# the target's timeout. /proc/PID/task/TID/syscall gives the call and its
# first argument (the fd); the fd's socket inode names its peer in
# /proc/net/tcp.
waiting_on() {
  local task call fd inode
  local -A to_server=()
  for inode in $(awk -v port="$(printf '%04X' "$1")" \
                   'NR > 1 { split($3, remote, ":"); if (remote[2] == port) print $10 }' /proc/net/tcp); do
    to_server[$inode]=1
  done
  for task in /proc/"$bench_pid"/task/*; do
    read -r call fd _ 2>/dev/null < "$task/syscall" || continue
    [ "$call" = running ] && continue
    fd=$((fd))
    inode=$(readlink "/proc/$bench_pid/fd/$fd" 2>/dev/null) || continue
    inode=${inode#socket:[}; inode=${inode%]}
    [ -n "${to_server[$inode]:-}" ] && return 0
  done
  return 1
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
  wait_exit 20 # a hang guard: without the fix bench waits 30 s for the server
  want_rc 1
  grep -q 'redis: not run: interrupted while redis-server was starting' "$tmp/$case.err" && ok \
    || { fail "$case: no 'interrupted while redis-server was starting'"; show; }
  grep -q 'interrupted before any target ran, so no results were written' "$tmp/$case.err" && ok \
    || { fail "$case: no 'interrupted before any target ran'"; show; }
  [ -z "$(ls -A "$tmp/res-$case" 2>/dev/null)" ] && ok || fail "$case: wrote $(ls "$tmp/res-$case")"
  no_server_left 5
fi

# --- a second SIGINT, a second after the first, quits at once ---
# The server is frozen (SIGSTOP) first and the blocking engine waits up to
# the target's timeout (60 s) for its answers, so the first SIGINT's clean
# stop cannot end before the second, and the 20 s hang guard below tells
# "quit at once" from "stopped cleanly" on any machine.
cat >"$tmp/run-slow.yaml" <<'YAML'
name: signals-run-slow
targets: [{name: redis, timeout: 60s}]
keyspace: {records: 200, prefix: "sig:"}
phases:
  - {name: load, type: load, batch: 50, clients: 2}
  - {name: run, duration: 600s, clients: 2, mix: {get: 0.9, set: 0.1}}
YAML
# signalled_at: bench's "stopping" line is written after the stop's time is
# taken, so a second signal `later` ms after the line is seen comes at least
# that long after the first as bench counts.
stopping_seen() { grep -q 'stopping (again, a second later, to quit at once)' "$tmp/$case.err"; }
past() { [ "$(now_ms)" -ge "$1" ]; }
later() { local until=$(( $(now_ms) + $1 )); wait_until 10 "$case: the clock" -- past "$until"; }
case=double-int
BENCH_ENGINE_BLOCKING=1 start "$case" "$tmp/run-slow.yaml"
if wait_until 60 "$case: server started" -- started_line redis && read_server redis &&
   wait_until 60 "$case: run phase started" -- in_run_phase redis &&
   wait_until 20 "$case: gets reach redis" -- redis_reading; then
  kill -STOP "$server_pid"
  # A client must be waiting for an answer before the first SIGINT: clients
  # that got their replies just before the freeze see the stop flag before
  # sending again, and the clean stop would end at once.
  wait_until 10 "$case: the server stopped" -- stopped "$server_pid"
  wait_until 10 "$case: a client waits on the stopped server" -- waiting_on "$server_port"
  kill -INT "$bench_pid"
  wait_until 10 "$case: first SIGINT noticed" -- stopping_seen
  later 1200
  kill -INT "$bench_pid"
  wait_exit 20
  want_rc 1
  grep -q 'quitting at once: no results are written' "$tmp/$case.err" && ok || { fail "$case: no 'quitting at once'"; show; }
  ! grep -q '^results: ' "$tmp/$case.out" && ok || fail "$case: finished cleanly: the second SIGINT was not a quit"
  [ -z "$(ls -A "$tmp/res-$case" 2>/dev/null)" ] && ok || fail "$case: wrote $(ls "$tmp/res-$case")"
  # The servers' directory goes with them (its data with it).
  left=$(ls -d "$tmp"/bench-servers-* 2>/dev/null)
  [ -z "$left" ] && ok || fail "$case: the servers' directory is left: $left"
  no_server_left 5
fi

# ---- a server bench did not start: signals must not leave keys there ----
# A private redis-server plays the external server. Foreign keys (another
# prefix, look-alikes of the run's) must survive every case.
start_ext_redis() {
  local try limit
  for try in 1 2 3 4 5; do
    ext_port=$((20000 + RANDOM % 12000))
    redis-server --port "$ext_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
      </dev/null >"$tmp/ext-redis.log" 2>&1 &
    ext_pid=$!
    limit=$(( $(now_ms) + 10000 ))
    while alive "$ext_pid" && [ "$(now_ms)" -le "$limit" ]; do
      [ "$(redis-cli -p "$ext_port" info server 2>/dev/null | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')" = "$ext_pid" ] && return 0
      sleep 0.05
    done
    kill -9 "$ext_pid" 2>/dev/null; wait "$ext_pid" 2>/dev/null # lost the port: another one
  done
  return 1
}
ecli() { redis-cli -p "$ext_port" "$@"; }
# keys under the run's prefix, and every key's name (for the foreign check)
ext_mine() { ecli --scan --pattern 'sigx:*' | wc -l; }
ext_all() { ecli --scan | LC_ALL=C sort; }
foreign=(other:1 'sigx' 'sigx;1' 'sigy:1' 'Sigx:1' 'xsigx:1')

case=ext-setup
if ! start_ext_redis; then
  fail "$case: redis-server did not start: $(tail -3 "$tmp/ext-redis.log")"
else
  for k in "${foreign[@]}"; do ecli set "$k" foreign >/dev/null; done
  ext_all >"$tmp/foreign-keys"
  cat >"$tmp/ext.yaml" <<YAML
name: signals-ext
targets: [{name: redis, uri: "redis://127.0.0.1:$ext_port", timeout: 60s}]
keyspace: {records: 2000, prefix: "sigx:"}
phases:
  - {name: load, type: load, batch: 50, clients: 2}
  - {name: run, duration: 600s, clients: 2, mix: {get: 0.9, set: 0.1}}
YAML
  # ext_ok CASE: no key under the prefix, and the foreign keys as they were.
  ext_ok() {
    local n; n=$(ext_mine)
    [ "$n" -eq 0 ] && ok || fail "$1: $n keys left under prefix sigx:"
    ext_all | cmp -s - "$tmp/foreign-keys" && ok || fail "$1: the foreign keys changed: $(ext_all | head -12 | tr '\n' ' ')"
    # What a failed case left must not refuse the next one.
    [ "$n" -eq 0 ] || ecli --scan --pattern 'sigx:*' | xargs -r -n 500 redis-cli -p "$ext_port" del >/dev/null
  }
  # ext_partial CASE: a result directory saying "complete": false, and the
  # cleanup done (run.json's cleanup says it removed the keys).
  ext_partial() {
    local dir
    dir=$(ls -d "$tmp/res-$1"/*/ 2>/dev/null | head -1)
    if [ -z "$dir" ]; then fail "$1: no result directory"; show; return; fi
    grep -q '"complete": false' "${dir}run.json" && ok || fail "$1: run.json is not \"complete\": false"
    grep -q '"cleanup": "removed [1-9][0-9]* keys under prefix' "${dir}run.json" && ok \
      || fail "$1: run.json cleanup: $(grep '"cleanup"' "${dir}run.json")"
    ! grep -q 'quitting at once' "$tmp/$1.err" && ok || fail "$1: quit at once"
  }
  ext_running() { grep -Eq "^  redis: run  [0-9]+/600 s  [1-9][0-9]*/s" "$tmp/$case.err"; }

  # `timeout` signals bench, then its whole process group: two signals
  # microseconds apart are one stop. Three times (it was intermittent),
  # with SIGTERM and SIGINT.
  for i in 1 2 3; do
    case=timeout-$i sig=TERM
    [ "$i" = 3 ] && sig=INT
    : >"$tmp/$case.out"; : >"$tmp/$case.err"
    timeout -s "$sig" 3 "$bench" run "$tmp/ext.yaml" --out "$tmp/res-$case" --no-charts \
      >"$tmp/$case.out" 2>"$tmp/$case.err" &
    bench_pid=$!
    wait_exit 60 # timeout's own 3 s, and a hang guard
    want_rc 124
    ext_partial "$case"
    ext_ok "$case"
  done

  # Two SIGINTs to bench's process group in a row, as a terminal or a
  # supervisor may send them. Sent back to back, the kernel may merge them
  # into one, so the second goes as soon as bench has taken the first (its
  # "stopping" line): still well within a second, as this shell measures
  # from before the first (a machine too slow for that is reported).
  case=pgroup-twice
  : >"$tmp/$case.out"; : >"$tmp/$case.err"
  setsid "$bench" run "$tmp/ext.yaml" --out "$tmp/res-$case" --no-charts >"$tmp/$case.out" 2>"$tmp/$case.err" &
  bench_pid=$!
  if wait_until 60 "$case: run phase answers" -- ext_running; then
    pgid=$(ps -o pgid= -p "$bench_pid" | tr -d ' ')
    [ "$pgid" = "$bench_pid" ] && ok || fail "$case: bench is not its own process group ($pgid)"
    t0=$(now_ms)
    kill -INT -- "-$pgid"
    wait_until 10 "$case: first SIGINT taken" -- stopping_seen
    kill -INT -- "-$pgid"
    gap=$(( $(now_ms) - t0 ))
    wait_exit 60
    if [ "$gap" -lt 1000 ]; then
      want_rc 1
      ext_partial "$case"
      ext_ok "$case"
    else
      echo "signals: $case: the second SIGINT came ${gap} ms after the first (a slow machine): not checked" >&2
      "$bench" clean "$tmp/ext.yaml" >/dev/null 2>&1 # what a quit left, for the next case
    fi
  fi

  # A second SIGINT more than a second after the first quits at once and
  # says what it leaves. The server is frozen so that the first stop cannot
  # end (the blocking engine waits for answers up to the 60 s timeout);
  # it is let go once bench says it quits, so that it can be counted.
  case=ext-quit
  BENCH_ENGINE_BLOCKING=1 start "$case" "$tmp/ext.yaml"
  quitting_seen() { grep -q 'quitting at once' "$tmp/$case.err"; }
  if wait_until 60 "$case: run phase answers" -- ext_running; then
    kill -STOP "$ext_pid"
    # As in double-int: a client must be waiting on the stopped server.
    wait_until 10 "$case: the server stopped" -- stopped "$ext_pid"
    wait_until 10 "$case: a client waits on the stopped server" -- waiting_on "$ext_port"
    kill -INT "$bench_pid"
    if wait_until 10 "$case: first SIGINT noticed" -- stopping_seen && later 1200; then
      kill -INT "$bench_pid"
      wait_until 20 "$case: quitting" -- quitting_seen
    fi
    kill -CONT "$ext_pid"
    wait_exit 30
    want_rc 1
    n=$(ext_mine)
    grep -q "^bench: left $n keys under prefix 'sigx:' on redis://127.0.0.1:$ext_port; \`bench clean $tmp/ext.yaml --servers external --target redis\` removes them\$" "$tmp/$case.err" \
      && [ "$n" -gt 0 ] && ok || { fail "$case: no 'left $n keys' line"; show; }
    ! grep -q '^results: ' "$tmp/$case.out" && ok || fail "$case: finished cleanly"
    # The way out it names.
    "$bench" clean "$tmp/ext.yaml" --servers external --target redis >"$tmp/clean.out" 2>&1 && ok \
      || { fail "$case: bench clean: exit $?"; cat "$tmp/clean.out" >&2; }
    grep -q "^redis: removed $n keys under prefix 'sigx:' on redis://127.0.0.1:$ext_port\$" "$tmp/clean.out" && ok \
      || { fail "$case: bench clean said: $(cat "$tmp/clean.out")"; }
    ext_ok "$case: after bench clean"
  fi
  # The same with the server still frozen while bench counts: the count
  # gives up (5 s) and bench says keys may be left, with the same command.
  case=ext-quit-frozen
  BENCH_ENGINE_BLOCKING=1 start "$case" "$tmp/ext.yaml"
  if wait_until 60 "$case: run phase answers" -- ext_running; then
    kill -STOP "$ext_pid"
    # As in double-int: a client must be waiting on the stopped server.
    wait_until 10 "$case: the server stopped" -- stopped "$ext_pid"
    wait_until 10 "$case: a client waits on the stopped server" -- waiting_on "$ext_port"
    kill -INT "$bench_pid"
    if wait_until 10 "$case: first SIGINT noticed" -- stopping_seen && later 1200; then
      kill -INT "$bench_pid"
    fi
    wait_exit 30 # the count's 5 s, and a hang guard
    kill -CONT "$ext_pid"
    want_rc 1
    grep -q "^bench: keys may be left under prefix 'sigx:' on redis://127.0.0.1:$ext_port (they could not be counted in time); \`bench clean $tmp/ext.yaml --servers external --target redis\` removes them\$" "$tmp/$case.err" \
      && ok || { fail "$case: no 'keys may be left' line"; show; }
    "$bench" clean "$tmp/ext.yaml" --servers external --target redis >"$tmp/clean.out" 2>&1 && ok \
      || { fail "$case: bench clean: exit $?"; cat "$tmp/clean.out" >&2; }
    ext_ok "$case: after bench clean"
  fi
fi

# --- SIGKILL of bench: the kernel kills its servers (PR_SET_PDEATHSIG) ---
declare -A left_by=() # the servers' directories there after each SIGKILL
for t in redis mongodb; do
  start "kill-$t" "$tmp/run.yaml" --target "$t"
  wait_until 60 "$case: server started" -- started_line "$t" || continue
  read_server "$t"
  wait_until 60 "$case: run phase started" -- in_run_phase "$t" || continue
  kill -KILL "$bench_pid"
  wait_exit 5
  want_rc 137
  no_server_left 5
  left_by[$t]=$(ls -d "$tmp"/bench-servers-* 2>/dev/null)
done

# --- the servers' directories SIGKILLed benches left go at the next start ---
# Only those bench made (its owner record) whose owner is gone: not a
# look-alike without the record, not one whose owner (this shell) lives.
case=sweep
# The second SIGKILLed bench's start removed the first one's directory.
[ "$(wc -w <<<"${left_by[redis]}")" -eq 1 ] && ok || fail "$case: after kill-redis: ${left_by[redis]}"
[ "${left_by[mongodb]}" != "${left_by[redis]}" ] && [ "$(wc -w <<<"${left_by[mongodb]}")" -eq 1 ] && ok \
  || fail "$case: after kill-mongodb: ${left_by[mongodb]} (after kill-redis: ${left_by[redis]})"
grep -qF "bench: removed ${left_by[redis]}, which a bench no longer running left" "$tmp/kill-mongodb.err" && ok \
  || fail "$case: the bench after kill-redis did not say it removed ${left_by[redis]}"
stale=${left_by[mongodb]}
mkdir "$tmp/bench-servers-AAAAAA" "$tmp/bench-servers-BBBBBB"
echo data >"$tmp/bench-servers-AAAAAA/dump.rdb"
printf 'bench servers directory\npid %s\nstart %s\npidns %s\n' $$ "$(awk '{ print $22 }' /proc/$$/stat)" \
  "$(readlink /proc/self/ns/pid)" >"$tmp/bench-servers-BBBBBB/bench-owner"
cat >"$tmp/null.yaml" <<'YAML'
name: signals-null
targets: [{name: n, driver: "null"}]
keyspace: {records: 10}
phases: [{name: load}]
YAML
TMPDIR=$tmp "$bench" run "$tmp/null.yaml" --out "$tmp/res-$case" --no-charts >"$tmp/$case.out" 2>"$tmp/$case.err"
rc=$?
want_rc 0
for d in $stale; do
  [ ! -e "$d" ] && ok || fail "$case: $d is still there"
  grep -qF "bench: removed $d, which a bench no longer running left" "$tmp/$case.err" && ok || { fail "$case: nothing said of $d"; show; }
done
[ -f "$tmp/bench-servers-AAAAAA/dump.rdb" ] && ok || fail "$case: removed a directory without an owner record"
[ -f "$tmp/bench-servers-BBBBBB/bench-owner" ] && ok || fail "$case: removed a directory whose owner lives"

echo "signals: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
