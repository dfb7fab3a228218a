#!/usr/bin/env bash
# A phase's `targets` key (docs/workload-format.md, "phases"): the phase
# runs only on the targets it names. Null driver, two targets, two
# repeats, sequential order:
#  - summary.csv and run.json's runs hold rows of a restricted phase for
#    its target only, comparison.csv none for a phase one target ran; the
#    terminal table, report.html and the charts are written (exit 0);
#  - a load restricted to target a runs on a only ("loaded", then
#    "reused" in run.json's blocks), and a phase with deletes that runs on
#    b only does not make a reload its data (per target: the phases it
#    runs); b's blocks load nothing;
#  - the dry run shows each target only its phases; --set
#    phases.NAME.targets=[...] moves a phase; an unknown name is exit 2
#    with a did-you-mean, nothing written.
# Usage: phase_targets.sh BENCH_BINARY
set -uo pipefail
bench=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
need python3

cat >"$tmp/w.yaml" <<'YAML'
name: phase-targets
targets: [{name: a, driver: null}, {name: b, driver: null}]
keyspace: {records: 100}
phases:
  - {name: load, targets: [a]}
  - {name: both, ops: 200, mix: {get: 1}}
  - {name: only_b, ops: 100, targets: [b], mix: {get: 0.5, delete: 0.5}}
repeat: 2
order: sequential
YAML

expect_rc 0 "a run with restricted phases" -- "$bench" run "$tmp/w.yaml" --out "$tmp/r"
dir=$(ls -d "$tmp"/r/*/ | head -1)
cp "$tmp/out" "$tmp/term"
# phase/target pairs of summary.csv, comparison.csv and run.json's runs.
pairs() {
  python3 - "$dir" <<'PY'
import csv, json, sys
d = sys.argv[1]
s = sorted({r["phase"] + "/" + r["target"] for r in csv.DictReader(open(d + "summary.csv", newline=""))})
c = sorted({r["phase"] + "/" + r["target"] for r in csv.DictReader(open(d + "comparison.csv", newline=""))})
j = json.load(open(d + "run.json"))
runs = sorted({r["phase"] + "/" + t["name"] for t in j["targets"] for r in t["runs"]})
blocks = " ".join("%s/%s/%s" % (b["target"], b["repeat"], b["load"]) for b in j["order"]["blocks"])
targets = [",".join(p.get("targets", ["*"])) for p in j["workload"]["phases"]]
print(" ".join(s)); print(" ".join(c)); print(" ".join(runs)); print(blocks); print(" ".join(targets))
PY
}
mapfile -t got < <(pairs)
same "summary.csv: a restricted phase's rows for its target only" "${got[0]}" "both/a both/b load/a only_b/b"
same "comparison.csv: a phase one target ran compares nothing" "${got[1]}" "both/a both/b"
same "run.json: the runs of each target" "${got[2]}" "both/a both/b load/a only_b/b"
same "run.json: a's load runs once and is reused; b loads nothing, its deletes leave a alone" \
  "${got[3]}" "a/1/loaded a/2/reused b/1/None b/2/None"
same "run.json: the workload's phases say their targets" "${got[4]}" "a * b"
contains "$tmp/term" "^phase only_b (run)" "the terminal table has the restricted phase"
lacks "$tmp/term" "only_b.* a  " "and no row of target a in it"
nonempty "${dir}report.html" "report.html written"
nonempty "${dir}charts/compare-ops_per_sec.svg" "charts drawn"

# dry_phases: "TARGET/PHASE" for each phase the dry run ($tmp/out) shows
# under each target.
dry_phases() {
  python3 - "$tmp/out" >"$tmp/dry" <<'PY'
import sys
t = None
for line in open(sys.argv[1]):
    if line.startswith("target "):
        t = line.split()[1]
    elif t and line.startswith("  phase "):
        print(t + "/" + line.split()[1].rstrip(":"))
PY
}
expect_rc 0 "dry run" -- "$bench" run "$tmp/w.yaml" --dry-run
dry_phases
same "dry run: each target shows only its phases" "$(tr '\n' ' ' <"$tmp/dry")" "a/load a/both b/both b/only_b "
contains "$tmp/out" "phase only_b (run): .*; only on b$" "dry run: the plan says where a phase runs"
contains "$tmp/out" "per target: a 4, b 4) = 8 phase runs in all" "dry run: the phase runs counted per target"

expect_rc 0 "--set moves a phase" -- "$bench" run "$tmp/w.yaml" --dry-run --set 'phases.only_b.targets=[a]'
dry_phases
same "--set phases.only_b.targets=[a]" "$(tr '\n' ' ' <"$tmp/dry")" "a/load a/both a/only_b b/both "
expect_rc 2 "an unknown target" -- "$bench" run "$tmp/w.yaml" --out "$tmp/bad" --set 'phases.only_b.targets=[a,bb]'
contains "$tmp/err" "phases.only_b.targets: unknown target 'bb'; did you mean 'b'?" "the unknown name, with a did-you-mean"
[ ! -e "$tmp/bad" ] && ok || fail "nothing written for a bad workload"
finish phase_targets
