#!/usr/bin/env bash
# Several load machines (docs/scale.md): `bench run --shard I/N` and
# `bench merge`, against one private redis-server.
# Usage: merge.sh BENCH_BINARY
# Exit 77 (skipped) when redis-server, redis-cli or memcached is missing,
# unless CI=true, where that is a failure.
#
# a. Two half runs at the same time (`--shard 0/2`, and BENCH_SHARD=1/2 from
#    the environment) of a workload with a load phase (3001 records, 3
#    clients) and an `ops: 4001` run phase (3 clients): the shards run 2
#    and 1 clients; their load rows add up to 3001, which is DBSIZE (the
#    shares are disjoint and cover the keyspace: sets stay inside it); their
#    run rows add up to 4001, which Redis's own GET and SET counters confirm.
# b. `bench merge`: every count of the merged summary.csv is the sum of the
#    shards' exactly, ops/s the sum of their ops/s; the merged
#    latency/*.hist buckets are the sums of the shards' buckets; mean, p50,
#    p90, p99, p99.9 and max in summary.csv equal what awk computes from the
#    two shards' histograms added together (HdrHistogram's rank rule);
#    timeseries.csv adds up to the merged ops; run.json lists both inputs.
# c. An open-loop rate is split by client: rate 300 over 3 clients is 200
#    and 100, merged 300 (null driver: no server needed).
# d. Refused with exit 2 and a message naming the problem, writing
#    nothing: a shard missing, a shard given twice, shards of different
#    workloads, a run without --shard, a damaged .hist, another shard's
#    .hist in place of the shard's own, a summary.csv row with a field too
#    many or too few and a timeseries.csv row with one too few (file:line;
#    `bench chart` and `bench report` refuse those too), a count that is
#    not a whole number (file:line); --shard 2/2, 1/0,
#    x, BENCH_SHARD=5/2, and more shards than a phase has clients;
#    --flush with --shard.
# e. A second merge of the same shards gets a new directory (-2), never
#    replacing the first.
set -uo pipefail
bench=$1

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
tmp_name=merge
source "$(dirname "$0")/../lib/servers.sh"

start_redis || { fail "redis-server did not start"; cat "$tmp/redis.log"; exit 1; }

cat >"$tmp/kv.yaml" <<EOF
name: merge-kv
seed: 11
targets: [{name: redis, driver: redis, uri: "redis://127.0.0.1:$rport"}]
keyspace: {records: 3001, prefix: "mt:"}
values: {size: 32}
phases:
  - {name: load, type: load, batch: 50, clients: 3}
  - {name: run, ops: 4001, clients: 3, pipeline: 2, mix: {get: 0.8, set: 0.2}}
EOF

# col FILE TARGET PHASE OP COLUMN: a summary.csv value, columns by name.
col() {
  awk -F, -v t="$2" -v ph="$3" -v o="$4" -v name="$5" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; if (!(name in h)) exit 1; next }
    $h["target"] == t && $h["phase"] == ph && $h["op"] == o { print $h[name]; exit }' "$1"
}

# a. two shards at the same time
bg "$bench" run "$tmp/kv.yaml" --shard 0/2 --out "$tmp/s0" --quiet --no-charts </dev/null >"$tmp/s0.log" 2>&1
p0=$bg_pid
bg env BENCH_SHARD=1/2 "$bench" run "$tmp/kv.yaml" --out "$tmp/s1" --quiet --no-charts </dev/null >"$tmp/s1.log" 2>&1
p1=$bg_pid
wait "$p0"; rc0=$?; forget "$p0"
wait "$p1"; rc1=$?; forget "$p1"
check "shard 0/2 exits 0 (exit $rc0)" "$rc0 == 0" || cat "$tmp/s0.log"
check "shard 1/2 (BENCH_SHARD) exits 0 (exit $rc1)" "$rc1 == 0" || cat "$tmp/s1.log"
d0=$(ls -d "$tmp"/s0/*/ | head -1) d1=$(ls -d "$tmp"/s1/*/ | head -1)
[ -n "$d0" ] && [ -n "$d1" ] || { fail "a shard wrote no result directory"; exit 1; }
for s in 0 1; do
  d=$d0; [ $s = 1 ] && d=$d1
  if python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["shard"]; sys.exit(not (s["index"] == int(sys.argv[2]) and s["count"] == 2))' \
    "$d/run.json" "$s"; then pass "shard $s: run.json shard = {index: $s, count: 2}"; else fail "shard $s: run.json shard"; fi
