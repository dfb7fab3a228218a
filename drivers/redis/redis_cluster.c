/*
 * redis_cluster.c - a batch on a Redis Cluster connection (redis_cluster.h).
 *
 * Each request goes to the master serving the slot of the key its commands
 * use: the record key for get, set and delete, the derived key
 * <prefix>~n:/~h:/~l:/~s:/~z:<number> for incr and the structure ops (so a
 * structure may live on another node than its record; every command of a
 * request uses one key). Fuzzy is sent to every master (SCAN sees one
 * node's keys) and the parts added up. Range and query need an index key
 * holding every record key, which no slot can share with records spread
 * over the cluster: unsupported.
 *
 * A round copies each node's requests into that node's sub-batch and runs
 * the sub-batches one node after the other through the single-node path,
 * one pipeline per node. A request answered MOVED goes to the named node
 * in the next round, the slot map updated at once and reread from CLUSTER
 * SLOTS after the round; one answered ASK is sent alone to the named node
 * after ASKING, the map unchanged. After RC_MAX_REDIRECTS the error stands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_cluster.h"
#include "redis_int.h"

/* route[]: the request goes to every master (fuzzy). */
#define RC_ALL (RC_NO_NODE - 1)

/* ---- where a request goes ---- */

/* The tag of the key a structure op uses (redis_ops.c), NULL for an op on
 * the record key itself. */
static const char *struct_tag(enum bench_op op)
{
	switch (op) {
	case BENCH_OP_INCR:
		return TAG_COUNTER;
	case BENCH_OP_HSET:
	case BENCH_OP_HGET:
		return TAG_HASH;
	case BENCH_OP_LPUSH:
	case BENCH_OP_LRANGE:
		return TAG_LIST;
	case BENCH_OP_SADD:
	case BENCH_OP_SMEMBERS:
		return TAG_SET;
	case BENCH_OP_ZADD:
	case BENCH_OP_ZRANGEBYSCORE:
		return TAG_ZSET;
	default:
		return NULL;
	}
}

/* The slot of the key q's commands use: <prefix><tag><key after the
 * prefix> for a structure op, as redis_ops.c names it. */
static unsigned request_slot(const struct redis_conn *rc, const struct bench_request *q)
{
	const char *tag = struct_tag(q->op);
	const char *p[3] = { rc->prefix, tag, q->key };
	size_t len[3] = { rc->prefix_len, tag ? strlen(tag) : 0, q->key_len };

	if (!tag)
		return redis_key_slot(q->key, q->key_len);
	if (q->key_len >= rc->prefix_len && memcmp(q->key, rc->prefix, rc->prefix_len) == 0) {
		p[2] += rc->prefix_len;
		len[2] -= rc->prefix_len;
	}
	return redis_slot_parts(p, len, 3);
}

/* ---- the reader's hook ---- */

/* A top-level error reply to req on a node connection running a sub-batch
 * (the reply slot's error hook, arg the cluster's struct redis_redir):
 * notes a MOVED or ASK. */
static void note_redirect(void *arg, const struct bench_request *req, const char *str, size_t len)
{
	struct redis_redir *d = arg;
	struct redis_redir_note *nt;
	uintptr_t at, base;
	size_t skip, alen;
	unsigned long slot;
	const char *sp;
	char *end;
	int kind;

	if (!d || !req || !d->base)
		return;
	at = (uintptr_t)req;
	base = (uintptr_t)d->base;
	if (at < base || at >= base + d->n * sizeof(*d->base))
		return;
	if (len > 6 && memcmp(str, "MOVED ", 6) == 0) {
		kind = RC_NOTE_MOVED;
		skip = 6;
	} else if (len > 4 && memcmp(str, "ASK ", 4) == 0) {
		kind = RC_NOTE_ASK;
		skip = 4;
	} else {
		return;
	}
	/* "<slot> <host>:<port>": str is not terminated (the reader's buffer). */
	slot = strtoul(str + skip, &end, 10);
	if (end == str + skip || slot >= REDIS_CLUSTER_SLOTS || end >= str + len || *end != ' ')
		return;
	sp = end + 1;
	alen = (size_t)(str + len - sp);
	nt = &d->notes[(at - base) / sizeof(*d->base)];
	if (alen == 0 || alen >= sizeof(nt->addr))
		return;
	nt->kind = (uint8_t)kind;
	nt->slot = (uint16_t)slot;
	memcpy(nt->addr, sp, alen);
	nt->addr[alen] = '\0';
}

