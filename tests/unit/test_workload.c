/*
 * test_workload.c - the workload parser: valid fixtures parse to the
 * expected struct, invalid ones fail with every expected "line:col: message",
 * and --set overrides rewrite the tree before validation.
 *
 * Fixtures live in BENCH_FIXTURES/workloads. Cases marked `net` use the
 * redis, memcached and mongodb drivers and are skipped when this build
 * lacks one of them (BENCH_WITH_<NAME>=OFF). Every workload shipped in
 * BENCH_WORKLOADS must validate.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "registry.h"
#include "util.h"
#include "workload.h"

#define FIX(f) BENCH_FIXTURES "/workloads/" f
#define SEC 1000000000ull

static int have_net_drivers;

/* ---- valid workloads ---- */

static void check_full(const struct workload *w)
{
	CHECK_STR(w->name, "kv-90-10");
	CHECK_STR(w->description, "90% reads, 10% writes, uniform keys");
	CHECK_INT(w->seed, 7);
	CHECK_INT(w->n_targets, 3);
	if (w->n_targets == 3) {
		CHECK_STR(w->targets[0].name, "redis");
		CHECK_STR(w->targets[0].driver, "redis");
		CHECK(w->targets[0].uri == NULL);
		CHECK_INT(w->targets[0].n_options, 0);
		CHECK_INT(w->targets[0].line, 6);
		CHECK_INT(w->targets[0].col, 5);
		CHECK_STR(w->targets[1].name, "mc-bin");
		CHECK_STR(w->targets[1].driver, "memcached");
		CHECK_STR(w->targets[1].uri, "127.0.0.1:11211,127.0.0.1:11212");
		CHECK_INT(w->targets[1].n_options, 1);
		if (w->targets[1].n_options == 1) {
			CHECK_STR(w->targets[1].options[0].key, "protocol");
			CHECK_STR(w->targets[1].options[0].value, "binary");
		}
		CHECK_INT(w->targets[1].line, 7);
		CHECK_STR(w->targets[2].driver, "mongodb");
		CHECK_STR(w->targets[2].uri, "mongodb://127.0.0.1:27017");
		CHECK_INT(w->targets[2].n_options, 2);
		if (w->targets[2].n_options == 2) {
			CHECK_STR(w->targets[2].options[0].key, "database");
			CHECK_STR(w->targets[2].options[0].value, "benchdb");
			CHECK_STR(w->targets[2].options[1].key, "collection");
			CHECK_STR(w->targets[2].options[1].value, "kv");
		}
	}
	CHECK_INT(w->keyspace.records, 100000);
	CHECK_STR(w->keyspace.prefix, "kv:");
	CHECK_INT(w->keyspace.dist.kind, DIST_UNIFORM);
	CHECK_INT(w->keyspace.dist.records, 100000);
	CHECK_INT(w->values.size_min, 4096); /* "4KiB" */
	CHECK_INT(w->values.size_max, 4096);
	CHECK_INT(w->repeat, 3);
	CHECK(w->max_error_rate == 0.01);
	CHECK_INT(w->n_phases, 3);
	if (w->n_phases != 3)
		return;
	CHECK_STR(w->phases[0].name, "load");
	CHECK_INT(w->phases[0].type, WL_PHASE_LOAD); /* from the name */
	CHECK_INT(w->phases[0].batch, 500);
	CHECK_INT(w->phases[0].clients, 4);
	CHECK_STR(w->phases[1].name, "run");
	CHECK_INT(w->phases[1].type, WL_PHASE_RUN);
	CHECK_INT(w->phases[1].warmup_ns, 5 * SEC);
	CHECK_INT(w->phases[1].duration_ns, 30 * SEC);
	CHECK_INT(w->phases[1].ops, 0);
	CHECK_INT(w->phases[1].clients, 32);
	CHECK_INT(w->phases[1].pipeline, 4);
	CHECK(w->phases[1].rate == 0);
	CHECK(w->phases[1].mix[BENCH_OP_GET] == 0.9);
	CHECK(w->phases[1].mix[BENCH_OP_SET] == 0.1);
	CHECK(w->phases[1].mix[BENCH_OP_DELETE] == 0);
	CHECK_STR(w->phases[2].name, "drain");
	CHECK_INT(w->phases[2].type, WL_PHASE_RUN);
	CHECK_INT(w->phases[2].ops, 1000000);
	CHECK_INT(w->phases[2].duration_ns, 0);
	CHECK_INT(w->phases[2].clients, 1);
	CHECK(w->phases[2].mix[BENCH_OP_DELETE] == 0.5);
}

static void check_minimal(const struct workload *w)
{
	CHECK_STR(w->name, "minimal");
	CHECK_STR(w->description, "");
	CHECK_INT(w->seed, 42);
	CHECK_INT(w->n_targets, 3);
	if (w->n_targets == 3) {
		CHECK_STR(w->targets[0].name, "redis");
		CHECK_STR(w->targets[1].name, "memcached");
		CHECK_STR(w->targets[2].name, "mongodb");
		CHECK_STR(w->targets[2].driver, "mongodb");
	}
	CHECK_INT(w->keyspace.records, 10000);
	CHECK_STR(w->keyspace.prefix, "bench:");
	CHECK_INT(w->keyspace.dist.kind, DIST_UNIFORM);
	CHECK_INT(w->keyspace.dist.records, 10000);
	CHECK_INT(w->values.size_min, 100);
	CHECK_INT(w->values.size_max, 100);
	CHECK_INT(w->values.n_sizes, 0);
	CHECK(w->values.sizes == NULL && w->values.weights == NULL);
	CHECK(w->sweep.key == NULL && w->sweep.n_values == 0 && w->sweep.n_paths == 0);
	CHECK_INT(w->repeat, 1);
	CHECK(w->max_error_rate == 0); /* any failed request: exit status 1 */
	CHECK_INT(w->n_phases, 1);
	if (w->n_phases != 1)
		return;
	CHECK_INT(w->phases[0].type, WL_PHASE_RUN);
	CHECK_INT(w->phases[0].duration_ns, 10 * SEC); /* a bare number is seconds */
	CHECK_INT(w->phases[0].warmup_ns, 0);
	CHECK_INT(w->phases[0].clients, 1);
	CHECK_INT(w->phases[0].pipeline, 1);
	CHECK(w->phases[0].rate == 0);
	CHECK(w->phases[0].mix[BENCH_OP_GET] == 1);
}

/* Zipfian keys, weighted value sizes, open loop, a sweep over clients. */
static void check_sweep(const struct workload *w)
{
	static const uint64_t sizes[] = {100, 16384, 1024};
	static const double weights[] = {0.7, 0.1, 0.2};

	CHECK_INT(w->keyspace.dist.kind, DIST_ZIPFIAN);
	CHECK_INT(w->keyspace.dist.records, 5000);
	CHECK(w->keyspace.dist.zipf_theta == 0.8);
	CHECK_INT(w->keyspace.dist.zipf_scrambled, 0);
	CHECK_INT(w->values.n_sizes, 3);
	for (size_t i = 0; i < 3 && w->values.n_sizes == 3; i++) {
		CHECK_INT(w->values.sizes[i], sizes[i]);
		CHECK(w->values.weights[i] == weights[i]);
	}
	CHECK_INT(w->values.size_min, 100);
	CHECK_INT(w->values.size_max, 16384);
	CHECK(w->n_phases == 3 && w->phases[1].rate == 1000 && w->phases[2].rate == 0);
	CHECK_STR(w->sweep.key, "clients");
	CHECK(w->sweep.line == 26 && w->sweep.col == 3);
	CHECK_INT(w->sweep.n_values, 3);
	if (w->sweep.n_values == 3)
		CHECK(!strcmp(w->sweep.values[0], "1") && !strcmp(w->sweep.values[2], "32"));
	/* A bare phase key: every run phase, not the load phase (more in test_sweep_overrides). */
	CHECK_INT(w->sweep.n_paths, 2);
}

/* valid-sweep with the sweep replaced by --set: a full key path, 2 values. */
static void check_sweep_path(const struct workload *w)
{
	CHECK_INT(w->sweep.line, 0); /* from --set */
	CHECK_INT(w->sweep.n_values, 2);
	CHECK(w->sweep.n_paths == 1 && !strcmp(w->sweep.paths[0], w->sweep.key));
	CHECK_INT(w->keyspace.records, 5000); /* the workload itself keeps its own */
}

static void check_size_range(const struct workload *w)
{
	CHECK_INT(w->n_targets, 1);
	if (w->n_targets == 1) {
		CHECK_STR(w->targets[0].name, "null"); /* unquoted null */
		CHECK_STR(w->targets[0].driver, "null");
	}
	CHECK_INT(w->values.size_min, 32);
	CHECK_INT(w->values.size_max, 1024);
	CHECK_INT(w->n_phases, 2);
	if (w->n_phases != 2)
		return;
	CHECK_INT(w->phases[0].type, WL_PHASE_LOAD);
	CHECK_INT(w->phases[0].batch, 100);
	CHECK_INT(w->phases[0].clients, 4);
	CHECK_INT(w->phases[1].duration_ns, 500000000);
	CHECK(fabs(w->phases[1].mix[BENCH_OP_SET] - 0.3) < 1e-12);
}

/* valid-full with: a nested scalar replaced, a phase by name and by index,
 * a mix rewritten, a key added, a scalar target turned into a mapping. */
static void check_full_overridden(const struct workload *w)
{
	CHECK_INT(w->keyspace.records, 500);
	CHECK_STR(w->description, "changed");
	CHECK_INT(w->values.size_min, 10);
	CHECK_INT(w->values.size_max, 20);
	CHECK_INT(w->n_phases, 3);
	if (w->n_phases == 3) {
		CHECK_INT(w->phases[1].clients, 8);
		CHECK_INT(w->phases[2].pipeline, 16);
		CHECK(w->phases[1].mix[BENCH_OP_GET] == 0.5);
		CHECK(w->phases[1].mix[BENCH_OP_SET] == 0.5);
		CHECK_INT(w->phases[0].clients, 2);
	}
	CHECK_INT(w->n_targets, 3);
	if (w->n_targets == 3) {
		CHECK_STR(w->targets[0].name, "redis");
		CHECK_STR(w->targets[0].uri, "redis://127.0.0.1:6380");
		CHECK_INT(w->targets[0].line, 6); /* still the name's place in the file */
		CHECK(w->targets[1].n_options == 1 && !strcmp(w->targets[1].options[0].value, "text"));
	}
}

/* valid-minimal with keys added where the file has no keyspace at all, and
 * the target list replaced by a flow sequence. */
