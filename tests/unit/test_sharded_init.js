// test_sharded_init.js - docker/mongo-sharded-init.js (the sharded compose
// profile's one-shot init) run by node against a stand-in for mongosh with
// MongoDB 7.0's documented replies, since no mongosh or mongod runs here.
//
// The cluster it talks to is read from docker-compose.yml (each mongod's
// --replSet and --port, mongos's port), so a script and compose file that
// disagree fail. What mongosh does and this stand-in copies:
//  - db.adminCommand throws a MongoServerError for a reply with ok: 0
//    (runCommandWithCheck): replSetGetStatus on a member never initiated
//    throws code 94 NotYetInitialized;
//  - assigning db (db = connect(...)) rebinds rs and sh to it (setDbFunc);
//  - rs.initiate(cfg) runs {replSetInitiate: cfg} on that member, which
//    needs _id equal to its --replSet, configsvr: true exactly on a
//    --configsvr member, members [{_id: 0, host: "<host>:<port>"}] naming
//    itself; a member is primary (hello isWritablePrimary) a few polls
//    after;
//  - sh.addShard("<replSet>/<host>:<port>") runs {addShard: ...} on
//    mongos, which refuses a set name or host that is not a shard's, and
//    a second add of the same shard; listShards lists what was added;
//  - mongos answers ping only once the config server replica set has a
//    primary.
// Checks: a first run initiates the three sets once each with the right
// config and adds both shards; a second run on that state changes
// nothing; a member that never becomes primary ends the script with its
// 60 s deadline (on a fake clock: no real waiting).
// Usage: node test_sharded_init.js REPO_ROOT
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const root = process.argv[2];
const script = fs.readFileSync(path.join(root, "docker/mongo-sharded-init.js"), "utf8");
const compose = fs.readFileSync(path.join(root, "docker-compose.yml"), "utf8");
let passed = 0, failed = 0;
function check(what, cond, detail) {
  if (cond) passed++;
  else { failed++; console.log(`FAIL - ${what}${detail ? ": " + detail : ""}`); }
}

// ---- the cluster of docker-compose.yml's sharded profile ----
// service name -> the argv of its `command: [...]` (JSON arrays there).
const commands = {};
let service = null;
for (const line of compose.split("\n")) {
  const s = line.match(/^  ([a-z0-9-]+):\s*(&\S+)?\s*$/);
  if (s) { service = s[1]; continue; }
  const c = line.match(/^    command: (\[.*\])\s*$/);
  if (service && c) commands[service] = JSON.parse(c[1]);
}
function opt(argv, name) { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; }
const members = {}; // "host:port" -> {set, configsvr}
let mongosPort = null;
for (const [name, argv] of Object.entries(commands)) {
  if (argv[0] === "mongod" && opt(argv, "--replSet"))
    members[`${name}:${opt(argv, "--port")}`] = { set: opt(argv, "--replSet"), configsvr: argv.includes("--configsvr") };
  if (argv[0] === "mongos") mongosPort = opt(argv, "--port");
}
check("docker-compose.yml has a config server and two shards",
      Object.values(members).filter((m) => m.configsvr).length === 1 &&
      Object.values(members).filter((m) => !m.configsvr).length === 2, JSON.stringify(members));
check("docker-compose.yml has a mongos", mongosPort !== null);

class MongoServerError extends Error {
  constructor(reply) { super(reply.errmsg); this.name = "MongoServerError"; Object.assign(this, reply); }
}

// state survives between runs (the containers keep their data)
function newCluster(opts = {}) {
  return { initiated: {}, polls: {}, shards: [], calls: [], neverPrimary: opts.neverPrimary };
}