/* ---- a batch ---- */

static int grow(void **p, size_t *cap, size_t want, size_t size)
{
	void *q;

	if (want <= *cap)
		return 0;
	q = realloc(*p, want * size);
	if (!q)
		return -1;
	*p = q;
	*cap = want;
	return 0;
}

/* Room for a batch of n in the per-request arrays and the notes. */
static int scratch(struct redis_cluster *cl, size_t n)
{
	size_t c1 = cl->route_cap, c2 = cl->route_cap, c3 = cl->route_cap;

	if (grow((void **)&cl->route, &c1, n, sizeof(*cl->route)) || grow((void **)&cl->hops, &c2, n, 1) ||
	    grow((void **)&cl->asking, &c3, n, 1) ||
	    grow((void **)&cl->redir.notes, &cl->notes_cap, n, sizeof(*cl->redir.notes)))
		return -1;
	cl->route_cap = n;
	return 0;
}

/* Appends a copy of reqs[i] to node k's sub-batch (room made by the caller). */
static void add_sub(struct redis_node *nd, const struct bench_request *reqs, size_t i)
{
	nd->sub[nd->m] = reqs[i];
	nd->origin[nd->m++] = (uint32_t)i;
}

/* A fuzzy part from one master: added to the request's answer. */
static void merge_part(struct bench_request *q, const struct bench_request *part)
{
	q->items_out += part->items_out;
	q->value_len_out += part->value_len_out;
	q->calls_out += part->calls_out;
	if (part->status == BENCH_OK && q->status == BENCH_MISS)
		q->status = BENCH_OK;
	else if (part->status != BENCH_OK && part->status != BENCH_MISS &&
		 (q->status == BENCH_OK || q->status == BENCH_MISS))
		q->status = part->status;
}

/*
 * Sub-request j of node k has its answer: a redirection to follow (route
 * and hops updated, the map for MOVED), or the request's answer. Returns
 * 1 when the slot map should be reread, 0, or -1 (the connection lost).
 */
static int settle(struct bench_conn *conn, struct redis_cluster *cl, struct bench_request *reqs, struct redis_node *nd,
		  size_t j, const struct redis_redir_note *notes)
{
	const struct bench_request *part = &nd->sub[j];
	const struct redis_redir_note *nt = &notes[j];
	size_t i = nd->origin[j];
	struct bench_request *q = &reqs[i];
	uint16_t to;

	if (cl->route[i] == RC_ALL) {
		merge_part(q, part);
		return 0;
	}
	q->calls_out += part->calls_out; /* every attempt's commands */
	if (part->status == BENCH_ERROR && nt->kind != RC_NOTE_NONE && cl->hops[i] < RC_MAX_REDIRECTS) {
		cl->hops[i]++;
		to = redis_cluster_node_at(cl, nt->addr);
		if (to == RC_NO_NODE)
			return -1;
		cl->route[i] = to;
		if (nt->kind == RC_NOTE_ASK) {
			conn->counters[REDIS_COUNTER_ASK]++;
			cl->asking[i] = 1;
			return 0;
		}
		conn->counters[REDIS_COUNTER_MOVED]++;
		cl->asking[i] = 0;
		cl->slot_node[nt->slot] = to;
		return 1;
	}
	q->status = part->status;
	q->value_len_out = part->value_len_out;
	q->items_out = part->items_out;
	if (part->status != BENCH_OK && part->status != BENCH_MISS && part->status != BENCH_UNSUPPORTED &&
	    nd->conn != conn)
		snprintf(conn->errstr, sizeof(conn->errstr), "%s", nd->conn->errstr);
	cl->route[i] = RC_NO_NODE;
	return 0;
}

