#!/usr/bin/env bash
# claims.sh - spawn arguments and `bench claims` end to end.
# Usage: claims.sh BENCH_BINARY SOURCE_DIR
#
# (1) A target's spawn: {args: [...]} reaches the spawned server: memcached
#     -t 3 reports threads=3, Redis --appendonly yes --appendfsync always
#     reports them, run.json records the arguments; under --servers external
#     they are ignored with a warning. (2) `bench claims --quick --only
#     memcached-kv-only` on the shipped claim: exit 0, claims.csv with one
#     SUPPORTED row, its figures, host cores and the servers that answered.
#     (3) Crafted claims on the null driver: a verdict REFUTED and an
#     INCONCLUSIVE one from the expression, NOT RUN for an experiment, a
#     compose profile and a missing server program, each reason starting
#     with what the claim needs; invalid claim files and an unknown --only
#     exit 2 writing nothing. (4) A claim whose expression reads a target
#     FerretDB answered (the spawned stand-in for MongoDB) is NOT RUN with
#     "needs MongoDB: ..." first, its figures kept as the stand-in's; so is
#     one reading a cache-aside phase whose store FerretDB answered
#     (claims.csv's stand_in_verdict, stand_in_reason; report.html, grey);
#     the same targets with an expression that does not read the stand-in
#     get their verdict. (5) The claims directory's logs, run.json and
#     reports name its final directory, not the temporary one; the
#     recorded command pastes back; the runs have charts; "Its run" links
#     the run's report.html.
# Exit 77 (skipped) when redis-server or memcached is missing (a failure
# under CI=true).
set -uo pipefail
bench=$1
src=$2
tmp_name=claims
source "$(dirname "$0")/../lib/servers.sh"
cd "$src" || exit 1

# run_rc WANT DESCRIPTION -- CMD...: output in $tmp/out, $tmp/err.
run_rc() {
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then pass "$what: exit $rc"; else fail "$what: exit $rc, want $want"; printf '%s\n' "$(<"$tmp/out")" "$(<"$tmp/err")"; fi
}
has() { if grep -q -- "$2" "$1"; then pass "$3"; else fail "$3: '$2' not in $1"; head -c 1500 "$1"; fi; }
# field FILE ID COLUMN: a field of claims.csv's row ID, by header name
# (python's csv module: the reasons hold quoted commas).
field() {
  python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(next(r[sys.argv[3]] for r in rows if r["id"] == sys.argv[2]))' "$@"
}

# --- (1) spawn arguments ---
cat >"$tmp/spawn.yaml" <<'YAML'
name: spawn-args
targets:
  - {name: mc3, driver: memcached, spawn: {args: ["-t", "3", "-m", "64"]}}
  - name: raof
    driver: redis
    spawn: {args: ["--appendonly", "yes", "--appendfsync", "always", "--save", "60 1000"]}
keyspace: {records: 100, prefix: "claims-test:"}
phases:
  - {name: load}
  - {name: run, ops: 200, mix: {get: 1}}
