/*
 * test_claims.c - the `expect:` language (claims_expr.c, claims_eval.c):
 * crafted summary.csv data (no server) that gives each verdict, parse
 * errors with their line:col, and metrics that match nothing, which must be
 * an error naming the metric, never a 0; a claim file's `claim:` block
 * (claims.c), whose messages are the workload parser's file:line:col ones;
 * and which targets an expression reads that a stand-in answered
 * (claims_standin.c, on a crafted run.json), with the NOT RUN reason that
 * names them.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "claims.h"
#include "claims_expr.h"
#include "claims_report.h"
#include "claims_standin.h"
#include "util.h"

/* Three repeats, swept over clients (1, 64). fast is exactly twice slow;
 * noisy spreads wide; mc cannot do range; two has get in two phases. */
static const char data3[] =
	"workload,phase,target,server,op,repeat,sweep_key,sweep_value,ops_per_sec,p99_us,errors,unsupported\n"
	"w,run,fast,Redis 7.0.15,get,1,clients,1,100,10,0,0\n"
	"w,run,fast,Redis 7.0.15,get,2,clients,1,102,11,0,0\n"
	"w,run,fast,Redis 7.0.15,get,3,clients,1,98,9,0,0\n"
	"w,run,fast,Redis 7.0.15,get,1,clients,64,1000,100,0,0\n"
	"w,run,fast,Redis 7.0.15,get,2,clients,64,1010,101,0,0\n"
	"w,run,fast,Redis 7.0.15,get,3,clients,64,990,99,0,0\n"
	"w,run,slow,memcached 1.6.18,get,1,clients,1,50,20,0,0\n"
	"w,run,slow,memcached 1.6.18,get,2,clients,1,51,21,0,0\n"
	"w,run,slow,memcached 1.6.18,get,3,clients,1,49,19,0,0\n"
	"w,run,slow,memcached 1.6.18,get,1,clients,64,500,200,0,0\n"
	"w,run,slow,memcached 1.6.18,get,2,clients,64,505,201,0,0\n"
	"w,run,slow,memcached 1.6.18,get,3,clients,64,495,199,0,0\n"
	"w,run,noisy,Redis 7.0.15,get,1,clients,1,100,5,0,0\n"
	"w,run,noisy,Redis 7.0.15,get,2,clients,1,600,5,0,0\n"
	"w,run,noisy,Redis 7.0.15,get,3,clients,1,1400,5,0,0\n"
	"w,run,noisy,Redis 7.0.15,get,1,clients,64,900,5,0,0\n"
	"w,run,noisy,Redis 7.0.15,get,2,clients,64,1000,5,0,0\n"
	"w,run,noisy,Redis 7.0.15,get,3,clients,64,1100,5,0,0\n"
	"w,run,mc,memcached 1.6.18,range,1,,,unsupported,unsupported,0,100\n"
	"w,run,mc,memcached 1.6.18,range,2,,,unsupported,unsupported,0,98\n"
	"w,run,mc,memcached 1.6.18,range,3,,,unsupported,unsupported,0,102\n"
	"w,run,mc,memcached 1.6.18,get,1,,,10,,0,0\n"
	"w,run,mc,memcached 1.6.18,get,2,,,10,,0,0\n"
	"w,run,mc,memcached 1.6.18,get,3,,,10,,0,0\n"
	"w,run,two,FerretDB v1.24.2,get,1,,,7,1,0,0\n"
	"w,drain,two,FerretDB v1.24.2,get,1,,,8,1,0,0\n";

/* One repeat only. */
static const char data1[] =
	"workload,phase,target,server,op,repeat,sweep_key,sweep_value,ops_per_sec,p99_us\n"
	"w,run,solo,Redis 7.0.15,get,1,,,100,10\n"
	"w,run,other,Redis 7.0.15,get,1,,,1,10\n";

/* shards_per_op: one figure per target, the same in every repeat; empty
 * for a target that is not sharded. */