/* ASKING on node k's connection, read before the request goes after it;
 * 0, or -1 when it failed (the request then gets the error). */
static int send_asking(struct redis_node *nd)
{
	struct redis_conn *nrc = nd->conn->priv;
	void *obj;

	if (nd->conn->err || !nrc)
		return -1;
	redis_reply_begin(&nrc->reply, NULL);
	if (redisAppendCommand(nrc->ctx, "ASKING") != REDIS_OK || redis_get_reply(nrc->ctx, nrc->reply_cap, &obj) != REDIS_OK) {
		redis_ctx_failed(nd->conn, nrc->ctx);
		return -1;
	}
	if (nrc->reply.type != REDIS_REPLY_STATUS)
		return bench_conn_error(nd->conn, "redis cluster: ASKING failed: %s", nrc->reply.text);
	return 0;
}

/* Runs node k's sub-batch (already filled; sent when nd->sent > 0, its
 * sending failed when < 0) and settles its answers, or, with asking, sends
 * ASKING and then the one request. Returns as settle (1: reread the map). */
static int run_node(struct bench_conn *conn, struct redis_cluster *cl, struct bench_request *reqs, uint16_t k,
		    int load, int asking)
{
	struct redis_node *nd = cl->nodes[k];
	struct redis_conn *nrc;
	int refresh = 0, r;

	if (redis_cluster_connect(cl, k) < 0)
		return -1;
	cl->redir.base = nd->sub;
	cl->redir.n = nd->m;
	memset(cl->redir.notes, 0, nd->m * sizeof(*cl->redir.notes));
	/* The node's reader tells us its error replies while it runs this
	 * sub-batch (a connection that broke has no priv left). */
	if ((nrc = nd->conn->priv)) {
		nrc->reply.error = note_redirect;
		nrc->reply.error_arg = &cl->redir;
	}
	if (asking && send_asking(nd) < 0) {
		nd->sub[0].status = nd->conn->err ? BENCH_DISCONNECTED : BENCH_ERROR;
		nd->sub[0].calls_out = 1;
	} else if (asking || nd->sent == 0) {
		(load ? redis_ops_load : redis_ops_exec)(nd->conn, nd->sub, nd->m);
		nd->sub[0].calls_out += (uint64_t)asking;
	} else if (nd->sent > 0) {
		redis_node_collect(nd->conn, nd->sub, nd->m);
	}
	cl->redir.base = NULL;
	if ((nrc = nd->conn->priv))
		nrc->reply.error = NULL;
	for (size_t j = 0; j < nd->m; j++) {
		if ((r = settle(conn, cl, reqs, nd, j, cl->redir.notes)) < 0)
			return -1;
		refresh |= r;
	}
	if (nd->conn->err && nd->conn != conn)
		return bench_conn_lost(conn, "redis cluster node %s:%d: %s", nd->host, nd->port, nd->conn->errstr);
	return conn->err ? -1 : refresh;
}

/* The first routing: UNSUPPORTED for range and query, every master for
 * fuzzy, else the node of the slot. A slot without a node rereads the map
 * once per batch (a failover may have given it one); if it still has none
 * the request is an ERROR. Returns 0, or -1 (the connection lost). */
