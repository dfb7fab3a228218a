#!/usr/bin/env bash
# Output paths are checked before any work (docs/architecture.md, "Output
# paths"): a --out that is a file, lies under a file, is under /proc, or is
# read-only makes `bench run` exit 2 naming the path before any server
# starts or is contacted (a private redis-server as an external one counts
# its connections; a spawned target says nothing of starting), and nothing
# is written; the same for `bench claims --out`, `bench merge --out`, and
# `bench chart` / `bench report` on a result directory they cannot write.
# The tests run as root, which ignores permission bits: the unwritable
# paths are those no permission makes writable (a regular file's child,
# /proc), and a read-only bind mount in a mount namespace of its own when
# unshare allows one (skipped otherwise).
# Usage: outpaths.sh BENCH_BINARY SOURCE_DIR
set -uo pipefail
bench=$1 src=$2

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
tmp_name=outpaths
source "$(dirname "$0")/../lib/servers.sh"

start_redis || { fail "redis-server did not start: $(tail -3 "$tmp/redis.log")"; exit 1; }
conns() { info_field stats total_connections_received; }

cat >"$tmp/ext.yaml" <<YAML
name: outpaths
targets:
  - {name: redis, uri: "redis://127.0.0.1:$rport"}
  - {name: n, driver: "null"}
keyspace: {records: 100, prefix: "out:"}
phases:
  - {name: load}
  - {name: run, ops: 1000, mix: {get: 1}}
YAML
cat >"$tmp/spawn.yaml" <<'YAML'
name: outpaths-spawn
targets: [redis]
keyspace: {records: 100}
phases: [{name: load}]
YAML

touch "$tmp/afile"
bad=("$tmp/afile" "$tmp/afile/sub" /proc/bench-out /proc /proc/self)
# bad_out WHAT OUTPUT...: the command (after --) exits 2 and says which path.
bad_out() {
  local what=$1 out=$2 rc; shift 3
  "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
  check "$what --out $out: exit 2 (exit $rc)" "$rc == 2" || cat "$tmp/err"
  grep -qF -- "--out '$out': " "$tmp/err" && pass "$what --out $out: the message names it" ||
    fail "$what --out $out: $(head -3 "$tmp/err")"
}

for out in "${bad[@]}"; do
  c0=$(conns)
  TMPDIR=$tmp bad_out "run (external)" "$out" -- "$bench" run "$tmp/ext.yaml" --no-charts --out "$out"
  c1=$(conns) # one more: this INFO's own
  check "run --out $out: redis was not contacted ($c1 connections, $c0 before)" "$c1 == $c0 + 1"
  if grep -q 'load (repeat' "$tmp/err"; then fail "run --out $out: a phase ran"; else pass "run --out $out: no phase ran"; fi
  TMPDIR=$tmp bad_out "run (spawn)" "$out" -- "$bench" run "$tmp/spawn.yaml" --no-charts --out "$out"
  if grep -q 'starting a private server' "$tmp/err" || ls -d "$tmp"/bench-servers-* >/dev/null 2>&1; then
    fail "run --out $out: a server was started"
  else
    pass "run --out $out: no server started"
  fi
done
check "nothing was written under the file or /proc ($(ls "$tmp/afile" 2>&1 | wc -l))" "$(stat -c %s "$tmp/afile") == 0"

# A read-only bind mount (as root, the only way to make a directory
# unwritable): its own mount namespace, so nothing outside sees it.
mkdir -p "$tmp/ro"
if unshare -m true 2>/dev/null; then
  c0=$(conns)
  unshare -m bash -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "${@:2}"' _ "$tmp/ro" \
    "$bench" run "$tmp/ext.yaml" --no-charts --out "$tmp/ro" </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
  check "run --out read-only: exit 2 (exit $rc)" "$rc == 2" || cat "$tmp/err"
  grep -q "Read-only file system" "$tmp/err" && pass "run --out read-only: says why" || fail "read-only: $(cat "$tmp/err")"
  c1=$(conns)
  check "run --out read-only: redis was not contacted ($c1 connections, $c0 before)" "$c1 == $c0 + 1"
else
  echo "skip: read-only bind mount (unshare -m not allowed here)"
fi

# The other commands that write a directory.
bad_out claims "$tmp/afile" -- "$bench" claims --claims "$src/workloads/claims" --out "$tmp/afile"
mkdir -p "$tmp/good"
"$bench" run "$tmp/ext.yaml" --target n --no-charts --quiet --out "$tmp/good" </dev/null >/dev/null 2>&1
dir=$(ls -d "$tmp/good"/*/ 2>/dev/null | head -1)
check "a null-driver run for the commands below wrote $dir" "$([ -n "$dir" ] && echo 1 || echo 0) == 1"
dir=${dir%/}
# merge: two real shards, so that only the --out can stop it.
cat >"$tmp/shard.yaml" <<'YAML'
name: outpaths-shard
targets: [{name: n, driver: "null"}]
keyspace: {records: 100}
phases: [{name: load, clients: 2}]
YAML
for i in 0 1; do
  "$bench" run "$tmp/shard.yaml" --shard "$i/2" --no-charts --quiet --out "$tmp/shard$i" </dev/null >/dev/null 2>&1
done
bad_out merge "/proc/bench-out" -- "$bench" merge "$tmp"/shard0/*/ "$tmp"/shard1/*/ --out /proc/bench-out
# chart: RESULT_DIR/charts is a file; before, gnuplot's files failed after
# the data was read (exit 1).
printf 'not a directory\n' >"$dir/charts"
"$bench" chart "$dir" </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
check "chart with charts/ a file: exit 2 (exit $rc)" "$rc == 2" || cat "$tmp/err"
grep -qF "RESULT_DIR/charts '$dir/charts': it is not a directory" "$tmp/err" && pass "chart: the message names it" ||
  fail "chart: $(cat "$tmp/err")"
rm -f "$dir/charts"
if unshare -m true 2>/dev/null; then
  for cmd in chart report; do
    unshare -m bash -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "${@:2}"' _ "$dir" \
      "$bench" "$cmd" "$dir" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "$cmd on a read-only result directory: exit 2 (exit $rc)" "$rc == 2" || cat "$tmp/err"
    grep -qF "RESULT_DIR '$dir': cannot create a directory in it: Read-only file system" "$tmp/err" &&
      pass "$cmd: the message names it" || fail "$cmd: $(cat "$tmp/err")"
  done
fi

echo "outpaths: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
