/*
 * redis_cluster.h - private to the redis driver: Redis Cluster support
 * (docs/drivers.md, "Redis Cluster"). A cluster connection is the seed
 * connection redis.c opened (its redis_conn gets a struct redis_cluster)
 * plus one connection per master node, each an ordinary single-node
 * bench_conn of the same driver opened with the option cluster: off. A
 * batch is split by the slot of each request's key into one sub-batch per
 * master, each run by the single-node path (redis_ops_exec/_load), and the
 * answers are copied back in request order. MOVED and ASK replies are
 * noticed through the node reader's error hook while a node runs its
 * sub-batch, followed and counted in the connection's counters
 * (REDIS_COUNTER_MOVED, REDIS_COUNTER_ASK).
 *
 * redis_cluster_map.c: detection, the node table, the slot map (CLUSTER
 * SLOTS) and node connections. redis_cluster.c: routing a batch.
 */
#ifndef BENCH_REDIS_CLUSTER_H
#define BENCH_REDIS_CLUSTER_H

#include <stdint.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_int.h"
#include "redis_slot.h"

/* No node serves the slot (slot_node[] entry). */
#define RC_NO_NODE UINT16_MAX
/* Nodes one connection learns, from CLUSTER SLOTS and redirections, at
 * most: Redis Cluster's documented limit is about 1000 nodes, and a server
 * that redirects to a new address every time would otherwise make bench
 * keep a node (and a connection) per address. */
#define RC_MAX_NODES 1024
/* Redirections followed per request within one batch before its error
 * stands (hiredis-cluster and redis-cli stop at a handful too). */
#define RC_MAX_REDIRECTS 5

enum { RC_NOTE_NONE = 0, RC_NOTE_MOVED, RC_NOTE_ASK };

/* A MOVED or ASK answer to request [i] of the sub-batch being run. */
struct redis_redir_note {
	uint8_t kind;           /* RC_NOTE_* */
	uint16_t slot;
	char addr[80];          /* host:port as the server wrote it */
};

/* Where the reader notes redirections: the sub-batch being run (the error
 * hook's argument on the node connection running it). */
struct redis_redir {
	const struct bench_request *base;
	size_t n;
	struct redis_redir_note *notes;
};

struct redis_node {
	char id[48];            /* node id from CLUSTER SLOTS ("" if not given) */
	char host[64];
	int port;
	int master;             /* serves slots in the current map */
	struct bench_conn *conn; /* &own, or the seed's own bench_conn */
	struct bench_conn own;
	struct bench_target target; /* the seed's, uri and options its own */
	char uri[512];
	struct bench_option *options;
	/* The batch being split: copies of the requests for this node and
	 * where each came from. */
	struct bench_request *sub;
	uint32_t *origin;
	size_t m, cap;
	int sent;               /* redis_node_send's answer for the sub-batch */
	/* The event engine (redis_cluster.c): the sub-batch in flight on
	 * this node (busy), its redirections, whether it goes after ASKING,
	 * and the node's socket in the connection's epoll set (watched: fd
	 * registered for events). */
	struct redis_redir ev_redir;
	size_t ev_notes_cap;
	int ev_busy, ev_asking, ev_watched, ev_fd;
	uint32_t ev_events;
};

struct redis_cluster {
	struct bench_conn *seed;        /* the connection the harness holds */
	char seed_id[48];               /* CLUSTER MYID of the seed */
	char seed_host[64];             /* for an empty host in CLUSTER SLOTS */
	struct redis_node **nodes;      /* stable addresses: bench_conns live in them */
	size_t nn, ncap;
	uint16_t slot_node[REDIS_CLUSTER_SLOTS];
	struct redis_redir redir;
	size_t notes_cap;
	/* Per request of the batch: where it is sent next (node index,
	 * RC_NO_NODE = settled) and redirections followed so far. */
	uint16_t *route;
	uint8_t *hops, *asking;
	size_t route_cap;
	/* The event engine: an epoll set of the nodes' sockets (the
	 * connection's event_fd) and an eventfd in it that makes it readable
	 * when a batch needs no server (ev_made: both exist); the batch in
	 * flight and how many nodes still run its round. */
	int ev_made, ev_epfd, ev_kick;
	struct bench_request *ev_reqs;
	size_t ev_n, ev_inflight;
};

/* redis_cluster_map.c */

/*
 * Called by redis_open on a connection that is set up (AUTH, SELECT) and
 * still reads replies into hiredis objects. Option cluster: off does
 * nothing; auto (default) asks INFO cluster and, when cluster_enabled is 1,
 * reads the slot map and connects to every master; on requires it.
 * Returns 0, or -1 with conn->err set.
 */
int redis_cluster_open(struct bench_conn *conn);
void redis_cluster_free(struct redis_cluster *cl);
/* Rereads the slot map (CLUSTER SLOTS) from the seed or, failing it, any
 * node. 0, or -1 (no node answered; conn lost). */
int redis_cluster_refresh(struct redis_cluster *cl);
/* The index of the node at addr ("host:port"), added (and connected) when
 * new; RC_NO_NODE with the seed connection lost when it cannot be. */
uint16_t redis_cluster_node_at(struct redis_cluster *cl, const char *addr);
/* Connects node k if it is not; 0 or -1 (the seed connection lost). */
int redis_cluster_connect(struct redis_cluster *cl, uint16_t k);
/* Runs a command with hiredis's reply objects on rc's context (setup, not
 * the hot path); NULL when the link failed. */
redisReply *redis_cluster_command(struct redis_conn *rc, int argc, const char **argv);

/* redis_cluster.c */

/* exec (load = 0) and load (load = 1) of a cluster connection: the exec
 * contract of driver.h. */
int redis_cluster_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n, int load);
/* The event hooks of a cluster connection (driver.h): every node's
 * sub-batch in flight at once, each on the single-node event path
 * (redis_ops_submit ...), the nodes' sockets watched through one epoll
 * set, which is the connection's event_fd; MOVED and ASK followed in
 * later rounds. */
int redis_cluster_event_fd(struct bench_conn *conn);
int redis_cluster_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n);
int redis_cluster_on_readable(struct bench_conn *conn);
void redis_cluster_expire(struct bench_conn *conn);
/* server_stats summed over the masters. */
int redis_cluster_server_stats(struct bench_conn *conn, struct bench_server_stats *out);

#endif
