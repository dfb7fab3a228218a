#!/usr/bin/env bash
# compose.sh ROOT - checks docker-compose.yml and docker/ without a Docker
# engine (none runs on the project's machines): `docker-compose config -q`
# for the default services and for every profile, then facts of the
# resolved configuration that a careless edit could break:
#   - each profile has its services, and the default has none of theirs;
#   - every published port is bound to 127.0.0.1, and no host port is
#     published twice across all profiles together;
#   - every image has a pinned tag (not `latest`, not missing);
#   - every long-running server has a healthcheck; every one-shot init
#     waits for the servers it needs to be healthy;
#   - the bench service reaches each server by a service name that exists;
#   - every file a service mounts from ./ and every COPY source of
#     docker/Dockerfile exists; the init scripts parse (bash -n, node
#     --check when node is installed); the Dockerfile's stages are pinned;
#   - scripts/check-compose parses (and passes shellcheck where installed)
#     and brings up every profile.
# Exit 77 (skipped) without docker-compose, unless CI=true.
set -u
root=${1:?usage: compose.sh ROOT}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/lib.sh"

if ! command -v docker-compose >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "FAIL: docker-compose not found (scripts/install-deps installs it)" >&2; exit 1; fi
  echo "SKIP: docker-compose not found: apt-get install docker-compose (or scripts/install-deps)" >&2
  exit 77
fi
cd "$root" || exit 1
compose=(docker-compose -f "$root/docker-compose.yml" --project-directory "$root")
profiles=(variants cluster sharded bench)

# docker-compose is a Python program: its own interpreter has PyYAML.
py=$(head -1 "$(command -v docker-compose)" | sed -n 's/^#! *//p' | awk '{print $1}')
[ -x "$py" ] && "$py" -c 'import yaml' 2>/dev/null || py=python3

# 1. Each profile (and none) is valid.
expect_rc 0 "config -q (default)" -- "${compose[@]}" config -q
"${compose[@]}" config >"$tmp/default.yml" 2>"$tmp/err" || fail "config (default): $(cat "$tmp/err")"
all=()
for p in "${profiles[@]}"; do
  expect_rc 0 "config -q --profile $p" -- "${compose[@]}" --profile "$p" config -q
  "${compose[@]}" --profile "$p" config >"$tmp/$p.yml" 2>"$tmp/err" || fail "config --profile $p: $(cat "$tmp/err")"
  all+=(--profile "$p")
done
"${compose[@]}" "${all[@]}" config >"$tmp/all.yml" 2>"$tmp/err" || fail "config with every profile: $(cat "$tmp/err")"

# 2. Facts of the resolved files.
"$py" - "$tmp" "$root" <<'PY' >"$tmp/facts" 2>&1 || fail "compose facts: $(cat "$tmp/facts")"
import os, re, sys, yaml

tmp, root = sys.argv[1], sys.argv[2]
bad = []
def load(name):
    with open(os.path.join(tmp, name + ".yml")) as f:
        return yaml.safe_load(f)["services"]

default_services = {"redis", "memcached", "mongo"}
expect = {
    "variants": {"redis-aof-everysec", "redis-aof-always", "redis-rdb", "redis-io-threads",
                 "memcached-t1", "memcached-t4"},
    "cluster": {"redis-node-%d" % i for i in range(6)} | {"redis-cluster-init"},
    "sharded": {"mongo-cfg", "mongo-shard1", "mongo-shard2", "mongos", "mongo-sharded-init"},
    "bench": {"bench"},
}
oneshot = {"redis-cluster-init", "mongo-sharded-init"}

# docker-compose 1.29's `config` lists every service whatever the
# profiles; membership is each service's `profiles` key.
svc = load("all")
def members(p):
    return {n for n, s in svc.items() if (p in s.get("profiles", []) if p else not s.get("profiles"))}
if members(None) != default_services:
    bad.append("default services are %s, want %s" % (sorted(members(None)), sorted(default_services)))
