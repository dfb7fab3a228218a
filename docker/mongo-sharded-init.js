// Sets up the compose file's sharded MongoDB (profile `sharded`), run with
// `mongosh --nodb`: rs.initiate of the config server replica set (cfg) and
// of the two shard replica sets (shard1, shard2), one member each, then
// sh.addShard of both through mongos. Compose runs it once the three
// mongod answer ping. Safe to run again: what is done already is skipped.
//
// Every wait polls with a deadline (60 s), never a fixed sleep.

const DEADLINE_MS = 60000;

function waitFor(what, check) {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    let last;
    try {
      if (check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`mongo-sharded-init: ${what} not ready within ${DEADLINE_MS / 1000} s` +
                      (last ? `: ${last.message}` : ""));
    sleep(500);
  }
}

function initiate(host, id, configsvr) {
  db = connect(`mongodb://${host}/admin?directConnection=true`);
  // An uninitiated member answers replSetGetStatus with an error (a reply
  // with ok: 0, or a thrown MongoServerError, depending on the helper).
  let initiated = false;
  try {
    initiated = db.adminCommand({ replSetGetStatus: 1 }).ok === 1;
  } catch (e) {
    initiated = false;
  }
  if (initiated) {
    print(`mongo-sharded-init: ${id} is initiated already`);
  } else {
    const cfg = { _id: id, members: [{ _id: 0, host: host }] };
    if (configsvr) cfg.configsvr = true;
    const r = rs.initiate(cfg);
    if (!r.ok) throw new Error(`mongo-sharded-init: rs.initiate(${id}) failed: ${tojson(r)}`);
    print(`mongo-sharded-init: initiated ${id} (${host})`);
  }
  waitFor(`${id} primary`, () => db.adminCommand({ hello: 1 }).isWritablePrimary === true);
}

initiate("mongo-cfg:27019", "cfg", true);
initiate("mongo-shard1:27018", "shard1", false);
initiate("mongo-shard2:27018", "shard2", false);

waitFor("mongos", () => {
  db = connect("mongodb://mongos:27017/admin");
  return db.adminCommand({ ping: 1 }).ok === 1;
});

const have = db.adminCommand({ listShards: 1 }).shards.map((s) => s._id);
for (const [name, host] of [["shard1", "mongo-shard1:27018"], ["shard2", "mongo-shard2:27018"]]) {
  if (have.includes(name)) {
    print(`mongo-sharded-init: ${name} is a shard already`);
    continue;
  }
  const r = sh.addShard(`${name}/${host}`);
  if (!r.ok) throw new Error(`mongo-sharded-init: sh.addShard(${name}) failed: ${tojson(r)}`);
  print(`mongo-sharded-init: added ${name}`);
}
print("mongo-sharded-init: done; mongos answers on mongos:27017 (host: 127.0.0.1:27030)");
