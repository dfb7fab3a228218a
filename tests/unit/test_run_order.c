/*
 * test_run_order.c - the run order (harness/run/run_order.h): the plan of
 * blocks (sequential, and random as a seeded permutation of it), the data
 * groups of sweep points, which phases keep a load's data, and the
 * workload's `order` key.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "run_order.h"
#include "workload.h"

static struct workload *parse(const char *text, const struct wl_override *ov, size_t n_ov, char **errors)
{
	struct workload *w = NULL;

	*errors = NULL;
	if (workload_parse("o.yaml", text, strlen(text), ov, n_ov, &w, errors) != 0)
		return NULL;
	return w;
}

/* Three points, the second with its own repeat (a swept repeat). */
static void test_plan(void)
{
	struct workload p0 = {.repeat = 3}, p1 = {.repeat = 2}, p2 = {.repeat = 3};
	struct workload *const points[] = {&p0, &p1, &p2};
	size_t n, n2, n3, k = 0;
	struct run_order_block *seq = run_order_plan(WL_ORDER_SEQUENTIAL, 7, 2, points, 3, &n);
	struct run_order_block *rnd = run_order_plan(WL_ORDER_RANDOM, 7, 2, points, 3, &n2);
	struct run_order_block *again = run_order_plan(WL_ORDER_RANDOM, 7, 2, points, 3, &n3);
	struct run_order_block *other;
	bool seen[2][3][4] = {{{false}}}, differs = false, other_differs = false;

	CHECK_INT(n, 16);
	CHECK_INT(n2, 16);
	CHECK_INT(n3, 16);
	/* Sequential: target, then point, then repeat. */
	for (size_t t = 0; t < 2; t++)
		for (size_t pt = 0; pt < 3; pt++)
			for (uint64_t rep = 1; rep <= points[pt]->repeat; rep++, k++) {
				CHECK_INT(seq[k].target, t);
				CHECK_INT(seq[k].point, pt);
				CHECK_INT(seq[k].repeat, rep);
			}
	/* Random: every block once, not the sequential order, the same for
	 * the same seed, another for another seed. */
	for (size_t i = 0; i < n2; i++) {
		CHECK(rnd[i].target < 2 && rnd[i].point < 3 && rnd[i].repeat >= 1 &&
		      rnd[i].repeat <= points[rnd[i].point]->repeat);
		if (rnd[i].target < 2 && rnd[i].point < 3 && rnd[i].repeat <= 3) {
			CHECK(!seen[rnd[i].target][rnd[i].point][rnd[i].repeat]);
			seen[rnd[i].target][rnd[i].point][rnd[i].repeat] = true;
		}
		differs |= memcmp(&rnd[i], &seq[i], sizeof(rnd[i])) != 0;
		CHECK(memcmp(&rnd[i], &again[i], sizeof(rnd[i])) == 0);
	}
	CHECK(differs);
	other = run_order_plan(WL_ORDER_RANDOM, 8, 2, points, 3, &n3);
	for (size_t i = 0; i < n3; i++)
		other_differs |= memcmp(&rnd[i], &other[i], sizeof(rnd[i])) != 0;
	CHECK(other_differs);
	free(seq);
	free(rnd);
	free(again);
	free(other);
	/* Nothing to run: no target. */
	CHECK(run_order_plan(WL_ORDER_RANDOM, 7, 0, points, 3, &n) == NULL);
	CHECK_INT(n, 0);
}

static const char base[] = "name: o\n"
			   "targets: [null]\n"
			   "phases:\n"
			   "  - {name: load, batch: 10}\n"
			   "  - {name: run, ops: 10, mix: {get: 0.5, set: 0.5}}\n";

/* Each point's data group for a sweep given with --set. */
static void groups_of(const char *sweep, size_t n, const size_t *want)
{
	struct wl_override ov = {"sweep", sweep};
	char *errors;
	struct workload *w = parse(base, &ov, 1, &errors);
	size_t groups[8];

	CHECK(w != NULL);
	if (!w) {
		fprintf(stderr, "%s\n", errors);
		free(errors);
		return;
	}
	CHECK_INT(w->sweep.n_values, n);
	run_order_groups(w, NULL, n, groups);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT(groups[i], want[i]);
		if (groups[i] != want[i])
			fprintf(stderr, "  sweep %s, point %zu\n", sweep, i);
	}
	workload_free(w);
	free(errors);
}

