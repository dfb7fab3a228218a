/*
 * test_aggregate.c - a run's repeats aggregated and its targets compared
 * (analysis/aggregate.h), on crafted samples with answers known from
 * outside: means and Student-t intervals, Fieller's ratio interval (the
 * figures, and the defining equation at both ends), ranks, verdicts, tie
 * rules, one repeat (no interval, no verdict), rows only where two targets
 * ran an op, mix_differs and the effective mix; comparison.csv and
 * results.json as written; summary.csv read back giving the same; the
 * terminal table.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "check.h"
#include "csvread.h"
#include "results.h"
#include "util.h"
#include "workload.h"

#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

static char tmpdir[] = "/tmp/bench-test-aggregate-XXXXXX";

static char *tmp_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);

	util_write_file(path, text);
	return path;
}

/* ---- statistics ---- */

static void test_stat(void)
{
	const double v[] = {10, 12, 14};
	struct agg_stat s;

	agg_stat_of(v, 3, &s);
	CHECK_INT(s.n, 3);
	CHECK_NEAR(s.mean, 12, 1e-12);
	CHECK_NEAR(s.se, 2 / sqrt(3), 1e-4);
	/* t(0.975, 2) = 4.3027: 12 -+ 4.3027 * 2 / sqrt(3) */
	CHECK_NEAR(s.ci_low, 7.031670, 1e-4);
	CHECK_NEAR(s.ci_high, 16.968330, 1e-4);

	agg_stat_of(v, 1, &s);
	CHECK_INT(s.n, 1);
	CHECK(s.mean == 10);
	CHECK(isnan(s.ci_low) && isnan(s.ci_high) && isnan(s.se));

	agg_stat_of(v, 0, &s);
	CHECK(s.n == 0 && isnan(s.mean));

	/* No spread: the interval is the mean itself. */
	agg_stat_of((const double[]){5, 5, 5, 5}, 4, &s);
	CHECK(s.ci_low == 5 && s.ci_high == 5 && s.se == 0);
}

/* (a - R b)^2 = t^2 (va + R^2 vb) at both ends of Fieller's interval. */
static void check_fieller_ends(double a, double sa, double b, double sb, double t, double lo, double hi)
{
	for (int i = 0; i < 2; i++) {
		double r = i ? hi : lo, lhs = (a - r * b) * (a - r * b), rhs = t * t * (sa * sa + r * r * sb * sb);

		CHECK_NEAR(lhs, rhs, 1e-6 * rhs);
	}
}

static void test_fieller(void)
{
	double lo, hi;

	/* 10 (se 1) over 20 (se 2), 3 repeats each: Welch df 4, t 2.7764. */
	CHECK_INT(agg_fieller(10, 1, 3, 20, 2, 3, &lo, &hi), 0);
	CHECK_NEAR(lo, 0.333182, 1e-5);
	CHECK_NEAR(hi, 0.750340, 1e-5);
	check_fieller_ends(10, 1, 20, 2, 2.7764, lo, hi);
	/* Asymmetric around 0.5, as a ratio's interval is: the delta
	 * method's would be 0.5 -+ the same. */
	CHECK(hi - 0.5 > 0.5 - lo);

	/* No spread on either side: the ratio itself. */
	CHECK_INT(agg_fieller(3, 0, 3, 4, 0, 5, &lo, &hi), 0);
	CHECK(lo == 0.75 && hi == 0.75);
	/* Spread on the numerator only: a's interval over b. */
	CHECK_INT(agg_fieller(10, 1, 3, 2, 0, 3, &lo, &hi), 0);
	CHECK_NEAR(lo, (10 - 4.3027) / 2, 1e-4);
	CHECK_NEAR(hi, (10 + 4.3027) / 2, 1e-4);

	/* The denominator's interval reaches 0: no bounded interval. */
	CHECK_INT(agg_fieller(10, 1, 3, 1, 1, 3, &lo, &hi), -1);
	CHECK_INT(agg_fieller(10, 1, 3, 0, 0, 3, &lo, &hi), -1);
	/* One repeat on a side: none. */
	CHECK_INT(agg_fieller(10, 1, 1, 20, 2, 3, &lo, &hi), -1);
	CHECK_INT(agg_fieller(10, 1, 3, 20, 2, 1, &lo, &hi), -1);
	CHECK_INT(agg_fieller(NAN, 1, 3, 20, 2, 3, &lo, &hi), -1);
}