done
c0=$(col "$d0/summary.csv" redis run get clients) c1=$(col "$d1/summary.csv" redis run get clients)
check "3 clients split 2 + 1 (got $c0 + $c1)" "$c0 == 2 && $c1 == 1"
l0=$(col "$d0/summary.csv" redis load load ops) l1=$(col "$d1/summary.csv" redis load load ops)
dbsize=$(rcli DBSIZE)
check "load: $l0 + $l1 records = 3001 = DBSIZE $dbsize" "$l0 + $l1 == 3001 && $dbsize == 3001"
check "load: shares 2000 and 1001 (records x clients of the shard / 3)" "$l0 == 2000 && $l1 == 1001"
runops() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
  $h["phase"] == "run" { s += $h["ops"] + $h["errors"] + $h["timeouts"] + $h["disconnects"] } END { print s + 0 }' "$1"; }
r0=$(runops "$d0/summary.csv") r1=$(runops "$d1/summary.csv")
check "run: $r0 + $r1 requests = ops: 4001" "$r0 + $r1 == 4001"
gets=$(rcli INFO commandstats | awk -F'[:=,]' '$1 == "cmdstat_get" { print $3 }')
g0=$(col "$d0/summary.csv" redis run get ops) g1=$(col "$d1/summary.csv" redis run get ops)
check "Redis counted $gets GETs = $g0 + $g1" "${gets:-0} == $g0 + $g1"

