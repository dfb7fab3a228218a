#!/usr/bin/env bash
# `bench compare` over time, end to end on the null driver (no server).
# Usage: compare.sh BENCH_BINARY SOURCE_DIR
#
# Two runs of one workload with one repeat each differ by noise alone: the
# comparison shows the changes, says they are untested for significance and
# exits 0; --strict lets the threshold decide and fails on a worse one. With
# repeats, only a significant regression beyond the threshold exits 1. A
# phase run shorter than a second (the load phase) is flagged as too short
# to compare and never judged. With run.json and summary.csv doctored to
# say a target was answered by FerretDB standing in for MongoDB, the
# stand-in is said first in every format; FerretDB on one side and MongoDB
# on the other makes that target "not comparable", never a regression.
# docs/compare.md.
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
cd "$src"
w=tests/fixtures/compare/over-time.yaml

# run NAME [ARGS...]: runs the workload into $tmp/NAME; prints the result directory.
run() {
  local name=$1
  shift
  if ! "$bench" run "$w" --out "$tmp/$name" --quiet --no-charts "$@" >"$tmp/run-$name.log" 2>&1; then
    fail "bench run $name"; cat "$tmp/run-$name.log" >&2
  fi
  ls -d "$tmp/$name"/*/ 2>/dev/null | head -1
}
# scale DIR PHASE FACTOR: copies DIR to DIR-scaled with ops_per_sec of PHASE's rows times FACTOR.
scale() {
  cp -r "$1" "$1-scaled"
  awk -F, -v OFS=, -v phase="$2" -v f="$3" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "ops_per_sec") c = i; if ($i == "phase") p = i }; print; next }
    { if ($p == phase) $c = sprintf("%.1f", $c * f); print }' "$1/summary.csv" >"$1-scaled/summary.csv"
  echo "$1-scaled"
}

a=$(run a)
b=$(run b)
[ -n "$a" ] && [ -n "$b" ] || { fail "the runs wrote no result directory"; finish compare; exit 1; }

# --- one repeat per side: untested, exit 0 ---
expect_rc 0 "two runs of one workload, one repeat each, exit 0" -- "$bench" compare "$a" "$b"
cp "$tmp/out" "$tmp/ab.txt"
contains "$tmp/ab.txt" "(workload cmp-over-time, no repeats)" "the inputs are said to have no repeats"
contains "$tmp/ab.txt" "^0 regressions, 0 improvements, " "no regression and no improvement without repeats"
# Noise alone may or may not move a row beyond the threshold (on a quiet
# machine no row moves): the explanation appears exactly when a row is untested.
# The halved run below forces one.
if grep -q " (untested)$" "$tmp/ab.txt"; then
  contains "$tmp/ab.txt" "(untested): a side has one run, so there is no interval: these changes are untested for significance" \
    "the untested changes are explained"
else
  lacks "$tmp/ab.txt" "^(untested):" "no untested row, no explanation of one"
fi
# the load phase runs for milliseconds, the run phase for a second
for t in alpha beta; do
  for m in "ops/s" "p50 us" "p99 us"; do
    contains "$tmp/ab.txt" "^$t  *load  *load  *$m .*  too short$" "$t's load $m is too short to compare"
  done
done
lacks "$tmp/ab.txt" "  run  .*too short$" "a phase of a second is compared"
contains "$tmp/ab.txt" "^too short: a run of the row measured under 1 s (duration_s)" "too short is explained"
contains "$tmp/ab.txt" "; 6 too short to compare (a run under 1 s)$" "the summary counts the rows too short"
expect_rc 0 "csv of two single runs" -- "$bench" compare "$a" "$b" --format csv
[ "$(grep -c ',load,.*,too short,,$' "$tmp/out")" -eq 6 ] && ok || fail "csv: the 6 load rows' verdict is 'too short'"
lacks "$tmp/out" ",regression," "csv: no regression without repeats"

# A change well beyond the threshold, one run a side: shown, untested, exit 0;
# --strict makes it a regression (exit 1).
half=$(scale "${a%/}" run 0.5)
expect_rc 0 "a halved run phase with one repeat: untested, exit 0" -- "$bench" compare "$a" "$half"
contains "$tmp/out" "^alpha  *run  *get  *ops/s .*-50.0%  worse (untested)$" "the halved ops/s is worse (untested)"
contains "$tmp/out" " worse and .* better beyond the threshold, untested for significance (one run on a side)" \
  "the summary counts the untested changes"
contains "$tmp/out" "(untested): a side has one run, so there is no interval: these changes are untested for significance" \
  "the untested changes are explained"
expect_rc 1 "--strict: the halved run phase is a regression" -- "$bench" compare "$a" "$half" --strict
contains "$tmp/out" "^alpha  *run  *get  *ops/s .*  regression (no repeats)$" "--strict: a regression, marked no repeats"
contains "$tmp/out" "under --strict, the threshold alone decides" "--strict is said"
expect_rc 0 "--strict: an improvement alone exits 0" -- "$bench" compare "$half" "$a" --strict --threshold 1000
# The two real runs under --strict with threshold 0: every change counts,
# so one direction or the other has a worse figure (they are never equal to
# the op per second).
"$bench" compare "$a" "$b" --strict --threshold 0 >"$tmp/s1" 2>&1; rc1=$?
"$bench" compare "$b" "$a" --strict --threshold 0 >"$tmp/s2" 2>&1; rc2=$?
{ [ "$rc1" -eq 1 ] || [ "$rc2" -eq 1 ]; } && [ "$rc1" -le 1 ] && [ "$rc2" -le 1 ] && ok \
  || fail "--strict --threshold 0 on two single runs: exit $rc1 and $rc2, want 1 one way or the other"

# --- repeats: only a significant regression fails ---
c=$(run c --set repeat=3)
[ -n "$c" ] || { fail "the repeated run wrote no result directory"; finish compare; exit 1; }
expect_rc 0 "a repeated run against itself" -- "$bench" compare "$c" "$c"
# The run phase's three; the load, whose data every repeat reuses, ran once
# (docs/workload-format.md, "order").
contains "$tmp/out" "(workload cmp-over-time, 1 to 3 repeats)" "three repeats read"
contains "$tmp/out" "^0 regressions, 0 improvements, 12 unchanged; 6 too short to compare" "a run against itself is unchanged"
# A null-driver run's ops/s vary with the host's load from repeat to
# repeat, so much on a busy host that no change is significant: the run
# phase's figures are set to steady ones (1,000,000 ops/s, 0.1% apart
# between repeats) before they are slowed down.
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "ops_per_sec") c = i; if ($i == "phase") p = i; if ($i == "repeat") r = i }; print; next }
  { if ($p == "run") $c = sprintf("%.1f", 1000000 + $r * 1000); print }' "${c%/}/summary.csv" >"$tmp/steady.csv" &&
  mv "$tmp/steady.csv" "${c%/}/summary.csv"
slow=$(scale "${c%/}" run 0.01)
expect_rc 1 "repeats, the run phase 100 times slower: a regression" -- "$bench" compare "$c" "$slow"
for t in alpha beta; do
  for op in get set; do
    contains "$tmp/out" "^$t  *run  *$op  *ops/s .* ± .*-99\.0%  regression$" "$t $op: a significant regression"
  done
done
contains "$tmp/out" "^4 regressions, " "four regressions (2 targets x 2 ops)"
lacks "$tmp/out" "untested" "with repeats nothing is untested"
# --- servers: a stand-in is said up front; different servers are not comparable ---
# serve DIR NAME TARGET PRODUCT VERSION VARIANT STANDS_IN_FOR: copies DIR
# to $tmp/NAME with run.json and summary.csv saying TARGET was answered by
# that server ("" = no variant / the real thing).
serve() {
  local out="$tmp/$2"
  rm -rf "$out" && cp -r "$1" "$out"
  python3 - "$out" "$3" "$4" "$5" "$6" "$7" <<'PY' || fail "doctoring $out"
import csv, json, sys
d, target, product, version, variant, stands = sys.argv[1:]
srv = {"product": product, "version": version}
if variant: srv["variant"] = variant
if stands: srv["stands_in_for"] = stands
run = json.load(open(d + "/run.json"))
for t in run["targets"]:
    if t["name"] == target: t["server"] = srv
json.dump(run, open(d + "/run.json", "w"))
rows = list(csv.reader(open(d + "/summary.csv")))
ti, si = rows[0].index("target"), rows[0].index("server")
name = product + " " + version + (" (" + variant + ")" if variant else "")
for r in rows[1:]:
    if r[ti] == target: r[si] = name
csv.writer(open(d + "/summary.csv", "w", newline=""), lineterminator="\n").writerows(rows)
PY
  echo "$out"
}
fa=$(serve "$c" fa alpha FerretDB v1.24.2 "SQLite, indexed _id" MongoDB)
fb=$(serve "$slow" fb alpha FerretDB v1.24.2 "SQLite, indexed _id" MongoDB)
mb=$(serve "$slow" mb alpha MongoDB 7.0.14 "" "")
# FerretDB on both sides: comparable, and said, in every format.
expect_rc 1 "FerretDB on both sides: still judged (beta and alpha regress)" -- "$bench" compare "$fa" "$fb"
contains "$tmp/out" "^stand-in: the baseline's alpha target was answered by FerretDB v1.24.2 (SQLite, indexed _id), standing in for MongoDB: its figures are FerretDB's, not MongoDB's$" \
  "table: the baseline's stand-in is said"
contains "$tmp/out" "^stand-in: the candidate's alpha target was answered by FerretDB" "table: the candidate's stand-in is said"
head -1 "$tmp/out" | grep -q "^stand-in: " && ok || fail "table: the stand-in comes first: $(head -1 "$tmp/out")"
contains "$tmp/out" "^4 regressions, " "the same server on both sides: every row judged"
lacks "$tmp/out" "not comparable" "the same server on both sides is comparable"
expect_rc 1 "markdown, FerretDB on both sides" -- "$bench" compare "$fa" "$fb" --format markdown
contains "$tmp/out" "^\*\*stand-in:\*\* the baseline's alpha target was answered by FerretDB v1.24.2 (SQLite, indexed [\\]_id), standing in for MongoDB" \
  "markdown: the stand-in is said (escaped)"
expect_rc 1 "csv, FerretDB on both sides" -- "$bench" compare "$fa" "$fb" --format csv
contains "$tmp/err" "^stand-in: the baseline's alpha target was answered by FerretDB" "csv: the stand-in is said on stderr"
lacks "$tmp/out" "^stand-in" "csv: stdout stays CSV"
contains "$tmp/out" ",baseline_server,candidate_server$" "csv: the server columns"
contains "$tmp/out" '^cmp-over-time,run,alpha,get,,,ops_per_sec,.*,regression,"FerretDB v1.24.2 (SQLite, indexed _id), standing in for MongoDB","FerretDB v1.24.2 (SQLite, indexed _id), standing in for MongoDB"$' \
  "csv: each row names both sides' servers"
# FerretDB against MongoDB: alpha is not comparable, beta still regresses.
expect_rc 1 "FerretDB against MongoDB: beta still regresses" -- "$bench" compare "$fa" "$mb"
contains "$tmp/out" "^not comparable: the alpha target was answered by FerretDB v1.24.2 (SQLite, indexed _id) in the baseline and by MongoDB 7.0.14 in the candidate" \
  "table: the change of server is said"
contains "$tmp/out" "^alpha  *run  *get  *ops/s .*-99\.0%  not comparable$" "alpha's rows are shown, not judged"
contains "$tmp/out" "^beta  *run  *get  *ops/s .*-99\.0%  regression$" "beta is still judged"
contains "$tmp/out" "^2 regressions, .*; 9 not comparable (answered by different servers)$" "the summary counts alpha's 9 rows (3 load, 6 run)"
expect_rc 1 "markdown, FerretDB against MongoDB" -- "$bench" compare "$fa" "$mb" --format markdown
contains "$tmp/out" "^\*\*not comparable:\*\* the alpha target was answered by FerretDB" "markdown: not comparable is said"
expect_rc 1 "csv, FerretDB against MongoDB" -- "$bench" compare "$fa" "$mb" --format csv
contains "$tmp/err" "^not comparable: the alpha target" "csv: not comparable is said on stderr"
contains "$tmp/out" '^cmp-over-time,run,alpha,get,,,ops_per_sec,.*,not comparable,"FerretDB v1.24.2 (SQLite, indexed _id), standing in for MongoDB",MongoDB 7.0.14$' \
  "csv: the row's verdict and both servers"
# Only FerretDB against MongoDB exits 0: nothing comparable regressed.
ma=$(serve "$fa" ma beta MongoDB 7.0.14 "" "")
mab=$(serve "$mb" mab beta FerretDB v1.24.2 "" MongoDB)
expect_rc 0 "every target's server changed: nothing judged, exit 0" -- "$bench" compare "$ma" "$mab"
contains "$tmp/out" "^0 regressions, 0 improvements, 0 unchanged; 18 not comparable" "every row is not comparable"
# A name from run.json is escaped for the terminal and for markdown.
hb=$(serve "$c" hb alpha $'Evil\e[31m<b>' 1 "" "Mongo_DB")
expect_rc 0 "a hostile product name" -- "$bench" compare "$hb" "$hb" --format markdown
contains "$tmp/out" "answered by Evil?[\\][[]31m&lt;b&gt; 1, standing in for Mongo[\\]_DB" "markdown: the name is escaped"
lacks "$tmp/out" $'\e' "no escape byte reaches the output"
expect_rc 0 "a hostile product name, table" -- "$bench" compare "$hb" "$hb"
contains "$tmp/out" "^stand-in: the baseline's alpha target was answered by Evil?\[31m<b> 1" "table: the escape byte is a ?"
lacks "$tmp/out" $'\e' "table: no escape byte reaches the terminal"
# A damaged run.json beside a summary.csv: exit 2, naming it.
printf '{"targets": [' >"$hb/run.json"
expect_rc 2 "a damaged run.json" -- "$bench" compare "$hb" "$c"
contains "$tmp/err" "run.json: not valid JSON" "the damaged run.json is named"

# the load phase, too short, is never judged, however much it changed
loadslow=$(scale "${c%/}" load 0.01)
expect_rc 0 "repeats, the too short load phase 100 times slower: not judged" -- "$bench" compare "$c" "$loadslow"
contains "$tmp/out" "^alpha  *load  *load  *ops/s .*-99\.0%  too short$" "a too short phase is shown, not judged"

# --- the option is documented ---
expect_rc 0 "compare --help" -- "$bench" compare --help
contains "$tmp/out" "--strict  *with a single run on a side, let the threshold alone decide" "--help documents --strict"
contains "$tmp/out" "\"too short\"" "--help documents too short"
grep -q -- "--strict" docs/compare.md && ok || fail "docs/compare.md documents --strict"

finish compare
