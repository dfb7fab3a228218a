# servers.sh - private redis-server and memcached for the shell tests that
# drive bench against servers they start and inspect themselves
# (ground_truth.sh, faults.sh). Source it with $tmp_name set (the temporary
# directory's name part); it sets $tmp, exits 77 (skipped) when a server
# program is missing (a failure under CI=true), and stops everything it
# started when the script exits, or, should the script be SIGKILLed, from a
# watchdog. BENCH_TEST_KEEP=1 keeps $tmp (servers' logs, results).
#
# Provides: lib.sh's assertions, bg/forget (tracked background processes),
# start_redis/start_memcached/start_ferretdb [PORT] [ARGS...] (set
# rport/rpid, mport/mpid, fport/fpid), have_ferretdb, stop_pid, rcli,
# info_field, mc_stats, mc_field, mc_io, get.

for prog in redis-server redis-cli memcached; do
  if ! command -v "$prog" >/dev/null; then
    if [ "${CI:-}" = true ]; then echo "FAIL - $prog not found (CI=true: required)"; exit 1; fi
    echo "skip: $prog not found"; exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-$tmp_name-XXXXXX")
# Everything started with bg is tracked: the EXIT trap stops it. The
# watchdog reads "+PID" / "-PID" lines; at EOF without a "done" line (the
# script died untrapped) it sends TERM to what is still listed.
exec {wd}> >(
  trap '' INT TERM HUP
  declare -A live=()
  while read -r line; do
    case $line in
      +*) live[${line#+}]=1 ;;
      -*) unset "live[${line#-}]" ;;
      done) exit 0 ;;
    esac
  done
  for pid in "${!live[@]}"; do kill -CONT "$pid"; kill -TERM "$pid"; done 2>/dev/null
  [ -n "${BENCH_TEST_KEEP:-}" ] || rm -rf "$tmp"
)
pids=()
held_fds=("$wd") # pipe ends only this shell may hold, or their EOF never comes
track() { pids+=("$1"); echo "+$1" >&"$wd"; }
# bg CMD...: CMD in the background, without held_fds; sets bg_pid. Its
# stdin is the caller's (`<&0`: bash would give a background job /dev/null).
bg() {
  ( for fd in "${held_fds[@]}"; do exec {fd}>&-; done; exec "$@" ) <&0 &
  bg_pid=$!
  track "$bg_pid"
}
forget() {
  local pid keep=()
  for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  pids=("${keep[@]}")
  echo "-$1" >&"$wd"
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -CONT "$pid" 2>/dev/null # a stopped server cannot act on TERM
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  echo done >&"$wd"
  exec {wd}>&-
  [ -n "${BENCH_TEST_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A port nothing listens on now; the server may still lose it to a race,
# which start_* notice (the server exits) and retry.
pick_port() {
  local p i
  for ((i = 0; i < 50; i++)); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
# wait_ready PID CMD...: run CMD until it succeeds while PID lives, 10 s at
# most (wall clock). Readiness polling only: there is nothing to block on
# until a server answers. The last attempt's output is left in $tmp/ready.log.
wait_ready() {
  local pid=$1 end=$((${EPOCHREALTIME/./} + 10000000)); shift
  while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "process $pid exited" >>"$tmp/ready.log"; return 1; }
    "$@" >"$tmp/ready.log" 2>&1 && return 0
    sleep 0.05
  done
  return 1
}
rcli() { redis-cli -h 127.0.0.1 -p "$rport" "$@" | tr -d '\r'; }
# info_field SECTION NAME: a number from INFO
info_field() { rcli INFO "$1" | awk -F: -v k="$2" '$1 == k { print $2 }'; }
# The server answering on the port is ours (not another one that won the port).
redis_ours() { local p; p=$(info_field server process_id) && echo "process_id $p, want $rpid" && [ "$p" = "$rpid" ]; }
# mc_stats PORT: `stats` as "name value" lines.
mc_stats() (
  exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf 'stats\r\n' >&"$fd"
  while IFS= read -r -t 2 line <&"$fd"; do
    line=${line%$'\r'}
    [ "$line" = END ] && exit 0
    echo "${line#STAT }"
  done
  exit 1
)
mc_field() { mc_stats "$mport" | awk -v k="$1" '$1 == k { print $2 }'; }
# mc_io: stdin to memcached on $mport; prints its reply lines up to END or
# VERSION (end the input with `version`).
mc_io() (
  exec {fd}<>"/dev/tcp/127.0.0.1/$mport" || exit 1
  cat >&"$fd"
  while IFS= read -r -t 5 line <&"$fd"; do
    line=${line%$'\r'}
    echo "$line"
    case $line in END | VERSION*) exit 0 ;; esac
  done
  exit 1
)
mc_ours() { local p; p=$(mc_field pid) && echo "pid $p, want $mpid" && [ "$p" = "$mpid" ]; }

# start_on FIXED READY LAUNCH [ARGS...]: runs `LAUNCH PORT ARGS...` (which
# starts the server with bg and sets its port/pid variables) on port FIXED
# when given (a restart), else on a free port, and waits until READY
# succeeds; retried should another process win the port.
start_on() {
  local try fixed=$1 ready=$2 launch=$3 port; shift 3
  for try in 1 2 3 4 5; do
    port=${fixed:-$(pick_port)} || return 1
    "$launch" "$port" "$@"
    wait_ready "$bg_pid" "$ready" && return 0
    kill -0 "$bg_pid" 2>/dev/null && return 1 # alive but silent: another port will not help
    wait "$bg_pid" 2>/dev/null; forget "$bg_pid" # it exited: most likely it lost the port
    [ -n "$fixed" ] && sleep 0.2 # the same port: only waiting can help
  done
  return 1
}
# start_redis [PORT] [ARGS...]: a private redis-server.
launch_redis() {
  rport=$1; shift
  bg redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$tmp" "$@" </dev/null >>"$tmp/redis.log" 2>&1
  rpid=$bg_pid
}
start_redis() { local fixed=${1:-}; shift || true; start_on "$fixed" redis_ours launch_redis "$@"; }
# start_memcached [PORT] [ARGS...]: the same for memcached (one thread).
launch_memcached() {
  mport=$1; shift
  bg memcached -l 127.0.0.1 -p "$mport" -U 0 -u root -t 1 "$@" </dev/null >>"$tmp/memcached.log" 2>&1
  mpid=$bg_pid
}
start_memcached() { local fixed=${1:-}; shift || true; start_on "$fixed" mc_ours launch_memcached "$@"; }
# The MongoDB-compatible server scripts/install-deps builds (optional: a
# test that needs it checks have_ferretdb).
ferretdb_bin=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tools/bin/bench-ferretdb
have_ferretdb() { [ -x "$ferretdb_bin" ]; }
# FerretDB listens once its SQLite backend is open; nothing else to ask it.
fdb_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$fport") 2>/dev/null; }
# start_ferretdb [PORT] [ARGS...]: a private bench-ferretdb keeping its data
# in $tmp/ferretdb/ (a restart on PORT finds the same data; ARGS come last,
# so a -sqlite-url among them wins).
launch_ferretdb() {
  fport=$1; shift
  mkdir -p "$tmp/ferretdb"
  bg "$ferretdb_bin" -listen-addr "127.0.0.1:$fport" -sqlite-url "file:$tmp/ferretdb/" "$@" \
    </dev/null >>"$tmp/ferretdb.log" 2>&1
  fpid=$bg_pid
}
start_ferretdb() { local fixed=${1:-}; shift || true; start_on "$fixed" fdb_listening launch_ferretdb "$@"; }
stop_pid() { kill -CONT "$1" 2>/dev/null; kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; forget "$1"; }

# get TARGET PHASE OP COLUMN: a value of $csv (summary.csv), columns found
# by header name.
get() {
  csvtab "$csv" | awk -F'\t' -v t="$1" -v ph="$2" -v o="$3" -v name="$4" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; if (!(name in h)) exit 1; next }
    $h["target"] == t && $h["phase"] == ph && $h["op"] == o { print $h[name]; exit }'
}