static const char data_shards[] =
	"workload,phase,target,server,op,repeat,sweep_key,sweep_value,ops_per_sec,shards_per_op\n"
	"w,get,h,MongoDB 7.0.12,get,1,,,100,1.00\n"
	"w,get,h,MongoDB 7.0.12,get,2,,,101,1.00\n"
	"w,get,h,MongoDB 7.0.12,get,3,,,99,1.00\n"
	"w,range,h,MongoDB 7.0.12,range,1,,,50,2.00\n"
	"w,range,h,MongoDB 7.0.12,range,2,,,51,2.00\n"
	"w,range,h,MongoDB 7.0.12,range,3,,,49,2.00\n"
	"w,range,r,MongoDB 7.0.12,range,1,,,80,1.50\n"
	"w,range,r,MongoDB 7.0.12,range,2,,,81,1.50\n"
	"w,range,r,MongoDB 7.0.12,range,3,,,79,1.50\n"
	"w,get,plain,Redis 7.2.5,get,1,,,100,\n"
	"w,get,plain,Redis 7.2.5,get,2,,,100,\n"
	"w,get,plain,Redis 7.2.5,get,3,,,100,\n";

struct eval_case {
	const char *data;            /* data3 or data1 */
	const char *expr;
	int verdict;                 /* enum cx_verdict, or -1: an evaluation error */
	const char *want;            /* substring of the reason (verdict) or the error */
};

#define D3 data3
#define D1 data1

static const struct eval_case eval_cases[] = {
	/* SUPPORTED: intervals apart the way the comparison says. */
	{D3, "max(fast.get.ops_per_sec) > 1.3 * max(slow.get.ops_per_sec)", CX_SUPPORTED,
	 "1000 ± 24.8 (n=3) vs 650 ± 16.1 (n=3)"},
	{D3, "max(fast.get.errors) <= 0", CX_SUPPORTED, "max(fast.get.errors) <= 0: SUPPORTED (0 ± 0 (n=3) vs 0)"},
	{D3, "mc.range.unsupported > 0 and fast.get.ops_per_sec[clients=1] > 0", CX_SUPPORTED, "mc.range.unsupported > 0: SUPPORTED"},
	{D3, "not (fast.get.ops_per_sec[clients=64] < 10)", CX_SUPPORTED, "REFUTED"},
	{D3, "mean(fast.get.ops_per_sec) - mean(slow.get.ops_per_sec) > 200", CX_SUPPORTED, "275 ± "},
	{D3, "min(fast.get.ops_per_sec / slow.get.ops_per_sec) >= 1.9", CX_SUPPORTED, "2 ± 0 (n=3) vs 1.9"},
	{D3, "fast.run.get.p99_us[clients=1] < slow.run.get.p99_us[ clients = 1 ]", CX_SUPPORTED, "10 ± 2.48 (n=3)"},
	{D3, "-fast.get.ops_per_sec[clients=1] < 0", CX_SUPPORTED, "-100"},
	/* REFUTED: apart the other way. */
	{D3, "fast.get.ops_per_sec[clients=64] < slow.get.ops_per_sec[clients=64]", CX_REFUTED,
	 "REFUTED (1000 ± 24.8 (n=3) vs 500 ± 12.4 (n=3))"},
	{D3, "max(fast.get.errors) < 0", CX_REFUTED, "0 ± 0 (n=3) vs 0"},
	{D3, "mc.range.unsupported > 0 and fast.get.ops_per_sec[clients=1] > 1000", CX_REFUTED, "> 1000: REFUTED"},
	{D3, "fast.get.ops_per_sec[clients=1] < 0 or slow.get.ops_per_sec[clients=1] > 60", CX_REFUTED, "> 60: REFUTED"},
	/* INCONCLUSIVE: the intervals overlap, or too few repeats. */
	{D3, "noisy.get.ops_per_sec[clients=1] > slow.get.ops_per_sec[clients=1]", CX_INCONCLUSIVE,
	 "INCONCLUSIVE (700 ± 1.63e+03 (n=3) vs 50 ± 2.48 (n=3), the intervals overlap)"},
	{D3, "fast.get.ops_per_sec[clients=1] < 0 or noisy.get.ops_per_sec[clients=1] > 200", CX_INCONCLUSIVE,
	 "the intervals overlap"},
	{D3, "fast.get.ops_per_sec[clients=1] > 0 and noisy.get.ops_per_sec[clients=1] > 200", CX_INCONCLUSIVE,
	 "> 0: SUPPORTED"},
	{D3, "not (noisy.get.ops_per_sec[clients=1] > 200)", CX_INCONCLUSIVE, "overlap"},
	{D3, "fast.get.ops_per_sec[clients=1] > 0 or noisy.get.ops_per_sec[clients=1] > 200", CX_SUPPORTED, "overlap"},
	{D1, "solo.get.ops_per_sec > other.get.ops_per_sec", CX_INCONCLUSIVE, "fewer than 2 repeats"},
	{D1, "solo.get.ops_per_sec > 0", CX_INCONCLUSIVE, "fewer than 2 repeats"},
	/* Metrics that match nothing, or no number: errors, never 0. */
	{D3, "fast.get.ops_per_sec > 0", -1, "fast.get.ops_per_sec: the results hold 2 sweep points (1, 64)"},
	{D3, "fast.get.ops_per_sec[clients=65] > 0", -1, "no sweep point clients=65 (the points are: 1, 64)"},
	{D3, "fast.get.ops_per_sec[rate=1] > 0", -1, "the results are swept over clients, not rate"},
	{D3, "mc.get.ops_per_sec[clients=1] > 0", -1, "the results have no sweep, so there is no [clients=...]"},
	{D3, "ghost.get.ops_per_sec > 0", -1, "no results for target ghost in crafted.csv (it has: fast, slow, noisy, mc, two)"},
	{D3, "fast.set.ops_per_sec[clients=1] > 0", -1, "no results for op set of target fast"},
	{D3, "fast.drain.get.ops_per_sec[clients=1] > 0", -1, "no results for op get in phase drain"},
	{D3, "mc.range.ops_per_sec > 0", -1, "unsupported: mc cannot do range"},
	{D3, "mc.get.p99_us > 0", -1, "never measured"},
	{D3, "two.get.ops_per_sec > 0", -1, "op get of two is in 2 phases (run, drain): name one, two.PHASE.get.ops_per_sec"},
	{D3, "fast.get.ops_per_sec[clients=1] / fast.get.errors[clients=1] > 0", -1, "division by zero in repeat 1"},
	{D3, "fast.get.ops_per_sec[clients=1] > 0 and ghost.get.ops > 0", -1, "ghost.get.ops: no results for target ghost"},
	/* shards_per_op (mongo-sharding) */
	{data_shards, "h.range.shards_per_op > r.range.shards_per_op", CX_SUPPORTED, "2 ± 0 (n=3) vs 1.5 ± 0 (n=3)"},
	{data_shards, "h.get.shards_per_op <= 1 and r.range.ops_per_sec > h.range.ops_per_sec", CX_SUPPORTED,
	 "h.get.shards_per_op <= 1: SUPPORTED (1 ± 0 (n=3) vs 1)"},
	{data_shards, "r.range.shards_per_op >= h.range.shards_per_op", CX_REFUTED, "1.5 ± 0 (n=3) vs 2 ± 0 (n=3)"},
	{data_shards, "plain.get.shards_per_op <= 1", -1, "never measured (the shards_per_op column is empty"},
};