/* ---- comparison ---- */

/* A sample of phase ph, op op at sweep value pt, target tg, with ops/s
 * ops and p99 p99 (NAN: not measured); 100 requests, `miss` of them
 * misses; server CPU srv. */
static struct agg_sample sample(const char *ph, const char *op, const char *pt, const char *tg, double ops, double p99,
				uint64_t miss, double srv)
{
	struct agg_sample s = {.workload = "w", .phase = ph, .op = op, .sweep_key = *pt ? "clients" : "",
			       .sweep_value = pt, .target = tg, .server = tg, .sent = 100, .answered = 100, .misses = miss};

	for (int m = 0; m < AGG_N_METRICS; m++)
		s.v[m] = NAN;
	s.v[AGG_OPS_PER_SEC] = ops;
	s.v[AGG_P99] = p99;
	s.v[AGG_CLIENT_CPU] = 2;
	s.v[AGG_SERVER_CPU] = srv;
	if (agg_op_reads(op))
		s.v[AGG_HIT_RATIO] = (100.0 - (double)miss) / 100;
	return s;
}

/* An op the target could not do: drawn `n` times, never sent. */
static struct agg_sample unsupported(const char *ph, const char *op, const char *tg, uint64_t n)
{
	struct agg_sample s = sample(ph, op, "", tg, NAN, NAN, 0, NAN);

	s.sent = s.answered = 0;
	s.unsupported = n;
	s.v[AGG_HIT_RATIO] = NAN;
	return s;
}

static const struct agg_cmp *find_cmp(const struct aggregate *a, const char *ph, const char *op, const char *pt,
				      enum agg_metric m, const char *tg)
{
	for (size_t i = 0; i < a->n_cmp; i++) {
		const struct agg_row *r = &a->rows[a->cmp[i].row];

		if (a->cmp[i].metric == m && !strcmp(r->phase, ph) && !strcmp(r->op, op) && !strcmp(r->sweep_value, pt) &&
		    !strcmp(r->target, tg))
			return &a->cmp[i];
	}
	return NULL;
}

static const struct agg_row *find_row(const struct aggregate *a, const char *ph, const char *op, const char *tg)
{
	for (size_t i = 0; i < a->n_rows; i++)
		if (!strcmp(a->rows[i].phase, ph) && !strcmp(a->rows[i].op, op) && !strcmp(a->rows[i].target, tg))
			return &a->rows[i];
	return NULL;
}

static size_t count_cmp(const struct aggregate *a, const char *ph, const char *op)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_cmp; i++)
		n += !strcmp(a->rows[a->cmp[i].row].phase, ph) && !strcmp(a->rows[a->cmp[i].row].op, op);
	return n;
}

/* Three repeats of A and B in phase "run" (A's get: 100, 110, 120 ops/s,
 * p99 10, 20, 30 µs, 10% misses; B's: 50, 55, 60 ops/s, p99 15, 16, 17,
 * no misses, server CPU unknown for A), range run by A only (B cannot),
 * and a phase "one" with a single repeat; samples in a shuffled order. */
static struct aggregate *crafted(void)
{
	struct agg_sample s[] = {
		sample("run", "get", "", "B", 55, 16, 0, 3),
		sample("run", "get", "", "A", 100, 10, 10, NAN),
		unsupported("run", "range", "B", 30),
		sample("run", "get", "", "A", 110, 20, 10, NAN),
		sample("run", "range", "", "A", 20, 50, 0, NAN),
		sample("run", "get", "", "B", 50, 15, 0, 3),
		sample("run", "get", "", "A", 120, 30, 10, NAN),
		sample("run", "get", "", "B", 60, 17, 0, 3),
		sample("one", "set", "", "A", 10, 5, 0, 1),
		sample("one", "set", "", "B", 20, 5, 0, 1),
		sample("run", "range", "", "A", 20, 50, 0, NAN),
		sample("run", "range", "", "A", 20, 50, 0, NAN),
	};

