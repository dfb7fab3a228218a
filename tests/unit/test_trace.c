/*
 * test_trace.c - `bench run --trace` without a server: bench_trace_word
 * (every driver's rendering of an argument, driver.h) and the trace log
 * (harness/run/run_trace.c): the first N commands of a phase run and only
 * their replies, a reconnect, every line bounded, escaped and scrubbed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "driver.h"
#include "registry.h"
#include "run_trace.h"
#include "secret.h"

static void test_word(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{"GET", 3, "GET"},
		{"bench:000000000042", 18, "bench:000000000042"},
		{"a b", 3, "\"a b\""},
		{"", 0, "\"\""},
		{"\x00\x01\xff", 3, "\"\\x00\\x01\\xff\""},
		{"say \"hi\"\\", 9, "\"say \\\"hi\\\"\\\\\""},
		{"\r\n\t", 3, "\"\\r\\n\\t\""},
		{"\x1b[2J", 4, "\"\\x1b[2J\""},
	};
	char out[256], big[100];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = bench_trace_word(out, sizeof(out), cases[i].in, cases[i].len);

		CHECK_STR(out, cases[i].want);
		CHECK_INT(n, strlen(cases[i].want));
	}
	/* Cut after BENCH_TRACE_WORD_MAX bytes, the length said. */
	memset(big, 'a', sizeof(big));
	bench_trace_word(out, sizeof(out), big, sizeof(big));
	CHECK_INT(strspn(out, "a"), BENCH_TRACE_WORD_MAX);
	CHECK_STR(out + BENCH_TRACE_WORD_MAX, "...(100 bytes)");
	/* A small buffer: cut, still terminated. */
	CHECK_INT(bench_trace_word(out, 5, "abcdefgh", 8), 4);
	CHECK_STR(out, "abcd");
	CHECK_INT(bench_trace_word(out, 1, "abc", 3), 0);
	CHECK_STR(out, "");
}

/* The log's text after the phase runs so far. */
static char *log_text(struct run_trace *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK_INT(run_trace_copy(t, f), 0);
	fclose(f);
	return buf;
}

static size_t count_lines(const char *text, const char *start)
{
	size_t n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += strncmp(p, start, strlen(start)) == 0;
	return n;
}

static void say(struct bench_trace *t, enum bench_trace_kind k, const char *s)
{
	t->line(t, k, s, strlen(s));
}

