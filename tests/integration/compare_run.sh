#!/usr/bin/env bash
# The targets of a run set against each other, end to end: `bench run` of
# one workload with repeat: 3 on spawned redis-server and memcached and the
# null driver writes comparison.csv and results.json whose means are the
# means of the summary.csv rows they come from, whose ratios are the means'
# quotients, whose verdicts follow the intervals, and where memcached
# (which cannot do range) is marked mix_differs; the terminal ends with the
# comparison. With one repeat: no interval, no verdict. The warning about
# an op a target lacks reaches run.json, is printed only when that target
# runs, and never under --quiet (which prints only the results: line).
# Usage: compare_run.sh BENCH_BINARY SOURCE_DIR (77 = a server or python3
# is missing, unless CI=true).
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare-run-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
need redis-server memcached python3
cd "$src"

# Every figure of comparison.csv from summary.csv, by docs/csv-schema.md's
# rules, and results.json against both. Prints one line per failure.
cat >"$tmp/check.py" <<'PY'
import csv, json, math, sys
d = sys.argv[1]
want_mix = dict(a.split("=") for a in sys.argv[2:])   # target=0|1 for the run phase
T975 = {1: 12.7062, 2: 4.3027, 3: 3.1824, 4: 2.7764, 5: 2.5706}
READS = {"get", "range", "query", "fuzzy", "hget", "lrange", "smembers", "zrangebyscore", "rmw"}
HEADER = ("workload,phase,op,sweep_key,sweep_value,metric,better,target,server,n,mean,ci_low,ci_high,ratio,"
          "ratio_ci_low,ratio_ci_high,rank,verdict,mix_differs,effective_mix").split(",")
bad = []
def fail(msg): bad.append(msg)
def near(a, b, rel=1e-8): return abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)
def num(s): return None if s in ("", "unsupported") else float(s)

summ = list(csv.DictReader(open(d + "/summary.csv")))
rdr = csv.reader(open(d + "/comparison.csv"))
if next(rdr) != HEADER: fail("comparison.csv header")
cmp = [dict(zip(HEADER, r)) for r in rdr]
if not cmp: fail("comparison.csv has no rows")
key = lambda r: (r["workload"], r["phase"], r["op"], r["sweep_key"], r["sweep_value"])

def values(rows, metric):
    out = []
    for r in rows:
        if metric == "hit_ratio":
            ops = int(r["ops"])
            if r["op"] in READS and ops > 0: out.append((ops - int(r["misses"])) / ops)
        elif num(r[metric]) is not None: out.append(num(r[metric]))
    return out

def sent(r): return int(r["ops"]) + int(r["errors"]) + int(r["timeouts"]) + int(r["disconnects"])

# Means, intervals and n from the summary rows.
for c in cmp:
    rows = [r for r in summ if key(r) == key(c) and r["target"] == c["target"]]
    v = values(rows, c["metric"])
    if int(c["n"]) != len(v): fail(f"n of {c['target']} {c['op']} {c['metric']}: {c['n']} != {len(v)}")
    if not v:
        if c["mean"] or c["rank"] or c["verdict"]: fail(f"{c['target']} {c['metric']}: no values, yet figures")
        continue
    m = sum(v) / len(v)
    if not near(float(c["mean"]), m): fail(f"mean of {c['target']} {c['op']} {c['metric']}: {c['mean']} != {m}")
    if len(v) >= 2:
        sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))
        h = T975[len(v) - 1] * sd / math.sqrt(len(v))
        if not (near(float(c["ci_low"]), m - h, 1e-6) or abs(float(c["ci_low"]) - (m - h)) < 1e-6):
            fail(f"ci_low of {c['target']} {c['op']} {c['metric']}: {c['ci_low']} != {m - h}")
    elif c["ci_low"] or c["ci_high"] or c["ratio_ci_low"] or c["verdict"]:
        fail(f"{c['target']} {c['metric']}: one repeat, yet an interval or a verdict")

