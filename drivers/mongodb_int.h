/*
 * mongodb_int.h - private to the mongodb driver: the per-connection state
 * shared by mongodb.c (open/close and the request path) and mongodb_info.c
 * (connecting to the server and naming it). Not part of the driver ABI.
 */
#ifndef BENCH_MONGODB_INT_H
#define BENCH_MONGODB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"

/*
 * conn->priv of a mongodb connection. Allocated zeroed by mongo_open(),
 * which owns it and every member; mongo_close() frees it all (members
 * still NULL are skipped).
 */
struct mongo_priv {
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	/* socketTimeoutMS in effect (0 = none), to tell a timeout from a reset. */
	int32_t sock_timeout_ms;
	/* The server is FerretDB (buildInfo has ferretdbVersion): see
	 * mongo_build_set_update() in mongodb.c. */
	bool ferretdb;
	/*
	 * Reused for every request: bson_reinit() keeps a heap buffer once a
	 * document outgrew the inline one, so a steady workload stops
	 * allocating here. They are heap bson_t (bson_new) because a bson_t is
	 * 128-byte aligned, which malloc() does not promise for this struct.
	 */
	bson_t *filter;
	bson_t *doc;
	bson_t *opts_find_n;
	/* Built once in open. */
	bson_t *opts_find_1;   /* {limit: 1, projection: {v: 1}} */
	bson_t *opts_upsert;   /* {upsert: true} */
	bson_t *opts_unordered; /* {ordered: false} */
	/* Indices into the batch, grouped by op; grown when a batch is larger
	 * than any before (so not per request). */
	size_t *idx;
	size_t idx_cap;
};

/*
 * Connects p to the server named by conn->target: parses its URI, applies
 * the driver's defaults (timeouts from the target, retries off, appname)
 * where the URI sets none, creates p->client and p->coll (database db,
 * collection coll), sets p->sock_timeout_ms, then checks that the server
 * answers ping and buildInfo and sets p->ferretdb. libmongoc must be
 * initialized. Returns 0, or -1 with the reason in conn->errstr; either
 * way p->client and p->coll, when set, belong to p (freed by mongo_close).
 */
int mongo_connect(struct bench_conn *conn, struct mongo_priv *p, const char *db, const char *coll);

/*
 * The server_info hook (see driver.h): zeroes *out and fills it from
 * buildInfo, serverStatus and hello (isMaster before MongoDB 4.4.2), and on
 * FerretDB its getLog startup lines. Returns 0, or -1 with the reason in
 * conn->errstr when the connection is not open or buildInfo fails. All
 * replies are freed before it returns; out holds copies.
 */
int mongo_server_info(struct bench_conn *conn, struct bench_server_info *out);

#endif