	s[4].sent = s[10].sent = s[11].sent = 50; /* A: 300 gets, 150 ranges */
	return agg_build(s, sizeof(s) / sizeof(s[0]));
}

static void test_compare(void)
{
	struct aggregate *a = crafted();
	const struct agg_row *r;
	const struct agg_cmp *c;
	double lo, hi;

	CHECK_INT(a->n_rows, 6);
	CHECK_INT(a->max_repeats, 3);
	/* Rows in first-appearance order: run before one, get before range,
	 * B before A. */
	CHECK_STR(a->rows[0].phase, "run");
	CHECK_STR(a->rows[0].op, "get");
	CHECK_STR(a->rows[0].target, "B");
	CHECK_STR(a->rows[2].op, "range");
	CHECK_STR(a->rows[4].phase, "one");

	r = find_row(a, "run", "get", "A");
	CHECK(r && r->repeats == 3 && r->sent == 300 && r->misses == 30);
	CHECK_NEAR(r->m[AGG_OPS_PER_SEC].mean, 110, 1e-9);
	CHECK_NEAR(r->m[AGG_OPS_PER_SEC].ci_low, 110 - 4.3027 * 10 / sqrt(3), 1e-3);
	CHECK_NEAR(r->m[AGG_HIT_RATIO].mean, 0.9, 1e-12);
	CHECK_INT(r->m[AGG_SERVER_CPU].n, 0);

	/* ops/s: A best (110), B 55/110 = 0.5, intervals apart: worse. */
	c = find_cmp(a, "run", "get", "", AGG_OPS_PER_SEC, "A");
	CHECK(c && c->rank == 1 && c->verdict == AGG_BEST && c->ratio == 1 && c->ratio_low == 1 && c->ratio_high == 1);
	c = find_cmp(a, "run", "get", "", AGG_OPS_PER_SEC, "B");
	CHECK(c && c->rank == 2 && c->verdict == AGG_WORSE);
	CHECK_NEAR(c->ratio, 0.5, 1e-12);
	/* Fieller over the two means' standard errors (both 10/sqrt(3)/2 and
	 * 10/sqrt(3)): known figures. */
	CHECK_NEAR(c->ratio_low, 0.406131, 1e-5);
	CHECK_NEAR(c->ratio_high, 0.615565, 1e-5);
	CHECK_INT(agg_fieller(55, 5 / sqrt(3), 3, 110, 10 / sqrt(3), 3, &lo, &hi), 0);
	CHECK_NEAR(lo, c->ratio_low, 1e-12);

	/* p99, lower is better: B best (16), A 20/16 = 1.25 and its interval
	 * (20 -+ 24.8) overlaps B's: a tie, whose ratio interval holds 1. */
	c = find_cmp(a, "run", "get", "", AGG_P99, "B");
	CHECK(c && c->rank == 1 && c->verdict == AGG_BEST);
	c = find_cmp(a, "run", "get", "", AGG_P99, "A");
	CHECK(c && c->rank == 2 && c->verdict == AGG_TIE);
	CHECK_NEAR(c->ratio, 1.25, 1e-12);
	CHECK_NEAR(c->ratio_low, -0.303317, 1e-5);
	CHECK_NEAR(c->ratio_high, 2.865070, 1e-5);

	/* Hit ratio, higher is better: B 1.0, A 0.9 without spread: worse,
	 * and its ratio is exactly 0.9. */
	c = find_cmp(a, "run", "get", "", AGG_HIT_RATIO, "A");
	CHECK(c && c->verdict == AGG_WORSE && c->ratio_low == c->ratio_high);
	CHECK_NEAR(c->ratio, 0.9, 1e-12);

	/* Server CPU unknown for A: its row is there, empty; B is best alone. */
	c = find_cmp(a, "run", "get", "", AGG_SERVER_CPU, "A");
	CHECK(c && c->rank == 0 && isnan(c->ratio) && c->verdict == AGG_NO_VERDICT);
	c = find_cmp(a, "run", "get", "", AGG_SERVER_CPU, "B");
	CHECK(c && c->rank == 1 && c->ratio == 1);

	/* Equal means: both rank 1, both best; the same CPU everywhere. */
	c = find_cmp(a, "run", "get", "", AGG_CLIENT_CPU, "A");
	CHECK(c && c->rank == 1 && c->verdict == AGG_BEST && c->ratio == 1);
	c = find_cmp(a, "run", "get", "", AGG_CLIENT_CPU, "B");
	CHECK(c && c->rank == 1 && c->verdict == AGG_BEST);

	/* One repeat: ratio and rank, never an interval or a verdict. */
	c = find_cmp(a, "one", "set", "", AGG_OPS_PER_SEC, "A");
	CHECK(c && c->rank == 2 && c->ratio == 0.5 && isnan(c->ratio_low) && isnan(c->ratio_high));
	CHECK(c->verdict == AGG_NO_VERDICT);
	CHECK(isnan(a->rows[c->row].m[AGG_OPS_PER_SEC].ci_low));
	c = find_cmp(a, "one", "set", "", AGG_OPS_PER_SEC, "B");
	CHECK(c && c->rank == 1 && c->verdict == AGG_NO_VERDICT && isnan(c->ratio_low));
	/* A write has no hit ratio: its rows are empty. */
	c = find_cmp(a, "one", "set", "", AGG_HIT_RATIO, "B");
	CHECK(c && c->rank == 0 && a->rows[c->row].m[AGG_HIT_RATIO].n == 0);

	/* Rows only where two targets ran: range (A only) has none; get has
	 * one per metric and target, in metric then target order. */
	CHECK_INT(count_cmp(a, "run", "range"), 0);
	CHECK_INT(count_cmp(a, "run", "get"), 2 * AGG_N_METRICS);
	CHECK_INT(a->n_cmp, 4 * AGG_N_METRICS);
	CHECK(a->cmp[0].metric == AGG_OPS_PER_SEC && a->cmp[1].metric == AGG_OPS_PER_SEC &&
	      a->cmp[2].metric == AGG_P50);
	CHECK_STR(a->rows[a->cmp[0].row].target, "B");

	/* B could not do range, which A sent: B's mix differs, A's does not;
	 * each one's effective mix is what it sent. */
	r = find_row(a, "run", "get", "B");
	CHECK(r && r->mix_differs);
	CHECK_STR(r->effective_mix, "get:1.000");
	r = find_row(a, "run", "range", "B");
	CHECK(r && r->mix_differs && r->sent == 0 && r->unsupported == 30);
	r = find_row(a, "run", "get", "A");
	CHECK(r && !r->mix_differs);
	CHECK_STR(r->effective_mix, "get:0.667 range:0.333");
	r = find_row(a, "one", "set", "B");
	CHECK(r && !r->mix_differs);
	agg_free(a);
}