static void test_groups(void)
{
	/* Run-phase keys: one load serves every point. */
	groups_of("{clients: [1, 2, 4]}", 3, (const size_t[]){0, 0, 0});
	groups_of("{phases.run.pipeline: [1, 8]}", 2, (const size_t[]){0, 0});
	groups_of("{phases.1.rate: [100, 200]}", 2, (const size_t[]){0, 0});
	/* The data, or the load itself, changes: a group per value. */
	groups_of("{keyspace.records: [10, 20, 10]}", 3, (const size_t[]){0, 1, 0});
	groups_of("{values.size: [10, 20]}", 2, (const size_t[]){0, 1});
	groups_of("{phases.load.batch: [1, 5]}", 2, (const size_t[]){0, 1});
	groups_of("{seed: [1, 2]}", 2, (const size_t[]){0, 1});
}

static void test_keeps_data(void)
{
	struct wl_phase ph = {.type = WL_PHASE_RUN};

	ph.mix[BENCH_OP_GET] = 0.5;
	ph.mix[BENCH_OP_SET] = 0.5;
	CHECK(run_phase_keeps_data(&ph));
	ph.mix[BENCH_OP_RANGE] = 0.1;
	CHECK(run_phase_keeps_data(&ph));
	ph.mix[BENCH_OP_DELETE] = 0.1;
	CHECK(!run_phase_keeps_data(&ph));
	ph.mix[BENCH_OP_DELETE] = 0;
	ph.mix[BENCH_OP_INSERT] = 0.1;
	CHECK(!run_phase_keeps_data(&ph));
	ph.mix[BENCH_OP_INSERT] = 0;
	ph.mix[BENCH_OP_LPUSH] = 0.1;
	CHECK(!run_phase_keeps_data(&ph));
	ph.mix[BENCH_OP_LPUSH] = 0;
	ph.type = WL_PHASE_CRASH;
	CHECK(!run_phase_keeps_data(&ph));
	ph.type = WL_PHASE_REPLICATION;
	CHECK(!run_phase_keeps_data(&ph));
	ph.type = WL_PHASE_LOAD;
	CHECK(run_phase_keeps_data(&ph));
}

static void test_key(void)
{
	char *errors, *text = NULL;
	struct wl_override seq = {"order", "sequential"}, bad = {"order", "shuffled"}, sw = {"sweep", "{order: [random]}"};
	struct workload *w = parse(base, NULL, 0, &errors);

	CHECK(w && w->order == WL_ORDER_RANDOM); /* the default */
	CHECK_STR(workload_order_name(WL_ORDER_RANDOM), "random");
	workload_free(w);
	free(errors);
	w = parse(base, &seq, 1, &errors);
	CHECK(w && w->order == WL_ORDER_SEQUENTIAL);
	CHECK_STR(workload_order_name(WL_ORDER_SEQUENTIAL), "sequential");
	workload_free(w);
	free(errors);
	CHECK(parse(base, &bad, 1, &errors) == NULL);
	CHECK(errors && strstr(errors, "--set order=shuffled: unknown order 'shuffled'; known: random, sequential"));
	free(errors);
	if (asprintf(&text, "%sorder: Sequential\n", base) < 0)
		return;
	CHECK(parse(text, NULL, 0, &errors) == NULL);
	CHECK(errors && strstr(errors, "o.yaml:6:8: unknown order 'Sequential'; did you mean 'sequential'?"));
	if (errors && !strstr(errors, "o.yaml:6:8:"))
		fprintf(stderr, "%s", errors);
	free(errors);
	free(text);
	CHECK(parse(base, &sw, 1, &errors) == NULL);
	CHECK(errors && strstr(errors, "a sweep cannot set the order"));
	free(errors);
}

int main(void)
{
	test_plan();
	test_groups();
	test_keeps_data();
	test_key();
	return check_report("run_order");
}
