/*
 * memcached_text.c - the memcached driver's event-driven path: the text
 * protocol, spoken by the driver itself over a non-blocking TCP socket of
 * the connection's own.
 *
 * Why not libmemcached here: it has no non-blocking API. On the blocking
 * engine each client is a thread that sleeps in every request, about one
 * context switch per op, which kept bench below memcaslap. So for a single
 * server in the text protocol the driver writes the commands and parses the
 * replies itself, and one harness thread multiplexes every connection:
 *
 *   consecutive gets  "get k1 k2 ...\r\n" -> per hit, in request order (a
 *                     repeated key once per request, misses left out)
 *                     "VALUE <key> <flags> <bytes>\r\n<data>\r\n", then "END\r\n"
 *   set               "set <key> 0 0 <bytes>\r\n<data>\r\n" -> "STORED\r\n"
 *   delete            "delete <key>\r\n" -> "DELETED\r\n" | "NOT_FOUND\r\n"
 *   incr              "incr <counter> 1\r\n" -> "<value>\r\n", or "NOT_FOUND\r\n":
 *                     then a chain (driver.h) of "add <counter> 0 0 1\r\n1\r\n"
 *                     -> "STORED\r\n", or "NOT_STORED\r\n" (another client
 *                     added it first): "incr <counter> 1\r\n" once more, as
 *                     the blocking path does (memcached.c, mc_incr)
 *
 * A batch goes out in batch order (gets are grouped only while consecutive,
 * so a get after a set of the same key sees the new value). Command lines
 * and values below MC_COPY_MAX are copied into one write buffer kept for
 * the connection's life; a larger value is pointed at by the iovec list in
 * place, so a 1 MiB value is never copied. The whole batch then leaves in
 * one send/sendmsg when the socket takes it. An incr's follow-up commands are
 * written into fbuf, reserved for the batch's incrs at submit, and go out
 * as soon as their NOT_FOUND / NOT_STORED is read, after whatever of the
 * batch is still unwritten; their replies come after the batch's. Replies are parsed from a
 * fixed read buffer, incrementally: a line may be split anywhere, and a
 * value's bytes stream through the buffer into req->out (when asked for)
 * without the value ever having to fit in it.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "memcached_int.h"

/* Values shorter than this are copied into the write buffer: for small
 * values one contiguous send is cheaper than another iovec; larger ones
 * stay where they are. */
#define MC_COPY_MAX 2048
/* The read buffer; also the longest reply line accepted (a VALUE line is
 * at most ~300 bytes). */
#define MC_RBUF_SIZE 16384
/* Room for one command's line around its key: "set " key " 0 " <exptime,
 * 10 digits> " " <20 digits> "\r\n" and the value's "\r\n" is 44 bytes. */
#define MC_CMD_ROOM 56

void mc_text_init(struct mc_conn *mc)
{
	mc->ev.fd = -1;
}

void mc_text_free(struct mc_conn *mc)
{
	struct mc_text *ev = &mc->ev;

	if (ev->fd >= 0)
		close(ev->fd);
	free(ev->cmds);
	free(ev->wbuf);
	free(ev->iov);
	free(ev->fbuf);
	free(ev->rbuf);
	memset(ev, 0, sizeof(*ev));
	ev->fd = -1;
}

/* Gives every request of the batch still waiting for its reply status st. */
static void mc_text_fail_rest(struct mc_text *ev, enum bench_status st)
{
	for (size_t i = 0; i < ev->batch_n; i++)
		if (ev->batch[i].status == MC_PENDING)
			ev->batch[i].status = st;
}

/* ---- connecting ---- */

