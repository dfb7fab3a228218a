/*
 * test_runjson.c - run.json through jansson: a results model crafted with
 * the awkward values (a seed past 2^63, NaN, bytes that are not UTF-8,
 * secrets in values and keys) written by jsonw_run and read back by
 * report_json_parse; the layout the shell tests grep; writing what was
 * read gives the same text; and the reader on cut, damaged and hostile
 * text (every prefix of a run.json, a lone surrogate, deep nesting).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "json.h"
#include "outdir.h"
#include "report_json.h"
#include "results.h"
#include "secret.h"
#include "util.h"
#include "workload.h"

static const char yaml[] =
	"name: rj\n"
	"description: \"quotes \\\" and a tab\\t\"\n"
	"seed: 18446744073709551615\n"
	"targets:\n"
	"  - {name: n1, driver: null}\n"
	"keyspace: {records: 100}\n"
	"values: {size: 8}\n"
	"sweep: {clients: [1, 2]}\n"
	"phases:\n"
	"  - {name: load, type: load}\n"
	"  - {name: run, ops: 100, mix: {get: 0.8, set: 0.2}}\n";

static int put_run(const void *r, FILE *f)
{
	return jsonw_run(r, f);
}

static int put_tree(const void *v, FILE *f)
{
	return jsonw_dump(v, f);
}

/* The text put(arg) writes (caller frees); put must succeed. */
static char *text_of(int (*put)(const void *, FILE *), const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK_INT(put(arg, f), 0);
	fclose(f);
	return text;
}

static json_t *path(json_t *v, const char *a, const char *b, const char *c)
{
	v = json_object_get(v, a);
	v = b ? json_object_get(v, b) : v;
	return c ? json_object_get(v, c) : v;
}

/* Every prefix of text: never a crash or a leak; those that end inside the
 * last members still give everything before them. */
static void test_prefixes(const char *text, const json_t *full)
{
	size_t len = strlen(text), salvaged = 0;

	for (size_t n = 0; n < len; n++) {
		json_t *t = NULL;
		json_error_t err;
		int rc = report_json_parse(text, n, &t, &err);

		/* Only the text without its final newline, or whole, is valid. */
		CHECK_INT(rc, n + 1 == len ? 0 : -1);
		if (rc < 0)
			CHECK(err.position >= 0 && (size_t)err.position <= n);
		salvaged += t != NULL;
		/* Cut inside "warnings" (the last member): all else is there. */
		if (n + 4 >= len && n + 1 < len) {
			CHECK(t && json_equal(json_object_get(t, "targets"), json_object_get(full, "targets")));
			CHECK(t && json_is_true(json_object_get(t, "complete")));
		}
		json_decref(t);
	}
	/* Every cut after the opening brace shows something. */
	CHECK_INT(salvaged, len - 1);
}