struct parse_case {
	const char *expr;
	int line, col;
	const char *want;
};

static const struct parse_case parse_cases[] = {
	{"", 1, 1, "the expression is empty"},
	{"   ", 1, 4, "the expression is empty"},
	{"fast.get.ops_per_sec >", 1, 23, "expected a number, a metric (TARGET.OP.COLUMN), min/max/mean(...) or '(', got the end"},
	{"fast.get.opps > 1", 1, 10, "unknown column 'opps'; did you mean 'ops'?"},
	{"a.get.p99_us-5 > 1", 1, 7, "write subtraction with spaces around '-'"},
	{"fast.gett.ops > 1", 1, 6, "unknown op 'gett'"},
	{"fast.ops > 1", 1, 1, "'fast.ops' is not a metric"},
	{"a.b.c.get.ops > 1", 1, 11, "this one has more parts"},
	{"max(fast.get.ops) + 1", 1, 1, "the expression is a number, not a verdict"},
	{"a.get.ops < b.get.ops < 3", 1, 23, "comparisons do not chain"},
	{"a.get.ops > 1 and 2", 1, 15, "'and' takes comparisons, but '2' is a number"},
	{"(a.get.ops > 1", 1, 15, "expected ')' to close the '(' at 1:1, got the end"},
	{"a.get.ops = 1", 1, 11, "there is no '=' comparison"},
	{"a.get.ops[clients 64] > 1", 1, 19, "a selector is [KEY=VALUE]"},
	{"a.get.ops[clients=] > 1", 1, 19, "a selector needs a value"},
	{"a.get.ops[clients=1 > 1", 1, 19, "missing ']'"},
	{"a.get.ops > 1 $", 1, 15, "unexpected character '$'"},
	{"a.get.ops > 1 and\n  b.get.opps > 2", 2, 9, "unknown column 'opps'"},
	{"1 + (a.get.ops > 1) > 0", 1, 3, "arithmetic takes numbers"},
	{"max a.get.ops > 1", 1, 5, "expected '(' after max"},
	{"max(a.get.ops > 1) > 0", 1, 1, "an aggregate takes numbers"},
	{"not a.get.ops", 1, 1, "'not' takes comparisons"},
	{"a.get.ops > 1e999", 1, 13, "out of range"},
	{"a.get.ops > 12abc", 1, 13, "got '12abc'"},
	{"a.get.ops > 1 a.get.ops", 1, 15, "expected 'and', 'or' or the end, got 'a'"},
	{"a.get.ops > 1 and", 1, 18, "got the end"},
	{"a..get.ops > 1", 1, 3, "expected a name in a metric"},
	{"a.get.ops > 1 and not", 1, 22, "got the end"},
	{"a.get.ops > mean(b.get.ops", 1, 27, "expected ')' after the aggregate's argument"},
};

