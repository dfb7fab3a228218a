/*
 * test_cmptab.c - comparison.csv as the charts and report.html read it
 * (harness/output/cmptab.c): the fixture of tests/fixtures/chart/cmp read
 * whole (groups, targets, metrics in order, the cells of known rows, empty
 * cells as NAN), a directory without the file, and every malformed file
 * refused with FILE:LINE and what is wrong. Small files are written to a
 * temporary directory.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cmptab.h"
#include "util.h"

#define HEAD                                                                                                         \
	"workload,phase,op,sweep_key,sweep_value,metric,better,target,server,n,mean,ci_low,ci_high,ratio,ratio_ci_low," \
	"ratio_ci_high,rank,verdict,mix_differs,effective_mix\n"
#define ROW_A "kv,run,get,,,ops_per_sec,higher,redis,Redis 7.0.15,3,1000,900,1100,1,,,1,best,0,\n"
#define ROW_B "kv,run,get,,,ops_per_sec,higher,mc,memcached 1.6.18,3,500,450,550,0.5,0.4,0.6,2,worse,1,get:1.000\n"

static char tmpdir[] = "/tmp/bench-test-cmptab-XXXXXX";

/* Writes text as tmpdir/NAME/comparison.csv; returns the directory (caller frees). */
static char *dir_with(const char *name, const char *text)
{
	char *dir = xasprintf("%s/%s", tmpdir, name), *path = xasprintf("%s/comparison.csv", dir);
	FILE *f;

	if (mkdir(dir, 0755) == 0 && (f = fopen(path, "wb")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
	free(path);
	return dir;
}

static void test_fixture(void)
{
	struct cmptab *c = NULL;
	char err[512] = "";
	const struct cmptab_row *r;
	long ops, hit, scpu;

	CHECK_INT(cmptab_load(BENCH_FIXTURES "/chart/cmp", &c, err, sizeof(err)), 0);
	if (!c) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(c->nrows, 154);
	/* load and run get, set, range, at 2 sweep points */
	CHECK_INT(c->ngroups, 8);
	CHECK_STR(c->groups[1].phase, "run");
	CHECK_STR(c->groups[1].op, "get");
	CHECK_STR(c->groups[1].sweep_key, "clients");
	CHECK_STR(c->groups[1].sweep_value, "1");
	CHECK_INT(c->ntargets, 3);
	CHECK_STR(c->targets[2], "mongodb");
	CHECK_INT(c->nmetrics, 7);
	ops = cmptab_metric(c, "ops_per_sec");
	hit = cmptab_metric(c, "hit_ratio");
	scpu = cmptab_metric(c, "server_cpu_us_per_op");
	CHECK_INT(ops, 0);
	CHECK(hit > 0 && scpu > 0);
	CHECK_INT(cmptab_metric(c, "nope"), -1);
	/* cmp-report,run,get,clients,1,ops_per_sec,higher,memcached,memcached 1.6.18,3,367694,295423,439964,
	 * 0.552964,0.201613,0.904315,2,tie,1,get:0.749 set:0.251 */
	r = cmptab_find(c, 1, (size_t)ops, 1);
	CHECK(r != NULL);
	if (r) {
		CHECK(r->higher);
		CHECK(r->n == 3 && r->mean == 367694 && r->ci_low == 295423 && r->ci_high == 439964);
		CHECK(r->ratio == 0.552964 && r->ratio_ci_low == 0.201613 && r->ratio_ci_high == 0.904315);
		CHECK(r->rank == 2);
		CHECK_STR(r->verdict, "tie");
		CHECK_STR(r->server, "memcached 1.6.18");
		CHECK(r->mix_differs);
		CHECK_STR(r->effective_mix, "get:0.749 set:0.251");
	}
	/* memcached did not run range: no row; server CPU unknown: empty cells */
	CHECK(cmptab_find(c, 3, (size_t)ops, 1) == NULL);
	CHECK(cmptab_find(c, 3, (size_t)ops, 0) != NULL);
	r = cmptab_find(c, 1, (size_t)scpu, 0);
	CHECK(r && isnan(r->mean) && isnan(r->ratio) && isnan(r->rank) && !*r->verdict && !r->higher);
	CHECK(cmptab_find(c, 99, 0, 0) == NULL && cmptab_find(c, 0, 99, 0) == NULL && cmptab_find(c, 0, 0, 99) == NULL);
	CHECK_STR(cmptab_metric_label("p99_us"), "p99 latency (µs)");
	CHECK_STR(cmptab_metric_label("other"), "other");
	cmptab_free(c);
	cmptab_free(NULL);
}

static void test_absent(void)
{
	struct cmptab *c = (struct cmptab *)1;
	char err[256] = "";

	CHECK_INT(cmptab_load(tmpdir, &c, err, sizeof(err)), 1);
	CHECK(c == NULL);
}

static const struct {
	const char *name, *text, *want; /* want: the message's end, after "DIR/comparison.csv" */
} bad[] = {
	{"empty", "", " is empty (no header line)"},
	{"no-verdict", "phase,op,sweep_key,sweep_value,metric,better,target,n,mean,ci_low,ci_high,ratio,ratio_ci_low,"
		       "ratio_ci_high,rank,mix_differs,effective_mix\n",
	 " has no column 'verdict': not a bench comparison.csv"},
	{"twice", "metric," HEAD, ":1: column 'metric' appears twice in the header"},
	{"short", HEAD ROW_A "kv,run,get\n", ":3: 3 fields, but the header has 20"},
	{"word", HEAD "kv,run,get,,,ops_per_sec,higher,redis,R,3,fast,,,,,,,,0,\n",
	 ":2: mean is a number or empty, not 'fast'"},
	{"nan", HEAD "kv,run,get,,,ops_per_sec,higher,redis,R,3,nan,,,,,,,,0,\n", ":2: mean is a number or empty, not 'nan'"},
	{"n", HEAD "kv,run,get,,,ops_per_sec,higher,redis,R,2.5,1,,,,,,,,0,\n", ":2: n is a whole number or empty, not '2.5'"},
	{"rank", HEAD "kv,run,get,,,ops_per_sec,higher,redis,R,2,1,,,,,,-1,,0,\n",
	 ":2: rank is a whole number or empty, not '-1'"},
	{"better", HEAD "kv,run,get,,,ops_per_sec,more,redis,R,2,1,,,,,,,,0,\n", ":2: better is 'higher' or 'lower', not 'more'"},
	{"verdict", HEAD "kv,run,get,,,ops_per_sec,higher,redis,R,2,1,,,,,,1,winner,0,\n",
	 ":2: verdict is best, tie, worse or empty, not 'winner'"},
	{"mix", HEAD "kv,run,get,,,ops_per_sec,higher,redis,R,2,1,,,,,,1,best,yes,\n", ":2: mix_differs is 0 or 1, not 'yes'"},
	{"target", HEAD "kv,run,get,,,ops_per_sec,higher,,R,2,1,,,,,,1,best,0,\n", ":2: target is empty"},
	{"quote", HEAD "kv,run,g\"et,,,ops_per_sec,higher,r,R,2,1,,,,,,1,best,0,\n", ":2: quote inside an unquoted field (quote the whole field and double the quote)"},
	{"again", HEAD ROW_A ROW_B ROW_A,
	 ":4: a second row for run/get, ops_per_sec, target redis (the first is on line 2)"},
	{"control", HEAD "kv,run,get,,,ops_per_sec,\"hi\x1b[31m\",r,R,2,1,,,,,,1,best,0,\n",
	 ":2: better is 'higher' or 'lower', not 'hi?[31m'"},
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *dir = dir_with(bad[i].name, bad[i].text), *want = xasprintf("%s/comparison.csv%s", dir, bad[i].want);
		struct cmptab *c = NULL;
		char err[512] = "";
		int before = check_failures;

		CHECK_INT(cmptab_load(dir, &c, err, sizeof(err)), -1);
		CHECK(c == NULL);
		CHECK_STR(err, want);
		if (check_failures != before)
			fprintf(stderr, "  in case '%s'\n", bad[i].name);
		cmptab_free(c);
		free(want);
		free(dir);
	}
}

static void test_small(void)
{
	char *dir = dir_with("good", HEAD ROW_A ROW_B);
	struct cmptab *c = NULL;
	char err[256] = "";

	CHECK_INT(cmptab_load(dir, &c, err, sizeof(err)), 0);
	if (c) {
		const struct cmptab_row *a = cmptab_find(c, 0, 0, 0), *b = cmptab_find(c, 0, 0, 1);

		CHECK(a && b && a->line == 2 && b->line == 3);
		CHECK(a && isnan(a->ratio_ci_low) && !a->mix_differs && !*a->effective_mix);
		CHECK(b && b->mix_differs && strcmp(b->verdict, "worse") == 0);
	}
	cmptab_free(c);
	free(dir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_fixture();
	test_absent();
	test_bad();
	test_small();
	util_remove_tree(tmpdir);
	return check_report("cmptab");
}
