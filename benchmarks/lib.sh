# benchmarks/lib.sh - what benchmarks/run, benchmarks/structures and
# benchmarks/mongodb share: messages, the temporary directory and the
# servers' clean-up, private redis-server, timing a client (wall, CPU from
# /usr/bin/time, the server's CPU from /proc), bench and redis-benchmark
# runs, medians, verdicts, and the report's sections. Sourced, not run.
# The caller sets root (the repository), BENCH, KEYS and VALUE first.

me=benchmarks/$(basename "$0")
NCPU=$(nproc)
die() { echo "$me: $*" >&2; exit 1; }
note() { printf '[%4ds] %s\n' "$SECONDS" "$*" >&2; }

# bb_args "$@": the options every script takes; sets quick and out_file
# (--help prints the script's header comment)
bb_args() {
	quick=0
	out_file=
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) quick=1 ;;
		--out) out_file=$2; shift ;;
		--out=*) out_file=${1#--out=} ;;
		-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
		*) echo "$me: unknown argument '$1' (see --help)" >&2; exit 2 ;;
		esac
		shift
	done
}

# bench_build: build $BENCH where it is missing (benchmarks/run's default build)
bench_build() {
	[ -x "$BENCH" ] && return 0
	note "building $BENCH"
	(cd "$root" && cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j"$NCPU" >/dev/null) ||
		die "cannot build bench; build it and set BENCH=/path/to/bench"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-benchmarks-XXXXXX")
# the private servers' pids, stopped when the script exits however it exits
RPID= MPID= FPID=
cleanup() {
	local pid
	for pid in $RPID $MPID $FPID; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $RPID $MPID $FPID; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- private servers ---
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
	local p i
	for i in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	return 1
}
start_redis() {
	local i p
	for i in 1 2 3 4 5; do
		p=$(pick_port) || die "no free port"
		mkdir -p "$tmp/redis"
		redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp/redis" \
			--daemonize no --logfile "$tmp/redis/log" &
		RPID=$!
		for _ in $(seq 50); do
			kill -0 "$RPID" 2>/dev/null || break
			[ "$(redis-cli -p "$p" ping 2>/dev/null)" = PONG ] && break
			sleep 0.1
		done
		if kill -0 "$RPID" 2>/dev/null &&
			[ "$(redis-cli -p "$p" info server 2>/dev/null | tr -d '\r' | awk -F: '$1=="process_id"{print $2}')" = "$RPID" ]; then
			RP=$p
			return 0
		fi
		kill "$RPID" 2>/dev/null || true; wait "$RPID" 2>/dev/null || true; RPID=
	done
	die "could not start a private redis-server (see $tmp/redis/log)"
}

cmdlog=$tmp/commands.txt
: >"$cmdlog"
log_cmd() { # SECTION ARGS...: remember the exact command (once)
	local sec=$1; shift
	local line
	line=$(printf '%q ' "$@")
	line=${line//$tmp/\$TMP}
	grep -qxF -- "$sec	${line% }" "$cmdlog" || printf '%s\t%s\n' "$sec" "${line% }" >>"$cmdlog"
}
seq_n=0
CLK_TCK=$(getconf CLK_TCK)
SRV_PID=
srv_ticks() { # user + system CPU ticks of the server SRV_PID (0 if none)
	if [ -n "$SRV_PID" ] && [ -r "/proc/$SRV_PID/stat" ]; then
		sed 's/^.*) //' "/proc/$SRV_PID/stat" | awk '{ print $12 + $13 }'
	else
		echo 0
	fi
}
# timed LOG ARGS...: run ARGS under a time limit and /usr/bin/time; sets
# T_WALL T_CPU (user+sys seconds) T_VCS T_ICS (context switches) T_RSS (KiB),
# and T_SRV, the CPU seconds the server SRV_PID used meanwhile
timed() {
	local log=$1; shift
	local tf=$tmp/time.$seq_n s0
	s0=$(srv_ticks)
	if ! timeout 300 /usr/bin/time -f '%e %U %S %w %c %M' -o "$tf" "$@" >"$log" 2>&1; then
		cat "$log" >&2
		die "failed: $*"
	fi
	read -r T_WALL u s T_VCS T_ICS T_RSS < <(tail -1 "$tf")
	T_SRV=$(awk -v a="$s0" -v b="$(srv_ticks)" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
	T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}')
}
# csv_tsv CSV: bench's CSV as tab-separated lines, its quoting undone (a
# server column such as "FerretDB v1.24.2 (SQLite, indexed _id)" holds a
# comma; no field of summary.csv holds a tab or a line break)
csv_tsv() {
	awk '{
		out = ""; cur = ""; q = 0
		for (i = 1; i <= length($0); i++) {
			ch = substr($0, i, 1)
			if (q) {
				if (ch != "\"") cur = cur ch
				else if (substr($0, i + 1, 1) == "\"") { cur = cur ch; i++ }
				else q = 0
			} else if (ch == "\"") q = 1
			else if (ch == ",") { out = out cur "\t"; cur = "" }
			else cur = cur ch
		}
		print out cur
	}' "$1"
}
csv_get() { # CSV PHASE COLUMN: the column (by header name) of the phase's row
	csv_tsv "$1" | awk -F'\t' -v ph="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) { if ($i == col) c = i; if ($i == "phase") p = i }; next }
		$p == ph { print $c; exit }'
}
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

wl_dir=$tmp/workloads
mkdir -p "$wl_dir" "$tmp/res"
# mkwl FILE NAME DRIVER URI PHASE-FLOW-MAPPING [RECORDS PREFIX [KEYSPACE-KEYS]]
mkwl() {
	cat >"$1" <<EOF
name: $2
targets:
  - {name: $3, driver: $3, uri: "$4"}
keyspace: {records: ${6:-$KEYS}, prefix: "${7:-key:}"${8:+, $8}}
values: {size: $VALUE}
phases:
  - $5
EOF
}
# bench_run SECTION WORKLOAD [wrapper...]: sets B_OPS B_RATE B_ERR B_MISS
# B_ENGINE B_PCPU (bench's own client CPU µs/op of the phase) + T_*
# --reuse --keep: the records a load left on the script's private server
# are read by the runs after it (without them bench refuses a prefix that
# holds keys, and removes what it wrote after each run). --no-charts: the
# charts are drawn by gnuplot, a child whose CPU /usr/bin/time would add to
# bench's (about 0.25 s a run here); no reference client draws any.
bench_run() {
	local sec=$1 wl=$2; shift 2
	seq_n=$((seq_n + 1))
	local out=$tmp/res/$seq_n
	log_cmd "$sec" "$@" "$BENCH" run "$wl" --out "$out" --servers external --reuse --keep --no-charts --quiet
	timed "$tmp/log.$seq_n" "$@" "$BENCH" run "$wl" --out "$out" --servers external --reuse --keep --no-charts --quiet
	local csv
	csv=$(echo "$out"/*/summary.csv)
	[ -f "$csv" ] || die "no summary.csv from bench run $wl"
	local ph
	ph=$(csv_tsv "$csv" | awk -F'\t' 'NR == 2 { for (i = 1; i <= NF; i++) if (h[i] == "phase") print $i; exit } NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i }')
	# a phase has one row per op of its mix: the sums over them
	read -r B_OPS B_RATE B_ERR B_MISS < <(csv_tsv "$csv" | awk -F'\t' -v ph="$ph" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["phase"] == ph { o += $c["ops"]; r += $c["ops_per_sec"]; e += $c["errors"] + $c["timeouts"]; m += $c["misses"] }
		END { printf "%d %.1f %d %d\n", o, r, e, m }')
	B_ENGINE=$(csv_get "$csv" "$ph" engine)
	B_ENGINE=${B_ENGINE:-blocking}
	B_PCPU=$(csv_get "$csv" "$ph" client_cpu_us_per_op)
	B_LOG=$tmp/log.$seq_n
	[ "$B_ERR" = 0 ] || warn "bench $wl: $B_ERR errors/timeouts"
	[ "${B_MISS:-0}" = 0 ] || warn "bench $wl: $B_MISS misses"
}
warnings=$tmp/warnings
: >"$warnings"
warn() { note "warning: $*"; echo "$*" >>"$warnings"; }

# redis_bench_run SECTION OP CLIENTS PIPELINE N [wrapper...]: sets R_RATE + T_*
redis_bench_run() {
	local sec=$1 op=$2 c=$3 p=$4 n=$5; shift 5
	seq_n=$((seq_n + 1))
	local cmd=(redis-benchmark -h 127.0.0.1 -p "$RP" -t "$op" -c "$c" -P "$p" -d "$VALUE" -r "$KEYS" -n "$n" --csv)
	log_cmd "$sec" "$@" "${cmd[@]}"
	timed "$tmp/log.$seq_n" "$@" "${cmd[@]}"
	R_LOG=$tmp/log.$seq_n
	R_RATE=$(awk -F, -v t="\"${op^^}\"" '$1 == t { gsub(/"/, "", $2); print $2 }' "$R_LOG")
	[ -n "$R_RATE" ] || { cat "$R_LOG" >&2; die "no rps from redis-benchmark"; }
	R_OPS=$n
}
# memaslap_run SECTION OP CLIENTS PIPELINE (-t SECS | -x N) [wrapper...]:
# sets R_RATE R_OPS (ops of the op asked for) R_ALL (every op, preset included)

verdict() { # VALUE OP LIMIT: MET / MISSED by how much
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (op == ">=") { if (v >= l) printf "**MET** (%.2fx, limit >= %.2fx)", v, l; else printf "**MISSED** by %.0f%% (%.2fx, limit >= %.2fx)", (1 - v / l) * 100, v, l }
		else           { if (v <= l) printf "**MET** (%.2fx, limit <= %.2fx)", v, l; else printf "**MISSED** by %.0f%% (%.2fx, limit <= %.2fx: %.0f%% less needed)", (v / l - 1) * 100, v, l, (1 - l / v) * 100 }
	}'
}

# --- the report's sections ---
# benchmarks/structures and benchmarks/mongodb each own one section of
# RESULTS.md, between "<!-- NAME: begin -->" and "<!-- NAME: end -->" lines;
# benchmarks/run rewrites the rest and carries those sections over.
# section_get FILE NAME: the section, markers included (nothing when absent)
section_get() {
	[ -f "$1" ] || return 0
	awk -v b="<!-- $2: begin -->" -v e="<!-- $2: end -->" '$0 == b { on = 1 } on { print } $0 == e { on = 0 }' "$1"
}
# section_put FILE NAME BODY: FILE with section NAME's content replaced by
# the file BODY (appended when FILE has no such section; FILE created when
# missing), written under a temporary name and renamed
section_put() {
	local file=$1 name=$2 body=$3
	{
		if [ -f "$file" ] && grep -qxF "<!-- $name: begin -->" "$file"; then
			awk -v b="<!-- $name: begin -->" -v e="<!-- $name: end -->" -v f="$body" '
				$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
				$0 == e { skip = 0 }
				!skip' "$file"
		else
			if [ -f "$file" ]; then cat "$file"; echo; fi
			echo "<!-- $name: begin -->"
			cat "$body"
			echo "<!-- $name: end -->"
		fi
	} >"$file.tmp"
	mv "$file.tmp" "$file"
}
# host_line: the CPU, cores, memory and kernel, for a report's header
host_line() {
	local hv
	hv=$(lscpu 2>/dev/null | awk -F': *' '/^Hypervisor vendor/ { print ", virtual machine (" $2 ")" }' || true)
	echo "$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo), $NCPU cores$hv, $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
}
# loadavg: the host's load average over 1, 5 and 15 minutes
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# bench_line: bench's version and the git revision it was built from
bench_line() {
	local src rev=unknown dirty=0
	src=$(cd "$(dirname "$BENCH")" && git rev-parse --show-toplevel 2>/dev/null || true)
	if [ -n "$src" ]; then
		rev=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
		dirty=$(git -C "$src" status --porcelain -- harness drivers CMakeLists.txt 2>/dev/null | wc -l)
	fi
	echo "$("$BENCH" --version 2>&1 | head -1), built from ${src:-?} at $rev$([ "$dirty" -gt 0 ] && echo " ($dirty files under harness/, drivers/ differ from that commit)")"
}