static void run_eval(const struct eval_case *tc)
{
	struct cx_data *d = NULL;
	struct cx_expr *e = NULL;
	struct cx_error err;
	struct cx_result res;
	char msg[1024] = "";
	int rc;

	CHECK_INT(cx_data_read("crafted.csv", tc->data, strlen(tc->data), &d, msg, sizeof(msg)), 0);
	CHECK_INT(cx_parse(tc->expr, &e, &err), 0);
	if (!d || !e) {
		fprintf(stderr, "  %s: %s %s\n", tc->expr, msg, err.msg);
		goto out;
	}
	rc = cx_eval(e, d, &res, &err);
	if (tc->verdict < 0) {
		CHECK_INT(rc, -1);
		CHECK(strstr(err.msg, tc->want) != NULL);
		CHECK(err.line == 1 && err.col >= 1);
		if (rc == 0 || !strstr(err.msg, tc->want))
			fprintf(stderr, "  %s: got %s / '%s'\n", tc->expr, rc == 0 ? cx_verdict_name(res.verdict) : "error", err.msg);
	} else {
		CHECK_INT(rc, 0);
		if (rc == 0) {
			CHECK_STR(cx_verdict_name(res.verdict), cx_verdict_name((enum cx_verdict)tc->verdict));
			CHECK(strstr(res.reason, tc->want) != NULL);
			if ((int)res.verdict != tc->verdict || !strstr(res.reason, tc->want))
				fprintf(stderr, "  %s:\n    reason: %s\n    figures: %s\n", tc->expr, res.reason, res.figures);
		} else {
			fprintf(stderr, "  %s: %d:%d: %s\n", tc->expr, err.line, err.col, err.msg);
		}
	}
	if (rc == 0)
		cx_result_free(&res);
out:
	cx_free(e);
	cx_data_free(d);
}

static void run_parse(const struct parse_case *tc)
{
	struct cx_expr *e = NULL;
	struct cx_error err;

	CHECK_INT(cx_parse(tc->expr, &e, &err), -1);
	CHECK(e == NULL);
	CHECK_INT(err.line, tc->line);
	CHECK_INT(err.col, tc->col);
	CHECK(strstr(err.msg, tc->want) != NULL);
	if (err.line != tc->line || err.col != tc->col || !strstr(err.msg, tc->want))
		fprintf(stderr, "  '%s': got %d:%d: %s\n", tc->expr, err.line, err.col, err.msg);
	cx_free(e);
}

