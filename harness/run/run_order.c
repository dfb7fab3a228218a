/*
 * run_order.c - the blocks of a `bench run` (target x sweep point x repeat)
 * in the workload's order, each target's server up from its first block to
 * its last, and the results sorted back into one order (run_order.h).
 */
#include <stdlib.h>
#include <string.h>

#include "run_order.h"
#include "rng.h"
#include "runner.h"
#include "util.h"

/* The rng stream the order is drawn from: apart from every client's
 * (runner.c seeds those by repeat, phase and client). */
#define ORDER_STREAM 0x6f72646572ull /* "order" */

struct run_order_block *run_order_plan(enum wl_order order, uint64_t seed, size_t n_targets,
				       struct workload *const *points, size_t n_points, size_t *n)
{
	struct run_order_block *plan;
	size_t count = 0, k = 0;
	struct rng rng;

	for (size_t pt = 0; pt < n_points; pt++)
		count += points[pt]->repeat;
	count *= n_targets;
	*n = count;
	if (!count)
		return NULL;
	plan = xcalloc(count, sizeof(*plan));
	for (size_t t = 0; t < n_targets; t++)
		for (size_t pt = 0; pt < n_points; pt++)
			for (uint64_t rep = 1; rep <= points[pt]->repeat; rep++)
				plan[k++] = (struct run_order_block){t, pt, rep};
	if (order == WL_ORDER_SEQUENTIAL)
		return plan;
	/* Fisher-Yates over the sequential list: every order equally likely. */
	rng_seed(&rng, seed, ORDER_STREAM);
	for (size_t i = count - 1; i > 0; i--) {
		size_t j = (size_t)rng_below(&rng, (uint64_t)i + 1);
		struct run_order_block tmp = plan[i];

		plan[i] = plan[j];
		plan[j] = tmp;
	}
	return plan;
}

/* Whether the sweep sets only keys of run phases: then every point loads
 * the same data (a load phase, the keyspace and the values are the same). */
static bool sweep_sets_run_phases_only(const struct workload *w)
{
	if (!w->sweep.key || !w->sweep.n_paths)
		return !w->sweep.key;
	for (size_t i = 0; i < w->sweep.n_paths; i++) {
		const char *path = w->sweep.paths[i], *name, *dot;
		bool run_phase = false;

		if (strncmp(path, "phases.", 7) != 0)
			return false;
		name = path + 7;
		if (!(dot = strchr(name, '.')))
			return false;
		for (size_t j = 0; j < w->n_phases; j++) {
			const struct wl_phase *ph = &w->phases[j];
			char idx[24];

			snprintf(idx, sizeof(idx), "%zu", j);
			if ((ph->name && strlen(ph->name) == (size_t)(dot - name) && !strncmp(ph->name, name, (size_t)(dot - name))) ||
			    (strlen(idx) == (size_t)(dot - name) && !strncmp(idx, name, (size_t)(dot - name))))
				run_phase = ph->type == WL_PHASE_RUN;
		}
		if (!run_phase)
			return false;
	}
	return true;
}

void run_order_groups(const struct workload *w, struct workload *const *points, size_t n_points, size_t *groups)
{
	bool shared = sweep_sets_run_phases_only(w);

	(void)points;
	for (size_t pt = 0; pt < n_points; pt++) {
		groups[pt] = pt;
		for (size_t q = 0; q < pt && groups[pt] == pt; q++)
			if (shared || !strcmp(w->sweep.values[q], w->sweep.values[pt]))
				groups[pt] = q;
	}
}

/* The address of a target's server when bench does not spawn it; NULL when
 * it does (or the driver has none). */
static const char *external_address(const struct run_args *a, const struct target_result *t)
{
	if (!(t->driver->caps & BENCH_CAP_NETWORK))
		return NULL;
	if (t->target->uri)
		return t->target->uri;
	return strcmp(a->servers, "external") == 0 ? servers_external_uri(t->driver) : NULL;
}

/* Two targets on one server bench did not start write under one prefix:
 * run at once, one's check would refuse the other's keys, and one's
 * cleanup remove them. Returns the second's index, or -1. */
static long shared_server(const struct run_args *a, const struct results *r, size_t *first)
{
	for (size_t i = 0; i < r->n_targets; i++) {
		const char *x = r->targets[i].skipped ? NULL : external_address(a, &r->targets[i]);

		for (size_t j = i + 1; x && j < r->n_targets; j++) {
			const char *y = r->targets[j].skipped ? NULL : external_address(a, &r->targets[j]);

			if (y && !strcmp(x, y) && !strcmp(r->targets[i].driver->name, r->targets[j].driver->name)) {
				*first = i;
				return (long)j;
			}
		}
	}
	return -1;
}

/* The sort key of a run: point, repeat, the phase's place in the workload,
 * then the order it was added in (a warmup before its run). */
struct run_key {
	size_t point, phase, added;
	uint64_t repeat;
};

static int cmp_key(const void *x, const void *y)
{
	const struct run_key *a = x, *b = y;

	if (a->point != b->point)
		return a->point < b->point ? -1 : 1;
	if (a->repeat != b->repeat)
		return a->repeat < b->repeat ? -1 : 1;
	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	return a->added < b->added ? -1 : a->added > b->added;
}