for p, want in expect.items():
    if members(p) != want:
        bad.append("profile %s: services %s, want %s" % (p, sorted(members(p)), sorted(want)))
    # `up --profile p` refuses a dependency outside the active profiles.
    for n in members(p):
        for dep in svc[n].get("depends_on", {}):
            if dep not in members(p) | default_services:
                bad.append("%s (profile %s) depends on %s, outside the profile" % (n, p, dep))
seen = {}
for name, s in sorted(svc.items()):
    for port in s.get("ports", []):
        # Short syntax as resolved by docker-compose 1.29: "IP:HOST:CONTAINER[/proto]";
        # long syntax: {host_ip, published, target}.
        if isinstance(port, dict):
            ip, host = port.get("host_ip"), str(port.get("published"))
        else:
            parts = str(port).split("/")[0].split(":")
            ip, host = (parts[0], parts[1]) if len(parts) == 3 else (None, parts[0])
        if ip != "127.0.0.1":
            bad.append("%s publishes %s on %s, not 127.0.0.1" % (name, port, ip or "every address"))
        if host in seen:
            bad.append("host port %s published by both %s and %s" % (host, seen[host], name))
        seen[host] = name
    image = s.get("image")
    if image is None and "build" not in s:
        bad.append("%s has neither image nor build" % name)
    if image is not None and "build" not in s:
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if not tag or tag == "latest" or not re.search(r"\d", tag):
            bad.append("%s: image %s is not pinned to a version tag" % (name, image))
    if name in oneshot:
        if s.get("restart", "no") not in ("no", None):
            bad.append("%s is one-shot but restarts (%s)" % (name, s.get("restart")))
        deps = s.get("depends_on", {})
        if not deps or not any(v.get("condition") == "service_healthy" for v in deps.values()):
            bad.append("%s does not wait for healthy servers" % name)
        for dep in deps:
            if dep not in svc:
                bad.append("%s depends on unknown service %s" % (name, dep))
    elif name != "bench":
        hc = s.get("healthcheck")
        if not hc or hc.get("disable") or not hc.get("test"):
            bad.append("%s (a server) has no healthcheck" % name)
    for v in s.get("volumes", []):
        src = v.get("source") if isinstance(v, dict) else str(v).split(":")[0]
        if name == "bench" and src.endswith("/results"):
            continue  # created by the first run
        if src.startswith("/") and not os.path.exists(src):
            bad.append("%s mounts %s, which does not exist" % (name, src))

# The bench service reaches every server by a service name that exists.
env = svc["bench"].get("environment", {})
for var, pat in (("BENCH_REDIS_URI", r"^redis://([^:/]+):\d+"),
                 ("BENCH_MEMCACHED_SERVERS", r"^([^:,]+):\d+"),
                 ("BENCH_MONGODB_URI", r"^mongodb://([^:/]+):\d+")):
    m = re.match(pat, str(env.get(var, "")))
    if not m:
        bad.append("bench: %s=%r is not host:port" % (var, env.get(var)))
    elif m.group(1) not in svc:
        bad.append("bench: %s names %s, not a service" % (var, m.group(1)))
    elif m.group(1) not in svc["bench"].get("depends_on", {}):
        bad.append("bench: does not wait for %s" % m.group(1))
if env.get("BENCH_SERVERS") != "external":
    bad.append("bench: BENCH_SERVERS is %r, not external" % env.get("BENCH_SERVERS"))
if "BENCH_SHARD" not in env:
    bad.append("bench: BENCH_SHARD is not passed through")
build = svc["bench"].get("build", {})
if not os.path.isfile(os.path.join(build.get("context", root), build.get("dockerfile", "Dockerfile"))):
    bad.append("bench: build file %s missing" % build.get("dockerfile"))

# The cluster nodes announce their own service name and listen on the
# port they publish (clients follow the slot map to those names).
for i in range(6):
    cmd = svc["redis-node-%d" % i]["command"]
    port = cmd[cmd.index("--port") + 1]
    if cmd[cmd.index("--cluster-announce-hostname") + 1] != "redis-node-%d" % i:
        bad.append("redis-node-%d announces another name" % i)
    if port != str(7000 + i) or "127.0.0.1:%s:%s" % (port, port) not in [str(p).split("/")[0] for p in svc["redis-node-%d" % i]["ports"]]:
        bad.append("redis-node-%d: port %s not published as itself" % (i, port))