/* The figures name each measured side by its text; servers by target. */
static void test_figures(void)
{
	struct cx_data *d = NULL;
	struct cx_expr *e = NULL;
	struct cx_error err;
	struct cx_result res;
	char msg[1024], *servers;

	CHECK_INT(cx_data_read("crafted.csv", data3, strlen(data3), &d, msg, sizeof(msg)), 0);
	CHECK_INT(cx_parse("max(fast.get.ops_per_sec) > 2 * max(slow.get.ops_per_sec) - 1", &e, &err), 0);
	if (d && e && cx_eval(e, d, &res, &err) == 0) {
		CHECK_STR(res.figures, "max(fast.get.ops_per_sec) = 1000 ± 24.8 (n=3); "
				       "2 * max(slow.get.ops_per_sec) - 1 = 999 ± 24.8 (n=3)");
		CHECK_INT(res.verdict, CX_INCONCLUSIVE);
		cx_result_free(&res);
	} else {
		CHECK(0);
	}
	servers = d ? cx_data_servers(d) : NULL;
	CHECK_STR(servers, "fast=Redis 7.0.15; slow=memcached 1.6.18; noisy=Redis 7.0.15; mc=memcached 1.6.18; "
			   "two=FerretDB v1.24.2");
	free(servers);
	cx_free(e);
	cx_data_free(d);

	/* Not a summary.csv: an error naming the file. */
	CHECK_INT(cx_data_read("x.csv", "a,b\n1,2\n", 8, &d, msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "x.csv:1: no 'phase' column; not a summary.csv"));
	CHECK_INT(cx_data_read("y.csv", data1, 100, &d, msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "y.csv:2:"));
}

/* Deep nesting is refused, not a stack overflow. */
static void test_depth(void)
{
	struct sbuf sb = {0};
	struct cx_expr *e = NULL;
	struct cx_error err;
	char *s;

	for (int i = 0; i < 10000; i++)
		sbuf_addf(&sb, "(");
	s = sbuf_take(&sb);
	CHECK_INT(cx_parse(s, &e, &err), -1);
	CHECK(strstr(err.msg, "nests more than") != NULL);
	free(s);
	for (int i = 0; i < 10000; i++)
		sbuf_addf(&sb, "not ");
	s = sbuf_take(&sb);
	CHECK_INT(cx_parse(s, &e, &err), -1);
	CHECK(strstr(err.msg, "nests more than") != NULL);
	free(s);
	CHECK(cx_known_column("server_cpu_us_per_op") && !cx_known_column("server"));
	CHECK(cx_known_column("shards_per_op"));
}

/* A claim file c1.yaml: a null workload, then `claim:` and the block. */
struct claim_case {
	const char *block;   /* the lines after "claim:" (or its value, after "claim: ") */
	const char *want;    /* in the messages; NULL: the claim loads */
};

/* Two targets, a phase on each: a metric of the other target's phase has
 * no figures. */
#define CLAIM_TARGETS "name: c1\ntargets: [{name: a, driver: null}, {name: b, driver: null}]\nphases:\n" \
	"- {name: pa, ops: 10, mix: {get: 1}, targets: [a]}\n- {name: pb, ops: 10, mix: {get: 1}, targets: [b]}\nclaim:"

#define CLAIM_HEAD "name: c1\ntargets: [null]\nphases: [{name: run, ops: 10, mix: {get: 1}}]\nclaim:"
#define CLAIM_OK "\n  id: c1\n  statement: x\n  expect: null.get.ops > 0\n"

static const struct claim_case claim_cases[] = {
	{CLAIM_OK, NULL},
	{CLAIM_OK "  notez: y\n", "c1.yaml:8:3: unknown key 'notez' in claim; did you mean 'notes'?"},
	{CLAIM_OK "  id: c1\n", "c1.yaml:8:3: duplicate key 'id' in claim (first at line 5)"},
	{"\n  id: [c1]\n  statement: x\n  expect: null.get.ops > 0\n",
	 "c1.yaml:5:7: expected a string for claim.id, got a sequence"},
	{"\n  id: other\n  statement: x\n  expect: null.get.ops > 0\n",
	 "c1.yaml:5:7: claim.id 'other' must be the file's name without .yaml ('c1')"},
	{"\n  id: c1\n  expect: null.get.ops > 0\n",
	 "c1.yaml:5:3: missing required key 'statement' in claim (the claim in English)"},
	{CLAIM_OK "  needs: {cores: 0}\n", "c1.yaml:8:18: claim.needs.cores must be between 1 and 4096, got 0"},
	{CLAIM_OK "  needs: {core: 2}\n", "c1.yaml:8:11: unknown key 'core' in claim.needs; did you mean 'cores'?"},
	{CLAIM_OK "  needs: [4]\n", "c1.yaml:8:10: expected a mapping for claim.needs, got a sequence"},
	{CLAIM_OK "  quick: {phases.run.ops: [1]}\n",
	 "c1.yaml:8:27: claim.quick: write KEY.PATH: VALUE, a scalar as --set takes it"},
	{" 3\n", "c1.yaml:4:8: expected a mapping for claim, got '3'"},
	/* A position inside the expression: file:line:col of the metric. */
	{"\n  id: c1\n  statement: x\n  expect: ghost.get.ops > 0\n",
	 "c1.yaml:7:11: claim.expect: no target 'ghost' in this workload (targets: null)"},
};

