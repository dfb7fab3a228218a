#!/usr/bin/env bash
# sharding.sh BENCH SOURCE_DIR - keyspace.shard_key where no mongos runs
# (none does on the project's machines; docs/drivers.md, mongodb,
# "Sharding"):
#  - validation: every malformed shard_key is exit 2 with file:line:col;
#  - against the spawned MongoDB-compatible server (FerretDB; not a mongos)
#    the mongodb target is not run, with the reason, exit 3, while the
#    other target runs and is written.
# The sharding itself (shardCollection, explain) never ran here.
# Exit 77 (skipped) without bench-ferretdb/mongod or redis-server, unless CI=true.
set -uo pipefail
bench=${1:?usage: sharding.sh BENCH SOURCE_DIR}
src=${2:?usage: sharding.sh BENCH SOURCE_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-sharding-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"

# --- validation ---
bad() { # NAME SHARD_KEY_YAML EXPECTED_MESSAGE_REGEX
  cat >"$tmp/$1.yaml" <<YAML
name: sk-$1
targets: [mongodb]
keyspace:
  records: 100
  shard_key: $2
phases:
  - {name: load, type: load}
YAML
  expect_rc 2 "shard_key $2 is refused" -- "$bench" validate "$tmp/$1.yaml"
  contains "$tmp/err" "$1.yaml:$3" "shard_key $2: file:line:col and the reason"
}
bad field "{v: hashed}" "5:15: keyspace.shard_key: bench shards on the record's key, _id, not 'v'"
bad kind "{_id: range}" "5:20: keyspace.shard_key._id must be hashed (hashed sharding) or 1 (ranged), not 'range'"
bad scalar "hashed" "5:14: expected a mapping for keyspace.shard_key"
bad two "{_id: hashed, x: 1}" "5:14: keyspace.shard_key holds one field"
bad empty "{}" "5:14: keyspace.shard_key holds one field"
for k in hashed 1; do
  sed "s/shard_key: .*/shard_key: {_id: $k}/" "$tmp/field.yaml" >"$tmp/good-$k.yaml"
  expect_rc 0 "shard_key {_id: $k} is valid" -- "$bench" validate "$tmp/good-$k.yaml"
done

# --- not a mongos: not run, with the reason, exit 3 ---
if ! { [ -x "$src/tools/bin/bench-ferretdb" ] || command -v mongod >/dev/null || command -v bench-ferretdb >/dev/null; } ||
   ! command -v redis-server >/dev/null; then
  if [ "${CI:-}" = true ]; then fail "bench-ferretdb (or mongod) and redis-server are required under CI=true"; exit 1; fi
  echo "skip: no MongoDB-compatible server or redis-server for the refusal test ($passed passed)"; exit 77
fi
cat >"$tmp/run.yaml" <<'YAML'
name: sk-run
targets: [mongodb, redis]
keyspace: {records: 200, prefix: "sk:", shard_key: {_id: hashed}}
phases:
  - {name: load, type: load, batch: 50}
  - {name: run, ops: 400, clients: 2, mix: {get: 1}}
YAML
expect_rc 3 "a shard_key run on a server that is not a mongos exits 3" -- \
  "$bench" run "$tmp/run.yaml" --out "$tmp/res" --no-charts
msg="shard_key needs a mongos; FerretDB v[0-9.]* at mongodb://127.0.0.1:[0-9]* is not one: start the \`sharded\` compose profile"
contains "$tmp/err" "mongodb: not run: $msg" "the reason is printed, naming the server and its address"
lacks "$tmp/err" "cannot reach" "the server was reached: not reported as unreachable"
dir=$(ls -d "$tmp"/res/*/ 2>/dev/null | head -1)
if [ -n "$dir" ]; then
  ok
  contains "${dir}run.json" "\"skipped\": \"$msg\"" "run.json says why mongodb did not run"
  contains "${dir}run.json" '"shard_key": {' "run.json's workload holds the shard key"
  lacks "${dir}summary.csv" "^sk-run,[a-z]*,mongodb," "summary.csv has no mongodb rows"
  contains "${dir}summary.csv" "^sk-run,run,redis,redis,.*,get," "the other target ran and was written"
else
  fail "no result directory: the redis target should still have run"
fi

# --- a target's own shard_key reaches the driver as the keyspace's does ---
cat >"$tmp/target.yaml" <<'YAML'
name: sk-target
targets:
  - {name: ranged, driver: mongodb, shard_key: {_id: 1}}
  - {name: plain, driver: mongodb}
keyspace: {records: 100, prefix: "skt:"}
phases:
  - {name: load, type: load, batch: 50}
  - {name: run, ops: 200, clients: 2, mix: {get: 1}}
YAML
expect_rc 3 "a target-level shard_key on a server that is not a mongos exits 3" -- \
  "$bench" run "$tmp/target.yaml" --out "$tmp/res-t" --no-charts
contains "$tmp/err" "ranged: not run: $msg" "the target with shard_key is refused"
lacks "$tmp/err" "plain: not run" "the target without one runs"
dir=$(ls -d "$tmp"/res-t/*/ 2>/dev/null | head -1)
if [ -n "$dir" ]; then
  contains "${dir}run.json" '"_id": "1"' "run.json's target holds its shard key (the keyspace has none)"
  contains "${dir}summary.csv" "^sk-target,run,plain,mongodb,.*,get," "the other target ran"
  c=$(head -1 "${dir}summary.csv" | tr ',' '\n' | grep -nx shards_per_op | cut -d: -f1)
  csvtab "${dir}summary.csv" | awk -F'\t' -v c="$c" 'NR > 1 && $3 == "plain" && $c != "" { bad = 1 } END { exit bad }' \
    && ok || fail "shards_per_op is empty for a target without a shard key"
else
  fail "no result directory: the plain target should still have run"
fi

echo "sharding: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
