# lib.sh - the assertions the shell tests share. Source it after setting
# $tmp (a scratch directory): expect_rc leaves each command's output in
# $tmp/out and $tmp/err. Counts go to $passed and $failed.
passed=0 failed=0

ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*" >&2; }
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
