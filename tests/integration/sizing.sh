#!/usr/bin/env bash
# The cache-sizing curve (docs/workload-format.md, "server"; docs/charts.md,
# "sizing-<target>"): a sweep over server.memory on the servers bench spawns,
# Redis (maxmemory, allkeys-lru) and memcached (-m, its LRU), with more data
# than the smallest point holds:
#  - each point's server really got its limit: the configuration each one
#    reports (CONFIG GET maxmemory; memcached's stats limit_maxbytes),
#    printed at each point, is that point's;
#  - the hit ratio of the gets never falls as the memory grows (0.02 of
#    slack: eviction is approximate), is under 0.9 at the smallest point
#    and 1 at the largest, where everything fits;
#  - the sizing chart's script and data are written, one per target;
#  - eviction: noeviction (Redis noeviction, memcached -M) makes a full
#    server refuse the load's writes, which lru let through; without a
#    sweep, run.json's server.config shows the settings;
#  - bad values are refused (exit 2, file:line:col).
# Usage: sizing.sh BENCH_BINARY REPO_ROOT
set -uo pipefail
bench=$1 root=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-sizing-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/lib/lib.sh"
need redis-server memcached

# 6000 values of 1 KiB: about 7 MiB in either server, more than 2 and
# 4 MiB hold, less than 16 MiB. Uniform gets, one client: the hit ratio
# is the share of the keys the server kept.
cat >"$tmp/sizing.yaml" <<'YAML'
name: sizing-test
targets: [redis, memcached]
keyspace: {records: 6000, prefix: "sz:"}
values: {size: 1KiB}
server: {memory: 16MiB, eviction: lru}
phases:
  - {name: load, clients: 1}
  - {name: run, ops: 6000, clients: 1, mix: {get: 1}}
sweep:
  server.memory: [2MiB, 4MiB, 16MiB]
YAML
expect_rc 0 "a sweep over server.memory" -- "$bench" run "$tmp/sizing.yaml" --out "$tmp/res"
dir=$(ls -d "$tmp"/res/*/ | head -1)
for b in 2097152 4194304 16777216; do
  contains "$tmp/err" "redis: server configuration: .*maxmemory=$b " "redis got maxmemory $b"
  contains "$tmp/err" "memcached: server configuration: .*limit_maxbytes=$b" "memcached got -m $((b >> 20))"
done
contains "$tmp/err" "redis: server configuration: .*maxmemory-policy=allkeys-lru" "redis: eviction lru is allkeys-lru"
contains "$dir/run.json" '"memory_bytes": 16777216' "run.json's workload has server.memory"
contains "$dir/run.json" '"eviction": "lru"' "run.json's workload has server.eviction"
hits() { # TARGET: the run phase's get hit ratio at each point, in order
  awk -F, -v t="$1" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == "run" && $h["op"] == "get" {
      printf "%s%.4f", sep, ($h["ops"] - $h["misses"]) / $h["ops"]; sep = ", " }' "$dir/summary.csv"
}
for t in redis memcached; do
  h=$(hits $t)
  echo "$t: hit ratio at 2, 4, 16 MiB: $h"
  holds "$t: three points" "len([$h]) == 3"
  holds "$t: the hit ratio does not fall as memory grows" "all(b >= a - 0.02 for a, b in zip([$h], [$h][1:]))"
  holds "$t: the smallest point holds less than the data" "[$h][0] < 0.9"
  holds "$t: the largest holds it all" "[$h][2] == 1"
  nonempty "$dir/charts/sizing-$t.gp" "$t: the sizing chart's script"
  holds "$t: its data has a line per point" \
    "$(grep -c '^[0-9]' "$dir/charts/sizing-$t.dat") == 3"
  contains "$dir/charts/index.txt" "^sizing-$t	" "$t: the chart is listed"
done

# eviction: noeviction (Redis noeviction, memcached -M): a full server
# refuses the load's writes instead of evicting, where lru took them all.
sed 's/eviction: lru/eviction: noeviction/; s/^sweep:$/max_error_rate: 1/; /server.memory: \[/d; s/memory: 16MiB/memory: 2MiB/' \
  "$tmp/sizing.yaml" >"$tmp/noevict.yaml"
expect_rc 0 "eviction: noeviction" -- "$bench" run "$tmp/noevict.yaml" --out "$tmp/ne" --no-charts
ne=$(ls -d "$tmp"/ne/*/ | head -1)
contains "$ne/run.json" '"maxmemory-policy": "noeviction"' "redis got noeviction (run.json's server.config)"
contains "$ne/run.json" '"limit_maxbytes": "2097152"' "memcached got -m 2 without a sweep"
for t in redis memcached; do
  errs=$(awk -F, -v t=$t 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == "load" { print $h["errors"] }' "${ne}summary.csv")
  holds "$t: a full server without eviction refused writes" "${errs:-0} > 0"
  errs=$(awk -F, -v t=$t 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == "load" { n += $h["errors"] } END { print n + 0 }' "$dir/summary.csv")
  holds "$t: with lru it took every write" "${errs:-1} == 0"
done

# Bad input: exit 2 at the value, nothing run.
invalid_edit "server.memory under 1MiB" "$tmp/sizing.yaml" 's/memory: 16MiB/memory: 64KiB/' "bad.yaml:5:[0-9]*: invalid size '64KiB' for server.memory"
invalid_edit "server.memory not a size" "$tmp/sizing.yaml" 's/memory: 16MiB/memory: lots/' "bad.yaml:5:[0-9]*: invalid size 'lots' for server.memory"
invalid_edit "an eviction no server knows" "$tmp/sizing.yaml" 's/eviction: lru/eviction: fifo/' \
  "bad.yaml:5:[0-9]*: server.eviction 'fifo' is not a policy of target redis's redis server; it knows lru, noeviction"
invalid_edit "a Redis policy on memcached" "$tmp/sizing.yaml" 's/eviction: lru/eviction: allkeys-lfu/' \
  "server.eviction 'allkeys-lfu' is not a policy of target memcached's memcached server; it knows lru, noeviction"
invalid_edit "a misspelt sweep key" "$tmp/sizing.yaml" 's/server.memory: \[/server.memroy: [/' "no key 'memroy' in server"
invalid_edit "an unknown server key" "$tmp/sizing.yaml" 's/server: {memory/server: {memroy/' "bad.yaml:5:[0-9]*: .*memroy"

finish sizing