static void check_minimal_overridden(const struct workload *w)
{
	CHECK_INT(w->keyspace.records, 77);
	CHECK_STR(w->keyspace.prefix, "t:");
	CHECK_INT(w->seed, 12);
	CHECK_INT(w->n_targets, 2);
	if (w->n_targets == 2) {
		CHECK_STR(w->targets[0].driver, "null");
		CHECK_STR(w->targets[1].name, "n2");
		CHECK_STR(w->targets[1].driver, "null");
	}
	CHECK_INT(w->phases[0].ops, 1000);
	CHECK_INT(w->phases[0].duration_ns, 0);
}

static void check_ops(const struct workload *w)
{
	const struct wl_phase *p = &w->phases[1], *d = &w->phases[2];

	CHECK_INT(w->values.fields, 4);
	CHECK_INT(w->values.categories, 100); /* a phase queries: the default */
	CHECK_INT(w->n_phases, 3);
	if (w->n_phases != 3)
		return;
	CHECK(p->range_min == 25 && p->range_max == 25);
	CHECK_INT(p->query_limit, 50);
	CHECK_INT(p->fuzzy_substring, 1);
	CHECK_INT(p->fuzzy_matches, 100);
	CHECK(p->st_members == 1000 && p->st_length == 5 && p->st_list_max == 20);
	CHECK(p->mix[BENCH_OP_ZRANGEBYSCORE] == 0.2 && p->mix[BENCH_OP_INCR] == 0.1);
	/* Defaults where a phase says nothing. */
	CHECK(d->range_min == 1 && d->range_max == 100);
	CHECK(d->query_limit == 0 && d->fuzzy_substring == 0 && d->fuzzy_matches == 10);
	CHECK(d->st_members == 100 && d->st_length == 10 && d->st_list_max == 100);
}

struct good_case {
	const char *file;
	struct wl_override ov[10];
	size_t n_ov;
	int net;
	void (*check)(const struct workload *w);
};

static const struct good_case good_cases[] = {
	{FIX("valid-full.yaml"), {{0}}, 0, 1, check_full},
	{FIX("valid-minimal.yaml"), {{0}}, 0, 1, check_minimal},
	{FIX("valid-size-range.yaml"), {{0}}, 0, 0, check_size_range},
	{FIX("valid-ops.yaml"), {{0}}, 0, 0, check_ops},
	{FIX("valid-full.yaml"), {
		{"keyspace.records", "500"},
		{"phases.run.clients", "8"},
		{"phases.2.pipeline", "16"},
		{"phases.run.mix", "{get: 0.5, set: 0.5}"},
		{"phases.load.clients", "2"},
		{"description", "changed"},
		{"values.size", "{min: 10, max: 20}"},
		{"targets.redis.uri", "redis://127.0.0.1:6380"},
		{"targets.mc-bin.options.protocol", "text"},
	}, 9, 1, check_full_overridden},
	{FIX("valid-minimal.yaml"), {
		{"keyspace.records", "77"},
		{"keyspace.prefix", "t:"},
		{"seed", "'12'"},
		{"targets", "[null, {name: n2, driver: null}]"},
		{"phases.run.duration", "null"},
		{"phases.0.ops", "1000"},
	}, 6, 0, check_minimal_overridden},
	{FIX("valid-sweep.yaml"), {{0}}, 0, 0, check_sweep},
	{FIX("valid-sweep.yaml"), {{"sweep", "{keyspace.records: [10, 20]}"}}, 1, 0, check_sweep_path},
	{FIX("valid-sweep.yaml"), {{"sweep", "{values.size: [100, 1KiB]}"}}, 1, 0, check_sweep_path},
};

/* ---- keyspace.distribution ---- */

struct dist_case {
	const char *keyspace;      /* the flow mapping under `keyspace:` */
	enum dist_kind kind;
	uint64_t records;
	double theta, hot, hot_op, pct, frac; /* < 0: the default */
	int scrambled;                        /* < 0: the default */
};

#define D -1 /* the default */
static const struct dist_case dist_cases[] = {
	{"{records: 7}", DIST_UNIFORM, 7, D, D, D, D, D, D},
	{"{distribution: uniform}", DIST_UNIFORM, 10000, D, D, D, D, D, D},
	{"{distribution: zipfian}", DIST_ZIPFIAN, 10000, D, D, D, D, D, D},
	{"{distribution: zipfian, zipf_theta: 0.5, zipf_scrambled: false}", DIST_ZIPFIAN, 10000, 0.5, D, D, D, D, 0},
	{"{distribution: zipfian, zipf_scrambled: True, zipf_theta: ~}", DIST_ZIPFIAN, 10000, D, D, D, D, D, 1},
	{"{distribution: latest, zipf_theta: 0.25, records: 3}", DIST_LATEST, 3, 0.25, D, D, D, D, D},
	{"{distribution: hotspot}", DIST_HOTSPOT, 10000, D, D, D, D, D, D},
	{"{distribution: hotspot, hot_fraction: 0.1, hot_op_fraction: 0}", DIST_HOTSPOT, 10000, D, 0.1, 0, D, D, D},
	{"{distribution: hotspot, hot_op_fraction: 1}", DIST_HOTSPOT, 10000, D, D, 1, D, D, D},
	{"{distribution: sequential, records: 12}", DIST_SEQUENTIAL, 12, D, D, D, D, D, D},
	{"{distribution: exponential}", DIST_EXPONENTIAL, 10000, D, D, D, D, D, D},
	{"{distribution: exponential, exponential_percentile: 99.9, exponential_fraction: 0.5}", DIST_EXPONENTIAL,
	 10000, D, D, D, 99.9, 0.5, D},
	{"{distribution: exponential, exponential_fraction: 1e6}", DIST_EXPONENTIAL, 10000, D, D, D, D, 1e6, D},
};
#undef D

static void run_dist(const struct dist_case *tc)
{
	char *text = xasprintf("name: t\ntargets: [null]\nkeyspace: %s\n"
			       "phases: [{name: run, duration: 1s, mix: {get: 1}}]\n", tc->keyspace);
	struct workload *w = NULL;
	struct dist_params want;
	char *errors = NULL;
	int failures = check_failures;

	dist_params_default(&want, tc->kind, tc->records);
	want.zipf_theta = tc->theta >= 0 ? tc->theta : want.zipf_theta;
	want.zipf_scrambled = tc->scrambled >= 0 ? tc->scrambled : want.zipf_scrambled;
	want.hot_fraction = tc->hot >= 0 ? tc->hot : want.hot_fraction;
	want.hot_op_fraction = tc->hot_op >= 0 ? tc->hot_op : want.hot_op_fraction;
	want.exp_percentile = tc->pct >= 0 ? tc->pct : want.exp_percentile;
	want.exp_fraction = tc->frac >= 0 ? tc->frac : want.exp_fraction;
	CHECK_INT(workload_parse("dist.yaml", text, strlen(text), NULL, 0, &w, &errors), 0);
	CHECK_STR(errors, "");
	if (w) {
		const struct dist_params *d = &w->keyspace.dist;

		CHECK(w->keyspace.records == tc->records && d->kind == want.kind && d->records == want.records);
		CHECK(d->zipf_theta == want.zipf_theta && d->zipf_scrambled == want.zipf_scrambled);
		CHECK(d->hot_fraction == want.hot_fraction && d->hot_op_fraction == want.hot_op_fraction);
		CHECK(d->exp_percentile == want.exp_percentile && d->exp_fraction == want.exp_fraction);
	}
	if (check_failures != failures)
		fprintf(stderr, "  keyspace: %s\n%s", tc->keyspace, errors ? errors : "");
	workload_free(w);
	free(errors);
	free(text);
}

static void run_good(const struct good_case *tc)
{
	struct workload *w = NULL;
	char *errors = NULL;
	int rc = workload_load(tc->file, tc->ov, tc->n_ov, &w, &errors);

	CHECK_INT(rc, 0);
	CHECK(errors != NULL);
	if (rc != 0 || !w) {
		fprintf(stderr, "  %s:\n%s", tc->file, errors ? errors : "");
	} else {
		CHECK_STR(w->file, tc->file);
		CHECK_STR(errors, "");
		if (tc->check)
			tc->check(w);
	}
	workload_free(w);
	free(errors);
}

/* ---- invalid workloads ---- */

struct want {
	const char *pos;   /* "line:col", or NULL for a --set message */
	const char *msg;   /* a substring of that message */
};

struct bad_case {
	const char *file;  /* a fixture, or NULL to parse `text` as "inline.yaml" */
	const char *text;
	struct wl_override ov[4];
	size_t n_ov;
	int net;
	struct want want[12]; /* every error expected, no more; and warnings ("warning: ..."), see run_bad */
};

/* Inline workloads around one section; X starts at the given line:col. */
#define KS(x) "name: t\ntargets: [null]\nkeyspace: " x "\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n" /* 3:11 */
#define VS(x) "name: t\ntargets: [null]\nvalues: {size: " x "}\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n" /* 3:16 */
#define PH(x) "name: t\ntargets: [null]\nphases:\n- " x "\n" /* 4:3 */
#define TTL(x) "name: t\ntargets: [null]\nvalues: {ttl: " x "}\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n" /* 3:15 */
/* A run phase with targets: x, on targets redis and mongodb (null drivers). */
#define TG(x) "name: t\ntargets: [{name: redis, driver: null}, {name: mongodb, driver: null}]\nphases:\n" \
	"- {name: run, duration: 1s, mix: {get: 1}, targets: " x "}\n" /* 4:53 */
#define SW(x) "name: t\ntargets: [null]\nphases:\n- {name: run, duration: 1s, mix: {get: 1}}\nsweep: " x "\n" /* 5:8 */

