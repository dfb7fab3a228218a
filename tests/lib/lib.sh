# lib.sh - the one set of assertions every shell test uses (servers.sh
# sources it too). The helpers that run commands want $tmp (a scratch
# directory): expect_rc leaves each command's output in $tmp/out and
# $tmp/err. Counts go to $passed and $failed; `finish NAME` prints the
# closing line "NAME: N passed, N failed" and fails when any check did.
passed=0 failed=0

ok()   { passed=$((passed + 1)); }
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
# check DESCRIPTION AWK_CONDITION: the condition holds numbers only.
check() {
  if [[ $2 =~ ^[-+0-9.e\ \<\>=!\&\|\(\)*/^]+$ ]] && awk "BEGIN { exit !($2) }"; then pass "$1"; else fail "$1"; return 1; fi
}
# csvtab FILE: an RFC 4180 CSV as tab-separated lines, for awk -F'\t'. A
# quoted field may hold commas (summary.csv's server "FerretDB v1.24.2
# (SQLite, indexed _id)"), which awk -F, would split.
csvtab() {
  python3 -c 'import csv, sys
for r in csv.reader(open(sys.argv[1], newline="")):
    sys.stdout.write("\t".join(f.replace("\t", " ").replace("\n", " ") for f in r) + "\n")' "$1"
}
# same DESCRIPTION GOT WANT: two strings are equal.
same() { if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', want '$3'"; fi; }
finish() { echo "$1: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
# expect_rc WANT DESCRIPTION -- command...
expect_rc() {
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else fail "$what: exit $rc, want $want"; cat "$tmp/out" "$tmp/err" >&2; fi
}
# contains FILE REGEX DESCRIPTION / lacks FILE REGEX DESCRIPTION
contains() { if grep -q -- "$2" "$1"; then ok; else fail "$3: '$2' not in $1"; head -c 2000 "$1" >&2; fi; }
lacks()    { if grep -q -- "$2" "$1"; then fail "$3: '$2' found in $1"; grep -n -- "$2" "$1" | head -3 >&2; else ok; fi; }
# nonempty FILE DESCRIPTION
nonempty() { if [ -s "$1" ]; then ok; else fail "$2: $1 missing or empty"; fi; }
# need PROGRAM...: exits 77 (skipped) when one is not on PATH; a failure
# under CI=true, where everything must be installed.
need() {
  local prog
  for prog; do
    command -v "$prog" >/dev/null && continue
    [ "${CI:-}" = true ] && { echo "FAIL - $prog not found (CI=true: required)"; exit 1; }
    echo "skip: $prog not found"; exit 77
  done
}
# holds DESCRIPTION PYTHON-EXPRESSION: the expression is true.
holds() { if python3 -c "import sys; sys.exit(0 if ($2) else 1)"; then ok; else fail "$1 [$2]"; fi; }
# invalid_phase NAME TARGET PHASE-YAML MESSAGE-REGEX: a workload whose one
# phase is PHASE-YAML does not validate (exit 2) and the message names
# line 4 (the phase) and matches MESSAGE-REGEX. Needs $bench.
invalid_phase() {
  printf 'name: bad\ntargets: [%s]\nphases:\n  - %s\n' "$2" "$3" >"$tmp/$1.yaml"
  expect_rc 2 "invalid: $1" -- "$bench" validate "$tmp/$1.yaml"
  contains "$tmp/err" "$tmp/$1.yaml:4:[0-9]*: .*$4" "invalid: $1"
}
# invalid_edit WHAT FILE SED-SCRIPT MESSAGE-REGEX: FILE edited by SED-SCRIPT
# (into $tmp/bad.yaml) does not validate (exit 2), and the message matches
# MESSAGE-REGEX. Needs $bench.
invalid_edit() {
  sed "$3" "$2" >"$tmp/bad.yaml"
  expect_rc 2 "$1" -- "$bench" validate "$tmp/bad.yaml"
  contains "$tmp/err" "$4" "$1: the message"
}
