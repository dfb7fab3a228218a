/*
 * aside_lru - the known answer of a cache-aside phase: the hit ratio an
 * exact LRU cache of CAPACITY items would have on the phase's key
 * sequence (client 0, repeat 1; aside.h's aside_stream and aside_next, the
 * draws the phase makes). A read of a cached key is a hit and makes it the
 * most recent; a miss caches it (the write-back), evicting the least
 * recent when full. A write invalidates (on_write: invalidate) or caches
 * the key (update). Prints "reads R hits H hit_ratio X".
 *
 * Usage: aside_lru WORKLOAD.yaml PHASE CAPACITY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aside.h"
#include "util.h"

struct lru {
	uint64_t *prev, *next;  /* by record id; NONE ends the list */
	unsigned char *in;
	uint64_t head, tail, n, cap; /* head = most recent */
};

#define NONE UINT64_MAX

static void unlink_id(struct lru *l, uint64_t id)
{
	if (l->prev[id] != NONE)
		l->next[l->prev[id]] = l->next[id];
	else
		l->head = l->next[id];
	if (l->next[id] != NONE)
		l->prev[l->next[id]] = l->prev[id];
	else
		l->tail = l->prev[id];
	l->in[id] = 0;
	l->n--;
}

static void push_front(struct lru *l, uint64_t id)
{
	if (l->in[id])
		unlink_id(l, id);
	if (l->n == l->cap && l->tail != NONE)
		unlink_id(l, l->tail);
	l->prev[id] = NONE;
	l->next[id] = l->head;
	if (l->head != NONE)
		l->prev[l->head] = id;
	l->head = id;
	if (l->tail == NONE)
		l->tail = id;
	l->in[id] = 1;
	l->n++;
}

int main(int argc, char **argv)
{
	struct workload *w = NULL;
	char *errors = NULL;
	const struct wl_phase *ph = NULL;
	size_t pi = 0;
	struct dist *keys = NULL;
	struct dist_cursor cur;
	struct rng r;
	struct lru l = {0};
	uint64_t reads = 0, hits = 0, records;
	double rw, share;
	char err[256];

	if (argc != 4) {
		fprintf(stderr, "usage: aside_lru WORKLOAD.yaml PHASE CAPACITY\n");
		return 2;
	}
	if (workload_load(argv[1], NULL, 0, &w, &errors) != 0) {
		fprintf(stderr, "%s", errors ? errors : "");
		return 2;
	}
	for (size_t i = 0; i < w->n_phases && !ph; i++)
		if (!strcmp(w->phases[i].name, argv[2]) && w->phases[i].type == WL_PHASE_CACHE_ASIDE)
			ph = &w->phases[pi = i];
	if (!ph || !ph->ops) {
		fprintf(stderr, "aside_lru: no cache-aside phase '%s' with ops\n", argv[2]);
		return 2;
	}
	if (dist_init(&w->keyspace.dist, &keys, err, sizeof(err)) < 0) {
		fprintf(stderr, "aside_lru: %s\n", err);
		return 2;
	}
	records = w->keyspace.records;
	l.cap = strtoull(argv[3], NULL, 10);
	l.prev = xcalloc(records, sizeof(*l.prev));
	l.next = xcalloc(records, sizeof(*l.next));
	l.in = xcalloc(records, 1);
	l.head = l.tail = NONE;
	rw = ph->mix[BENCH_OP_GET] + ph->mix[BENCH_OP_SET];
	share = rw > 0 ? ph->mix[BENCH_OP_GET] / rw : 1;
	aside_stream(&r, w, 1, pi, 0);
	dist_cursor_init(keys, &cur, 0);
	for (uint64_t n = 0; n < ph->ops && l.cap; n++) {
		uint64_t id;

		if (aside_next(keys, &cur, &r, share, &id)) {
			reads++;
			hits += l.in[id];
			push_front(&l, id);
		} else if (ph->on_write_update) {
			push_front(&l, id);
		} else if (l.in[id]) {
			unlink_id(&l, id);
		}
	}
	printf("reads %llu hits %llu hit_ratio %.6f\n", (unsigned long long)reads, (unsigned long long)hits,
	       reads ? (double)hits / (double)reads : 0.0);
	free(l.prev);
	free(l.next);
	free(l.in);
	dist_free(keys);
	workload_free(w);
	free(errors);
	return 0;
}
