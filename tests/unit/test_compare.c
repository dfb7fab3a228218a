/*
 * test_compare.c - `bench compare` below the command line: the CSV reader
 * (RFC 4180 cases, every error with file:line, limits, random input), the
 * statistics (t quantiles, mean and interval against known values), and
 * whole comparisons of crafted runs: exit codes, counts, the computed
 * deltas, intervals and verdicts, and the three output formats.
 *
 * Fixtures in BENCH_FIXTURES/compare: base.csv is a full summary.csv (kv,
 * redis + memcached, 3 repeats at 99%, 100% and 101% of each figure, and an
 * op memcached cannot do); same.csv holds the same figures with columns and
 * rows in another order, CRLF and quoted fields; regress, within, improve,
 * other-workload and one-side change base.csv as their names say. Smaller
 * cases are inline CSV written to a temporary directory.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "compare.h"
#include "csvread.h"
#include "util.h"

#define FIX(f) BENCH_FIXTURES "/compare/" f
#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

static char tmpdir[] = "/tmp/bench-test-compare-XXXXXX";

/* Writes text to tmpdir/name; returns the path (caller frees). */
static char *tmp_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* ---- the CSV reader ---- */

/* Reads everything: records as fields joined by '|', one per line, each
 * prefixed by its line number ("2:a|b\n"); on error, the error text. */
static char *read_all(const char *data, size_t len)
{
	struct csvr *r;
	struct sbuf sb = {0};
	int rc;

	csvr_open_mem("mem", data, len, &r);
	while ((rc = csvr_next(r)) == 1) {
		sbuf_addf(&sb, "%zu:", csvr_line(r));
		for (size_t i = 0; i < csvr_nfields(r); i++)
			sbuf_addf(&sb, "%s%s", i ? "|" : "", csvr_field(r, i));
		sbuf_add(&sb, "\n", 1);
	}
	if (rc < 0) {
		free(sb.buf);
		sb = (struct sbuf){0};
		sbuf_addf(&sb, "ERROR %s", csvr_error(r));
		CHECK_INT(csvr_next(r), -1); /* sticky */
	}
	csvr_free(r);
	return sbuf_take(&sb);
}

static void test_csvr_cases(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{"a,b\n1,2\n", "1:a|b\n2:1|2\n"},
		{"a,b\r\n1,2\r\n", "1:a|b\n2:1|2\n"},
		{"a,b\n1,2", "1:a|b\n2:1|2\n"},
		{"", ""},
		{"\n\n", ""},
		{",,\n", "1:||\n"},
		{"\"x,y\",\"he said \"\"hi\"\"\"\n", "1:x,y|he said \"hi\"\n"},
		{"\"\"\n", "1:\n"},
		{"\"a\nb\",c\nd,e\n", "1:a\nb|c\n3:d|e\n"},
		{"\"a\r\nb\"\r\n", "1:a\r\nb\n"},
		{"\xEF\xBB\xBFworkload,op\nkv,get\n", "1:workload|op\n2:kv|get\n"},
		{"\xEF\xBB", "1:\xEF\xBB\n"},
		{"a\n\n\r\nb\n", "1:a\n4:b\n"},
		{"caf\xC3\xA9,\xE2\x82\xAC\n", "1:caf\xC3\xA9|\xE2\x82\xAC\n"},
		/* Errors name the line: where the quote opened, or the record's. */
		{"a\n\"x\ny\"\n\"open\nstill open",
		 "ERROR mem:4: unterminated quoted field (its closing quote is missing)"},
		{"a\"b\n", "ERROR mem:1: quote inside an unquoted field (quote the whole field and double the quote)"},
		{"ok\n\"a\"b\n", "ERROR mem:2: 'b' after a closing quote (expected a comma or the end of the line)"},
		{"a\rb\n", "ERROR mem:1: carriage return not followed by a line feed"},
		{"a,b\nc,\"\x01\"\n", "1:a|b\n2:c|\x01\n"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = read_all(cases[i].in, strlen(cases[i].in));

		if (strcmp(got, cases[i].want) != 0)
			fprintf(stderr, "csvr case %zu\n", i);
		CHECK_STR(got, cases[i].want);
		free(got);
	}
}

static void test_csvr_limits(void)
{
	static const char nul[] = "a,b\nc,d\0e\n";
	size_t big = CSVR_MAX_RECORD + 10;
	char *buf = xmalloc(big + 1), *got;

	got = read_all(nul, sizeof(nul) - 1);
	CHECK_STR(got, "ERROR mem:2: NUL byte: binary data, not CSV text");
	free(got);

	memset(buf, 'x', big);
	buf[0] = '"';
	got = read_all(buf, big);
	CHECK_STR(got, "ERROR mem:1: record longer than 65536 bytes");
	free(got);

	/* A record just under the limit reads. */
	memset(buf, 'x', big);
	buf[CSVR_MAX_RECORD - 2] = '\n';
	got = read_all(buf, CSVR_MAX_RECORD - 1);
	CHECK_INT(strlen(got), CSVR_MAX_RECORD - 2 + 3);
	free(got);

	memset(buf, ',', big);
	got = read_all(buf, CSVR_MAX_FIELDS + 5);
	CHECK_STR(got, "ERROR mem:1: more than 4096 fields");
	free(got);
	free(buf);
}