static const struct bad_case bad_cases[] = {
	{FIX("bad-syntax.yaml"), NULL, {{0}}, 0, 0, {{"5:13", "YAML syntax error: did not find expected ',' or '}'"}}},
	{FIX("bad-unknown-key.yaml"), NULL, {{0}}, 0, 1,
	 {{"3:3", "unknown key 'recods' in keyspace; did you mean 'records'?"}}},
	{FIX("bad-type.yaml"), NULL, {{0}}, 0, 1, {
		{"3:12", "expected a number for keyspace.records, got a mapping"},
		{"7:14", "expected a whole number for phases.run.clients, got 'many'"},
	}},
	{FIX("bad-mix-sum.yaml"), NULL, {{0}}, 0, 0, {{"6:10", "phases.run.mix shares sum to 0.9, not 1"}}},
	{FIX("bad-mix-op.yaml"), NULL, {{0}}, 0, 0, {{"7:7", "unknown op 'gets' in phases.run.mix; did you mean 'get'?"}}},
	{FIX("bad-duration-and-ops.yaml"), NULL, {{0}}, 0, 0, {{"6:5", "has both duration and ops"}}},
	{FIX("bad-no-duration.yaml"), NULL, {{0}}, 0, 0, {{"4:5", "phases.run needs a duration"}}},
	{FIX("bad-duration-unit.yaml"), NULL, {{0}}, 0, 0, {{"5:15", "invalid duration '30x' for phases.run.duration"}}},
	{FIX("bad-driver.yaml"), NULL, {{0}}, 0, 0, {
		{"4:5", "unknown driver 'reddis'; this bench has:"},
		{"6:13", "unknown driver 'memcache'"},
	}},
	{FIX("bad-driver-option.yaml"), NULL, {{0}}, 0, 1,
	 {{"6:7", "unknown option 'protocl' for driver memcached; known options: protocol"}}},
	{FIX("bad-dup-target.yaml"), NULL, {{0}}, 0, 0, {{"4:11", "duplicate target name 'null' (first at line 3)"}}},
	{FIX("bad-values-range.yaml"), NULL, {{0}}, 0, 0, {{"4:9", "values.size min (2KiB) is greater than max (1KiB)"}}},
	{FIX("bad-values-big.yaml"), NULL, {{0}}, 0, 0, {{"4:9", "too large; values are at most 64 MiB"}}},
	{FIX("bad-empty.yaml"), NULL, {{0}}, 0, 0, {{"1:1", "the workload is empty"}}},
	{FIX("bad-root.yaml"), NULL, {{0}}, 0, 0, {{"1:1", "expected a mapping at the top level"}}},
	{FIX("bad-spawn.yaml"), NULL, {{0}}, 0, 0, {
		{"5:12", "expected a mapping for targets.r.spawn, got 'true'"},
		{"8:19", "expected a sequence for targets.s.spawn.args, got '-t 4'"},
		{"11:24", "expected a string for targets.u.spawn.args, got a mapping"},
		{"11:33", "unknown key 'argv' in targets.u.spawn; did you mean 'args'?"},
		{"14:22", "targets.m.spawn.program: bench cannot spawn 'mongodx' for driver mongodb; it knows mongod or bench-ferretdb"},
		{"17:22", "expected a server program for targets.n.spawn.program, got a sequence"},
	}},
	{FIX("bad-ops.yaml"), NULL, {{0}}, 0, 0, {
		{"3:29", "values.fields must be between 1 and 1000, got 0"},
		{"3:44", "expected a whole number for values.categories, got '-3'"},
		{"8:21", "phases.run.range.length min (50) is greater than max (10)"},
		{"9:20", "expected a whole number for phases.run.query.limit, got 'lots'"},
		{"10:19", "unknown phases.run.fuzzy.mode 'sufix'; modes: prefix, substring"},
		{"10:26", "unknown key 'matchs' in phases.run.fuzzy; did you mean 'matches'?"},
		{"11:27", "phases.run.structures.members must be between 1 and 100000000, got 0"},
	}},
	{FIX("bad-phase-keys.yaml"), NULL, {{0}}, 0, 0, {
		{"5:12", "phases.load.batch must be between 1 and 100000, got 0"},
		{"6:5", "key 'mix' is only for run or cache-aside phases"},
		{"8:11", "unknown phase type 'rnu'"},
		{"9:5", "key 'batch' is only for load phases"},
		{"12:11", "duplicate phase name 'load'"},
	}},
	{FIX("bad-many.yaml"), NULL, {{0}}, 0, 0, {
		{"2:7", "name 'many problems' may only hold"},
		{"3:7", "expected a whole number for seed, got '-1'"},
		{"6:12", "keyspace.records must be at least 1, got 0"},
		{"7:11", "holds a space or control character"},
		{"9:9", "invalid size '4KB2' for values.size"},
		{"13:15", "phases.run.pipeline must be between 1 and 10000, got 20000"},
		{"14:10", "shares sum to 1.1, not 1"},
		{"15:5", "missing required key 'name' in phases[1]"},
		{"15:5", "phases[1] needs a mix"},
		{"16:9", "repeat must be at least 1, got 0"},
	}},
	/* Inline cases: shapes not worth a fixture file each. */
	{NULL, "name: x\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n---\nname: y\n", {{0}}, 0, 1,
	 {{"3:1", "one YAML document"}}},
	{NULL, "name: t\ntargets: [{name: a, driver: null, timeout: 0s}, {name: b, driver: null, timeout: soon}]\n"
	       "phases: [{name: run, ops: 5, mix: {get: 1}}]\n", {{0}}, 0, 0, {
		{"2:44", "targets.a.timeout must be between 1ms and 4294967295ms, got 0s"},
		{"2:82", "invalid duration 'soon' for targets.b.timeout"},
	}},
	{NULL, "name: x\xff\nphases: []\n", {{0}}, 0, 0, {{"1:8", "invalid leading UTF-8 octet"}}},
	{NULL, "name: a\nname: b\ntargets: []\nphases: [5]\nwat: 1\n", {{0}}, 0, 0, {
		{"2:1", "duplicate key 'name' at the top level"},
		{"3:10", "targets is empty"},
		{"4:10", "expected a mapping for phases[0], got '5'"},
		{"5:1", "unknown key 'wat' at the top level"},
	}},
	{NULL, "description: no name\n", {{0}}, 0, 1, {
		{"1:1", "missing required key 'name'"},
		{"1:1", "missing required key 'phases'"},
	}},
	{NULL, "name: p\ntargets: [null]\nkeyspace: {prefix: ''}\nphases:\n- {name: run, ops: 0, mix: {get: 2, set: -1}}\n",
	 {{0}}, 0, 0, {
		{"3:20", "keyspace.prefix must not be empty"},
		{"5:20", "phases.run.ops must be at least 1, got 0"},
		{"5:34", "phases.run.mix.get must be between 0 and 1, got 2"},
		{"5:42", "phases.run.mix.set must be between 0 and 1, got -1"},
	}},
	/* max_error_rate: a number 0..1 */
	{NULL, "name: t\ntargets: [null]\nmax_error_rate: 1.5\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n",
	 {{0}}, 0, 0, {{"3:17", "max_error_rate must be between 0 and 1, got 1.5"}}},
	{NULL, "name: t\ntargets: [null]\nmax_error_rate: -0.1\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n",
	 {{0}}, 0, 0, {{"3:17", "max_error_rate must be between 0 and 1, got -0.1"}}},
	{NULL, "name: t\ntargets: [null]\nmax_error_rate: nan\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n",
	 {{0}}, 0, 0, {{"3:17", "max_error_rate"}}},
	{NULL, "name: t\ntargets: [null]\nmax_error_rate: [1]\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n",
	 {{0}}, 0, 0, {{"3:17", "max_error_rate"}}},
	{NULL, "name: t\ntargets: [null]\nmax_eror_rate: 0.1\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n",
	 {{0}}, 0, 0, {{"3:1", "did you mean 'max_error_rate'?"}}},
	/* keyspace.distribution and its parameters (more in one_cases) */
	{FIX("bad-dist.yaml"), NULL, {{0}}, 0, 0, {
		{"6:3", "keyspace.zipf_theta applies to zipfian and latest, not hotspot"},
		{"7:17", "keyspace.hot_fraction must be more than 0 and less than 1, got 1"},
		{"8:20", "keyspace.hot_op_fraction must be between 0 and 1, got 1.5"},
		{"9:3", "keyspace.exponential_fraction applies to exponential, not hotspot"},
	}},
	{NULL, KS("{distribution: sequential, zipf_theta: 0.5, exponential_percentile: 50}"), {{0}}, 0, 0, {
		{"3:38", "keyspace.zipf_theta applies to zipfian and latest, not sequential"},
		{"3:55", "keyspace.exponential_percentile applies to exponential, not sequential"},
	}},
	{NULL, KS("{distribution: exponential, exponential_percentile: 100, exponential_fraction: 0}"), {{0}}, 0, 0, {
		{"3:63", "keyspace.exponential_percentile must be more than 0 and less than 100, got 100"},
		{"3:90", "keyspace.exponential_fraction must be more than 0, got 0"},
	}},
	/* Errors that say what to do (issue #20): the range of a value under a
	 * distribution it does not apply to; one root cause for a typo of a
	 * required key (not also "needs a duration"), but both for a key
	 * that is no typo of it; a negative duration; the fix for both
	 * duration and ops (the null override is in good_cases). */
	{NULL, KS("{zipf_theta: 1.5}"), {{0}}, 0, 0, {
		{"3:12", "keyspace.zipf_theta applies to zipfian and latest, not uniform (the default distribution)"},
		{"3:24", "keyspace.zipf_theta must be more than 0 and less than 1, got 1.5"},
	}},
	{NULL, PH("{name: run, duraton: 5s, mix: {get: 1}}"), {{0}}, 0, 0,
	 {{"4:15", "unknown key 'duraton' in phases.run; did you mean 'duration'?"}}},
	{NULL, PH("{name: run, duration: 1s, mx: {get: 1}}"), {{0}}, 0, 0,
	 {{"4:29", "unknown key 'mx' in phases.run; did you mean 'mix'?"}}},
	{NULL, PH("{name: run, lasting: 5s, mix: {get: 1}}"), {{0}}, 0, 0, {
		{"4:15", "unknown key 'lasting' in phases.run"},
		{"4:3", "phases.run needs a duration (e.g. duration: 30s) or an ops count"},
	}},
	{NULL, PH("{name: run, duration: -5s, mix: {get: 1}}"), {{0}}, 0, 0,
	 {{"4:25", "phases.run.duration must be positive, got '-5s'"}}},
	{FIX("valid-minimal.yaml"), NULL, {{"phases.run.ops", "1000"}}, 1, 0,
	 {{"5:5", "phases.run has both duration and ops; give exactly one: remove one of them, e.g. --set "
		  "phases.run.duration=null to keep ops, or --set phases.run.ops=null to keep the duration"}}},
	/* values.size as a weighted list */
	{FIX("bad-values-weighted.yaml"), NULL, {{0}}, 0, 0, {
		{"6:27", "values.size[0].weight must be more than 0, got 0"},
		{"7:28", "values.size[1].weight must be more than 0, got -2"},
		{"8:7", "expected a mapping {size: SIZE, weight: N} for values.size[2], got '4KiB'"},
		{"9:14", "values.size[3].size '65MiB' is too large; values are at most 64 MiB"},
		{"10:7", "missing required key 'weight' in values.size[4]"},
		{"11:29", "unknown key 'wieght' in values.size[5]; did you mean 'weight'?"},
	}},
	/* sweep: its shape, its key, and each point */
	{FIX("bad-sweep-point.yaml"), NULL, {{0}}, 0, 0, {
		{"13:16", "sweep clients=0: phases.run.clients must be between 1 and 10000, got 0"},
		{"13:16", "sweep clients=0: phases.drain.clients must be between 1 and 10000, got 0"},
		{"13:19", "sweep clients=20000: phases.run.clients must be between 1 and 10000, got 20000"},
		{"13:19", "sweep clients=20000: phases.drain.clients must be between 1 and 10000, got 20000"},
		{"13:26", "warning: sweep clients=200: phases.run.rate 100 is less than the phase's 200 clients"},
	}},
	{FIX("valid-sweep.yaml"), NULL, {{"sweep", "{clients: [2, 0]}"}}, 1, 0, {
		{NULL, "valid-sweep.yaml: --set sweep={clients: [2, 0]}: sweep clients=0: phases.run.clients must be"},
		{NULL, "--set sweep={clients: [2, 0]}: sweep clients=0: phases.drain.clients must be"},
	}},
	/* Overrides that cannot be applied, or whose value is wrong. */
	{FIX("valid-full.yaml"), NULL, {
		{"phases.nope.clients", "1"},
		{"name.x", "1"},
		{"phases.7.clients", "1"},
		{"a..b", "2"},
	}, 4, 1, {
		{NULL, "valid-full.yaml: --set phases.nope.clients=1: phases has no item named 'nope'"},
		{NULL, "--set name.x=1: name is a scalar; it has no key 'x'"},
		{NULL, "--set phases.7.clients=1: phases has no item 7"},
		{NULL, "--set a..b=2: the key path has an empty element"},
	}},
	{FIX("valid-full.yaml"), NULL, {
		{"keyspace.recods", "5"},
		{"keyspace.records", "abc"},
		{"phases.rn.clients", "1"},
		{"phases.run.mix", "{get: [1"},
	}, 4, 1, {
		{NULL, "--set keyspace.recods=5: unknown key 'recods' in keyspace; did you mean 'records'?"},
		{NULL, "--set keyspace.records=abc: expected a whole number for keyspace.records, got 'abc'"},
		{NULL, "--set phases.rn.clients=1: phases has no item named 'rn'; did you mean 'run'?"},
		{NULL, "--set phases.run.mix={get: [1: the value is not valid YAML"},
	}},
	{FIX("valid-minimal.yaml"), NULL, {{"phases.run.rate", "1e-300"}}, 1, 1, {
		{NULL, "valid-minimal.yaml: --set phases.run.rate=1e-300: phases.run.rate 1e-300 leaves more than a day"},
	}},
	{FIX("valid-minimal.yaml"), NULL, {{"targets.redis.uri", "redis://x"}, {"phases.run.mix.get", "0.5"}}, 2, 1, {
		{NULL, "--set targets.redis.uri=redis://x: the workload has no 'targets' list to set into"},
		{"6:10", "phases.run.mix shares sum to 0.5, not 1"},
	}},
};