static int route_all(struct bench_conn *conn, struct redis_cluster *cl, struct bench_request *reqs, size_t n,
		     int may_refresh)
{
	const struct redis_conn *rc = conn->priv;
	int refreshed = !may_refresh;

	for (size_t i = 0; i < n; i++) {
		struct bench_request *q = &reqs[i];

		cl->route[i] = RC_NO_NODE;
		cl->hops[i] = cl->asking[i] = 0;
		if (q->status == BENCH_UNSUPPORTED)
			continue;
		if (q->op == BENCH_OP_RANGE || q->op == BENCH_OP_QUERY) {
			q->status = BENCH_UNSUPPORTED;
		} else if (q->op == BENCH_OP_FUZZY) {
			q->status = BENCH_MISS;
			cl->route[i] = RC_ALL;
		} else if ((cl->route[i] = cl->slot_node[request_slot(rc, q)]) == RC_NO_NODE) {
			if (!refreshed) {
				refreshed = 1;
				if (redis_cluster_refresh(cl) < 0)
					return -1;
			}
			if ((cl->route[i] = cl->slot_node[request_slot(rc, q)]) != RC_NO_NODE)
				continue;
			q->status = BENCH_ERROR;
			bench_conn_error(conn, "redis cluster: no node serves slot %u of key %.*s (CLUSTERDOWN?)",
					 request_slot(rc, q), (int)q->key_len, q->key);
		}
	}
	return 0;
}

/* Whether a request still waits for an answer. Each round settles every
 * request it sends or counts a redirection against it: the loop ends. */
static int unsettled(const struct redis_cluster *cl, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cl->route[i] != RC_NO_NODE)
			return 1;
	return 0;
}

/* Fills the sub-batches of one round (requests waiting for ASKING are
 * sent alone, by run_asking). */
static void fill_round(struct redis_cluster *cl, struct bench_request *reqs, size_t n)
{
	for (size_t k = 0; k < cl->nn; k++)
		cl->nodes[k]->m = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t r = cl->route[i];

		if (r == RC_NO_NODE || cl->asking[i])
			continue;
		if (r != RC_ALL) {
			add_sub(cl->nodes[r], reqs, i);
			continue;
		}
		for (size_t k = 0; k < cl->nn; k++) {
			struct redis_node *nd = cl->nodes[k];

			if (!nd->master)
				continue;
			add_sub(nd, reqs, i);
			nd->sub[nd->m - 1].out = NULL; /* parts would overwrite each other */
		}
	}
}

/* Room for n sub-requests on every node. */
static int node_room(struct redis_cluster *cl, size_t n)
{
	for (size_t k = 0; k < cl->nn; k++) {
		struct redis_node *nd = cl->nodes[k];
		size_t c = nd->cap;

		if (grow((void **)&nd->sub, &c, n, sizeof(*nd->sub)) ||
		    grow((void **)&nd->origin, &nd->cap, n, sizeof(*nd->origin)))
			return -1;
	}
	return 0;
}

/* The connection is lost part-way: what is not answered is DISCONNECTED. */
static int fail_rest(struct bench_conn *conn, struct redis_cluster *cl, struct bench_request *reqs, size_t n)
{
	if (!conn->err)
		bench_conn_lost(conn, "redis cluster: out of memory");
	for (size_t i = 0; i < n; i++)
		if (cl->route[i] != RC_NO_NODE)
			reqs[i].status = BENCH_DISCONNECTED;
	return -1;
}

/* Every master's part of a fuzzy request is in: it is settled, at most
 * its count. */
static void fuzzy_done(struct redis_cluster *cl, struct bench_request *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cl->route[i] != RC_ALL)
			continue;
		cl->route[i] = RC_NO_NODE;
		if (reqs[i].count && reqs[i].items_out > reqs[i].count)
			reqs[i].items_out = reqs[i].count;
	}
}

/* The requests waiting for ASKING, one at a time. Returns as run_node. */
static int run_asking(struct bench_conn *conn, struct redis_cluster *cl, struct bench_request *reqs, size_t n,
		      int load)
{
	int refresh = 0, r;

	for (size_t i = 0; i < n; i++) {
		struct redis_node *nd;

		if (cl->route[i] == RC_NO_NODE || !cl->asking[i])
			continue;
		cl->asking[i] = 0;
		if (node_room(cl, n) < 0) /* the last redirection may have added a node */
			return -1;
		nd = cl->nodes[cl->route[i]];
		nd->m = 0;
		nd->sent = 0;
		add_sub(nd, reqs, i);
		if ((r = run_node(conn, cl, reqs, cl->route[i], load, 1)) < 0)
			return -1;
		refresh |= r;
	}
	return refresh;
}