/* A sweep point is its own comparison; an op every target lacks makes no
 * mix differ. */
static void test_sweep_and_mix(void)
{
	struct agg_sample s[] = {
		sample("run", "get", "1", "A", 10, 1, 0, 1), sample("run", "get", "1", "B", 20, 1, 0, 1),
		sample("run", "get", "2", "A", 40, 1, 0, 1), sample("run", "get", "2", "B", 30, 1, 0, 1),
		unsupported("run", "fuzzy", "A", 5), unsupported("run", "fuzzy", "B", 5),
	};
	struct aggregate *a;
	const struct agg_cmp *c;

	s[4].sweep_key = s[5].sweep_key = "clients";
	s[4].sweep_value = s[5].sweep_value = "1";
	a = agg_build(s, sizeof(s) / sizeof(s[0]));
	c = find_cmp(a, "run", "get", "1", AGG_OPS_PER_SEC, "B");
	CHECK(c && c->rank == 1);
	c = find_cmp(a, "run", "get", "2", AGG_OPS_PER_SEC, "A");
	CHECK(c && c->rank == 1);
	c = find_cmp(a, "run", "get", "2", AGG_OPS_PER_SEC, "B");
	CHECK(c && c->rank == 2 && c->ratio == 0.75);
	CHECK(!find_row(a, "run", "get", "A")->mix_differs && !find_row(a, "run", "get", "B")->mix_differs);
	CHECK_INT(count_cmp(a, "run", "fuzzy"), 0);
	agg_free(a);

	/* No sample: nothing, and nothing breaks. */
	a = agg_build(NULL, 0);
	CHECK(a->n_rows == 0 && a->n_cmp == 0);
	agg_free(a);
}

