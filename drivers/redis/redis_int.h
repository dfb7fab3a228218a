/*
 * redis_int.h - private to the redis driver: the per-connection state shared
 * by redis.c (URI, connection, the driver's table), redis_node.c (the
 * reply reader, the plain get/set/delete path, the event engine),
 * redis_ops.c (every other op, index upkeep, load with indexes) and
 * redis_info.c (setup commands over hiredis's reply objects: naming the
 * server, reading its counters, prepare). Not part of the driver ABI.
 */
#ifndef BENCH_REDIS_INT_H
#define BENCH_REDIS_INT_H

#include <stdint.h>

#include <hiredis.h>

#include "driver.h"

#define REDIS_DEFAULT_TIMEOUT_MS 5000u

/* The bound on one reply item (redis_bound.c): the longest value the
 * workload writes (bench_target.value_max), at least REDIS_VALUE_FLOOR
 * (1 MiB: INFO, CLUSTER SLOTS), REDIS_VALUE_DEFAULT (64 MiB, the workload
 * format's largest value) when the target does not say, plus
 * REDIS_VALUE_SLACK (64 KiB: one read past the item). */
#define REDIS_VALUE_FLOOR (1u << 20)
#define REDIS_VALUE_DEFAULT (64u << 20)
#define REDIS_VALUE_SLACK (64u << 10)

/* The bound on a whole setup reply, the one kind built as hiredis objects
 * (INFO, CLUSTER SLOTS, SCAN and DBSIZE of the namespace check and
 * cleanup): at most REDIS_SETUP_ELEMENTS array elements and
 * REDIS_SETUP_BYTES bytes of strings, all levels together. A SCAN page of
 * REDIS_SCAN_COUNT keys or a CLUSTER SLOTS of 16384 ranges is far below
 * both; hiredis 0.14 itself would allocate what an array header announces
 * and hold every element sent. */
#define REDIS_SETUP_ELEMENTS 1000000u
#define REDIS_SETUP_BYTES (64u << 20)

/* The driver's connection counters (bench_conn.counters), named in
 * redis.c's table: Redis Cluster redirections followed. */
enum redis_counter {
	REDIS_COUNTER_MOVED = 0,        /* "redirects_moved" */
	REDIS_COUNTER_ASK,              /* "redirects_ask" */
	REDIS_COUNTER__COUNT
};

/* Keys a SCAN call visits (fuzzy, prepare): 100x fewer round trips than
 * the default 10, while one call still holds the server for well under a
 * millisecond. */
#define REDIS_SCAN_COUNT "1000"
/* The most keys one range or query fetches when the request sets no count
 * (a query with limit 0: SMEMBERS of its category): the reply's length is
 * not trusted to size the next command. */
#define REDIS_FETCH_ALL_MAX 1000000u

/*
 * How the reply being parsed is read (redis_ops.c). RK_TOP is the plain
 * path's: only the top-level reply is recorded. The others also look at
 * the elements of an array reply.
 */
enum redis_kind {
	RK_TOP = 0,
	RK_GET,         /* GET, HGET: bulk = ok (copied to out), nil = miss */
	RK_FIELDS,      /* HMGET of a record's fields: concatenated, all nil = miss */
	RK_STATUS,      /* SET: +OK */
	RK_INT,         /* a write answering an integer: ok */
	RK_DEL,         /* DEL: > 0 ok, 0 miss */
	RK_AUX,         /* index upkeep, LTRIM: only an error counts */
	RK_ARRAY,       /* LRANGE, SMEMBERS, ZRANGEBYSCORE: elements, none = miss */
	RK_KEYS,        /* range/query step 1: each key returned becomes a fetch */
	RK_FETCH,       /* range/query step 2, hash records: HMGET of one record */
	RK_MGET,        /* range/query step 2, plain records: MGET of them all */
	RK_SCAN,        /* fuzzy: SCAN's cursor and matching record keys */
	RK_AUX_RUN,     /* load: one variadic ZADD/SADD for several records */
	RK_PING         /* event engine: a batch answered without a command still
			 * gets one reply, so its socket becomes readable */
};

struct redis_conn;
struct redis_cluster;

