#!/usr/bin/env bash
# Trace replay (keyspace.trace; docs/workload-format.md, "Trace replay"),
# with answers known from the trace itself, on private redis-server and
# memcached given as external servers.
# Usage: trace.sh BENCH_BINARY SOURCE_DIR
# Exit 77 (skipped) when redis-server, redis-cli, memcached or python3 is
# missing, unless CI=true.
#
# a. Counts. scripts/gen-trace writes a zipfian trace with every op of the
#    Twitter format but incr/decr, and keys bench must hash (a space, 300
#    bytes) or keep with a comma. Replayed by 4 clients, each key by one
#    client in the trace's order, on caches that evict nothing (memcached
#    -m 1024, Redis without maxmemory), so each answer is what an exact
#    replay gives: the test replays the trace itself (python, below): a
#    get or delete hits when a set-like op (set, add, replace, cas, append,
#    prepend: all replayed as set) of that key came before it and no delete
#    since. summary.csv's ops and misses per op must equal that exactly,
#    and the servers' own counters too (Redis commandstats get/set/del,
#    keyspace_hits/misses; memcached cmd_get, get_misses, cmd_set,
#    delete_hits/misses), 0 errors. Every key the run leaves starts with
#    the prefix; hashed keys (t#) are among them. If one key went to two
#    clients, or the order broke, the hits would differ.
# b. The same trace gzipped, zstd-compressed and in bench's csv format
#    gives the same counts.
# c. Open loop: a csv trace spanning T = 3 s replayed at speed 2 cannot end
#    before its last record is due at T/2 = 1.5 s after the start:
#    duration_s >= 1.5 (a lower bound only; the hang guard is the test's
#    timeout). Closed loop the same trace is not held to the timestamps.
# d. Bad traces: a malformed line among the first 1000 is exit 2 naming
#    FILE:LINE before anything runs; one later is counted as an error (one,
#    however many clients read it) naming FILE:LINE, exit 1; a missing file,
#    an unknown format, ops: or mix: with a trace, exit 2.
# e. Memory: bench's peak RSS (getrusage of the child, through python)
#    replaying a 1,000,000-line trace (~30 MB, gzipped too) on the null
#    driver exceeds the peak for a 10,000-line one by less than 16 MB: the
#    reader holds one fixed buffer, not the trace.
set -uo pipefail
bench=$1
src=$2
tmp_name=trace_replay
# shellcheck source=../lib/servers.sh
. "$src/tests/lib/servers.sh"
need python3 gzip zstd

die() { echo "FAIL - $*"; exit 1; }
gen="$src/scripts/gen-trace"
[ -x "$bench" ] || die "not executable: $bench"

start_redis || die "redis-server did not answer: $(tail -3 "$tmp/redis.log")"
start_memcached || die "memcached did not answer: $(tail -3 "$tmp/memcached.log")"

# expected TRACE FORMAT: "op ops misses" lines from an exact replay.
expected() {
  python3 - "$1" "$2" <<'PY'
import sys
path, fmt = sys.argv[1], sys.argv[2]
present, n, miss = set(), {}, {"get": 0, "delete": 0}
for line in open(path):
    f = line.rstrip("\n").split(",")
    if fmt == "csv":
        if line.startswith("timestamp_us,"):
            continue
        key, op = ",".join(f[1:-3]), f[-3]
    else:
        key, op = ",".join(f[1:-5]), f[-2]
    op = {"gets": "get", "add": "set", "replace": "set", "cas": "set", "append": "set", "prepend": "set",
          "decr": "incr"}.get(op, op)
    n[op] = n.get(op, 0) + 1
    if op == "incr":
        continue  # a counter key of its own (docs/drivers.md): the record is untouched
    if op == "set":
        present.add(key)
    else:
        if key not in present:
            miss[op] += 1
        if op == "delete":
            present.discard(key)
for op in sorted(n):
    print(op, n[op], miss.get(op, 0))
PY
}