for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
[ -s "$tmp/facts" ] || ok

# 3. docker/: the Dockerfile's COPY sources exist, its images are pinned,
# the init scripts parse and name the compose services.
df=docker/Dockerfile
nonempty "$df" "the bench image's Dockerfile"
while read -r src; do
  if [ -e "$src" ]; then ok; else fail "$df: COPY source $src does not exist"; fi
done < <(awk 'toupper($1) == "COPY" && $2 !~ /^--from/ { for (i = 2; i < NF; i++) print $i }' "$df")
grep -iE '^FROM ' "$df" | awk '{print $2}' >"$tmp/froms"
while read -r img; do
  case "$img" in
    *:latest|*:) fail "$df: FROM $img is not pinned" ;;
    *:*) ok ;;
    *) fail "$df: FROM $img has no tag" ;;
  esac
done <"$tmp/froms"
contains "$df" "^FROM debian:trixie" "the image builds on Debian trixie (hiredis >= 1.0, TLS)"
contains "$df" "^RUN sh /usr/local/lib/bench/build.sh build$" "the image builds bench through docker/build.sh"
contains docker/build.sh "cmake --build" "docker/build.sh builds bench with cmake"
expect_rc 0 "docker/build.sh parses" -- sh -n docker/build.sh
# Every library CMake requires (bench_require's Debian package) is among the
# image's build packages (docker/build.sh) and scripts/install-deps' (its
# runtime library follows through build.sh's runtime list).
cat CMakeLists.txt drivers/*/CMakeLists.txt | sed -n 's/^bench_require([A-Z_]* [^ ]* \([^ )]*\))$/\1/p' >"$tmp/required"
[ "$(wc -l <"$tmp/required")" -ge 6 ] && ok || fail "bench_require lines not found: $(cat "$tmp/required")"
while read -r pkg; do
  contains docker/build.sh " $pkg" "the image's build stage (docker/build.sh) installs $pkg (CMake requires it)"
  contains scripts/install-deps " $pkg" "scripts/install-deps installs $pkg (CMake requires it)"
done <"$tmp/required"
for ignored in .git build results tools/bin; do
  contains .dockerignore "^$ignored\$" ".dockerignore keeps $ignored out of the context"
done
expect_rc 0 "redis-cluster-init.sh parses" -- bash -n docker/redis-cluster-init.sh
for i in 0 1 2 3 4 5; do
  contains docker/redis-cluster-init.sh 'redis-node-$i' "the cluster init resolves the node services"
done
contains docker/redis-cluster-init.sh "--cluster-replicas 1" "3 masters + 3 replicas"
contains docker/redis-cluster-init.sh "--cluster-yes" "the cluster init does not wait for a terminal"
if command -v node >/dev/null; then
  expect_rc 0 "mongo-sharded-init.js parses" -- node --check docker/mongo-sharded-init.js
fi
for host in mongo-cfg:27019 mongo-shard1:27018 mongo-shard2:27018 mongos:27017; do
  contains docker/mongo-sharded-init.js "$host" "the sharded init reaches $host"
done
contains docker/mongo-sharded-init.js "rs.initiate" "the sharded init initiates the replica sets"
contains docker/mongo-sharded-init.js "sh.addShard" "the sharded init adds the shards"

# 4. scripts/check-compose (the first real run, for a machine with an
# engine; it cannot run here): it parses, and brings up every profile.
expect_rc 0 "scripts/check-compose parses" -- bash -n scripts/check-compose
if command -v shellcheck >/dev/null; then
  expect_rc 0 "scripts/check-compose passes shellcheck" -- shellcheck -x scripts/check-compose
fi
for p in "${profiles[@]}"; do
  [ "$p" = bench ] && { contains scripts/check-compose "run --rm bench" "check-compose runs the bench image"; continue; }
  contains scripts/check-compose "^if up $p " "check-compose brings up the $p profile"
done

echo "compose: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