/* ---- the files ---- */

/* The fields of line `line` (1-based) of a CSV text, joined by '|'. */
static char *csv_line(const char *text, size_t line)
{
	struct csvr *r;
	struct sbuf sb = {0};

	csvr_open_mem("mem", text, strlen(text), &r);
	for (size_t i = 1; csvr_next(r) == 1; i++) {
		if (i != line)
			continue;
		for (size_t f = 0; f < csvr_nfields(r); f++)
			sbuf_addf(&sb, "%s%s", f ? "|" : "", csvr_field(r, f));
	}
	csvr_free(r);
	return sb.buf ? sbuf_take(&sb) : xstrdup("");
}

static void test_comparison_csv(void)
{
	struct aggregate *a = crafted();
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK_INT(agg_write_comparison_csv(a, f), 0);
	fclose(f);
	line = csv_line(buf, 1);
	CHECK_STR(line, "workload|phase|op|sweep_key|sweep_value|metric|better|target|server|n|mean|ci_low|ci_high|"
			"ratio|ratio_ci_low|ratio_ci_high|rank|verdict|mix_differs|effective_mix");
	free(line);
	/* B's ops/s of get: the first row. */
	line = csv_line(buf, 2);
	CHECK_STR(line, "w|run|get|||ops_per_sec|higher|B|B|3|55|42.57917498|67.42082502|0.5|0.4061309142|0.6155650586|2|"
			"worse|1|get:1.000");
	free(line);
	line = csv_line(buf, 3);
	CHECK_STR(line, "w|run|get|||ops_per_sec|higher|A|A|3|110|85.15834997|134.84165|1|1|1|1|best|0|"
			"get:0.667 range:0.333");
	free(line);
	/* A's unknown server CPU: empty figures, no rank, no verdict. */
	CHECK(strstr(buf, "\nw,run,get,,,server_cpu_us_per_op,lower,A,A,0,,,,,,,,,0,get:0.667 range:0.333\n"));
	/* One repeat: n 1, no interval, a ratio and a rank, no verdict. */
	CHECK(strstr(buf, "\nw,one,set,,,ops_per_sec,higher,A,A,1,10,,,0.5,,,2,,0,set:1.000\n"));
	/* The header and one line per comparison row. */
	len = 0;
	for (const char *p = buf; *p; p++)
		len += *p == '\n';
	CHECK_INT(len, a->n_cmp + 1);
	free(buf);
	agg_free(a);
}

/* summary.csv as bench writes it (the columns aggregation reads, in
 * another order, and one it does not), read back: the same aggregate as
 * the samples it stands for. */
static const char summary[] =
	"workload,phase,target,server,op,repeat,ops,ops_per_sec,errors,timeouts,misses,unsupported,p50_us,p99_us,"
	"p999_us,sweep_key,sweep_value,disconnects,client_cpu_us_per_op,server_cpu_us_per_op\n"
	"w,run,A,Redis 7,get,1,100,100.0,0,0,10,0,1.000,10.000,11.000,,,0,2.000,\n"
	"w,run,A,Redis 7,get,2,100,110.0,0,0,10,0,1.000,20.000,21.000,,,0,2.000,\n"
	"w,run,A,Redis 7,get,3,100,120.0,0,0,10,0,1.000,30.000,31.000,,,0,2.000,\n"
	"w,run,B,memcached 1.6,get,1,100,55.0,0,0,0,0,1.000,16.000,17.000,,,0,2.000,3.000\n"
	"w,run,B,memcached 1.6,get,2,99,50.0,1,0,0,0,1.000,15.000,16.000,,,0,2.000,3.000\n"
	"w,run,B,memcached 1.6,get,3,100,60.0,0,0,0,0,1.000,17.000,18.000,,,0,2.000,3.000\n"
	"w,run,B,memcached 1.6,range,1,0,unsupported,0,0,0,30,unsupported,unsupported,unsupported,,,0,2.000,3.000\n";

