#!/usr/bin/env bash
# Charts and report.html, end to end. Usage: test_chart.sh BENCH_BINARY SOURCE_DIR
#
# Runs the null driver (no server) through a workload that has every kind of
# chart (two targets, repeats, a sweep, a warmup, closed and open loop), then
# `bench chart` and `bench report`, reruns each .gp by hand, renders the
# report in headless Chromium and checks it logged no console message. Also:
# the CLI's exit codes, gnuplot missing, and a result directory full of
# hostile names and a broken run.json.
#
# Needs gnuplot (gnuplot-nox) and chromium: without them, exit 77 (skipped)
# unless CI=true, where a missing tool is a failure.
set -uo pipefail
bench=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-chart-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/lib.sh"
is_png()   { if [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then ok; else fail "$2: $1 is not a PNG"; fi; }

missing=()
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || missing+=(chromium)
# report.html quotes Chinese (claims quote the notes): a font with its glyphs
[ -n "$(fc-list ':lang=zh' family 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
if ((${#missing[@]})); then
  if [ "${CI:-}" = true ]; then
    echo "FAIL: needs ${missing[*]} (scripts/install-deps installs them)" >&2
    exit 1
  fi
  echo "SKIP: needs ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 77
fi

# Renders an HTML file to a PNG in headless Chromium; its log goes to $2.log.
# Every console message (console.*, an uncaught exception) is logged as a
# line with ":CONSOLE" in it.
# A third argument is the window's size (1280,4000 by default).
render() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$tmp/chromium-profile" --enable-logging=stderr --v=0 \
    --screenshot="$2" --window-size="${3:-1280,4000}" "file://$1" >"$2.log" 2>&1
}
# The metrics of a comparison.csv that some target has a mean of, in the
# file's order: the charts `bench chart` draws from it (compare-METRIC).
cmp_metrics() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "metric") m = i; if ($i == "mean") v = i }; next }
    !($m in at) { at[$m] = n; order[n++] = $m } $v != "" { has[$m] = 1 }
    END { for (i = 0; i < n; i++) if (has[order[i]]) print "compare-" order[i] }' "$1"
}

cd "$src"

# --- the CLI surface ---
for cmd in chart report; do
  expect_rc 0 "$cmd --help" -- "$bench" "$cmd" --help
  contains "$tmp/out" "usage: bench $cmd RESULT_DIR" "$cmd --help"
  contains "$tmp/out" "Exit status: 0" "$cmd --help documents exit codes"
  expect_rc 2 "$cmd without a directory" -- "$bench" "$cmd"
  expect_rc 2 "$cmd of a missing directory" -- "$bench" "$cmd" "$tmp/nope"
  contains "$tmp/err" "not a directory" "$cmd of a missing directory says why"
  mkdir -p "$tmp/empty"
  expect_rc 2 "$cmd of a directory without summary.csv" -- "$bench" "$cmd" "$tmp/empty"
  contains "$tmp/err" "summary.csv" "$cmd names the missing summary.csv"
  expect_rc 2 "$cmd with two directories" -- "$bench" "$cmd" "$tmp/empty" "$tmp/empty"
  expect_rc 2 "$cmd with an unknown option" -- "$bench" "$cmd" --pdf "$tmp/empty"
done
printf 'a,b\n1,2\n' >"$tmp/empty/summary.csv"
expect_rc 2 "chart of a summary.csv that is not bench's" -- "$bench" chart "$tmp/empty"
contains "$tmp/err" "no column 'phase'" "a foreign summary.csv is named as such"