static void test_csvr_file(void)
{
	struct csvr *r = NULL;
	char *path = tmp_file("lines.csv", "h1,h2\r\n\"multi\r\nline\",x\r\n\r\nlast,\"q\"\"\"");

	char err[PATH_MAX + 128];

	CHECK_INT(csvr_open(BENCH_FIXTURES "/compare/nope.csv", &r, err, sizeof(err)), -1);
	CHECK_INT(errno, ENOENT);
	CHECK(r == NULL);
	CHECK_STR(err, "cannot read " BENCH_FIXTURES "/compare/nope.csv: No such file or directory");
	CHECK_INT(csvr_open(BENCH_FIXTURES "/compare", &r, err, sizeof(err)), -1);
	CHECK_INT(errno, EISDIR);
	CHECK_INT(csvr_open(path, &r, err, sizeof(err)), 0);
	CHECK_INT(csvr_next(r), 1);
	CHECK_STR(csvr_field(r, 1), "h2");
	CHECK_INT(csvr_next(r), 1);
	CHECK_STR(csvr_field(r, 0), "multi\r\nline");
	CHECK_INT(csvr_line(r), 2);
	CHECK_INT(csvr_next(r), 1);
	CHECK_INT(csvr_line(r), 5);
	CHECK_STR(csvr_field(r, 1), "q\"");
	CHECK(csvr_field(r, 2) == NULL);
	CHECK_INT(csvr_next(r), 0);
	CHECK_STR(csvr_error(r), "");
	csvr_free(r);
	csvr_free(NULL);
	free(path);
}

/* Random bytes from the characters that matter: the reader must end every
 * input with 0 or -1 and keep within its buffers (ASan watches). */
static void test_csvr_random(void)
{
	static const char alphabet[] = "a1,\"\r\n\0\xEF\xBB\xBF";
	unsigned seed = 12345;
	char buf[600];
	int ends[2] = {0, 0};

	for (int i = 0; i < 5000; i++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		struct csvr *r;
		int rc;

		for (size_t j = 0; j < len; j++)
			buf[j] = alphabet[rand_r(&seed) % (int)(sizeof(alphabet) - 1)];
		csvr_open_mem("rand", buf, len, &r);
		while ((rc = csvr_next(r)) == 1)
			for (size_t k = 0; k < csvr_nfields(r); k++)
				CHECK(csvr_field(r, k) != NULL);
		ends[rc == 0]++;
		csvr_free(r);
	}
	CHECK(ends[0] > 0 && ends[1] > 0);
}

/* ---- statistics ---- */

static void test_stats(void)
{
	static const double v3[] = {10, 12, 14}, v2[] = {100, 104}, v1[] = {7}, huge[] = {1e308, 1.2e308, 1.4e308};
	struct compare_stat s;

	CHECK_NEAR(compare_t975(1), 12.706, 0.0005);
	CHECK_NEAR(compare_t975(2), 4.303, 0.0005);
	CHECK_NEAR(compare_t975(4), 2.776, 0.0005);
	CHECK_NEAR(compare_t975(10), 2.228, 0.0005);
	CHECK_NEAR(compare_t975(30), 2.042, 0.0005);
	/* Past the table: the series against exact quantiles. */
	CHECK_NEAR(compare_t975(31), 2.0395, 0.0003);
	CHECK_NEAR(compare_t975(40), 2.0211, 0.0003);
	CHECK_NEAR(compare_t975(60), 2.0003, 0.0003);
	CHECK_NEAR(compare_t975(120), 1.9799, 0.0003);
	CHECK_NEAR(compare_t975(1000000), 1.96, 0.0001);
	for (unsigned df = 1; df < 200; df++)
		CHECK(compare_t975(df + 1) < compare_t975(df));

	compare_stat_of(v3, 3, &s);
	CHECK_INT(s.n, 3);
	CHECK_NEAR(s.mean, 12, 1e-12);
	CHECK_NEAR(s.ci95, 4.3027 * 2 / sqrt(3), 1e-9); /* sd 2, df 2 */
	compare_stat_of(v2, 2, &s);
	CHECK_NEAR(s.mean, 102, 1e-12);
	CHECK_NEAR(s.ci95, 12.7062 * sqrt(8) / sqrt(2), 1e-9); /* sd sqrt(8), df 1 */
	compare_stat_of(v1, 1, &s);
	CHECK_NEAR(s.mean, 7, 1e-12);
	CHECK(s.ci95 == 0);
	compare_stat_of(NULL, 0, &s);
	CHECK_INT(s.n, 0);
	/* Found by tests/fuzz: finite values whose sum overflows used to give
	 * an infinite mean and interval, and a run compared with itself read
	 * "inf +- inf", delta NaN, "not significant". */
	compare_stat_of(huge, 3, &s);
	CHECK(isfinite(s.mean) && isfinite(s.ci95));
	CHECK_NEAR(s.mean / 1.2e308, 1, 1e-12);
	CHECK_NEAR(s.ci95 / (4.3027 * 0.2e308 / sqrt(3)), 1, 1e-9); /* sd 0.2e308, df 2 */
}

/* ---- whole comparisons ---- */

struct run_case {
	const char *name;
	const char *base, *cand;         /* fixture paths, or inline CSV when starting with "workload," */
	double threshold;
	bool force;
	int want_rc;
	const char *want_err;            /* substring of the message (want_rc 2) */
	size_t regressions, improvements, unchanged, not_measured, only_base, only_cand;
	/* Last, so that the cases above need not say them (0, false): */
	bool strict;
	size_t untested_worse, untested_better, too_short;
};

