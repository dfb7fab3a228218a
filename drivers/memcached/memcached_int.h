/*
 * memcached_int.h - private to the memcached driver: the per-connection
 * state shared by memcached.c (open/close, the blocking path over
 * libmemcached, server_info) and memcached_text.c (the event-driven path,
 * which speaks the text protocol itself). Not part of the driver ABI.
 */
#ifndef BENCH_MEMCACHED_INT_H
#define BENCH_MEMCACHED_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <libmemcached-1.0/memcached.h>

#include "driver.h"

#define MC_DEFAULT_PORT 11211
#define MC_DEFAULT_TIMEOUT_MS 5000u
#define MC_MAX_KEY_LEN 250      /* the server's KEY_MAX_LENGTH, both protocols */
/* The longest value a get accepts is the workload's longest, but never
 * less than memcached's default item size limit (1 MiB), and 64 MiB (the
 * workload format's largest value) when the target does not say. */
#define MC_VALUE_FLOOR (1u << 20)
#define MC_VALUE_DEFAULT (64u << 20)

/* Internal only: a request that has no final status yet. */
#define MC_PENDING ((enum bench_status)BENCH_STATUS__COUNT)

/*
 * One command of the event path's batch, in the order the replies come
 * back: a multi-get covering the batch's requests [first, end) (the
 * pending gets among them), or a set/delete of request `first`, or a
 * `version` sent only so that a batch with nothing else to send still
 * gets a reply (end == first).
 */
struct mc_cmd {
	size_t first, end;
	/* MC_CMD_ADD, MC_CMD_INCR2: an incr's chain (memcached_text.c), the
	 * add of an absent counter and the incr after losing that add. */
	enum { MC_CMD_GET, MC_CMD_ONE, MC_CMD_NOOP, MC_CMD_ADD, MC_CMD_INCR2 } kind;
};

/*
 * The event path's state (struct mc_conn.ev). Everything is allocated on
 * first use and grown geometrically when a batch is larger than any
 * before it, never per request; mc_text_free() releases it.
 */
struct mc_text {
	int fd;                         /* our own socket; -1 until event_fd */
	/* The batch in flight and its commands. */
	struct bench_request *batch;
	size_t batch_n;
	struct mc_cmd *cmds;
	size_t n_cmds, cmds_cap;
	/* Output: command lines (and values below MC_COPY_MAX) are copied
	 * into wbuf; iov lists wbuf's pieces and, in between, larger values
	 * in place. iov[iov_next..n_iov) is what is left to write (a
	 * partial write trims its first piece in place). */
	char *wbuf;
	size_t wcap;
	struct iovec *iov;
	size_t n_iov, iov_cap, iov_next;
	/* An incr's follow-up commands (its chain, driver.h): written into
	 * fbuf[0..flen), reserved for the whole batch at submit so it never
	 * moves under the iovecs pointing into it. */
	char *fbuf;
	size_t fcap, flen;
	/* Input: bytes read but not parsed are rbuf[rpos..rlen). */
	char *rbuf;
	size_t rpos, rlen;
	/* The parser: the command being answered, in a multi-get the next
	 * request a VALUE may belong to, and inside a value the request it
	 * goes to and how much of "<data>\r\n" is still to come. */
	size_t cmd, gnext;
	struct bench_request *vreq;
	size_t vlen, vseen;
	int in_value;
	int reply_lines;                /* --trace: lines of the current command's reply read so far */
};

/*
 * conn->priv. Allocated zeroed by mc_open(), which owns it and every
 * member; mc_close() frees it all.
 */
struct mc_conn {
	memcached_st *memc;
	memcached_result_st result;     /* reused by every fetch */
	int result_ready;               /* result was created (close frees it) */
	int binary;
	int modula;                     /* option distribution: modula (else ketama) */
	uint32_t n_servers;
	/* The first (for the event path: only) server of the URI. */
	char host[256];
	int port;
	/* The SASL login: the target's credentials, else the uri's
	 * "user:password@" (decoded); password NULL = none. The uri's are copied
	 * here and wiped by mc_close(). */
	const char *user, *password;
	char uri_user[128], uri_password[256];
	/*
	 * Scratch for one batch's gets on the blocking path, grown only when a
	 * batch is larger than any before it: the keys handed to mget, the
	 * request each came from, and an open-addressing table (key ->
	 * position) to match returned keys back to their requests.
	 */
	size_t cap;
	const char **keys;
	size_t *key_lens;
	size_t *req_idx;
	size_t table_cap;               /* a power of two >= 2 * cap */
	size_t *table;
	/* The longest value a get accepts (the workload's longest, at least
	 * MC_VALUE_FLOOR); libmemcached may allocate a little more than that
	 * for one, and no more (memcached.c, the allocators). */
	size_t value_cap;
	char errbuf[128];               /* mc_errtext's cleaned message */
	struct mc_text ev;
};