/* Inline texts with exactly one message each (or none: valid, no warning). */
struct one_case {
	const char *text, *pos, *msg;
};

static const struct one_case one_cases[] = {
	/* keyspace.distribution and its parameters */
	{KS("{distribution: zipfan}"), "3:26", "unknown distribution 'zipfan'; did you mean 'zipfian'?"},
	/* The workload's bytes reach the terminal with control characters as '?'. */
	{KS("{distribution: \"\\e[31mred\"}"), "3:26", "unknown distribution '?[31mred'"},
	{KS("{distribution: Gauss}"), "3:26",
	 "unknown distribution 'Gauss'; known: uniform, zipfian, hotspot, latest, sequential, exponential"},
	{KS("{distribution: [zipfian]}"), "3:26", "expected a string for keyspace.distribution, got a sequence"},
	{KS("{distribution: zipfian, zipf_theta: 1}"), "3:47",
	 "keyspace.zipf_theta must be more than 0 and less than 1, got 1"},
	{KS("{distribution: latest, zipf_theta: 0}"), "3:46",
	 "keyspace.zipf_theta must be more than 0 and less than 1, got 0"},
	{KS("{distribution: latest, zipf_scrambled: false}"), "3:34",
	 "keyspace.zipf_scrambled applies to zipfian, not latest"},
	{KS("{distribution: zipfian, zipf_scrambled: yes}"), "3:51",
	 "expected true or false for keyspace.zipf_scrambled, got 'yes'"},
	{KS("{hot_fraction: 0.5}"), "3:12",
	 "keyspace.hot_fraction applies to hotspot, not uniform (the default distribution)"},
	{KS("{distribution: hotspot, hot_op_fraction: -0.1}"), "3:52",
	 "keyspace.hot_op_fraction must be between 0 and 1, got -0.1"},
	{KS("{distribution: exponential, exponential_percentile: 1e-300, exponential_fraction: 1e300}"), "3:26",
	 "exponential_percentile 1e-300 and exponential_fraction 1e+300 give no usable decay rate over 10000 records"},
	/* values.size as a drawn distribution */
	{VS("{gev: {mu: 30, sigma: 0, xi: 0.1}}"), "3:38", "values.size.gev.sigma must be more than 0"},
	{VS("{gev: {mu: 30, sigma: 8}}"), "3:22", "missing required key 'xi' in values.size.gev"},
	{VS("{gev: {mu: 1, sigma: 1, xi: 0}, gpareto: {theta: 0, sigma: 1, xi: 0}}"), "3:16",
	 "values.size gives both gev and gpareto; give one"},
	{VS("{gpareto: {theta: 0, sigma: 1, xi: 0}, min: 10, max: 5}"), "3:16",
	 "values.size min (10) is greater than max (5)"},
	{VS("{gpareto: {theta: 0, sigma: 1, xi: 0}, max: 65MiB}"), "3:60",
	 "values.size.max '65MiB' is too large"},
	{VS("fb_etcc"), "3:16", "invalid size 'fb_etcc' for values.size"},
	/* values.ttl */
	{TTL("1500us"), "3:15", "values.ttl '1500us' must be a whole number of milliseconds from 1ms to 30 days"},
	{TTL("31d"), "3:15", "invalid duration '31d' for values.ttl"},
	{TTL("745h"), "3:15", "values.ttl '745h' must be a whole number of milliseconds from 1ms to 30 days"},
	{TTL("0s"), "3:15", "values.ttl '0s' must be a whole number of milliseconds"},
	{TTL("[]"), "3:15", "values.ttl is an empty list; give at least one {ttl: TTL, weight: N}"},
	{TTL("{min: 2s, max: 1s}"), "3:15", "values.ttl min (2s) is greater than max (1s)"},
	{TTL("{min: 2s}"), "3:15", "values.ttl needs both min and max, e.g. {min: 1s, max: 10s}"},
	{TTL("[{ttl: 1s, weight: 1}, {ttl: 2x, weight: 1}]"), "3:44", "invalid duration '2x' for values.ttl[1].ttl"},
	{TTL("{min: 1s, max: 2s, gev: {mu: 1, sigma: 1, xi: 0}}"), "3:34", "unknown key 'gev' in values.ttl"},
	{TTL("1s, fields: 2"), "3:9", "values: ttl with fields is not supported"},
	/* keyspace.key_size */
	{KS("{key_size: 10}"), "3:22",
	 "keyspace.key_size 10 is shorter than the prefix 'bench:' and the 12 digits of the record number (18 bytes)"},
	{KS("{key_size: 251}"), "3:22", "keyspace.key_size must be between 1 and 250, got 251"},
	{KS("{key_size: {gev: {mu: 30, sigma: 8, xi: 0.1}, max: 300}}"), "3:62", "keyspace.key_size.max"},
	{KS("{key_size: fb_etc}"), NULL, NULL},
	{KS("{prefix: a, key_size: 13}"), NULL, NULL},
	/* arrival */
	{PH("{name: run, duration: 1s, arrival: poisson, mix: {get: 1}}"), "4:38",
	 "unknown arrival 'poisson' for phases.run.arrival; known: fixed, fb_etc"},
	{PH("{name: load, arrival: fb_etc}"), "4:16", "key 'arrival' is only for run phases"},
	/* values.size as a weighted list */
	{VS("[]"), "3:16", "values.size is an empty list"},
	{VS("[{weight: 1}]"), "3:17", "missing required key 'size' in values.size[0]"},
	/* rate */
	{PH("{name: run, duration: 1s, rate: -1, mix: {get: 1}}"), "4:35",
	 "phases.run.rate must be at least 0, got -1"},
	{PH("{name: run, duration: 1s, rate: .inf, mix: {get: 1}}"), "4:35",
	 "expected a number for phases.run.rate, got '.inf'"},
	{PH("{name: run, duration: 1s, rate: nan, mix: {get: 1}}"), "4:35",
	 "expected a number for phases.run.rate, got 'nan'"},
	{PH("{name: load, rate: 10}"), "4:16", "key 'rate' is only for run or replication phases; phases.load is a load phase"},
	{PH("{name: run, duration: 1s, clients: 4, rate: 2, mix: {get: 1}}"), "4:47",
	 "warning: phases.run.rate 2 is less than the phase's 4 clients: each client would send less than 1 op/s"},
	{PH("{name: run, duration: 1s, rate: 0.5, mix: {get: 1}}"), "4:35",
	 "warning: phases.run.rate 0.5 is less than the phase's 1 clients"},
	{PH("{name: run, duration: 1s, clients: 4, rate: 4, mix: {get: 1}}"), NULL, NULL}, /* valid, no warning */
	/* A client's interval between requests, clients / rate, is 1 ns to a
	 * day: 1e308 made the pacer's interval 0 and 1e-300 infinite, and
	 * either phase never ended. */
	{PH("{name: run, duration: 1s, rate: 1e308, mix: {get: 1}}"), "4:35",
	 "phases.run.rate 1e308 asks each of the phase's 1 clients for a request more often than every nanosecond; "
	 "at most 1e+09"},
	{PH("{name: run, duration: 1s, clients: 3, rate: 3.1e9, mix: {get: 1}}"), "4:47",
	 "phases.run.rate 3.1e9 asks each of the phase's 3 clients for a request more often than every nanosecond; "
	 "at most 3e+09"},
	{PH("{name: run, duration: 1s, clients: 3, rate: 3e9, mix: {get: 1}}"), NULL, NULL}, /* 1 ns: the most */
	{PH("{name: run, duration: 1s, rate: 1e-300, mix: {get: 1}}"), "4:35",
	 "phases.run.rate 1e-300 leaves more than a day between two requests of each of the phase's 1 clients; at "
	 "least 1.15741e-05 (one a day per client), or 0 for a closed loop"},
	{PH("{name: run, duration: 1s, clients: 2, rate: 2e-5, mix: {get: 1}}"), "4:47",
	 "leaves more than a day between two requests of each of the phase's 2 clients"},
	{PH("{name: run, duration: 1s, rate: 2e-5, mix: {get: 1}}"), "4:35",
	 "warning: phases.run.rate 2e-5 is less than the phase's 1 clients"},
	{PH("{name: repl, type: replication, duration: 1s, rate: 1e308}"), "4:55",
	 "phases.repl.rate 1e308 asks each of the phase's 1 clients for a request more often than every nanosecond"},
	{SW("{rate: [100, 1e308]}"), "5:21",
	 "sweep rate=1e308: phases.run.rate 1e308 asks each of the phase's 1 clients for a request more often"},
	/* sweep: its shape, its key, and each point */
	{SW("{clients: [1, 4], pipeline: [2]}"), "5:26", "sweep has 2 keys; give exactly one"},
	{SW("{}"), "5:8", "sweep has 0 keys"},
	{SW("[clients]"), "5:8", "expected a mapping for sweep, got a sequence"},
	{SW("{clients: []}"), "5:18", "sweep.clients is empty; give at least one value"},
	{SW("{clients: 4}"), "5:18", "expected a sequence for sweep.clients, got '4'"},
	{SW("{clients: [1, [2]]}"), "5:22", "expected a scalar value for sweep.clients, got a sequence"},
	{SW("{rate: [100, 100]}"), "5:21", "warning: sweep value '100' for rate is given twice (first at line 5)"},
	{SW("{clinets: [1]}"), "5:9",
	 "sweep key 'clinets' names nothing to set: give a run-phase key (clients, pipeline, rate, warmup, "
	 "duration, ops, idle_connections) or a key path as --set takes it (e.g. keyspace.records); did you mean 'clients'?"},
	{SW("{keyspace.recods: [1]}"), "5:9",
	 "sweep key 'keyspace.recods' names nothing to set: no key 'recods' in keyspace; did you mean 'records'?"},
	{SW("{phases.rn.clients: [1]}"), "5:9",
	 "names nothing to set: phases has no item named 'rn'; did you mean 'run'?"},
	{SW("{phases.run.clients.x: [1]}"), "5:9", "names nothing to set: phases.run.clients has no key 'x'"},
	{SW("{keyspace: [1]}"), "5:9", "keyspace is a mapping; sweep one of its keys"},
	{SW("{seed.x: [1]}"), "5:9", "seed is a scalar; it has no key 'x'"},
	{SW("{sweep: [1]}"), "5:9", "a sweep cannot set the sweep"},
	{SW("{a..b: [1]}"), "5:9", "the key path has an empty element"},
	{SW("{values.size: [100, 65MiB]}"), "5:28", "sweep values.size=65MiB: values.size '65MiB' is too large"},
	{SW("{keyspace.records: [10, 0]}"), "5:32",
	 "sweep keyspace.records=0: keyspace.records must be at least 1, got 0"},
	{SW("{phases.run.mix.get: [1, 0.5]}"), "5:33",
	 "sweep phases.run.mix.get=0.5: phases.run.mix shares sum to 0.5, not 1"},
	{"name: t\ntargets: [null]\nphases: [{name: load}]\nsweep: {clients: [1]}\n", "4:9",
	 "'clients' applies to every run phase, and this workload has none"},
	/* A problem of the workload itself is reported once, not once per point. */
	{PH("{name: run, duration: 1s, mix: {get: 0.5}}") "sweep: {clients: [1, 2]}\n", "4:34",
	 "phases.run.mix shares sum to 0.5, not 1"},
	/* A phase's targets: the workload's target names, each once, not none. */
	{TG("[mongodbb]"), "4:54", "phases.run.targets: unknown target 'mongodbb'; did you mean 'mongodb'?"},
	{TG("[redis, redis]"), "4:61", "phases.run.targets names target 'redis' twice"},
	{TG("[]"), "4:53", "phases.run.targets is empty; name at least one target, or leave the key out to run "
	 "the phase on every target"},
	{TG("redis"), "4:53", "expected a sequence for phases.run.targets, got 'redis'"},
	{TG("[{name: redis}]"), "4:54", "expected a target name for phases.run.targets, got a mapping"},
};

