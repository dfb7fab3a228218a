#!/usr/bin/env bash
# End to end: bench as a user types it. Usage: e2e.sh BENCH_BINARY SOURCE_DIR
# Spawns its own private servers through `bench run` (the default).
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-e2e-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"

cd "$src"

# --- the CLI surface ---
expect_rc 0 "--version" -- "$bench" --version
contains "$tmp/out" "^bench " "--version prints the version"
expect_rc 0 "help" -- "$bench" help
for cmd in run validate drivers compare chart report merge; do
  expect_rc 0 "$cmd --help" -- "$bench" "$cmd" --help
  contains "$tmp/out" "usage: bench $cmd" "$cmd --help"
done
expect_rc 2 "no arguments" -- "$bench"
expect_rc 2 "unknown command" -- "$bench" rnu
contains "$tmp/err" "did you mean 'run'" "unknown command suggests"
expect_rc 2 "claims with an unknown --only" -- "$bench" claims --only no-such-claim --out "$tmp/res-bad"
contains "$tmp/err" "no claim 'no-such-claim'" "claims names the unknown claim"
expect_rc 0 "drivers" -- "$bench" drivers
for d in redis memcached mongodb null; do contains "$tmp/out" "^$d " "drivers lists $d"; done

# --- validate ---
expect_rc 0 "validate shipped workloads" -- "$bench" validate workloads/quick.yaml workloads/kv.yaml
cat >"$tmp/bad.yaml" <<'YAML'
name: bad
keyspace:
  recods: 10
phases:
  - name: run
    duration: 1s
    mix: {get: 0.5, set: 0.4}
YAML
expect_rc 2 "validate a bad workload" -- "$bench" validate "$tmp/bad.yaml"
contains "$tmp/err" "bad.yaml:3:3: .*did you mean 'records'" "unknown key with line:col and suggestion"
contains "$tmp/err" "bad.yaml:7:" "mix not summing to 1 reported"
# Values bench could only have refused at connect (exit 3), or a rate whose
# phase never ended: refused by validate, at their place (test_workload
# has every case).
cat >"$tmp/bounds.yaml" <<'YAML'
name: bounds
targets: [{name: r, driver: redis, options: {cluster: maybe}}]
phases: [{name: run, duration: 2s, rate: 1e308, mix: {get: 1}}]
YAML
expect_rc 2 "validate bad option values and rates" -- "$bench" validate "$tmp/bounds.yaml"
contains "$tmp/err" "bounds.yaml:2:55: targets.r.options.cluster must be auto, on or off, got 'maybe'" "option value at line:col"
contains "$tmp/err" "bounds.yaml:3:42: phases.run.rate 1e308 asks each" "rate bound at line:col"
expect_rc 0 "cluster: true is cluster: on" -- "$bench" validate "$tmp/bounds.yaml" --set targets.r.options.cluster=true \
  --set phases.run.rate=1000
# An open-loop phase its client cannot keep up with ends one request
# timeout (100 ms) after its duration and says what it never sent.
cat >"$tmp/behind.yaml" <<'YAML'
name: behind
targets: [{name: n, driver: null, timeout: 100ms}]
phases: [{name: run, duration: 300ms, rate: 1e9, mix: {get: 1}}]
YAML
expect_rc 0 "run an open loop the host cannot keep" -- "$bench" run "$tmp/behind.yaml" --out "$tmp/res-behind" --no-charts
contains "$tmp/err" "never sent (behind rate 1e+09)" "the phase's line counts the requests never sent"
grep -q '"unsent": [1-9]' "$(ls -d "$tmp"/res-behind/*/ | head -1)run.json" && ok || fail "run.json should count unsent requests"

