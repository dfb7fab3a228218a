/*
 * claims_standin.h - a claim about a server gets a verdict only from that
 * server (docs/claims.md, "Stand-ins"). When a target the claim's expect:
 * reads was answered by another server that speaks its protocol (the
 * driver says so: run.json's server.stands_in_for, e.g. FerretDB for
 * MongoDB), the claim is NOT RUN with this module's reason; the figures
 * are the stand-in's, kept apart from the verdict.
 */
#ifndef BENCH_CLAIMS_STANDIN_H
#define BENCH_CLAIMS_STANDIN_H

#include <stddef.h>

#include "claims_expr.h"

/* A target the expression reads whose server was a stand-in, or the
 * store of a cache-aside phase it reads that was one (the figures of
 * `redis.aside.get` are the cache's and the store's together). */
struct claim_stand_in {
	char *target;          /* the target's name */
	char *phase;           /* NULL: the target's own server; else the
				* cache-aside phase whose store stood in */
	char *server;          /* what answered, as summary.csv names it:
				* "FerretDB v1.24.2 (SQLite, indexed _id)" */
	char *stands_in_for;   /* the product it stood in for: "MongoDB" */
};

/*
 * Reads the claim run's run.json (`run_json`) and lists the targets that
 * `e` reads whose server stood in for another, and the cache-aside phases
 * it reads (a metric naming the phase, or naming none) whose store
 * stood in for another (run.json's cache_aside.store_stands_in_for), in
 * the order the expression first names them. Returns their number (0: none; *out NULL),
 * or -1 with why in err (errlen bytes) when run.json cannot be read or
 * parsed. Free the list with claim_stand_ins_free.
 */
int claim_stand_ins(const struct cx_expr *e, const char *run_json, struct claim_stand_in **out, char *err,
		    size_t errlen);
void claim_stand_ins_free(struct claim_stand_in *s, size_t n);

/*
 * The NOT RUN reason, key words first, e.g. "needs MongoDB: the mongodb
 * target here was FerretDB v1.24.2 (SQLite, indexed _id); `docker compose
 * up -d` then `bench claims --servers external --only ID`". `profile` is
 * the claim's needs.profile (NULL: none): the compose command starts it.
 * When a cache-aside store stood in, the remedy is the real server
 * installed where bench runs: bench spawns a store itself, also under
 * --servers external (where the phase refuses to run). Caller frees.
 */
char *claim_stand_in_reason(const char *id, const char *profile, const struct claim_stand_in *s, size_t n);

#endif