static void test_log(void)
{
	char err[128], big[RUN_TRACE_LINE_MAX + 100];
	struct run_trace *t = run_trace_new(3, err, sizeof(err));
	struct bench_trace *c0, *c1;
	char *text;

	CHECK(t != NULL);
	if (!t)
		return;
	run_trace_phase(t, "redis", "redis", "run", 1, NULL);
	c0 = run_trace_client(t, 0);
	c1 = run_trace_client(t, 1);
	CHECK(c0->active && c1->active);
	/* Four commands sent, three kept: c0's two, c1's first. */
	say(c0, BENCH_TRACE_SENT, "GET a");
	say(c1, BENCH_TRACE_SENT, "GET b");
	say(c0, BENCH_TRACE_SENT, "GET c");
	say(c1, BENCH_TRACE_SENT, "GET d");
	/* c1's replies: the first is to "GET b", the second to the untraced one. */
	say(c1, BENCH_TRACE_REPLY, "*2");
	say(c1, BENCH_TRACE_MORE, "[0] x");
	say(c1, BENCH_TRACE_REPLY, "(nil)-untraced");
	say(c1, BENCH_TRACE_MORE, "[0] untraced-element");
	CHECK(!c1->active); /* nothing more of c1 can be kept */
	say(c0, BENCH_TRACE_REPLY, "+OK-1");
	say(c0, BENCH_TRACE_REPLY, "+OK-2");
	say(c0, BENCH_TRACE_REPLY, "+OK-3-untraced");
	CHECK(!c0->active);
	text = log_text(t);
	CHECK_INT(count_lines(text, "== redis (driver redis), phase run, repeat 1"), 1);
	CHECK_INT(count_lines(text, "client 0 > "), 2);
	CHECK_INT(count_lines(text, "client 1 > GET b"), 1);
	CHECK_INT(count_lines(text, "client 1 > GET d"), 0);
	CHECK_INT(count_lines(text, "client 1 < *2"), 1);
	CHECK_INT(count_lines(text, "client 1 <   [0] x"), 1);
	CHECK(strstr(text, "untraced") == NULL);
	CHECK_INT(count_lines(text, "client 0 < +OK-"), 2);
	free(text);

	/* The next phase run counts again; a reconnect drops the replies the
	 * old connection owed; what is written is escaped and scrubbed. */
	secret_add("hunter2");
	run_trace_phase(t, "redis", "redis", "load", 1, "8");
	c0 = run_trace_client(t, 0);
	say(c0, BENCH_TRACE_SENT, "AUTH hunter2");
	run_trace_reopened(c0);
	say(c0, BENCH_TRACE_REPLY, "+OK-to-the-old-connection");
	c0->line(c0, BENCH_TRACE_SENT, "SET k \x1b[2J\x00!", 12);
	say(c0, BENCH_TRACE_REPLY, "+OK-new");
	memset(big, 'v', sizeof(big));
	c0->line(c0, BENCH_TRACE_SENT, big, sizeof(big));
	text = log_text(t);
	CHECK_INT(count_lines(text, "== redis (driver redis), phase load, repeat 1, sweep value 8"), 1);
	CHECK(strstr(text, "hunter2") == NULL);
	CHECK(strstr(text, "client 0 > AUTH ***") != NULL);
	CHECK(strstr(text, "old-connection") == NULL);
	CHECK(strstr(text, "client 0 > SET k ?[2J?!\n") != NULL);
	CHECK(strstr(text, "client 0 < +OK-new") != NULL);
	CHECK(strchr(text, '\x1b') == NULL);
	{
		const char *p = strstr(text, "client 0 > vvv");
		const char *nl = p ? strchr(p, '\n') : NULL;

		CHECK(p && nl);
		if (p && nl) /* the line cut at RUN_TRACE_LINE_MAX bytes, then "..." */
			CHECK_INT(nl - p, (long long)strlen("client 0 > ") + RUN_TRACE_LINE_MAX + 3);
	}
	free(text);
	secret_clear();
	run_trace_free(t);
	run_trace_free(NULL);
}

/*
 * Every built-in driver's describe, for every wire op, on a target with
 * indexes, categories and a binary key: an op the driver has a capability
 * for is described (a network driver sends at least one command; the null
 * driver none), one printable line per command, the key's placeholder in
 * the first; an op it lacks is refused with a reason, or sends nothing.
 */
static void test_describe(void)
{
	size_t n;
	const struct bench_driver *const *ds = bench_drivers_builtin(&n);
	const struct bench_target t = {.name = "t", .uri = "x", .prefix = "p:", .categories = 10, .index_range = 1,
				       .index_query = 1};

	for (size_t i = 0; i < n; i++) {
		const struct bench_driver *d = ds[i];

		CHECK(d->describe != NULL);
		for (int op = 0; d->describe && op < BENCH_OP__WIRE_COUNT; op++) {
			struct bench_request q = {.op = (enum bench_op)op, .key = "p:<n>", .key_len = 5, .value = "<v>",
						  .value_len = 3, .arg = "p:<a>", .arg_len = 5, .count = 10};
			char buf[4096];
			int got = d->describe(&t, &q, buf, sizeof(buf));
			int has = (d->caps & bench_op_caps((enum bench_op)op)) == bench_op_caps((enum bench_op)op);

			if (!has) {
				CHECK(got <= 0);
				continue;
			}
			if (!(d->caps & BENCH_CAP_NETWORK)) {
				CHECK_INT(got, 0);
				continue;
			}
			if (got < 1)
				fprintf(stderr, "%s %s: %d: %s\n", d->name, bench_op_name((enum bench_op)op), got, buf);
			CHECK(got >= 1);
			if (!strstr(buf, "p:"))
				fprintf(stderr, "%s %s: %s\n", d->name, bench_op_name((enum bench_op)op), buf);
			CHECK(strstr(buf, "p:") != NULL);
			for (const char *c = buf; *c; c++)
				CHECK(*c == '\n' || (*c >= ' ' && *c < 0x7f));
			CHECK(buf[0] && buf[strlen(buf) - 1] == '\n');
		}
	}
}

int main(void)
{
	test_word();
	test_log();
	test_describe();
	return check_report("trace");
}