# b. the merge
expect_rc 0 "merge of 0/2 and 1/2" -- "$bench" merge "$d1" "$d0" --out "$tmp/m" --no-charts --quiet
dm=$(ls -d "$tmp"/m/*-merge-kv-merged/ 2>/dev/null | head -1)
[ -n "$dm" ] || { fail "no merged directory"; ls -R "$tmp/m" >&2; exit 1; }
for f in summary.csv timeseries.csv run.json comparison.csv results.json latency/redis-get.hist latency/redis-get.hgrm \
  latency/redis-load.hist; do
  [ -s "$dm/$f" ] && pass "merged $f written" || fail "merged $f missing"
done
for phop in "load load" "run get" "run set"; do
  set -- $phop
  for c in ops errors timeouts misses unsupported disconnects clients; do
    a=$(col "$d0/summary.csv" redis $1 $2 $c) b=$(col "$d1/summary.csv" redis $1 $2 $c) m=$(col "$dm/summary.csv" redis $1 $2 $c)
    check "$1/$2 $c: merged $m = $a + $b" "$m == $a + $b"
  done
  a=$(col "$d0/summary.csv" redis $1 $2 ops_per_sec) b=$(col "$d1/summary.csv" redis $1 $2 ops_per_sec)
  m=$(col "$dm/summary.csv" redis $1 $2 ops_per_sec) want=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", a + b }')
  check "$1/$2 ops_per_sec: merged $m = $a + $b" "$m == $want"
done
m=$(col "$dm/summary.csv" redis load load ops)
check "merged load = $m = DBSIZE" "$m == $dbsize"

# The corrected histogram of latency/NAME.hist as "low high count" lines,
# after a "stats" line (total min max sum).
hist_section() {
  awk '/^histogram corrected$/ { on = 1; next } /^histogram uncorrected$/ { on = 0 }
       on && $1 == "stats" { print "stats", $2, $3, $4, $5; next } on && $1 != "layout" { print }' "$1"
}
# The figures summary.csv shows (mean p50 p90 p99 p99.9 max, µs), from the
# histograms of the given files added together.
figures() {
  for f in "$@"; do hist_section "$f"; done | awk '
    $1 == "stats" { total += $2; sum += $5; if (!n++ || $3 < min) min = $3; if ($4 > max) max = $4; next }
    { c[$1] += $3; hi[$1] = $2 }
    END {
      k = 0; for (low in c) lows[++k] = low + 0
      for (i = 2; i <= k; i++) { v = lows[i]; for (j = i - 1; j >= 1 && lows[j] > v; j--) lows[j + 1] = lows[j]; lows[j + 1] = v }
      printf "%.3f", sum / total / 1e3
      split("50 90 99 99.9", ps, " ")
      for (p = 1; p <= 4; p++) {
        rank = int(ps[p] / 100 * total + 0.5); if (rank < 1) rank = 1
        seen = 0
        for (i = 1; i <= k; i++) { seen += c[lows[i]]; if (seen >= rank) { v = hi[lows[i]]; if (v > max) v = max; break } }
        printf " %.3f", v / 1e3
      }
      printf " %.3f\n", max / 1e3
    }'
}
for op in get set; do
  want=$(figures "$d0/latency/redis-$op.hist" "$d1/latency/redis-$op.hist")
  got=$(awk -F, -v o="$op" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["phase"] == "run" && $h["op"] == o { print $h["mean_us"], $h["p50_us"], $h["p90_us"], $h["p99_us"], $h["p999_us"], $h["max_us"] }' "$dm/summary.csv")
  [ -n "$got" ] && [ "$got" = "$want" ] && pass "run/$op: merged mean p50 p90 p99 p99.9 max = $got, from the shards' histograms added" ||
    fail "run/$op: merged latency '$got', from the shards' histograms '$want'"
  # The merged buckets are the sums of the shards' buckets.
  if diff <(for f in "$d0" "$d1"; do hist_section "$f/latency/redis-$op.hist"; done | awk '$1 != "stats" { c[$1 " " $2] += $3 } END { for (k in c) print k, c[k] }' | sort) \
          <(hist_section "$dm/latency/redis-$op.hist" | awk '$1 != "stats"' | sort) >"$tmp/diff"; then
    pass "run/$op: merged .hist buckets = the shards' added"
  else
    fail "run/$op: merged .hist buckets differ"; head "$tmp/diff"
  fi
  m=$(col "$dm/summary.csv" redis run $op ops)
  t=$(awk -F, -v o="$op" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["phase"] == "run" && $h["op"] == o { s += $h["ops"] } END { print s + 0 }' "$dm/timeseries.csv")
  check "run/$op: timeseries.csv seconds add up to the merged ops ($t = $m)" "$t == $m"
done
# hit_ratio of a merged second: from the added ops and misses, not a shard's.
bad=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["op"] == "get" && $h["ops"] > 0 {
  n++; if ($h["hit_ratio"] != sprintf("%.4f", ($h["ops"] - $h["misses"]) / $h["ops"])) print }
  END { if (!n) print "no get rows" }' "$dm/timeseries.csv")
same "merged timeseries.csv: each get row's hit_ratio = (ops - misses) / ops" "$bad" ""
# ... also when the shards' differ: shard 1 with half its gets missed.
cp -r "$d1" "$tmp/d1miss"
python3 - "$tmp/d1miss/timeseries.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
h = {k: i for i, k in enumerate(rows[0])}
for r in rows[1:]:
    if r[h["op"]] == "get" and int(r[h["ops"]]) > 0:
        r[h["misses"]] = str(int(r[h["ops"]]) // 2)
        r[h["hit_ratio"]] = "%.4f" % (1 - (int(r[h["ops"]]) // 2) / int(r[h["ops"]]))
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
PY
expect_rc 0 "merge with a shard's misses" -- "$bench" merge "$d0" "$tmp/d1miss" --out "$tmp/mmiss" --no-charts --quiet
bad=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h["op"] == "get" && $h["ops"] > 0 {
  n++; m += $h["misses"]; if ($h["hit_ratio"] != sprintf("%.4f", ($h["ops"] - $h["misses"]) / $h["ops"])) print }
  END { if (!n || !m) print "no get rows with misses" }' "$(ls -d "$tmp"/mmiss/*/ | head -1)timeseries.csv")
same "merged hit_ratio from the added counts when the shards' differ" "$bad" ""
if python3 - "$dm/run.json" "$d0" "$d1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
dirs = [i["dir"] for i in r["inputs"]]
assert r["merged"] is True and r["shards"] == 2, r
assert [i["shard"] for i in r["inputs"]] == [0, 1], r["inputs"]
assert dirs == [sys.argv[2], sys.argv[3]], dirs
assert r["workload"]["name"] == "merge-kv"
PY
then pass "merged run.json lists both inputs in shard order"; else fail "merged run.json"; fi
# The merged run's results.json: the merged summary's rows, run.json's inputs' workload.
python3 - "$dm" <<'PY' && pass "merged results.json holds the merged summary.csv's rows" || fail "merged results.json"
import csv, json, sys
r = json.load(open(sys.argv[1] + "/results.json"))
rows = list(csv.DictReader(open(sys.argv[1] + "/summary.csv")))
assert r["schema_version"] == 1 and r["workload"]["name"] == "merge-kv"
assert r["merged"] is True and [i["shard"] for i in r["inputs"]] == [0, 1]
assert [(s["phase"], s["op"], s["ops"]) for s in r["summary"]] == [(s["phase"], s["op"], int(s["ops"])) for s in rows]
assert all(a["repeats"] == 1 for a in r["aggregates"]) and r["comparison"] == []
PY