/* The runs of t by point, repeat and phase, as a sequential run adds them. */
static void sort_runs(struct target_result *t, struct workload *const *points)
{
	struct run_key *keys;
	struct phase_result *sorted;

	if (!t->n_runs)
		return;
	keys = xcalloc(t->n_runs, sizeof(*keys));
	sorted = xcalloc(t->n_runs, sizeof(*sorted));

	for (size_t i = 0; i < t->n_runs; i++) {
		const struct phase_result *p = &t->runs[i];

		keys[i] = (struct run_key){p->point, (size_t)(p->phase - points[p->point]->phases), i, p->repeat};
	}
	qsort(keys, t->n_runs, sizeof(*keys), cmp_key);
	for (size_t i = 0; i < t->n_runs; i++)
		sorted[i] = t->runs[keys[i].added];
	memcpy(t->runs, sorted, t->n_runs * sizeof(*sorted));
	free(sorted);
	free(keys);
}

enum slot_state { SLOT_IDLE, SLOT_UP, SLOT_DONE };

void run_order_run(const struct run_args *a, struct results *r, struct workload *const *points, size_t n_points,
		   struct server_set **set, const struct run_order_hooks *h)
{
	const struct workload *w = r->w;
	enum wl_order order = w->order;
	size_t n = 0, first = 0, *groups = xcalloc(n_points, sizeof(*groups));
	size_t *last = xcalloc(r->n_targets ? r->n_targets : 1, sizeof(*last));
	bool *keeps = xcalloc(n_points * (r->n_targets ? r->n_targets : 1), sizeof(*keeps));
	struct run_slot *slots = xcalloc(r->n_targets ? r->n_targets : 1, sizeof(*slots));
	enum slot_state *state = xcalloc(r->n_targets ? r->n_targets : 1, sizeof(*state));
	struct run_order_block *plan;
	uint64_t t0 = util_now_ns();
	long shared;

	if (order == WL_ORDER_RANDOM && (shared = shared_server(a, r, &first)) >= 0) {
		results_warn(r, "order: sequential, not random: targets %s and %s share the server %s bench did not "
			     "start, and one prefix; run at once, one would refuse or remove the other's keys",
			     r->targets[first].target->name, r->targets[shared].target->name,
			     r->targets[shared].target->uri ? r->targets[shared].target->uri
							   : servers_external_uri(r->targets[shared].driver));
		order = WL_ORDER_SEQUENTIAL;
	}
	r->order = workload_order_name(order);
	r->order_seed = w->seed;
	plan = run_order_plan(order, w->seed, r->n_targets, points, n_points, &n);
	run_order_groups(w, points, n_points, groups);
	/* Per point and target: a phase another target runs (its `targets`
	 * key) changes nothing on this one's server. */
	for (size_t pt = 0; pt < n_points; pt++)
		for (size_t k = 0; k < r->n_targets; k++) {
			size_t ti = (size_t)(r->targets[k].target - w->targets);

			keeps[pt * r->n_targets + k] = true;
			for (size_t i = 0; i < points[pt]->n_phases; i++)
				if (workload_phase_on(&points[pt]->phases[i], ti))
					keeps[pt * r->n_targets + k] &= run_phase_keeps_data(&points[pt]->phases[i]);
		}
	for (size_t i = 0; i < n; i++)
		last[plan[i].target] = i;
	for (size_t i = 0; i < r->n_targets; i++)
		slots[i].data.recorded = xcalloc(n_points, sizeof(bool));
	r->blocks = xcalloc(n ? n : 1, sizeof(*r->blocks));

	for (size_t i = 0; i < n && !runner_stop_requested(); i++) {
		const struct run_order_block *pb = &plan[i];
		struct target_result *t = &r->targets[pb->target];
		struct run_slot *s = &slots[pb->target];
		struct run_block b = {points, pb->point, pb->repeat, groups[pb->point],
				      keeps[pb->point * r->n_targets + pb->target], &s->data, NULL};
		struct results_block *rec;
		uint64_t start;
		int rc;

		if (state[pb->target] == SLOT_DONE || (state[pb->target] == SLOT_IDLE && t->skipped))
			continue;
		if (state[pb->target] == SLOT_IDLE) {
			state[pb->target] = SLOT_DONE;
			if (h->begin(a, r, t, s, points, n_points, set) < 0)
				continue;
			state[pb->target] = SLOT_UP;
			s->data.before = s->ns.active ? &s->ns.before : NULL;
			s->data.keep_keys = s->ns.active && a->ns.reuse;
			if (runner_stop_requested())
				break;
		}
		rec = &r->blocks[r->n_blocks++];
		start = util_now_ns();
		*rec = (struct results_block){.target = pb->target, .repeat = pb->repeat,
					      .start_s = (double)(start - t0) / 1e9};
		rec->sweep_value = w->sweep.key ? w->sweep.values[pb->point] : NULL;
		util_utc_stamp(rec->started_utc, sizeof(rec->started_utc));
		rc = run_block(a, r, t, &b, &s->bt, &s->wt, *set);
		rec->duration_s = (double)(util_now_ns() - start) / 1e9;
		rec->load = b.load;
		if (rc < 0 || i == last[pb->target]) {
			h->end(a, r, t, s);
			state[pb->target] = SLOT_DONE;
		}
	}
	/* Stopped: the targets still up are cleaned up as after their last. */
	for (size_t i = 0; i < r->n_targets; i++)
		if (state[i] == SLOT_UP)
			h->end(a, r, &r->targets[i], &slots[i]);
	for (size_t i = 0; i < r->n_targets; i++) {
		sort_runs(&r->targets[i], points);
		free(slots[i].data.recorded);
	}
	free(plan);
	free(state);
	free(slots);
	free(keeps);
	free(last);
	free(groups);
}