function run(cluster) {
  let now = 1732430000000;
  const out = [];
  const ctx = { print: (s) => out.push(String(s)), tojson: (o) => JSON.stringify(o),
                sleep: (ms) => { now += ms; }, Date: { now: () => now }, Error };
  function primary(member) {
    if (!cluster.initiated[member] || member === cluster.neverPrimary) return false;
    cluster.polls[member] = (cluster.polls[member] || 0) + 1;
    return cluster.polls[member] > 2; // an election takes a few polls
  }
  function cfgPrimary() {
    return Object.keys(members).some((m) => members[m].configsvr && cluster.initiated[m] && cluster.polls[m] > 2);
  }
  function connect(uri) {
    const u = uri.match(/^mongodb:\/\/([^/]+)\/admin(\?directConnection=true)?$/);
    if (!u) throw new Error(`connect: unexpected uri ${uri}`);
    const host = u[1], isMongos = host === `mongos:${mongosPort}`;
    if (!isMongos && !members[host]) throw new Error(`connect: no such member ${host} (docker-compose.yml)`);
    if (!isMongos && !u[2]) throw new Error(`connect: ${host} without directConnection=true`);
    return {
      host,
      adminCommand(cmd) {
        const name = Object.keys(cmd)[0];
        cluster.calls.push({ host, cmd });
        if (isMongos) {
          if (!cfgPrimary()) throw new Error(`connect ECONNREFUSED (mongos has no config server yet)`);
          if (name === "ping") return { ok: 1 };
          if (name === "listShards") return { shards: cluster.shards.map((s) => ({ _id: s.set, host: `${s.set}/${s.host}`, state: 1 })), ok: 1 };
          if (name === "addShard") {
            const m = String(cmd.addShard).match(/^([^/]+)\/(.+)$/);
            const member = m && members[m[2]];
            if (!member || member.configsvr || member.set !== m[1] || !cluster.initiated[m[2]])
              throw new MongoServerError({ ok: 0, errmsg: `cannot add ${cmd.addShard}`, code: 96, codeName: "OperationFailed" });
            if (cluster.shards.some((s) => s.set === m[1]))
              throw new MongoServerError({ ok: 0, errmsg: `${m[1]} is a shard already`, code: 117, codeName: "ConflictingOperationInProgress" });
            cluster.shards.push({ set: m[1], host: m[2] });
            return { shardAdded: m[1], ok: 1 };
          }
        } else {
          const me = members[host];
          if (name === "replSetGetStatus") {
            if (!cluster.initiated[host])
              throw new MongoServerError({ ok: 0, errmsg: "no replset config has been received", code: 94, codeName: "NotYetInitialized" });
            return { set: me.set, myState: primary(host) ? 1 : 2, ok: 1 };
          }
          if (name === "hello") return { isWritablePrimary: primary(host), setName: cluster.initiated[host] ? me.set : undefined, ok: 1 };
          if (name === "replSetInitiate") {
            const c = cmd.replSetInitiate;
            const bad = cluster.initiated[host] ? "already initialized"
              : c._id !== me.set ? `_id ${c._id} is not --replSet ${me.set}`
              : Boolean(c.configsvr) !== me.configsvr ? "configsvr must be true exactly on a --configsvr member"
              : !(Array.isArray(c.members) && c.members.length === 1 && c.members[0]._id === 0 && c.members[0].host === host)
                ? `members must be [{_id: 0, host: "${host}"}]` : null;
            if (bad) throw new MongoServerError({ ok: 0, errmsg: bad, code: 93, codeName: "InvalidReplicaSetConfig" });
            cluster.initiated[host] = c;
            return { ok: 1 };
          }
        }
        throw new MongoServerError({ ok: 0, errmsg: `no such command: '${name}'`, code: 59, codeName: "CommandNotFound" });
      },
    };
  }
  ctx.connect = connect;
  // mongosh: db is a setter that rebinds rs and sh (ShellInstanceState.setDbFunc)
  let current = null;
  Object.defineProperty(ctx, "db", {
    get: () => current,
    set: (d) => {
      current = d;
      ctx.rs = { initiate: (cfg) => d.adminCommand({ replSetInitiate: cfg }) };
      ctx.sh = { addShard: (url) => d.adminCommand({ addShard: url }) };
    },
  });
  let error = null;
  try {
    vm.runInNewContext(script, ctx, { filename: "mongo-sharded-init.js" });
  } catch (e) {
    error = e;
  }
  return { out, error };
}

// ---- a first run ----
const cluster = newCluster();
let r = run(cluster);
check("first run: no error", r.error === null, r.error && r.error.message);
const initiates = cluster.calls.filter((c) => c.cmd.replSetInitiate);
check("each replica set initiated once", initiates.length === 3, JSON.stringify(initiates));
for (const [host, m] of Object.entries(members))
  check(`${host} initiated as ${m.set}`, cluster.initiated[host] && cluster.initiated[host]._id === m.set);
check("both shards added through mongos", cluster.shards.map((s) => s.set).sort().join() ===
      Object.values(members).filter((m) => !m.configsvr).map((m) => m.set).sort().join(), JSON.stringify(cluster.shards));
check("it says it is done", r.out.some((l) => l.includes("mongo-sharded-init: done")), r.out.join("\n"));

// ---- again, on what the first left ----
cluster.calls = [];
r = run(cluster);
check("second run: no error", r.error === null, r.error && r.error.message);
check("second run: nothing initiated or added again",
      !cluster.calls.some((c) => c.cmd.replSetInitiate || c.cmd.addShard), JSON.stringify(cluster.calls));
check("second run: says what was done already",
      r.out.filter((l) => / is initiated already| is a shard already/.test(l)).length === 5, r.out.join("\n"));

// ---- a member that never becomes primary ----
const stuck = Object.keys(members).find((m) => !members[m].configsvr);
r = run(newCluster({ neverPrimary: stuck }));
check("a member that never becomes primary: the deadline ends the script",
      r.error !== null && /primary not ready within 60 s/.test(r.error.message), r.error && r.error.message);

console.log(`sharded_init: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
