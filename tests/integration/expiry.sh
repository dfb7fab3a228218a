#!/usr/bin/env bash
# Expiry (values.ttl, docs/workload-format.md), with known answers on private
# redis-server, memcached and bench-ferretdb given as external servers.
#
# a. Reads after the TTL are misses. A load of 200 records with ttl 1s, then
#    a 4 s phase of gets over them at 200 req/s (open loop, so every second
#    of timeseries.csv holds about 200 gets). The phase starts after the
#    load has ended, so second s of it begins at least s seconds after every
#    record was written: from second 2 on, every record is past its TTL on
#    Redis (expiry to the millisecond). memcached counts time in whole
#    seconds (an exptime of 1 ends within 2 s of the set), so from second 3
#    on: those seconds' rows must have misses = ops > 0 and hit_ratio 0 on
#    both servers and both engines (the event engine: bench's own memcached
#    text codec; blocking: libmemcached, hiredis's blocking context). No
#    sleep: the workload's own timing puts the reads past the TTL, and no
#    upper bound on time is asserted (a slower host only moves nothing).
#    Without values.ttl the same workload hits in every second (misses 0,
#    hit_ratio 1): the misses come from the TTL.
# b. What the server was told. Redis's SLOWLOG, with every command logged
#    (slowlog-log-slower-than 0), shows the SET with PX 1500 for ttl 1500ms
#    and EX 2 for ttl 2s. memcached's meta get `mg KEY t` on a record kept
#    (--keep) after a load with ttl 1h gives a remaining TTL in (3500, 3600]
#    seconds (the load takes well under 100 s), and -1 (none) without ttl.
# c. FerretDB, the stand-in for MongoDB, does not implement TTL indexes
#    (createIndexes with expireAfterSeconds is NotImplemented): the run goes
#    on, run.json warns that no document expires there, the documents carry
#    their bench_expire_at date (the write's time + the TTL: between the
#    clock before bench started and after it ended, + 1 h), and the
#    collection has no TTL index.
# Usage: expiry.sh BENCH_BINARY MONGO_PROBE
set -uo pipefail
bench=$1 probe=$2
tmp_name=expiry
source "$(dirname "$0")/../lib/servers.sh"

start_redis || { fail "redis-server did not start"; finish expiry; exit 1; }
start_memcached || { fail "memcached did not start"; finish expiry; exit 1; }

# workload NAME TTL_LINE: the workload of (a) on both servers.
workload() {
  cat >"$tmp/$1.yaml" <<YAML
name: $1
seed: 7
targets:
  - {name: redis, driver: redis, uri: "redis://127.0.0.1:$rport"}
  - {name: memcached, driver: memcached, uri: "127.0.0.1:$mport"}
keyspace: {records: 200, prefix: "$1:"}
values: {size: 16$2}
phases:
  - {name: load, type: load, batch: 50, clients: 1}
  - {name: reads, duration: 4s, clients: 1, rate: 200, mix: {get: 1}}
YAML
}

