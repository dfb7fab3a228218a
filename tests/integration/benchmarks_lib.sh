#!/usr/bin/env bash
# benchmarks_lib.sh - benchmarks/lib.sh, what benchmarks/run, structures
# and mongodb share, against its own private redis-server: a load's records
# stay for the runs after it (bench's data safety would remove them), a
# mix's ops are the sum of its op rows, summary.csv is read past a quoted
# comma, and a section of the report is replaced or added with the rest of
# the file kept. usage: benchmarks_lib.sh BENCH SOURCE-DIR (77: no redis).
bench=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$2
. "$root/tests/lib/lib.sh"
need redis-server redis-cli
BENCH=$bench
KEYS=1000
VALUE=100
# sets $tmp, and stops the servers it starts when this script exits
. "$root/benchmarks/lib.sh"
start_redis
uri=redis://127.0.0.1:$RP

# A load, then gets of what it loaded: every get hits.
mkwl "$tmp/load.yaml" load redis "$uri" '{name: load}'
bench_run load "$tmp/load.yaml"
same "records left by the load" "$(redis-cli -p "$RP" dbsize)" "$KEYS"
mkwl "$tmp/get.yaml" get redis "$uri" '{name: run, ops: 2000, clients: 4, mix: {get: 1}}'
bench_run get "$tmp/get.yaml"
same "gets" "$B_OPS" 2000
same "gets that missed" "$B_MISS" 0
same "records after the gets" "$(redis-cli -p "$RP" dbsize)" "$KEYS"

# A mix: its ops and rate are those of all its op rows.
mkwl "$tmp/mix.yaml" mix redis "$uri" '{name: run, ops: 3000, clients: 4, mix: {get: 0.5, set: 0.5}}'
bench_run mix "$tmp/mix.yaml"
same "a mix's ops" "$B_OPS" 3000
get_rate=$(csv_get "$(echo "$tmp"/res/"$seq_n"/*/summary.csv)" run ops_per_sec)
check "a mix's rate ($B_RATE) is more than its first op's ($get_rate)" "$B_RATE > $get_rate"
same "a mix's errors" "$B_ERR" 0

# summary.csv's server column may hold a comma, inside quotes.
printf 'phase,server,ops\nrun,"FerretDB v1.24.2 (SQLite, indexed _id)",7\n' >"$tmp/q.csv"
same "a column past a quoted comma" "$(csv_get "$tmp/q.csv" run ops)" 7
same "the quoted column" "$(csv_get "$tmp/q.csv" run server)" "FerretDB v1.24.2 (SQLite, indexed _id)"

# Sections: added at the end, replaced in place, the rest kept.
printf '# report\nfigures\n' >"$tmp/r.md"
echo "s1" >"$tmp/b1"; echo "m1" >"$tmp/b2"
section_put "$tmp/r.md" structures "$tmp/b1"
section_put "$tmp/r.md" mongodb "$tmp/b2"
printf 's2\nmore\n' >"$tmp/b1"
section_put "$tmp/r.md" structures "$tmp/b1"
same "the report with two sections, one replaced" "$(cat "$tmp/r.md")" "$(printf '# report\nfigures\n\n<!-- structures: begin -->\ns2\nmore\n<!-- structures: end -->\n\n<!-- mongodb: begin -->\nm1\n<!-- mongodb: end -->')"
same "a section read back" "$(section_get "$tmp/r.md" mongodb)" "$(printf '<!-- mongodb: begin -->\nm1\n<!-- mongodb: end -->')"
same "no such section" "$(section_get "$tmp/r.md" other)" ""

finish benchmarks_lib
