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

/* 2: the event-driven hooks were added at the end of struct bench_driver. */
#define BENCH_DRIVER_ABI 2

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

/* Logical operations. Keep in sync with bench_op_name(). */
enum bench_op {
	BENCH_OP_GET = 0,
	BENCH_OP_SET,
	BENCH_OP_DELETE,
	/* Composed by the harness from the ops above; a driver never receives
	 * them (and answers BENCH_UNSUPPORTED if it did). */
	BENCH_OP_INSERT,    /* SET of a record beyond the loaded keyspace */
	BENCH_OP_RMW,       /* read-modify-write: GET, then SET of that key */
	BENCH_OP__COUNT
};

/* Ops below this one are the ones a driver can receive in exec(). */
#define BENCH_OP__WIRE_COUNT (BENCH_OP_DELETE + 1)

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
	BENCH_CAP_NETWORK     = 1u << 8  /* needs a server (false for null) */
};

/*
 * One request of a batch. The harness fills op, key and value; the driver
 * fills status and, for a successful get, value_len_out with the length of
 * the value the server returned. When out is not NULL (tests only, never the
 * hot path) the driver also copies min(out_cap, value length) bytes of the
 * returned value into out.
 */
struct bench_request {
	enum bench_op op;
	const char *key;
	size_t key_len;
	const char *value;      /* set: the bytes to store (binary-safe) */
	size_t value_len;
	enum bench_status status;
	size_t value_len_out;   /* get: length of the value received */
	char *out;              /* optional copy of the received value */
	size_t out_cap;
};

/* A `key: value` option from the workload's target, e.g. {protocol: binary}. */
struct bench_option {
	const char *key;
	const char *value;
};

/* An entry of a driver's table of known options; the table ends with {NULL}. */
struct bench_option_spec {
	const char *key;
	const char *help;    /* one line, includes the default */
};

/*
 * What a connection is opened against. The strings stay valid until the
 * connection is closed.
 *   redis:     uri = redis://[:password@]host:port[/db]
 *   memcached: uri = host:port[,host:port...]
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
};

/* Identity of the server that really answered. */
struct bench_server_info {
	char product[64];       /* "Redis", "memcached", "MongoDB", "FerretDB" */
	char version[64];       /* as the server reports it */
	char detail[256];       /* free text: mode, compatibility version ... */
	/* Configuration that matters to the result, as "key=value" lines. */
	char config[1024];
};

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
};

struct bench_driver {
	const char *name;
	int abi_version;            /* BENCH_DRIVER_ABI */
	unsigned caps;              /* enum bench_cap bits */
	const char *description;    /* one line for `bench drivers` */
	const struct bench_option_spec *options; /* may be NULL: no options */

	/* Connect. Returns 0, or -1 with conn->errstr set (conn->err set too).
	 * close() is called in both cases. Required. */
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
	 *   event_fd     the socket to watch.
	 *   submit       queue a batch (the exec contract for reqs) and write
	 *                what the socket takes now, without blocking. Returns 1
	 *                when all of it was written, 0 when output remains (the
	 *                harness waits until the socket is writable and calls
	 *                flush), -1 when the connection broke.
	 *   flush        write pending output; returns as submit.
	 *   on_readable  read what the socket has, without blocking, and fill
	 *                the batch's statuses in order. Returns 1 when every
	 *                request of the batch has its status, 0 when replies are
	 *                still due, -1 when the connection broke (unanswered
	 *                requests DISCONNECTED, conn->err set).
	 *   expire       the batch took longer than the request timeout:
	 *                mark its unanswered requests BENCH_TIMEOUT and the
	 *                connection lost (later replies could not be matched).
	 * One batch is in flight per connection at a time.
	 */
	int (*event_fd)(struct bench_conn *conn);
	int (*submit)(struct bench_conn *conn, struct bench_request *reqs, size_t n);
	int (*flush)(struct bench_conn *conn);
	int (*on_readable)(struct bench_conn *conn);
	void (*expire)(struct bench_conn *conn);
};

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

/* Looks up option `key` among a target's options; NULL when absent. */
const char *bench_target_option(const struct bench_target *t, const char *key);

/* Formats into conn->errstr and returns -1 (for `return bench_conn_error(..)`).
 * The connection stays usable. */
int bench_conn_error(struct bench_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* As bench_conn_error, and also sets conn->err: the connection is lost. */
int bench_conn_lost(struct bench_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