/* After CLAIM_TARGETS. */
static const struct claim_case target_cases[] = {
	{"\n  id: c1\n  statement: x\n  expect: a.pa.get.ops > b.pb.get.ops\n", NULL},
	{"\n  id: c1\n  statement: x\n  expect: a.pa.get.ops > a.pb.get.ops\n",
	 "c1.yaml:9:26: claim.expect: phase pb does not run on target a (its targets key), so a has no figures "
	 "for it"},
};

/* Claim file `path`: head, then case k's block; loads or fails with k->want. */
static void run_claim_case(const char *path, const char *head, const struct claim_case *k, size_t i)
{
	char *text = xasprintf("%s%s", head, k->block), *msgs = NULL;
	struct workload *w = NULL;
	struct claim *cl = NULL;
	int rc;

	unlink(path);
	CHECK_INT(util_write_file(path, text), 0);
	CHECK_INT(workload_load(path, NULL, 0, &w, &msgs), 0);
	rc = w ? claim_load(path, w, &cl, &msgs) : -1;
	if (!k->want) {
		CHECK_INT(rc, 0);
		CHECK(cl && !strcmp(cl->id, "c1") && !strcmp(cl->statement, "x") && cl->expect);
	} else {
		CHECK_INT(rc, -1);
		CHECK(cl == NULL);
		CHECK(msgs && strstr(msgs, k->want));
	}
	if (k->want ? !msgs || !strstr(msgs, k->want) : rc != 0)
		fprintf(stderr, "case %zu: want '%s', got: %s\n", i, k->want ? k->want : "ok", msgs ? msgs : "");
	claim_free(cl);
	workload_free(w);
	free(msgs);
	free(text);
}

static void test_claim_files(void)
{
	char dir[] = "/tmp/bench-test-claims-XXXXXX";
	char *path, *msgs;
	struct claim *cl;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	path = xasprintf("%s/c1.yaml", dir);
	for (size_t i = 0; i < sizeof(claim_cases) / sizeof(claim_cases[0]); i++)
		run_claim_case(path, CLAIM_HEAD, &claim_cases[i], i);
	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]); i++)
		run_claim_case(path, CLAIM_TARGETS, &target_cases[i], i);
	/* The claims report is never written over: a second write fails the
	 * library's way, -1 with errno (it returned EEXIST, which the command
	 * took for success and then for its exit code). */
	{
		char *report = xasprintf("%s/report.html", dir);
		struct claims_report_row row = {"c1", "SUPPORTED", "x", "", "null.get.ops > 0", "", "", NULL, NULL, NULL};

		CHECK_INT(claims_report_write(report, &row, 1, 2, "spawn", false), 0);
		errno = 0;
		CHECK_INT(claims_report_write(report, &row, 1, 2, "spawn", false), -1);
		CHECK_INT(errno, EEXIST);
		unlink(report);
		free(report);
	}
	/* A claim file that cannot be read: said with the file, no position. */
	unlink(path);
	msgs = NULL;
	CHECK_INT(claim_load(path, NULL, &cl, &msgs), -1);
	CHECK(msgs && strstr(msgs, "/c1.yaml: cannot read the claim file: No such file or directory\n"));
	free(msgs);
	free(path);
	rmdir(dir);
}

/* A run.json with two FerretDB targets (one the expression reads twice),
 * a Valkey standing in for Redis, and a real Redis. */
