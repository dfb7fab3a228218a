/*
 * test_workload.c - the workload parser: valid fixtures parse to the
 * expected struct, invalid ones fail with every expected "line:col: message",
 * and --set overrides rewrite the tree before validation.
 *
 * Fixtures live in BENCH_FIXTURES/workloads. Cases marked `net` use the
 * redis, memcached and mongodb drivers and are skipped when this build
 * lacks one of them (BENCH_WITH_<NAME>=OFF).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
	CHECK_INT(w->keyspace.distribution, WL_DIST_UNIFORM);
	CHECK_INT(w->values.size_min, 4096); /* "4KiB" */
	CHECK_INT(w->values.size_max, 4096);
	CHECK_INT(w->repeat, 3);
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
	CHECK_INT(w->values.size_min, 100);
	CHECK_INT(w->values.size_max, 100);
	CHECK_INT(w->repeat, 1);
	CHECK_INT(w->n_phases, 1);
	if (w->n_phases != 1)
		return;
	CHECK_INT(w->phases[0].type, WL_PHASE_RUN);
	CHECK_INT(w->phases[0].duration_ns, 10 * SEC); /* a bare number is seconds */
	CHECK_INT(w->phases[0].warmup_ns, 0);
	CHECK_INT(w->phases[0].clients, 1);
	CHECK_INT(w->phases[0].pipeline, 1);
	CHECK(w->phases[0].mix[BENCH_OP_GET] == 1);
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
		CHECK(w->targets[1].n_options == 1 && !strcmp(w->targets[1].options[0].value, "ascii"));
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
	{FIX("valid-full.yaml"), {
		{"keyspace.records", "500"},
		{"phases.run.clients", "8"},
		{"phases.2.pipeline", "16"},
		{"phases.run.mix", "{get: 0.5, set: 0.5}"},
		{"phases.load.clients", "2"},
		{"description", "changed"},
		{"values.size", "{min: 10, max: 20}"},
		{"targets.redis.uri", "redis://127.0.0.1:6380"},
		{"targets.mc-bin.options.protocol", "ascii"},
	}, 9, 1, check_full_overridden},
	{FIX("valid-minimal.yaml"), {
		{"keyspace.records", "77"},
		{"keyspace.prefix", "t:"},
		{"seed", "'12'"},
		{"targets", "[null, {name: n2, driver: null}]"},
		{"phases.run.duration", "null"},
		{"phases.0.ops", "1000"},
	}, 6, 0, check_minimal_overridden},
};

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
	struct want want[12]; /* every error expected, no more */
};

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
	{FIX("bad-unsupported.yaml"), NULL, {{0}}, 0, 0, {
		{"5:5", "targets.r.spawn is not supported yet"},
		{"7:17", "distribution 'zipfian' is not supported yet; supported: uniform"},
		{"8:3", "keyspace.zipf_theta is not supported yet"},
		{"12:11", "rate > 0 (open loop) is not supported yet"},
		{"13:5", "phases.run.range is not supported yet"},
		{"14:21", "op 'incr' in phases.run.mix is not supported yet"},
		{"15:1", "sweep is not supported yet"},
	}},
	{FIX("bad-phase-keys.yaml"), NULL, {{0}}, 0, 0, {
		{"5:12", "phases.load.batch must be between 1 and 100000, got 0"},
		{"6:5", "key 'mix' is only for run phases"},
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
	{FIX("valid-minimal.yaml"), NULL, {{"targets.redis.uri", "redis://x"}, {"phases.run.mix.get", "0.5"}}, 2, 1, {
		{NULL, "--set targets.redis.uri=redis://x: the workload has no 'targets' list to set into"},
		{"6:10", "phases.run.mix shares sum to 0.5, not 1"},
	}},
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
	size_t n_want = 0, n_lines = 0;
	int rc;

	if (tc->file)
		rc = workload_load(tc->file, tc->ov, tc->n_ov, &w, &errors);
	else
		rc = workload_parse(file, tc->text, strlen(tc->text), tc->ov, tc->n_ov, &w, &errors);
	CHECK_INT(rc, BENCH_EXIT_USAGE);
	CHECK(w == NULL);
	CHECK(errors != NULL);
	if (!errors)
		return;
	for (const char *p = errors; *p; p = strchr(p, '\n') + 1) {
		CHECK(strchr(p, '\n') != NULL); /* every message ends with a newline */
		if (!strchr(p, '\n'))
			break;
		if (!strstr(p, ": warning: ") || strstr(p, ": warning: ") > strchr(p, '\n'))
			n_lines++;
	}
	for (; n_want < 12 && tc->want[n_want].msg; n_want++) {
		const struct want *wt = &tc->want[n_want];
		int found = 0;

		for (const char *p = errors; *p && !found; p = strchr(p, '\n') + 1)
			found = line_matches(p, (size_t)(strchr(p, '\n') - p), file, wt);
		CHECK(found);
		if (!found)
			fprintf(stderr, "  %s: no error \"%s%s%s\" in:\n%s", file, wt->pos ? wt->pos : "",
				wt->pos ? ": ..." : "", wt->msg, errors);
	}
	CHECK_INT(n_lines, n_want);
	if (n_lines != n_want)
		fprintf(stderr, "  %s: errors were:\n%s", file, errors);
	free(errors);
}

/* ---- the rest of the contract ---- */

static void test_misc(void)
{
	struct workload *w = NULL;
	char *errors = xstrdup("earlier.yaml:1:1: kept\n");
	const char *good = "name: s\ntargets: [null]\nphases: [{name: run, ops: 5, mix: {get: 1}}]\n";

	workload_free(NULL);
	CHECK_STR(workload_distribution_name(WL_DIST_UNIFORM), "uniform");
	CHECK_STR(workload_phase_type_name(WL_PHASE_LOAD), "load");
	CHECK_STR(workload_phase_type_name(WL_PHASE_RUN), "run");

	/* Messages are appended to what *errors already holds. */
	CHECK_INT(workload_parse("s.yaml", "name: [", 7, NULL, 0, &w, &errors), BENCH_EXIT_USAGE);
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

	CHECK_INT(workload_load(FIX("does-not-exist.yaml"), NULL, 0, &w, &errors), BENCH_EXIT_USAGE);
	CHECK(w == NULL);
	CHECK(errors && strstr(errors, "does-not-exist.yaml: cannot read the workload: No such file"));
	free(errors);
}

int main(void)
{
	static const char *const net[] = {"redis", "memcached", "mongodb"};
	char err[512];

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
	test_misc();
	return check_report("test_workload");
}
