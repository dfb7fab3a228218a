/*
 * driver.h - the plugin ABI between the bench harness and a database driver.
 *
 * A driver is one `static const struct bench_driver` with designated
 * initializers: a name, the ABI version it was built against, capability
 * flags, an options table and a handful of hooks. The harness owns threads,
 * timing, statistics and files; a driver only talks to its server.
 *
 * Rules every driver follows:
 *  - It never prints, never exits, and does not allocate per request on the
 *    hot path (exec); setup hooks may allocate freely.
 *  - Errors are reported as a per-request `enum bench_status`, with the text
 *    of the most recent failure in `conn->errstr` (hiredis style). When the
 *    connection itself is lost, `conn->err` is set and stays set: every later
 *    exec() on that connection fails fast with BENCH_DISCONNECTED.
 *  - An op the driver cannot do is answered BENCH_UNSUPPORTED, never ERROR.
 *  - The driver only touches data under the target's key prefix (and, for
 *    document stores, its own database/collection).
 *
 * Adding a driver: see docs/drivers.md ("Writing a driver").
 */
#ifndef BENCH_DRIVER_H
#define BENCH_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/* 2: the event-driven hooks were added at the end of struct bench_driver.
 * 3: server_stats; event_fd may decline a target; range, query, fuzzy and
 *    structure ops with their request arguments; target data needs.
 * 4: data safety: ns_count, ns_clean and ns_flush at the end of struct
 *    bench_driver, with struct bench_ns_state.
 * 5: struct bench_option_spec has a type and allowed values (its size
 *    changed, so an older driver's table cannot be read); struct
 *    bench_driver has its servers (address_env, address_default, servers)
 *    and BENCH_CAP_SHARD_KEY.
 * 6: no server's own fields in the generic structs. struct bench_conn's
 *    redirects_moved/redirects_ask became counters[], named by the
 *    driver's `counters` (new, at the end of struct bench_driver);
 *    struct bench_server_info has typed per-op figures (shards_per_op,
 *    shards_known) where the harness parsed "shards_per_op.<op>=" out of
 *    the config text; struct bench_server_recipe has replica_argv where
 *    the harness asked whether the driver was called "redis". Every one
 *    of these changes a struct's size or offsets. bench_target's
 *    shard_key, records, should_stop and value_max, added after ABI 3
 *    and 4 without a bump, are part of 6 (shard_key now for any driver
 *    with BENCH_CAP_SHARD_KEY).
 * 7: struct bench_target has no shard_key: the key to shard on is a
 *    driver option, `shard_key` (hashed or 1) in the options table of a
 *    driver with BENCH_CAP_SHARD_KEY, which the harness sets from the
 *    workload's shard_key (the target's, over keyspace.shard_key).
 *    struct bench_driver ends with describe (`bench run --dry-run`) and
 *    struct bench_conn with trace (`bench run --trace N`).
 *    The event hooks carry every op the driver supports (not only
 *    get/set/delete of plain records), with chains of commands on the
 *    connection; on_readable may return 2 (follow-up commands wait for the
 *    socket: watch writable, call flush); an event_fd that declines a
 *    target says why in conn->errstr. Expiry: bench_request.ttl_ms,
 *    bench_target.ttl_max_ms and bench_server_info.ttl_note, each at the
 *    end of its struct. struct bench_server_recipe has memory_argv and
 *    eviction at its end: how the server's memory and eviction policy are
 *    set (the workload's `server:`), so the harness names no server. */
#define BENCH_DRIVER_ABI 7

/* Outcome of one request. Keep in sync with bench_status_name(). */
enum bench_status {
	BENCH_OK = 0,
	BENCH_MISS,         /* get of an absent key, delete of an absent key */
	BENCH_UNSUPPORTED,  /* the driver cannot do this op */
	BENCH_ERROR,        /* the server answered with an error */
	BENCH_TIMEOUT,      /* no answer in time */
	BENCH_DISCONNECTED, /* the connection broke; conn->err is set */
	BENCH_STATUS__COUNT
};

/* Logical operations. Keep in sync with bench_op_name() and
 * bench_op_caps(); docs/drivers.md maps each to every server's commands. */
enum bench_op {
	BENCH_OP_GET = 0,
	BENCH_OP_SET,
	BENCH_OP_DELETE,
	BENCH_OP_RANGE,         /* ordered scan: `count` records from key on */
	BENCH_OP_QUERY,         /* records whose category equals `arg` */
	BENCH_OP_FUZZY,         /* keys matching pattern `arg` (prefix/substring) */
	BENCH_OP_INCR,          /* counter of the record += 1 */
	BENCH_OP_HSET,          /* record's hash: field `arg` = value */
	BENCH_OP_HGET,          /* record's hash: field `arg` */
	BENCH_OP_LPUSH,         /* record's list: push value at the head, keep `count` */
	BENCH_OP_LRANGE,        /* record's list: the first `count` elements */
	BENCH_OP_SADD,          /* record's set: add member `arg` */
	BENCH_OP_SMEMBERS,      /* record's set: every member */
	BENCH_OP_ZADD,          /* record's sorted set: member `arg` at `score` */
	BENCH_OP_ZRANGEBYSCORE, /* record's sorted set: [score, score_max], at most `count` */
	/* Composed by the harness from the ops above; a driver never receives
	 * them (and answers BENCH_UNSUPPORTED if it did). */
	BENCH_OP_INSERT,        /* SET of a record beyond the loaded keyspace */
	BENCH_OP_RMW,           /* read-modify-write: GET, then SET of that key */
	BENCH_OP__COUNT
};

/* Ops below this one are the ones a driver can receive in exec(). */
#define BENCH_OP__WIRE_COUNT BENCH_OP_INSERT

/* Capability flags (struct bench_driver.caps). */
enum bench_cap {
	BENCH_CAP_KV          = 1u << 0, /* get/set/delete */
	BENCH_CAP_RANGE       = 1u << 1, /* ordered scan by key */
	BENCH_CAP_QUERY       = 1u << 2, /* secondary field equality */
	BENCH_CAP_FUZZY       = 1u << 3, /* pattern match */
	BENCH_CAP_STRUCTURES  = 1u << 4, /* hash/list/set/zset */
	BENCH_CAP_PERSISTENCE = 1u << 5,
	BENCH_CAP_TTL         = 1u << 6,
	BENCH_CAP_CLUSTER     = 1u << 7,
	BENCH_CAP_NETWORK     = 1u << 8, /* needs a server (false for null) */
	BENCH_CAP_INCR        = 1u << 9, /* counters (memcached has them without STRUCTURES) */
	BENCH_CAP_SHARD_KEY   = 1u << 10 /* shards on its `shard_key` option (hashed or 1), which its
					  * options table must have (mongodb on a mongos) */
};

/*
 * One request of a batch. The harness fills op, key, value and the op's
 * arguments; the driver fills status, and for a successful read
 * value_len_out (bytes received) and items_out. When out is not NULL
 * (tests only, never the hot path) the driver also copies min(out_cap,
 * value length) bytes of a get's (hget's) value into out; for range, query
 * and fuzzy the keys of the records returned, and for lrange, smembers and
 * zrangebyscore the elements (lrange head first, zrangebyscore by
 * ascending score), each followed by '\n', cut at out_cap, with
 * value_len_out = the bytes written.
 *
 * Structure ops (incr, hset ... zrangebyscore) act on a structure that
 * belongs to record `key`; where it lives is the driver's choice (a key
 * derived from `key`, or fields of the record's document), documented in
 * docs/drivers.md.
 */
struct bench_request {
	enum bench_op op;
	const char *key;
	size_t key_len;
	const char *value;      /* set, insert, hset, lpush: the bytes to store (binary-safe) */
	size_t value_len;
	/* Arguments (0/NULL when the op has none):
	 *   set (insert,   arg = the record's category ("c17") when the target has
 *    load)         categories (bench_target.categories), else NULL
 *   range          count = records to return, from key on, in key order
	 *   query          arg = the category value ("c17"); count = at most
	 *                  this many records (0 = all)
	 *   fuzzy          arg = the pattern: the start of a key (prefix) or a
	 *                  piece of one (substring), fuzzy_substring says which;
	 *                  count = at most this many keys (0 = all)
	 *   hset, hget     arg = the field name
	 *   lpush          count = the list's length cap (trim after the push)
	 *   lrange         count = elements from the head
	 *   sadd           arg = the member
	 *   zadd           arg = the member, score
	 *   zrangebyscore  score .. score_max, at most count members
	 */
	const char *arg;
	size_t arg_len;
	uint64_t count;
	double score, score_max;
	int fuzzy_substring;
	/* Records are `fields` fields of equal share of value_len (the last
	 * one takes the remainder); 0 = one plain value. */
	unsigned fields;
	enum bench_status status;
	size_t value_len_out;   /* bytes of value data received */
	uint64_t items_out;     /* records, elements or keys returned */
	uint64_t calls_out;     /* server commands the request took (fuzzy on Redis:
				 * SCAN calls); 0 = the driver does not count */
	char *out;              /* optional copy of the received value */
	size_t out_cap;
	/* Added with ABI 7, at the end. set (and the write of an rmw, and a
	 * load's records): the record expires this many milliseconds after
	 * it is written (values.ttl, docs/workload-format.md); 0 = never.
	 * Every other op ignores it. Redis: SET ... PX (EX when whole
	 * seconds); memcached: the exptime, in whole seconds rounded up;
	 * mongodb: the document's bench_expire_at date. A replayed trace gives each
	 * set its own (docs/workload-format.md, "Trace replay"). */
	uint64_t ttl_ms;
};

/* A `key: value` option from the workload's target, e.g. {protocol: binary}.
 * The value is as the driver's table wants it: a BENCH_OPT_BOOL option is
 * "true" or "false", an ENUM one is one of its values, exactly. */
struct bench_option {
	const char *key;
	const char *value;
};

/* What an option's value may be. The harness checks every value against
 * its entry when it reads the workload (`bench validate` too), so open()
 * only ever sees a value of the right kind. */
enum bench_option_type {
	BENCH_OPT_STRING = 0, /* any text but the empty one (a zeroed entry is this) */
	BENCH_OPT_ENUM,       /* one of `values`; when those include on and off, YAML's
			       * booleans true/yes and false/no are taken as on and off */
	BENCH_OPT_BOOL,       /* true or false; yes/no and on/off (any case YAML 1.1
			       * allows) are taken as true and false */
	BENCH_OPT__COUNT
};

/* An entry of a driver's table of known options; the table ends with {NULL}. */
struct bench_option_spec {
	const char *key;
	const char *help;    /* one line, includes the default */
	enum bench_option_type type;
	const char *const *values; /* BENCH_OPT_ENUM: the allowed values, NULL-terminated;
				    * NULL for the other types */
};

/*
 * What a connection is opened against. The strings stay valid until the
 * connection is closed.
 *   redis:     uri = redis://[[user]:password@]host:port[/db] (or rediss://)
 *   memcached: uri = [user:password@]host:port[,host:port...]
 *   mongodb:   uri = mongodb://host:port/... (any libmongoc URI)
 *   null:      uri unused
 */
struct bench_target {
	const char *name;       /* the target's name in the workload */
	const char *uri;
	const char *prefix;     /* every key this run writes starts with it */
	const struct bench_option *options;
	size_t n_options;
	unsigned timeout_ms;    /* per request; 0 = driver default */
	/* What the workload needs the data to carry, so a driver keeps
	 * indexes only when they are used: */
	unsigned fields;        /* fields per record (0 = one plain value) */
	uint64_t categories;    /* records carry a category "c<n>", n < categories; 0 = none */
	int index_range;        /* the workload has range ops: keep a key-order index */
	int index_query;        /* the workload has query ops: keep a category index */
	/* Threads the server serves requests with, when known (memcached -t,
	 * Redis io-threads); 0 = unknown. The harness sizes its event
	 * threads by it. */
	unsigned server_threads;
	/* Credentials (added with ABI 4), resolved by the harness from the
	 * environment or a file (docs/security.md); NULL = none. user NULL with
	 * a password: Redis AUTH with the password alone. A driver sends them
	 * to its server (on every open, so reconnects log in again), never
	 * puts them in errstr, and says "AUTH failed" / "authentication failed"
	 * in errstr when the server refuses them. */
	const char *user;
	const char *password;
	/* The workload's keyspace.records. Keys are prefix + the record number
	 * 0 .. records-1 in 12 zero-padded decimal digits (harness/gen/keygen.h),
	 * so they sort in record order. The mongodb driver pre-splits a ranged
	 * shard_key at evenly spaced keys of it; 0 = unknown. */
	uint64_t records;
	/* The harness's stop request, polled
	 * by ns_count and ns_clean between the replies they read, so a server
	 * that never ends a listing cannot keep bench from stopping; they give
	 * up with errstr "stopped" when it returns nonzero. NULL = never. */
	int (*should_stop)(void);
	/* The longest value the workload
	 * writes, in bytes (values.size's max times fields, over every sweep
	 * point); 0 = unknown. A reply announcing a much longer one is not to
	 * be believed: the memcached driver refuses it before its client
	 * library reserves room for it. */
	uint64_t value_max;
	/* Added with ABI 7, at the end: the longest TTL the workload's
	 * writes carry (values.ttl, over every sweep point), in ms; 0 = the
	 * workload sets no expiry. A driver that needs something in place for
	 * expiry (mongodb: the TTL index) sets it up in prepare when > 0. */
	uint64_t ttl_max_ms;
};

/* Identity of the server that really answered. */
struct bench_server_info {
	char product[64];       /* "Redis", "memcached", "MongoDB", "FerretDB" */
	char version[64];       /* as the server reports it */
	char detail[256];       /* free text: mode, compatibility version ... */
	/* Configuration that matters to the result, as "key=value" lines. */
	char config[1024];
	/* Per op, the mean number of shards (servers) a request of that op
	 * reaches, for summary.csv's shards_per_op: shards_per_op[op] holds
	 * it when bit (1u << op) of shards_known is set. The harness zeroes
	 * the struct, so a driver that does not shard says nothing. Read from
	 * the server_info taken after a target's runs. mongodb on a mongos:
	 * from explain (docs/drivers.md). */
	double shards_per_op[BENCH_OP__WIRE_COUNT];
	uint32_t shards_known;
	/* Added with ABI 6, at the end: the harness zeroes the struct before
	 * server_info, so a driver built without them leaves them empty.
	 * variant: what sets this server apart from a stock one of its product
	 * and version, named in the server label after them ("SQLite, indexed
	 * _id": FerretDB v1.24.2 (SQLite, indexed _id)); "" none.
	 * stands_in_for: the product whose place this server takes when it is
	 * another one that speaks its protocol ("MongoDB" for FerretDB); "" when
	 * it is that product. Its figures are the stand-in's: run.json warns,
	 * and a claim that reads them gets no verdict (docs/claims.md). */
	char variant[96];
	char stands_in_for[64];
	/* Added with ABI 7, at the end: what expiry means on this server, when
	 * it is not "a read after the TTL misses" (one sentence, no trailing
	 * period; "" none). The harness puts it in run.json's warnings and on
	 * the terminal when the workload sets values.ttl. mongodb: the TTL
	 * monitor's minute; FerretDB: no expiry at all. */
	char ttl_note[256];
};

/* Server counters the harness samples before and after a phase. */
struct bench_server_stats {
	/* CPU time the server process has used so far, user + system, in
	 * seconds; < 0 when the server does not say. */
	double cpu_s;
	char cpu_source[32];    /* where it came from: "INFO cpu", "stats rusage" */
};

/*
 * What ns_count found under the target's prefix before a run; the harness
 * hands it back to ns_clean after the run.
 */
struct bench_ns_state {
	uint64_t keys;          /* keys (documents) under the prefix, at most the limit asked */
	char noun[96];          /* what they are, for messages: "keys", "documents in bench.kv" */
	unsigned notes;         /* the driver's own: what ns_clean must know of the state
				 * before the run (MongoDB: the collection did not exist) */
};

/* Counters a driver may keep on a connection (bench_conn.counters). */
#define BENCH_CONN_COUNTERS 8

/*
 * A connection. The harness allocates it and zeroes it; open() fills priv.
 * err/errstr follow hiredis: err != 0 means the connection is unusable.
 */
struct bench_conn {
	const struct bench_driver *driver;
	const struct bench_target *target;
	void *priv;             /* the driver's per-connection state */
	int err;                /* sticky: connection lost or never opened */
	char errstr[128];       /* text of the latest failure, "" if none */
	/* The driver's own counters, named by its `counters` (counters[i] is
	 * the i-th name): events the harness cannot see, such as Redis
	 * Cluster's MOVED and ASK redirections followed. The harness zeroes
	 * them per phase run and sums them over the clients; open/close leave
	 * them alone, so they add up over reconnects. */
	uint64_t counters[BENCH_CONN_COUNTERS];
	/* Added with ABI 7: `bench run --trace N`. NULL (the harness zeroes
	 * the struct): no tracing, and a driver does nothing more than test
	 * it. Set by the harness before open() and left alone by the driver;
	 * see struct bench_trace. */
	struct bench_trace *trace;
};

/*
 * A server program bench can spawn for a driver (`--servers spawn`, the
 * default). argv[0] is the program, looked up in tools/bin, then on PATH;
 * in the other arguments "{port}" and "{dir}" (inside an argument too) become
 * the free port and the server's private directory, and an argument that is
 * exactly "{user}" becomes "-u root" when bench runs as root (memcached
 * refuses root otherwise) and nothing otherwise.
 */
struct bench_server_recipe {
	const char *program;        /* NULL ends a driver's list */
	const char *uri;            /* printf format of its address, with the port */
	const char *install_hint;   /* what to do when it is missing; NULL: none */
	const char *argv[24];       /* NULL-terminated */
	/* What makes the program a replica of another one bench spawned
	 * (replication phases), added after argv; "{primary_port}" (inside an
	 * argument too) becomes that server's port. NULL-terminated; empty:
	 * bench cannot start a replica of this program. */
	const char *replica_argv[8];
	/* ABI 7, at the end. What gives the server a memory limit (the
	 * workload's server.memory): "{memory_bytes}" or "{memory_mib}" (whole
	 * MiB, rounded up; inside an argument too) become the limit, and
	 * "{item_max}" the largest item it leaves room for, as "NNNk": half
	 * the limit in MiB, at most 2 MiB (memcached refuses an -I over half
	 * its -m). NULL-terminated; empty: the program has no memory setting. */
	const char *memory_argv[6];
	/* The eviction policies it knows (server.eviction): each a word and
	 * the arguments that choose it (maybe none: the program's default).
	 * The list ends at a NULL name; empty: no eviction setting. */
	struct bench_server_policy {
		const char *name;
		const char *argv[3];
	} eviction[12];
};

struct bench_driver {
	const char *name;
	int abi_version;            /* BENCH_DRIVER_ABI */
	unsigned caps;              /* enum bench_cap bits */
	const char *description;    /* one line for `bench drivers` */
	const struct bench_option_spec *options; /* may be NULL: no options */

	/* A server bench did not start: the environment variable that holds its
	 * address and the address when that is unset ("BENCH_REDIS_URI",
	 * "redis://127.0.0.1:6379"). NULL: none (the target needs a uri). */
	const char *address_env;
	const char *address_default;
	/* The servers bench can spawn, preferred first, ended by an entry whose
	 * program is NULL. NULL: none (the target needs a uri, or --servers
	 * external). */
	const struct bench_server_recipe *servers;

	/* Connect. Returns 0, or -1 with conn->errstr set (conn->err set too).
	 * -1 with conn->err NOT set means the server answered but cannot serve
	 * this target as the workload asks (mongodb: shard_key on a server
	 * that is not a mongos): the harness reports the target not run with
	 * errstr as the reason (exit 3, as an unreachable one), without
	 * "cannot reach". close() is called in every case. Required. */
	int (*open)(struct bench_conn *conn);

	/* Free priv and disconnect. Must accept a conn whose open failed.
	 * Required. */
	void (*close)(struct bench_conn *conn);

	/* Execute n requests as one batch (n = pipeline depth; n = 1 is a plain
	 * call). Requests in a batch are independent: the driver may reorder
	 * them by op to use native batching, but each reply lands in its own
	 * request. Sets every reqs[i].status. Returns 0 when the batch ran (some
	 * statuses may still be errors or misses), -1 when the connection broke:
	 * conn->err is set and unanswered requests are BENCH_DISCONNECTED.
	 * Required. */
	int (*exec)(struct bench_conn *conn, struct bench_request *reqs, size_t n);

	/* Bulk-load n records (all BENCH_OP_SET requests) as fast as the
	 * server allows. Same contract as exec. NULL = the harness uses exec. */
	int (*load)(struct bench_conn *conn, struct bench_request *reqs, size_t n);

	/* Ready the namespace before a load (indexes, collections). Returns 0 or
	 * -1 with errstr. NULL = nothing to do. */
	int (*prepare)(struct bench_conn *conn);

	/* Report the server's identity. Returns 0 or -1 with errstr.
	 * Required for drivers with BENCH_CAP_NETWORK. */
	int (*server_info)(struct bench_conn *conn, struct bench_server_info *out);

	/*
	 * The event-driven engine (optional: all five hooks or none). With
	 * them, one harness thread drives many connections over epoll. A
	 * connection is opened by open() as usual, then used only through
	 * these (never exec) until close():
	 *   event_fd     the socket to watch; may be called more than once.
	 *                Returns -1 without setting conn->err when this target
	 *                cannot be driven by events (the harness then runs the
	 *                phase on the blocking engine), with conn->errstr saying
	 *                why in a few words ("a pool of 3 servers
	 *                (libmemcached)"), which the harness prints when the
	 *                phase starts and writes into run.json
	 *                (`engine_reason`); -1 with conn->err set when the
	 *                connection failed.
	 *   submit       queue a batch (the exec contract for reqs) and write
	 *                what the socket takes now, without blocking. Returns 1
	 *                when all of it was written, 0 when output remains (the
	 *                harness waits until the socket is writable and calls
	 *                flush), -1 when the connection broke. A batch whose
	 *                requests are all answered without the server still
	 *                sends something harmless (a PING, `version`), so the
	 *                socket becomes readable and on_readable completes it.
	 *   flush        write pending output; returns as submit.
	 *   on_readable  read what the socket has, without blocking, and fill
	 *                the batch's statuses in order. Returns 1 when every
	 *                request of the batch has its status, 0 when replies are
	 *                still due, 2 when replies are still due and follow-up
	 *                commands (below) wait for the socket to take them (the
	 *                harness watches for writable and calls flush), -1 when
	 *                the connection broke (unanswered requests DISCONNECTED,
	 *                conn->err set).
	 *   expire       the batch took longer than the request timeout:
	 *                mark its unanswered requests BENCH_TIMEOUT and the
	 *                connection lost (later replies could not be matched).
	 * One batch is in flight per connection at a time, and the harness
	 * sends every op the driver has the capability for through these
	 * hooks, whatever the target's fields, categories and indexes.
	 *
	 * Chains. An op that takes several commands, one depending on the
	 * reply to another (a range that reads an index and then fetches the
	 * records, a counter created when absent), is a chain the driver
	 * runs on the same connection: submit writes every request's first
	 * command, pipelined; on_readable, while it parses a reply, queues
	 * the follow-up command that reply asks for and writes it (at once,
	 * or once the round it belongs to is read, as the driver chooses);
	 * a request gets its status only when its chain's last reply is in,
	 * and on_readable returns 1 only when every chain of the batch has
	 * ended. The chain's state is the driver's, per connection, in
	 * buffers that grow to the largest batch and are reused (nothing
	 * allocated per request once warm). The request timeout covers the
	 * whole batch, chains included, and every chain is bounded by the
	 * driver (redirections followed, SCAN calls, reply sizes): a
	 * server's reply is never trusted to end one.
	 */
	int (*event_fd)(struct bench_conn *conn);
	int (*submit)(struct bench_conn *conn, struct bench_request *reqs, size_t n);
	int (*flush)(struct bench_conn *conn);
	int (*on_readable)(struct bench_conn *conn);
	void (*expire)(struct bench_conn *conn);

	/* Read the server's own counters (for external servers; spawned ones
	 * are measured from /proc). Called on a connection used for nothing
	 * else, from one thread. Returns 0 (fields it cannot tell set to < 0)
	 * or -1 with errstr. NULL = the server's CPU is unknown. */
	int (*server_stats)(struct bench_conn *conn, struct bench_server_stats *out);

	/*
	 * Data safety on servers bench did not start (ABI 4; ns_count and
	 * ns_clean both or neither; ns_flush optional, only with them). Called on a connection
	 * used for nothing else, from one thread, never during a phase; they
	 * may allocate. docs/drivers.md ("Data safety") says what each driver
	 * does. The server is not trusted: ns_count and ns_clean count and
	 * remove only keys they compared with the prefix themselves (a
	 * server-side filter, SCAN MATCH or a query, only narrows what comes
	 * back), every loop over replies has a bound in replies, bytes or
	 * keys, and they poll target->should_stop between replies.
	 *   ns_count  counts the keys (documents) under the target's prefix in
	 *             the driver's namespace (Redis: the uri's database;
	 *             MongoDB: its collection), and may stop once it has found
	 *             `limit`. Fills *out (noun, notes too). Returns 0, or -1
	 *             with errstr when it cannot tell (bench then refuses the
	 *             target unless --reuse).
	 *   ns_clean  removes every key under the prefix, and what the run
	 *             created around them that `before` (ns_count's result
	 *             before the run, which found none) shows did not exist;
	 *             never anything else. *removed = the keys (documents)
	 *             removed. Returns 0, or -1 with errstr (*removed = those
	 *             removed until then).
	 *   ns_flush  empties the driver's whole namespace, not only the
	 *             prefix (Redis FLUSHDB, memcached flush_all, MongoDB
	 *             dropDatabase of its database); only for `bench run
	 *             --flush`. Writes what it did into what[what_len] for the
	 *             harness to print. Returns 0, or -1 with errstr.
	 */
	int (*ns_count)(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out);
	int (*ns_clean)(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed);
	int (*ns_flush)(struct bench_conn *conn, char *what, size_t what_len);

	/* The names of conn->counters[0..], NULL-terminated, at most
	 * BENCH_CONN_COUNTERS, each a lower_case word written as it is into
	 * run.json (docs/csv-schema.md says which it writes). NULL: none. */
	const char *const *counters;

	/*
	 * Added with ABI 7 (optional; NULL: `bench run --dry-run` says the
	 * driver does not describe its commands). The commands `sample` (a
	 * request as the harness would make it, with placeholders such as
	 * "<key>" for the key and "<value>" for the value; its count and
	 * fields the workload's) takes on this target, in the order they are
	 * sent: one line each, '\n'-terminated, arguments rendered as
	 * bench_trace_word does, into buf (NUL-terminated, cut at len). A
	 * command sent with what an earlier one returned is described with
	 * placeholders and "(then ...)". Never connects. Returns the number
	 * of commands (0: the op sends nothing), or -1 when this target
	 * cannot do the op (buf says why, one line).
	 */
	int (*describe)(const struct bench_target *t, const struct bench_request *sample, char *buf, size_t len);
};

/*
 * A trace of the first requests and replies (`bench run --trace N`, ABI 7),
 * lent by the harness on bench_conn.trace. A driver calls line() where a
 * command is formatted (SENT: one command, as sent) and where a reply is
 * parsed (REPLY: the reply to the connection's oldest traced command not
 * yet answered; MORE: a further line of that same reply, such as an
 * element of an array), on the thread that uses the connection. text is
 * what the driver renders readably, its arguments each through
 * bench_trace_word; the harness bounds, escapes and scrubs it, and keeps
 * only the first N commands (with their replies) of a phase. A driver
 * that cannot see the wire (a client library's pool) traces each request
 * and its outcome at the request level, and says so in the text.
 */
enum bench_trace_kind {
	BENCH_TRACE_SENT = 0,
	BENCH_TRACE_REPLY,
	BENCH_TRACE_MORE
};

struct bench_trace {
	void (*line)(struct bench_trace *t, enum bench_trace_kind kind, const char *text, size_t len);
	/* Nonzero while line() may still keep something of this connection:
	 * once 0, a driver may skip rendering (and calling line) altogether,
	 * so a traced run pays only for its first N commands. */
	int active;
};

/* Bytes of an argument bench_trace_word shows before it cuts the rest. */
#define BENCH_TRACE_WORD_MAX 48

/*
 * One argument of a traced or described command, readable: as it is when
 * it is printable ASCII without spaces, quotes or backslashes (and not
 * empty); else in double quotes with \" \\ \r \n \t and \xNN escapes.
 * Past BENCH_TRACE_WORD_MAX bytes the rest is cut and "...(N bytes)"
 * follows. Writes at out (NUL-terminated, cut at cap) and returns the
 * length written.
 */
size_t bench_trace_word(char *out, size_t cap, const char *s, size_t len);

/* Whether d offers the event-driven hooks (bench_driver_check ensures all
 * or none). */
#define BENCH_DRIVER_HAS_EVENTS(d) ((d)->event_fd != NULL)

/* Names for printing and parsing. Return a static string, never NULL. */
const char *bench_status_name(enum bench_status s);
const char *bench_op_name(enum bench_op op);
/* Returns the op named `name`, or -1. */
int bench_op_from_name(const char *name);
/* Capability bit for an op (the caps a driver needs to run it). */
unsigned bench_op_caps(enum bench_op op);

/* Whether d can spawn `program` (one of d->servers). When not, list gets
 * the programs it can spawn ("mongod or bench-ferretdb"; "" for none). */
int bench_driver_knows_program(const struct bench_driver *d, const char *program, char *list, size_t len);

/* Looks up option `key` among a target's options; NULL when absent. */
const char *bench_target_option(const struct bench_target *t, const char *key);

/*
 * Addresses with credentials. Redis (`redis://`, `rediss://`, or no scheme)
 * and memcached server lists take "[user]:password@" before the address; it
 * ends at the LAST '@' of the whole string, so a password may hold '@', '/',
 * ',' or '?' as written, and both parts are percent-decoded (RFC 3986:
 * "p%40ss" is "p@ss"; '%' itself is "%25").
 *
 * bench_uri_credentials splits them off addr, which starts after any
 * "scheme://". Returns 1 with user[ucap] and password[pcap] filled (user ""
 * when the userinfo starts with ':') and *rest just past the '@'; 0 when
 * addr has no '@' (user and password "", *rest = addr); -1 with err[errlen]
 * saying what is wrong (no ':' before the '@', a part longer than its
 * buffer, a '%' not followed by two hex digits, "%00"), never quoting them.
 */
int bench_uri_credentials(const char *addr, char *user, size_t ucap, char *password, size_t pcap, const char **rest,
			  char *err, size_t errlen);

/* uri past its "scheme://" and "[user]:password@" (the rule above), for
 * messages that name the server without its credentials. */
const char *bench_uri_public(const char *uri);

/*
 * Where the password of uri[0..len) sits, as written (still percent-
 * encoded), by the rule of the driver that parses it: [*from, *to).
 * Redis schemes and addresses without a scheme: the rule above. Any other
 * scheme (mongodb://, mongodb+srv://): the userinfo lies before the first
 * '/' and ends at its last '@' (libmongoc takes the first; this covers
 * both). Returns 0 when there is none (no '@', no ':' before it, or an
 * empty password). The harness's scrubber (harness/base/secret.c) finds
 * passwords with it.
 */
int bench_uri_password(const char *uri, size_t len, const char **from, const char **to);

/* Percent-decodes s[0..len) into out[cap] (NUL-terminated). Returns the
 * decoded length, or -1 for a '%' without two hex digits after it, "%00",
 * or when out is too small. */
long bench_pct_decode(const char *s, size_t len, char *out, size_t cap);

/* Percent-encodes s into out (room for 3 * strlen(s) + 1): every byte but
 * RFC 3986's unreserved characters (letters, digits, "-._~"). Returns the
 * length written, the NUL not counted. */
size_t bench_pct_encode(const char *s, char *out);

/* Formats into conn->errstr and returns -1 (for `return bench_conn_error(..)`).
 * The connection stays usable. */
int bench_conn_error(struct bench_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether the harness asks the data safety hooks to give up: the
 * target's should_stop, when it has one, returns nonzero. */
int bench_conn_should_stop(const struct bench_conn *conn);

/* As bench_conn_error, and also sets conn->err: the connection is lost. */
int bench_conn_lost(struct bench_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