YAML
run_rc 0 "spawn args" -- "$bench" run "$tmp/spawn.yaml" --out "$tmp/res-spawn" --quiet --no-charts
json=$(ls -d "$tmp"/res-spawn/*/)run.json
jq_or_py() { python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in d["targets"]}
print(eval(sys.argv[2]))' "$json" "$1"; }
[ "$(jq_or_py 't["mc3"]["server"]["config"]["threads"]')" = 3 ] && pass "memcached -t 3 runs 3 threads" ||
  fail "memcached -t 3: run.json config threads is $(jq_or_py 't["mc3"]["server"]["config"].get("threads")')"
[ "$(jq_or_py 't["mc3"]["server"]["config"]["limit_maxbytes"]')" = 67108864 ] && pass "memcached -m 64 (the last -m wins)" ||
  fail "memcached -m 64: limit_maxbytes $(jq_or_py 't["mc3"]["server"]["config"].get("limit_maxbytes")')"
[ "$(jq_or_py '" ".join(t["mc3"]["spawn_args"])')" = "-t 3 -m 64" ] && pass "run.json records spawn_args" ||
  fail "run.json spawn_args: $(jq_or_py 't["mc3"].get("spawn_args")')"
[ "$(jq_or_py '(t["raof"]["server"]["config"]["appendonly"], t["raof"]["server"]["config"]["appendfsync"], t["raof"]["server"]["config"]["save"])')" = "('yes', 'always', '60 1000')" ] &&
  pass "redis --appendonly yes --appendfsync always --save '60 1000'" ||
  fail "redis spawn args: config $(jq_or_py 't["raof"]["server"]["config"]')"

# A bad argument: the server exits, the target is not run (exit 3), the
# message has the server's own complaint.
cat >"$tmp/spawn-bad.yaml" <<'YAML'
name: spawn-bad
targets: [{name: mc, driver: memcached, spawn: {args: ["--no-such-option"]}}]
phases: [{name: run, ops: 10, mix: {get: 1}}]
YAML
run_rc 3 "spawn with a bad argument" -- "$bench" run "$tmp/spawn-bad.yaml" --out "$tmp/res-bad" --quiet --no-charts
has "$tmp/err" "memcached exited" "a bad spawn argument names the server's exit"

# --servers external: ignored, with a warning; the server's config says what ran.
start_memcached || { fail "could not start memcached"; exit 1; }
BENCH_MEMCACHED_SERVERS=127.0.0.1:$mport run_rc 0 "spawn args under --servers external" -- \
  "$bench" run "$tmp/spawn.yaml" --servers external --target mc3 --out "$tmp/res-ext" --no-charts
has "$tmp/out" "warning: mc3: spawn ignored with --servers external" "external: the warning"
json=$(ls -d "$tmp"/res-ext/*/)run.json
[ "$(jq_or_py 't["mc3"]["server"]["config"]["threads"]')" = 1 ] && pass "external: the server's own threads=1" ||
  fail "external: threads $(jq_or_py 't["mc3"]["server"]["config"].get("threads")')"
stop_pid "$mpid"