static const char run_json[] =
	"{\"targets\": ["
	"{\"name\": \"redis\", \"server\": {\"product\": \"Redis\", \"version\": \"7.0.15\"}},"
	"{\"name\": \"mongodb\", \"server\": {\"product\": \"FerretDB\", \"version\": \"v1.24.2\","
	" \"variant\": \"SQLite, indexed _id\", \"stands_in_for\": \"MongoDB\"}},"
	"{\"name\": \"m2\", \"server\": {\"product\": \"FerretDB\", \"version\": \"v1.24.2\","
	" \"variant\": \"SQLite, indexed _id\", \"stands_in_for\": \"MongoDB\"}},"
	"{\"name\": \"kv\", \"server\": {\"product\": \"Valkey\", \"version\": \"8.0.1\","
	" \"stands_in_for\": \"Redis\"}},"
	"{\"name\": \"unread\", \"server\": {\"product\": \"FerretDB\", \"version\": \"v1.24.2\","
	" \"stands_in_for\": \"MongoDB\"}},"
	"{\"name\": \"skipped\", \"skipped\": \"cannot reach it\"}]}";

/* A run.json of the cache-aside claim's shape: a Redis cache whose aside
 * phase's store was FerretDB, and FerretDB as the mongodb target; a
 * second aside phase whose store was itself. */
static const char aside_json[] =
	"{\"targets\": ["
	"{\"name\": \"redis\", \"server\": {\"product\": \"Redis\", \"version\": \"7.0.15\"}, \"runs\": ["
	"{\"phase\": \"aside\", \"cache_aside\": {\"store_server\": \"FerretDB v1.24.2 (SQLite, indexed _id), "
	"standing in for MongoDB\", \"store_stands_in_for\": \"MongoDB\"}},"
	"{\"phase\": \"aside\", \"cache_aside\": {\"store_server\": \"FerretDB v1.24.2 (SQLite, indexed _id), "
	"standing in for MongoDB\", \"store_stands_in_for\": \"MongoDB\"}},"
	"{\"phase\": \"real\", \"cache_aside\": {\"store_server\": \"memcached 1.6.18\", "
	"\"store_stands_in_for\": null}},"
	"{\"phase\": \"plain\"}]},"
	"{\"name\": \"mongodb\", \"server\": {\"product\": \"FerretDB\", \"version\": \"v1.24.2\","
	" \"variant\": \"SQLite, indexed _id\", \"stands_in_for\": \"MongoDB\"}, \"runs\": []}]}";

/* Writes text into a new file named after the template path; returns its
 * descriptor, closed (-1 when it could not be made). */
static int temp_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	if (fd >= 0)
		close(fd);
	return fd;
}

/* A cache-aside phase whose store stood in: the expression reading that
 * phase read the stand-in's figures too (docs/claims.md, "Stand-ins"). */
static void test_stand_in_stores(void)
{
	char path[] = "/tmp/test_claims-XXXXXX", err[1024], *reason;
	struct claim_stand_in *s = NULL;
	struct cx_expr *e = NULL;
	struct cx_error perr;
	int n;

	temp_file(path, aside_json);
	CHECK_INT(cx_parse("redis.aside.get.ops_per_sec > mongodb.alone.get.ops_per_sec and "
			   "redis.aside.get.p99_us < mongodb.alone.get.p99_us", &e, &perr), 0);
	n = e ? claim_stand_ins(e, path, &s, err, sizeof(err)) : -1;
	CHECK_INT(n, 2); /* the aside phase once, though it ran twice and is read twice */
	if (n == 2) {
		CHECK_STR(s[0].target, "redis");
		CHECK_STR(s[0].phase, "aside");
		CHECK_STR(s[0].server, "FerretDB v1.24.2 (SQLite, indexed _id)");
		CHECK_STR(s[0].stands_in_for, "MongoDB");
		CHECK_STR(s[1].target, "mongodb");
		CHECK(s[1].phase == NULL);
		reason = claim_stand_in_reason("redis-cache-aside", NULL, s, 2);
		CHECK_STR(reason, "needs MongoDB: the store of redis's aside phase and the mongodb target here were "
				  "FerretDB v1.24.2 (SQLite, indexed _id); a cache-aside store is a server bench spawns: "
				  "install MongoDB here, then `bench claims --only redis-cache-aside`");
		free(reason);
		reason = claim_stand_in_reason("c", NULL, s, 1);
		CHECK_STR(reason, "needs MongoDB: the store of redis's aside phase here was FerretDB v1.24.2 (SQLite, "
				  "indexed _id); a cache-aside store is a server bench spawns: install MongoDB here, then "
				  "`bench claims --only c`");
		free(reason);
	}
	claim_stand_ins_free(s, n > 0 ? (size_t)n : 0);
	cx_free(e);
	/* Another phase of the same target, and a store that was itself: none. */
	CHECK_INT(cx_parse("redis.plain.get.ops_per_sec > 0 and redis.real.get.ops_per_sec > 0", &e, &perr), 0);
	CHECK_INT(e ? claim_stand_ins(e, path, &s, err, sizeof(err)) : -1, 0);
	cx_free(e);
	/* A metric naming no phase may be the aside phase's: counted. */
	CHECK_INT(cx_parse("redis.get.ops_per_sec > 0", &e, &perr), 0);
	n = e ? claim_stand_ins(e, path, &s, err, sizeof(err)) : -1;
	CHECK_INT(n, 1);
	claim_stand_ins_free(s, n > 0 ? (size_t)n : 0);
	cx_free(e);
	unlink(path);
}