static void test_from_summary(void)
{
	char *path = tmp_file("summary.csv", summary), err[512] = "";
	struct aggregate *a = NULL;
	const struct agg_cmp *c;
	const struct agg_row *r;

	CHECK_INT(agg_from_summary(tmpdir, &a, err, sizeof(err)), 0); /* a directory holding one */
	CHECK(a != NULL);
	if (!a)
		goto out;
	r = find_row(a, "run", "get", "B");
	CHECK(r && r->failed == 1 && r->sent == 300 && r->mix_differs == false);
	CHECK_STR(r->server, "memcached 1.6");
	CHECK_NEAR(r->m[AGG_OPS_PER_SEC].mean, 55, 1e-12);
	CHECK_NEAR(r->m[AGG_HIT_RATIO].mean, 1, 1e-12);
	CHECK_NEAR(find_row(a, "run", "get", "A")->m[AGG_P999].mean, 21, 1e-12);
	c = find_cmp(a, "run", "get", "", AGG_OPS_PER_SEC, "B");
	CHECK(c && c->verdict == AGG_WORSE);
	CHECK_NEAR(c->ratio_low, 0.406131, 1e-5);
	c = find_cmp(a, "run", "get", "", AGG_SERVER_CPU, "A");
	CHECK(c && c->rank == 0);
	r = find_row(a, "run", "range", "B");
	CHECK(r && r->sent == 0 && r->unsupported == 30 && r->m[AGG_OPS_PER_SEC].n == 0);
	CHECK_INT(count_cmp(a, "run", "range"), 0);
	agg_free(a);

	/* Not a summary: named, with the file and line. */
	free(path);
	path = tmp_file("bad.csv", "workload,phase\nw,run\n");
	CHECK_INT(agg_from_summary(path, &a, err, sizeof(err)), -1);
	CHECK(a == NULL && strstr(err, "bad.csv has no column 'op'"));
	free(path);
	path = tmp_file("badnum.csv", "workload,phase,target,op,ops,ops_per_sec,errors,timeouts,misses,unsupported,"
				      "p50_us,p99_us\nw,run,A,get,10,fast,0,0,0,0,1,1\n");
	CHECK_INT(agg_from_summary(path, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "badnum.csv:2: ops_per_sec 'fast' is not a number") != NULL);
out:
	free(path);
}

static void test_results_json(void)
{
	char *s = tmp_file("summary.csv", summary), *buf = NULL, err[512];
	/* A seed above 2^63 is more than jansson's integers hold. */
	char *run = tmp_file("run.json", "{\"bench\": {\"version\": \"0.1\"}, \"host\": {\"cores\": 2},\n"
					 "\"workload\": {\"name\": \"w\", \"seed\": 18446744073709551615},\n"
					 "\"targets\": [{\"name\": \"A\", \"runs\": [{\"x\": 1}]}], \"warnings\": [\"w1\"]}\n");
	struct aggregate *a = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *root, *row;
	json_error_t e;

	agg_from_summary(tmpdir, &a, err, sizeof(err));
	CHECK_INT(agg_write_results_json(tmpdir, a, f, err, sizeof(err)), 0);
	fclose(f);
	root = json_loads(buf, 0, &e);
	CHECK(root != NULL);
	if (root) {
		CHECK_INT(json_integer_value(json_object_get(root, "schema_version")), AGG_RESULTS_JSON_VERSION);
		CHECK_STR(json_string_value(json_object_get(json_object_get(root, "bench"), "version")), "0.1");
		CHECK_INT(json_array_size(json_object_get(root, "summary")), 7);
		CHECK_INT(json_array_size(json_object_get(root, "comparison")), a->n_cmp);
		CHECK_INT(json_array_size(json_object_get(root, "aggregates")), a->n_rows);
		CHECK_STR(json_string_value(json_array_get(json_object_get(root, "warnings"), 0)), "w1");
		/* The targets without their runs (run.json keeps those). */
		row = json_array_get(json_object_get(root, "targets"), 0);
		CHECK(row && !json_object_get(row, "runs"));
		CHECK_NEAR(json_number_value(json_object_get(json_object_get(root, "workload"), "seed")), 1.8446744073709552e19,
			   1e6);
		/* summary rows typed: counts, figures, null, "unsupported". */
		row = json_array_get(json_object_get(root, "summary"), 6);
		CHECK(json_is_integer(json_object_get(row, "unsupported")) &&
		      json_integer_value(json_object_get(row, "unsupported")) == 30);
		CHECK_STR(json_string_value(json_object_get(row, "ops_per_sec")), "unsupported");
		CHECK_STR(json_string_value(json_object_get(row, "sweep_key")), "");
		row = json_array_get(json_object_get(root, "summary"), 0);
		CHECK(json_is_null(json_object_get(row, "server_cpu_us_per_op")));
		CHECK(json_real_value(json_object_get(row, "p99_us")) == 10);
		/* A comparison row as comparison.csv has it. */
		row = json_array_get(json_object_get(root, "comparison"), 0);
		CHECK_STR(json_string_value(json_object_get(row, "target")), "A");
		CHECK_STR(json_string_value(json_object_get(row, "metric")), "ops_per_sec");
		CHECK(json_real_value(json_object_get(row, "mean")) == 110);
		CHECK(json_real_value(json_object_get(row, "ci_low")) == 85.15834997);
		CHECK_STR(json_string_value(json_object_get(row, "verdict")), "best");
		CHECK(json_is_false(json_object_get(row, "mix_differs")));
		row = json_array_get(json_object_get(root, "comparison"), 1);
		CHECK(json_real_value(json_object_get(row, "ratio_ci_high")) == 0.6155650586);
		json_decref(root);
	}
	free(buf);
	agg_free(a);

	/* No run.json: an error, said. */
	unlink(run);
	buf = NULL;
	f = open_memstream(&buf, &len);
	agg_from_summary(tmpdir, &a, err, sizeof(err));
	CHECK_INT(agg_write_results_json(tmpdir, a, f, err, sizeof(err)), -1);
	CHECK(strstr(err, "run.json: No such file") != NULL);
	fclose(f);
	free(buf);
	agg_free(a);
	free(run);
	free(s);
}