static void test_write_read(void)
{
	struct workload *w = NULL;
	char *errors = NULL, *text;
	struct results r = {.servers_mode = "spawn", .complete = true};
	struct target_result *t;
	struct phase_result *p;
	json_t *run = NULL, *v;
	json_error_t err;

	CHECK_INT(workload_parse("rj.yaml", yaml, strlen(yaml), NULL, 0, &w, &errors), 0);
	free(errors);
	if (!w)
		return;
	secret_add("s3cr3t");
	r.w = w;
	r.command = xstrdup("bench run rj.yaml --set x=s3cr3t");
	snprintf(r.started_utc, sizeof(r.started_utc), "20260101T000000Z");
	r.targets = xcalloc(1, sizeof(*r.targets));
	r.n_targets = 1;
	t = &r.targets[0];
	t->target = &w->targets[0];
	t->uri = xstrdup("redis://:s3cr3t@127.0.0.1:6379");
	t->have_info = true;
	snprintf(t->info.product, sizeof(t->info.product), "Redis");
	snprintf(t->info.version, sizeof(t->info.version), "7.0");
	/* A server may answer any bytes, in values and in keys. */
	snprintf(t->info.config, sizeof(t->info.config), "save=3600 1\nbad\xff=x\xc3\npass-s3cr3t=1\n");
	p = results_add_run(t);
	p->phase = &w->phases[1];
	p->repeat = 1;
	p->engine = "event";
	p->duration_s = NAN;             /* JSON has no NaN: null */
	p->server_cpu_s = -1;            /* unknown: null */
	p->server_rss_bytes = -1;
	p->ops[BENCH_OP_GET].status[BENCH_OK] = 90;
	p->ops[BENCH_OP_GET].status[BENCH_ERROR] = 10;
	snprintf(p->error, sizeof(p->error), "ERR auth s3cr3t \"quoted\"\n");
	results_warn(&r, "client-bound <b>");

	text = text_of(put_run, &r);
	/* The layout the tests in tests/integration grep: two-space indentation,
	 * "key": value, one member a line, a final newline. */
	CHECK(!strncmp(text, "{\n  \"bench\": {\n    \"version\": ", strlen("{\n  \"bench\": {\n    \"version\": ")));
	CHECK(strstr(text, "\n  \"complete\": true,\n"));
	CHECK(strstr(text, "\"failed\": 10,"));
	CHECK(strstr(text, "\"seed\": \"18446744073709551615\""));
	CHECK(strstr(text, "\"duration_s\": null"));
	CHECK(strstr(text, "\"server_cpu_s\": null"));
	CHECK(strstr(text, "\"rate\": 0.0"));
	CHECK(strlen(text) > 2 && !strcmp(text + strlen(text) - 2, "}\n"));
	/* No secret anywhere, keys included; the redacted forms are there. */
	CHECK(!strstr(text, "s3cr3t"));
	CHECK(strstr(text, "\"uri\": \"redis://:***@127.0.0.1:6379\""));
	CHECK(strstr(text, "\"pass-***\": \"1\""));
	/* Not UTF-8: U+FFFD, in a key and in a value. */
	CHECK(strstr(text, "\"bad\xef\xbf\xbd\": \"x\xef\xbf\xbd\""));

	CHECK_INT(report_json_parse(text, strlen(text), &run, &err), 0);
	CHECK(json_is_true(json_object_get(run, "complete")));
	CHECK_STR(report_json_str(path(run, "workload", NULL, NULL), "seed"), "18446744073709551615");
	CHECK_STR(report_json_str(path(run, "workload", NULL, NULL), "description"), "quotes \" and a tab\t");
	CHECK(json_is_null(json_object_get(run, "shard")));
	v = json_array_get(json_object_get(run, "targets"), 0);
	CHECK_STR(report_json_str(v, "name"), "n1");
	CHECK_STR(report_json_str(json_object_get(v, "server"), "product"), "Redis");
	CHECK_STR(report_json_str(path(v, "server", "config", NULL), "save"), "3600 1");
	v = json_array_get(json_object_get(v, "runs"), 0);
	CHECK_STR(report_json_str(v, "error"), "ERR auth *** \"quoted\"\n");
	CHECK_INT(json_integer_value(json_object_get(v, "requests")), 100);
	CHECK(fabs(json_real_value(json_object_get(v, "error_rate")) - 0.1) < 1e-12);
	CHECK(json_is_null(json_object_get(v, "duration_s")));
	v = json_array_get(path(run, "workload", "phases", NULL), 1);
	CHECK(json_real_value(path(v, "mix", "get", NULL)) == 0.8);
	CHECK_STR(json_string_value(json_array_get(json_object_get(run, "warnings"), 0)), "client-bound <b>");
	/* Members in the order written. */
	{
		static const char *const order[] = {"bench", "command", "complete", "max_error_rate",
						    "runs_over_error_limit", "started_utc", "finished_utc",
						    "servers", "shard", "host", "workload", "targets", "warnings"};
		void *it = json_object_iter(run);

		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++, it = json_object_iter_next(run, it))
			CHECK_STR(it ? json_object_iter_key(it) : NULL, order[i]);
		CHECK(it == NULL);
	}
	/* What was read, written again (bench merge does), is the same text. */
	{
		char *again = text_of(put_tree, run);

		CHECK_STR(again, text);
		free(again);
	}
	test_prefixes(text, run);
	json_decref(run);
	free(text);
	results_free(&r);
	workload_free(w);
	secret_clear();
}