/* Keys bench derives under the target's prefix (redis_ops.c; the cluster
 * routes structure ops by them). A record key is the prefix and digits;
 * these all start with '~' after the prefix, so they never collide with a
 * record, never fall in a fuzzy prefix pattern (the prefix and a digit)
 * and are never counted by fuzzy (record keys only). */
#define TAG_IDX_KEYS "~idx:keys"     /* zset: every record key, score 0 */
#define TAG_IDX_CAT "~idx:cat:"      /* set per category: its record keys */
#define TAG_COUNTER "~n:"            /* incr */
#define TAG_HASH "~h:"               /* hset, hget */
#define TAG_LIST "~l:"               /* lpush, lrange */
#define TAG_SET "~s:"                /* sadd, smembers */
#define TAG_ZSET "~z:"               /* zadd, zrangebyscore */

/*
 * The slot the reply functions fill for the reply being parsed: the
 * top-level reply's type, integer, length and error text; with a kind
 * other than RK_TOP also counts of the array's elements.
 *
 * The reader (redis_node.c) knows only the top level. What else a reply
 * means is told by hooks, so the reader never calls up into the parts that
 * use it: `element`, set by whoever arms the slot (redis_reply_begin
 * clears it; redis_ops.c sets its own), gets every string element of an
 * array reply; `error`, set on a connection for as long as someone wants
 * them (redis_cluster.c while a node runs its sub-batch: MOVED, ASK), gets
 * every top-level error reply with the request it answers (NULL when none).
 */
struct redis_reply;
typedef int (*redis_element_fn)(struct redis_reply *r, const redisReadTask *task, const char *str, size_t len);
typedef void (*redis_error_fn)(void *arg, const struct bench_request *req, const char *str, size_t len);

struct redis_reply {
	int type;               /* REDIS_REPLY_*, 0 = nothing parsed yet */
	long long integer;
	size_t len;             /* string/status/error length */
	char text[128];         /* status or error text, truncated */
	struct bench_request *req; /* a GET value is copied into req->out */
	int kind;               /* enum redis_kind */
	size_t ireq;            /* req's index in the batch (redis_ops.c) */
	uint64_t elems;         /* non-nil string elements seen */
	size_t bytes;           /* their total length */
	size_t out_off;         /* bytes copied into req->out so far */
	struct redis_conn *rc;
	redis_element_fn element; /* 0, or -1 out of memory (the read fails) */
	redis_error_fn error;
	void *error_arg;
};

/* A command sent, waiting for its reply: whose it is and how to read it.
 * RK_AUX_RUN covers sorted[req .. req + n). */
struct redis_pend {
	uint32_t req;
	uint32_t n;
	int kind;
};

/* A request's progress through a batch of the general path. */
struct redis_rstate {
	uint32_t pending;       /* replies still due */
	uint8_t multi;          /* range/query/fuzzy: status from items_out */
	uint8_t err;            /* some reply was an error */
	uint8_t st;             /* enum bench_status from the primary reply */
	char cursor[24];        /* fuzzy: the SCAN cursor to send next */
	size_t out_len;         /* tests only (req->out set): bytes of the key or
				 * element list copied into req->out so far */
};

