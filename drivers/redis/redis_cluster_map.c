/*
 * redis_cluster_map.c - Redis Cluster: detection (INFO cluster), the node
 * table, the slot map read from CLUSTER SLOTS, and the connections to the
 * masters. Setup and redirection paths only: these allocate and use
 * hiredis's reply objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_cluster.h"
#include "redis_int.h"

redisReply *redis_cluster_command(struct redis_conn *rc, int argc, const char **argv)
{
	redisReplyObjectFunctions *fn = rc->ctx->reader->fn;
	redisReply *r;

	/* Before redis_open switches to the slot, default_fn is still NULL
	 * and the reader already builds objects. */
	if (rc->default_fn)
		rc->ctx->reader->fn = rc->default_fn;
	r = redis_command_argv(rc->ctx, rc->reply_cap, argc, argv, NULL);
	rc->ctx->reader->fn = fn;
	return r;
}

static void node_free(struct redis_node *nd)
{
	if (!nd)
		return;
	if (nd->conn == &nd->own && nd->own.driver)
		nd->own.driver->close(&nd->own);
	free(nd->options);
	free(nd->sub);
	free(nd->origin);
	free(nd->ev_redir.notes);
	free(nd);
}

/* Closes node k's own connection (it serves no slot any more, or it
 * failed); redis_cluster_connect reopens it when it is needed again. */
static void node_disconnect(struct redis_node *nd)
{
	if (nd->conn != &nd->own || !nd->own.priv)
		return;
	nd->own.driver->close(&nd->own);
	nd->own.priv = NULL;
	nd->own.err = 0;
}

/* Adds node host:port (id may be ""); its index, or RC_NO_NODE (out of
 * memory, RC_MAX_NODES already, or an address that makes no URI). Not
 * connected yet. */
static uint16_t node_add(struct redis_cluster *cl, const char *host, int port, const char *id)
{
	const struct bench_target *t = cl->seed->target;
	struct redis_node *nd;

	if (cl->nn >= RC_MAX_NODES)
		return RC_NO_NODE;
	if (cl->nn == cl->ncap) {
		size_t cap = cl->ncap ? cl->ncap * 2 : 8;
		struct redis_node **v = realloc(cl->nodes, cap * sizeof(*v));

		if (!v)
			return RC_NO_NODE;
		cl->nodes = v;
		cl->ncap = cap;
	}
	nd = calloc(1, sizeof(*nd));
	if (!nd || !(nd->options = calloc(t->n_options + 1, sizeof(*nd->options)))) {
		free(nd);
		return RC_NO_NODE;
	}
	snprintf(nd->host, sizeof(nd->host), "%s", host);
	snprintf(nd->id, sizeof(nd->id), "%s", id);
	nd->port = port;
	if (redis_cluster_node_uri(nd->uri, sizeof(nd->uri), t->uri, host, port) < 0) {
		free(nd->options);
		free(nd);
		return RC_NO_NODE;
	}
	/* The seed's target, as a single node without indexes: the first
	 * option wins (bench_target_option), so the node never recurses. */
	nd->options[0] = (struct bench_option){ "cluster", "off" };
	for (size_t k = 0; k < t->n_options; k++)
		nd->options[k + 1] = t->options[k];
	nd->target = *t;
	nd->target.uri = nd->uri;
	nd->target.options = nd->options;
	nd->target.n_options = t->n_options + 1;
	nd->target.index_range = 0;
	nd->target.index_query = 0;
	nd->conn = &nd->own;
	/* The seed itself is a master: its connection serves that node. */
	if (id[0] && strcmp(id, cl->seed_id) == 0)
		nd->conn = cl->seed;
	cl->nodes[cl->nn] = nd;
	return (uint16_t)cl->nn++;
}

static uint16_t node_find(const struct redis_cluster *cl, const char *host, int port)
{
	for (size_t k = 0; k < cl->nn; k++)
		if (cl->nodes[k]->port == port && strcmp(cl->nodes[k]->host, host) == 0)
			return (uint16_t)k;
	return RC_NO_NODE;
}

/* node_add refused node addr: the seed's connection is lost (-1). */
static int node_refused(struct redis_cluster *cl, const char *addr)
{
	if (cl->nn >= RC_MAX_NODES)
		return bench_conn_lost(cl->seed, "redis cluster: more than %d nodes (a Redis Cluster has at most about "
				       "1000): node %s is not used", RC_MAX_NODES, addr);
	return bench_conn_lost(cl->seed, "redis cluster: out of memory for node %s", addr);
}

