#!/usr/bin/env bash
# The stand-in for MongoDB (docs/architecture.md, "FerretDB"): bench-ferretdb
# answers an _id lookup through an index, and bench says everywhere that a
# stand-in answered.
#  a. A find by _id uses the index bench-ferretdb adds (FerretDB's explain
#     on SQLite is SQLite's query plan: SEARCH ... USING INDEX
#     _ferretdb_bench_id_<table>, not SCAN): for a collection created by an
#     insert, one created again after a drop, one in a second database, and
#     after a restart on files whose index was removed (made at start).
#     FerretDB does not know the index (listIndexes shows only _id_).
#  b. With --id-index=false (FerretDB as it ships) the same find is a SCAN:
#     what (a) tells apart.
#  c. bench run on a spawned bench-ferretdb: summary.csv's server column
#     names the variant (FerretDB v1.24.2 (SQLite, indexed _id); with
#     --id-index=false, (SQLite)), run.json's server says stands_in_for
#     MongoDB and its warnings that a stand-in answered, as do the terminal
#     (its table's server column as wide as the variant) and report.html.
# Usage: ferretdb.sh BENCH_BINARY MONGO_PROBE
set -uo pipefail
bench=$1 probe=$2
tmp_name=ferretdb
source "$(dirname "$0")/../lib/servers.sh"

if ! have_ferretdb || [ ! -x "$probe" ]; then
  if [ "${CI:-}" = true ]; then fail "bench-ferretdb or mongo_probe missing (CI=true: required)"; finish ferretdb; exit 1; fi
  echo "skip: tools/bin/bench-ferretdb (scripts/install-deps) or mongo_probe missing"; exit 77
fi

# plan URI DB COLL ID: SQLite's plan of a find {_id: ID}
plan() { "$probe" "$1" plan "$2" "$3" "$4" 2>>"$tmp/probe.err"; }
indexed() { # NAME URI DB COLL ID
  local p; p=$(plan "$2" "$3" "$4" "$5")
  if [[ $p == *"USING INDEX _ferretdb_bench_id_"* ]]; then ok; else fail "$1: find by _id does not use the index: $p"; fi
}

# ---- a. the index ----------------------------------------------------------
start_ferretdb || { fail "bench-ferretdb did not start: $(tail -3 "$tmp/ferretdb.log")"; finish ferretdb; exit 1; }
uri="mongodb://127.0.0.1:$fport"
for i in 1 2 3; do "$probe" "$uri" insert t c "k:$i" "v$i" || fail "insert k:$i"; done
indexed "new collection" "$uri" t c k:2
same "FerretDB's listIndexes shows its own _id_ only" "$("$probe" "$uri" indexes t c)" _id_
same "every document is there" "$("$probe" "$uri" count t c)" 3
"$probe" "$uri" insert t2 other "x:1" v || fail "insert into a second database"
indexed "second database" "$uri" t2 other x:1

# A dropped and re-created collection: FerretDB creates its table again.
cat >"$tmp/drop.yaml" <<YAML
name: drop
targets: [{name: m, driver: mongodb, uri: "$uri", options: {database: t, collection: c}}]
keyspace: {records: 3, prefix: "k:"}
phases: [{name: load, clients: 1}]
YAML
# --flush drops database t (the only way bench drops anything it did not
# write); --keep leaves the collection the load made again.
"$bench" run "$tmp/drop.yaml" --servers external --flush --keep --out "$tmp/res-drop" --no-charts >"$tmp/drop.log" 2>&1 \
  || fail "bench run --flush on database t: $(tail -3 "$tmp/drop.log")"
indexed "collection made again after dropDatabase" "$uri" t c k:000000000001

# A restart on files whose index is gone (e.g. written by FerretDB as it
# ships): made at start.
stop_pid "$fpid"
python3 - "$tmp/ferretdb" <<'PY' || fail "cannot drop the index by hand"
import glob, sqlite3, sys
n = 0
for f in glob.glob(sys.argv[1] + "/*.sqlite"):
    db = sqlite3.connect(f)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '\\_ferretdb\\_bench\\_id\\_%' ESCAPE '\\'").fetchall():
        db.execute('DROP INDEX "%s"' % name); n += 1
    db.commit(); db.close()