/* The minimal header: the required columns only. */
#define H "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us\n"
/* Counts: regressions, improvements, unchanged, not measured, only in
 * baseline, only in candidate. base.csv has 8 rows, one unsupported. */
#define COUNTS6(reg, imp, unch, nm, ob, oc) reg, imp, unch, nm, ob, oc
#define COUNTS(reg, imp, unch, nm, ob, oc) COUNTS6(reg, imp, unch, nm, ob, oc), false, 0, 0, 0
#define REFUSED(msg) 2, msg, COUNTS(0, 0, 0, 0, 0, 0)
/* strict, untested worse and better, too short */
#define UNTESTED(strict, worse, better) strict, worse, better, 0
#define TOO_SHORT(strict, n) strict, 0, 0, n
/* With duration_s: a phase run of 0.5 s is too short to compare, 1 s is not. */
#define HD "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us,duration_s\n"

static const struct run_case run_cases[] = {
	{"no change", FIX("base.csv"), FIX("same.csv"), 5, false, 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"a run against itself", FIX("base.csv"), FIX("base.csv"), 0, false, 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"regression beyond threshold", FIX("base.csv"), FIX("regress.csv"), 5, false,
	 1, NULL, COUNTS(2, 0, 19, 3, 0, 0)},
	{"regression within a 25% threshold", FIX("base.csv"), FIX("regress.csv"), 25, false,
	 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"change within threshold", FIX("base.csv"), FIX("within.csv"), 5, false, 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"within, threshold 0: not significant", FIX("base.csv"), FIX("within.csv"), 0, false,
	 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"improvement", FIX("base.csv"), FIX("improve.csv"), 5, false, 0, NULL, COUNTS(0, 2, 19, 3, 0, 0)},
	{"improvement read backwards", FIX("improve.csv"), FIX("base.csv"), 5, false,
	 1, NULL, COUNTS(2, 0, 19, 3, 0, 0)},
	{"mismatched workloads", FIX("base.csv"), FIX("other-workload.csv"), 5, false,
	 REFUSED("the runs used different workloads (kv vs kv-other); --force compares them anyway")},
	{"mismatched workloads, --force", FIX("base.csv"), FIX("other-workload.csv"), 5, true,
	 1, NULL, COUNTS(1, 0, 20, 3, 0, 0)},
	{"mismatched workloads, --force, 15%", FIX("base.csv"), FIX("other-workload.csv"), 15, true,
	 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"--force with the same workload", FIX("base.csv"), FIX("regress.csv"), 5, true,
	 1, NULL, COUNTS(2, 0, 19, 3, 0, 0)},
	{"rows on one side only", FIX("base.csv"), FIX("one-side.csv"), 5, false, 0, NULL, COUNTS(0, 0, 18, 3, 1, 1)},
	{"a result directory", FIX("run-a"), FIX("base.csv"), 5, false, 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"a result directory with a slash", FIX("base.csv"), FIX("run-a/"), 5, false,
	 0, NULL, COUNTS(0, 0, 21, 3, 0, 0)},
	{"a directory without summary.csv", FIX(""), FIX("base.csv"), 5, false,
	 REFUSED("compare/: no summary.csv in this directory")},
	{"a missing file", FIX("base.csv"), FIX("nope.csv"), 5, false, REFUSED("nope.csv: No such file or directory")},
	{"unterminated quote", FIX("bad-quote.csv"), FIX("base.csv"), 5, false,
	 REFUSED("bad-quote.csv:3: unterminated quoted field")},
	{"wrong field count", FIX("base.csv"), FIX("bad-fields.csv"), 5, false,
	 REFUSED("bad-fields.csv:3: 7 fields, but the header has 8")},
	{"non-numeric ops_per_sec", FIX("bad-number.csv"), FIX("base.csv"), 5, false,
	 REFUSED("bad-number.csv:4: ops_per_sec 'fast' is not a number")},
	{"an empty file", FIX("base.csv"), FIX("empty.csv"), 5, false,
	 REFUSED("empty.csv: empty file, not a summary.csv")},
	{"a header only", FIX("header-only.csv"), FIX("base.csv"), 5, false,
	 REFUSED("header-only.csv: a header but no rows")},
	{"a PNG", FIX("not-csv.png"), FIX("base.csv"), 5, false, REFUSED("not-csv.png:1: not a bench summary.csv")},
	{"a YAML file", FIX("base.csv"), FIX("workload.yaml"), 5, false,
	 REFUSED("workload.yaml:1: not a bench summary.csv")},
	/* Inline: with a single run on a side a change beyond the threshold is
	 * untested, and fails nothing; --strict lets the threshold decide. */
	{"no repeats: worse, untested", H "kv,run,redis,get,1,1000,50,100\n", H "kv,run,redis,get,1,900,50,100\n", 5,
	 false, 0, NULL, COUNTS6(0, 0, 2, 0, 0, 0), UNTESTED(false, 1, 0)},
	{"no repeats, --strict: a regression", H "kv,run,redis,get,1,1000,50,100\n", H "kv,run,redis,get,1,900,50,100\n",
	 5, false, 1, NULL, COUNTS6(1, 0, 2, 0, 0, 0), UNTESTED(true, 0, 0)},
	{"no repeats, within threshold", H "kv,run,redis,get,1,1000,50,100\n", H "kv,run,redis,get,1,960,51,104\n",
	 5, false, 0, NULL, COUNTS(0, 0, 3, 0, 0, 0)},
	{"no repeats, within threshold, --strict", H "kv,run,redis,get,1,1000,50,100\n",
	 H "kv,run,redis,get,1,960,51,104\n", 5, false, 0, NULL, COUNTS6(0, 0, 3, 0, 0, 0), UNTESTED(true, 0, 0)},
	{"3 repeats against 1: untested",
	 H "kv,run,redis,get,1,1000,50,100\nkv,run,redis,get,2,1010,50,100\nkv,run,redis,get,3,990,50,100\n",
	 H "kv,run,redis,get,1,1000,50,130\n", 5, false, 0, NULL, COUNTS6(0, 0, 2, 0, 0, 0), UNTESTED(false, 1, 0)},
	{"3 repeats against 1, --strict: the threshold decides",
	 H "kv,run,redis,get,1,1000,50,100\nkv,run,redis,get,2,1010,50,100\nkv,run,redis,get,3,990,50,100\n",
	 H "kv,run,redis,get,1,1000,50,130\n", 5, false, 1, NULL, COUNTS6(1, 0, 2, 0, 0, 0), UNTESTED(true, 0, 0)},
	/* Too short: any run of the row, on either side, under 1 s. */
	{"repeats, a run under 1 s: too short, never a regression",
	 HD "kv,run,r,get,1,1000,50,100,0.5\nkv,run,r,get,2,1010,50,100,0.5\nkv,run,r,get,3,990,50,100,0.5\n"
	    "kv,run,r,set,1,1000,50,100,1\nkv,run,r,set,2,1010,50,100,1\nkv,run,r,set,3,990,50,100,1\n",
	 HD "kv,run,r,get,1,100,50,100,0.5\nkv,run,r,get,2,101,50,100,0.5\nkv,run,r,get,3,99,50,100,0.5\n"
	    "kv,run,r,set,1,100,50,100,1\nkv,run,r,set,2,101,50,100,1\nkv,run,r,set,3,99,50,100,1\n",
	 5, false, 1, NULL, COUNTS6(1, 0, 2, 0, 0, 0), TOO_SHORT(false, 3)},
	{"too short on the candidate's side only, --strict",
	 HD "kv,run,r,get,1,1000,50,100,2\n", HD "kv,run,r,get,1,100,50,100,0.999\n",
	 5, false, 0, NULL, COUNTS6(0, 0, 0, 0, 0, 0), TOO_SHORT(true, 3)},
	{"too short and unsupported: not measured first",
	 HD "kv,run,r,range,1,unsupported,unsupported,unsupported,0\n",
	 HD "kv,run,r,range,1,unsupported,unsupported,unsupported,0\n",
	 5, false, 0, NULL, COUNTS(0, 0, 0, 3, 0, 0)},
	{"a duration that is not a number", HD "kv,run,r,get,1,1000,50,100,1s\n", FIX("base.csv"), 5, false,
	 REFUSED(":2: duration_s '1s' is not a number")},
	{"overlapping intervals: not significant",
	 H "kv,run,redis,get,1,500,50,100\nkv,run,redis,get,2,1500,50,100\nkv,run,redis,get,3,1000,50,100\n",
	 H "kv,run,redis,get,1,400,50,100\nkv,run,redis,get,2,1200,50,100\nkv,run,redis,get,3,800,50,100\n",
	 5, false, 0, NULL, COUNTS(0, 0, 3, 0, 0, 0)},
	{"unsupported and empty are not measured",
	 H "kv,run,mc,range,1,unsupported,unsupported,unsupported\nkv,run,mc,get,1,1000,,\n",
	 H "kv,run,mc,range,1,5000,40,90\nkv,run,mc,get,1,1000,50,100\n", 5, false, 0, NULL, COUNTS(0, 0, 1, 5, 0, 0)},
	{"a zero baseline", H "kv,run,r,get,1,0,50,100\n", H "kv,run,r,get,1,10,50,100\n", 5, false,
	 0, NULL, COUNTS6(0, 0, 2, 0, 0, 0), UNTESTED(false, 0, 1)},
	{"a zero baseline, --strict", H "kv,run,r,get,1,0,50,100\n", H "kv,run,r,get,1,10,50,100\n", 5, false,
	 0, NULL, COUNTS6(0, 1, 2, 0, 0, 0), UNTESTED(true, 0, 0)},
	{"sweep points join separately",
	 "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us,sweep_key,sweep_value\n"
	 "kv,run,r,get,1,1000,50,100,clients,1\nkv,run,r,get,1,4000,60,120,clients,4\n",
	 "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us,sweep_key,sweep_value\n"
	 "kv,run,r,get,1,4000,60,120,clients,4\nkv,run,r,get,1,1000,50,100,clients,1\n"
	 "kv,run,r,get,1,9000,60,120,clients,16\n",
	 5, false, 0, NULL, COUNTS(0, 0, 6, 0, 0, 1)},
	{"extra columns, BOM, CRLF, blank lines",
	 "\xEF\xBB\xBFnote,workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us\r\n"
	 "\"a, \"\"b\"\"\",kv,run,r,get,1,1000,50,100\r\n\r\n",
	 H "kv,run,r,get,1,1000,50,100", 5, false, 0, NULL, COUNTS(0, 0, 3, 0, 0, 0)},
	{"several workloads, one shared", H "kv,run,r,get,1,1000,50,100\nhot,run,r,get,1,1000,50,100\n",
	 H "kv,run,r,get,1,1000,50,100\n", 5, false, 0, NULL, COUNTS(0, 0, 3, 0, 1, 0)},
	{"--force needs one workload per side", H "kv,run,r,get,1,1000,50,100\nhot,run,r,get,1,1000,50,100\n",
	 H "other,run,r,get,1,1000,50,100\n", 5, true, REFUSED("each side must hold one workload (")},
	{"a repeat listed twice",
	 H "kv,run,r,get,1,1000,50,100\nkv,run,r,set,1,1000,50,100\nkv,run,r,get,1,1000,50,100\n",
	 FIX("base.csv"), 5, false, REFUSED(":4: a second row for kv/run/r/get, repeat 1 (the first is on line 2)")},
	{"a column twice",
	 "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us,op\nkv,run,r,get,1,1000,50,100,get\n",
	 FIX("base.csv"), 5, false, REFUSED(":1: column 'op' appears twice in the header")},
	{"a missing column", "workload,phase,target,op,repeat,ops_per_sec,p50_us\nkv,run,r,get,1,1000,50\n",
	 FIX("base.csv"), 5, false, REFUSED(":1: not a bench summary.csv: the header has no p99_us column")},
	{"a negative figure", H "kv,run,r,get,1,1000,-50,100\n", FIX("base.csv"), 5, false,
	 REFUSED(":2: p50_us '-50' is negative")},
	{"not a plain number", H "kv,run,r,get,1,nan,50,100\n", FIX("base.csv"), 5, false,
	 REFUSED(":2: ops_per_sec 'nan' is not a number")},
	{"a bad repeat", H "kv,run,r,get,0,1000,50,100\n", FIX("base.csv"), 5, false,
	 REFUSED(":2: repeat '0' is not a whole number >= 1")},
	{"an empty key field", H "kv,run,,get,1,1000,50,100\n", FIX("base.csv"), 5, false,
	 REFUSED(":2: target is empty")},
	{"a quote inside a field", H "kv,run,r\"x,get,1,1000,50,100\n", FIX("base.csv"), 5, false,
	 REFUSED(":2: quote inside an unquoted field")},
};