# got RESULT_DIR TARGET: "op ops misses errors" lines from summary.csv.
got() {
  csvtab "$(ls -d "$1"/*/ | head -1)summary.csv" |
    awk -F'\t' -v t="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
      $c["target"] == t { print $c["op"], $c["ops"], $c["misses"], $c["errors"] + $c["timeouts"] + $c["unsupported"] }' | sort
}

# workload NAME TRACE FORMAT PREFIX [EXTRA-KEYSPACE]: $tmp/NAME.yaml
workload() {
  cat >"$tmp/$1.yaml" <<YAML
name: trace-$1
targets: [redis, memcached]
keyspace: {trace: "$2", format: $3, prefix: "$4"${5:-}}
phases:
  - {name: replay, clients: 4}
YAML
}

run() { # run NAME: bench run $tmp/NAME.yaml against the private servers, into $tmp/res-NAME
  env BENCH_REDIS_URI="redis://127.0.0.1:$rport" BENCH_MEMCACHED_SERVERS="127.0.0.1:$mport" \
    "$bench" run "$tmp/$1.yaml" --servers external --out "$tmp/res-$1" --quiet --keep >"$tmp/$1.log" 2>&1
}

cmdstat() { rcli INFO commandstats | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p" | grep . || echo 0; }
counters() { # "redis get set del hits misses / mc cmd_get get_misses cmd_set delete_hits delete_misses"
  echo "$(cmdstat get) $(cmdstat set) $(cmdstat del) $(info_field stats keyspace_hits) $(info_field stats keyspace_misses)" \
    "$(mc_field cmd_get) $(mc_field get_misses) $(mc_field cmd_set) $(mc_field delete_hits) $(mc_field delete_misses)"
}

# ---- a. counts against an exact replay, and the servers' counters ----
"$gen" --lines 6000 --keys 400 --odd-keys --seed 7 \
  --mix get=0.45,gets=0.1,set=0.15,add=0.05,replace=0.05,cas=0.03,append=0.02,prepend=0.02,delete=0.13 \
  >"$tmp/t.txt" || die "gen-trace failed"
expected "$tmp/t.txt" twitter >"$tmp/want"
workload plain "$tmp/t.txt" twitter "tr1:"
before=$(counters)
run plain; rc=$?
check "plain: exit 0 (exit $rc)" "$rc == 0" || cat "$tmp/plain.log"
after=$(counters)
contains "$(ls -d "$tmp/res-plain"/*/ | head -1)run.json" "\"trace\": \"$tmp/t.txt\"" "run.json names the trace"
for t in redis memcached; do
  got "$tmp/res-plain" $t >"$tmp/got-$t"
  same "$t: per op (ops misses) as an exact replay" "$(awk '{print $1, $2, $3}' "$tmp/got-$t")" "$(cat "$tmp/want")"
  same "$t: no error, timeout or unsupported" "$(awk '{s += $4} END {print s + 0}' "$tmp/got-$t")" 0
done
read -r g s d mg md <<<"$(awk '$1 == "get" {g = $2; mg = $3} $1 == "set" {s = $2} $1 == "delete" {d = $2; md = $3}
  END {print g, s, d, mg, md}' "$tmp/want")"
read -r -a b <<<"$before"; read -r -a e <<<"$after"
same "redis: GET calls" $((e[0] - b[0])) "$g"
same "redis: SET calls" $((e[1] - b[1])) "$s"
same "redis: DEL calls" $((e[2] - b[2])) "$d"
same "redis: keyspace_misses" $((e[4] - b[4])) "$mg"
same "redis: keyspace_hits" $((e[3] - b[3])) $((g - mg))
same "memcached: cmd_get" $((e[5] - b[5])) "$g"
same "memcached: get_misses" $((e[6] - b[6])) "$mg"
same "memcached: cmd_set" $((e[7] - b[7])) "$s"
same "memcached: delete_hits" $((e[8] - b[8])) $((d - md))
same "memcached: delete_misses" $((e[9] - b[9])) "$md"
keys=$(rcli --scan --pattern '*' | wc -l)
under=$(rcli --scan --pattern 'tr1:*' | wc -l)
hashed=$(rcli --scan --pattern 'tr1:t#*' | wc -l)
same "redis: every key under the prefix" "$under" "$keys"
check "redis: hashed keys (spaces, 300 bytes) among them ($hashed)" "$hashed > 0"
check "redis: raw keys with a comma kept ($(rcli --scan --pattern 'tr1:t:comma,*' | wc -l))" \
  "$(rcli --scan --pattern 'tr1:t:comma,*' | wc -l) > 0"
check "redis: no key longer than 250 bytes" "$(rcli --scan --pattern 'tr1:*' | awk '{ if (length($0) > m) m = length($0) } END {print m + 0}') <= 250"

# ---- b. gzip, zstd and csv give the same counts ----
gzip -c "$tmp/t.txt" >"$tmp/t.txt.gz"
zstd -q -c "$tmp/t.txt" >"$tmp/t.txt.zst"
python3 - "$tmp/t.txt" >"$tmp/t.csv" <<'PY'
import sys
print("timestamp_us,key,op,value_size,ttl")
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split(",")
    print("%d,%s,%s,%s,%s" % (int(f[0]) * 1000000, ",".join(f[1:-5]), f[-2], f[-4], f[-1]))
PY
n=2
for kind in gz zst csv; do
  case $kind in csv) file=$tmp/t.csv fmt=csv ;; *) file=$tmp/t.txt.$kind fmt=twitter ;; esac
  workload "$kind" "$file" $fmt "tr$n:"
  run "$kind"; rc=$?
  check "$kind: exit 0 (exit $rc)" "$rc == 0" || cat "$tmp/$kind.log"
  for t in redis memcached; do
    same "$kind, $t: the same counts as plain" "$(got "$tmp/res-$kind" $t)" "$(cat "$tmp/got-$t")"
  done
  n=$((n + 1))