/* Does `line` report `w` for `file`? */
static int line_matches(const char *line, size_t len, const char *file, const struct want *w)
{
	char *l = xstrndup(line, len), *prefix = w->pos ? xasprintf("%s:%s: ", file, w->pos) : NULL;
	int ok = (!prefix || strncmp(l, prefix, strlen(prefix)) == 0) && strstr(l, w->msg) != NULL;

	free(prefix);
	free(l);
	return ok;
}

static void run_bad(const struct bad_case *tc)
{
	const char *file = tc->file ? tc->file : "inline.yaml";
	struct workload *w = (struct workload *)&w; /* must be reset to NULL */
	char *errors = NULL;
	size_t n_want = 0, n_warn_want = 0, n_lines = 0, n_warnings = 0;
	int rc;

	for (; n_want < 12 && tc->want[n_want].msg; n_want++)
		n_warn_want += !strncmp(tc->want[n_want].msg, "warning: ", 9);
	if (tc->file)
		rc = workload_load(tc->file, tc->ov, tc->n_ov, &w, &errors);
	else
		rc = workload_parse(file, tc->text, strlen(tc->text), tc->ov, tc->n_ov, &w, &errors);
	CHECK_INT(rc, n_want > n_warn_want ? -1 : 0);
	CHECK((w == NULL) == (rc != 0));
	if (w != (struct workload *)&w)
		workload_free(w);
	CHECK(errors != NULL);
	if (!errors)
		return;
	for (const char *p = errors; *p; p = strchr(p, '\n') + 1) {
		CHECK(strchr(p, '\n') != NULL); /* every message ends with a newline */
		if (!strchr(p, '\n'))
			break;
		if (!strstr(p, ": warning: ") || strstr(p, ": warning: ") > strchr(p, '\n'))
			n_lines++;
		else
			n_warnings++;
	}
	for (size_t i = 0; i < n_want; i++) {
		const struct want *wt = &tc->want[i];
		int found = 0;

		for (const char *p = errors; *p && !found; p = strchr(p, '\n') + 1)
			found = line_matches(p, (size_t)(strchr(p, '\n') - p), file, wt);
		CHECK(found);
		if (!found)
			fprintf(stderr, "  %s: no error \"%s%s%s\" in:\n%s", file, wt->pos ? wt->pos : "",
				wt->pos ? ": ..." : "", wt->msg, errors);
	}
	CHECK_INT(n_lines, n_want - n_warn_want);
	/* Warnings are checked when the case lists one, or lists no error. */
	if (n_warn_want || n_want == 0)
		CHECK_INT(n_warnings, n_warn_want);
	if (n_lines != n_want - n_warn_want || ((n_warn_want || !n_want) && n_warnings != n_warn_want))
		fprintf(stderr, "  %s: messages were:\n%s", file, errors);
	free(errors);
}

/* ---- sweep points, as `bench run` loads them ---- */

/* Loads a workload that must be valid, without warnings. */
static struct workload *load_ok(const char *file, const struct wl_override *ov, size_t n_ov)
{
	struct workload *w = NULL;
	char *errors = NULL;

	CHECK_INT(workload_load(file, ov, n_ov, &w, &errors), 0);
	CHECK_STR(errors, "");
	if (errors && *errors)
		fprintf(stderr, "  %s:\n%s", file, errors);
	free(errors);
	return w;
}

static void test_sweep_overrides(void)
{
	const struct wl_override set = {"sweep", "{values.size: [100, 1KiB]}"};
	struct wl_override *ov = xcalloc(1, sizeof(*ov)), *ov2 = NULL;
	struct workload *w = load_ok(FIX("valid-sweep.yaml"), NULL, 0), *pt;
	size_t n_ov = 1, n_ov2 = 0;

	ov[0] = (struct wl_override){"seed", "5"}; /* the user's own --set comes first */
	/* A bare phase key: one override per run phase; none for a point that is not there. */
	CHECK_INT(w ? workload_sweep_overrides(w, 1, &ov, &n_ov) : 0, 2);
	CHECK_INT(w ? workload_sweep_overrides(w, 3, &ov, &n_ov) : 0, 0);
	CHECK_INT(n_ov, 3);
	if (n_ov == 3) {
		CHECK_STR(ov[0].path, "seed");
		CHECK(!strcmp(ov[1].path, "phases.run.clients") && !strcmp(ov[1].value, "8"));
		CHECK(!strcmp(ov[2].path, "phases.drain.clients") && !strcmp(ov[2].value, "8"));
	}
	/* The point as `bench run` loads it: the load phase keeps its clients. */
	pt = load_ok(FIX("valid-sweep.yaml"), ov, n_ov);
	CHECK(pt && pt->seed == 5 && pt->phases[0].clients == 4 && pt->phases[1].clients == 8 &&
	      pt->phases[2].clients == 8);
	workload_free(pt);
	workload_free(w);

	/* A full key path: one override. No sweep: none. */
	w = load_ok(FIX("valid-sweep.yaml"), &set, 1);
	CHECK_INT(w ? workload_sweep_overrides(w, 1, &ov2, &n_ov2) : 0, 1);
	CHECK(n_ov2 == 1 && !strcmp(ov2[0].path, "values.size") && !strcmp(ov2[0].value, "1KiB"));
	workload_free(w);
	w = load_ok(FIX("valid-size-range.yaml"), NULL, 0);
	CHECK_INT(w ? workload_sweep_overrides(w, 0, &ov2, &n_ov2) : 1, 0);
	CHECK_INT(n_ov2, 1);
	workload_free(w);
	free(ov);
	free(ov2);
}

/* ---- the workloads bench ships ---- */

static void validate_dir(const char *dir, int *count)
{
	/* Without the network drivers, check everything but the targets. */
	static const struct wl_override null_targets = {"targets", "[null]"};
	DIR *d = opendir(dir);
	struct dirent *e;

	CHECK(d != NULL);
	if (!d) {
		fprintf(stderr, "  cannot open %s\n", dir);
		return;
	}
	while ((e = readdir(d))) {
		char *path = xasprintf("%s/%s", dir, e->d_name), *errors = NULL;
		size_t len = strlen(e->d_name);
		struct workload *w = NULL;
		struct stat st;

		if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			validate_dir(path, count);
		} else if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) {
			int rc = workload_load(path, have_net_drivers ? NULL : &null_targets, !have_net_drivers, &w, &errors);

			CHECK_INT(rc, 0);
			if (rc != 0)
				fprintf(stderr, "  %s:\n%s", path, errors);
			(*count)++;
		}
		workload_free(w);
		free(errors);
		free(path);
	}
	closedir(d);
}

/* ---- the rest of the contract ---- */

/* spawn: {args: [...]} keeps the arguments in order, NULL-terminated; a
 * target with a uri is never spawned, which is a warning. */