/* Runs a case; returns the result (caller frees) or NULL. */
static struct compare_result *run_case(const struct run_case *c, size_t i, int *rc, char *err, size_t errlen)
{
	char name[64];
	char *paths[2] = {NULL, NULL};
	const char *in[2] = {c->base, c->cand};
	struct compare_opts o = {.threshold_pct = c->threshold, .force = c->force, .strict = c->strict};
	struct compare_result *r = NULL;

	for (int s = 0; s < 2; s++) {
		snprintf(name, sizeof(name), "case%zu-%s.csv", i, s ? "cand" : "base");
		paths[s] = strncmp(in[s], "workload,", 9) == 0 || in[s][0] == '\xEF' ? tmp_file(name, in[s])
										      : xstrdup(in[s]);
	}
	*rc = compare_runs(paths[0], paths[1], &o, &r, err, errlen);
	free(paths[0]);
	free(paths[1]);
	/* what cmd_compare.c exits with */
	*rc = *rc < 0 ? 2 : r->regressions ? 1 : 0;
	return r;
}

static void test_run_cases(void)
{
	for (size_t i = 0; i < sizeof(run_cases) / sizeof(run_cases[0]); i++) {
		const struct run_case *c = &run_cases[i];
		char err[4096];
		int rc, before = check_failures;
		struct compare_result *r = run_case(c, i, &rc, err, sizeof(err));

		CHECK_INT(rc, c->want_rc);
		if (c->want_rc == 2) {
			CHECK(r == NULL);
			CHECK(c->want_err && strstr(err, c->want_err));
		} else {
			CHECK_STR(err, "");
		}
		if (r) {
			CHECK_INT(r->regressions, c->regressions);
			CHECK_INT(r->improvements, c->improvements);
			CHECK_INT(r->unchanged, c->unchanged);
			CHECK_INT(r->not_measured, c->not_measured);
			CHECK_INT(r->only_baseline, c->only_base);
			CHECK_INT(r->only_candidate, c->only_cand);
			CHECK_INT(r->untested_worse, c->untested_worse);
			CHECK_INT(r->untested_better, c->untested_better);
			CHECK_INT(r->too_short, c->too_short);
		}
		if (check_failures != before)
			fprintf(stderr, "  in case '%s'%s%s\n", c->name, err[0] ? ": " : "", err);
		compare_result_free(r);
	}
}