/* ---- the terminal ---- */

static const char workload[] =
	"name: w\n"
	"targets: [{name: A, driver: null}, {name: B, driver: null}, {name: C, driver: null}]\n"
	"repeat: 3\n"
	"phases:\n"
	"  - {name: run, ops: 10, mix: {get: 0.6, range: 0.4}}\n"
	"  - {name: one, ops: 10, clients: 3, pipeline: 4, rate: 500, mix: {set: 1}}\n";

static void test_print(void)
{
	struct workload *w = NULL;
	char *msgs = NULL, *buf = NULL;
	size_t len = 0;
	struct target_result t[3] = {{0}};
	struct phase_result runs[2] = {{0}};
	struct results r = {.targets = t, .n_targets = 3};
	struct aggregate *a = crafted();
	FILE *f;

	CHECK_INT(workload_parse("w.yaml", workload, strlen(workload), NULL, 0, &w, &msgs), 0);
	if (!w)
		goto out;
	r.w = w;
	for (int i = 0; i < 3; i++)
		t[i].target = &w->targets[i];
	/* A's runs: what the phase ran goes into its title (B has none: the
	 * title says nothing it does not know). */
	t[0].runs = runs;
	t[0].n_runs = 2;
	runs[0].phase = &w->phases[0];
	runs[1].phase = &w->phases[1];
	t[1].n_runs = 1;
	t[2].skipped = "cannot reach it";
	f = open_memstream(&buf, &len);
	agg_print(a, &r, f);
	fclose(f);
	/* The workload and its mix on top; mean ± interval; the ratio with
	 * its interval; verdicts; the hit ratio; the mix note where the
	 * figures are; CPU once per phase; who did not run. */
	CHECK(strstr(buf, "w (w.yaml): 3 repeats\n") == buf);
	CHECK(strstr(buf, "  run (run): mix get 0.6, range 0.4\n") != NULL);
	CHECK(strstr(buf, "110.0 ± 24.8") != NULL);
	CHECK(strstr(buf, "55.0 ± 12.4") != NULL);
	CHECK(strstr(buf, "0.5 [0.406, 0.616]  worse") != NULL);
	CHECK(strstr(buf, "1.25 [-0.303, 2.87]  tie") != NULL);
	CHECK(strstr(buf, "0.900 ± 0.000") != NULL);
	CHECK(strstr(buf, "B *") != NULL);
	CHECK(strstr(buf, "  * B ran get:1.000 (range unsupported there): not the mix the others ran") != NULL);
	CHECK(strstr(buf, "unsupported") != NULL);
	CHECK(strstr(buf, "\nphase run (run): 1 client, pipeline 1\n") != NULL);
	CHECK(strstr(buf, "\nphase one (run): 3 clients, pipeline 4, open loop at 500/s\n") != NULL);
	CHECK(strstr(strstr(buf, "phase run"), "CPU us/op") < strstr(buf, "phase one"));
	CHECK(strstr(buf, "\nC: not run: cannot reach it\n") != NULL);
	/* One repeat ("one"): figures without ±, no verdict. */
	CHECK(strstr(strstr(buf, "phase one"), "±") == NULL);
	CHECK(strstr(strstr(buf, "phase one"), "  best") == NULL);
	free(buf);
out:
	workload_free(w);
	free(msgs);
	agg_free(a);
}