int redis_cluster_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n, int load)
{
	struct redis_conn *rc = conn->priv;
	struct redis_cluster *cl = rc->cluster;

	if (redis_begin_batch(conn, reqs, n) < 0)
		return -1;
	if (n > UINT32_MAX || scratch(cl, n) < 0) {
		bench_conn_lost(conn, "redis cluster: out of memory for a batch of %zu", n);
		for (size_t i = 0; i < n; i++)
			reqs[i].status = BENCH_DISCONNECTED;
		return -1;
	}
	if (route_all(conn, cl, reqs, n, 1) < 0)
		return fail_rest(conn, cl, reqs, n);
	while (unsettled(cl, n)) {
		int refresh = 0, r;

		/* A redirection may have added a node: room on it too. */
		if (node_room(cl, n) < 0)
			return fail_rest(conn, cl, reqs, n);
		fill_round(cl, reqs, n);
		/* Every node gets its plain sub-batch before any reply is read:
		 * the masters work on their shares at the same time. */
		for (size_t k = 0; k < cl->nn; k++) {
			struct redis_node *nd = cl->nodes[k];

			nd->sent = 0;
			if (!nd->m)
				continue;
			if (redis_cluster_connect(cl, (uint16_t)k) < 0)
				return fail_rest(conn, cl, reqs, n);
			nd->sent = redis_node_send(nd->conn, nd->sub, nd->m);
		}
		for (size_t k = 0; k < cl->nn; k++) {
			if (!cl->nodes[k]->m)
				continue;
			if ((r = run_node(conn, cl, reqs, (uint16_t)k, load, 0)) < 0)
				return fail_rest(conn, cl, reqs, n);
			refresh |= r;
		}
		fuzzy_done(cl, reqs, n);
		if (node_room(cl, n) < 0)
			return fail_rest(conn, cl, reqs, n);
		if ((r = run_asking(conn, cl, reqs, n, load)) < 0)
			return fail_rest(conn, cl, reqs, n);
		refresh |= r;
		if (refresh && redis_cluster_refresh(cl) < 0)
			return fail_rest(conn, cl, reqs, n);
	}
	return 0;
}

/* ---- the event engine (driver.h) ---- */

/*
 * A batch runs in rounds as on the blocking path (fill_round, settle), but
 * every node's sub-batch of a round is in flight at once on that node's
 * own single-node event path (redis_ops_submit: plain, or the general
 * path's chains), and the round ends when the last node has answered.
 * The nodes' sockets sit in one epoll set, which is what the harness
 * watches (an epoll set is readable when one of its sockets is ready);
 * on_readable asks it which nodes to read or write, so flush is never
 * needed (a node's unwritten output waits for EPOLLOUT in the set).
 *
 * Redirections: a MOVED sends the request to the named node in the next
 * round and updates that slot in the map; an ASK sends it after an ASKING
 * on that node's connection (one asked request per node and round); after
 * RC_MAX_REDIRECTS the error stands, as on the blocking path. The slot map
 * is not reread from CLUSTER SLOTS here (hiredis's reply objects block):
 * every other moved slot is learnt from its own MOVED. A MOVED to a node
 * not known yet connects to it (blocking, once per node).
 */

/* epoll_event.data of the eventfd that says "nothing to wait for". */
#define RC_EV_KICK UINT32_MAX