/* ---- the figures themselves ---- */

static const struct compare_entry *find(const struct compare_result *r, const char *target, const char *op,
					const char *sweep_value)
{
	for (size_t i = 0; i < r->n_entries; i++)
		if (strcmp(r->entries[i].target, target) == 0 && strcmp(r->entries[i].op, op) == 0 &&
		    strcmp(r->entries[i].phase, "load") != 0 &&
		    (!sweep_value || strcmp(r->entries[i].sweep_value, sweep_value) == 0))
			return &r->entries[i];
	return NULL;
}

static struct compare_result *load(const char *base, const char *cand, double threshold, bool force)
{
	struct compare_opts o = {.threshold_pct = threshold, .force = force};
	struct compare_result *r = NULL;
	char err[4096];

	CHECK_INT(compare_runs(base, cand, &o, &r, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	return r;
}

static void test_regression_figures(void)
{
	/* redis get: ops/s 100000 +-1% (sd 1000) -> 90000 +-1%; p99 140 -> 168. */
	struct compare_result *r = load(FIX("base.csv"), FIX("regress.csv"), 5, false);
	const struct compare_entry *e = r ? find(r, "redis", "get", NULL) : NULL;
	const struct compare_cell *c;

	CHECK(e != NULL);
	if (!e)
		goto done;
	c = &e->m[COMPARE_OPS_PER_SEC];
	CHECK_INT(c->base.n, 3);
	CHECK_NEAR(c->base.mean, 100000, 1e-6);
	CHECK_NEAR(c->base.ci95, 4.3027 * 1000 / sqrt(3), 1e-3);
	CHECK_NEAR(c->cand.mean, 90000, 1e-6);
	CHECK_NEAR(c->cand.ci95, 4.3027 * 900 / sqrt(3), 1e-3);
	CHECK_NEAR(c->delta, -10000, 1e-6);
	CHECK_NEAR(c->delta_pct, -10, 1e-9);
	CHECK_INT(c->significant, 1);
	CHECK_INT(c->verdict, COMPARE_REGRESSION);
	c = &e->m[COMPARE_P99];
	CHECK_NEAR(c->delta, 28, 1e-6);
	CHECK_NEAR(c->delta_pct, 20, 1e-9);
	CHECK_INT(c->verdict, COMPARE_REGRESSION);
	c = &e->m[COMPARE_P50];
	CHECK_NEAR(c->delta, 0, 1e-9);
	CHECK_INT(c->significant, 0);
	CHECK_INT(c->verdict, COMPARE_UNCHANGED);
	e = find(r, "memcached", "range", NULL);
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_NOT_MEASURED);
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].base.unsupported && e->m[COMPARE_OPS_PER_SEC].cand.unsupported);
done:
	compare_result_free(r);
}