/* A sweep: per op and metric, one table of sweep value x target. */
static void test_print_sweep(void)
{
	static const char text[] = "name: sw\ntargets: [{name: A, driver: null}, {name: B, driver: null}]\n"
				   "repeat: 2\nsweep: {clients: [1, 2]}\nphases: [{name: run, ops: 10, mix: {get: 1}}]\n";
	struct agg_sample s[] = {
		sample("run", "get", "1", "A", 10, 5, 0, 1), sample("run", "get", "1", "A", 12, 5, 0, 1),
		sample("run", "get", "1", "B", 20, 4, 0, 1), sample("run", "get", "1", "B", 22, 4, 0, 1),
		sample("run", "get", "2", "A", 40, 5, 0, 1), sample("run", "get", "2", "A", 44, 5, 0, 1),
		sample("run", "get", "2", "B", 30, 4, 0, 1), sample("run", "get", "2", "B", 30, 4, 0, 1),
	};
	struct workload *w = NULL;
	struct results r = {0};
	struct aggregate *a = agg_build(s, sizeof(s) / sizeof(s[0]));
	char *msgs = NULL, *buf = NULL, *line;
	size_t len = 0;
	FILE *f;

	CHECK_INT(workload_parse("sw.yaml", text, sizeof(text) - 1, NULL, 0, &w, &msgs), 0);
	if (!w)
		goto out;
	r.w = w;
	f = open_memstream(&buf, &len);
	agg_print(a, &r, f);
	fclose(f);
	CHECK(strstr(buf, "sw (sw.yaml): 2 repeats, sweep over clients\n") == buf);
	/* The ops/s table: its head names the op and the targets; a row per
	 * sweep value, each target's mean ± half-interval, ratio, verdict
	 * (11 -+ 12.7 overlaps 21 -+ 12.7: a tie). CPU per sweep value and
	 * target, once. */
	line = strstr(buf, "  get ops/s ");
	CHECK(line && strstr(line, "A") < strstr(line, "B") && strchr(line, '\n') > strstr(line, "B"));
	CHECK(strstr(buf, "\n  clients=1  11.0 ± 12.7  x0.524 tie  21.0 ± 12.7  x1 best\n") != NULL);
	CHECK(strstr(buf, "\n  clients=2  42.0 ± 25.4  x1 best      30.0 ± 0.0  x0.714 tie\n") != NULL);
	CHECK(strstr(buf, "  get p99 us ") != NULL);
	CHECK(strstr(buf, "\n  clients=2  B          2.00 ± 0.00  1.00 ± 0.00\n") != NULL);
	free(buf);
out:
	workload_free(w);
	free(msgs);
	agg_free(a);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	CHECK(agg_op_reads("get") && agg_op_reads("hget") && agg_op_reads("rmw") && !agg_op_reads("set") &&
	      !agg_op_reads("load") && !agg_op_reads("delete"));
	test_stat();
	test_fieller();
	test_compare();
	test_sweep_and_mix();
	test_comparison_csv();
	test_from_summary();
	test_results_json();
	test_print();
	test_print_sweep();
	util_remove_tree(tmpdir);
	return check_report("test_aggregate");
}