/* Waits for a non-blocking connect on fd; returns 0 or an errno value. */
static int mc_text_wait_connect(int fd, unsigned ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int rc, err = 0;

	do
		rc = poll(&p, 1, (int)ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno;
	if (rc == 0)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/*
 * Opens the event path's socket to the connection's one server. Returns the
 * fd, or -1 with the connection lost. A setup step: blocking, may allocate.
 */
static int mc_text_connect(struct bench_conn *conn, struct mc_conn *mc)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res, *ai;
	unsigned ms = mc_timeout_ms(conn);
	char port[8];
	int fd = -1, err = ECONNREFUSED, one = 1, rc;

	if (!mc->ev.rbuf && !(mc->ev.rbuf = malloc(MC_RBUF_SIZE)))
		return bench_conn_lost(conn, "memcached: out of memory");
	snprintf(port, sizeof(port), "%d", mc->port);
	rc = getaddrinfo(mc->host, port, &hints, &res);
	if (rc != 0)
		return bench_conn_lost(conn, "memcached %s:%d: %s", mc->host, mc->port, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno == EINPROGRESS ? mc_text_wait_connect(fd, ms) : errno;
		if (err == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return bench_conn_lost(conn, "memcached %s:%d: connect: %s", mc->host, mc->port, strerror(err));
	/* One small request per batch: never wait for Nagle. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		err = errno;
		close(fd);
		return bench_conn_lost(conn, "memcached: TCP_NODELAY: %s", strerror(err));
	}
	mc->ev.fd = fd;
	mc->ev.rpos = mc->ev.rlen = 0;
	/* open's reachability check left libmemcached a socket that this
	 * connection will no longer use; don't keep it idle on the server.
	 * (libmemcached would reconnect on its own if asked again.) */
	memcached_quit(mc->memc);
	return fd;
}

int mc_text_event_fd(struct bench_conn *conn)
{
	struct mc_conn *mc = conn->priv;

	if (!mc || conn->err)
		return -1;
	if (mc->ev.fd >= 0)
		return mc->ev.fd;
	/* A pool would need one socket per server and the keys' ketama hash;
	 * binary is another codec. Both stay with libmemcached (blocking). */
	if (mc->binary)
		return bench_conn_error(conn, "the binary protocol%s (libmemcached)", mc->password ? " with SASL" : "");
	if (mc->n_servers != 1)
		return bench_conn_error(conn, "a pool of %u servers (libmemcached)", (unsigned)mc->n_servers);
	return mc_text_connect(conn, mc);
}

/* ---- requests -> commands ---- */

/* The capacity to grow cap to so that need fits: doubled until it does. */
static size_t mc_text_cap(size_t cap, size_t need)
{
	size_t c = cap ? cap : 16;

	while (c < need)
		c *= 2;
	return c;
}

/* Grows *buf (of *cap elements of size) to hold need; 0 or -1 (out of
 * memory, the old buffer kept). */
static int mc_text_grow(void **buf, size_t *cap, size_t need, size_t size)
{
	size_t c;
	void *b;

	if (need <= *cap)
		return 0;
	c = mc_text_cap(*cap, need);
	b = realloc(*buf, c * size);
	if (!b)
		return -1;
	*buf = b;
	*cap = c;
	return 0;
}

/* Makes room for a batch of wneed bytes, niov pieces, ncmds commands and
 * fneed bytes of incr chains; buffers only grow, so a steady workload
 * stops allocating. Returns 0 or -1 (out of memory; what was there is
 * kept). */
static int mc_text_reserve(struct mc_text *ev, size_t wneed, size_t niov, size_t ncmds, size_t fneed)
{
	if (mc_text_grow((void **)&ev->wbuf, &ev->wcap, wneed, 1) < 0 ||
	    mc_text_grow((void **)&ev->iov, &ev->iov_cap, niov, sizeof(*ev->iov)) < 0 ||
	    mc_text_grow((void **)&ev->cmds, &ev->cmds_cap, ncmds, sizeof(*ev->cmds)) < 0 ||
	    mc_text_grow((void **)&ev->fbuf, &ev->fcap, fneed, 1) < 0)
		return -1;
	return 0;
}

static char *mc_text_put(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

static char *mc_text_put_size(char *p, size_t v)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

static void mc_text_iov_add(struct mc_text *ev, const void *base, size_t len)
{
	if (len) {
		ev->iov[ev->n_iov].iov_base = (void *)base;
		ev->iov[ev->n_iov].iov_len = len;
		ev->n_iov++;
	}
}

static int mc_text_is(const char *line, size_t len, const char *word);
static int mc_text_is_error(const char *line, size_t len);
static int mc_text_bad_reply(struct bench_conn *conn, const char *line, size_t len, const char *to);

/* r's counter key (mc_counter_key checked it at submit), written in place
 * from the prefix and the record key, without formatting it again. */
static char *mc_text_put_counter(char *p, const struct bench_conn *conn, const struct bench_request *r)
{
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	size_t plen = strlen(prefix);

	p = mc_text_put(p, prefix, plen);
	p = mc_text_put(p, "~n:", sizeof("~n:") - 1);
	return mc_text_put(p, r->key + plen, r->key_len - plen);
}

static char *mc_text_put_incr(char *p, const struct bench_conn *conn, const struct bench_request *r)
{
	p = mc_text_put(p, "incr ", 5);
	p = mc_text_put_counter(p, conn, r);
	return mc_text_put(p, " 1\r\n", sizeof(" 1\r\n") - 1);
}

/*
 * The next link of request i's incr chain: an add of the absent counter
 * (MC_CMD_ADD) or the incr after losing the add (MC_CMD_INCR2), into fbuf
 * and onto the list to write; its reply is due after the batch's. Room
 * was reserved at submit (two links per incr). Returns 1: the command
 * answered is done.
 */
static int mc_text_follow(struct bench_conn *conn, struct mc_text *ev, size_t i, int kind)
{
	const struct bench_request *r = &ev->batch[i];
	char *start = ev->fbuf + ev->flen, *p = start;
	struct mc_cmd *c = &ev->cmds[ev->n_cmds++];

	if (kind == MC_CMD_ADD) {
		p = mc_text_put(p, "add ", 4);
		p = mc_text_put_counter(p, conn, r);
		p = mc_text_put(p, " 0 0 1\r\n1\r\n", sizeof(" 0 0 1\r\n1\r\n") - 1);
	} else {
		p = mc_text_put_incr(p, conn, r);
	}
	ev->flen += (size_t)(p - start);
	mc_text_iov_add(ev, start, (size_t)(p - start));
	c->kind = kind;
	c->first = i;
	c->end = i + 1;
	return 1;
}

/* Whether line is a decimal number: incr's answer, the counter's value. */
static int mc_text_is_number(const char *line, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t k = 0; k < len; k++)
		if (line[k] < '0' || line[k] > '9')
			return 0;
	return 1;
}

/*
 * One reply line to a command of an incr chain (kind: MC_CMD_ONE for the
 * first incr). Returns as mc_text_line.
 */
static int mc_text_incr_line(struct bench_conn *conn, struct mc_text *ev, const struct mc_cmd *cmd,
			     const char *line, size_t len)
{
	struct bench_request *r = &ev->batch[cmd->first];

	if (cmd->kind == MC_CMD_ADD) {
		if (mc_text_is(line, len, "STORED")) {
			r->status = BENCH_OK;
			return 1;
		}
		if (mc_text_is(line, len, "NOT_STORED") || mc_text_is(line, len, "EXISTS"))
			return mc_text_follow(conn, ev, cmd->first, MC_CMD_INCR2);
	} else {
		if (mc_text_is_number(line, len)) {
			r->status = BENCH_OK;
			return 1;
		}
		if (mc_text_is(line, len, "NOT_FOUND")) {
			if (cmd->kind == MC_CMD_ONE)
				return mc_text_follow(conn, ev, cmd->first, MC_CMD_ADD);
			/* Added, then gone before the second incr: as the
			 * blocking path, a miss. */
			r->status = BENCH_MISS;
			return 1;
		}
	}
	if (mc_text_is_error(line, len)) {
		r->status = BENCH_ERROR;
		bench_conn_error(conn, "memcached incr: %.*s", (int)len, line);
		return 1;
	}
	return mc_text_bad_reply(conn, line, len, cmd->kind == MC_CMD_ADD ? "add" : "incr");
}

/*
 * Turns the batch's pending requests into commands (ev->cmds), their bytes
 * into ev->wbuf and the list to write into ev->iov. Requests with a key
 * the server would refuse become ERROR here and are not sent. Returns 0, or
 * -1 when out of memory (the connection is lost).
 */
static int mc_text_format(struct bench_conn *conn, struct mc_conn *mc, struct bench_request *reqs, size_t n)
{
	struct mc_text *ev = &mc->ev;
	size_t need = sizeof("version\r\n"), niov = 1, ncmds = 1;
	struct mc_cmd *get = NULL;
	char *p, *seg;

	size_t fneed = 0;
	char ckey[MC_COUNTER_KEY_CAP];

	for (size_t i = 0; i < n; i++) {
		struct bench_request *r = &reqs[i];

		if (r->status != MC_PENDING)
			continue;
		if (r->op == BENCH_OP_INCR) {
			size_t klen = mc_counter_key(conn, r, ckey, sizeof(ckey));

			if (!klen) {
				r->status = BENCH_ERROR;
				continue;
			}
			/* The incr, and room for its chain: an add and an incr. */
			need += MC_CMD_ROOM + klen;
			fneed += 2 * (MC_CMD_ROOM + klen);
			ncmds += 3;
			niov += 2;
			continue;
		}
		if (!mc_key_ok(mc, r->key, r->key_len)) {
			mc_key_refused(conn, r);
			continue;
		}
		need += MC_CMD_ROOM + r->key_len;
		ncmds++;
		if (r->op == BENCH_OP_SET) {
			if (r->value_len < MC_COPY_MAX)
				need += r->value_len;
			else
				niov += 2;
		}
	}
	if (mc_text_reserve(ev, need, niov, ncmds, fneed) < 0)
		return bench_conn_lost(conn, "memcached: out of memory for a batch of %zu requests", n);
	ev->flen = 0;

	ev->n_cmds = 0;
	ev->n_iov = 0;
	ev->iov_next = 0;
	p = seg = ev->wbuf;
	for (size_t i = 0; i < n; i++) {
		struct bench_request *r = &reqs[i];
		struct mc_cmd *c;

		if (r->status != MC_PENDING)
			continue;
		if (r->op == BENCH_OP_GET) {
			if (!get) {
				get = &ev->cmds[ev->n_cmds++];
				get->kind = MC_CMD_GET;
				get->first = i;
				p = mc_text_put(p, "get", 3);
			}
			*p++ = ' ';
			p = mc_text_put(p, r->key, r->key_len);
			get->end = i + 1;
			continue;
		}
		if (get) {
			p = mc_text_put(p, "\r\n", 2);
			get = NULL;
		}
		c = &ev->cmds[ev->n_cmds++];
		c->kind = MC_CMD_ONE;
		c->first = i;
		c->end = i + 1;
		if (r->op == BENCH_OP_INCR) {
			p = mc_text_put_incr(p, conn, r);
			continue;
		}
		if (r->op == BENCH_OP_DELETE) {
			p = mc_text_put(p, "delete ", 7);
			p = mc_text_put(p, r->key, r->key_len);
			p = mc_text_put(p, "\r\n", 2);
			continue;
		}
		p = mc_text_put(p, "set ", 4);
		p = mc_text_put(p, r->key, r->key_len);
		p = mc_text_put(p, " 0 ", 3);
		p = mc_text_put_size(p, mc_exptime(r->ttl_ms));
		*p++ = ' ';
		p = mc_text_put_size(p, r->value_len);
		p = mc_text_put(p, "\r\n", 2);
		if (r->value_len < MC_COPY_MAX) {
			if (r->value_len)
				p = mc_text_put(p, r->value, r->value_len);
		} else {
			mc_text_iov_add(ev, seg, (size_t)(p - seg));
			mc_text_iov_add(ev, r->value, r->value_len);
			seg = p;
		}
		p = mc_text_put(p, "\r\n", 2);
	}
	if (get)
		p = mc_text_put(p, "\r\n", 2);
	if (ev->n_cmds == 0) {
		/* Nothing to send (every key refused): without a reply the
		 * socket would never become readable and the batch would only
		 * end by timing out, so ask for something harmless. */
		ev->cmds[0].kind = MC_CMD_NOOP;
		ev->cmds[0].first = ev->cmds[0].end = n;
		ev->n_cmds = 1;
		p = mc_text_put(p, "version\r\n", 9);
	}
	mc_text_iov_add(ev, seg, (size_t)(p - seg));
	if (conn->trace) /* --trace: the commands as they leave */
		mc_trace_text_sent(conn->trace, ev);
	return 0;
}

int mc_text_flush(struct bench_conn *conn)
{
	struct mc_conn *mc = conn->priv;
	struct mc_text *ev = &mc->ev;

	while (ev->iov_next < ev->n_iov) {
		struct iovec *v = &ev->iov[ev->iov_next];
		size_t left = ev->n_iov - ev->iov_next;
		ssize_t w;

		/* MSG_NOSIGNAL: a reset connection is an error, not SIGPIPE. */
		if (left == 1) {
			w = send(ev->fd, v->iov_base, v->iov_len, MSG_NOSIGNAL);
		} else {
			struct msghdr m = {.msg_iov = v, .msg_iovlen = left < IOV_MAX ? left : IOV_MAX};

			w = sendmsg(ev->fd, &m, MSG_NOSIGNAL);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w < 0) {
			mc_text_fail_rest(ev, BENCH_DISCONNECTED);
			return bench_conn_lost(conn, "memcached: write: %s", strerror(errno));
		}
		/* Drop what was written from the front of the list. */
		for (size_t done = (size_t)w; done;) {
			if (done >= v->iov_len) {
				done -= v->iov_len;
				ev->iov_next++;
				v++;
			} else {
				v->iov_base = (char *)v->iov_base + done;
				v->iov_len -= done;
				done = 0;
			}
		}
	}
	return 1;
}

int mc_text_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct mc_conn *mc = conn->priv;
	struct mc_text *ev;

	for (size_t i = 0; i < n; i++) {
		reqs[i].value_len_out = 0;
		reqs[i].status = mc_op_kv(reqs[i].op) || reqs[i].op == BENCH_OP_INCR ? MC_PENDING : BENCH_UNSUPPORTED;
	}
	if (!mc || conn->err) {
		for (size_t i = 0; i < n; i++)
			reqs[i].status = BENCH_DISCONNECTED;
		return -1;
	}
	ev = &mc->ev;
	ev->batch = reqs;
	ev->batch_n = n;
	ev->cmd = 0;
	ev->reply_lines = 0;
	ev->in_value = 0;
	ev->vreq = NULL;
	if (ev->fd < 0 && mc_text_event_fd(conn) < 0) {
		if (!conn->err)
			bench_conn_lost(conn, "memcached: the event hooks need one server and protocol text");
		mc_text_fail_rest(ev, BENCH_DISCONNECTED);
		return -1;
	}
	if (mc_text_format(conn, mc, reqs, n) < 0) {
		mc_text_fail_rest(ev, BENCH_DISCONNECTED);
		return -1;
	}
	ev->gnext = ev->cmds[0].first;
	return mc_text_flush(conn);
}

/* ---- replies -> statuses ---- */

static int mc_text_is(const char *line, size_t len, const char *word)
{
	size_t wl = strlen(word);

	return len == wl && memcmp(line, word, wl) == 0;
}

static int mc_text_starts(const char *line, size_t len, const char *word)
{
	size_t wl = strlen(word);

	return len >= wl && memcmp(line, word, wl) == 0;
}

/* "ERROR", "CLIENT_ERROR <text>", "SERVER_ERROR <text>": a failed command
 * ("ERROR <text>" too: some servers of the protocol add one). */
static int mc_text_is_error(const char *line, size_t len)
{
	return mc_text_is(line, len, "ERROR") || mc_text_starts(line, len, "ERROR ") ||
	       mc_text_starts(line, len, "CLIENT_ERROR") || mc_text_starts(line, len, "SERVER_ERROR");
}

/* Parses a decimal at *p (before end) and moves *p past it. Returns 0, or
 * -1 when there is none or it does not fit. */
static int mc_text_number(const char **p, const char *end, size_t *out)
{
	const char *q = *p;
	size_t v = 0;

	if (q == end || *q < '0' || *q > '9')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (v > (SIZE_MAX - 9) / 10)
			return -1;
		v = v * 10 + (size_t)(*q - '0');
	}
	*p = q;
	*out = v;
	return 0;
}

/* Says which reply made no sense and loses the connection (its replies can
 * no longer be matched to requests). Returns -1. */
static int mc_text_bad_reply(struct bench_conn *conn, const char *line, size_t len, const char *to)
{
	return bench_conn_lost(conn, "memcached: unexpected reply '%.*s' to %s", (int)(len > 60 ? 60 : len), line, to);
}

/*
 * "VALUE <key> <flags> <bytes>[ <cas>]" of the multi-get cmd: the gets
 * before the one asking for <key> were misses; the value's bytes follow.
 * Returns 0 or -1 (connection lost).
 */
static int mc_text_value_line(struct bench_conn *conn, struct mc_text *ev, const struct mc_cmd *cmd,
			      const char *line, size_t len)
{
	const char *p = line + 6, *end = line + len, *key = p;
	const struct bench_request *next = &ev->batch[ev->gnext];
	size_t klen, flags, bytes, j = ev->gnext;

	/* Most often the key is the next one asked for: compare it in place
	 * rather than scan for the space after it and search. */
	if (j < cmd->end && next->status == MC_PENDING && len > 6 + next->key_len &&
	    key[next->key_len] == ' ' && memcmp(key, next->key, next->key_len) == 0) {
		p = key + next->key_len;
		klen = next->key_len;
	} else {
		p = memchr(key, ' ', (size_t)(end - key));
		if (!p || p == key)
			return mc_text_bad_reply(conn, line, len, "get");
		klen = (size_t)(p - key);
		for (; j < cmd->end; j++) {
			const struct bench_request *r = &ev->batch[j];

			if (r->status == MC_PENDING && r->key_len == klen && memcmp(r->key, key, klen) == 0)
				break;
		}
		if (j == cmd->end)
			return mc_text_bad_reply(conn, line, len, "get (a key not asked for, or out of order)");
	}
	p++;
	if (mc_text_number(&p, end, &flags) < 0 || p == end || *p++ != ' ' ||
	    mc_text_number(&p, end, &bytes) < 0 || (p < end && *p != ' ') || bytes > SIZE_MAX - 2)
		return mc_text_bad_reply(conn, line, len, "get");
	/* The server leaves misses out: the gets before this one were. */
	for (; ev->gnext < j; ev->gnext++)
		if (ev->batch[ev->gnext].status == MC_PENDING)
			ev->batch[ev->gnext].status = BENCH_MISS;
	ev->vreq = &ev->batch[ev->gnext++];
	ev->vlen = bytes;
	ev->vseen = 0;
	ev->in_value = 1;
	return 0;
}

/*
 * Takes the value bytes available (and its closing "\r\n"), copying into
 * vreq->out when the caller asked for them. Returns 1 when the value is
 * complete, 0 when more is due, -1 when it was not followed by "\r\n".
 */
static int mc_text_value_bytes(struct bench_conn *conn, struct mc_text *ev)
{
	struct bench_request *r = ev->vreq;
	const char *src = ev->rbuf + ev->rpos;
	size_t avail = ev->rlen - ev->rpos, want = ev->vlen + 2 - ev->vseen;
	size_t take = avail < want ? avail : want;

	if (conn->trace && ev->vseen == 0)
		mc_trace_text_value(conn->trace, src, avail, ev->vlen);
	if (r->out && ev->vseen < r->out_cap && ev->vseen < ev->vlen) {
		size_t upto = ev->vlen < r->out_cap ? ev->vlen : r->out_cap;
		size_t n = upto - ev->vseen < take ? upto - ev->vseen : take;

		memcpy(r->out + ev->vseen, src, n);
	}
	/* The closing "\r\n": usually both bytes are here; they may also be
	 * split between reads. */
	if (take == want && ev->vseen <= ev->vlen) {
		if (src[take - 2] != '\r' || src[take - 1] != '\n')
			return bench_conn_lost(conn, "memcached: a %zu-byte value not followed by \\r\\n", ev->vlen);
	} else {
		for (size_t i = ev->vseen < ev->vlen ? ev->vlen - ev->vseen : 0; i < take; i++)
			if (src[i] != (ev->vseen + i == ev->vlen ? '\r' : '\n'))
				return bench_conn_lost(conn, "memcached: a %zu-byte value not followed by \\r\\n",
						       ev->vlen);
	}
	ev->vseen += take;
	ev->rpos += take;
	if (ev->vseen < ev->vlen + 2)
		return 0;
	r->status = BENCH_OK;
	r->value_len_out = ev->vlen;
	ev->in_value = 0;
	ev->vreq = NULL;
	return 1;
}

/* Every get of the multi-get cmd not answered yet gets st. */
static void mc_text_end_get(struct mc_text *ev, const struct mc_cmd *cmd, enum bench_status st)
{
	for (; ev->gnext < cmd->end; ev->gnext++)
		if (ev->batch[ev->gnext].status == MC_PENDING)
			ev->batch[ev->gnext].status = st;
}

/*
 * One reply line to the command being answered. Returns 1 when that
 * command is done, 0 when more lines belong to it, -1 when the line makes
 * no sense (connection lost).
 */
static int mc_text_line(struct bench_conn *conn, struct mc_text *ev, const char *line, size_t len)
{
	const struct mc_cmd *cmd = &ev->cmds[ev->cmd];
	struct bench_request *r = &ev->batch[cmd->first];

	if (cmd->kind == MC_CMD_GET) {
		if (mc_text_starts(line, len, "VALUE "))
			return mc_text_value_line(conn, ev, cmd, line, len);
		if (mc_text_is(line, len, "END")) {
			mc_text_end_get(ev, cmd, BENCH_MISS);
			return 1;
		}
		if (mc_text_is_error(line, len)) {
			bench_conn_error(conn, "memcached get: %.*s", (int)len, line);
			mc_text_end_get(ev, cmd, BENCH_ERROR);
			return 1;
		}
		return mc_text_bad_reply(conn, line, len, "get");
	}
	if (cmd->kind == MC_CMD_ADD || cmd->kind == MC_CMD_INCR2 || (cmd->kind == MC_CMD_ONE && r->op == BENCH_OP_INCR))
		return mc_text_incr_line(conn, ev, cmd, line, len);
	if (cmd->kind == MC_CMD_NOOP) {
		if (mc_text_starts(line, len, "VERSION") || mc_text_is_error(line, len))
			return 1;
		return mc_text_bad_reply(conn, line, len, "version");
	}
	if (r->op == BENCH_OP_SET && mc_text_is(line, len, "STORED")) {
		r->status = BENCH_OK;
		return 1;
	}
	if (r->op == BENCH_OP_DELETE && mc_text_is(line, len, "DELETED")) {
		r->status = BENCH_OK;
		return 1;
	}
	if (r->op == BENCH_OP_DELETE && mc_text_is(line, len, "NOT_FOUND")) {
		r->status = BENCH_MISS;
		return 1;
	}
	/* NOT_STORED / EXISTS / NOT_FOUND to a plain set cannot happen with
	 * memcached, but would mean the value was not stored. */
	if (mc_text_is_error(line, len) ||
	    (r->op == BENCH_OP_SET && (mc_text_is(line, len, "NOT_STORED") || mc_text_is(line, len, "EXISTS") ||
				       mc_text_is(line, len, "NOT_FOUND")))) {
		r->status = BENCH_ERROR;
		bench_conn_error(conn, "memcached %s: %.*s", bench_op_name(r->op), (int)len, line);
		return 1;
	}
	return mc_text_bad_reply(conn, line, len, bench_op_name(r->op));
}

/*
 * Parses what rbuf holds. Returns 1 when every command of the batch is
 * answered, 0 when more bytes are due, -1 when the replies make no sense
 * (connection lost).
 */
static int mc_text_parse(struct bench_conn *conn, struct mc_text *ev)
{
	while (ev->cmd < ev->n_cmds) {
		const char *line = ev->rbuf + ev->rpos, *nl;
		size_t len;
		int rc;

		if (ev->in_value) {
			rc = mc_text_value_bytes(conn, ev);
			if (rc <= 0)
				return rc;
			continue;
		}
		nl = memchr(line, '\n', ev->rlen - ev->rpos);
		if (!nl) {
			if (ev->rpos == 0 && ev->rlen == MC_RBUF_SIZE)
				return bench_conn_lost(conn, "memcached: a reply line over %d bytes", MC_RBUF_SIZE);
			return 0;
		}
		len = (size_t)(nl - line);
		if (len && line[len - 1] == '\r')
			len--;
		ev->rpos = (size_t)(nl + 1 - ev->rbuf);
		if (conn->trace) /* --trace: each reply line as it is parsed */
			mc_trace_text_reply(conn->trace, ev->reply_lines++ == 0, line, len);
		rc = mc_text_line(conn, ev, line, len);
		if (rc < 0)
			return -1;
		if (rc == 1)
			ev->reply_lines = 0;
		if (rc == 1 && ++ev->cmd < ev->n_cmds)
			ev->gnext = ev->cmds[ev->cmd].first;
	}
	return 1;
}

/* Replies are still due: writes the chains' follow-up commands that wait
 * (2 when the socket did not take them all, driver.h), else 0; -1 when
 * the connection broke. */
static int mc_text_more(struct bench_conn *conn, struct mc_text *ev)
{
	int w;

	if (ev->iov_next == ev->n_iov)
		return 0;
	w = mc_text_flush(conn);
	return w < 0 ? -1 : w == 0 ? 2 : 0;
}

int mc_text_on_readable(struct bench_conn *conn)
{
	struct mc_conn *mc = conn->priv;
	struct mc_text *ev = &mc->ev;

	for (;;) {
		size_t room;
		ssize_t got;
		int rc;

		/* Keep only the unparsed tail (at most a partial line). */
		if (ev->rpos == ev->rlen) {
			ev->rpos = ev->rlen = 0;
		} else if (ev->rpos > 0) {
			memmove(ev->rbuf, ev->rbuf + ev->rpos, ev->rlen - ev->rpos);
			ev->rlen -= ev->rpos;
			ev->rpos = 0;
		}
		room = MC_RBUF_SIZE - ev->rlen;
		got = read(ev->fd, ev->rbuf + ev->rlen, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return mc_text_more(conn, ev);
		if (got <= 0) {
			mc_text_fail_rest(ev, BENCH_DISCONNECTED);
			if (got == 0)
				return bench_conn_lost(conn, "memcached %s:%d: connection closed by the server",
						       mc->host, mc->port);
			return bench_conn_lost(conn, "memcached: read: %s", strerror(errno));
		}
		ev->rlen += (size_t)got;
		rc = mc_text_parse(conn, ev);
		if (rc < 0)
			mc_text_fail_rest(ev, BENCH_DISCONNECTED);
		if (rc != 0)
			return rc;
		/* A short read emptied the socket: wait for epoll rather than
		 * pay a read that says EAGAIN. A full one (a large value) may
		 * have left more behind. */
		if ((size_t)got < room)
			return mc_text_more(conn, ev);
	}
}

void mc_text_expire(struct bench_conn *conn)
{
	struct mc_conn *mc = conn->priv;

	mc_text_fail_rest(&mc->ev, BENCH_TIMEOUT);
	bench_conn_lost(conn, "memcached: timeout after %u ms", mc_timeout_ms(conn));
}

/* describe (driver.h): the sample through mc_text_format, the event
 * path's own formatter, on a connection state that never connects; the
 * blocking path's libmemcached sends the same commands in the text
 * protocol. */
int mc_text_describe(const struct bench_target *t, struct bench_request *sample, char *buf, size_t len)
{
	struct bench_conn conn = {.target = t};
	struct mc_conn mc = {0};
	size_t at = 0;
	int n = 0;

	mc_text_init(&mc);
	conn.priv = &mc;
	sample->status = MC_PENDING;
	mc.ev.batch = sample;
	mc.ev.batch_n = 1;
	if (mc_text_format(&conn, &mc, sample, 1) < 0 || sample->status != MC_PENDING) {
		snprintf(buf, len, "%s", conn.errstr);
		mc_text_free(&mc);
		return -1;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < mc.ev.n_cmds && at + 1 < len; i++, n++) {
		at += mc_trace_render(buf + at, len - at, &mc.ev.cmds[i], sample);
		if (at + 1 < len) {
			buf[at++] = '\n';
			buf[at] = '\0';
		}
	}
	mc_text_free(&mc);
	return n;
}