# --- (2) a shipped claim, end to end ---
run_rc 0 "bench claims --quick --only memcached-kv-only" -- "$bench" claims --quick --only memcached-kv-only --out "$tmp/res-claims"
csv=$(ls -d "$tmp"/res-claims/*-claims/)claims.csv
has "$csv" "^id,verdict,reason,figures,statement,notes,expect,host_cores,needs_cores,servers,servers_mode,quick,result,stand_in_verdict,stand_in_reason$" "claims.csv header"
[ "$(($(wc -l <"$csv")))" -eq 2 ] && pass "one claim row" || fail "claims.csv has $(wc -l <"$csv") lines, want 2"
[ "$(field "$csv" memcached-kv-only verdict)" = SUPPORTED ] && pass "memcached-kv-only SUPPORTED" ||
  fail "memcached-kv-only: $(field "$csv" memcached-kv-only verdict): $(field "$csv" memcached-kv-only reason)"
field "$csv" memcached-kv-only figures >"$tmp/fig"
has "$tmp/fig" "^memcached.range.unsupported = [0-9.]* ± [0-9.e+]* (n=3); " "figures: mean ± interval over 3 repeats"
[ "$(field "$csv" memcached-kv-only host_cores)" = "$(nproc)" ] && pass "host cores recorded" || fail "host_cores $(field "$csv" memcached-kv-only host_cores) != $(nproc)"
field "$csv" memcached-kv-only servers >"$tmp/srv"
has "$tmp/srv" "^memcached=memcached [0-9.]*; redis=Redis [0-9.]*$" "servers: the identities that answered"
[ "$(field "$csv" memcached-kv-only quick)" = true ] && pass "quick recorded" || fail "quick column"
res=$(dirname "$csv")/$(field "$csv" memcached-kv-only result)
[ -s "$res/summary.csv" ] && pass "the claim's run directory is kept" || fail "no summary.csv in $res"
has "$(dirname "$csv")/runs/memcached-kv-only.log" "^\$ bench run .*--set repeat=3" "the log starts with the command"
has "$tmp/out" "^memcached-kv-only  *SUPPORTED " "the table"
[ -z "$(ls -A "$tmp/res-claims" | grep '^\.tmp' || true)" ] && pass "no temporary directory left" || fail "a .tmp directory is left"

# --- (3) crafted claims: every outcome but SUPPORTED (above) ---
mkdir -p "$tmp/claims"
cat >"$tmp/claims/c-refuted.yaml" <<'YAML'
name: c-refuted
targets: [null]
phases: [{name: run, ops: 1000, clients: 2, mix: {get: 1}}]
repeat: 3
claim:
  id: c-refuted
  statement: the null driver answers more than 1e15 requests per repeat
  expect: null.get.ops > 1e15
YAML
cat >"$tmp/claims/c-one-repeat.yaml" <<'YAML'
name: c-one-repeat
targets: [null]
phases: [{name: run, ops: 1000, mix: {get: 1}}]
claim:
  id: c-one-repeat
  statement: one repeat cannot give an interval
  expect: null.get.ops > 0
YAML
cat >"$tmp/claims/c-experiment.yaml" <<'YAML'
name: c-experiment
targets: [null]
phases: [{name: run, ops: 10, mix: {get: 1}}]
claim: {id: c-experiment, statement: x, needs: {experiment: a ledger}}
YAML
cat >"$tmp/claims/c-profile.yaml" <<'YAML'
name: c-profile
targets: [null]
phases: [{name: run, ops: 10, mix: {get: 1}}]
claim: {id: c-profile, statement: x, expect: null.get.ops > 0, needs: {profile: sharded}}
YAML
cat >"$tmp/claims/c-noserver.yaml" <<'YAML'
name: c-noserver
targets: [redis]
phases: [{name: run, ops: 10, mix: {get: 1}}]
claim: {id: c-noserver, statement: x, expect: redis.get.ops > 0}
YAML
cat >"$tmp/claims/c-noprogram.yaml" <<'YAML'
name: c-noprogram
targets: [null, {name: m, driver: mongodb, spawn: {program: mongod}}]
phases: [{name: run, ops: 10, mix: {get: 1}}]
claim: {id: c-noprogram, statement: x, expect: null.get.ops > 0}
YAML
PATH=/nonexistent run_rc 0 "crafted claims" -- "$bench" claims --claims "$tmp/claims" --out "$tmp/res-crafted"
csv=$(ls -d "$tmp"/res-crafted/*-claims/)claims.csv
[ "$(field "$csv" c-refuted verdict)" = REFUTED ] && pass "REFUTED" || fail "c-refuted: $(field "$csv" c-refuted verdict)"
field "$csv" c-refuted reason >"$tmp/r"
has "$tmp/r" "^null.get.ops > 1e15: REFUTED (1000 ± 0 (n=3) vs 1e+15)$" "REFUTED reason"
[ "$(field "$csv" c-one-repeat verdict)" = INCONCLUSIVE ] && pass "INCONCLUSIVE with one repeat" || fail "c-one-repeat: $(field "$csv" c-one-repeat verdict)"
field "$csv" c-one-repeat reason >"$tmp/r"
has "$tmp/r" "^null.get.ops > 0: INCONCLUSIVE (1000 (n=1)" "INCONCLUSIVE reason"
has "$tmp/r" ", fewer than 2 repeats: no confidence interval)$" "INCONCLUSIVE reason: why"
has "$tmp/out" "^c-refuted  *REFUTED  *null.get.ops > 1e15: REFUTED" "the table gives the deciding comparison"
# report.html: the claims section, a chart per claim that has comparisons.
rep=$(dirname "$csv")/report.html
has "$rep" "<h3 id='c-refuted'>c-refuted: <span class='ref'>REFUTED</span></h3>" "report: the claim and its verdict"
svgs=$(grep -c "<svg" "$rep") claims_n=$(($(wc -l <"$csv") - 1))
[ "$svgs" -ge 2 ] && [ "$svgs" -le "$claims_n" ] && pass "report: $svgs charts, one per claim with figures" ||
  fail "report: $svgs charts for $claims_n claims"
has "$rep" "<title>null.get.ops</title>" "report: a bar names its side"
if grep -q "<script" "$rep"; then fail "report: has a script"; else pass "report: no script"; fi
[ "$(field "$csv" c-experiment verdict)" = "NOT RUN" ] && pass "NOT RUN: experiment" || fail "c-experiment: $(field "$csv" c-experiment verdict)"
field "$csv" c-experiment reason >"$tmp/r"
has "$tmp/r" "^experiment not built yet: a ledger$" "experiment reason"
field "$csv" c-profile reason >"$tmp/r"
has "$tmp/r" "^needs the sharded docker-compose profile: \`docker compose --profile sharded up -d\` then \`bench claims --servers external --only c-profile\`$" "profile reason"
field "$csv" c-noserver reason >"$tmp/r"
has "$tmp/r" "^needs a server for driver redis: target redis: redis-server not found on PATH" "missing server reason"
[ ! -d "$(dirname "$csv")/runs/c-noserver" ] && pass "a NOT RUN claim did not run" || fail "c-noserver ran"
field "$csv" c-noprogram reason >"$tmp/r"
has "$tmp/r" "^needs mongod: target m: mongod not found on PATH (the target's spawn.program)" "spawn.program missing: NOT RUN"

# --- (4) a stand-in answered: no verdict from it ---
if have_ferretdb; then
  mkdir -p "$tmp/standin"
  for c in c-standin c-standin-unread; do
    expect="mongodb.get.ops > 0 and null.get.ops > 0"
    [ "$c" = c-standin-unread ] && expect="null.get.ops > 0"
    cat >"$tmp/standin/$c.yaml" <<YAML
name: $c
targets: [null, {name: mongodb, driver: mongodb, spawn: {program: bench-ferretdb}}]
keyspace: {records: 50, prefix: "standin:"}
phases: [{name: load}, {name: run, ops: 200, clients: 2, mix: {get: 1}}]
repeat: 2
claim: {id: $c, statement: x, expect: "$expect"}
YAML
  done
  # A cache-aside phase whose store bench spawned: FerretDB when the host
  # has no mongod (the recipe takes mongod first).
  cat >"$tmp/standin/c-standin-store.yaml" <<YAML
name: c-standin-store
targets: [null]
keyspace: {records: 50, prefix: "standin-store:"}
phases: [{name: aside, type: cache-aside, ops: 200, clients: 2, mix: {get: 0.5, set: 0.5}, store: mongodb}]
repeat: 2
claim: {id: c-standin-store, statement: x, expect: "null.aside.get.ops > 0"}
YAML
  run_rc 0 "claims on a stand-in" -- "$bench" claims --claims "$tmp/standin" --out "$tmp/res-standin"
  csv=$(ls -d "$tmp"/res-standin/*-claims/)claims.csv
  want='needs MongoDB: the mongodb target here was FerretDB v1.24.2 (SQLite, indexed _id); `docker compose up -d` then `bench claims --servers external --only c-standin`'
  [ "$(field "$csv" c-standin verdict)" = "NOT RUN" ] && pass "a claim reading the stand-in: NOT RUN" ||
    fail "c-standin: $(field "$csv" c-standin verdict): $(field "$csv" c-standin reason)"
  [ "$(field "$csv" c-standin reason)" = "$want" ] && pass "its reason names what it needs first" ||
    fail "c-standin reason: $(field "$csv" c-standin reason)"
  [ "$(field "$csv" c-standin stand_in_verdict)" = SUPPORTED ] && pass "the stand-in's outcome is kept apart" ||
    fail "c-standin stand_in_verdict: $(field "$csv" c-standin stand_in_verdict)"
  field "$csv" c-standin stand_in_reason >"$tmp/r"
  has "$tmp/r" "^mongodb.get.ops > 0: SUPPORTED (200 ± 0 (n=2) vs 0); null.get.ops > 0: SUPPORTED" "the stand-in's figures"
  [ -z "$(field "$csv" c-standin figures)" ] && pass "no figures given as evidence" || fail "c-standin figures: $(field "$csv" c-standin figures)"
  res=$(dirname "$csv")/$(field "$csv" c-standin result)
  [ -s "$res/summary.csv" ] && pass "the stand-in's run directory is kept" || fail "no summary.csv in $res"
  has "$tmp/out" "^c-standin  *NOT RUN  *needs MongoDB: the mongodb target here was FerretDB v1.24.2 (SQLite, indexed _id)" \
    "the terminal line starts with the reason's key words"
  [ "$(field "$csv" c-standin-unread verdict)" = SUPPORTED ] && pass "a claim not reading the stand-in gets its verdict" ||
    fail "c-standin-unread: $(field "$csv" c-standin-unread verdict): $(field "$csv" c-standin-unread reason)"
  [ -z "$(field "$csv" c-standin-unread stand_in_verdict)" ] && pass "and no stand-in outcome" || fail "c-standin-unread has a stand-in outcome"
  if ! command -v mongod >/dev/null; then
    want='needs MongoDB: the store of null'"'"'s aside phase here was FerretDB v1.24.2 (SQLite, indexed _id); a cache-aside store is a server bench spawns: install MongoDB here, then `bench claims --only c-standin-store`'
    [ "$(field "$csv" c-standin-store reason)" = "$want" ] && pass "a claim reading a phase whose store stood in: NOT RUN, the store named" ||
      fail "c-standin-store: $(field "$csv" c-standin-store verdict): $(field "$csv" c-standin-store reason)"
    [ "$(field "$csv" c-standin-store stand_in_verdict)" = SUPPORTED ] && pass "its stand-in outcome kept apart" ||
      fail "c-standin-store stand_in_verdict: $(field "$csv" c-standin-store stand_in_verdict)"
    res=$(dirname "$csv")/$(field "$csv" c-standin-store result)
    has "$res/run.json" '"store_stands_in_for": "MongoDB"' "run.json says whom the store stood in for"
  fi
  rep=$(dirname "$csv")/report.html
  has "$rep" "<h3 id='c-standin'>c-standin: <span class='nr'>NOT RUN</span></h3>" "report: NOT RUN, not a verdict's color"
  has "$rep" "The stand-in's figures, not evidence" "report: the stand-in's figures marked"
  has "$rep" "class='vd nr'>stand-in: SUPPORTED<" "report: the chart says whose outcome it is"
  if grep -q "class='vd sup'" "$rep" && ! grep -q "<h3 id='c-standin-unread'>c-standin-unread: <span class='sup'>" "$rep"; then
    fail "report: a green outcome outside the claim that has a verdict"
  else pass "report: green only where there is a verdict"; fi
elif [ "${CI:-}" = true ]; then
  fail "bench-ferretdb missing (CI=true: required)"
fi

# --- (5) what a claims directory points at (issue #20) ---
# Its runs are written into a temporary directory that is renamed at the
# end: the logs, run.json and reports name the final directory (every path
# they give exists once bench claims is done); the recorded command can be
# pasted back (the sweep override shell-quoted, an --out with a space);
# the run has its charts as a plain run does (when gnuplot is here); "Its
# run" links its report.html.
mkdir -p "$tmp/paths"
cat >"$tmp/paths/c-paths.yaml" <<'YAML'
name: c-paths
targets: [null]
phases: [{name: run, ops: 2000, clients: 2, mix: {get: 1}}]
sweep: {clients: [1, 2, 4]}
claim:
  id: c-paths
  statement: the null driver answers at every sweep point
  expect: null.get.ops[clients=1] > 0 and null.get.ops[clients=2] > 0
  quick: {sweep: "{clients: [1, 2]}"}
YAML
run_rc 0 "claims with a sweep into a directory with a space" -- \
  "$bench" claims --quick --claims "$tmp/paths" --out "$tmp/res paths"
final=$(ls -d "$tmp/res paths"/*-claims)
csv=$final/claims.csv
[ "$(field "$csv" c-paths verdict)" = SUPPORTED ] && pass "c-paths SUPPORTED" ||
  fail "c-paths: $(field "$csv" c-paths verdict): $(field "$csv" c-paths reason)"
if grep -rl -- '\.tmp-' "$final" >"$tmp/tmprefs"; then
  fail "files name the temporary directory: $(tr '\n' ' ' <"$tmp/tmprefs")"
else pass "no file names the temporary directory"; fi
log=$final/runs/c-paths.log
results=$(sed -n 's/^results: //p' "$log")
[ -n "$results" ] && [ -s "$results/summary.csv" ] && pass "the log's results line names the final directory" ||
  fail "the log's results line: '$results'"
run_json=$(ls -d "$final"/runs/c-paths/*/)run.json
python3 - "$run_json" "$log" <<'PY' && pass "run.json's and the log's command paste back: --out exists, the sweep is one word" ||
import json, os, shlex, sys
for cmd in (json.load(open(sys.argv[1]))["command"], open(sys.argv[2]).readline()[2:]):
    words = shlex.split(cmd)
    out = words[words.index("--out") + 1]
    sets = [words[i + 1] for i, w in enumerate(words) if w == "--set"]
    if not (os.path.isdir(out) and "sweep={clients: [1, 2]}" in sets):
        print("command:", cmd, "words:", words, file=sys.stderr)
        sys.exit(1)
