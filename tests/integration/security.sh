#!/usr/bin/env bash
# Security: credentials from the environment or a file, never from the
# workload, and never in anything bench writes (docs/security.md).
# Usage: security.sh BENCH_BINARY
# Exit 77 (skipped) when redis-server, redis-cli or memcached is missing,
# unless CI=true, where that is a failure.
#
# Against a private redis-server whose only user is an ACL user
# (`bench on >PW ~bench:* &* +@all`, `default off`):
# a. auth: {user, password_env}: a plain run (event engine) and one with
#    range, query and structure ops (index keys derived from the prefix:
#    the ACL key pattern covers them): exit 0, no request failed.
# b. CLIENT KILL of bench's connections mid-run: the clients reconnect and
#    log in again (no NOAUTH error, requests answered after the kill).
# c. auth.password_file, BENCH_REDIS_USER/BENCH_REDIS_PASSWORD, and a uri
#    with user:password@ in BENCH_REDIS_URI: exit 0; run.json shows the
#    uri as bench:***@.
# d. a wrong password: exit 3, "AUTH failed for user bench: WRONGPASS",
#    names the variable to check; no result directory.
# e. refused before anything runs (exit 2): the variable not set; a
#    password written in the workload's uri (file:line:col, the password
#    not echoed), in a memcached target's servers list, or given with
#    --set; auth on a server bench spawns.
# f. a uri from the environment that the driver rejects (bad port) while
#    quoting it: the message shows *** instead of the password.
# g. MongoDB over TLS, against bench-ferretdb's TLS listener (FerretDB
#    v1.24.2, SQLite) with a CA and server certificate made by openssl
#    here: tls=true&tlsCAFile=CA works, and run.json names the server;
#    another CA, and plain TCP to the TLS port, exit 3. Credentials
#    (authMechanism=PLAIN, the password from the environment) reach the
#    server: run.json's authenticated_user says who bench logged in as.
#    FerretDB 1.24 on SQLite does not check passwords (PLAIN is accepted
#    as given; its SCRAM needs an option its embedding API lacks), so a
#    wrong password is NOT tested here; the default mechanism (SCRAM),
#    which it refuses, shows the authentication-failure path: exit 3.
#    Skipped (loudly) without tools/bin/bench-ferretdb, unless CI=true.
# h. Memcached SASL: a memcached -S with a sasldb made by saslpasswd2
#    (user bench): auth: {user, password_env} runs (binary protocol,
#    blocking engine: the event engine's text protocol has no SASL); a
#    wrong password exits 3 naming the variable; protocol text with
#    credentials is refused. The server list's own syntax,
#    BENCH_MEMCACHED_SERVERS='user:password@host:port' with the password
#    percent-encoded (user bench2, a password holding '@', '/', ':', '%',
#    ',' and '?'): runs, so libmemcached got it decoded; a wrong one exits 3
#    and says to check the uri's user and password.
# i. Redis with requirepass and a password holding '@', '/', ':', '%', '?':
#    BENCH_REDIS_URI='redis://:<percent-encoded>@...' runs (the password is
#    decoded before AUTH); a '%' without two hex digits after it exits 3
#    without quoting the password.
# j. The issue's case: BENCH_MEMCACHED_SERVERS='user:password@host:port'
#    with a bad port, beside a null target that runs: the memcached target
#    is not run (exit 3); its uri and reason in run.json, report.html and
#    the terminal show '***'; and a pool 'user:password@h1:p1,h2:p2' that
#    cannot be reached the same.
# Finally: no file under any result directory, and nothing bench printed,
# holds any of the passwords, as written or percent-encoded.
set -uo pipefail
bench=$1
src=${2:-$(dirname "$0")/../..}

[ -x "$bench" ] || { echo "FAIL - not executable: $bench"; exit 1; }
tmp_name=security
source "$(dirname "$0")/../lib/servers.sh"