static void test_other_figures(void)
{
	struct compare_result *r = load(FIX("base.csv"), FIX("improve.csv"), 5, false);
	const struct compare_entry *e = r ? find(r, "redis", "get", NULL) : NULL;

	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_IMPROVEMENT);
	CHECK(e && fabs(e->m[COMPARE_OPS_PER_SEC].delta_pct - 20) < 1e-9);
	CHECK(e && e->m[COMPARE_P50].verdict == COMPARE_IMPROVEMENT);
	CHECK(e && fabs(e->m[COMPARE_P50].delta_pct + 30) < 1e-9);
	CHECK(e && e->m[COMPARE_P99].verdict == COMPARE_UNCHANGED);
	compare_result_free(r);

	/* within.csv: -3%, the intervals (+-2.5%) overlap. */
	r = load(FIX("base.csv"), FIX("within.csv"), 0, false);
	e = r ? find(r, "redis", "get", NULL) : NULL;
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].significant == 0);
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_NOT_SIGNIFICANT);
	CHECK(r && r->not_significant == 1);
	compare_result_free(r);

	r = load(FIX("base.csv"), FIX("other-workload.csv"), 5, true);
	e = r ? find(r, "redis", "get", NULL) : NULL;
	CHECK(e && strcmp(e->workload, "kv") == 0 && strcmp(e->cand_workload, "kv-other") == 0);
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_REGRESSION);
	compare_result_free(r);

	r = load(FIX("base.csv"), FIX("one-side.csv"), 5, false);
	e = r ? find(r, "memcached", "set", NULL) : NULL;
	CHECK(e && e->m[COMPARE_P99].verdict == COMPARE_ONLY_BASELINE && e->m[COMPARE_P99].base.n == 3 &&
	      e->m[COMPARE_P99].cand.n == 0);
	e = r ? find(r, "redis", "incr", NULL) : NULL;
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_ONLY_CANDIDATE);
	CHECK(r && r->n_entries == 9 && e == &r->entries[8]); /* candidate-only rows come last */
	compare_result_free(r);
}

static void test_inline_figures(void)
{
	char *a = tmp_file("zero-a.csv", "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us\n"
					 "kv,run,r,get,1,0,50,100\nkv,run,r,get,2,0,50,100\n"
					 "kv,run,r,set,1,1000,50,100\nkv,run,r,set,2,1000,,100\n");
	char *b = tmp_file("zero-b.csv", "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us\n"
					 "kv,run,r,get,1,10,50,100\nkv,run,r,get,2,10.5,50,100\n"
					 "kv,run,r,set,1,1000,50,100\nkv,run,r,set,2,1000,50,100\n");
	struct compare_result *r = load(a, b, 5, false);
	const struct compare_entry *e = r ? find(r, "r", "get", NULL) : NULL;

	CHECK(e && isinf(e->m[COMPARE_OPS_PER_SEC].delta_pct) && e->m[COMPARE_OPS_PER_SEC].delta_pct > 0);
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_IMPROVEMENT);
	e = r ? find(r, "r", "set", NULL) : NULL;
	/* One repeat lacks p50: the other is the mean, with no interval. */
	CHECK(e && e->m[COMPARE_P50].base.n == 1 && e->m[COMPARE_P50].significant == -1);
	CHECK(e && e->m[COMPARE_P50].verdict == COMPARE_UNCHANGED);
	compare_result_free(r);
	free(a);
	free(b);

	/* Found by tests/fuzz: figures whose sum overflows, compared with
	 * themselves, are unchanged (they were "inf +- inf", delta NaN). */
	a = tmp_file("huge.csv", "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us\n"
				 "kv,run,r,get,1,1e308,1,1\nkv,run,r,get,2,1.5e308,1,1\n");
	r = load(a, a, 5, false);
	e = r ? find(r, "r", "get", NULL) : NULL;
	CHECK(e && isfinite(e->m[COMPARE_OPS_PER_SEC].base.mean) && e->m[COMPARE_OPS_PER_SEC].delta == 0);
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_UNCHANGED);
	CHECK(r && r->unchanged == 3 && r->not_significant == 0);
	compare_result_free(r);
	free(a);
}