PY
  fail "a recorded command does not paste back"
if command -v gnuplot >/dev/null; then
  ls "$(dirname "$run_json")"/charts/*.svg >/dev/null 2>&1 && pass "the claim's run has charts" ||
    fail "no charts in $(dirname "$run_json")"
fi
href=$(grep -o "Its run: <a href='[^']*'" "$final/report.html" | sed "s/.*href='//; s/'$//")
[ "${href##*/}" = report.html ] && [ -s "$final/$href" ] && pass "Its run links the run's report.html" ||
  fail "Its run links '$href'"

# --- invalid input: exit 2, nothing written ---
mkdir -p "$tmp/res-none"
run_rc 2 "unknown --only" -- "$bench" claims --claims "$tmp/claims" --only nope --out "$tmp/res-none"
has "$tmp/err" "--only: no claim 'nope'" "unknown --only named"
cat >"$tmp/claims/c-bad.yaml" <<'YAML'
name: c-bad
targets: [null]
phases: [{name: run, ops: 10, mix: {get: 1}}]
claim: {id: c-bad, statement: x, expect: "null.get.opps > 0 and ghost.get.ops > 0"}
YAML
run_rc 2 "an invalid claim file" -- "$bench" claims --claims "$tmp/claims" --out "$tmp/res-none"
has "$tmp/err" "c-bad.yaml:4:52: claim.expect: unknown column 'opps'; did you mean 'ops'?" "file:line:col of the expect error"
run_rc 2 "bench validate the invalid claim" -- "$bench" validate "$tmp/claims/c-bad.yaml"
[ -z "$(ls -A "$tmp/res-none")" ] && pass "invalid input wrote nothing" || fail "files left in $tmp/res-none"
run_rc 2 "a missing --claims directory" -- "$bench" claims --claims "$tmp/nope" --out "$tmp/res-none"
run_rc 2 "an unknown argument" -- "$bench" claims --quik --out "$tmp/res-none"
run_rc 0 "bench claims --help" -- "$bench" claims --help
has "$tmp/out" "usage: bench claims" "claims --help"
run_rc 0 "bench validate the shipped claims" -- "$bench" validate workloads/claims/*.yaml

echo "claims: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
