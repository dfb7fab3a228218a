#!/usr/bin/env bash
# Production-shaped load (keyspace.key_size, values.size: fb_etc, arrival:
# fb_etc; docs/workload-format.md) on real servers.
#
# a. The keys and values a load writes, read back from a private
#    redis-server (--keep): exactly one key per record, each the prefix,
#    the record's 12 digits and '.' padding (so unique, under the prefix and
#    in record order), 14 to 250 bytes long; their lengths and the values'
#    sizes checked against the distributions' closed forms: for the keys,
#    the share of lengths <= k against the GEV's F(k + 1) (the prefix and
#    digits, 14 bytes, raise what is shorter); for the values, the share of
#    each of the head's most common sizes (2, 3 and 11 bytes) and of all
#    sizes under 15 bytes against the table. Tolerances: 5 binomial
#    standard deviations of the 3000 records.
# b. Load, then gets with fb_etc arrivals, on spawned redis-server and
#    memcached, each engine: every get hits (hit ratio 1, no error), which
#    a record whose key length differed between the load and the reads, or
#    between clients, would not.
# Usage: fb_etc.sh BENCH_BINARY
set -uo pipefail
bench=$1
tmp_name=fb_etc
source "$(dirname "$0")/../lib/servers.sh"
need python3

start_redis || { fail "redis-server did not start"; finish fb_etc; exit 1; }

# ---- a. what the load wrote --------------------------------------------------
cat >"$tmp/keys.yaml" <<YAML
name: keys
targets: [{name: redis, driver: redis, uri: "redis://127.0.0.1:$rport"}]
keyspace: {records: 3000, prefix: "e:", key_size: fb_etc}
values: {size: fb_etc}
phases: [{name: load, type: load, clients: 2}]
YAML
"$bench" run "$tmp/keys.yaml" --quiet --no-charts --keep --out "$tmp/res-keys" >"$tmp/keys.log" 2>&1 \
  || fail "load: $(tail -3 "$tmp/keys.log")"
rcli --scan --pattern 'e:*' >"$tmp/keys"
sed 's/^/STRLEN /' "$tmp/keys" | rcli >"$tmp/lens"
python3 - "$tmp/keys" "$tmp/lens" >"$tmp/keys.out" <<'PY'
import math, re, sys
keys = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
lens = [int(x) for x in open(sys.argv[2]).read().split()]
n = 3000
tol = lambda p: 5 * math.sqrt(p * (1 - p) / n)
bad = []
def want(what, cond):
    print(("ok   - " if cond else "FAIL - ") + what)
ids = []
for k in keys:
    m = re.fullmatch(rb"e:([0-9]{12})(\.*)", k)
    if not m:
        bad.append(k)
        continue
    ids.append(int(m.group(1)))
want("every key is the prefix, 12 digits and padding (%d not)" % len(bad), not bad)
want("one key per record (%d keys, %d distinct ids)" % (len(keys), len(set(ids))), sorted(ids) == list(range(n)))
want("keys sort in record order", [int(k[2:14]) for k in sorted(keys)] == sorted(ids))
L = [len(k) for k in keys]
want("key lengths within [14, 250] (%d..%d)" % (min(L), max(L)), min(L) >= 14 and max(L) <= 250)
mu, sigma, xi = 30.7984, 8.20449, 0.078688
F = lambda x: math.exp(-(1 + xi * (x - mu) / sigma) ** (-1 / xi))
for k in (20, 25, 30, 34, 40, 50, 70):
    share = sum(1 for l in L if l <= k) / n
    p = F(k + 1)
    want("key length <= %d: share %.4f, GEV %.4f (tolerance %.4f)" % (k, share, p, tol(p)), abs(share - p) <= tol(p))
head = [0.00536, 0.00047, 0.17820, 0.09239, 0.00018, 0.02740, 0.00065, 0.00606, 0.00023, 0.00837, 0.00837,
        0.08989, 0.00092, 0.00326, 0.01980]
want("a value size per key (%d)" % len(lens), len(lens) == n)
for s in (2, 3, 11):
    share = sum(1 for v in lens if v == s) / n
    want("values of %d bytes: share %.4f, table %.5f" % (s, share, head[s]), abs(share - head[s]) <= tol(head[s]))
share = sum(1 for v in lens if v < 15) / n
p = sum(head)
want("values under 15 bytes: share %.4f, table %.5f" % (share, p), abs(share - p) <= tol(p))
want("no value over 1000000 bytes", max(lens) <= 1000000)
PY
cat "$tmp/keys.out"
passed=$((passed + $(grep -c '^ok' "$tmp/keys.out")))
failed=$((failed + $(grep -c '^FAIL' "$tmp/keys.out")))
[ -s "$tmp/keys.out" ] || fail "the key check printed nothing"

# ---- b. every get finds its record -------------------------------------------
cat >"$tmp/run.yaml" <<YAML
name: etc
targets: [redis, memcached]
keyspace: {records: 2000, prefix: "etc:", key_size: fb_etc}
values: {size: fb_etc}
phases:
  - {name: load, type: load, clients: 2}
  - {name: run, duration: 2s, clients: 2, rate: 1000, arrival: fb_etc, mix: {get: 1}}
YAML
for engine in event blocking; do
  envs=(); [ "$engine" = blocking ] && envs=(BENCH_ENGINE_BLOCKING=1)
  rm -rf "$tmp/res-run"
  env "${envs[@]}" "$bench" run "$tmp/run.yaml" --quiet --no-charts --out "$tmp/res-run" >"$tmp/run.log" 2>&1 \
    || fail "$engine: bench run: $(tail -3 "$tmp/run.log")"
  res=$(ls -d "$tmp/res-run"/*/ | head -1)
  csvtab "$res/summary.csv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["phase"] == "run" { print $c["target"], $c["ops"], $c["misses"], $c["errors"] + $c["timeouts"] + $c["disconnects"] }' \
    >"$tmp/sum"
  for t in redis memcached; do
    read -r _ ops misses errs < <(grep "^$t " "$tmp/sum")
    check "$engine/$t: gets answered (${ops:-0}), all hits (misses ${misses:-?}), no error (${errs:-?})" \
      "${ops:-0} > 0 && ${misses:-1} == 0 && ${errs:-1} == 0"
  done
done

# run.json records the inputs.
contains "$res/run.json" '"arrival": "fb_etc"' "run.json: the phase's arrival"
python3 -c 'import json, sys; w = json.load(open(sys.argv[1]))["workload"]
sys.exit(0 if w["keyspace"]["key_size"] == {"distribution": "fb_etc", "min": 0, "max": 250}
         and w["values"]["distribution"] == "fb_etc" and w["values"]["size_max"] == 1000000 else 1)' "$res/run.json" \
  && ok || fail "run.json: key_size and values as fb_etc with their clamps"

finish fb_etc