sys.exit(0 if n >= 2 else 1)
PY
start_ferretdb "$fport" || fail "bench-ferretdb did not restart on port $fport"
indexed "after a restart on files without it" "$uri" t c k:000000000001
indexed "after a restart, second database" "$uri" t2 other x:1
stop_pid "$fpid"

# ---- b. FerretDB as it ships -----------------------------------------------
mkdir -p "$tmp/plain"
start_ferretdb "" -sqlite-url "file:$tmp/plain/" --id-index=false || fail "bench-ferretdb --id-index=false did not start"
"$probe" "mongodb://127.0.0.1:$fport" insert t c k:1 v || fail "insert (as it ships)"
p=$(plan "mongodb://127.0.0.1:$fport" t c k:1)
if [[ $p == *"SCAN "* && $p != *"USING INDEX"* ]]; then ok; else fail "--id-index=false: want a SCAN, got: $p"; fi
stop_pid "$fpid"

# ---- c. bench says a stand-in answered -------------------------------------
cat >"$tmp/w.yaml" <<'YAML'
name: standin
seed: 3
targets:
  - {name: indexed, driver: mongodb, spawn: {program: bench-ferretdb}}
  - {name: as_is, driver: mongodb, spawn: {program: bench-ferretdb, args: ["--id-index=false"]}}
keyspace: {records: 100, prefix: "si:"}
phases:
  - {name: load, clients: 1}
  - {name: run, ops: 200, clients: 2, mix: {get: 1}}
YAML
expect_rc 0 "bench run on spawned bench-ferretdb" -- "$bench" run "$tmp/w.yaml" --out "$tmp/res" --no-charts
dir=$(ls -d "$tmp"/res/*/ 2>/dev/null | head -1)
csv=${dir}summary.csv
[ -f "$csv" ] || { fail "no summary.csv"; finish ferretdb; exit 1; }
server() { python3 -c 'import csv, sys
print(next(r["server"] for r in csv.DictReader(open(sys.argv[1])) if r["target"] == sys.argv[2]))' "$csv" "$1"; }
same "summary.csv names the indexed variant" "$(server indexed)" "FerretDB v1.24.2 (SQLite, indexed _id)"
same "summary.csv names FerretDB as it ships" "$(server as_is)" "FerretDB v1.24.2 (SQLite)"
holds "run.json: each server stands in for MongoDB, with its variant" "$(python3 -c '
import json, sys
t = {x["name"]: x["server"] for x in json.load(open(sys.argv[1]))["targets"]}
print(t["indexed"]["stands_in_for"] == "MongoDB" and t["indexed"]["variant"] == "SQLite, indexed _id"
      and t["as_is"]["variant"] == "SQLite" and t["indexed"]["config"]["id_index"] == "_ferretdb_sjson->\x27$._id\x27"
      and "id_index" not in t["as_is"]["config"])' "${dir}run.json")"
contains "${dir}run.json" 'indexed: answered by FerretDB v1.24.2 (SQLite, indexed _id), a stand-in for MongoDB' "run.json warns"
contains "${dir}run.json" 'as_is: answered by FerretDB v1.24.2 (SQLite), a stand-in for MongoDB' "run.json warns (as_is)"
contains "$tmp/out" "warning: indexed: answered by FerretDB v1.24.2 (SQLite, indexed _id), a stand-in for MongoDB" "the terminal warns"
cat "$tmp/out" "$tmp/err" >"$tmp/all"
contains "$tmp/all" "indexed: FerretDB v1.24.2 (SQLite, indexed _id) at mongodb://" "the terminal names the variant whole"
contains "$tmp/err" "indexed: FerretDB v1.24.2 (SQLite, indexed _id) at mongodb://127.0.0.1:[0-9]*, a stand-in for MongoDB" "the target's first line says so"
"$bench" report "$dir" >/dev/null 2>&1 || fail "bench report"
contains "${dir}report.html" "a stand-in for MongoDB, not MongoDB" "report.html's servers table"
contains "${dir}report.html" "a stand-in for MongoDB: its figures are FerretDB&#39;s, not MongoDB&#39;s\|a stand-in for MongoDB: its figures are FerretDB's, not MongoDB's" "report.html's warnings"

finish ferretdb