/* ---- the outputs ---- */

static char *written(const struct compare_result *r, enum compare_format fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK_INT(compare_write(r, fmt, f), 0);
	fclose(f);
	return text;
}

static void test_outputs(void)
{
	struct compare_result *r = load(FIX("base.csv"), FIX("regress.csv"), 5, false);
	char *t;
	struct csvr *cr;
	int rows = 0, found = 0;

	if (!r)
		return;
	t = written(r, COMPARE_TABLE);
	CHECK(strstr(t, "baseline:  " FIX("base.csv") " (workload kv, 3 repeats)\n") != NULL);
	CHECK(strstr(t, "\nredis      run    get    ops/s    100000 \u00b1 2484    90000 \u00b1 2236  -10000   -10.0%"
			"  regression\n") != NULL);
	CHECK(strstr(t, "\nmemcached  run    range  ops/s      unsupported     unsupported                   "
			"not measured\n") != NULL);
	CHECK(strstr(t, "\n2 regressions, 0 improvements, 19 unchanged; 3 not measured\n") != NULL);
	/* One workload, no sweep: neither column. */
	CHECK(strstr(t, "\n\ntarget     phase  op     metric        baseline       candidate   delta  delta %  "
			"verdict\n") != NULL);
	free(t);

	t = written(r, COMPARE_MARKDOWN);
	/* the path as text (escape_markdown), whatever the checkout's path holds */
	CHECK(strncmp(t, "**Baseline** /", 14) == 0 && strstr(t, "/base.csv (workload kv, 3 repeats)  \n") != NULL);
	CHECK(strstr(t, "| target | phase | op | metric | baseline | candidate | delta | delta % | verdict |\n"
			"|---|---|---|---|---:|---:|---:|---:|---|\n") != NULL);
	CHECK(strstr(t, "| redis | run | get | ops/s | 100000 \u00b1 2484 | 90000 \u00b1 2236 | -10000 | -10.0% | "
			"**regression** |\n") != NULL);
	free(t);

	/* csv: read back with the reader; every row has every column. */
	t = written(r, COMPARE_CSV);
	csvr_open_mem("out", t, strlen(t), &cr);
	CHECK_INT(csvr_next(cr), 1);
	CHECK_STR(csvr_field(cr, 16), "verdict");
	CHECK_STR(csvr_field(cr, 18), "candidate_server");
	while (csvr_next(cr) == 1) {
		rows++;
		CHECK_INT(csvr_nfields(cr), 19);
		CHECK_STR(csvr_field(cr, 17), ""); /* no run.json beside base.csv */
		if (strcmp(csvr_field(cr, 2), "redis") == 0 && strcmp(csvr_field(cr, 3), "get") == 0 &&
		    strcmp(csvr_field(cr, 6), "ops_per_sec") == 0) {
			found++;
			CHECK_STR(csvr_field(cr, 7), "3");
			CHECK_STR(csvr_field(cr, 8), "100000");
			CHECK_STR(csvr_field(cr, 11), "90000");
			CHECK_STR(csvr_field(cr, 13), "-10000");
			CHECK_STR(csvr_field(cr, 14), "-10");
			CHECK_STR(csvr_field(cr, 15), "yes");
			CHECK_STR(csvr_field(cr, 16), "regression");
		}
		if (strcmp(csvr_field(cr, 3), "range") == 0 && strcmp(csvr_field(cr, 2), "memcached") == 0)
			CHECK(strcmp(csvr_field(cr, 8), "unsupported") == 0 &&
			      strcmp(csvr_field(cr, 16), "not measured") == 0);
	}
	CHECK_INT(rows, 8 * 3);
	CHECK_INT(found, 1);
	csvr_free(cr);
	free(t);
	compare_result_free(r);
}

/* Names from the input are cleaned for a terminal and for markdown; the
 * csv keeps them exactly (quoted). Single runs are marked "untested", or
 * "(no repeats)" under --strict. */
static void test_output_names(void)
{
	char *a = tmp_file("names-a.csv", "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us,sweep_key,"
					  "sweep_value\n"
					  "kv,run,\"a|b\x1b[31m\",get,1,1000,50,100,clients,4\n");
	char *b = tmp_file("names-b.csv", "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us,sweep_key,"
					  "sweep_value\n"
					  "kv,run,\"a|b\x1b[31m\",get,1,800,50,100,clients,4\n");
	struct compare_opts strict = {.threshold_pct = 5, .strict = true};
	struct compare_result *r = load(a, b, 5, false);
	char *t, err[4096];

	if (r) {
		t = written(r, COMPARE_TABLE);
		CHECK(strstr(t, "a|b?[31m") != NULL && strchr(t, '\x1b') == NULL);
		CHECK(strstr(t, "clients=4") != NULL);
		CHECK(strstr(t, "  worse (untested)\n") != NULL);
		CHECK(strstr(t, "  regression") == NULL);
		CHECK(strstr(t, "(untested): a side has one run, so there is no interval: these changes are untested "
				"for significance and fail nothing") != NULL);
		CHECK(strstr(t, "\n0 regressions, 0 improvements, 2 unchanged; 1 worse and 0 better beyond the "
				"threshold, untested for significance (one run on a side)\n") != NULL);
		free(t);
		t = written(r, COMPARE_MARKDOWN);
		CHECK(strstr(t, "| a\\|b?\\[31m |") != NULL);
		free(t);
		t = written(r, COMPARE_CSV);
		CHECK(strstr(t, "\nkv,run,a|b\x1b[31m,get,clients,4,ops_per_sec,1,1000,,1,800,,-200,-20,,"
				"worse (untested),,\n") != NULL);
		free(t);
	}
	compare_result_free(r);
	r = NULL;
	CHECK_INT(compare_runs(a, b, &strict, &r, err, sizeof(err)), 0);
	if (r) {
		CHECK_INT(r->regressions > 0, 1);
		t = written(r, COMPARE_TABLE);
		CHECK(strstr(t, "regression (no repeats)") != NULL);
		CHECK(strstr(t, "(no repeats): a side has one run, so there is no interval and, under --strict, the "
				"threshold alone decides") != NULL);
		CHECK(strstr(t, "untested") == NULL);
		free(t);
		t = written(r, COMPARE_CSV);
		CHECK(strstr(t, ",-200,-20,,regression,,\n") != NULL);
		free(t);
	}
	compare_result_free(r);
	free(a);
	free(b);
}

