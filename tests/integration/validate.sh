#!/usr/bin/env bash
# `bench validate` as a user meets it (issue #20, "errors that say what to
# do"): a directory, several files with warnings, the fix for a timed phase
# given ops. No server. Usage: validate.sh BENCH_BINARY SOURCE_DIR
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-validate-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
cd "$src"

# A directory is said to be one (not an errno's "Input/output error").
expect_rc 2 "validate a directory" -- "$bench" validate "$tmp"
contains "$tmp/err" "^$tmp: cannot read the workload: this is a directory; name a file in it$" \
  "a directory is named as one"

# Each file's warnings, then its own ok line, in order: not every file's
# warnings first (stdout is a pipe here, as in a log).
for f in a b; do
  printf 'name: %s\ntargets: [null]\nphases:\n- {name: run, duration: 1s, rate: 1, clients: 2, mix: {get: 1}}\n' \
    "$f" >"$tmp/$f.yaml"
done
"$bench" validate "$tmp/a.yaml" "$tmp/b.yaml" >"$tmp/both" 2>&1
same "validate a b: exit" "$?" 0
same "validate a b: warnings then ok, per file" \
  "$(sed -e "s|^$tmp/||" -e 's/: warning: .*/: warning/' -e 's/: ok .*/: ok/' "$tmp/both" | tr '\n' ' ')" \
  "a.yaml:4:35: warning a.yaml: ok b.yaml:4:35: warning b.yaml: ok "

# ops on a timed phase: the error gives the fix, and the fix works.
expect_rc 2 "ops on a timed phase" -- "$bench" validate workloads/quick.yaml --set phases.run.ops=1000
contains "$tmp/err" "has both duration and ops; give exactly one: .*--set phases.run.duration=null to keep ops" \
  "the error gives the --set that fixes it"
expect_rc 0 "the fix it gives" -- "$bench" validate workloads/quick.yaml --set phases.run.ops=1000 \
  --set phases.run.duration=null

# A typo of a required key is one error, not also "needs a duration".
printf 'name: t\ntargets: [null]\nphases:\n- {name: run, duraton: 5s, mix: {get: 1}}\n' >"$tmp/typo.yaml"
expect_rc 2 "a typo of duration" -- "$bench" validate "$tmp/typo.yaml"
same "a typo of duration: one error" "$(cat "$tmp/err")" \
  "$tmp/typo.yaml:4:15: unknown key 'duraton' in phases.run; did you mean 'duration'?"

finish validate