# c. open-loop rate split by client (null driver)
cat >"$tmp/rate.yaml" <<'EOF'
name: merge-rate
targets: [{name: nul, driver: "null"}]
keyspace: {records: 100}
phases:
  - {name: run, ops: 60, clients: 3, rate: 300, mix: {get: 1}}
EOF
for s in 0 1; do
  expect_rc 0 "rate shard $s/2" -- "$bench" run "$tmp/rate.yaml" --shard $s/2 --out "$tmp/r$s" --quiet --no-charts
done
a=$(col "$tmp"/r0/*/summary.csv nul run get rate_target) b=$(col "$tmp"/r1/*/summary.csv nul run get rate_target)
check "rate 300 over 3 clients: shards 200 and 100 (got $a, $b)" "$a == 200 && $b == 100"
expect_rc 0 "merge of the rate shards" -- "$bench" merge "$tmp"/r0/* "$tmp"/r1/* --out "$tmp/rm" --quiet --no-charts
m=$(col "$tmp"/rm/*/summary.csv nul run get rate_target) o=$(col "$tmp"/rm/*/summary.csv nul run get ops)
check "merged rate_target $m = 300, ops $o = 60" "$m == 300 && $o == 60"
[ -f "$(ls -d "$tmp"/rm/*/ | head -1)latency/nul-get.uncorrected.hgrm" ] && pass "open loop: merged .uncorrected.hgrm" ||
  fail "open loop: no merged .uncorrected.hgrm"

# d. refused merges and shards: exit 2, a message, nothing written
expect_rc 2 "a shard missing" -- "$bench" merge "$d0" --out "$tmp/bad"
contains "$tmp/err" "shard 1/2 is missing" "a shard missing: named"
expect_rc 2 "a shard twice" -- "$bench" merge "$d0" "$d0" --out "$tmp/bad"
contains "$tmp/err" "shard 0/2 is given twice" "a shard twice: named"
expect_rc 0 "shard 1/2 of another workload" -- "$bench" run "$tmp/kv.yaml" --shard 1/2 --set keyspace.records=3002 \
  --set keyspace.prefix=other: --out "$tmp/s1b" --quiet --no-charts