static void test_spawn_args(void)
{
	static const char text[] = "name: s\ntargets:\n- {name: a, driver: null, spawn: {args: [-t, '4', '']}}\n"
				   "- {name: b, driver: null, uri: x, spawn: {args: [-m, '64']}}\n- {name: c, driver: null}\n"
				   "- {name: d, driver: mongodb, spawn: {program: bench-ferretdb}}\n"
				   "phases: [{name: run, ops: 5, mix: {get: 1}}]\n";
	struct workload *w = NULL;
	char *errors = NULL;

	CHECK_INT(workload_parse("s.yaml", text, sizeof(text) - 1, NULL, 0, &w, &errors), 0);
	CHECK(errors && strstr(errors, "s.yaml:4:35: warning: targets.b.spawn has no effect: the target has a uri"));
	if (w) {
		CHECK_INT(w->targets[0].n_spawn_args, 3);
		CHECK_STR(w->targets[0].spawn_args[0], "-t");
		CHECK_STR(w->targets[0].spawn_args[1], "4");
		CHECK_STR(w->targets[0].spawn_args[2], "");
		CHECK(w->targets[0].spawn_args[3] == NULL);
		CHECK(w->targets[2].spawn_args == NULL && w->targets[2].n_spawn_args == 0);
		CHECK(w->targets[0].spawn_program == NULL);
		CHECK_STR(w->targets[3].spawn_program, "bench-ferretdb");
		/* The warning is about target b (index 1) only. */
		CHECK_INT(w->n_warnings, 1);
		CHECK(w->n_warnings == 1 && w->warnings[0].target == 1 &&
		      !strcmp(w->warnings[0].text, "s.yaml:4:35: warning: targets.b.spawn has no effect: the target has a uri, "
						   "so bench never spawns its server"));
	}
	workload_free(w);
	free(errors);
}

/* Warnings are kept on the workload with the target they concern (an op a
 * target cannot do), or -1 for the workload itself, in file order: `bench
 * run --target` says only those of the targets it runs. */
static void test_target_warnings(void)
{
	static const char text[] = "name: s\ntargets: [{name: n, driver: null}, memcached]\n"
				   "phases: [{name: run, duration: 1s, clients: 4, rate: 2, mix: {get: 0.5, range: 0.5}}]\n";
	struct workload *w = NULL;
	char *errors = NULL;

	if (!have_net_drivers)
		return;
	CHECK_INT(workload_parse("s.yaml", text, sizeof(text) - 1, NULL, 0, &w, &errors), 0);
	CHECK(w && w->n_warnings == 2);
	if (w && w->n_warnings == 2) {
		CHECK_INT(w->warnings[0].target, -1);
		CHECK(strstr(w->warnings[0].text, "s.yaml:3:54: warning: phases.run.rate 2 is less") == w->warnings[0].text);
		CHECK_INT(w->warnings[1].target, 1);
		CHECK_STR(w->warnings[1].text, "s.yaml:3:73: warning: op 'range' is not supported by target 'memcached'; it "
					       "will be reported as unsupported there");
		/* The same lines as the messages, which end in a newline. */
		CHECK(strstr(errors, w->warnings[1].text) && strstr(errors, w->warnings[0].text));
	}
	workload_free(w);
	free(errors);
}

/* A target's own shard_key (mongodb only): same syntax and checks as
 * keyspace.shard_key, overriding it for that target. */
#define TSK(t) "name: s\ntargets:\n- " t "\nphases: [{name: run, ops: 5, mix: {get: 1}}]\n" /* the mapping at 3:3 */
static void test_target_shard_key(void)
{
	static const struct bad_case bad[] = {
		{NULL, TSK("{name: r, driver: redis, shard_key: {_id: hashed}}"), {{0}}, 0, 1,
		 {{"3:28", "targets.r.shard_key: only the mongodb driver shards on a key; target r uses redis"}}},
		{NULL, TSK("{name: n, driver: null, shard_key: {_id: 1}}"), {{0}}, 0, 0,
		 {{"3:27", "targets.n.shard_key: only the mongodb driver shards on a key; target n uses null"}}},
		{NULL, TSK("{name: m, driver: mongodb, shard_key: {v: hashed}}"), {{0}}, 0, 1,
		 {{"3:42", "targets.m.shard_key: bench shards on the record's key, _id, not 'v': use {_id: hashed} or "
			   "{_id: 1}"}}},
		{NULL, TSK("{name: m, driver: mongodb, shard_key: {_id: range}}"), {{0}}, 0, 1,
		 {{"3:47", "targets.m.shard_key._id must be hashed (hashed sharding) or 1 (ranged), not 'range'"}}},
		{NULL, TSK("{name: m, driver: mongodb, shard_key: hashed}"), {{0}}, 0, 1,
		 {{"3:41", "expected a mapping for targets.m.shard_key, got 'hashed'"}}},
		{NULL, TSK("{name: m, driver: mongodb, shard_key: {_id: hashed, x: 1}}"), {{0}}, 0, 1,
		 {{"3:41", "targets.m.shard_key holds one field: {_id: hashed} or {_id: 1}"}}},
		{NULL, TSK("{name: m, driver: mongodb, shard_key: {_id: [1]}}"), {{0}}, 0, 1,
		 {{"3:47", "expected hashed or 1 for targets.m.shard_key._id, got a sequence"}}},
		/* The driver's shard_key option (ABI 7) is set from the key above. */
		{NULL, TSK("{name: m, driver: mongodb, options: {shard_key: hashed}}"), {{0}}, 0, 1,
		 {{"3:40", "targets.m.options.shard_key: give the target a shard_key: {_id: hashed} or {_id: 1} (or the "
			   "keyspace one), not an option"}}},
	};
	const char *good = "name: s\nkeyspace: {shard_key: {_id: 1}}\ntargets:\n"
			   "- {name: h, driver: mongodb, shard_key: {_id: hashed}}\n"
			   "- {name: r, driver: mongodb, shard_key: {_id: 1}}\n- {name: k, driver: mongodb}\n"
			   "phases: [{name: run, ops: 5, mix: {get: 1}}]\n";
	struct workload *w = NULL;
	char *errors = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (have_net_drivers || !bad[i].net)
			run_bad(&bad[i]);
	if (!have_net_drivers)
		return;
	CHECK_INT(workload_parse("s.yaml", good, strlen(good), NULL, 0, &w, &errors), 0);
	CHECK_STR(errors, "");
	if (w && w->n_targets == 3) {
		CHECK_STR(w->targets[0].shard_key, "hashed");
		CHECK_STR(w->targets[1].shard_key, "1");
		CHECK(w->targets[2].shard_key == NULL); /* the keyspace's applies (cmd_run.c) */
		CHECK_STR(w->keyspace.shard_key, "1");
	} else {
		CHECK(0);
	}
	workload_free(w);
	free(errors);
}

/* values.ttl, keyspace.key_size, the drawn sizes and arrival, as parsed. */
static void test_production_shapes(void)
{
	static const char *const texts[] = {
		"name: t\ntargets: [null]\nkeyspace: {key_size: fb_etc}\nvalues: {size: fb_etc, ttl: 1500ms}\n"
		"phases: [{name: run, duration: 1s, clients: 2, arrival: fb_etc, mix: {get: 1}}]\n",
		"name: t\ntargets: [null]\nkeyspace: {key_size: {gev: {mu: 40, sigma: 5, xi: -0.1}, min: 20, max: 90}}\n"
		"values: {size: {gpareto: {theta: 15, sigma: 214.476, xi: 0.348238}, max: 4096}, "
		"ttl: [{ttl: 1s, weight: 3}, {ttl: 1h, weight: 1}]}\n"
		"phases: [{name: run, duration: 1s, rate: 1000, arrival: fb_etc, mix: {get: 1}}]\n",
		"name: t\ntargets: [null]\nvalues: {ttl: {min: 1s, max: 10s}}\n"
		"phases: [{name: run, duration: 1s, mix: {get: 1}}]\n",
	};
	struct workload *w[3] = {0};
	char *errors = NULL;

	for (int i = 0; i < 3; i++) {
		CHECK_INT(workload_parse("p.yaml", texts[i], strlen(texts[i]), NULL, 0, &w[i], &errors), 0);
		if (errors && *errors)
			fprintf(stderr, "%s", errors);
	}
	free(errors);
	if (!w[0] || !w[1] || !w[2])
		goto out;
	CHECK_INT(w[0]->keyspace.key_shape.kind, WL_SHAPE_FB_ETC);
	CHECK_INT(w[0]->keyspace.key_size.min, 0);
	CHECK_INT(w[0]->keyspace.key_size.max, 250);
	CHECK_INT(w[0]->values.size_shape.kind, WL_SHAPE_FB_ETC);
	CHECK_INT(w[0]->values.size_max, 1000000);
	CHECK_INT(w[0]->values.ttl.min, 1500);
	CHECK_INT(w[0]->values.ttl.max, 1500);
	CHECK_INT(w[0]->phases[0].arrival, WL_ARRIVAL_FB_ETC);
	/* No rate: the measured mean gap, 16.0292 us / (1 - 0.154971). */
	CHECK(fabs(w[0]->phases[0].rate - 1e6 * (1 - 0.154971) / 16.0292) < 1e-6);

	CHECK_INT(w[1]->keyspace.key_shape.kind, WL_SHAPE_GEV);
	CHECK(w[1]->keyspace.key_shape.p[0] == 40 && w[1]->keyspace.key_shape.p[1] == 5 &&
	      w[1]->keyspace.key_shape.p[2] == -0.1);
	CHECK_INT(w[1]->keyspace.key_size.min, 20);
	CHECK_INT(w[1]->keyspace.key_size.max, 90);
	CHECK_INT(w[1]->values.size_shape.kind, WL_SHAPE_GPARETO);
	CHECK(w[1]->values.size_shape.p[0] == 15 && w[1]->values.size_shape.p[2] == 0.348238);
	CHECK_INT(w[1]->values.size_min, 0);
	CHECK_INT(w[1]->values.size_max, 4096);
	CHECK_INT(w[1]->values.ttl.n, 2);
	CHECK_INT(w[1]->values.ttl.vals[0], 1000);
	CHECK_INT(w[1]->values.ttl.vals[1], 3600000);
	CHECK(w[1]->values.ttl.weights[0] == 3);
	CHECK_INT(w[1]->values.ttl.max, 3600000);
	CHECK(w[1]->phases[0].rate == 1000);

	CHECK_INT(w[2]->values.ttl.min, 1000);
	CHECK_INT(w[2]->values.ttl.max, 10000);
	CHECK_INT(w[2]->values.ttl.n, 0);
	CHECK_INT(w[2]->keyspace.key_size.max, 0);
	CHECK_INT(w[2]->phases[0].arrival, WL_ARRIVAL_FIXED);
out:
	for (int i = 0; i < 3; i++)
		workload_free(w[i]);
}