/* The ops this driver speaks; any other (the ABI has more) is
 * BENCH_UNSUPPORTED and never sent. */
static inline int mc_op_kv(enum bench_op op)
{
	return op == BENCH_OP_GET || op == BENCH_OP_SET || op == BENCH_OP_DELETE;
}

/* The room a counter key takes: the prefix, "~n:", the record key's rest. */
#define MC_COUNTER_KEY_CAP 300

/* The key of r's counter, <prefix>~n:<record key after the prefix> (never
 * a record key), into key[cap]: its length, or 0 with conn->errstr saying
 * why (r's key not under the prefix, or the result not a valid key). */
size_t mc_counter_key(struct bench_conn *conn, const struct bench_request *r, char *key, size_t cap);

/* Whether the server would accept key (1..250 bytes; in the text protocol
 * no spaces or control bytes, which would break the command line). */
int mc_key_ok(const struct mc_conn *mc, const char *key, size_t len);
/* A set's exptime for ttl_ms (driver.h): whole seconds, rounded up, as
 * memcached's clock counts them; 0 (never) for 0. Both paths use it. */
uint32_t mc_exptime(uint64_t ttl_ms);

/* Gives req BENCH_ERROR and says why in conn->errstr (a key mc_key_ok
 * refused). */
void mc_key_refused(struct bench_conn *conn, struct bench_request *req);

/* The request timeout of conn's target in ms. */
unsigned mc_timeout_ms(const struct bench_conn *conn);

/*
 * The event-driven hooks (see driver.h), over the text protocol on a
 * socket of their own. mc_text_event_fd returns -1 without setting
 * conn->err for a pool or the binary protocol, which only the blocking
 * path (libmemcached) serves.
 */
int mc_text_event_fd(struct bench_conn *conn);
int mc_text_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n);
int mc_text_flush(struct bench_conn *conn);
int mc_text_on_readable(struct bench_conn *conn);
void mc_text_expire(struct bench_conn *conn);

/* Sets up mc->ev as unused (fd -1); call before anything can fail in open. */
void mc_text_init(struct mc_conn *mc);

/* Closes the event path's socket and frees its buffers. */
void mc_text_free(struct mc_conn *mc);

/* memcached_ns.c: the data safety hooks (see driver.h). */
int mc_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out);
int mc_ns_clean(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed);
int mc_ns_flush(struct bench_conn *conn, char *what, size_t what_len);

/* ---- memcached_trace.c: --trace and --dry-run (driver.h), at the bottom ---- */

/* Text-protocol command cmd of batch, readable, at out[cap] (NUL-
 * terminated); returns its length. Requests not MC_PENDING were not sent. */
size_t mc_trace_render(char *out, size_t cap, const struct mc_cmd *cmd, const struct bench_request *batch);
/* The event path: every command of ev's batch as written; a reply line as
 * read (first: the first line of its command's reply); the first bytes of a
 * value that follows a VALUE line (avail of vlen are in the buffer). */
void mc_trace_text_sent(struct bench_trace *t, const struct mc_text *ev);
void mc_trace_text_reply(struct bench_trace *t, int first, const char *line, size_t len);
void mc_trace_text_value(struct bench_trace *t, const char *data, size_t avail, size_t vlen);
/* The blocking path (libmemcached): each request of a batch that ran, as
 * the command it stands for and its outcome, marked request level. */
void mc_trace_requests(struct bench_trace *t, const struct mc_conn *mc, const char *prefix,
		       const struct bench_request *reqs, size_t n);
/* describe (driver.h) of the text protocol's commands, via mc_text_format
 * on a connection that never connects (memcached_text.c). */
int mc_text_describe(const struct bench_target *t, struct bench_request *sample, char *buf, size_t len);

#endif