uint16_t redis_cluster_node_at(struct redis_cluster *cl, const char *addr)
{
	const char *colon = strrchr(addr, ':');
	char host[64];
	uint16_t k;
	long port;
	char *end;

	if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof(host))
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || (*end && *end != '@') || port < 1 || port > 65535)
		goto bad;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	k = node_find(cl, host, (int)port);
	if (k == RC_NO_NODE && (k = node_add(cl, host, (int)port, "")) == RC_NO_NODE)
		node_refused(cl, addr);
	return k;

bad:
	bench_conn_lost(cl->seed, "redis cluster: bad node address '%s' in a redirection", addr);
	return RC_NO_NODE;
}

int redis_cluster_connect(struct redis_cluster *cl, uint16_t k)
{
	struct redis_node *nd = cl->nodes[k];

	if (nd->conn == cl->seed || (nd->own.priv && !nd->own.err))
		return cl->seed->err ? -1 : 0;
	node_disconnect(nd);
	nd->own.driver = cl->seed->driver;
	nd->own.target = &nd->target;
	nd->own.err = 0;
	nd->own.errstr[0] = '\0';
	if (nd->own.driver->open(&nd->own) < 0) {
		bench_conn_lost(cl->seed, "redis cluster node %s:%d: %s", nd->host, nd->port, nd->own.errstr);
		node_disconnect(nd);
		return -1;
	}
	return 0;
}

/* Whether e is a CLUSTER SLOTS entry: start, end, [host, port, id?, ...]. */
static int slots_entry_ok(const redisReply *e)
{
	const redisReply *m;

	if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 || e->element[0]->type != REDIS_REPLY_INTEGER ||
	    e->element[1]->type != REDIS_REPLY_INTEGER || e->element[2]->type != REDIS_REPLY_ARRAY)
		return 0;
	m = e->element[2];
	if (m->elements < 2 || m->element[0]->type != REDIS_REPLY_STRING || m->element[1]->type != REDIS_REPLY_INTEGER)
		return 0;
	return e->element[0]->integer >= 0 && e->element[0]->integer <= e->element[1]->integer &&
	       e->element[1]->integer < (long long)REDIS_CLUSTER_SLOTS;
}

/* Applies a CLUSTER SLOTS reply: the map and which nodes are masters.
 * Returns 0, or -1 with the seed connection lost. */
static int apply_slots(struct redis_cluster *cl, const redisReply *r)
{
	for (size_t k = 0; k < cl->nn; k++)
		cl->nodes[k]->master = 0;
	for (unsigned s = 0; s < REDIS_CLUSTER_SLOTS; s++)
		cl->slot_node[s] = RC_NO_NODE;
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i], *m;
		const char *host, *id;
		uint16_t k;
		int port;

		if (!slots_entry_ok(e))
			return bench_conn_lost(cl->seed, "redis cluster: unexpected CLUSTER SLOTS entry %zu", i);
		m = e->element[2];
		/* An empty host (or "?") means the node we asked does not know
		 * its own address: it is the one we reached. */
		host = m->element[0]->str[0] && strcmp(m->element[0]->str, "?") != 0 ? m->element[0]->str : cl->seed_host;
		port = (int)m->element[1]->integer;
		id = m->elements > 2 && m->element[2]->type == REDIS_REPLY_STRING ? m->element[2]->str : "";
		k = node_find(cl, host, port);
		if (k == RC_NO_NODE && (k = node_add(cl, host, port, id)) == RC_NO_NODE) {
			char addr[80];

			snprintf(addr, sizeof(addr), "%s:%d", host, port);
			return node_refused(cl, addr);
		}
		if (id[0] && !cl->nodes[k]->id[0])
			snprintf(cl->nodes[k]->id, sizeof(cl->nodes[k]->id), "%s", id);
		cl->nodes[k]->master = 1;
		for (long long s = e->element[0]->integer; s <= e->element[1]->integer; s++)
			cl->slot_node[s] = k;
	}
	/* One connection per master: a node that serves nothing now is let go. */
	for (size_t k = 0; k < cl->nn; k++)
		if (!cl->nodes[k]->master)
			node_disconnect(cl->nodes[k]);
	return 0;
}