/* Watches node k's socket for events; 0 or -1. */
static int ev_watch(struct redis_cluster *cl, uint16_t k, uint32_t events)
{
	struct redis_node *nd = cl->nodes[k];
	struct redis_conn *nrc = nd->conn->priv;
	struct epoll_event e = {.events = events, .data.u32 = k};
	int fd = nrc && nrc->ctx ? nrc->ctx->fd : -1;

	if (fd < 0)
		return -1;
	if (nd->ev_watched && nd->ev_fd == fd && nd->ev_events == events)
		return 0;
	/* A socket closed since (a node reconnected) left the set by itself:
	 * MOD fails with ENOENT, ADD takes it. */
	if (!nd->ev_watched || nd->ev_fd != fd || epoll_ctl(cl->ev_epfd, EPOLL_CTL_MOD, fd, &e) < 0) {
		if (epoll_ctl(cl->ev_epfd, EPOLL_CTL_ADD, fd, &e) < 0 &&
		    (errno != EEXIST || epoll_ctl(cl->ev_epfd, EPOLL_CTL_MOD, fd, &e) < 0))
			return -1;
	}
	nd->ev_watched = 1;
	nd->ev_fd = fd;
	nd->ev_events = events;
	return 0;
}

int redis_cluster_event_fd(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	struct redis_cluster *cl = rc->cluster;
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = RC_EV_KICK};

	if (rc->ssl)
		return bench_conn_error(conn, "TLS (the event engine writes past hiredis_ssl)");
	if (cl->ev_made)
		return cl->ev_epfd;
	cl->ev_epfd = epoll_create1(EPOLL_CLOEXEC);
	cl->ev_kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (cl->ev_epfd < 0 || cl->ev_kick < 0 || epoll_ctl(cl->ev_epfd, EPOLL_CTL_ADD, cl->ev_kick, &e) < 0) {
		int err = errno;

		if (cl->ev_epfd >= 0)
			close(cl->ev_epfd);
		if (cl->ev_kick >= 0)
			close(cl->ev_kick);
		return bench_conn_lost(conn, "redis cluster: cannot watch the nodes: %s", strerror(err));
	}
	cl->ev_made = 1;
	return cl->ev_epfd;
}

/* The connection is lost part-way (a node's, or the batch timed out):
 * every request not settled gets st. Returns -1. */
static int ev_fail(struct bench_conn *conn, struct redis_cluster *cl, enum bench_status st)
{
	if (!conn->err)
		bench_conn_lost(conn, "redis cluster: out of memory");
	for (size_t k = 0; k < cl->nn; k++)
		cl->nodes[k]->ev_busy = 0;
	cl->ev_inflight = 0;
	for (size_t i = 0; i < cl->ev_n; i++)
		if (cl->route[i] != RC_NO_NODE)
			cl->ev_reqs[i].status = st;
	return -1;
}

/* Node nd's connection broke under its sub-batch: the cluster
 * connection is lost (as run_node). */
static int ev_node_lost(struct bench_conn *conn, struct redis_cluster *cl, struct redis_node *nd)
{
	if (nd->conn != conn)
		bench_conn_lost(conn, "redis cluster node %s:%d: %s", nd->host, nd->port, nd->conn->errstr);
	return ev_fail(conn, cl, BENCH_DISCONNECTED);
}

/* Sends node k's sub-batch (nd->sub[0..m)): its redirections noted in its
 * own notes, its socket watched. 0 or -1 (the connection lost). */
static int ev_send_node(struct bench_conn *conn, struct redis_cluster *cl, uint16_t k)
{
	struct redis_node *nd = cl->nodes[k];
	struct redis_conn *nrc;
	int r;

	if (redis_cluster_connect(cl, k) < 0 || !(nrc = nd->conn->priv))
		return ev_fail(conn, cl, BENCH_DISCONNECTED);
	if (grow((void **)&nd->ev_redir.notes, &nd->ev_notes_cap, nd->m, sizeof(*nd->ev_redir.notes)) < 0)
		return ev_fail(conn, cl, BENCH_DISCONNECTED);
	memset(nd->ev_redir.notes, 0, nd->m * sizeof(*nd->ev_redir.notes));
	nd->ev_redir.base = nd->sub;
	nd->ev_redir.n = nd->m;
	nrc->reply.error = note_redirect;
	nrc->reply.error_arg = &nd->ev_redir;
	nrc->ev_asking = nd->ev_asking;
	r = redis_ops_submit(nd->conn, nd->sub, nd->m);
	if (r < 0)
		return ev_node_lost(conn, cl, nd);
	if (ev_watch(cl, k, EPOLLIN | (r == 0 ? EPOLLOUT : 0)) < 0) {
		bench_conn_lost(conn, "redis cluster: cannot watch node %s:%d: %s", nd->host, nd->port, strerror(errno));
		return ev_fail(conn, cl, BENCH_DISCONNECTED);
	}
	nd->ev_busy = 1;
	cl->ev_inflight++;
	return 0;
}