# --- bad input writes nothing ---
mkdir -p "$tmp/res-bad"
expect_rc 2 "run a bad workload" -- "$bench" run "$tmp/bad.yaml" --out "$tmp/res-bad"
[ -z "$(ls -A "$tmp/res-bad")" ] && ok || fail "a bad workload left files in $tmp/res-bad"
expect_rc 2 "run with an unknown option" -- "$bench" run workloads/quick.yaml --servrs spawn
expect_rc 2 "run with an unknown target" -- "$bench" run workloads/quick.yaml --target nope --out "$tmp/res-bad"
[ -z "$(ls -A "$tmp/res-bad")" ] && ok || fail "an unknown --target left files"
# BENCH_SERVERS is the default of --servers (the Docker image sets external).
BENCH_SERVERS=elsewhere expect_rc 2 "run with a bad BENCH_SERVERS" -- "$bench" run workloads/quick.yaml --out "$tmp/res-bad"
contains "$tmp/err" "BENCH_SERVERS) is spawn or external, not 'elsewhere'" "BENCH_SERVERS is read"

# --- the null driver: exact counts, repeats, two runs never collide ---
# --quiet: nothing but the one line that says where the results went. The
# result directory follows the umask, as mkdir(1)'s would (mkdtemp's 0700
# before), both ways.
expect_rc 0 "run null" -- bash -c 'umask 002 && exec "$@"' umask "$bench" run tests/fixtures/e2e/null.yaml \
  --out "$tmp/res-null" --quiet
