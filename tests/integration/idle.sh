#!/usr/bin/env bash
# idle_connections (docs/workload-format.md): silent TCP connections held
# open while a run phase runs, against the servers bench spawns:
#  - Redis (maxclients 10000) keeps all 1500: held = 1500, refused = 0;
#  - memcached as spawned (-c 1024 by default) turns the ones past its
#    limit away: held + refused = 1500, refused > 0, and the phase's own
#    clients (connected first) still run without errors;
#  - server_rss_bytes is measured; bad values are invalid (exit 2).
# Usage: idle.sh BENCH_BINARY REPO_ROOT
set -uo pipefail
bench=$1 root=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-idle-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/lib/lib.sh"
need redis-server memcached

cat >"$tmp/idle.yaml" <<'YAML'
name: idle-test
targets: [redis, memcached]
keyspace: {records: 500, prefix: "idt:"}
values: {size: 32}
phases:
  - {name: load, clients: 1}
  - {name: run, ops: 3000, clients: 2, idle_connections: 1500, mix: {get: 1}}
YAML
expect_rc 0 "run with idle connections" -- "$bench" run "$tmp/idle.yaml" --out "$tmp/res" --no-charts
csv=$(ls -d "$tmp"/res/*/ | head -1)summary.csv
val() { # TARGET COLUMN: of the run phase's get row
  awk -F, -v t="$1" -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == "run" && $h["op"] == "get" { print $h[name]; exit }' "$csv"
}
for t in redis memcached; do
  held=$(val $t idle_connections) refused=$(val $t idle_refused) rss=$(val $t server_rss_bytes)
  errs=$(val $t errors) disc=$(val $t disconnects) ops=$(val $t ops)
  echo "$t: held $held, refused $refused, rss $rss, ops $ops, errors $errs, disconnects $disc"
  holds "$t: held + refused = 1500" "${held:-0} + ${refused:-0} == 1500"
  holds "$t: server_rss_bytes measured" "${rss:-0} > 0"
  holds "$t: the phase's clients ran cleanly" "${ops:-0} == 3000 and ${errs:-1} == 0 and ${disc:-1} == 0"
done
holds "redis kept every idle connection" "$(val redis idle_refused) == 0"
holds "memcached (1024 connections) turned some away" "$(val memcached idle_refused) > 0"
# The load phase had none: its columns say 0.
holds "no idle connections in the load phase" \
  "'$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["phase"] == "load" { print $h["idle_connections"]; exit }' "$csv")' == '0'"

for bad in -1 100001 lots; do
  sed "s/idle_connections: 1500/idle_connections: $bad/" "$tmp/idle.yaml" >"$tmp/bad.yaml"
  expect_rc 2 "idle_connections: $bad is invalid" -- "$bench" validate "$tmp/bad.yaml"
  contains "$tmp/err" "bad.yaml:7:[0-9]*: .*idle_connections" "idle_connections: $bad: file:line:col"
done
sed "s/  - {name: load, clients: 1}/  - {name: load, clients: 1, idle_connections: 5}/" "$tmp/idle.yaml" >"$tmp/bad.yaml"
expect_rc 2 "idle_connections on a load phase" -- "$bench" validate "$tmp/bad.yaml"
contains "$tmp/err" "key 'idle_connections' is only for run phases" "idle on load: message"

echo "idle: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