/*
 * Starts the next round: what is not settled goes to its node, and a
 * request waiting for ASKING to a node that has nothing else in this
 * round. Returns 0 (nodes in flight, or nothing was left: the eventfd
 * makes the set readable), or -1.
 */
static int ev_round(struct bench_conn *conn, struct redis_cluster *cl)
{
	struct bench_request *reqs = cl->ev_reqs;
	size_t n = cl->ev_n;
	uint64_t one = 1;

	cl->ev_inflight = 0;
	if (unsettled(cl, n)) {
		if (node_room(cl, n) < 0)
			return ev_fail(conn, cl, BENCH_DISCONNECTED);
		fill_round(cl, reqs, n);
		for (size_t k = 0; k < cl->nn; k++)
			cl->nodes[k]->ev_asking = 0;
		for (size_t i = 0; i < n; i++) {
			struct redis_node *nd;

			if (cl->route[i] == RC_NO_NODE || !cl->asking[i] || cl->nodes[cl->route[i]]->m)
				continue;
			nd = cl->nodes[cl->route[i]];
			cl->asking[i] = 0;
			nd->ev_asking = 1;
			add_sub(nd, reqs, i);
		}
		for (size_t k = 0; k < cl->nn; k++)
			if (cl->nodes[k]->m && ev_send_node(conn, cl, (uint16_t)k) < 0)
				return -1;
	}
	if (cl->ev_inflight == 0 && write(cl->ev_kick, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return bench_conn_lost(conn, "redis cluster: eventfd: %s", strerror(errno));
	return 0;
}

int redis_cluster_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	struct redis_cluster *cl = rc->cluster;

	cl->ev_reqs = reqs;
	cl->ev_n = 0;
	cl->ev_inflight = 0;
	for (size_t k = 0; k < cl->nn; k++)
		cl->nodes[k]->m = 0; /* nothing of an earlier batch is settled again */
	if (redis_begin_batch(conn, reqs, n) < 0)
		return -1;
	if (!cl->ev_made || n > UINT32_MAX || scratch(cl, n) < 0) {
		bench_conn_lost(conn, cl->ev_made ? "redis cluster: out of memory for a batch of %zu" :
				"redis cluster: submit before event_fd (batch of %zu)", n);
		for (size_t i = 0; i < n; i++)
			reqs[i].status = BENCH_DISCONNECTED;
		return -1;
	}
	cl->ev_n = n;
	if (route_all(conn, cl, reqs, n, 0) < 0)
		return ev_fail(conn, cl, BENCH_DISCONNECTED);
	/* Written or watched for writing inside the set: never flush. */
	return ev_round(conn, cl) < 0 ? -1 : 1;
}

/* The round is over: every node's answers settled (a redirection routes
 * its request for the next round). 0 or -1. */
static int ev_settle_round(struct bench_conn *conn, struct redis_cluster *cl)
{
	for (size_t k = 0; k < cl->nn; k++) {
		struct redis_node *nd = cl->nodes[k];

		for (size_t j = 0; j < nd->m; j++)
			if (settle(conn, cl, cl->ev_reqs, nd, j, nd->ev_redir.notes) < 0)
				return ev_fail(conn, cl, BENCH_DISCONNECTED);
		nd->m = 0;
	}
	fuzzy_done(cl, cl->ev_reqs, cl->ev_n);
	return 0;
}

/* What epoll said of node k (or of the eventfd). 0, or -1 (lost). */
static int ev_node_event(struct bench_conn *conn, struct redis_cluster *cl, const struct epoll_event *e)
{
	struct redis_node *nd;
	struct redis_conn *nrc;
	uint64_t v;
	int r;

	if (e->data.u32 == RC_EV_KICK)
		return read(cl->ev_kick, &v, sizeof(v)) < 0 && errno != EAGAIN ? -1 : 0;
	if (e->data.u32 >= cl->nn)
		return 0;
	nd = cl->nodes[e->data.u32];
	if (!nd->ev_busy) {
		/* Readable with nothing asked: it closed, or sends what no
		 * request can be matched with. */
		bench_conn_lost(conn, "redis cluster node %s:%d: a reply nothing asked for, or closed", nd->host,
				nd->port);
		return ev_fail(conn, cl, BENCH_DISCONNECTED);
	}
	if ((e->events & EPOLLOUT) && (r = redis_ops_flush(nd->conn)) != 0) {
		if (r < 0)
			return ev_node_lost(conn, cl, nd);
		if (ev_watch(cl, (uint16_t)e->data.u32, EPOLLIN) < 0)
			return ev_fail(conn, cl, BENCH_DISCONNECTED);
	}
	if (!(e->events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return 0;
	r = redis_ops_on_readable(nd->conn);
	if (r < 0)
		return ev_node_lost(conn, cl, nd);
	if (r == 2 && ev_watch(cl, (uint16_t)e->data.u32, EPOLLIN | EPOLLOUT) < 0)
		return ev_fail(conn, cl, BENCH_DISCONNECTED);
	if (r == 1) {
		nd->ev_busy = 0;
		cl->ev_inflight--;
		if ((nrc = nd->conn->priv))
			nrc->reply.error = NULL;
	}
	return 0;
}

int redis_cluster_on_readable(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	struct redis_cluster *cl = rc->cluster;
	struct epoll_event evs[32];
	int got = epoll_wait(cl->ev_epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), 0);

	if (got < 0 && errno != EINTR) {
		bench_conn_lost(conn, "redis cluster: epoll_wait: %s", strerror(errno));
		return ev_fail(conn, cl, BENCH_DISCONNECTED);
	}
	for (int i = 0; i < got; i++)
		if (ev_node_event(conn, cl, &evs[i]) < 0)
			return -1;
	if (cl->ev_inflight)
		return 0;
	if (ev_settle_round(conn, cl) < 0)
		return -1;
	if (!unsettled(cl, cl->ev_n))
		return 1;
	return ev_round(conn, cl) < 0 ? -1 : 0;
}

void redis_cluster_expire(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	unsigned ms = conn->target->timeout_ms ? conn->target->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS;

	bench_conn_lost(conn, "redis cluster: timeout after %u ms", ms);
	ev_fail(conn, rc->cluster, BENCH_TIMEOUT);
}

/* ---- server counters ---- */

int redis_cluster_server_stats(struct bench_conn *conn, struct bench_server_stats *out)
{
	struct redis_cluster *cl = ((struct redis_conn *)conn->priv)->cluster;
	double sum = 0;
	size_t masters = 0;

	out->cpu_s = -1;
	for (size_t k = 0; k < cl->nn; k++) {
		struct bench_server_stats part;

		if (!cl->nodes[k]->master)
			continue;
		if (redis_cluster_connect(cl, (uint16_t)k) < 0 || redis_server_stats(cl->nodes[k]->conn, &part) < 0) {
			if (!conn->err)
				snprintf(conn->errstr, sizeof(conn->errstr), "%s", cl->nodes[k]->conn->errstr);
			return -1;
		}
		if (part.cpu_s < 0)
			return 0; /* one master does not say: the sum is unknown */
		sum += part.cpu_s;
		masters++;
	}
	out->cpu_s = sum;
	snprintf(out->cpu_source, sizeof(out->cpu_source), "INFO cpu, %zu masters", masters);
	return 0;
}