static void test_misc(void)
{
	struct workload *w = NULL;
	char *errors = xstrdup("earlier.yaml:1:1: kept\n");
	const char *good = "name: s\ntargets: [null]\nphases: [{name: run, ops: 5, mix: {get: 1}}]\n";

	workload_free(NULL);
	CHECK_STR(workload_phase_type_name(WL_PHASE_LOAD), "load");
	CHECK_STR(workload_phase_type_name(WL_PHASE_RUN), "run");

	/* Messages are appended to what *errors already holds. */
	CHECK_INT(workload_parse("s.yaml", "name: [", 7, NULL, 0, &w, &errors), -1);
	CHECK(errors && strncmp(errors, "earlier.yaml:1:1: kept\ns.yaml:", 30) == 0);
	free(errors);
	errors = NULL;

	/* Parsing from a string that is not NUL-terminated. */
	{
		char *text = xstrndup(good, strlen(good));

		CHECK_INT(workload_parse("s.yaml", text, strlen(good), NULL, 0, &w, &errors), 0);
		CHECK(w && w->n_phases == 1 && w->phases[0].ops == 5);
		CHECK_STR(w ? w->file : NULL, "s.yaml");
		workload_free(w);
		free(text);
		free(errors);
		errors = NULL;
	}

	/* A target's request timeout, in milliseconds; 0 = the default. */
	{
		const char *t = "name: s\ntargets: [{name: a, driver: null, timeout: 250ms}, {name: b, driver: null}]\n"
				"phases: [{name: run, ops: 5, mix: {get: 1}}]\n";

		CHECK_INT(workload_parse("s.yaml", t, strlen(t), NULL, 0, &w, &errors), 0);
		CHECK(w && w->n_targets == 2 && w->targets[0].timeout_ms == 250 && w->targets[1].timeout_ms == 0);
		workload_free(w);
		free(errors);
		errors = NULL;
	}
	/* At most 100 sweep values: each point is validated by parsing again,
	 * and 4000 values kept the parser busy for minutes (found while
	 * fuzzing). */
	for (int n = 100; n <= 4000; n += 3900) {
		struct sbuf sb = {0};

		sbuf_addf(&sb, "%s", good);
		sbuf_addf(&sb, "sweep: {clients: [");
		for (int i = 1; i <= n; i++)
			sbuf_addf(&sb, "%s%d", i > 1 ? ", " : "", i);
		sbuf_addf(&sb, "]}\n");
		CHECK_INT(workload_parse("s.yaml", sb.buf, sb.len, NULL, 0, &w, &errors), n == 100 ? 0 : -1);
		CHECK(n == 100 ? w && w->sweep.n_values == 100
			       : errors && strstr(errors, "s.yaml:4:18: sweep.clients has 4000 values; a sweep has at "
							  "most 100 (each value is a whole set of runs)"));
		workload_free(w);
		free(errors);
		free(sb.buf);
		errors = NULL;
	}

	CHECK_INT(workload_load(FIX("does-not-exist.yaml"), NULL, 0, &w, &errors), -1);
	CHECK(w == NULL);
	CHECK(errors && strstr(errors, "does-not-exist.yaml: cannot read the workload: No such file"));
	free(errors);
	errors = NULL;
	/* A directory opens: said so in words (bench validate DIR), not an
	 * errno's text ("Input/output error" where read() gives EIO). */
	CHECK_INT(workload_load(BENCH_FIXTURES, NULL, 0, &w, &errors), -1);
	CHECK(errors && strstr(errors, "fixtures: cannot read the workload: this is a directory; name a file in it"));
	free(errors);
}

/* head, then unit n times, then tail; the caller frees. */
static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	struct sbuf sb = {0};

	sbuf_addf(&sb, "%s", head);
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "%s", unit);
	sbuf_addf(&sb, "%s", tail);
	return sbuf_take(&sb);
}

/* ---- limits: what a YAML text may make the parser do ---- */

#define LIM_HEAD "name: t\ntargets: [null]\nphases: [{name: run, duration: 1s, mix: {get: 1}}]\n" /* then line 4 */

/* Parses text (with one --set when path is not NULL) and wants exactly one
 * error line, holding `msg` (at "file:pos: " when pos is not NULL). */
static void want_one(const char *text, const char *path, const char *value, const char *pos, const char *msg)
{
	struct wl_override ov = {path, value};
	struct workload *w = NULL;
	char *errors = NULL, *prefix = pos ? xasprintf("l.yaml:%s: ", pos) : NULL;
	const char *nl;
	int rc = workload_parse("l.yaml", text, strlen(text), &ov, path ? 1 : 0, &w, &errors);

	CHECK_INT(rc, -1);
	CHECK(w == NULL);
	nl = errors ? strchr(errors, '\n') : NULL;
	CHECK(nl && nl[1] == '\0');
	CHECK(errors && strstr(errors, msg) && (!prefix || !strncmp(errors, prefix, strlen(prefix))));
	/* A long --set value is not repeated in full. */
	CHECK(errors && strlen(errors) < 1000);
	if (!errors || !strstr(errors, msg) || !nl || nl[1] || strlen(errors) >= 1000)
		fprintf(stderr, "  wanted %s%s; got:\n%.2000s\n", pos ? pos : "", msg, errors ? errors : "(null)");
	workload_free(w);
	free(errors);
	free(prefix);
}

/* "[&a [x x9], &b [*a x9], &c [*b x9] ...]": `levels` anchors, each
 * standing for 9 of the one before: 9^levels nodes in 12 bytes a level. */
static char *alias_bomb(int levels)
{
	struct sbuf sb = {0};

	sbuf_addf(&sb, "[&a0 [x, x, x, x, x, x, x, x, x]");
	for (int i = 1; i < levels; i++) {
		sbuf_addf(&sb, ", &a%d [", i);
		for (int k = 0; k < 9; k++)
			sbuf_addf(&sb, "%s*a%d", k ? ", " : "", i - 1);
		sbuf_addf(&sb, "]");
	}
	sbuf_addf(&sb, "]");
	return sbuf_take(&sb);
}

/*
 * Each case is refused by its limit's message; none by a clock. Before the
 * limits, the alias bomb took 2.7 GB (--set copies a value with its aliases
 * expanded) and 200k nested '[' over 60 s (libyaml is quadratic in the
 * nesting): ctest's timeout is the hang guard, the messages are the test.
 */
static void test_limits(void)
{
	struct workload *w = NULL;
	char *errors = NULL, *t, *v;

	/* Nesting: the root mapping is level 1; 31 '[' under it are fine. */
	t = repeat(LIM_HEAD "description: ", "[", 31, "");
	v = repeat(t, "]", 31, "\n");
	want_one(v, NULL, NULL, "4:14", "expected a string for description, got a sequence");
	free(t);
	free(v);
	for (size_t n = 32; n <= 200000; n *= 80) {
		t = repeat(LIM_HEAD "description: ", "[", n, "");
		v = repeat(t, "]", n, "\n");
		want_one(v, NULL, NULL, "4:45", "collections nest deeper than 32 levels here (docs/workload-format.md");
		free(t);
		free(v);
		v = repeat("", "[", n + 1, "");
		want_one(LIM_HEAD, "description", v, NULL,
			 ": at column 33 of the value: collections nest deeper than 32 levels here");
		free(v);
	}

	/* Alias expansion: 9^6 nodes, and the 10-level value of the report
	 * (9^10: 2.7 GB before), as --set values and in the file. */
	for (int levels = 6; levels <= 10; levels += 4) {
		char *bomb = alias_bomb(levels);

		want_one(LIM_HEAD, "description", bomb, NULL,
			 "--set description=[&a0 [x, x, x, x, x, x, x, x, x], &a1 [");
		want_one(LIM_HEAD, "description", bomb, NULL,
			 "with its aliases (*name) expanded, this value has more than 100000 nodes");
		t = xasprintf(LIM_HEAD "description: %s\n", bomb);
		want_one(t, NULL, NULL, NULL, "with its aliases (*name) expanded, this value has more than 100000 nodes");
		free(t);
		free(bomb);
	}
	/* 200 references to a 100 KB string: few nodes, 20 MB of text. */
	v = repeat(LIM_HEAD "description: [&s '", "xxxxxxxxxx", 10000, "'");
	t = repeat(v, ", *s", 200, "]\n");
	want_one(t, NULL, NULL, "4:14", "with its aliases (*name) expanded, this value has more than 16 MiB of text");
	free(t);
	free(v);
	/* An alias inside the collection it names: endless. */
	want_one(LIM_HEAD "description: &a [x, *a, *a]\n", NULL, NULL, "4:14",
		 "an alias here refers to a collection that holds it (an endless value)");
	want_one(LIM_HEAD, "description", "[&a [*a, *a]]", NULL,
		 "--set description=[&a [*a, *a]]: at column 2 of the value: an alias here refers to a collection");
	/* libyaml looks anchors up one by one: at most 1000 anchors, 10000 aliases. */
	t = repeat(LIM_HEAD "description: [", "&a x, ", 1001, "]\n");
	want_one(t, NULL, NULL, NULL, "more than 1000 anchors (&name)");
	free(t);
	t = repeat(LIM_HEAD "description: [&a x", ", *a", 10001, "]\n");
	want_one(t, NULL, NULL, NULL, "more than 10000 aliases (*name)");
	free(t);

	/* Aliases within the limits work as YAML says. */
	t = "name: t\ntargets: [null]\nphases:\n- {name: a, duration: 1s, mix: &m {get: 0.5, set: 0.5}}\n"
	    "- {name: b, duration: 1s, mix: *m}\n";
	CHECK_INT(workload_parse("l.yaml", t, strlen(t), NULL, 0, &w, &errors), 0);
	CHECK(w && w->n_phases == 2 && w->phases[1].mix[BENCH_OP_SET] == 0.5);
	CHECK_STR(errors, "");
	workload_free(w);
	free(errors);
}

/* ---- driver options: keys, and values by the driver's table ---- */

static const char *const two_values[] = {"one", "two", NULL};
static const struct bench_option_spec bad_table[] = {
	{"mode", "an enum without its values", BENCH_OPT_ENUM, NULL},
	{NULL, NULL, BENCH_OPT_STRING, NULL},
};
static const struct bench_option_spec good_table[] = {
	{"mode", "one | two", BENCH_OPT_ENUM, two_values},
	{NULL, NULL, BENCH_OPT_STRING, NULL},
};

static int no_open(struct bench_conn *c)
{
	(void)c;
	return -1;
}

static void no_close(struct bench_conn *c)
{
	(void)c;
}

static int no_exec(struct bench_conn *c, struct bench_request *r, size_t n)
{
	(void)c;
	(void)r;
	(void)n;
	return -1;
}

#define TOPT(d, o) "name: s\ntargets:\n- {name: x, driver: " d ", options: " o "}\nphases: [{name: run, ops: 5, mix: {get: 1}}]\n"