/* CLUSTER SLOTS over rc; 0, 1 (this node did not answer), -1 (lost). */
static int refresh_from(struct redis_cluster *cl, struct redis_conn *rc)
{
	const char *argv[2] = { "CLUSTER", "SLOTS" };
	redisReply *r;
	int ret;

	if (!rc || !rc->ctx || rc->ctx->err)
		return 1;
	r = redis_cluster_command(rc, 2, argv);
	if (!r)
		return 1;
	if (r->type != REDIS_REPLY_ARRAY) {
		ret = r->type == REDIS_REPLY_ERROR ? bench_conn_lost(cl->seed, "redis cluster: CLUSTER SLOTS failed: %s", r->str)
						   : bench_conn_lost(cl->seed, "redis cluster: CLUSTER SLOTS: unexpected reply");
	} else {
		ret = apply_slots(cl, r);
	}
	freeReplyObject(r);
	return ret;
}

int redis_cluster_refresh(struct redis_cluster *cl)
{
	int ret = cl->seed->err ? 1 : refresh_from(cl, cl->seed->priv);

	for (size_t k = 0; ret > 0 && k < cl->nn; k++)
		if (cl->nodes[k]->conn != cl->seed && !cl->nodes[k]->own.err)
			ret = refresh_from(cl, cl->nodes[k]->own.priv);
	if (ret > 0)
		return bench_conn_lost(cl->seed, "redis cluster: no node answered CLUSTER SLOTS");
	return ret;
}

/* INFO cluster says cluster_enabled:1. 1 yes, 0 no, -1 (lost). */
static int cluster_enabled(struct bench_conn *conn, int required)
{
	struct redis_conn *rc = conn->priv;
	const char *argv[2] = { "INFO", "cluster" };
	redisReply *r = redis_cluster_command(rc, 2, argv);
	int on;

	if (!r)
		return bench_conn_lost(conn, "redis: INFO cluster: %s", redis_ctx_errtext(conn, rc->ctx));
	on = (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) && strstr(r->str, "cluster_enabled:1");
	if (!on && required)
		bench_conn_lost(conn, "redis: option cluster is on but %s is not a cluster node (INFO cluster: %s)",
				bench_uri_public(conn->target->uri),
				r->type == REDIS_REPLY_ERROR ? r->str : "cluster_enabled:0");
	freeReplyObject(r);
	return conn->err ? -1 : on;
}

static int read_myid(struct bench_conn *conn, struct redis_cluster *cl)
{
	const char *argv[2] = { "CLUSTER", "MYID" };
	redisReply *r = redis_cluster_command(conn->priv, 2, argv);
	int ret = 0;

	if (!r)
		return bench_conn_lost(conn, "redis: CLUSTER MYID: %s", redis_ctx_errtext(conn, ((struct redis_conn *)conn->priv)->ctx));
	if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
		snprintf(cl->seed_id, sizeof(cl->seed_id), "%s", r->str);
	else
		ret = bench_conn_lost(conn, "redis: CLUSTER MYID failed: %s", r->type == REDIS_REPLY_ERROR ? r->str : "?");
	freeReplyObject(r);
	return ret;
}

int redis_cluster_open(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	const char *mode = bench_target_option(conn->target, "cluster");
	struct redis_cluster *cl;
	int on;

	if (mode && strcmp(mode, "off") == 0)
		return 0;
	if (mode && strcmp(mode, "on") != 0 && strcmp(mode, "auto") != 0)
		return bench_conn_lost(conn, "redis: option cluster must be 'auto', 'on' or 'off', not '%s'", mode);
	on = cluster_enabled(conn, mode && strcmp(mode, "on") == 0);
	if (on <= 0)
		return on;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return bench_conn_lost(conn, "redis: out of memory");
	rc->cluster = cl;
	cl->seed = conn;
	snprintf(cl->seed_host, sizeof(cl->seed_host), "%s", rc->ctx->tcp.host ? rc->ctx->tcp.host : "127.0.0.1");
	/* No index can live in one slot with records spread over the
	 * cluster: range and query are unsupported (redis_cluster.c). */
	rc->idx_range = rc->idx_query = 0;
	if (read_myid(conn, cl) < 0 || redis_cluster_refresh(cl) < 0)
		return -1;
	for (size_t k = 0; k < cl->nn; k++)
		if (cl->nodes[k]->master && redis_cluster_connect(cl, (uint16_t)k) < 0)
			return -1;
	return 0;
}

void redis_cluster_free(struct redis_cluster *cl)
{
	if (!cl)
		return;
	for (size_t k = 0; k < cl->nn; k++)
		node_free(cl->nodes[k]);
	free(cl->nodes);
	free(cl->redir.notes);
	free(cl->route);
	free(cl->hops);
	free(cl->asking);
	if (cl->ev_made) {
		close(cl->ev_epfd);
		close(cl->ev_kick);
	}
	free(cl);
}