# --- a run with every kind of chart ---
expect_rc 0 "run the chart workload" -- "$bench" run tests/fixtures/chart/chart.yaml --out "$tmp/res" --quiet
dir=$(ls -d "$tmp"/res/*/ 2>/dev/null | head -1)
dir=${dir%/}
[ -n "$dir" ] && [ -s "$dir/summary.csv" ] || { fail "the run wrote no result directory"; echo "passed $passed, failed $failed"; exit 1; }
expect_rc 0 "bench chart" -- "$bench" chart "$dir"

charts=()
[ -f "$dir/comparison.csv" ] && mapfile -t charts < <(cmp_metrics "$dir/comparison.csv")
# The load runs once per target: the sweep sets only run-phase keys and no
# phase changes the data, so every block reuses it (docs/workload-format.md,
# "order"): one load point, no load timeline at clients=2.
charts+=(throughput cpu
        sweep-load-load sweep-closed-get sweep-closed-set sweep-open-get sweep-open-set
        latency-load-load latency-closed-get latency-closed-set latency-open-get latency-open-set
        timeline-load-clients=1 timeline-closed-clients=1 timeline-closed-clients=2
        timeline-open-clients=1 timeline-open-clients=2)
contains "$tmp/out" "charts: $dir/charts/ (${#charts[@]} charts" "bench chart says where and how many"
for c in "${charts[@]}"; do
  for ext in gp dat svg; do nonempty "$dir/charts/$c.$ext" "chart $c"; done
  is_png "$dir/charts/$c.png" "chart $c"
  contains "$dir/charts/$c.svg" "<svg" "$c.svg is an SVG"
  grep -q "^$c	" "$dir/charts/index.txt" && ok || fail "index.txt lacks $c"
done
[ "$(wc -l <"$dir/charts/index.txt")" -eq "${#charts[@]}" ] && ok || fail "index.txt should list exactly ${#charts[@]} charts"
[ "$(ls "$dir/charts" | wc -l)" -eq $((4 * ${#charts[@]} + 1)) ] && ok || fail "charts/ holds unexpected files: $(ls "$dir/charts")"

# What the charts show.
contains "$dir/charts/throughput.dat" "^# target 'alpha'" "throughput.dat has a block per target"
contains "$dir/charts/throughput.dat" "^# target 'beta'" "throughput.dat has a block per target"
awk '!/^#/ && NF == 4 && $3 != "?" && $4 != "?" { n++ } END { exit !(n > 0) }' "$dir/charts/throughput.dat" \
  && ok || fail "throughput.dat should have CI bounds (repeat: 2)"
contains "$dir/charts/throughput.gp" "with vectors heads" "throughput draws CI error bars"
contains "$dir/charts/throughput.gp" "set xtics ('load'.\"\\\\n\".'clients=1' 0" "throughput labels clusters with phase, op and sweep point"
contains "$dir/charts/latency-open-get.gp" "open loop" "an open-loop spectrum says so"
contains "$dir/charts/latency-open-get.dat" "alpha-open-get-clients=2-r2.hgrm" "the spectrum reads the .hgrm files"
# Drawn or (all below 1 µs, on a fast host) named as not drawn.
[ "$(grep '^#' "$dir/charts/latency-closed-get.dat" | grep -o '[A-Za-z0-9_.=-]\+\.hgrm' | wc -l)" -eq 8 ] && ok \
  || fail "latency-closed-get should hold 2 targets x 2 points x 2 repeats"
contains "$dir/charts/timeline-closed-clients=1.gp" "warmup" "the warmup is shaded"
awk '!/^#/ && NF == 3 && $1 < 0 { n++ } END { exit !(n > 0) }' "$dir/charts/timeline-closed-clients=1.dat" \
  && ok || fail "the over-time data has the warmup's negative seconds"
contains "$dir/charts/sweep-closed-get.gp" "set xlabel 'clients'" "the sweep's x axis is the swept key"
# Sweep points with repeats: the curves are means with 95% CI error bars.
for c in sweep-closed-get sweep-open-set; do
  awk '!/^#/ && NF == 7 && $3 != "?" && $4 != "?" && $6 != "?" && $7 != "?" && $3 <= $2 && $2 <= $4 && $6 <= $5 && $5 <= $7 { n++ }
    END { exit !(n == 4) }' "$dir/charts/$c.dat" \
    && ok || fail "$c.dat: every sweep point of both targets has its mean inside a CI (ops/s and p99)"
  [ "$(grep -c 'using 1:[25]:[36]:[47] with yerrorbars' "$dir/charts/$c.gp")" -ge 3 ] \
    && ok || fail "$c.gp: the sweep curves draw their CI as error bars"
  contains "$dir/charts/$c.gp" "(mean of repeats, 95% CI)" "$c.gp says its points are means with a 95% CI"
done
# The one load of each target: its point, without an interval.
awk '!/^#/ && NF == 7 && $1 == 1 && $2 != "?" && $3 == "?" { n++ } !/^#/ && NF == 7 && $1 != 1 && $2 != "?" { bad++ }
  END { exit !(n == 2 && !bad) }' "$dir/charts/sweep-load-load.dat" \
  && ok || fail "sweep-load-load.dat: one point per target (clients=1, no CI), none at clients=2"
contains "$dir/charts/cpu.gp" "server CPU unknown for: alpha, beta" "cpu says where the server CPU is unknown"

# Every script redraws by hand from the charts directory, silently.
for c in "${charts[@]}"; do
  rm -f "$dir/charts/$c.svg" "$dir/charts/$c.png"
  if (cd "$dir/charts" && gnuplot "$c.gp") >"$tmp/gp.out" 2>&1 && [ ! -s "$tmp/gp.out" ]; then ok
  else fail "gnuplot $c.gp by hand"; cat "$tmp/gp.out" >&2; fi
  nonempty "$dir/charts/$c.svg" "$c.gp redrawn by hand"
  is_png "$dir/charts/$c.png" "$c.gp redrawn by hand"
done

# --- series a chart cannot draw ---
# On a fast host the null driver's latencies round to 0 µs: a log axis
# cannot show them, and gnuplot warns "Skipping data file with no valid
# points" for a series with no point it can draw. Such a series is left out
# and named in the chart. Two copies of the run: every latency 0, and
# beta's 0 while alpha's span 1 to 1000 µs (a log axis on every panel).
# set_col FILE COLUMN AWK-EXPRESSION: rewrites COLUMN of every row (the
# fixture's names hold no comma or quote).
set_col() {
  awk -F, -v OFS=, -v col="$2" "NR == 1 { for (i = 1; i <= NF; i++) if (\$i == col) c = i; print; next }
    { if (c) \$c = $3; print }" "$1" >"$1.new" && mv "$1.new" "$1"
}
# Every .gp of DIR/charts redraws by hand without a word from gnuplot.
redraw_silently() {
  local gp out
  for gp in "$1"/charts/*.gp; do
    out=$(cd "$1/charts" && gnuplot "$(basename "$gp")" 2>&1)
    [ -z "$out" ] && ok || fail "$2: gnuplot $(basename "$gp") by hand: $out"
  done
}
cp -r "$dir" "$tmp/zero"
rm -rf "$tmp/zero/charts" "$tmp/zero/report.html"
for c in mean_us p50_us p90_us p99_us p999_us max_us; do set_col "$tmp/zero/summary.csv" "$c" '"0.000"'; done
for c in p50_us p99_us max_us; do set_col "$tmp/zero/timeseries.csv" "$c" '"0.000"'; done
for h in "$tmp"/zero/latency/*.hgrm; do
  awk '$4 != "" && $1 + 0 == $1 { $1 = "0.000" } { print }' "$h" >"$h.new" && mv "$h.new" "$h"
done
cp -r "$tmp/zero" "$tmp/half"
# alpha's spectra: 50 µs throughout (not the run's own, which a fast host
# may round to 0 too), but for one repeat of a series that is drawn
for h in "$tmp"/half/latency/alpha-*.hgrm; do
  [ "$(basename "$h")" = alpha-closed-get-clients=1-r2.hgrm ] && continue
  awk '$4 != "" && $1 + 0 == $1 { $1 = "0.050" } { print }' "$h" >"$h.new" && mv "$h.new" "$h"
done
# alpha's p99: 1 µs at the first sweep point and 1000 at the second; over
# time, 1 and 1000 in turn
set_col "$tmp/half/summary.csv" p99_us '($3 == "alpha" ? ($0 ~ /,clients,1,/ ? "1.000" : "1000.000") : $c)'
set_col "$tmp/half/timeseries.csv" p99_us '($3 == "alpha" ? (NR % 2 ? "1.000" : "1000.000") : $c)'

expect_rc 0 "chart of a run whose latencies are all 0" -- "$bench" chart "$tmp/zero"
redraw_silently "$tmp/zero" "latencies all 0"
contains "$tmp/zero/charts/latency-closed-get.gp" "no latency data" "a spectrum with only 0 µs says so"
lacks "$tmp/zero/charts/latency-closed-get.gp" "index 0" "a spectrum with only 0 µs plots no file"
contains "$tmp/zero/charts/latency-closed-get.dat" "^# not drawn (no latency above .*alpha-closed-get-clients=1-r1.hgrm" \
  "the spectrum's data names the files it leaves out"
expect_rc 0 "chart of a run where one target's latencies are 0" -- "$bench" chart "$tmp/half"
redraw_silently "$tmp/half" "one target's latencies 0"
contains "$tmp/half/charts/latency-closed-get.gp" "set label 4 'not drawn (no value this axis can show): beta clients=1, beta clients=2; 1 file of the series drawn'" \
  "the spectrum names the series it leaves out, and counts a repeat it leaves out"
contains "$tmp/half/charts/latency-closed-get.gp" "title 'alpha clients=1'" "the spectrum still draws alpha"
contains "$tmp/half/charts/latency-open-get.gp" '"99.9%%" 1000' "the spectrum's nines axis"
contains "$tmp/half/charts/latency-open-get.gp" "set logscale x" "the spectrum's log axis"
contains "$tmp/half/charts/latency-open-get.gp" "set yrange \[25:100\]" "a spectrum of one latency gets a y range around it"
contains "$tmp/half/charts/sweep-closed-get.gp" "not drawn (no value this axis can show): beta'" \
  "a sweep's log p99 panel leaves out a target with only 0 µs"
contains "$tmp/half/charts/timeline-closed-clients=1.gp" "not drawn (no value this axis can show): beta get, beta set'" \
  "a timeline's log p99 panel leaves out the series with only 0 µs"

# Redrawing replaces what bench wrote and keeps the user's files.
echo "# mine" >"$dir/charts/mine.gp"
cp "$dir/charts/index.txt" "$tmp/index.before"
expect_rc 0 "bench chart again" -- "$bench" chart "$dir/"
cmp -s "$tmp/index.before" "$dir/charts/index.txt" && ok || fail "a redraw should give the same charts"
[ -f "$dir/charts/mine.gp" ] && ok || fail "a redraw removed a file bench did not write"
rm -f "$dir/charts/mine.gp"

# --- gnuplot missing: a clear message, exit 1, the scripts still written ---
cp -r "$dir" "$tmp/nognuplot"
expect_rc 1 "chart without gnuplot" -- env PATH="$tmp/no-such-dir" "$bench" chart "$tmp/nognuplot"
contains "$tmp/err" "gnuplot not found on PATH: apt-get install gnuplot-nox; the CSVs are complete, redraw later with \`bench chart $tmp/nognuplot\`" \
  "the missing-gnuplot message"
nonempty "$tmp/nognuplot/charts/throughput.gp" "scripts without gnuplot"
[ ! -e "$tmp/nognuplot/charts/throughput.svg" ] && ok || fail "no stale chart should survive a redraw without gnuplot"

# --- a gnuplot error names the script ---
mkdir -p "$tmp/badgp"
printf '#!/bin/sh\necho "line 3: undefined variable: nope" >&2\nexit 1\n' >"$tmp/badgp/gnuplot"
chmod +x "$tmp/badgp/gnuplot"
expect_rc 1 "chart with a failing gnuplot" -- env PATH="$tmp/badgp" "$bench" chart "$tmp/nognuplot"
contains "$tmp/err" "gnuplot failed on charts/[a-z_-]*\.gp: line 3: undefined variable: nope" "a gnuplot failure names the script"

# --- report.html ---
expect_rc 0 "bench report" -- "$bench" report "$dir"
contains "$tmp/out" "report: $dir/report.html" "bench report says where"
html="$dir/report.html"
nonempty "$html" "report.html"
[ "$(grep -c '<svg' "$html")" -eq "${#charts[@]}" ] && ok || fail "report.html should inline all ${#charts[@]} SVGs"
lacks "$html" "<script" "report.html runs no script"
lacks "$html" "<img" "report.html inlines its charts"
lacks "$html" "<link" "report.html links nothing"
grep -o 'https\?://[^"'"'"' )]*' "$html" | grep -v -x -e 'http://www.w3.org/2000/svg' -e 'http://www.w3.org/1999/xlink' >"$tmp/urls"
[ ! -s "$tmp/urls" ] && ok || { fail "report.html refers to URLs"; head -3 "$tmp/urls" >&2; }
if [ -f "$dir/comparison.csv" ]; then
  [ "$(grep -o '<table[^>]*>' "$html" | head -1)" = '<table class="grid cmp" id="cmp-table">' ] && ok \
    || fail "a run of two targets: report.html's first table is the comparison"
fi
for s in 'id="warnings"' 'id="summary"' 'id="charts"' 'id="servers"' 'id="workload"' 'id="run"' \
         'chart-e2e' 'cpu_model' 'Throughput per target and op' 'alpha' 'clients (sweep)'; do
  contains "$html" "$s" "report.html shows $s"
done
# gnuplot gives every chart the same ids: the report makes them unique.
ids=$(grep -o ' id="[^"]*"' "$html" | sort | uniq -d | head -3)
[ -z "$ids" ] && ok || fail "report.html has duplicate ids: $ids"

# Chromium: first prove that console messages are seen at all.
printf '<!DOCTYPE html><title>canary</title><script>console.error("canary"); nope();</script>\n' >"$tmp/canary.html"
render "$tmp/canary.html" "$tmp/canary.png"
grep -q ':CONSOLE.*canary' "$tmp/canary.png.log" && ok || { fail "chromium's console log is not seen (canary)"; tail -5 "$tmp/canary.png.log" >&2; }
render "$html" "$tmp/report.png"; rc=$?
[ "$rc" -eq 0 ] && ok || fail "chromium exited $rc rendering report.html"
is_png "$tmp/report.png" "report.html screenshot"
[ "$(stat -c %s "$tmp/report.png" 2>/dev/null || echo 0)" -gt 50000 ] && ok || fail "the report screenshot looks blank"
if grep -q ':CONSOLE' "$tmp/report.png.log"; then fail "report.html logged console messages"; grep ':CONSOLE' "$tmp/report.png.log" | head -5 >&2; else ok; fi

# --- hostile names, a broken run.json, no latency or timeseries files ---
cp -r tests/fixtures/chart/hostile "$tmp/hostile"
expect_rc 0 "chart with hostile names" -- "$bench" chart "$tmp/hostile"
for c in throughput cpu latency-run_50_-get latency-run_50_-range; do
  nonempty "$tmp/hostile/charts/$c.svg" "hostile chart $c"
done
contains "$tmp/hostile/charts/throughput.gp" "set xtics ('run 50%% get' 0" "a % in a tic label is escaped for gnuplot"
contains "$tmp/hostile/charts/throughput.gp" "set label 'unsupported'" "the throughput chart marks the unsupported op"
contains "$tmp/hostile/charts/latency-run_50_-get.gp" "no latency data" "a spectrum without .hgrm files says so"
expect_rc 0 "report with hostile names and a broken run.json" -- "$bench" report "$tmp/hostile"
h="$tmp/hostile/report.html"
lacks "$h" "<script" "hostile names are escaped"
lacks "$h" "<img" "hostile names are escaped"
lacks "$h" "<b>wl" "hostile names are escaped"
contains "$h" "red&lt;script&gt;alert(1)&lt;/script&gt;is" "a hostile target name is shown escaped"
contains "$h" "run.json is not valid JSON" "a broken run.json is reported"
contains "$h" "The run was interrupted" "an interrupted run is a warning"
contains "$h" "did not run: could not start &lt;memcached&gt;" "a skipped target is a warning"
contains "$h" "connection &lt;reset&gt;" "a phase run's error is a warning"
contains "$h" "3 errors, 0 timeouts, 0 disconnects" "errors are a warning"
contains "$h" 'class="unsup"' "the unsupported op is marked in the table"
contains "$h" "client-bound" "run.json's warnings are shown"
contains "$h" "CPU &lt;script&gt; 😀" "run.json's \\u escapes are decoded, a surrogate pair too"
[ "$(grep -c '<svg' "$h")" -eq 4 ] && ok || fail "the hostile report should inline 4 SVGs"
render "$h" "$tmp/hostile.png"
is_png "$tmp/hostile.png" "hostile report screenshot"
if grep -q ':CONSOLE' "$tmp/hostile.png.log"; then fail "the hostile report logged console messages"; grep ':CONSOLE' "$tmp/hostile.png.log" | head -5 >&2; else ok; fi

lacks "$h" 'id="cmp-table"' "a result directory without comparison.csv has no comparison table"
lacks "$h" 'id="comparison"' "a result directory without comparison.csv has today's report"

# --- comparison.csv: the report opens with the comparison ---
# tests/fixtures/chart/cmp: a null-driver run of three targets named redis,
# memcached and mongodb (FerretDB, a stand-in), 3 repeats, a sweep, with a
# comparison.csv written by hand to the schema (its README.md says how).
cp -r tests/fixtures/chart/cmp "$tmp/cmp"
expect_rc 0 "chart of a run with comparison.csv" -- "$bench" chart "$tmp/cmp"
mapfile -t cmp_charts < <(cmp_metrics "$tmp/cmp/comparison.csv")
[ "${cmp_charts[*]}" = "compare-ops_per_sec compare-p50_us compare-p99_us compare-p999_us compare-hit_ratio compare-client_cpu_us_per_op" ] \
  && ok || fail "the fixture's metrics with a figure: ${cmp_charts[*]}"
[ "$(head -${#cmp_charts[@]} "$tmp/cmp/charts/index.txt" | cut -f1 | tr '\n' ' ')" = "${cmp_charts[*]} " ] && ok \
  || fail "index.txt lists the comparison's charts first"
[ ! -e "$tmp/cmp/charts/compare-server_cpu_us_per_op.gp" ] && ok || fail "no chart of a metric no target has (server CPU)"
for c in "${cmp_charts[@]}"; do
  nonempty "$tmp/cmp/charts/$c.svg" "comparison chart $c"
  is_png "$tmp/cmp/charts/$c.png" "comparison chart $c"
  contains "$tmp/cmp/charts/$c.gp" "from ../comparison.csv" "$c is drawn from comparison.csv"
done
g=$tmp/cmp/charts/compare-ops_per_sec.gp
contains "$g" "^set title 'Targets compared: ops/s (higher is better)'" "the ops/s comparison's title"
contains "$g" "'run get'.\"\\\\n\".'clients=1' 1" "a cluster per phase, op and sweep point"
[ "$(grep -c "with boxes lt" "$g")" -eq 3 ] && ok || fail "compare-ops_per_sec: a bar per target"
[ "$(grep -c "with vectors heads" "$g")" -eq 3 ] && ok || fail "compare-ops_per_sec: CI whiskers per target"
contains "$g" "set logscale y" "FerretDB beside Redis: a log axis"
contains "$g" "set label 'mix differs' at first 1.0000," "memcached's get bar says its mix differs"
contains "$g" "set label 'not run' at first 3.0000," "memcached's range (not run) is marked where its bar would be"
# the whiskers are comparison.csv's ci_low and ci_high: redis, run get, clients=1
line=$(grep '^cmp-report,run,get,clients,1,ops_per_sec,higher,redis,' "$tmp/cmp/comparison.csv" | cut -d, -f11-13 | tr , ' ')
awk -v want="$line" '/^# target .redis./ { b = 1; next } /^# target/ { b = 0 } b && $1 == "0.7333" { got = $2 " " $3 " " $4 }
  END { split(want, w, " "); split(got, g, " "); exit !(g[1] != "" && w[1] + 0 == g[1] + 0 && w[2] + 0 == g[2] + 0 && w[3] + 0 == g[3] + 0) }' \
  "$tmp/cmp/charts/compare-ops_per_sec.dat" && ok || fail "the bar and whisker are comparison.csv's mean, ci_low, ci_high ($line)"
redraw_silently "$tmp/cmp" "the comparison's charts"

expect_rc 0 "report of a run with comparison.csv" -- "$bench" report "$tmp/cmp"
h=$tmp/cmp/report.html
[ "$(grep -o '<table[^>]*>' "$h" | head -1)" = '<table class="grid cmp" id="cmp-table">' ] && ok \
  || fail "report.html's first table is the comparison"
order=$(grep -o 'id="\(comparison\|cmp-table\|warnings\|summary\|charts\|servers\)"' "$h" | tr '\n' ' ')
[ "$order" = 'id="comparison" id="cmp-table" id="warnings" id="summary" id="charts" id="servers" ' ] && ok \
  || fail "the comparison, then warnings, the raw rows and the charts: $order"
contains "$h" '<a href="#warnings">6 warnings</a> below' "the warnings are counted above the comparison"
for s in '<td class="v-best">best' '<td class="v-tie">tie' '<td class="v-worse">worse' \
         'FerretDB v1.24.2 · n=3' '<span class="pm">± ' 'ratio to best' '<br><span class="pm">\[0.0019–0.0088\]</span>' \
         '<tr class="note"><td colspan="[0-9]*">Mixes differ: <b>memcached</b> ran get:0.749 set:0.251' \
         'class="n mixd">367694 <span class="pm">± 72270</span><br><span class="unlike">mix differs' \
         '<td class="n">90.0%</td>'; do
  contains "$h" "$s" "the comparison table shows $s"
done
# the comparison's charts open the page, the others follow under Charts
[ "$(grep -c '<svg' "$h")" -eq $(( ${#cmp_charts[@]} + $(ls "$tmp"/cmp/charts/*.svg | grep -vc '/compare-') )) ] && ok \
  || fail "report.html inlines every chart once"
awk '/id="comparison"/ { c = 1 } /id="warnings"/ { c = 0 } c && /<svg/ { n++ } END { exit !(n == 6) }' "$h" \
  && ok || fail "the six comparison charts are in the comparison section"
# Warnings: the stand-in, every mix that differs, every target under 1 s.
contains "$h" "Target <b>mongodb</b> (driver mongodb) was answered by FerretDB v1.24.2, a stand-in for MongoDB: its figures are FerretDB's, not MongoDB's." \
  "the stand-in server is a warning"
for p in 1 2; do
  contains "$h" "Target <b>memcached</b>, phase run (clients=$p): mix differs. It ran get:0.7[0-9]* set:0.2[0-9]*, not the workload's mix" \
    "memcached's mix at clients=$p is a warning"
done
for t in redis memcached mongodb; do
  contains "$h" "Target <b>$t</b> ran less than 1 s in load clients=1 (0.0[0-9]* s), load clients=2 (0.0[0-9]* s): too short" \
    "$t's load phases, under a second, are a warning"
done
lacks "$h" "ran less than 1 s in[^<]*run clients" "a phase of a second is not too short"
# Chinese text renders: a CJK font in the stack, and installed (checked above)
contains "$h" "三个服务器的比较" "the workload's Chinese description is in the page"
contains "$h" "'Noto Sans CJK SC'" "the page's fonts fall back to a CJK font"

# The first screen, in headless Chromium: a copy of the page with a script
# (report.html has none) that logs its first table and where it lies.
sed 's|</body>|<script>var t = document.querySelector("table"), b = t.getBoundingClientRect(); console.log("FIRST-TABLE " + t.id + " top=" + Math.round(b.top) + " fits=" + (t.parentElement.scrollWidth <= t.parentElement.clientWidth) + " vh=" + innerHeight);</script></body>|' \
  "$h" >"$tmp/first.html"
render "$tmp/first.html" "$tmp/first.png" 1280,800
first=$(grep -o 'FIRST-TABLE [^"]*' "$tmp/first.png.log" | head -1)
if [[ $first =~ ^FIRST-TABLE\ cmp-table\ top=([0-9]+)\ fits=true\ vh=([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -lt "${BASH_REMATCH[2]}" ]; then ok
else fail "the first screen (1280x800) shows the comparison table, whole in width: '$first'"; tail -3 "$tmp/first.png.log" >&2; fi
is_png "$tmp/first.png" "the first screen"
render "$h" "$tmp/cmp.png"
if grep -q ':CONSOLE' "$tmp/cmp.png.log"; then fail "the comparison report logged console messages"; grep ':CONSOLE' "$tmp/cmp.png.log" | head -5 >&2; else ok; fi

# A comparison.csv bench cannot read is bad input: exit 2, FILE:LINE, nothing drawn.
cp -r tests/fixtures/chart/cmp "$tmp/cmpbad"
sed -i '5s/,3,\([0-9.e+]*\),/,3,fast,/' "$tmp/cmpbad/comparison.csv"
for cmd in chart report; do
  expect_rc 2 "$cmd of a comparison.csv with a word for a number" -- "$bench" "$cmd" "$tmp/cmpbad"
  contains "$tmp/err" "comparison.csv:5: mean is a number or empty, not 'fast'" "$cmd names the bad cell at file:line"
done
[ ! -e "$tmp/cmpbad/charts" ] && [ ! -e "$tmp/cmpbad/report.html" ] && ok || fail "nothing drawn from a bad comparison.csv"
cp tests/fixtures/chart/cmp/comparison.csv "$tmp/cmpbad/comparison.csv"
echo 'cmp-report,run,get,clients,1,ops_per_sec' >>"$tmp/cmpbad/comparison.csv"
expect_rc 2 "chart of a comparison.csv with a short row" -- "$bench" chart "$tmp/cmpbad"
contains "$tmp/err" "comparison.csv:$(wc -l <"$tmp/cmpbad/comparison.csv"): 6 fields, but the header has 20" "a short row is named"
head -1 tests/fixtures/chart/cmp/comparison.csv | sed 's/,verdict,/,verdikt,/' >"$tmp/cmpbad/comparison.csv"
expect_rc 2 "chart of a comparison.csv without a verdict column" -- "$bench" chart "$tmp/cmpbad"
contains "$tmp/err" "comparison.csv has no column 'verdict': not a bench comparison.csv" "a missing column is named"
{ head -2 tests/fixtures/chart/cmp/comparison.csv; sed -n 2p tests/fixtures/chart/cmp/comparison.csv; } >"$tmp/cmpbad/comparison.csv"
expect_rc 2 "chart of a comparison.csv with a row twice" -- "$bench" chart "$tmp/cmpbad"
contains "$tmp/err" "comparison.csv:3: a second row for load/load clients=1, ops_per_sec, target redis (the first is on line 2)" \
  "a row twice is named"

# Hostile names in comparison.csv are escaped in the charts and the page.
cp -r tests/fixtures/chart/hostile "$tmp/hostile-cmp"
rm -rf "$tmp/hostile-cmp/charts"
{
  echo 'workload,phase,op,sweep_key,sweep_value,metric,better,target,server,n,mean,ci_low,ci_high,ratio,ratio_ci_low,ratio_ci_high,rank,verdict,mix_differs,effective_mix'
  echo '"<b>wl</b>",run 50%,get,,,ops_per_sec,higher,red<script>alert(1)</script>is,Redis 7.0.15,2,1000,900,1100,1,,,1,best,0,get:0.700 range:0.300'
  echo '"<b>wl</b>",run 50%,get,,,ops_per_sec,higher,"mem""c,ached",memcached 1.6.18,2,2000,1900,2100,2,,,2,worse,1,"get:1.000 <i>x</i>"'
} >"$tmp/hostile-cmp/comparison.csv"
expect_rc 0 "chart of hostile names in comparison.csv" -- "$bench" chart "$tmp/hostile-cmp"
contains "$tmp/hostile-cmp/charts/compare-ops_per_sec.gp" "title 'red<script>alert(1)</script>is'" "a hostile target is a single-quoted gnuplot string"
contains "$tmp/hostile-cmp/charts/compare-ops_per_sec.gp" "set xtics ('run 50%% get' 0" "a % in a comparison tic label is escaped for gnuplot"
redraw_silently "$tmp/hostile-cmp" "hostile comparison"
expect_rc 0 "report of hostile names in comparison.csv" -- "$bench" report "$tmp/hostile-cmp"
h=$tmp/hostile-cmp/report.html
lacks "$h" "<script" "hostile names in the comparison are escaped"
lacks "$h" "<i>x" "a hostile mix is escaped"
contains "$h" "<b>red&lt;script&gt;alert(1)&lt;/script&gt;is</b>" "the hostile target in the comparison, escaped"
contains "$h" "ran get:1.000 &lt;i&gt;x&lt;/i&gt;" "the hostile mix, escaped"
render "$h" "$tmp/hostile-cmp.png"
if grep -q ':CONSOLE' "$tmp/hostile-cmp.png.log"; then fail "the hostile comparison report logged console messages"; else ok; fi

# A report without charts says how to get them.
rm -rf "$tmp/hostile/charts"
expect_rc 0 "report without charts" -- "$bench" report "$tmp/hostile"
contains "$tmp/hostile/report.html" "No charts yet" "a report without charts says how to draw them"

echo "passed $passed, failed $failed"
[ "$failed" -eq 0 ]