# run NAME [ARGS...]: bench run of $tmp/NAME.yaml with the environment
# ${envs[@]}; sets res (the result directory).
envs=()
run() {
  local name=$1; shift
  rm -rf "$tmp/res-$name"
  env "${envs[@]}" "$bench" run "$tmp/$name.yaml" --quiet --no-charts --out "$tmp/res-$name" "$@" \
    >"$tmp/$name.log" 2>&1 || fail "$name: bench run failed: $(tail -3 "$tmp/$name.log")"
  res=$(ls -d "$tmp/res-$name"/*/ 2>/dev/null | head -1)
}

# rows TARGET: the reads phase's timeseries rows of TARGET: second ops misses hit_ratio.
rows() {
  csvtab "$res/timeseries.csv" | awk -F'\t' -v t="$1" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["phase"] == "reads" && $c["target"] == t && $c["op"] == "get" {
      print $c["second"], $c["ops"], $c["misses"], $c["hit_ratio"] }'
}

# ---- a. reads past the TTL miss ---------------------------------------------
workload ttl1 ", ttl: 1s"
workload nottl ""
for engine in event blocking; do
  envs=()
  [ "$engine" = blocking ] && envs=(BENCH_ENGINE_BLOCKING=1)
  run ttl1
  contains "$res/run.json" '"ttl_max_ms": 1000' "run.json records values.ttl"
  for t in redis memcached; do
    from=2; [ "$t" = memcached ] && from=3
    rows "$t" >"$tmp/rows"
    n=$(awk -v f="$from" '$1 >= f' "$tmp/rows" | wc -l)
    check "$engine/$t: the reads phase has rows from second $from on ($n)" "$n >= 1"
    bad=$(awk -v f="$from" '$1 >= f && !($2 > 0 && $3 == $2 && $4 == "0.0000")' "$tmp/rows")
    same "$engine/$t: every read from second $from on is a miss (hit_ratio 0)" "$bad" ""
  done
  run nottl
  for t in redis memcached; do
    rows "$t" >"$tmp/rows"
    n=$(wc -l <"$tmp/rows")
    check "$engine/$t without ttl: rows ($n)" "$n >= 3"
    bad=$(awk '!($2 > 0 && $3 == 0 && $4 == "1.0000")' "$tmp/rows")
    same "$engine/$t without ttl: every read hits" "$bad" ""
  done
done
# hit_ratio is for reads only: a load row has none.
csvtab "$res/timeseries.csv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["op"] == "load" && $c["hit_ratio"] != "" { bad = 1 } END { exit bad }' \
  && ok || fail "a load row has a hit_ratio"

# ---- b. the commands the servers got ----------------------------------------
envs=()
rcli CONFIG SET slowlog-log-slower-than 0 >/dev/null
rcli CONFIG SET slowlog-max-len 100000 >/dev/null
for ttl in 1500ms 2s; do
  rcli SLOWLOG RESET >/dev/null
  cat >"$tmp/px.yaml" <<YAML
name: px
targets: [{name: redis, driver: redis, uri: "redis://127.0.0.1:$rport"}]
keyspace: {records: 3, prefix: "px$ttl:"}
values: {size: 4, ttl: $ttl}
phases: [{name: load, type: load, clients: 1}]
YAML
  run px
  rcli SLOWLOG GET 100000 | LC_ALL=C tr -c '[:print:]' ' ' >"$tmp/slowlog"
  want="PX 1500"; [ "$ttl" = 2s ] && want="EX 2"
  contains "$tmp/slowlog" "SET px$ttl:000000000001 .* $want" "redis got SET with $want for ttl $ttl"
done
rcli CONFIG SET slowlog-log-slower-than 10000 >/dev/null

mc_ttl() { # KEY: the remaining TTL memcached reports (mg KEY t)
  printf 'mg %s t\r\nversion\r\n' "$1" | mc_io | tr -d '\r' | awk '$1 == "HD" { for (i = 2; i <= NF; i++) if ($i ~ /^t/) print substr($i, 2) }'
}
for ttl in 1h none; do
  line=", ttl: 1h"; [ "$ttl" = none ] && line=""
  cat >"$tmp/mc.yaml" <<YAML
name: mc
targets: [{name: memcached, driver: memcached, uri: "127.0.0.1:$mport"}]
keyspace: {records: 3, prefix: "mc$ttl:"}
values: {size: 4$line}
phases: [{name: load, type: load, clients: 1}]
YAML
  for engine in event blocking; do
    envs=(); [ "$engine" = blocking ] && envs=(BENCH_ENGINE_BLOCKING=1)
    printf 'flush_all\r\nversion\r\n' | mc_io >/dev/null
    run mc --keep
    got=$(mc_ttl "mc$ttl:000000000002")
    if [ "$ttl" = 1h ]; then
      check "memcached ($engine) holds the record with its TTL: $got s left of 3600" "${got:-0} > 3500 && ${got:-0} <= 3600"
    else
      same "memcached ($engine) without ttl: no expiry" "$got" "-1"
    fi
  done
done

# ---- c. FerretDB ----------------------------------------------------------------
if have_ferretdb && [ -x "$probe" ]; then
  start_ferretdb || fail "bench-ferretdb did not start"
  uri="mongodb://127.0.0.1:$fport"
  cat >"$tmp/fdb.yaml" <<YAML
name: fdb
targets: [{name: mongodb, driver: mongodb, uri: "$uri", options: {database: t, collection: c}}]
keyspace: {records: 5, prefix: "f:"}
values: {size: 4, ttl: 1h}
phases: [{name: load, type: load, clients: 1}]
YAML
  envs=()
  t0=$(date +%s%3N)
  run fdb --keep
  t1=$(date +%s%3N)
  contains "$res/run.json" "values.ttl: FerretDB 1.24 does not implement TTL indexes" "run.json warns that FerretDB does not expire"
  "$probe" "$uri" dump t c >"$tmp/dump" 2>&1 || fail "mongo_probe dump: $(cat "$tmp/dump")"
  same "every document carries its bench_expire_at date" "$(grep -c '"bench_expire_at" *: *{ *"\$date"' "$tmp/dump")" 5
  same "no TTL index on FerretDB (NotImplemented)" "$("$probe" "$uri" indexes t c)" "_id_"
  # Each date is the write's wall-clock time plus the TTL: between the
  # clock before bench started and after it ended, plus 3600000 ms.
  python3 - "$tmp/dump" "$t0" "$t1" <<'PY' && ok || fail "bench_expire_at is not the write's time + 1 h: $(head -c 300 "$tmp/dump")"
import json, sys
t0, t1 = int(sys.argv[2]), int(sys.argv[3])
dates = []
for line in open(sys.argv[1]):
    d = json.loads(line)["bench_expire_at"]["$date"]
    dates.append(int(d["$numberLong"]) if isinstance(d, dict) else int(d))
sys.exit(0 if len(dates) == 5 and all(t0 + 3600000 <= x <= t1 + 3600000 for x in dates) else 1)
PY
else
  echo "skip: c (bench-ferretdb or mongo_probe missing)"
fi

finish expiry