expect_rc 2 "different workloads" -- "$bench" merge "$d0" "$tmp"/s1b/* --out "$tmp/bad"
contains "$tmp/err" "different workloads (run.json workload.keyspace.records differs)" "different workloads: named"
expect_rc 2 "shards of another run's count" -- "$bench" merge "$d0" "$tmp"/r1/* --out "$tmp/bad"
expect_rc 0 "an unsharded run" -- "$bench" run "$tmp/rate.yaml" --out "$tmp/u" --quiet --no-charts
expect_rc 2 "a run without --shard" -- "$bench" merge "$tmp"/u/* --out "$tmp/bad"
contains "$tmp/err" "was not run with --shard" "a run without --shard: named"
cp -r "$d1" "$tmp/d1bad"
sed -i '0,/^layout /s/^layout \(.*\) 3$/layout \1 9/' "$tmp/d1bad/latency/redis-get.hist"
expect_rc 2 "a damaged .hist" -- "$bench" merge "$d0" "$tmp/d1bad" --out "$tmp/bad"
contains "$tmp/err" "d1bad/latency/redis-get.hist:line 10:" "a damaged .hist: file and line named"
cp -r "$d0" "$tmp/d0swap"
cp "$d1/latency/redis-get.hist" "$tmp/d0swap/latency/redis-get.hist"
expect_rc 2 "another shard's .hist" -- "$bench" merge "$tmp/d0swap" "$d1" --out "$tmp/bad"
contains "$tmp/err" "d0swap/latency/redis-get.hist holds $g1 latencies, but its summary.csv row (line [0-9]*) $g0 ops" \
  "another shard's .hist: the counts that disagree named"
# A shard's CSV with a field too many or too few on one row: refused at
# file:line (the strict reader, csvread.c), never padded or cut.
cp -r "$d1" "$tmp/d1extra" && sed -i '3s/$/,9/' "$tmp/d1extra/summary.csv"
expect_rc 2 "summary.csv with an extra field" -- "$bench" merge "$d0" "$tmp/d1extra" --out "$tmp/bad"
contains "$tmp/err" "d1extra/summary.csv:3: $(($(head -1 "$d1/summary.csv" | tr -cd , | wc -c) + 2)) fields, but the header has" \
  "summary.csv with an extra field: file:line named"
cp -r "$d1" "$tmp/d1short" && sed -i '2s/,[^,]*$//' "$tmp/d1short/summary.csv"
expect_rc 2 "summary.csv with a field missing" -- "$bench" merge "$d0" "$tmp/d1short" --out "$tmp/bad"
contains "$tmp/err" "d1short/summary.csv:2: .* fields, but the header has" "summary.csv with a field missing: file:line named"
cp -r "$d1" "$tmp/d1ts" && sed -i '4s/,[^,]*$//' "$tmp/d1ts/timeseries.csv"
expect_rc 2 "timeseries.csv with a field missing" -- "$bench" merge "$tmp/d1ts" "$d0" --out "$tmp/bad"
contains "$tmp/err" "d1ts/timeseries.csv:4: .* fields, but the header has" "timeseries.csv with a field missing: file:line named"
cp -r "$d1" "$tmp/d1nan" && awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "errors") c = i }
  NR == 3 { $c = "x" } { print }' "$d1/summary.csv" >"$tmp/d1nan/summary.csv"
expect_rc 2 "summary.csv with a count that is not a number" -- "$bench" merge "$d0" "$tmp/d1nan" --out "$tmp/bad"
contains "$tmp/err" "d1nan/summary.csv:3: errors 'x' is not a whole number" "a count that is not a number: file:line named"
for sub in d1extra d1ts; do # chart and report read them through the same reader
  rm -rf "$tmp/$sub/charts" "$tmp/$sub/report.html"
  expect_rc 2 "bench chart on $sub" -- "$bench" chart "$tmp/$sub"
  contains "$tmp/err" "$sub/[a-z]*.csv:[0-9]*: .* fields, but the header has" "bench chart on $sub: file:line named"
  expect_rc 2 "bench report on $sub" -- "$bench" report "$tmp/$sub"
  [ ! -e "$tmp/$sub/charts" ] && [ ! -e "$tmp/$sub/report.html" ] && pass "$sub: no chart or report written" ||
    fail "$sub: a chart or report was written"
done
[ ! -e "$tmp/bad" ] || [ -z "$(ls -A "$tmp/bad")" ] && pass "refused merges wrote nothing" || { fail "refused merges wrote"; ls -A "$tmp/bad"; }
for v in 2/2 1/0 x 0/ -1/2; do
  expect_rc 2 "--shard $v refused" -- "$bench" run "$tmp/rate.yaml" --shard "$v" --out "$tmp/bad"
  contains "$tmp/err" "'$v'" "--shard $v: the value is named"
done
expect_rc 2 "BENCH_SHARD=5/2 refused" -- env BENCH_SHARD=5/2 "$bench" run "$tmp/rate.yaml" --out "$tmp/bad"
contains "$tmp/err" "BENCH_SHARD '5/2'" "BENCH_SHARD=5/2: named"
# One shard must not flush the server under the others.
expect_rc 2 "--shard with --flush refused" -- "$bench" run "$tmp/rate.yaml" --shard 0/2 --flush --out "$tmp/bad"
contains "$tmp/err" "one shard would empty the server under the others" "--shard --flush: the reason"
expect_rc 2 "4 shards of 3 clients refused" -- "$bench" run "$tmp/rate.yaml" --shard 0/4 --out "$tmp/bad"
contains "$tmp/err" "fewer than 4 shards" "4 shards of 3 clients: said why"
[ ! -e "$tmp/bad" ] || [ -z "$(ls -A "$tmp/bad")" ] && pass "refused shards wrote nothing" || fail "refused shards wrote"

# e. never replacing
expect_rc 0 "the same merge again" -- "$bench" merge "$d0" "$d1" --out "$tmp/m" --no-charts --quiet
n=$(ls -d "$tmp"/m/*-merge-kv-merged*/ | wc -l)
check "a second merge made a second directory ($n)" "$n == 2"

echo "merge: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
