/*
 * run_order.h - the order of a `bench run`'s blocks (docs/workload-format.md,
 * "order"; docs/architecture.md, "The run order"). A block is one target's
 * phases for one sweep point and one repeat. `order: random` (the default)
 * runs them in a random order drawn from the workload's seed, so that a
 * disturbance of the host that lasts a while falls on several targets,
 * points and repeats instead of on every repeat of one of them;
 * `order: sequential` runs target by target, point by point, repeat by
 * repeat. Every target's server is up from its first block to its last,
 * idle while other targets run; the results are sorted back by target,
 * point, repeat and phase, so no output depends on the order.
 */
#ifndef BENCH_RUN_ORDER_H
#define BENCH_RUN_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "run_phases.h"

/* One block of the plan: indexes into the run's targets and points. */
struct run_order_block {
	size_t target;
	size_t point;
	uint64_t repeat;         /* 1-based */
};

/*
 * The blocks of n_targets targets x every point x its repeat, in order:
 * sequential (target, then point, then repeat), or for WL_ORDER_RANDOM a
 * permutation of those drawn from seed (the same seed, the same order).
 * Returns the array (caller frees) and *n; NULL and *n 0 when there is
 * nothing to run.
 */
struct run_order_block *run_order_plan(enum wl_order order, uint64_t seed, size_t n_targets,
				       struct workload *const *points, size_t n_points, size_t *n);

/*
 * Each point's data group (groups[n_points]): the first point whose load
 * writes the same data. Points share their data when the sweep sets only
 * keys of run phases (clients, pipeline, rate, ... or phases.NAME.KEY of a
 * run phase), or the same value twice.
 */
void run_order_groups(const struct workload *w, struct workload *const *points, size_t n_points, size_t *groups);

/* One target's state between its first and its last block. cli/cmd_run.c
 * fills it in `begin` and empties it in `end`. */
struct run_slot {
	struct bench_target bt;
	struct watch wt;
	struct namespace_guard ns;
	char *uri_owned;
	struct bench_option *opts_owned; /* bt's options when the harness added one (run_fill_target) */
	pid_t pid;
	struct run_data data;
};

/*
 * What the command line does around a target's blocks: begin before its
 * first (bring the server up, check the namespace, watch it; 0, or -1 with
 * t->skipped set, and its blocks are not run), end after its last, or as
 * soon as it fails, or once the run is stopped (reread, clean up, stop its
 * server).
 */
struct run_order_hooks {
	int (*begin)(const struct run_args *a, struct results *r, struct target_result *t, struct run_slot *s,
		     struct workload *const *points, size_t n_points, struct server_set **set);
	void (*end)(const struct run_args *a, struct results *r, struct target_result *t, struct run_slot *s);
};

/*
 * Runs every block of the selected targets (r->targets[0..n_targets), each
 * with its driver set; those with t->skipped already set are left alone)
 * in the workload's order, until the run is stopped; records the blocks
 * begun in r->blocks, and sorts each target's runs by point, repeat and
 * phase. *set holds the servers bench spawned (begin creates it; the
 * caller frees it).
 */
void run_order_run(const struct run_args *a, struct results *r, struct workload *const *points, size_t n_points,
		   struct server_set **set, const struct run_order_hooks *h);

#endif