/* conn->priv. */
struct redis_conn {
	redisContext *ctx;
	redisReplyObjectFunctions *default_fn; /* hiredis's, for setup commands */
	struct redis_reply reply;
	/* What the target's records need (open): */
	const char *prefix;
	size_t prefix_len;
	int hash_records;       /* records of fields > 0 are hashes (fields_as: hash) */
	int idx_range;          /* keep <prefix>~idx:keys */
	int idx_query;          /* keep <prefix>~idx:cat:<category> */
	uint64_t categories;    /* the target's, to name a deleted record's category */
	/* General path (redis_ops.c): the batch, its commands in flight
	 * (pend[cur]) and those of the next round (pend[cur ^ 1]). */
	struct bench_request *breqs;
	size_t bn;
	struct redis_rstate *rs;
	size_t rs_cap;
	struct redis_pend *pend[2];
	size_t npend[2], pend_cap[2];
	int cur;
	const struct bench_request **sorted; /* load: requests by category */
	size_t sorted_cap;
	/* Event engine: the batch in flight and the next request to answer.
	 * Both engines format commands in RESP into wbuf; the event engine
	 * writes it from wbuf[woff..wlen). */
	int nonblocking;
	struct bench_request *batch;
	size_t batch_n, next;
	char *wbuf;
	size_t wlen, woff, wcap;
	/* Event engine, the general path (redis_ops.c): the batch in flight
	 * runs its rounds as chains (driver.h); pend[cur][pi] is the next
	 * reply, armed says the slot is armed for it (a reply may be parsed
	 * over several reads), wend is where the round's bytes end in wbuf. */
	int ev_general, armed;
	size_t pi, wend;
	/* Redis Cluster on the event engine: the next batch goes after an
	 * ASKING (redis_cluster.c sets it; submit clears it). */
	int ev_asking;
	/* Redis Cluster (redis_cluster.h): the seed connection's cluster
	 * state (NULL: a single server). */
	struct redis_cluster *cluster;
	void *ssl;              /* redisSSLContext of a rediss:// connection (redis_tls.c) */
	struct bench_trace *trace; /* conn->trace, taken at open once the setup commands are done */
	size_t reply_cap;       /* redis_reply_cap of the target */
};

/* The reader functions exec() uses (redis_node.c): replies land in rc->reply. */
extern redisReplyObjectFunctions redis_slot_fns;

/* Appends "$<len>\r\n" (or "*<n>\r\n" with lead '*') at p; returns the
 * end. The caller has reserved room (at most 23 bytes). */
static inline char *redis_resp_len(char *p, char lead, size_t len)
{
	char digits[24];
	int n = 0;

	*p++ = lead;
	do {
		digits[n++] = (char)('0' + len % 10);
		len /= 10;
	} while (len);
	while (n)
		*p++ = digits[--n];
	*p++ = '\r';
	*p++ = '\n';
	return p;
}

/* ---- redis_node.c: one server's plain path, the reader, the event engine ---- */

/* Arms the slot before the top-level reply to req (NULL: a setup command's)
 * is parsed: kind RK_TOP, no element hook. */
void redis_reply_begin(struct redis_reply *r, struct bench_request *req);
/* Statuses to start a batch with (0, or -1 when the connection is
 * unusable: every status DISCONNECTED); the status for a failed hiredis
 * call (the connection is then lost). */
int redis_begin_batch(struct bench_conn *conn, struct bench_request *reqs, size_t n);
enum bench_status redis_ctx_failed(struct bench_conn *conn, redisContext *ctx);
/* The batch outlived the request timeout: the connection lost with
 * "redis: timeout after N ms". Returns -1. */
int redis_timeout_lost(struct bench_conn *conn);
/* What to say of a failed hiredis call on ctx: "timeout after N ms" when
 * the socket timeout ran out (hiredis says "Resource temporarily
 * unavailable"), else hiredis's errstr. Valid until the thread's next
 * call. */
const char *redis_ctx_errtext(const struct bench_conn *conn, const redisContext *ctx);
/* The expiry of a SET (driver.h, ttl_ms): nothing for 0, else "EX" and
 * whole seconds, or "PX" and milliseconds when ttl_ms is not whole seconds,
 * into argv/argvlen (2 slots; the digits in buf, REDIS_TTL_BUF bytes).
 * Returns the arguments added. Both paths' SETs go through it. */
#define REDIS_TTL_BUF 24
int redis_ttl_args(uint64_t ttl_ms, const char **argv, size_t *argvlen, char *buf);

/* ---- the bound on a reply (redis_bound.c) ---- */

/* The most bytes one reply item of target t may hold (REDIS_VALUE_*). */
size_t redis_reply_cap(const struct bench_target *t);
/* After a read into ctx's reader that left no complete reply: 0, or -1
 * with ctx->err and errstr set when the item the reader waits for was
 * announced (a bulk string's length) or has grown over cap bytes. */
int redis_reader_bound(redisContext *ctx, size_t cap);
/* redisGetReply and redisCommandArgv (blocking), with redis_reader_bound
 * after every read. Use these, never hiredis's, on a server's socket. */
