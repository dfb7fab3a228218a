#!/usr/bin/env bash
# escape.sh - nothing that came from data runs, and every language bench
# writes escapes it (docs/security.md, "Output to other programs").
# Usage: escape.sh BENCH_BINARY SOURCE_DIR
#
# Hostile strings try to run `touch $tmp/canary.N` in each language bench
# writes for another program: a backquote and a double-quoted break-out for
# gnuplot (it runs `...` inside double quotes), a single-quoted break-out,
# a line break followed by gnuplot's `!` shell escape, a trailing backslash
# (a comment's continuation), $(...) for a shell; <script> and <img> for
# HTML and markdown; =cmd|, @SUM, +HYPERLINK, -2+3 and a TAB for a
# spreadsheet; markdown's links, code, emphasis and |. They go through
# every name that reaches a writer:
#   (1) sweep values and the description of a workload, through `bench run`
#       on the null driver (summary.csv, timeseries.csv, run.json, charts
#       drawn by gnuplot, report.html), `bench compare` in all three formats;
#       with two targets, comparison.csv, results.json and the terminal;
#   (2) the same run sharded and `bench merge`d (merged CSVs, charts, report);
#   (3) a result directory whose workload, target, phase, op and sweep key
#       are hostile (a workload file cannot name them so), through `bench
#       chart`, `bench report` and `bench compare`;
#   (4) a claim's statement, notes and quick: override, through `bench
#       claims --quick` (claims.csv, report.html, and the command line its
#       log shows, which must read back in a shell as the command it ran).
# After each: no canary file exists; every .gp redraws by hand silently and
# runs nothing; every .dat line is a comment or numbers; every CSV cell a
# spreadsheet would take for a formula is text, while numbers (-5) stay
# numbers and bench reads back what it wrote; HTML and markdown hold no
# tag, and every markdown table row has as many cells as its header.
#
# Needs gnuplot (gnuplot-nox) and python3: without them, exit 77 (skipped)
# unless CI=true.
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-escape-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
need gnuplot python3
cd "$src"
export CANARY="$tmp/canary"