# Ratios, ranks, verdicts within each phase x op x sweep point x metric.
groups = {}
for c in cmp: groups.setdefault(key(c) + (c["metric"],), []).append(c)
for g, rows in groups.items():
    if len({r["target"] for r in rows}) < 2: fail(f"{g}: a comparison of fewer than two targets")
    have = [r for r in rows if r["mean"]]
    if not have: continue
    higher = rows[0]["better"] == "higher"
    best = (max if higher else min)(have, key=lambda r: float(r["mean"]))
    for r in have:
        q = float(r["mean"]) / float(best["mean"]) if float(best["mean"]) else 1.0
        if not near(float(r["ratio"]), q, 1e-8): fail(f"{g} {r['target']}: ratio {r['ratio']} != {q}")
        better = [x for x in have if (float(x["mean"]) > float(r["mean"]) if higher else float(x["mean"]) < float(r["mean"]))]
        if int(r["rank"]) != 1 + len(better): fail(f"{g} {r['target']}: rank {r['rank']}")
        if r["ratio_ci_low"] and not float(r["ratio_ci_low"]) <= float(r["ratio"]) <= float(r["ratio_ci_high"]):
            fail(f"{g} {r['target']}: ratio outside its interval")
        if int(r["n"]) < 2 or int(best["n"]) < 2:
            want = ""
        elif r["rank"] == "1":
            want = "best"
        else:
            lap = max(float(r["ci_low"]), float(best["ci_low"])) <= min(float(r["ci_high"]), float(best["ci_high"]))
            want = "tie" if lap else "worse"
        if r["verdict"] != want: fail(f"{g} {r['target']}: verdict {r['verdict']!r}, want {want!r}")

# Rows exactly where two targets or more sent the op.
ran = {}
for r in summ:
    if sent(r) > 0: ran.setdefault(key(r), set()).add(r["target"])
for k, t in ran.items():
    have = {c["target"] for c in cmp if key(c) == k}
    if (len(t) >= 2) != bool(have) or (have and have != t): fail(f"{k}: comparison rows for {have}, ran {t}")

# Like for like: who ran a different mix, and what it ran.
for c in cmp:
    want = want_mix.get(c["target"], "0") if c["phase"] == "run" else "0"
    if c["mix_differs"] != want: fail(f"{c['phase']} {c['target']}: mix_differs {c['mix_differs']}, want {want}")
    if c["mix_differs"] == "1" and "range" in c["effective_mix"]: fail(f"{c['target']}: effective mix has range")
    shares = [float(x.split(":")[1]) for x in c["effective_mix"].split()]
    if abs(sum(shares) - 1) > 0.003: fail(f"{c['target']}: effective mix {c['effective_mix']} does not add up")

# results.json: the same rows, typed.
res = json.load(open(d + "/results.json"))
if res.get("schema_version") != 1: fail("results.json schema_version")
def same(j, s):
    if s == "": return j is None or j == ""
    if isinstance(j, bool): return s == ("1" if j else "0")
    if isinstance(j, (int, float)): return near(float(j), float(s), 1e-12)
    return j == s
if len(res["summary"]) != len(summ): fail("results.json summary: row count")
for j, s in zip(res["summary"], summ):
    for k, v in s.items():
        if not same(j.get(k), v): fail(f"results.json summary {k}: {j.get(k)!r} != {v!r}"); break
if len(res["comparison"]) != len(cmp): fail("results.json comparison: row count")
for j, c in zip(res["comparison"], cmp):
    for k in HEADER:
        if not same(j.get(k), c[k]): fail(f"results.json comparison {k}: {j.get(k)!r} != {c[k]!r}"); break
run = json.load(open(d + "/run.json"))
if res["workload"] != run["workload"]: fail("results.json workload differs from run.json's")
if [t["name"] for t in res["targets"]] != [t["name"] for t in run["targets"]]: fail("results.json targets")
if any("runs" in t for t in res["targets"]): fail("results.json targets hold runs")
for msg in bad[:20]: print("FAIL - " + msg)
sys.exit(1 if bad else 0)
PY

cat >"$tmp/w.yaml" <<'YAML'
name: cmp-e2e
seed: 11
targets: [redis, memcached, {name: nil, driver: null}]
keyspace: {records: 300, prefix: "cmpe:"}
values: {size: 32}
repeat: 3
phases:
  - {name: load, batch: 50, clients: 2}
  - {name: run, ops: 3000, clients: 2, mix: {get: 0.5, set: 0.3, range: 0.2}}
YAML

