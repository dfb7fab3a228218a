#!/usr/bin/env bash
# Replication phases (docs/workload-format.md): bench starts a replica of
# the redis-server it spawned, writes to the primary, reads from the
# replica. Checks: the phase runs and counts writes and replica reads; the
# lag columns are filled and ordered (p50 <= p99 <= max); run.json agrees
# with summary.csv; no replica outlives bench; memcached has no replicas
# (the target is not run, exit 3); never on external servers (exit 2);
# invalid phases are reported with file:line:col.
# Usage: replication.sh BENCH_BINARY REPO_ROOT
set -uo pipefail
bench=$1 root=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-repl-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/lib/lib.sh"
need redis-server memcached

cat >"$tmp/repl.yaml" <<'YAML'
name: repl-test
targets: [redis]
keyspace: {records: 2000, prefix: "rpt:"}
values: {size: 64}
phases:
  - {name: load, clients: 1}
  - {name: repl, type: replication, duration: 1s, clients: 2}
  - {name: paced, type: replication, duration: 1s, rate: 300}
YAML
expect_rc 0 "replication run" -- "$bench" run "$tmp/repl.yaml" --out "$tmp/res" --no-charts
cp "$tmp/err" "$tmp/run.log"
dir=$(ls -d "$tmp"/res/*/ | head -1)
val() { # PHASE OP COLUMN
  awk -F, -v ph="$1" -v o="$2" -v name="$3" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["phase"] == ph && $h["op"] == o { print $h[name]; exit }' "${dir}summary.csv"
}
json() { # PHASE KEY: from the replication object of that phase run
  python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["targets"]:
    for r in t["runs"]:
        if r["phase"] == sys.argv[2]: print(r["replication"][sys.argv[3]])' "${dir}run.json" "$1" "$2"
}
for ph in repl paced; do
  w=$(val $ph set ops) rd=$(val $ph get ops) st=$(val $ph get misses)
  p50=$(val $ph set lag_p50_us) p99=$(val $ph set lag_p99_us) mx=$(val $ph set lag_max_us)
  echo "$ph: writes $w, replica reads $rd (stale $st), lag p50 $p50 p99 $p99 max $mx us"
  holds "$ph: writes and replica reads were made" "${w:-0} > 0 and ${rd:-0} > 0"
  holds "$ph: lag p50 <= p99 <= max, all > 0" "0 < ${p50:-0} <= ${p99:-0} <= ${mx:-0}"
  holds "$ph: run.json agrees" "'$(json $ph writes_acknowledged)' == '$w' and '$(json $ph stale_reads)' == '$st'"
  holds "$ph: errors 0" "$(val $ph set errors) + $(val $ph get errors) == 0"
  contains "$tmp/run.log" "redis: $ph (repeat 1): $w writes acknowledged; replica lag p50" "$ph: the terminal line"
done
# 300 writes/s for 1 s: the schedule allows at most 301.
holds "paced: at most the rate's writes" "$(val paced set ops) <= 301"
if pgrep -f -- "--replicaof 127.0.0.1" >/dev/null; then fail "a replica outlived bench"; pgrep -af -- --replicaof >&2; else ok; fi

sed 's/targets: \[redis\]/targets: [memcached]/' "$tmp/repl.yaml" >"$tmp/mc.yaml"
expect_rc 3 "memcached: no replica" -- "$bench" run "$tmp/mc.yaml" --out "$tmp/mc" --no-charts
contains "$tmp/err" "replicas of redis-server only" "memcached: the reason"
expect_rc 2 "replication phase on external servers" -- "$bench" run "$tmp/repl.yaml" --servers external --out "$tmp/ext"
contains "$tmp/err" "starts a replica of the server" "external: the reason"

invalid_phase no-duration redis "{name: r, type: replication}" "needs a duration"
invalid_phase mix redis "{name: r, type: replication, duration: 1s, mix: {get: 1}}" "key 'mix' is only for run or cache-aside phases"
invalid_phase pipeline redis "{name: r, type: replication, duration: 1s, pipeline: 4}" "key 'pipeline' is only for run or crash phases"

echo "replication: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