int redis_get_reply(redisContext *ctx, size_t cap, void **reply);
redisReply *redis_command_argv(redisContext *ctx, size_t cap, int argc, const char **argv, const size_t *argvlen);
/* hiredis's reply functions `dflt` with the REDIS_SETUP_* bound: what a
 * connection's reader uses for its setup replies (redis_conn.default_fn).
 * A reply over the bound fails redis_get_reply with a message that says
 * so. */
redisReplyObjectFunctions *redis_setup_fns(const redisReplyObjectFunctions *dflt);
/* Whether the batch can take the plain path: only get, set and delete,
 * none of them on a hash record, and no writes while an index is kept. The
 * plain path is the fast one (one formatter, top-level replies only). */
int redis_node_plain(const struct redis_conn *rc, const struct bench_request *reqs, size_t n);
/* A plain batch pipelined on one server: the exec contract of driver.h. */
int redis_node_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n);
/* The plain path in two halves, so that a cluster batch reaches every
 * node before any reply is read: send returns 1 when the batch was plain
 * and is written (then collect reads its replies), 0 when it takes the
 * general path (nothing sent: run it with redis_ops_exec/_load), -1 when
 * the connection broke (statuses set). */
int redis_node_send(struct bench_conn *conn, struct bench_request *reqs, size_t n);
int redis_node_collect(struct bench_conn *conn, struct bench_request *reqs, size_t n);
/* The plain path's formatter: the batch's commands in RESP into rc->wbuf
 * (requests whose status is BENCH_UNSUPPORTED skipped); 0, or -1 out of
 * memory (the connection lost). describe uses it too. */
int redis_node_format(struct bench_conn *conn, struct bench_request *reqs, size_t n);
/* The event engine's hooks (driver.h), on a single server's plain
 * records; event_fd declines (-1) anything else. */
int redis_node_event_fd(struct bench_conn *conn);
/* Makes the socket non-blocking (once); 0, or -1 with the connection lost. */
int redis_node_nonblocking(struct bench_conn *conn);
int redis_node_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n);
int redis_node_flush(struct bench_conn *conn);
int redis_node_on_readable(struct bench_conn *conn);
void redis_node_expire(struct bench_conn *conn);

/* redis_ops.c: exec and load on one server (the driver's exec and load
 * without the cluster dispatch; redis_cluster.c runs sub-batches on them):
 * the plain path when the batch allows it, else the general path. */
int redis_ops_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n);
int redis_ops_load(struct bench_conn *conn, struct bench_request *reqs, size_t n);
/* The describe hook (driver.h) on conn, whose priv is a redis_conn set up
 * for its target but not connected: the commands of *sample through the
 * same formatters exec uses. */
int redis_ops_describe(struct bench_conn *conn, struct bench_request *sample, char *buf, size_t len);
/* The event hooks on one server: batches the plain path can take go to
 * redis_node.c's; the others run the general path's rounds as chains on
 * the non-blocking socket (driver.h, "Chains"). */
int redis_ops_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n);
int redis_ops_flush(struct bench_conn *conn);
int redis_ops_on_readable(struct bench_conn *conn);
void redis_ops_expire(struct bench_conn *conn);
/* Redis glob patterns: the length of s escaped (each of * ? [ ] and
 * backslash preceded by a backslash), and s escaped at p (returns the end;
 * no terminator). */
size_t redis_glob_len(const char *s, size_t len);
char *redis_glob_put(char *p, const char *s, size_t len);

/* redis_info.c: the server_info, server_stats and prepare hooks. */
int redis_server_info(struct bench_conn *conn, struct bench_server_info *out);
int redis_server_stats(struct bench_conn *conn, struct bench_server_stats *out);
int redis_prepare(struct bench_conn *conn);

/* redis_ns.c: the data safety hooks, and their walk over the keys that
 * start with the prefix and then sub (plain text, not a pattern): SCAN
 * MATCH <both escaped>*, each key returned compared with them here (the
 * server's MATCH is not trusted), counted into *n, or with unlink UNLINKed
 * and those removed counted; it stops once *n >= limit (0: no limit).
 * Bounded in SCAN calls (redis_ns.c) and by target->should_stop. 0, or -1
 * with errstr. */