[ ! -s "$tmp/err" ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || fail "--quiet should print one line: $(head -c 300 "$tmp/out" "$tmp/err")"
contains "$tmp/out" "^results: $tmp/res-null/[0-9TZ]*-e2e-null/$" "--quiet still says where the results went"
quiet_dir=$(sed -n 's/^results: //p' "$tmp/out")
same "umask 002: the result directory is 775" "$(stat -c %a "$quiet_dir")" 775
same "umask 002: its latency/ is 775" "$(stat -c %a "$quiet_dir/latency")" 775
same "umask 002: summary.csv is 664" "$(stat -c %a "$quiet_dir/summary.csv")" 664
# Every file and directory of it, report.html too (it was 644: written
# through mkstemp and a fixed chmod).
nonempty "$quiet_dir/report.html" "the run writes report.html"
same "umask 002: report.html is 664" "$(stat -c %a "$quiet_dir/report.html")" 664
same "umask 002: no file is other than 664" "$(cd "$quiet_dir" && find . -type f ! -perm 664 -printf '%m %p\n')" ""
same "umask 002: no directory is other than 775" "$(cd "$quiet_dir" && find . -type d ! -perm 775 -printf '%m %p\n')" ""
expect_rc 0 "run null again" -- bash -c 'umask 077 && exec "$@"' umask "$bench" run tests/fixtures/e2e/null.yaml \
  --out "$tmp/res-null" --quiet
same "umask 077: the result directory is 700" "$(stat -c %a "$(sed -n 's/^results: //p' "$tmp/out")")" 700
[ "$(ls "$tmp/res-null" | wc -l)" -eq 2 ] && ok || fail "two runs should make two result directories"
[ -z "$(ls -A "$tmp/res-null" | grep '^\.tmp' || true)" ] && ok || fail "temporary directory left behind"
null_csv=$(ls -d "$tmp"/res-null/*/ | head -1)summary.csv
# load: 1000 records per repeat; run: 10000 ops per repeat split over get/set/delete
awk -F, 'NR > 1 && $2 == "load" { n += $12 } END { exit !(n == 2000) }' "$null_csv" && ok || fail "null load rows should sum to 2 x 1000 records"
awk -F, 'NR > 1 && $2 == "run" { n += $12 } END { exit !(n == 20000) }' "$null_csv" && ok || fail "null run rows should sum to 2 x 10000 ops"
awk -F, 'NR > 1 && $5 != "none" { bad = 1 } END { exit bad }' "$null_csv" && ok || fail "null rows should name server 'none'"

# --- compare ---
expect_rc 0 "compare --help" -- "$bench" compare --help
contains "$tmp/out" "usage: bench compare" "compare --help"
expect_rc 0 "help compare" -- "$bench" help compare
contains "$tmp/out" "^Exit status: 0 no regression" "help compare gives the exit codes"
cmp_fix=tests/fixtures/compare
null_a=$(ls -d "$tmp"/res-null/*/ | head -1); null_b=$(ls -d "$tmp"/res-null/*/ | tail -1)
expect_rc 0 "compare a run with itself (directories)" -- "$bench" compare "$null_a" "$null_a"
contains "$tmp/out" "^0 regressions, 0 improvements, 0 unchanged; 12 too short to compare" "a run against itself: its phases, under a second, are too short to compare"
expect_rc 0 "compare two null runs with a wide threshold" -- "$bench" compare "$null_a" "${null_b}summary.csv" --threshold 1000
expect_rc 1 "compare finds a regression" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/regress.csv
contains "$tmp/out" "^redis  *run  *get  *ops/s .* -10.0%  regression$" "the regressed row"
contains "$tmp/out" "^2 regressions, 0 improvements, 19 unchanged; 3 not measured$" "compare summary line"
expect_rc 0 "compare within a 25% threshold" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/regress.csv --threshold 25%
expect_rc 2 "compare different workloads" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/other-workload.csv
contains "$tmp/err" "different workloads (kv vs kv-other); --force compares them anyway" "different workloads named"
expect_rc 1 "compare different workloads with --force" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/other-workload.csv --force
expect_rc 2 "compare a malformed file" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/bad-number.csv
contains "$tmp/err" "bad-number.csv:4: ops_per_sec 'fast' is not a number" "malformed line with file:line"
expect_rc 2 "compare a PNG" -- "$bench" compare $cmp_fix/not-csv.png $cmp_fix/base.csv
expect_rc 2 "compare a missing file" -- "$bench" compare $cmp_fix/base.csv "$tmp/nope.csv"
expect_rc 2 "compare with an unknown option" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/base.csv --frce
contains "$tmp/err" "did you mean '--force'" "compare suggests the option"
expect_rc 1 "compare --format csv" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/regress.csv --format csv
head -1 "$tmp/out" | grep -qx 'workload,phase,target,op,sweep_key,sweep_value,metric,baseline_n,baseline_mean,baseline_ci95,candidate_n,candidate_mean,candidate_ci95,delta,delta_pct,significant,verdict,baseline_server,candidate_server' \
  && ok || fail "compare csv header"
[ "$(wc -l <"$tmp/out")" -eq 25 ] && ok || fail "compare csv: a header and 24 rows (8 rows x 3 metrics)"
contains "$tmp/err" "^2 regressions" "compare csv puts the summary line on stderr"
expect_rc 1 "compare --format markdown" -- "$bench" compare $cmp_fix/base.csv $cmp_fix/regress.csv --format markdown
contains "$tmp/out" "^| redis | run | get | ops/s | .* | \*\*regression\*\* |$" "compare markdown row"

# --- sweep, warmup and open loop (null driver: no server, exact counts) ---
cat >"$tmp/sweep.yaml" <<'YAML'
name: e2e-sweep
targets: [null]
keyspace: {records: 100, distribution: zipfian}
values: {size: [{size: 10, weight: 3}, {size: 1KiB, weight: 1}]}
phases:
  - {name: run, warmup: 50ms, ops: 3000, rate: 100000, mix: {get: 0.5, set: 0.5}}
sweep: {clients: [1, 3]}
YAML
expect_rc 0 "run a sweep with warmup in open loop" -- "$bench" run "$tmp/sweep.yaml" --out "$tmp/res-sweep" --quiet
sdir=$(ls -d "$tmp"/res-sweep/*/ | head -1)
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
c_clients=$(col "${sdir}summary.csv" clients); c_ops=$(col "${sdir}summary.csv" ops)
c_key=$(col "${sdir}summary.csv" sweep_key); c_val=$(col "${sdir}summary.csv" sweep_value)
c_rate=$(col "${sdir}summary.csv" rate_target); c_unc=$(col "${sdir}summary.csv" uncorrected_p99_us)
[ -n "$c_key" ] && [ -n "$c_val" ] && [ -n "$c_unc" ] && ok || fail "summary.csv lacks sweep_key, sweep_value or uncorrected_p99_us"
for point in 1 3; do
  awk -F, -v c="$c_clients" -v o="$c_ops" -v k="$c_key" -v v="$c_val" -v p="$point" \
    'NR > 1 && $c == p && $k == "clients" && $v == p { n += $o } END { exit !(n == 3000) }' "${sdir}summary.csv" \
    && ok || fail "sweep point clients=$point should have exactly 3000 measured ops"
done
awk -F, -v r="$c_rate" 'NR > 1 && $r != 100000 { bad = 1 } END { exit bad }' "${sdir}summary.csv" && ok || fail "rate_target should be 100000"
[ -f "${sdir}warmup.csv" ] && ok || fail "a phase with warmup should write warmup.csv"
awk -F, 'NR > 1 { n++ } END { exit !(n >= 2) }' "${sdir}warmup.csv" && ok || fail "warmup.csv should have rows"
grep -q '"sweep"' "${sdir}run.json" && grep -q '"distribution": "zipfian"' "${sdir}run.json" && ok || fail "run.json should record the sweep and distribution"
# timeseries.csv: every request of a point (warmup included) lands in exactly
# one second, so its rows add up to summary.csv's plus warmup.csv's.
ts="${sdir}timeseries.csv"
head -1 "$ts" | grep -qx 'workload,phase,target,op,sweep_key,sweep_value,repeat,second,ops,errors,timeouts,disconnects,misses,p50_us,p99_us,max_us,reconnects,hit_ratio' \
  && ok || fail "timeseries.csv header"
t_val=$(col "$ts" sweep_value); t_ops=$(col "$ts" ops); t_sec=$(col "$ts" second)
w_val=$(col "${sdir}warmup.csv" sweep_value); w_ops=$(col "${sdir}warmup.csv" ops)
for point in 1 3; do
  want=$(awk -F, -v v="$w_val" -v o="$w_ops" -v p="$point" 'NR > 1 && $v == p { n += $o } END { print n + 3000 }' "${sdir}warmup.csv")
  awk -F, -v v="$t_val" -v o="$t_ops" -v p="$point" -v want="$want" 'NR > 1 && $v == p { n += $o } END { exit !(n == want) }' "$ts" \
    && ok || fail "timeseries.csv ops of clients=$point should add up to $want (summary + warmup)"
done
awk -F, -v s="$t_sec" 'NR > 1 && $s == -1 { w = 1 } NR > 1 && $s == 0 { m = 1 } END { exit !(w && m) }' "$ts" \
  && ok || fail "timeseries.csv should have the warmup second (-1) and the first measured one (0)"
for f in null-get-clients=1.hgrm null-get-clients=1.uncorrected.hgrm null-set-clients=3.hgrm; do
  [ -s "${sdir}latency/$f" ] && ok || fail "latency/$f missing or empty"
done
tail -3 "${sdir}latency/null-get-clients=1.hgrm" | grep -q '^#\[Max' && ok || fail "latency .hgrm files end with HdrHistogram's footer"

# --- real servers: a row per target x op, ops > 0, errors 0 ---
expect_rc 0 "run on spawned servers" -- "$bench" run tests/fixtures/e2e/small.yaml --out "$tmp/res"
dir=$(ls -d "$tmp"/res/*/ 2>/dev/null | head -1)
csv="${dir}summary.csv"
[ -f "$csv" ] && ok || fail "no summary.csv in $tmp/res"
contains "$tmp/out" "results: $tmp/res/" "the run says where its results went"
[ -s "${dir}report.html" ] && ok || fail "a run writes report.html"
if command -v gnuplot >/dev/null; then
  [ -s "${dir}charts/throughput.svg" ] && [ -s "${dir}charts/throughput.png" ] && [ -s "${dir}charts/throughput.gp" ] \
    && ok || fail "a run draws its charts (charts/throughput.svg, .png, .gp)"
fi
head -1 "$csv" | grep -q '^workload,phase,target,driver,server,op,clients,pipeline,rate_target,repeat,duration_s,ops,ops_per_sec,errors,timeouts,misses,unsupported,mean_us,p50_us,p90_us,p99_us,p999_us,max_us,' \
  && ok || fail "summary.csv does not start with docs/csv-schema.md's columns"
for target in redis memcached mongodb; do
  for op in load get set delete insert rmw; do
    row=$(csvtab "$csv" | awk -F'\t' -v t="$target" -v o="$op" '$3 == t && $6 == o')
    if [ -z "$row" ]; then fail "no $target/$op row"; continue; fi
    echo "$row" | awk -F'\t' '{ exit !($12 > 0 && $14 == 0 && $15 == 0) }' && ok || fail "$target/$op: want ops > 0 and no errors: $row"
  done
done
grep -q '"product": "FerretDB"\|"product": "MongoDB"' "${dir}run.json" && ok || fail "run.json names the MongoDB-compatible server"
csvtab "$csv" >"$tmp/summary.tsv"
awk -F'\t' '$3 == "mongodb" && $5 !~ /^(FerretDB|MongoDB) / { bad = 1 } END { exit bad }' "$tmp/summary.tsv" && ok || fail "mongodb rows name the real server"
awk -F'\t' '$3 == "redis" && $5 !~ /^Redis / { bad = 1 } END { exit bad }' "$tmp/summary.tsv" && ok || fail "redis rows name the server"
c_engine=$(col "$csv" engine)
awk -F'\t' -v e="$c_engine" '$3 == "redis" && $e != "event" { bad = 1 } END { exit bad }' "$tmp/summary.tsv" && ok || fail "redis is served by the event engine"
awk -F'\t' -v e="$c_engine" '$3 == "memcached" && $e != "event" { bad = 1 } END { exit bad }' "$tmp/summary.tsv" && ok || fail "memcached (one server, text protocol) is served by the event engine"
# Cost per op: measured for the harness, and for the spawned servers (/proc).
c_cli=$(col "$csv" client_cpu_us_per_op); c_srv=$(col "$csv" server_cpu_us_per_op)
awk -F'\t' -v c="$c_cli" -v s="$c_srv" 'NR > 1 && !($c > 0 && $s > 0) { bad = 1 } END { exit bad }' "$tmp/summary.tsv" \
  && ok || fail "every row should have client and server CPU per op"
grep -q '"server_cpu_source": "/proc/' "${dir}run.json" && ok || fail "run.json names where the server CPU came from"
# shards_per_op: a column of every row, empty for targets that are not
# sharded (none here has a shard_key; mongodb is FerretDB, not a mongos).
c_shards=$(col "$csv" shards_per_op)
[ -n "$c_shards" ] && ok || fail "summary.csv has a shards_per_op column"
awk -F'\t' -v c="$c_shards" -v n="$(head -1 "$csv" | tr ',' '\n' | wc -l)" \
  'NR > 1 && (NF != n || $c != "") { bad = 1 } END { exit bad }' "$tmp/summary.tsv" \
  && ok || fail "shards_per_op is empty on every row of targets that are not sharded"
for target in redis memcached mongodb; do
  for f in "$target-load.hgrm" "$target-get.hgrm" "$target-rmw.hgrm"; do
    [ -s "${dir}latency/$f" ] && ok || fail "latency/$f missing"
  done
done
# Every spawned server is gone once bench exits: nothing answers on their ports.
ports=$(grep -o '127\.0\.0\.1:[0-9]*' "$tmp/err" | cut -d: -f2 | sort -u)
[ "$(echo "$ports" | wc -w)" -eq 3 ] && ok || fail "expected 3 spawned server ports in the progress output, got: $ports"
for port in $ports; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "a server still listens on port $port"; else ok; fi
done

# --- an op a target lacks: counted unsupported, exactly as often as drawn ---
# Every target draws the same sequence (same seed), so memcached's
# unsupported range count equals the range ops the null driver ran.
cat >"$tmp/range-mc.yaml" <<'YAML'
name: e2e-range-mc
seed: 5
targets: [null, memcached]
keyspace: {records: 200, prefix: "e2er:"}
phases:
  - {name: load}
  - {name: run, ops: 3000, clients: 2, pipeline: 3, mix: {range: 0.4, get: 0.6}}
YAML
expect_rc 0 "range on memcached runs (unsupported, not an error)" -- "$bench" run "$tmp/range-mc.yaml" --out "$tmp/res-rmc" --quiet --no-charts
rcsv=$(ls -d "$tmp"/res-rmc/*/ | head -1)summary.csv
c_uns=$(col "$rcsv" unsupported); c_ops=$(col "$rcsv" ops); c_err=$(col "$rcsv" errors); c_rate=$(col "$rcsv" ops_per_sec)
null_range=$(awk -F, -v o="$c_ops" '$3 == "null" && $6 == "range" { print $o }' "$rcsv")
mc_row=$(awk -F, -v u="$c_uns" -v o="$c_ops" -v e="$c_err" -v r="$c_rate" '$3 == "memcached" && $6 == "range" { print $u, $o, $e, $r }' "$rcsv")
[ -n "$null_range" ] && [ "$null_range" -gt 0 ] && [ "$mc_row" = "$null_range 0 0 unsupported" ] && ok \
  || fail "memcached range should be unsupported $null_range times with 0 ops and errors, got: $mc_row"

# --- max_error_rate: per run, failed over sent; 1 when over, 0 when within ---
# Memcached refuses items over its 2 MiB limit: a quarter of the sets fail.
cat >"$tmp/errs.yaml" <<'YAML'
name: e2e-errs
seed: 7
targets: [memcached]
keyspace: {records: 100, prefix: "e2ee:"}
values:
  size: [{size: 100, weight: 3}, {size: 3000000, weight: 1}]
max_error_rate: 0.5
phases:
  - {name: run, ops: 200, clients: 2, mix: {set: 1}}
YAML
expect_rc 0 "errors within max_error_rate" -- "$bench" run "$tmp/errs.yaml" --out "$tmp/res-errs-ok" --no-charts
ejson=$(ls -d "$tmp"/res-errs-ok/*/ | head -1)run.json
contains "$ejson" '"runs_over_error_limit": 0' "run.json counts no run over the limit"
contains "$ejson" '"over_error_limit": false' "the run is within the limit"
grep -q '"failed": [1-9]' "$ejson" && ok || fail "run.json should count failed requests: $(grep -o '"failed": [0-9]*' "$ejson")"
expect_rc 1 "errors over max_error_rate" -- "$bench" run "$tmp/errs.yaml" --out "$tmp/res-errs-over" --no-charts --set max_error_rate=0.05
contains "$tmp/err" "over max_error_rate 5%" "the progress line names the limit"
contains "$tmp/err" "1 run failed more requests than max_error_rate 0.05 allows" "the terminal says why the status is 1"
ejson=$(ls -d "$tmp"/res-errs-over/*/ | head -1)run.json
contains "$ejson" '"runs_over_error_limit": 1' "run.json counts the run over the limit"
contains "$ejson" '"over_error_limit": true' "run.json marks the run over the limit"
expect_rc 1 "max_error_rate 0 (the default): any failure is exit 1" -- "$bench" run "$tmp/errs.yaml" --out "$tmp/res-errs-0" --no-charts --quiet --set max_error_rate=0
expect_rc 2 "max_error_rate out of range" -- "$bench" validate "$tmp/errs.yaml" --set max_error_rate=1.5
contains "$tmp/err" "max_error_rate must be between 0 and 1" "out-of-range max_error_rate message"
sed 's/^max_error_rate: 0.5/max_error_rate: lots/' "$tmp/errs.yaml" >"$tmp/errs-bad.yaml"
expect_rc 2 "max_error_rate not a number" -- "$bench" validate "$tmp/errs-bad.yaml"
contains "$tmp/err" "errs-bad.yaml:7:17: expected a number for max_error_rate" "max_error_rate error at line:col"

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