pw="Pw-$RANDOM-s3cr3t"
# A password that needs percent-encoding in a uri, and its encoded form.
pw2="P@ss/w:rd%$RANDOM,x?y"
pct() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
pw2enc=$(pct "$pw2")
mkdir -p "$tmp/secret" "$tmp/wl"
printf '%s\n' "$pw" >"$tmp/secret/pw"
chmod 600 "$tmp/secret/pw"

start_redis "" --user bench on ">$pw" '~bench:*' '&*' '+@all' || { fail "redis-server did not start"; exit 1; }
rcli ACL SETUSER default off >/dev/null
rb() { REDISCLI_AUTH=$pw redis-cli -h 127.0.0.1 -p "$rport" --user bench "$@" 2>/dev/null | tr -d '\r'; }
if rcli PING | grep -q NOAUTH && [ "$(rb PING)" = PONG ]; then pass "redis-server: only user bench can log in"
else fail "redis-server: the ACL is not as the test needs"; exit 1; fi

n=0
# run NAME WANT_RC [ENV=VALUE...] -- BENCH_ARGS...: bench run, its stdout
# and stderr in $tmp/NAME.out/.err, results under $tmp/res-NAME.
run() {
  local name=$1 want=$2 rc; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  env "${envs[@]}" "$bench" run "$@" --out "$tmp/res-$name" --no-charts \
    >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
  rc=$?
  dir=$(ls -d "$tmp/res-$name"/*/ 2>/dev/null | head -1)
  if [ "$rc" -eq "$want" ]; then pass "$name: exit $rc"
  else fail "$name: exit $rc, want $want"; cat "$tmp/$name.err"; fi
}
has() { if grep -q -- "$2" "$1"; then pass "$3"; else fail "$3: '$2' not in $1"; head -c 2000 "$1"; fi; }
sum_col() { # COLUMN: over every row of summary.csv
  csvtab "${dir}summary.csv" |
    awk -F'\t' -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { s += $h[name] } END { print s + 0 }'
}

wl() { # NAME TARGET_EXTRA RUN_PHASE
  cat >"$tmp/wl/$1.yaml" <<YAML
name: sec-$1
targets:
  - {name: redis, uri: "redis://127.0.0.1:$rport"${2:+, $2}}
keyspace: {records: 500, prefix: "bench:"}
values: {size: 32}
max_error_rate: 1
phases:
  - {name: load, batch: 100, clients: 1}
  - {name: run, $3}
YAML
}
wl plain "auth: {user: bench, password_env: BENCH_TEST_PW}" "duration: 1s, clients: 2, mix: {get: 0.9, set: 0.1}"
wl rich "auth: {user: bench, password_env: BENCH_TEST_PW}" \
  "ops: 2000, clients: 2, mix: {get: 0.3, set: 0.2, range: 0.1, query: 0.1, hset: 0.1, lpush: 0.1, zadd: 0.1}"
wl kill "auth: {user: bench, password_env: BENCH_TEST_PW}" "duration: 3s, clients: 2, mix: {get: 1}"
wl file "auth: {user: bench, password_file: ../secret/pw}" "ops: 500, clients: 1, mix: {get: 1}"
wl envdefault "" "ops: 500, clients: 1, mix: {get: 1}"

# ---- a. ----
run plain 0 BENCH_TEST_PW="$pw" -- "$tmp/wl/plain.yaml"
has "${dir}run.json" '"engine": "event"' "plain: the event engine ran (it logs in through open() too)"
check "plain: no request failed ($(sum_col errors) errors, $(sum_col disconnects) disconnects)" \
  "$(sum_col errors) + $(sum_col disconnects) == 0 && $(sum_col ops) > 0"
# --keep: the check reads the keys after the run; then they go, so the
# next runs find the prefix empty (data safety, docs/architecture.md).
run rich 0 BENCH_TEST_PW="$pw" -- "$tmp/wl/rich.yaml" --keep
check "rich: no request failed ($(sum_col errors) errors)" "$(sum_col errors) == 0 && $(sum_col ops) > 0"
check "rich: the index keys are under the prefix ($(rb EXISTS 'bench:~idx:keys'))" "$(rb EXISTS 'bench:~idx:keys') == 1"
rb --scan --pattern 'bench:*' | awk '{ print "UNLINK " $0 }' | rb >/dev/null
check "rich: the kept keys removed" "$(rb DBSIZE) == 0"

# ---- b. ----
hits_past() { local h; h=$(rb INFO stats | awk -F: '$1 == "keyspace_hits" { print $2 }') && [ "${h:-0}" -ge "$1" ]; }
bg env BENCH_TEST_PW="$pw" "$bench" run "$tmp/wl/kill.yaml" --out "$tmp/res-kill" --no-charts \
  >"$tmp/kill.out" 2>"$tmp/kill.err" </dev/null
bpid=$bg_pid
start_hits=$(rb INFO stats | awk -F: '$1 == "keyspace_hits" { print $2 }')
if wait_ready "$bpid" hits_past $((start_hits + 2000)); then
  rb CLIENT KILL USER bench >/dev/null
  after_kill=$(rb INFO stats | awk -F: '$1 == "keyspace_hits" { print $2 }')
  wait "$bpid"; rc=$?; forget "$bpid"
  dir=$(ls -d "$tmp/res-kill"/*/ 2>/dev/null | head -1)
  check "kill: bench finished (exit $rc, max_error_rate 1)" "$rc == 0"
  reconnects=$(grep -o '"reconnects": *[0-9]*' "${dir}run.json" | awk -F: '{ s += $2 } END { print s + 0 }')
  check "kill: the clients reconnected ($reconnects)" "$reconnects >= 1"
  check "kill: no error reply after the reconnect (NOAUTH would be one): $(sum_col errors)" "$(sum_col errors) == 0"
  final=$(rb INFO stats | awk -F: '$1 == "keyspace_hits" { print $2 }')
  check "kill: gets answered after the kill ($((final - after_kill)))" "$final - $after_kill > 0"
else
  fail "kill: the run phase did not start"; cat "$tmp/kill.err"
fi

# ---- c. ----
run file 0 -- "$tmp/wl/file.yaml"
run envdefault 0 BENCH_REDIS_USER=bench BENCH_REDIS_PASSWORD="$pw" -- "$tmp/wl/envdefault.yaml"
printf 'name: sec-envuri\ntargets: [redis]\nkeyspace: {records: 100}\nphases:\n  - {name: run, ops: 100, mix: {get: 1}}\n' \
  >"$tmp/wl/envuri.yaml"
run envuri 0 BENCH_REDIS_URI="redis://bench:$pw@127.0.0.1:$rport" -- "$tmp/wl/envuri.yaml" --servers external
has "${dir}run.json" "\"uri\": \"redis://bench:\*\*\*@127.0.0.1:$rport\"" "envuri: run.json shows the uri redacted"

# ---- d. ----
run wrong 3 BENCH_TEST_PW="not-$pw" -- "$tmp/wl/plain.yaml"
has "$tmp/wrong.err" "AUTH failed for user bench: WRONGPASS" "wrong: the server's refusal is quoted"
has "$tmp/wrong.err" "check BENCH_TEST_PW" "wrong: names the variable to check"
[ -z "$dir" ] && pass "wrong: no result directory" || fail "wrong: a result directory was written"

# ---- e. ----
run unset 2 -- "$tmp/wl/plain.yaml"
has "$tmp/unset.err" "BENCH_TEST_PW is not set" "unset: says which variable"
printf 'name: sec-literal\ntargets:\n  - name: redis\n    uri: "redis://bench:%s@127.0.0.1:%s"\nphases:\n  - {name: run, ops: 10, mix: {get: 1}}\n' \
  "$pw" "$rport" >"$tmp/literal.yaml" # outside wl/: the one file meant to hold it
run literal 2 -- "$tmp/literal.yaml"
has "$tmp/literal.err" "literal.yaml:4:10: targets.redis.uri holds a password" "literal: refused at file:line:col"
printf 'name: sec-mclit\ntargets:\n  - name: memcached\n    servers: ["bench:%s@127.0.0.1:1", "127.0.0.1:2"]\nphases:\n  - {name: run, ops: 10, mix: {get: 1}}\n' \
  "$pw" >"$tmp/mclit.yaml"
run mclit 2 -- "$tmp/mclit.yaml"
has "$tmp/mclit.err" "mclit.yaml:4:14: targets.memcached.servers holds a password" "mclit: a memcached list with a password refused"
run setlit 2 -- "$tmp/wl/envuri.yaml" --set "targets.redis.uri=redis://bench:$pw@127.0.0.1:$rport"
has "$tmp/setlit.err" "redis://bench:\*\*\*@" "setlit: the --set value is echoed redacted"
run setpw 2 -- "$tmp/wl/envuri.yaml" --set "targets.redis.auth.password=$pw"
has "$tmp/setpw.err" "auth.password=\*\*\*: .*a password is never written in a workload" "setpw: auth.password refused, not echoed"
run setpwmap 2 -- "$tmp/wl/envuri.yaml" --set "targets.redis.auth={user: bench, password: $pw}"
has "$tmp/setpwmap.err" "auth=\*\*\*: " "setpwmap: auth={password: ...} refused, not echoed"
sed '/uri:/s/uri: "[^"]*", //' "$tmp/wl/plain.yaml" >"$tmp/wl/spawned.yaml"
run spawned 2 BENCH_TEST_PW="$pw" -- "$tmp/wl/spawned.yaml"
has "$tmp/spawned.err" "has auth, but its server is spawned" "spawned: auth on a spawned server is refused"

# ---- f. ----
run badport 3 BENCH_REDIS_URI="redis://bench:$pw@127.0.0.1:99999" -- "$tmp/wl/envuri.yaml" --servers external
has "$tmp/badport.err" "redis://bench:\*\*\*@127.0.0.1:99999" "badport: the driver's message is scrubbed"

# ---- rediss:// in a build without hiredis_ssl (scripts/check-redis-tls tests TLS itself) ----
if "$bench" drivers | grep -q "tls: no"; then
  sed 's|uri: "redis://|uri: "rediss://|' "$tmp/wl/plain.yaml" >"$tmp/wl/rediss.yaml"
  run rediss 3 BENCH_TEST_PW="$pw" -- "$tmp/wl/rediss.yaml"
  has "$tmp/rediss.err" "rediss:// (TLS) is not in this build: hiredis .* has no hiredis_ssl" "rediss: says TLS is not built"
fi
sed 's|uri: "redis://\([^"]*\)"|uri: "redis://\1", options: {tls_ca_file: /x.pem}|' "$tmp/wl/plain.yaml" >"$tmp/wl/tlsopt.yaml"
run tlsopt 3 BENCH_TEST_PW="$pw" -- "$tmp/wl/tlsopt.yaml"
has "$tmp/tlsopt.err" "option tls_ca_file needs a rediss:// uri" "tlsopt: a tls option without rediss:// is refused"

# ---- g. ----
ferret="$src/tools/bin/bench-ferretdb"
if [ ! -x "$ferret" ]; then
  if [ "${CI:-}" = true ]; then fail "mongodb: $ferret not found (CI=true: required; run scripts/install-deps)"
  else echo "SKIPPED - mongodb TLS: $ferret not found (run scripts/install-deps)"; fi
elif ! command -v openssl >/dev/null; then
  fail "mongodb: openssl not found (apt-get install openssl)"
else
  t="$tmp/tls"; mkdir -p "$t/data"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/ca.key" -out "$t/ca.pem" -days 1 -subj "/CN=bench test CA" 2>"$t/ssl.log" &&
  openssl req -newkey rsa:2048 -nodes -keyout "$t/server.key" -out "$t/server.csr" -subj "/CN=127.0.0.1" 2>>"$t/ssl.log" &&
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$t/ext.cnf" &&
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -out "$t/server.pem" \
    -days 1 -extfile "$t/ext.cnf" 2>>"$t/ssl.log" &&
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/other.key" -out "$t/other.pem" -days 1 -subj "/CN=other" 2>>"$t/ssl.log" \
    || { fail "mongodb: openssl could not make the certificates"; cat "$t/ssl.log"; }
  port_ok() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  for try in 1 2 3; do
    fport=$(pick_port) && tport=$(pick_port) && [ "$fport" != "$tport" ] || continue
    bg "$ferret" --listen-addr "127.0.0.1:$fport" --listen-tls "127.0.0.1:$tport" --listen-tls-cert-file "$t/server.pem" \
      --listen-tls-key-file "$t/server.key" --sqlite-url "file:$t/data/" </dev/null >>"$t/ferretdb.log" 2>&1
    fpid=$bg_pid
    wait_ready "$fpid" port_ok "$tport" && break
    stop_pid "$fpid"; fpid=
  done
  if [ -z "${fpid:-}" ]; then
    fail "mongodb: bench-ferretdb did not start"; cat "$t/ferretdb.log"
  else
    cat >"$tmp/wl/mongo.yaml" <<YAML
name: sec-mongo
targets:
  - name: mongodb
    uri: "mongodb://127.0.0.1:$tport/?tls=true&tlsCAFile=$t/ca.pem&authMechanism=PLAIN&authSource=%24external"
    auth: {user: benchuser, password_env: BENCH_TEST_PW}
keyspace: {records: 300, prefix: "bench:"}
phases:
  - {name: load, batch: 100, clients: 1}
  - {name: run, ops: 600, clients: 2, mix: {get: 0.9, set: 0.1}}
YAML
    run mongo-tls 0 BENCH_TEST_PW="$pw" -- "$tmp/wl/mongo.yaml"
    has "${dir}run.json" '"product": "FerretDB"' "mongo-tls: run.json names FerretDB"
    has "${dir}run.json" '"authenticated_user": "benchuser@\$external"' "mongo-tls: logged in as benchuser"
    check "mongo-tls: no request failed ($(sum_col errors) errors)" "$(sum_col errors) == 0 && $(sum_col ops) > 0"
    run mongo-otherca 3 BENCH_TEST_PW="$pw" -- "$tmp/wl/mongo.yaml" \
      --set "targets.mongodb.uri=mongodb://127.0.0.1:$tport/?tls=true&tlsCAFile=$t/other.pem&authMechanism=PLAIN"
    has "$tmp/mongo-otherca.err" "TLS handshake failed" "mongo-otherca: a certificate from another CA is refused"
    run mongo-plain 3 BENCH_TEST_PW="$pw" -- "$tmp/wl/mongo.yaml" \
      --set "targets.mongodb.uri=mongodb://127.0.0.1:$tport/?authMechanism=PLAIN&serverSelectionTimeoutMS=2000"
    run mongo-scram 3 BENCH_TEST_PW="$pw" -- "$tmp/wl/mongo.yaml" \
      --set "targets.mongodb.uri=mongodb://127.0.0.1:$tport/?tls=true&tlsCAFile=$t/ca.pem"
    has "$tmp/mongo-scram.err" "authentication failed for user benchuser" "mongo-scram: a refused login says so"
    has "$tmp/mongo-scram.err" "check BENCH_TEST_PW" "mongo-scram: names the variable to check"
    stop_pid "$fpid"
  fi
fi

# ---- h. ----
if ! command -v saslpasswd2 >/dev/null; then
  if [ "${CI:-}" = true ]; then fail "memcached SASL: saslpasswd2 not found (CI=true: required; apt-get install sasl2-bin)"
  else echo "SKIPPED - memcached SASL: saslpasswd2 not found (apt-get install sasl2-bin)"; fi
elif [[ $(memcached -h) != *--enable-sasl* ]]; then # (grep -q would end the pipe early: SIGPIPE, pipefail)
  echo "SKIPPED - memcached SASL: this memcached was built without SASL (-S)"
else
  s="$tmp/sasl"; mkdir -p "$s"
  printf '%s' "$pw" | saslpasswd2 -p -a memcached -c -f "$s/sasldb" bench
  printf 'mech_list: plain\nsasldb_path: %s\n' "$s/sasldb" >"$s/memcached.conf"
  port_ok() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  for try in 1 2 3; do
    sport=$(pick_port) || continue
    bg env SASL_CONF_PATH="$s" memcached -S -l 127.0.0.1 -p "$sport" -U 0 -u root -t 1 </dev/null >>"$s/memcached.log" 2>&1
    spid=$bg_pid
    wait_ready "$spid" port_ok "$sport" && break
    stop_pid "$spid"; spid=
  done
  if [ -z "${spid:-}" ]; then
    fail "memcached -S did not start"; cat "$s/memcached.log"
  else
    cat >"$tmp/wl/sasl.yaml" <<YAML
name: sec-sasl
targets:
  - {name: memcached, uri: "127.0.0.1:$sport", auth: {user: bench, password_env: BENCH_TEST_PW}}
keyspace: {records: 300, prefix: "bench:"}
phases:
  - {name: load, batch: 100, clients: 1}
  - {name: run, ops: 600, clients: 2, mix: {get: 0.9, set: 0.1}}
YAML
    # --reuse: bench cannot list a SASL memcached's keys (metadump is a
    # text-protocol command), so it cannot check the prefix is empty.
    run sasl 0 BENCH_TEST_PW="$pw" -- "$tmp/wl/sasl.yaml" --reuse
    check "sasl: no request failed ($(sum_col errors) errors)" "$(sum_col errors) == 0 && $(sum_col ops) > 0"
    has "${dir}run.json" '"engine": "blocking"' "sasl: the blocking engine ran (binary protocol)"
    has "${dir}run.json" 'protocol=binary' "sasl: the binary protocol was used"
    run sasl-wrong 3 BENCH_TEST_PW="not-$pw" -- "$tmp/wl/sasl.yaml"
    has "$tmp/sasl-wrong.err" "SASL authentication failed for user bench" "sasl-wrong: says the login failed"
    has "$tmp/sasl-wrong.err" "check BENCH_TEST_PW" "sasl-wrong: names the variable to check"
    run sasl-text 3 BENCH_TEST_PW="$pw" -- "$tmp/wl/sasl.yaml" --set targets.memcached.options.protocol=text
    has "$tmp/sasl-text.err" "SASL authentication needs the binary protocol" "sasl-text: protocol text is refused"
    # The credentials in the server list itself, percent-encoded.
    printf '%s' "$pw2" | saslpasswd2 -p -a memcached -f "$s/sasldb" bench2
    sed '/uri:/s/uri: "[^"]*", //; /auth:/s/, auth: {[^}]*}//' "$tmp/wl/sasl.yaml" >"$tmp/wl/sasl-uri.yaml"
    run sasl-uri 0 BENCH_MEMCACHED_SERVERS="bench2:$pw2enc@127.0.0.1:$sport" -- "$tmp/wl/sasl-uri.yaml" \
      --servers external --reuse
    check "sasl-uri: no request failed ($(sum_col errors) errors)" "$(sum_col errors) == 0 && $(sum_col ops) > 0"
    has "${dir}run.json" '"uri": "bench2:\*\*\*@127.0.0.1:'"$sport"'"' "sasl-uri: run.json shows the list redacted"
    has "${dir}run.json" 'protocol=binary' "sasl-uri: credentials in the list switched to the binary protocol"
    run sasl-uri-wrong 3 BENCH_MEMCACHED_SERVERS="bench2:not-$pw2enc@127.0.0.1:$sport" -- "$tmp/wl/sasl-uri.yaml" \
      --servers external
    has "$tmp/sasl-uri-wrong.err" "SASL authentication failed for user bench2" "sasl-uri-wrong: says the login failed"
    has "$tmp/sasl-uri-wrong.err" "check the user and password in the uri" "sasl-uri-wrong: says what to check"
    stop_pid "$spid"
  fi
fi

# ---- i. ----
rport_acl=$rport
if start_redis "" && rcli CONFIG SET requirepass "$pw2" >/dev/null && rcli PING | grep -q NOAUTH; then
  pass "redis-server with requirepass started"
  run pct 0 BENCH_REDIS_URI="redis://:$pw2enc@127.0.0.1:$rport" -- "$tmp/wl/envuri.yaml" --servers external
  check "pct: no request failed ($(sum_col errors) errors)" "$(sum_col errors) == 0 && $(sum_col ops) > 0"
  has "${dir}run.json" "\"uri\": \"redis://:\*\*\*@127.0.0.1:$rport\"" "pct: run.json shows the uri redacted"
  run pct-bad 3 BENCH_REDIS_URI="redis://:${pw2enc}%zz@127.0.0.1:$rport" -- "$tmp/wl/envuri.yaml" --servers external
  has "$tmp/pct-bad.err" "badly percent-encoded" "pct-bad: a broken escape is named, the password is not"
  stop_pid "$rpid"
else
  fail "redis-server with requirepass did not start"
fi
rport=$rport_acl

# ---- j. ----
cat >"$tmp/wl/mcbad.yaml" <<'YAML'
name: sec-mcbad
targets:
  - {name: memcached, driver: memcached}
  - {name: nul, driver: "null"}
keyspace: {records: 100}
phases:
  - {name: run, ops: 100, mix: {get: 1}}
YAML
run mcbad 3 BENCH_MEMCACHED_SERVERS="bench:$pw@127.0.0.1:port" -- "$tmp/wl/mcbad.yaml" --servers external
has "${dir}run.json" '"uri": "bench:\*\*\*@127.0.0.1:port"' "mcbad: run.json's uri is redacted"
has "${dir}run.json" "memcached: bad port in '127.0.0.1:port'" "mcbad: run.json's skipped says why, without the password"
has "${dir}report.html" "bench:\*\*\*@127.0.0.1:port" "mcbad: report.html shows the uri redacted"
has "$tmp/mcbad.err" "bench:\*\*\*@127.0.0.1:port" "mcbad: the terminal shows the uri redacted"
dead=$(pick_port)
run mcpool 3 BENCH_MEMCACHED_SERVERS="bench:$pw2@127.0.0.1:$dead,127.0.0.1:$dead" -- "$tmp/wl/mcbad.yaml" --servers external
has "${dir}run.json" "\"uri\": \"bench:\*\*\*@127.0.0.1:$dead,127.0.0.1:$dead\"" "mcpool: run.json's uri is redacted"

# ---- nothing written or printed holds a password ----
leaks=$(grep -rlF -e "$pw" -e "$pw2" -e "$pw2enc" -e "${pw2%%,*}" "$tmp"/res-* "$tmp"/*.out "$tmp"/*.err 2>/dev/null)
files=$(find "$tmp"/res-* -type f 2>/dev/null | wc -l)
if [ -z "$leaks" ] && [ "$files" -gt 10 ]; then pass "the password is in none of $files result files nor bench's output"
else fail "the password leaked into: ${leaks:-(no result files: $files)}"; fi

echo "security: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