static void test_driver_options(void)
{
	static const struct {
		const char *text, *want; /* want: the value the driver gets */
	} good[] = {
		{TOPT("redis", "{cluster: true}"), "on"},
		{TOPT("redis", "{cluster: Yes}"), "on"},
		{TOPT("redis", "{cluster: on}"), "on"},
		{TOPT("redis", "{cluster: OFF}"), "off"},
		{TOPT("redis", "{cluster: no}"), "off"},
		{TOPT("redis", "{cluster: auto}"), "auto"},
		{TOPT("redis", "{fields_as: string}"), "string"},
		{TOPT("mongodb", "{query_index: yes}"), "true"},
		{TOPT("mongodb", "{query_index: Off}"), "false"},
		{TOPT("mongodb", "{query_index: 'false'}"), "false"},
		{TOPT("mongodb", "{database: d1}"), "d1"},
		{TOPT("memcached", "{distribution: modula}"), "modula"},
	};
	static const struct bad_case bad[] = {
		/* Passed validate and failed at connect (exit 3) before. */
		{NULL, TOPT("redis", "{cluster: maybe}"), {{0}}, 0, 1,
		 {{"3:47", "targets.x.options.cluster must be auto, on or off, got 'maybe'"}}},
		{NULL, TOPT("redis", "{fields_as: true}"), {{0}}, 0, 1,
		 {{"3:49", "targets.x.options.fields_as must be hash or string, got 'true'"}}},
		{NULL, TOPT("mongodb", "{query_index: 1, database: ''}"), {{0}}, 0, 1, {
			{"3:53", "targets.x.options.query_index must be true or false, got '1'"},
			{"3:66", "targets.x.options.database must not be empty"},
		}},
		{NULL, TOPT("memcached", "{protocol: udp}"), {{0}}, 0, 1,
		 {{"3:52", "targets.x.options.protocol must be text or binary, got 'udp'"}}},
		{NULL, TOPT("null", "{x: y}"), {{0}}, 0, 0, {{"3:37", "unknown option 'x' for driver null; known options: none"}}},
	};
	static const char *const drivers[] = {"redis", "memcached", "mongodb", "null"};
	const struct bench_driver bad_driver = {.name = "bad", .abi_version = BENCH_DRIVER_ABI, .options = bad_table,
						.open = no_open, .close = no_close, .exec = no_exec};
	struct bench_driver good_driver = bad_driver;
	char err[512], tiny[24], *key = repeat("", "k", 470, "");
	const struct bench_driver *null = bench_driver_find("null", err, sizeof(err));
	const char *out;

	for (size_t i = 0; have_net_drivers && i < sizeof(good) / sizeof(good[0]); i++) {
		struct workload *w = NULL;
		char *errors = NULL;

		CHECK_INT(workload_parse("s.yaml", good[i].text, strlen(good[i].text), NULL, 0, &w, &errors), 0);
		CHECK_STR(errors, "");
		CHECK(w && w->targets[0].n_options >= 1);
		if (w && w->targets[0].n_options >= 1)
			CHECK_STR(w->targets[0].options[0].value, good[i].want);
		if (errors && *errors)
			fprintf(stderr, "  %s", errors);
		workload_free(w);
		free(errors);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (have_net_drivers || !bad[i].net)
			run_bad(&bad[i]);

	/* A 470-byte key overflowed the message buffer (ASan: stack-buffer-
	 * overflow in bench_driver_check_options), on every driver. */
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		char *text = xasprintf("name: s\ntargets: [{name: x, driver: %s, options: {%s: v}}]\n"
				       "phases: [{name: run, ops: 5, mix: {get: 1}}]\n", drivers[i], key);
		char *msg = xasprintf("unknown option '%.64s...' for driver %s; known options:", key, drivers[i]);
		char *pos = xasprintf("2:%zu", 41 + strlen(drivers[i])); /* the key */
		struct bad_case tc = {NULL, text, {{0}}, 0, 0, {{pos, msg}}};

		if (have_net_drivers || !strcmp(drivers[i], "null"))
			run_bad(&tc);
		free(pos);
		free(msg);
		free(text);
	}
	/* The message is cut to the buffer, whatever the key, and ends in NUL. */
	memset(tiny, 'X', sizeof(tiny));
	CHECK_INT(bench_driver_check_option(null, key, "v", NULL, &out, tiny, 16), -1);
	CHECK(strlen(tiny) == 15 && tiny[16] == 'X');
	CHECK_INT(bench_driver_check_option(null, key, "v", NULL, &out, tiny, 0), -1);
	CHECK_INT(bench_driver_check_option(null, key, "v", NULL, &out, tiny, 1), -1);
	CHECK(tiny[0] == '\0'); /* found by fuzz_workload: a 1-byte buffer was left as it was */

	/* A table the harness cannot check values against is refused at load. */
	CHECK_INT(bench_driver_check(&bad_driver, err, sizeof(err)), -1);
	CHECK(strstr(err, "driver 'bad' has a bad options table: option 'mode' needs a known type") != NULL);
	good_driver.options = good_table;
	CHECK_INT(bench_driver_check(&good_driver, err, sizeof(err)), 0);
	CHECK_INT(bench_driver_check_option(&good_driver, "mode", "two", NULL, &out, err, sizeof(err)), 0);
	CHECK_STR(out, "two");
	/* Without on and off among its values, an enum takes no booleans. */
	CHECK_INT(bench_driver_check_option(&good_driver, "mode", "true", NULL, &out, err, sizeof(err)), -2);
	CHECK_STR(err, "option mode of driver bad must be one or two, got 'true'");
	/* A driver that shards takes the workload's shard_key as its option. */
	good_driver.caps |= BENCH_CAP_SHARD_KEY;
	CHECK_INT(bench_driver_check(&good_driver, err, sizeof(err)), -1);
	CHECK(strstr(err, "driver 'bad' shards (BENCH_CAP_SHARD_KEY) but its options table does not take shard_key "
			  "hashed and 1: unknown option 'shard_key' for driver bad") != NULL);
	good_driver.caps &= ~(unsigned)BENCH_CAP_SHARD_KEY;
	free(key);
}

/* targets: [...] of a phase: on_target per workload target; --set moves it. */
static void test_phase_targets(void)
{
	const char *t = "name: s\ntargets: [{name: a, driver: null}, {name: b, driver: null}, {name: c, driver: null}]\n"
			"phases:\n- {name: load, targets: [c, a]}\n- {name: run, ops: 5, mix: {get: 1}}\n";
	const struct wl_override ov[] = {{"phases.run.targets", "[b]"}};
	struct workload *w = NULL;
	char *errors = NULL;

	CHECK_INT(workload_parse("s.yaml", t, strlen(t), NULL, 0, &w, &errors), 0);
	if (w && w->n_phases == 2) {
		CHECK(w->phases[0].on_target && w->phases[0].on_target[0] && !w->phases[0].on_target[1] &&
		      w->phases[0].on_target[2]);
		CHECK(workload_phase_on(&w->phases[0], 0) && !workload_phase_on(&w->phases[0], 1));
		CHECK(!w->phases[1].on_target && workload_phase_on(&w->phases[1], 1));
		CHECK(workload_phases_restricted(w));
	}
	workload_free(w);
	free(errors);
	errors = NULL;
	CHECK_INT(workload_parse("s.yaml", t, strlen(t), ov, 1, &w, &errors), 0);
	if (w && w->n_phases == 2)
		CHECK(!workload_phase_on(&w->phases[1], 0) && workload_phase_on(&w->phases[1], 1) &&
		      !workload_phase_on(&w->phases[1], 2));
	workload_free(w);
	free(errors);
	errors = NULL;
	/* The ops' check counts only the phase's targets: memcached has no
	 * range, and the mongodb target that has one does not run the phase. */
	if (have_net_drivers) {
		const char *r = "name: s\ntargets: [memcached, mongodb]\nphases:\n"
				"- {name: run, ops: 5, targets: [memcached], mix: {range: 1}}\n";

		CHECK_INT(workload_parse("r.yaml", r, strlen(r), NULL, 0, &w, &errors), -1);
		CHECK(errors && strstr(errors, "r.yaml:4:51: op 'range' cannot run on any target"));
		if (errors && !strstr(errors, "r.yaml:4:51: op 'range' cannot run on any target"))
			printf("  got: %s", errors);
		workload_free(w);
		free(errors);
	}
}

/* `pattern: cache-aside` (the spelling) is `type: cache-aside`;
 * another pattern, or another type beside it, is an error at the value. */
static void test_phase_pattern(void)
{
	static const struct {
		const char *phase, *error; /* NULL: valid, a cache-aside phase */
	} cases[] = {
		{"pattern: cache-aside", NULL},
		{"type: cache-aside, pattern: cache-aside", NULL},
		{"pattern: cache-asid", "p.yaml:4:22: unknown pattern 'cache-asid' for phases.a; did you mean 'cache-aside'?"},
		{"type: run, pattern: cache-aside",
		 "p.yaml:4:19: phases.a has type 'run' and pattern 'cache-aside'; a cache-aside phase has type cache-aside"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = xasprintf("name: p\ntargets: [{name: a, driver: null}]\nphases:\n"
				    "- {name: a, %s, ops: 5, mix: {get: 1}, store_latency: 0s}\n",
				    cases[i].phase);
		struct workload *w = NULL;
		char *errors = NULL;
		int rc = workload_parse("p.yaml", t, strlen(t), NULL, 0, &w, &errors);

		if (!cases[i].error) {
			CHECK_INT(rc, 0);
			CHECK(w && w->n_phases == 1 && w->phases[0].type == WL_PHASE_CACHE_ASIDE);
		} else {
			CHECK_INT(rc, -1);
			CHECK(errors && strstr(errors, cases[i].error));
			/* One error: the other keys are a cache-aside phase's. */
			size_t lines = 0;

			for (const char *e = errors; e && *e; e++)
				lines += *e == '\n';
			CHECK(lines == 1);
			if (errors && !strstr(errors, cases[i].error))
				printf("  got: %s", errors);
		}
		workload_free(w);
		free(errors);
		free(t);
	}
}

int main(void)
{
	static const char *const net[] = {"redis", "memcached", "mongodb"};
	char err[512];
	int n_workloads = 0;

	have_net_drivers = 1;
	for (size_t i = 0; i < sizeof(net) / sizeof(net[0]); i++) {
		if (!bench_driver_find(net[i], err, sizeof(err))) {
			printf("test_workload: no %s driver in this build: skipping the cases that need it\n", net[i]);
			have_net_drivers = 0;
		}
	}
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++)
		if (have_net_drivers || !good_cases[i].net)
			run_good(&good_cases[i]);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		if (have_net_drivers || !bad_cases[i].net)
			run_bad(&bad_cases[i]);
	for (size_t i = 0; i < sizeof(one_cases) / sizeof(one_cases[0]); i++) {
		struct bad_case tc = {NULL, one_cases[i].text, {{0}}, 0, 0, {{one_cases[i].pos, one_cases[i].msg}}};

		run_bad(&tc);
	}
	for (size_t i = 0; i < sizeof(dist_cases) / sizeof(dist_cases[0]); i++)
		run_dist(&dist_cases[i]);
	test_sweep_overrides();
	validate_dir(BENCH_WORKLOADS, &n_workloads);
	CHECK(n_workloads >= 2);
	test_misc();
	test_production_shapes();
	test_spawn_args();
	test_target_warnings();
	test_target_shard_key();
	test_limits();
	test_driver_options();
	test_phase_targets();
	test_phase_pattern();
	return check_report("test_workload");
}