/* A tree read from elsewhere (a shard's run.json) is scrubbed when written. */
static void test_dump_scrubs(void)
{
	json_t *v = json_loads("{\"a tok3n key\": [\"x tok3n\", 1.5, true, null, {\"tok3n\": \"\"}]}", 0, NULL);
	char *text;

	secret_add("tok3n");
	text = text_of(put_tree, v);
	CHECK_STR(text, "{\n  \"a *** key\": [\n    \"x ***\",\n    1.5,\n    true,\n    null,\n    {\n"
			"      \"***\": \"\"\n    }\n  ]\n}\n");
	/* The tree given is not changed. */
	CHECK_STR(json_string_value(json_array_get(json_object_get(v, "a tok3n key"), 0)), "x tok3n");
	free(text);
	json_decref(v);
	secret_clear();
}

static void test_values(void)
{
	json_t *v;
	char *s;

	v = jsonw_u64(UINT64_C(9223372036854775807));
	CHECK(json_is_integer(v) && json_integer_value(v) == INT64_MAX);
	json_decref(v);
	v = jsonw_u64(UINT64_C(9223372036854775808));
	CHECK_STR(json_string_value(v), "9223372036854775808");
	json_decref(v);
	v = jsonw_num(INFINITY);
	CHECK(json_is_null(v));
	v = jsonw_str(NULL);
	CHECK(json_is_null(v));
	/* Well-formed UTF-8 kept; overlong forms, surrogates, stray and cut
	 * sequences each become U+FFFD. */
	v = jsonw_str("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80|\xc0\xaf|\xed\xa0\x80|\x80|\xf4\x90\x80\x80|\xe2\x82");
	s = xstrdup(json_string_value(v));
	CHECK_STR(s, "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80|\xef\xbf\xbd\xef\xbf\xbd|"
		     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd|"
		     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	json_decref(v);
}

/* Damaged text: what precedes the damage is shown, nothing crashes. */
static void test_damaged(void)
{
	static const struct {
		const char *text, *want; /* want: the salvaged tree, compact; NULL: none */
	} cases[] = {
		{"{\"a\": 1, \"b\": \"\\ud800\", \"c\": 2}", "{\"a\": 1}"},       /* a lone surrogate */
		{"{\"a\": 1, \"b\": \"x\xff\", \"c\": 2}", "{\"a\": 1}"},          /* not UTF-8 */
		{"{\"a\": {\"b\": [1, 2]}} trailing", "{\"a\": {\"b\": [1, 2]}}"}, /* text after the value */
		{"{\"a\": [1, 2, {\"c\": \"x,]}\"", "{\"a\": [1, 2, {}]}"},         /* brackets inside a cut string */
		{"{\"a\": tru, \"b\": 1}", "{}"},
		{"{\"a\": 99999999999999999999}", "{}"},                             /* past jansson's integers */
		{"{\"k\": \"\\\\\", \"l\": [", "{\"k\": \"\\\\\", \"l\": []}"},      /* an escaped backslash ends a string */
		{"", NULL},
		{"]]]}}}", NULL},
		{"\"just a string\"", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *t = (json_t *)1;
		json_error_t err;
		char *got;

		CHECK_INT(report_json_parse(cases[i].text, strlen(cases[i].text), &t, &err), -1);
		got = t ? json_dumps(t, JSON_COMPACT) : NULL;
		/* JSON_COMPACT writes no spaces: compare without them. */
		if (cases[i].want) {
			char *want = xstrdup(cases[i].want), *d = want;

			for (const char *c = cases[i].want; *c; c++)
				if (*c != ' ')
					*d++ = *c;
			*d = '\0';
			CHECK_STR(got, want);
			if (!got || strcmp(got, want))
				fprintf(stderr, "  case %zu: %s\n", i, cases[i].text);
			free(want);
		} else {
			CHECK(got == NULL);
		}
		free(got);
		json_decref(t);
	}
}

/* Nesting far past jansson's limit: refused, bounded, no crash. */
static void test_deep(void)
{
	size_t n = 200000;
	char *deep = xmalloc(2 * n);
	json_t *t = NULL;
	json_error_t err;

	for (size_t i = 0; i < n; i++) {
		deep[i] = i % 2 ? '[' : '{';
		deep[n + i] = ']';
	}
	deep[n] = '"';
	CHECK_INT(report_json_parse(deep, 2 * n, &t, &err), -1);
	json_decref(t);
	memset(deep, '[', n);
	CHECK_INT(report_json_parse(deep, n, &t, &err), -1);
	CHECK(t == NULL || json_is_array(t));
	json_decref(t);
	free(deep);
}

/* dir/name holds exactly want ("" for a file that is not there). */
static void check_file(const char *dir, const char *name, const char *want)
{
	char *path = xasprintf("%s/%s", dir, name), *text = NULL;

	if (util_read_file(path, 1 << 20, NULL, &text, NULL, NULL, 0) < 0)
		text = xstrdup("");
	CHECK_STR(text, want);
	free(text);
	free(path);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);

	unlink(path);
	CHECK_INT(util_write_file(path, text), 0);
	free(path);
}

/*
 * outdir_publish with retarget (bench claims): what child runs wrote into
 * the temporary directory names it; once moved into place (here under -2,
 * the first name being taken), the logs, JSON and HTML name the final
 * directory instead, and nothing else is touched (a histogram's bytes, a
 * CSV); without retarget nothing is rewritten.
 */
static void test_publish(void)
{
	char out[] = "/tmp/bench-publish-XXXXXX";
	char *tmp, *taken, *final, *text, *want, *runs, err[512];

	CHECK(mkdtemp(out) != NULL);
	tmp = xasprintf("%s/.tmp-20260101T000000Z-claims-XXXXXX", out);
	CHECK(mkdtemp(tmp) != NULL);
	taken = xasprintf("%s/20260101T000000Z-claims", out);
	CHECK_INT(mkdir(taken, 0755), 0);
	text = xasprintf("$ bench run c.yaml --out '%s/runs/c'\nresults: %s/runs/c/r/\n", tmp, tmp);
	runs = xasprintf("%s/runs", tmp);
	CHECK_INT(mkdir(runs, 0755), 0);
	free(runs);
	put(tmp, "runs/c.log", text);
	free(text);
	text = xasprintf("{\"command\": \"bench run --out %s/runs/c\"}\n", tmp);
	put(tmp, "run.json", text);
	put(tmp, "report.html", text);
	put(tmp, "lat.hist", text);
	put(tmp, "summary.csv", text);
	free(text);
	final = outdir_publish(tmp, out, "20260101T000000Z", "claims", true, err, sizeof(err));
	CHECK(final != NULL);
	if (final) {
		CHECK_STR(strrchr(final, '/') + 1, "20260101T000000Z-claims-2");
		want = xasprintf("$ bench run c.yaml --out '%s/runs/c'\nresults: %s/runs/c/r/\n", final, final);
		check_file(final, "runs/c.log", want);
		free(want);
		want = xasprintf("{\"command\": \"bench run --out %s/runs/c\"}\n", final);
		check_file(final, "run.json", want);
		check_file(final, "report.html", want);
		free(want);
		want = xasprintf("{\"command\": \"bench run --out %s/runs/c\"}\n", tmp);
		check_file(final, "lat.hist", want);
		check_file(final, "summary.csv", want);
		free(want);
		check_file(final, "run.json.retarget", ""); /* no file left beside another */
	}
	CHECK(access(tmp, F_OK) != 0);
	/* Without retarget: moved, not rewritten (the next free name, -3). */
	free(tmp);
	tmp = xasprintf("%s/.tmp-20260101T000000Z-claims-XXXXXX", out);
	CHECK(mkdtemp(tmp) != NULL);
	put(tmp, "run.json", "{\"command\": \".tmp-\"}\n");
	free(final);
	final = outdir_publish(tmp, out, "20260101T000000Z", "claims", false, err, sizeof(err));
	CHECK(final != NULL && !strcmp(strrchr(final, '/') + 1, "20260101T000000Z-claims-3"));
	if (final)
		check_file(final, "run.json", "{\"command\": \".tmp-\"}\n");
	util_remove_tree(out);
	free(final);
	free(taken);
	free(tmp);
}

int main(void)
{
	test_write_read();
	test_dump_scrubs();
	test_values();
	test_damaged();
	test_deep();
	test_publish();
	return check_report("runjson");
}