done

# incr and decr: both an increment of the key's counter, on both servers,
# none failing, the records' hits as before.
"$gen" --lines 2000 --keys 100 --seed 9 --mix get=0.4,set=0.3,delete=0.1,incr=0.1,decr=0.1 >"$tmp/incr.txt"
expected "$tmp/incr.txt" twitter >"$tmp/want-incr"
check "incr: the trace has incr rows ($(grep -c '^incr' "$tmp/want-incr"))" "$(grep -c '^incr' "$tmp/want-incr") == 1"
workload incr "$tmp/incr.txt" twitter "tr8:"
run incr; rc=$?
check "incr: exit 0 (exit $rc)" "$rc == 0" || cat "$tmp/incr.log"
for t in redis memcached; do
  same "incr, $t: per op as an exact replay" "$(got "$tmp/res-incr" $t | awk '{print $1, $2, $3}')" "$(cat "$tmp/want-incr")"
  same "incr, $t: no error" "$(got "$tmp/res-incr" $t | awk '{s += $4} END {print s + 0}')" 0
done

# ---- c. open loop at speed 2 ----
"$gen" --lines 600 --keys 50 --span 3 --format csv --seed 3 >"$tmp/paced.csv"
workload paced "$tmp/paced.csv" csv "tr9:" ", speed: 2"
run paced; rc=$?
check "paced: exit 0 (exit $rc)" "$rc == 0" || cat "$tmp/paced.log"
for t in redis memcached; do
  d=$(csvtab "$(ls -d "$tmp/res-paced"/*/ | head -1)summary.csv" |
    awk -F'\t' -v t=$t 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["target"] == t { print $c["duration_s"]; exit }')
  check "paced, $t: a 3 s trace at speed 2 takes at least 1.5 s (duration_s $d)" "$d >= 1.5"
done

# ---- d. bad traces ----
"$gen" --lines 3000 --keys 50 --bad 5 >"$tmp/bad5.txt"
workload bad5 "$tmp/bad5.txt" twitter "tr10:"
expect_rc 2 "a bad line 5: exit 2" -- "$bench" validate "$tmp/bad5.yaml"
contains "$tmp/err" "bad5.txt:5: unknown op 'notanop'" "a bad line 5 is named FILE:LINE"
expect_rc 2 "a bad line 5: bench run exits 2" -- "$bench" run "$tmp/bad5.yaml" --servers external --out "$tmp/res-bad5"
[ -e "$tmp/res-bad5" ] && fail "bad5: a result directory was written" || ok
"$gen" --lines 3000 --keys 50 --bad 2500 >"$tmp/bad2500.txt"
workload bad2500 "$tmp/bad2500.txt" twitter "tr11:"
run bad2500; rc=$?
check "a bad line 2500 (past the checked lines): exit 1 (exit $rc)" "$rc == 1"
for t in redis memcached; do
  same "bad2500, $t: one error" "$(got "$tmp/res-bad2500" $t | awk '{s += $4} END {print s + 0}')" 1
done
contains "$(ls -d "$tmp/res-bad2500"/*/ | head -1)run.json" "bad2500.txt:2500: unknown op" "bad2500: FILE:LINE in run.json"
# refused NAME KEYSPACE PHASES MESSAGE...: a workload with that keyspace
# and phases does not validate (exit 2) and says each MESSAGE. T is the
# test's trace in KEYSPACE.
refused() {
  local name=$1 ks=${2//T/$tmp\/t.txt} phases=$3 m; shift 3
  printf 'name: x\ntargets: [redis]\nkeyspace: {%s}\nphases: [%s]\n' "$ks" "$phases" >"$tmp/$name.yaml"
  expect_rc 2 "$name: exit 2" -- "$bench" validate "$tmp/$name.yaml"
  for m; do contains "$tmp/err" "$m" "$name"; done
}
refused missing 'trace: "'"$tmp"'/none.txt"' '{name: r}' "none.txt: cannot open"
refused format 'trace: "T", format: tsv' '{name: r}' "keyspace.format must be twitter or csv, not 'tsv'"
refused ops 'trace: "T"' '{name: r, ops: 10, mix: {get: 1}}' \
  "ops does not apply under keyspace.trace" "mix does not apply under keyspace.trace"
refused notrace 'format: csv, speed: 2' '{name: r, ops: 10, mix: {get: 1}}' \
  "keyspace.format applies to a trace; give keyspace.trace too" "keyspace.speed applies to a trace"
refused pipeline 'trace: "T", speed: 2' '{name: r, pipeline: 4, rate: 10}' \
  "sends one request at a time: pipeline must be 1" "rate does not apply under keyspace.trace"
refused speed0 'trace: "T", speed: 0' '{name: r}' "keyspace.speed"
printf 'name: x\ntargets: [redis]\nkeyspace: {trace: "%s/t.txt"}\nphases: [{name: r, clients: 3, duration: 1s}]\n' "$tmp" >"$tmp/good.yaml"
expect_rc 0 "a trace phase with clients and duration validates" -- "$bench" validate "$tmp/good.yaml"

# ---- e. memory: bounded whatever the trace's length ----
maxrss() { # maxrss WORKLOAD: bench's peak RSS in kB (it spawns nothing on the null driver)
  python3 - "$bench" "$1" "$tmp/res-mem" <<'PY'
import resource, subprocess, sys
rc = subprocess.run([sys.argv[1], "run", sys.argv[2], "--out", sys.argv[3], "--quiet"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if rc == 0 else -1)
PY
}
"$gen" --lines 10000 --keys 1000 --seed 5 >"$tmp/small.txt"
"$gen" --lines 1000000 --keys 100000 --seed 5 | gzip -1 >"$tmp/large.txt.gz"
for f in small.txt large.txt.gz; do
  printf 'name: mem\ntargets: [{name: n, driver: "null"}]\nkeyspace: {trace: "%s/%s"}\nphases: [{name: r, clients: 2}]\n' \
    "$tmp" "$f" >"$tmp/mem-$f.yaml"
done
small=$(maxrss "$tmp/mem-small.txt.yaml")
large=$(maxrss "$tmp/mem-large.txt.gz.yaml")
check "memory: peak RSS for 10^4 lines ${small} kB, 10^6 lines ${large} kB: within 16 MB" \
  "$small > 0 && $large > 0 && $large - $small < 16384"

finish trace_replay