static void test_stand_ins(void)
{
	char path[] = "/tmp/test_claims-XXXXXX", err[1024], *reason;
	struct claim_stand_in *s = NULL;
	struct cx_expr *e = NULL;
	struct cx_error perr;
	int fd = temp_file(path, run_json), n;

	CHECK_INT(cx_parse("mongodb.get.ops > redis.get.ops and m2.get.ops > 0 and kv.get.ops > mongodb.get.ops "
			   "and skipped.get.ops > 0", &e, &perr), 0);
	n = e ? claim_stand_ins(e, path, &s, err, sizeof(err)) : -1;
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(s[0].target, "mongodb");
		CHECK_STR(s[0].server, "FerretDB v1.24.2 (SQLite, indexed _id)");
		CHECK_STR(s[0].stands_in_for, "MongoDB");
		CHECK_STR(s[1].target, "m2");
		CHECK_STR(s[2].server, "Valkey 8.0.1");
		reason = claim_stand_in_reason("x-y", NULL, s, 3);
		CHECK_STR(reason, "needs MongoDB and Redis: the mongodb and m2 targets here were FerretDB v1.24.2 "
				  "(SQLite, indexed _id); the kv target here was Valkey 8.0.1; `docker compose up -d` then "
				  "`bench claims --servers external --only x-y`");
		free(reason);
		reason = claim_stand_in_reason("it's", "sharded", s, 1);
		CHECK_STR(reason, "needs MongoDB: the mongodb target here was FerretDB v1.24.2 (SQLite, indexed _id); "
				  "`docker compose --profile sharded up -d` then `bench claims --servers external "
				  "--only 'it'\\''s'`");
		free(reason);
		/* The profile is the claim file's: a shell word too. */
		reason = claim_stand_in_reason("c", "a;touch x", s, 1);
		CHECK(reason && strstr(reason, "`docker compose --profile 'a;touch x' up -d`"));
		free(reason);
	}
	claim_stand_ins_free(s, n > 0 ? (size_t)n : 0);
	cx_free(e);

	/* Nothing read from a stand-in: none. */
	CHECK_INT(cx_parse("redis.get.ops > 0", &e, &perr), 0);
	CHECK_INT(e ? claim_stand_ins(e, path, &s, err, sizeof(err)) : -1, 0);
	CHECK(s == NULL);
	/* A run.json that cannot be read or parsed: an error naming it. */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "{\"targets\": [", 13) == 13);
	close(fd);
	CHECK_INT(e ? claim_stand_ins(e, path, &s, err, sizeof(err)) : 0, -1);
	CHECK(strstr(err, path) && strstr(err, "not valid JSON"));
	unlink(path);
	CHECK_INT(e ? claim_stand_ins(e, path, &s, err, sizeof(err)) : 0, -1);
	CHECK(strstr(err, "cannot read"));
	cx_free(e);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++)
		run_eval(&eval_cases[i]);
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		run_parse(&parse_cases[i]);
	test_figures();
	test_depth();
	test_claim_files();
	test_stand_ins();
	test_stand_in_stores();
	return check_report("test_claims");
}