/* A row with a run under a second: its change is shown, its verdict is
 * "too short", and the lines around the table say why. */
static void test_too_short_output(void)
{
	char *a = tmp_file("short-a.csv", HD "kv,load,r,load,1,1000,50,100,0.004\nkv,load,r,load,2,1000,50,100,0.004\n");
	char *b = tmp_file("short-b.csv", HD "kv,load,r,load,1,500,50,100,0.004\nkv,load,r,load,2,510,50,100,0.005\n");
	struct compare_result *r = load(a, b, 5, false);
	const struct compare_entry *e = r ? &r->entries[0] : NULL;
	char *t;

	CHECK(e && fabs(e->shortest_s - 0.004) < 1e-12);
	CHECK(e && e->m[COMPARE_OPS_PER_SEC].verdict == COMPARE_TOO_SHORT);
	CHECK(e && fabs(e->m[COMPARE_OPS_PER_SEC].delta + 495) < 1e-9);
	if (r) {
		CHECK_INT(r->regressions, 0);
		t = written(r, COMPARE_TABLE);
		CHECK(strstr(t, "-49.5%  too short\n") != NULL);
		CHECK(strstr(t, "too short: a run of the row measured under 1 s (duration_s), too short to compare") !=
		      NULL);
		CHECK(strstr(t, "; 3 too short to compare (a run under 1 s)\n") != NULL);
		free(t);
	}
	compare_result_free(r);
	free(a);
	free(b);
}

static void test_formats(void)
{
	enum compare_format f;

	CHECK(compare_parse_format("table", &f) == 0 && f == COMPARE_TABLE);
	CHECK(compare_parse_format("csv", &f) == 0 && f == COMPARE_CSV);
	CHECK(compare_parse_format("markdown", &f) == 0 && f == COMPARE_MARKDOWN);
	CHECK_INT(compare_parse_format("md", &f), -1);
	CHECK_STR(compare_verdict_name(COMPARE_ONLY_CANDIDATE), "only in candidate");
	CHECK_STR(compare_metric_name(COMPARE_P99), "p99_us");
}

/* Mutated copies of a valid file: every one is compared or refused (exit
 * 2), never a crash or a leak (ASan). */
static void test_mutations(void)
{
	static const char good[] = "workload,phase,target,op,repeat,ops_per_sec,p50_us,p99_us,sweep_key,sweep_value\n"
				   "kv,run,r,get,1,1000,50,100,clients,1\nkv,run,r,get,2,1100,\"55\",110,clients,1\n"
				   "kv,run,m,get,1,unsupported,,,clients,1\n";
	static const char bytes[] = ",\"\n\r0a-.\0e";
	struct compare_opts o = {.threshold_pct = 5};
	unsigned seed = 7;
	char buf[sizeof(good)];
	char *base = tmp_file("mut-base.csv", good), *path = xasprintf("%s/mut.csv", tmpdir);
	int outcomes[3] = {0, 0, 0};

	for (int i = 0; i < 400; i++) {
		struct compare_result *r = NULL;
		char err[4096] = "unset";
		FILE *f;
		int rc;

		memcpy(buf, good, sizeof(good));
		for (int k = 0; k < 1 + i % 4; k++)
			buf[rand_r(&seed) % (int)(sizeof(good) - 1)] = bytes[rand_r(&seed) % (int)(sizeof(bytes) - 1)];
		f = fopen(path, "wb");
		if (!f)
			break;
		fwrite(buf, 1, sizeof(good) - 1 - (size_t)(i % 3), f);
		fclose(f);
		rc = compare_runs(base, path, &o, &r, err, sizeof(err));
		CHECK(rc == 0 || rc == -1);
		CHECK((rc == 0) == (r != NULL) && (rc == -1) == (err[0] != '\0'));
		if (r)
			outcomes[r->regressions > 0]++;
		else
			outcomes[2]++;
		compare_result_free(r);
	}
	CHECK(outcomes[0] + outcomes[1] > 0 && outcomes[2] > 0);
	unlink(path);
	free(path);
	free(base);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_csvr_cases();
	test_csvr_limits();
	test_csvr_file();
	test_csvr_random();
	test_stats();
	test_run_cases();
	test_regression_figures();
	test_other_figures();
	test_inline_figures();
	test_outputs();
	test_output_names();
	test_too_short_output();
	test_formats();
	test_mutations();
	util_remove_tree(tmpdir);
	return check_report("compare");
}