int redis_ns_scan(struct bench_conn *conn, const char *sub, int unlink, uint64_t limit, uint64_t *n);
int redis_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out);
int redis_ns_clean(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed);
int redis_ns_flush(struct bench_conn *conn, char *what, size_t what_len);
/* redis_tls.c: TLS on rc->ctx for a rediss:// uri (0, or -1 with conn->err
 * set; always -1 in a build without hiredis_ssl), its context freed, and
 * the tls_* options refused without rediss:// (`tls` 0). */
int redis_tls_start(struct bench_conn *conn, struct redis_conn *rc, const char *where);
void redis_tls_free(struct redis_conn *rc);
int redis_tls_check_options(struct bench_conn *conn, int tls);
#define REDIS_STR_(x) #x
#define REDIS_STR(x) REDIS_STR_(x)
#define REDIS_HIREDIS_VERSION REDIS_STR(HIREDIS_MAJOR) "." REDIS_STR(HIREDIS_MINOR) "." REDIS_STR(HIREDIS_PATCH)
#ifdef BENCH_HAVE_HIREDIS_SSL
#define REDIS_TLS_BUILT "tls: yes (hiredis " REDIS_HIREDIS_VERSION " with hiredis_ssl)"
#else
#define REDIS_TLS_BUILT "tls: no (hiredis " REDIS_HIREDIS_VERSION " has no hiredis_ssl; build against hiredis >= 1.0)"
#endif

/* redis_auth.c: AUTH [user] password on ctx when password is not NULL
 * (user NULL or "": the password alone). Returns 0, or -1 with conn->err
 * set and "redis at WHERE: AUTH failed for user U: <server's reply>". */
int redis_auth(struct bench_conn *conn, redisContext *ctx, const char *where, const char *user,
	       const char *password);

/* ---- redis_trace.c: --trace and --dry-run (driver.h), at the bottom ---- */

/* Calls emit once per command of the RESP in buf[0..len) (the driver's
 * own), with the command readable on one line (bench_trace_word per
 * argument, the first 12). Returns the number of commands. */
size_t redis_trace_commands(const char *buf, size_t len, void (*emit)(void *arg, const char *line, size_t n),
			    void *arg);
/* The commands in buf[0..len) as sent, into t. */
void redis_trace_sent(struct bench_trace *t, const char *buf, size_t len);
/* One reply (or an element of one) as the reader parsed it: the task's
 * type; integer (an integer, an array's length); the string's bytes. */
void redis_trace_reply(struct bench_trace *t, const redisReadTask *task, long long integer, const char *str,
		       size_t len);

/* ---- redis_resp.c: commands in RESP into rc->wbuf for the general path ---- */

/* Room a bulk string's header and trailer take at most: "$" 20 digits CRLF
 * ... CRLF. */
#define W_ARG 26

/* One argument, the concatenation of up to three pieces. */
struct warg {
	const char *p[3];
	size_t len[3];
};

#define WARG(s, n) ((struct warg){ { (s), NULL, NULL }, { (n), 0, 0 } })
#define WLIT(s) WARG((s), sizeof(s) - 1)
#define W_STR(rc, lit) redis_w_str((rc), (lit), sizeof(lit) - 1)

/* Grows rc->wbuf to take `extra` more bytes; 0 or -1 (out of memory). */
int redis_w_reserve(struct redis_conn *rc, size_t extra);
/* Writes a command header of argc arguments / one argument (room reserved). */
void redis_w_count(struct redis_conn *rc, size_t argc);
void redis_w_arg(struct redis_conn *rc, const struct warg *a);
void redis_w_str(struct redis_conn *rc, const char *s, size_t len);
/* Bytes argument a takes at most. */
size_t redis_w_need(const struct warg *a);
/* Room for one more pending command in list nx; 0 or -1 (out of memory). */
int redis_pend_room(struct redis_conn *rc, int nx);
/* Notes that the command just written answers request i in the next
 * round; 0 or -1 (out of memory). */
int redis_pend_push(struct redis_conn *rc, size_t i, int kind);
/* Writes one command of argc arguments for request i and notes it. */
int redis_emit(struct redis_conn *rc, size_t i, int kind, const struct warg *v, size_t argc);

#endif