expect_rc 0 "run with repeat: 3 on redis, memcached and null" -- "$bench" run "$tmp/w.yaml" --out "$tmp/res" --no-charts
dir=$(ls -d "$tmp"/res/*/ | head -1)
for f in comparison.csv results.json; do nonempty "$dir$f" "$f in the result directory"; done
python3 "$tmp/check.py" "$dir" memcached=1 && pass "comparison.csv and results.json follow summary.csv" \
  || fail "comparison.csv and results.json follow summary.csv"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dir/results.json" && ok || fail "results.json parses"
# The terminal: the workload and its mix on top, then the comparison.
out=$tmp/out
contains "$out" "^cmp-e2e ($tmp/w.yaml): 3 repeats" "the workload on top"
contains "$out" "^  run (run): mix get 0.5, set 0.3, range 0.2$" "its mix on top"
contains "$out" "^phase load (load): 2 clients, batch 50$" "load rows apart, with what the load ran"
contains "$out" "^phase run (run): 2 clients, pipeline 1$" "run rows apart, with what the run ran"
contains "$out" "^  op  *target  *ops/s  *vs best  *p99 us  *vs best  *hit ratio" "the comparison's header"
contains "$out" "^  get  *\(redis\|memcached \*\|nil\)  *[0-9.]* ± [0-9.]*  " "ops/s with its interval"
contains "$out" "  \(best\|tie\|worse\)  " "verdicts"
contains "$out" "^         memcached \*  *unsupported$" "memcached's range: unsupported, where the figures are"
contains "$out" "^  \* memcached ran get:0\.[0-9]* set:0\.[0-9]* (range unsupported there): not the mix the others ran" \
  "the mix note where the figures are"
[ "$(grep -c 'CPU us/op' "$out")" -eq 2 ] && ok || fail "CPU per op once per phase: $(grep -c 'CPU us/op' "$out") tables"
contains "$out" "^results: $tmp/res/" "the last line says where the results are"
[ "$(tail -1 "$out" | cut -c1-9)" = "results: " ] && ok || fail "results: is the last line"
[ "$(grep -c "warning: op 'range' is not supported by target 'memcached'" "$tmp/err")" -eq 1 ] && ok \
  || fail "the unsupported op is said once before the run"
lacks "$out" "warning: .*not supported by target" "and not again at the end"
grep -q "not supported by target 'memcached'" "$dir/run.json" && ok || fail "run.json's warnings name memcached's range"

# --target redis: nothing about memcached, on the terminal or in run.json.
expect_rc 0 "run --target redis" -- "$bench" run "$tmp/w.yaml" --out "$tmp/res-r" --no-charts --target redis \
  --set repeat=1 --set phases.run.ops=300
lacks "$tmp/err" "memcached" "--target redis says nothing about memcached"
lacks "$tmp/out" "memcached" "--target redis shows nothing of memcached"
rdir=$(ls -d "$tmp"/res-r/*/ | head -1)
lacks "$rdir/run.json" "not supported by target" "run.json has no warning for a target that did not run"
# One target: no comparison rows, the header alone; results.json all the same.
[ "$(wc -l <"$rdir/comparison.csv")" -eq 1 ] && ok || fail "one target: comparison.csv is its header alone"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not (d["comparison"] == [] and len(d["summary"]) == 4))' \
  "$rdir/results.json" && ok || fail "one target: results.json has the summary rows and no comparison"

# One repeat, --quiet: nothing printed but where the results went (not the
# warning either); no interval, no verdict, ratios all the same.
expect_rc 0 "run with one repeat, --quiet" -- "$bench" run "$tmp/w.yaml" --out "$tmp/res-1" --no-charts --quiet \
  --set repeat=1 --set phases.run.ops=600 --target memcached,nil
[ ! -s "$tmp/err" ] && [ "$(grep -vc '^results: ' "$tmp/out")" -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && ok \
  || fail "--quiet printed: $(head -c 300 "$tmp/out" "$tmp/err")"
odir=$(ls -d "$tmp"/res-1/*/ | head -1)
python3 "$tmp/check.py" "$odir" memcached=1 && pass "one repeat: comparison.csv follows summary.csv" \
  || fail "one repeat: comparison.csv follows summary.csv"
awk -F, 'NR > 1 && ($10 > 1 || $12 != "" || $13 != "" || $15 != "" || $18 != "") { bad = 1 } END { exit bad }' \
  "$odir/comparison.csv" && ok || fail "one repeat: n 1, no interval, no verdict"
grep -q "not supported by target 'memcached'" "$odir/run.json" && ok || fail "--quiet: the warning still reaches run.json"

finish compare_run