# The hostile strings, as JSON (valid YAML double-quoted scalars too).
python3 - >"$tmp/hostile.json" <<'PY'
import json, os
c = os.environ["CANARY"]
print(json.dumps([
    "b`touch %s.1`" % c,
    "$(touch %s.2)" % c,
    "'.system(\"touch %s.3\").'" % c,
    "\".system(\\\"touch %s.4\\\").\"" % c,
    "x\n!touch %s.5\n" % c,
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+HYPERLINK(\"http://example.invalid\",\"x\")",
    "-2+3",
    "\tTAB",
    "m[x](javascript:alert(1)) | `code` *b* _i_ ~s~ $m$ ![i](http://example.invalid/i.png)",
    "a\\",
    "-5",
]))
PY

no_canary() {
  local left
  left=$(find "$tmp" -name 'canary*' | head -3)
  [ -z "$left" ] && ok || fail "$1: a command from data ran (found $left)"
}

# Every .gp of DIR/charts redraws by hand without a word and runs nothing;
# gnuplot expands backquotes only in double-quoted strings, and a line
# starting with ! is a shell command.
check_charts() {
  local dir=$1 what=$2 gp out n=0
  for gp in "$dir"/charts/*.gp; do
    [ -e "$gp" ] || continue
    n=$((n + 1))
    # Names this long may not fit a chart: that is layout, not escaping.
    out=$(cd "$dir/charts" && gnuplot "$(basename "$gp")" 2>&1 |
      grep -v 'warning: .*difficulty \(making room for xtic labels\|fitting plot titles into key\)')
    [ -z "$out" ] && ok || fail "$what: gnuplot $(basename "$gp") by hand: $out"
  done
  [ "$n" -gt 0 ] && ok || fail "$what: no chart was drawn"
  if python3 - "$dir"/charts/*.gp >"$tmp/gp.bad" <<'PY'
import sys
# gnuplot runs `...` outside strings and inside "...", and a line starting
# with ! in the shell; '...' (with '' for a quote) is inert.
bad = []
for path in sys.argv[1:]:
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        state, i = None, 0
        if line.lstrip().startswith("!"):
            bad.append((path, n, "a shell command"))
        while i < len(line):
            ch = line[i]
            if state is None:
                if ch == "#":
                    if line.endswith("\\"):
                        bad.append((path, n, "a comment continued onto the next line"))
                    break
                if ch == "`":
                    bad.append((path, n, "a backquote outside a string"))
                state = {"'": "'", '"': '"'}.get(ch)
            elif state == "'":
                if ch == "'" and line[i + 1:i + 2] == "'":
                    i += 1
                elif ch == "'":
                    state = None
            else:
                if ch == "\\":
                    i += 1
                elif ch == "`":
                    bad.append((path, n, "a backquote in a double-quoted string"))
                elif ch == '"':
                    state = None
            i += 1
        if state:
            bad.append((path, n, "a string not closed on its line"))
for b in bad:
    print("%s:%d: %s" % b)
sys.exit(1 if bad else 0)
PY
  then ok; else fail "$what: $(head -3 "$tmp/gp.bad")"; fi
  if awk '!/^#/ && NF { for (i = 1; i <= NF; i++) if ($i !~ /^(-?[0-9.]+(e[-+]?[0-9]+)?|\?)$/) bad = bad FILENAME ": " $0 "\n" }
          END { if (bad) { printf "%s", bad; exit 1 } }' "$dir"/charts/*.dat >"$tmp/dat.bad"; then ok
  else fail "$what: a .dat line that is not numbers: $(head -3 "$tmp/dat.bad")"; fi
  no_canary "$what: charts redrawn by hand"
}

# check_csv FILE WHAT [EXPECTED-CELL...]: no cell a spreadsheet would take for
# a formula, and each EXPECTED-CELL (as written) is a cell.
check_csv() {
  local file=$1 what=$2
  shift 2
  if python3 - "$file" "$@" >"$tmp/csv.out" 2>&1 <<'PY'
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
cells = [c for r in rows for c in r]
bad = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
       and not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", c)]
missing = [w for w in sys.argv[2:] if w not in cells]
for c in bad: print("formula cell: %r" % c)
for w in missing: print("missing cell: %r" % w)
sys.exit(1 if bad or missing or not rows else 0)
PY
  then ok; else fail "$what ($file): $(head -5 "$tmp/csv.out")"; fi
}

check_html() {
  lacks "$1" "<script" "$2: a <script> tag"
  lacks "$1" "<img" "$2: an <img> tag"
  contains "$1" "&lt;script&gt;" "$2: the hostile name is shown, escaped"
}

# check_markdown FILE WHAT: no tag, no unescaped backquote, and every table
# row has as many unescaped | as the header.
check_markdown() {
  lacks "$1" "<script" "$2: a <script> tag"
  lacks "$1" "<img" "$2: an <img> tag"
  contains "$1" '&lt;script&gt;' "$2: the hostile name is shown, escaped"
  if python3 - "$1" >"$tmp/md.out" 2>&1 <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
table = [l for l in lines if l.startswith("|")]
bars = lambda l: len(re.findall(r"(?<!\\)\|", l))
bad = [l for l in table if bars(l) != bars(table[0])]
bad += [l for l in lines if re.search(r"(?<!\\)[`\[\]]", l)]
for l in bad: print(repr(l))
sys.exit(1 if bad or not table else 0)
PY
  then ok; else fail "$2: $(head -3 "$tmp/md.out")"; fi
}

# check_compare DIR1 DIR2 WHAT EXPECTED-CELL...: all three formats.
check_compare() {
  local a=$1 b=$2 what=$3
  shift 3
  expect_rc 0 "$what: compare" -- "$bench" compare "$a" "$b" --format markdown
  cp "$tmp/out" "$tmp/compare.md"
  check_markdown "$tmp/compare.md" "$what: compare --format markdown"
  expect_rc 0 "$what: compare" -- "$bench" compare "$a" "$b" --format csv
  cp "$tmp/out" "$tmp/compare.csv"
  check_csv "$tmp/compare.csv" "$what: compare --format csv" "$@"
  expect_rc 0 "$what: compare" -- "$bench" compare "$a" "$b"
  if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$tmp/out"); then fail "$what: compare's table holds control characters"; else ok; fi
  no_canary "$what: compare"
}

# --- (1) a workload: hostile sweep values and description ---
python3 - "$tmp/hostile.json" >"$tmp/w.yaml" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
print("name: esc")
print("description: %s" % json.dumps(" ".join(h)))
print("targets:\n  - {name: alpha, driver: null}")
print("keyspace: {records: 50}")
print("sweep: {description: [%s]}" % ", ".join(json.dumps(x) for x in h))
print("phases:\n  - {name: run, ops: 100, clients: 2, mix: {get: 0.5, set: 0.5}}")
PY
expect_rc 0 "bench run with hostile sweep values" -- "$bench" run "$tmp/w.yaml" --out "$tmp/res" --quiet
no_canary "bench run"
dir=$(ls -d "$tmp"/res/*/ 2>/dev/null | head -1)
dir=${dir%/}
[ -n "$dir" ] && [ -s "$dir/summary.csv" ] || { fail "the run wrote no result directory"; echo "passed $passed, failed $failed"; exit 1; }
check_charts "$dir" "bench run"
# The sweep's tic labels show the values as they were (read back without
# the CSV's formula mark), in single quotes with ' doubled.
contains "$dir/charts/sweep-run-get.gp" "'=cmd|'' /C calc''!A0'" "a sweep value reaches gnuplot single-quoted, as it was"
contains "$dir/charts/sweep-run-get.gp" "'x'.\"\\\\n\".'!touch " "a line break in a sweep value is a gnuplot string's \\n"
for f in summary.csv timeseries.csv; do
  check_csv "$dir/$f" "bench run: $f" "'=cmd|' /C calc'!A0" "'@SUM(1+1)" "'+HYPERLINK(\"http://example.invalid\",\"x\")" \
    "'-2+3" $'\'\tTAB' "-5"
done
check_html "$dir/report.html" "bench run: report.html"
expect_rc 0 "bench report again" -- "$bench" report "$dir"
check_html "$dir/report.html" "bench report"
no_canary "bench report"
check_compare "$dir" "$dir" "a run with hostile sweep values" "'=cmd|' /C calc'!A0" "-5"

# --- (1b) two targets compared: comparison.csv, results.json, the terminal ---
sed 's/^  - {name: alpha, driver: null}$/  - {name: alpha, driver: null}\n  - {name: beta, driver: null}/' "$tmp/w.yaml" >"$tmp/w2.yaml"
expect_rc 0 "bench run of two targets with hostile sweep values" -- "$bench" run "$tmp/w2.yaml" --out "$tmp/res2" --no-charts
no_canary "bench run of two targets"
if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$tmp/out"); then fail "the comparison on the terminal holds control characters"; else ok; fi
contains "$tmp/out" "=cmd|' /C calc'!A0" "the terminal's sweep table shows a sweep value as it is"
cdir=$(ls -d "$tmp"/res2/*/ 2>/dev/null | head -1)
check_csv "${cdir}comparison.csv" "bench run: comparison.csv" "'=cmd|' /C calc'!A0" "'@SUM(1+1)" "'-2+3" "-5"
python3 - "${cdir}results.json" "$tmp/hostile.json" <<'PY' && ok || fail "results.json holds every sweep value as it was"
import json, sys
r, h = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(not ({c["sweep_value"] for c in r["comparison"]} == set(h) == {s["sweep_value"] for s in r["summary"]}))
PY

# --- (2) the same run in two shards, merged ---
expect_rc 0 "shard 0/2" -- "$bench" run "$tmp/w.yaml" --shard 0/2 --out "$tmp/s0" --quiet --no-charts
expect_rc 0 "shard 1/2" -- "$bench" run "$tmp/w.yaml" --shard 1/2 --out "$tmp/s1" --quiet --no-charts
expect_rc 0 "bench merge of hostile shards" -- "$bench" merge "$tmp"/s0/*/ "$tmp"/s1/*/ --out "$tmp/merged" --quiet
no_canary "bench merge"
mdir=$(ls -d "$tmp"/merged/*/ 2>/dev/null | head -1)
mdir=${mdir%/}
if [ -n "$mdir" ]; then
  check_charts "$mdir" "bench merge"
  for f in summary.csv timeseries.csv; do
    check_csv "$mdir/$f" "bench merge: $f" "'=cmd|' /C calc'!A0" "'@SUM(1+1)" "-5"
  done
  check_html "$mdir/report.html" "bench merge: report.html"
else
  fail "bench merge wrote no directory"
fi

# --- (3) a result directory with hostile workload, target, phase, op, key ---
expect_rc 0 "a plain run to rename" -- "$bench" run "$src/tests/fixtures/chart/chart.yaml" --out "$tmp/plain" --quiet --no-charts
pdir=$(ls -d "$tmp"/plain/*/ 2>/dev/null | head -1)
pdir=${pdir%/}
python3 - "$pdir" "$tmp/hostile.json" <<'PY'
import csv, json, os, re, sys
d, h = sys.argv[1], json.load(open(sys.argv[2]))
c = "canary"  # relative: gnuplot runs in charts/, and these names must fit a chart
new = {
    "workload": {"chart-e2e": "=cmd|' /C calc'!A0 <script>alert(5)</script>$(touch %s.15)" % c},
    # the names in a chart's key (target op) short enough to fit it
    "target": {"alpha": "t`touch %s.10`<script>" % c, "beta": "u\".system(\"touch %s.11\").\"" % c},
    "phase": {"closed": "'.system('touch %s.12').' @SUM(1)" % c, "open": "+o`touch %s.13`|x" % c},
    "op": {"get": "g<img src=x onerror=alert(4)>", "set": "-s\\"},
    "sweep_key": {"clients": "k\n!touch %s.14 [l](javascript:alert(6))" % c},
}
safe = lambda s: re.sub(r"[^A-Za-z0-9_.=-]", "_", s)
for f in ("summary.csv", "timeseries.csv"):
    rows = list(csv.reader(open(os.path.join(d, f), newline="")))
    head = rows[0]
    for r in rows[1:]:
        for col, m in new.items():
            i = head.index(col)
            r[i] = m.get(r[i], r[i])
    with open(os.path.join(d, f), "w", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
# latency/<target>[-<phase>]-<op>-<key>=<value>-r<repeat>.hgrm, renamed alike
lat = os.path.join(d, "latency")
for name in os.listdir(lat):
    m = re.match(r"(alpha|beta)(-(?:load|closed|open))?-(get|set|load)-clients=(.*)$", name)
    if not m:
        continue
    t, p, o, rest = m.group(1), m.group(2), m.group(3), m.group(4)
    p = "-" + new["phase"].get(p[1:], p[1:]) if p else ""
    n = safe("%s%s-%s-%s=" % (new["target"][t], p, new["op"].get(o, o), new["sweep_key"]["clients"])) + rest
    os.rename(os.path.join(lat, name), os.path.join(lat, n))
run = json.load(open(os.path.join(d, "run.json")))
for t in run.get("targets", []):
    t["name"] = new["target"].get(t["name"], t["name"])
run["workload"]["name"] = new["workload"]["chart-e2e"]
run["workload"]["description"] = " ".join(h)
json.dump(run, open(os.path.join(d, "run.json"), "w"))
PY
expect_rc 0 "bench chart of hostile names" -- "$bench" chart "$pdir"
no_canary "bench chart"
check_charts "$pdir" "bench chart of hostile names"
grep -l "title 't\`touch " "$pdir"/charts/latency-*.gp >/dev/null && ok \
  || fail "a renamed target's spectrum should be drawn from its .hgrm files"
expect_rc 0 "bench report of hostile names" -- "$bench" report "$pdir"
check_html "$pdir/report.html" "bench report of hostile names"
# bench's own markup (a target named in bold in a warning) holds the names escaped
lacks "$pdir/report.html" "<b>[^<]*<[^/]" "bench report of hostile names: no tag inside a name"
contains "$pdir/report.html" "Target <b>t\`touch canary.10\`&lt;script&gt;</b>" "bench report of hostile names: a target, escaped, in bold"
no_canary "bench report of hostile names"
check_compare "$pdir" "$pdir" "hostile names" "'=cmd|' /C calc'!A0 <script>alert(5)</script>\$(touch canary.15)" \
  "'+o\`touch canary.13\`|x" "'-s\\"

# --- (4) a claim's statement, notes and quick: override ---
mkdir -p "$tmp/claims"
python3 - "$tmp/hostile.json" >"$tmp/claims/c-esc.yaml" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
print("name: c-esc\ntargets: [null]\nphases: [{name: run, ops: 100, mix: {get: 1}}]")
print("claim:\n  id: c-esc")
print("  statement: %s" % json.dumps("=cmd|' /C calc'!A0 " + " ".join(h)))
print("  notes: %s" % json.dumps("@SUM(1+1) " + " ".join(h)))
print("  expect: null.get.ops > 0")
print("  quick: {description: %s}" % json.dumps(" ".join(h)))
PY
expect_rc 0 "bench claims with a hostile statement" -- "$bench" claims --quick --claims "$tmp/claims" --out "$tmp/res-claims"
no_canary "bench claims"
cdir=$(ls -d "$tmp"/res-claims/*-claims/ 2>/dev/null | head -1)
check_csv "${cdir}claims.csv" "bench claims: claims.csv" "'=cmd|' /C calc'!A0 $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$tmp/hostile.json")"
check_html "${cdir}report.html" "bench claims: report.html"
# The claim's log shows the command it ran as a shell would read it back.
if python3 - "${cdir}runs/c-esc.log" "$tmp/hostile.json" >"$tmp/sh.out" 2>&1 <<'PY'
import json, shlex, sys
lines = open(sys.argv[1]).read().split("\n")
want = "description=" + " ".join(json.load(open(sys.argv[2])))
words = []
# the command's quoted words may span lines: the shortest prefix that parses
for k in range(1, len(lines) + 1):
    try:
        words = shlex.split("\n".join(lines[:k])[2:]) if lines[0].startswith("$ ") else []
        break
    except ValueError:
        continue
print(lines[0][:300])
sys.exit(0 if want in words else 1)
PY
then ok; else fail "bench claims: the logged command does not read back as it ran: $(head -c 300 "$tmp/sh.out")"; fi

echo "passed $passed, failed $failed"
[ "$failed" -eq 0 ]
