#!/usr/bin/env bash
# Crash phases (docs/workload-format.md, "Crash phases"): acknowledged
# writes, kill -9 of the server bench spawned, restart on the same data,
# read back. Against the real servers:
#  - redis-server as bench spawns it by default (no RDB, no AOF) and
#    memcached keep nothing: every acknowledged write is lost;
#  - FerretDB (SQLite, when built) keeps every one;
#  - the counts agree between summary.csv, run.json and the terminal, the
#    server answers again afterwards (the next phase runs without errors);
#  - a crash phase is refused on servers bench did not start (exit 2, no
#    result), and bad crash phases are invalid with file:line:col.
# Usage: crash.sh BENCH_BINARY REPO_ROOT
set -uo pipefail
bench=$1 root=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-crash-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$root/tests/lib/lib.sh"

need redis-server memcached
targets="redis, memcached"
if [ -x "$root/tools/bin/bench-ferretdb" ] || command -v mongod >/dev/null; then
  targets="$targets, mongodb"
elif [ "${CI:-}" = true ]; then
  fail "no MongoDB-compatible server (CI=true: required; scripts/install-deps builds it)"
fi

cat >"$tmp/crash.yaml" <<YAML
name: crash-test
seed: 5
targets: [$targets]
keyspace: {records: 200, prefix: "crt:"}
values: {size: 48}
phases:
  - {name: load, clients: 1}
  - {name: crash, type: crash, clients: 2, kill_after: {min: 300ms, max: 600ms}}
  - {name: after, duration: 1s, clients: 1, mix: {set: 1}}
YAML

expect_rc 0 "crash run" -- "$bench" run "$tmp/crash.yaml" --out "$tmp/res" --no-charts
cp "$tmp/err" "$tmp/run.log"
dir=$(ls -d "$tmp"/res/*/ 2>/dev/null | head -1)
csv=${dir}summary.csv
[ -f "$csv" ] || { fail "no summary.csv"; echo "crash: $passed passed, $failed failed"; exit 1; }

# field TARGET OP COLUMN: from the crash phase's row
field() {
  csvtab "$csv" | awk -F'\t' -v t="$1" -v o="$2" -v name="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == "crash" && $h["op"] == o { print $h[name]; exit }'
}
# json_crash TARGET KEY: from run.json's crash object of that target
json_crash() {
  python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["targets"]:
    if t["name"] == sys.argv[2]:
        for r in t["runs"]:
            if "crash" in r: print(r["crash"][sys.argv[3]])' "${dir}run.json" "$1" "$2"
}

for t in redis memcached mongodb; do
  case " $targets," in *" $t,"*) ;; *) continue ;; esac
  acked=$(field "$t" set ops) read=$(field "$t" get ops) lost=$(field "$t" get misses)
  disc=$(field "$t" set disconnects) restart=$(field "$t" get restart_s)
  echo "$t: acked $acked, read back $read, lost $lost, in flight at the kill $disc, restart ${restart}s"
  holds "$t: writes were acknowledged" "${acked:-0} > 0"
  holds "$t: every acknowledged write was read back ($read of $acked)" "${read:-0} == ${acked:-0}"
  holds "$t: the kill cut the requests in flight ($disc)" "${disc:-0} >= 1"
  holds "$t: restart_s is measured ($restart)" "'$restart' != '' and float('${restart:-0}') > 0"
  holds "$t: run.json agrees (acknowledged, lost)" \
    "'$(json_crash "$t" acknowledged)' == '$acked' and '$(json_crash "$t" lost)' == '$lost'"
  holds "$t: the read-back has no rate" "'$(field "$t" get ops_per_sec)' == ''"
  # The server came back: the next phase ran without a failure.
  after_errs=$(csvtab "$csv" | awk -F'\t' -v t="$t" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["target"] == t && $h["phase"] == "after" { s += $h["errors"] + $h["disconnects"] + $h["timeouts"]; n += $h["ops"] }
    END { print s + 0, n + 0 }')
  holds "$t: the phase after the restart ran cleanly (errors, ops: $after_errs)" \
    "${after_errs% *} == 0 and ${after_errs#* } > 0"
  contains "$tmp/run.log" "$t: crash (repeat 1): killed -9 at .* after $acked acknowledged writes; $lost of them lost" \
    "$t: the terminal line"
done
# What each server keeps: nothing without persistence, everything on SQLite.
holds "redis without persistence lost every acknowledged write" "'$(field redis get misses)' == '$(field redis set ops)'"
holds "memcached lost every acknowledged write" "'$(field memcached get misses)' == '$(field memcached set ops)'"
case " $targets," in *" mongodb,"*)
  holds "the MongoDB target (FerretDB, SQLite) lost none" "'$(field mongodb get misses)' == '0'" ;;
esac

# Never on a server bench did not start.
expect_rc 2 "crash phase with --servers external" -- "$bench" run "$tmp/crash.yaml" --servers external --out "$tmp/ext"
contains "$tmp/err" "never kills or copies a server it did not start" "external: the reason"
[ ! -e "$tmp/ext" ] && ok || fail "external: a result directory was written"
sed 's/targets: \[.*\]/targets: [{name: redis, uri: "redis:\/\/127.0.0.1:1"}]/' "$tmp/crash.yaml" >"$tmp/uri.yaml"
expect_rc 2 "crash phase against a target with a uri" -- "$bench" run "$tmp/uri.yaml" --out "$tmp/ext"
contains "$tmp/err" "target redis has a uri" "uri: the reason"

# Invalid crash phases: file:line:col.
invalid_phase no-kill redis "{name: c, type: crash}" "needs kill_after"
invalid_phase min-max redis "{name: c, type: crash, kill_after: {min: 2s, max: 1s}}" "min (2s) is greater than max (1s)"
invalid_phase mix redis "{name: c, type: crash, kill_after: 1s, mix: {get: 1}}" "key 'mix' is only for run or cache-aside phases"
invalid_phase batch redis "{name: c, type: crash, kill_after: 1s, batch: 10}" "key 'batch' is only for load phases"
invalid_phase kill-on-run redis "{name: r, duration: 1s, mix: {get: 1}, kill_after: 1s}" "key 'kill_after' is only for crash phases"
invalid_phase type redis "{name: c, type: crsh}" "unknown phase type 'crsh'.*crash"

echo "crash: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
