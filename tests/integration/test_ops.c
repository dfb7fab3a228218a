/*
 * test_ops.c - range, query, fuzzy, structure ops and multi-field records:
 * the same checks against every driver, on real private servers.
 *
 * What each op must return is the contract of drivers/driver.h and
 * docs/drivers.md: a driver that has the op's capability must give these
 * exact answers; one that lacks it must answer BENCH_UNSUPPORTED (the
 * harness never sends it such ops, but a driver must not pretend). Every
 * driver's expected capabilities are listed below, so losing one fails.
 *
 * Beyond counts, every answer of range, query, fuzzy, lrange, smembers,
 * zrangebyscore and hget is read through the test-only `out` copy (the
 * keys or elements returned, one a line) and checked twice: against the
 * known truth, and against the other drivers. The first driver to give an
 * answer records it under a name ("range 10 5"); every later driver must
 * give the same (range, lrange, zrangebyscore in the same order; query,
 * fuzzy, smembers as sets). Redis and MongoDB run the same sequence, so
 * they must agree on every named answer.
 *
 * Exit: 0 all passed, 1 a check failed, 77 a server is not installed (a
 * failure under CI=true).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "evexec.h"
#include "keygen.h"
#include "registry.h"
#include "servers.h"
#include "util.h"

#define RECORDS 100
#define CATEGORIES 10

static const struct {
	const char *driver;
	unsigned caps;
} expected_caps[] = {
	{"redis", BENCH_CAP_KV | BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY | BENCH_CAP_STRUCTURES | BENCH_CAP_INCR},
	{"mongodb", BENCH_CAP_KV | BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY | BENCH_CAP_STRUCTURES | BENCH_CAP_INCR},
	{"memcached", BENCH_CAP_KV | BENCH_CAP_INCR},
};

/* ---- answers shared across drivers ---- */

#define MAX_ANSWERS 64
#define TEXT_CAP 1024

static struct answer {
	char name[48];
	char text[TEXT_CAP];
	char driver[16];        /* who gave it first */
	int givers;             /* drivers that gave this answer (or another) */
} answers[MAX_ANSWERS];
static size_t n_answers;

/* Checks that `text` is what the first driver answered to `name`, or
 * records it when this driver is the first. */
static void agree(const char *driver, const char *name, const char *text)
{
	struct answer *a;

	for (size_t i = 0; i < n_answers; i++) {
		a = &answers[i];
		if (strcmp(a->name, name) != 0)
			continue;
		a->givers++;
		if (strcmp(a->text, text) != 0)
			fprintf(stderr, "  %s: %s answered \"%s\", %s \"%s\"\n", name, driver, text, a->driver, a->text);
		CHECK_STR(text, a->text);
		return;
	}
	CHECK(n_answers < MAX_ANSWERS);
	if (n_answers == MAX_ANSWERS)
		return;
	a = &answers[n_answers++];
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->text, sizeof(a->text), "%s", text);
	snprintf(a->driver, sizeof(a->driver), "%s", driver);
	a->givers = 1;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Numbers by value, then anything else bytewise. */
static int item_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t xl = strlen(x), yl = strlen(y);

	if (all_digits(x) && all_digits(y) && xl != yl)
		return xl < yl ? -1 : 1;
	return strcmp(x, y);
}

/*
 * The `out` copy of a list answer (items each followed by '\n') as one line:
 * a record key becomes its record number (prefix and leading zeros
 * dropped, so drivers with other prefixes compare), items are joined by
 * spaces, sorted when `sorted`. Returns the number of items.
 */
static size_t listing(const char *prefix, char *out, size_t len, int sorted, char *text, size_t cap)
{
	char *items[256];
	size_t n = 0, pl = strlen(prefix), w = 0;

	text[0] = '\0';
	for (size_t at = 0; at < len && n < sizeof(items) / sizeof(items[0]);) {
		char *nl = memchr(out + at, '\n', len - at);

		if (!nl)
			break; /* cut at out_cap: not counted */
		*nl = '\0';
		items[n] = out + at;
		if (!strncmp(items[n], prefix, pl) && all_digits(items[n] + pl)) {
			items[n] += pl;
			while (items[n][0] == '0' && items[n][1])
				items[n]++;
		}
		n++;
		at = (size_t)(nl - out) + 1;
	}
	if (sorted)
		qsort(items, n, sizeof(items[0]), item_cmp);
	for (size_t i = 0; i < n && w < cap; i++) {
		int k = snprintf(text + w, cap - w, "%s%s", i ? " " : "", items[i]);

		w += k > 0 ? (size_t)k : 0;
	}
	return n;
}

/* A connection with its target and a key buffer per record number. */
struct fixture {
	struct bench_target t;
	struct bench_conn c;
	char keys[4][64];       /* up to 4 keys in use at once */
};

static const char *key_of(struct fixture *f, int slot, uint64_t id)
{
	f->keys[slot][keygen_format(f->keys[slot], f->t.prefix, id)] = '\0';
	return f->keys[slot];
}

static struct bench_request op_req(enum bench_op op, const char *key)
{
	struct bench_request r = {.op = op, .key = key, .key_len = strlen(key)};

	return r;
}

/* Runs one request; returns its status name (for CHECK_STR). */
static const char *run1(struct fixture *f, struct bench_request *r)
{
	CHECK_INT(f->c.driver->exec(&f->c, r, 1), 0);
	if (r->status != BENCH_OK && r->status != BENCH_MISS)
		fprintf(stderr, "  %s %s %.*s: %s: %s\n", f->t.name, bench_op_name(r->op), (int)r->key_len, r->key,
			bench_status_name(r->status), f->c.errstr);
	return bench_status_name(r->status);
}

/*
 * Runs r with the test-only copy of its keys/elements and returns their
 * listing (in text, TEXT_CAP). The listing must hold items_out items; it
 * must equal truth when truth is set; and every driver must give the same
 * under `name` when name is set.
 */
static const char *ask(struct fixture *f, struct bench_request *r, int sorted, const char *name, const char *truth,
		       char *text)
{
	char out[4096];
	size_t n;

	r->out = out;
	r->out_cap = sizeof(out);
	run1(f, r);
	r->out = NULL;
	r->out_cap = 0;
	CHECK(r->value_len_out <= sizeof(out));
	n = listing(f->t.prefix, out, r->value_len_out < sizeof(out) ? r->value_len_out : sizeof(out), sorted, text,
		    TEXT_CAP);
	CHECK_INT(n, r->items_out);
	if (truth) {
		if (strcmp(text, truth) != 0)
			fprintf(stderr, "  %s %s: \"%s\", want \"%s\"\n", f->t.name, name ? name : "", text, truth);
		CHECK_STR(text, truth);
	}
	if (name)
		agree(f->t.name, name, text);
	return text;
}

/* The request timeout of the fixtures opened next (check_timeouts'
 * shorter one is in force from open on: hiredis's socket timeout). */
static unsigned fixture_timeout_ms = 10000;

static int fixture_open(struct fixture *f, const struct bench_driver *d, const char *uri, const char *prefix,
			unsigned fields, const char *who)
{
	memset(f, 0, sizeof(*f));
	f->t.name = who;
	f->t.uri = uri;
	f->t.prefix = prefix;
	f->t.timeout_ms = fixture_timeout_ms;
	f->t.fields = fields;
	f->t.categories = CATEGORIES;
	f->t.index_range = 1;
	f->t.index_query = 1;
	f->c.driver = d;
	f->c.target = &f->t;
	if (d->open(&f->c) < 0) {
		fprintf(stderr, "%s: open: %s\n", d->name, f->c.errstr);
		return -1;
	}
	if (d->prepare && d->prepare(&f->c) < 0) {
		fprintf(stderr, "%s: prepare: %s\n", d->name, f->c.errstr);
		return -1;
	}
	return 0;
}

/* Loads records 0..RECORDS-1 (value "v<id>", category c<id % 10>) through
 * the load hook, as a load phase does. */
static void load_records(struct fixture *f)
{
	static char keys[RECORDS][64], vals[RECORDS][16], cats[RECORDS][16];
	struct bench_request r[RECORDS];
	int (*load)(struct bench_conn *, struct bench_request *, size_t) =
		f->c.driver->load ? f->c.driver->load : f->c.driver->exec;

	for (uint64_t i = 0; i < RECORDS; i++) {
		keys[i][keygen_format(keys[i], f->t.prefix, i)] = '\0';
		snprintf(vals[i], sizeof(vals[i]), "v%llu", (unsigned long long)i);
		snprintf(cats[i], sizeof(cats[i]), "c%llu", (unsigned long long)(i % CATEGORIES));
		r[i] = op_req(BENCH_OP_SET, keys[i]);
		r[i].value = vals[i];
		r[i].value_len = strlen(vals[i]);
		r[i].arg = cats[i];
		r[i].arg_len = strlen(cats[i]);
	}
	CHECK_INT(load(&f->c, r, RECORDS), 0);
	for (int i = 0; i < RECORDS; i++)
		CHECK_STR(bench_status_name(r[i].status), "ok");
}

/* Range of count records from record `from`: the record numbers in key
 * order must be `truth`, and the same on every driver. */
static uint64_t range_items(struct fixture *f, uint64_t from, uint64_t count, const char **status, const char *truth,
			    int deleted)
{
	struct bench_request r = op_req(BENCH_OP_RANGE, key_of(f, 0, from));
	char name[48], text[TEXT_CAP];

	r.count = count;
	snprintf(name, sizeof(name), "range %llu %llu%s", (unsigned long long)from, (unsigned long long)count,
		 deleted ? " after delete" : "");
	ask(f, &r, 0, name, truth, text);
	*status = bench_status_name(r.status);
	return r.items_out;
}

/* Query of a category: without a limit the set of records must be `truth`
 * (sorted record numbers) on every driver; with one, which records is not
 * defined: only that they belong to the category (and their count, agreed
 * under `name`). */
static uint64_t query_items(struct fixture *f, const char *category, uint64_t limit, const char *name,
			   const char *truth)
{
	struct bench_request r = op_req(BENCH_OP_QUERY, key_of(f, 0, 0));
	char text[TEXT_CAP], count[24], *end;
	const char *p;

	r.arg = category;
	r.arg_len = strlen(category);
	r.count = limit;
	ask(f, &r, 1, limit ? NULL : name, limit ? NULL : truth, text);
	if (!limit)
		return r.items_out;
	for (p = text; *p; p = *end ? end + 1 : end) {
		unsigned long long id = strtoull(p, &end, 10);

		CHECK(end != p);
		if (end == p)
			break;
		CHECK_INT(id % CATEGORIES, strtoull(category + 1, NULL, 10));
	}
	snprintf(count, sizeof(count), "%llu", (unsigned long long)r.items_out);
	agree(f->t.name, name, count);
	return r.items_out;
}

/* Fuzzy: the set of records matching must be `truth` (sorted record
 * numbers), the same on every driver. */
static uint64_t fuzzy_items(struct fixture *f, const char *pattern, int substring, uint64_t *calls, const char *name,
			    const char *truth)
{
	struct bench_request r = op_req(BENCH_OP_FUZZY, key_of(f, 0, 0));
	char text[TEXT_CAP];

	r.arg = pattern;
	r.arg_len = strlen(pattern);
	r.fuzzy_substring = substring;
	ask(f, &r, 1, name, truth, text);
	if (calls)
		*calls = r.calls_out;
	return r.items_out;
}

/* The copy is cut at out_cap, never past it, and says how much it wrote. */
static void check_out_cut(struct fixture *f)
{
	struct bench_request r = op_req(BENCH_OP_RANGE, key_of(f, 0, 10));
	char out[64];

	memset(out, '#', sizeof(out));
	r.count = 5;
	r.out = out;
	r.out_cap = strlen(r.key) + 3; /* the first key, its '\n', 2 bytes */
	CHECK_STR(run1(f, &r), "ok");
	CHECK_INT(r.items_out, 5);
	CHECK_INT(r.value_len_out, r.out_cap);
	CHECK(r.out_cap < sizeof(out) && out[r.out_cap] == '#');
	CHECK(memcmp(out, r.key, r.key_len) == 0 && out[r.key_len] == '\n');
}

static void check_range(struct fixture *f)
{
	struct bench_request del = op_req(BENCH_OP_DELETE, key_of(f, 1, 12));
	const char *st;

	CHECK_INT(range_items(f, 10, 5, &st, "10 11 12 13 14", 0), 5);
	CHECK_STR(st, "ok");
	CHECK_INT(range_items(f, 0, 3, &st, "0 1 2", 0), 3);
	/* Runs out at the last record: the prefix bounds it. */
	CHECK_INT(range_items(f, RECORDS - 2, 5, &st, "98 99", 0), 2);
	CHECK_INT(range_items(f, RECORDS + 5, 5, &st, "", 0), 0);
	CHECK_STR(st, "miss");
	/* A deleted record leaves the index too. */
	CHECK_STR(run1(f, &del), "ok");
	CHECK_INT(range_items(f, 10, 5, &st, "10 11 13 14 15", 1), 5);
	CHECK_INT(range_items(f, 11, 2, &st, "11 13", 1), 2);
	CHECK_INT(range_items(f, 12, 1, &st, "13", 1), 1);
	CHECK_INT(range_items(f, 7, 8, &st, "7 8 9 10 11 13 14 15", 1), 8);
	/* count 0: to the end of the prefix. */
	CHECK_INT(range_items(f, 93, 0, &st, "93 94 95 96 97 98 99", 1), 7);
	check_out_cut(f);
}

static void check_query(struct fixture *f)
{
	struct bench_request del = op_req(BENCH_OP_DELETE, key_of(f, 1, 33));
	struct bench_request set = op_req(BENCH_OP_SET, key_of(f, 2, 33));

	CHECK_INT(query_items(f, "c3", 0, "query c3", "3 13 23 33 43 53 63 73 83 93"), RECORDS / CATEGORIES);
	CHECK_INT(query_items(f, "c3", 4, "query c3 limit 4", NULL), 4);
	CHECK_INT(query_items(f, "c7", 0, "query c7", "7 17 27 37 47 57 67 77 87 97"), RECORDS / CATEGORIES);
	CHECK_INT(query_items(f, "c2", 0, "query c2", "2 22 32 42 52 62 72 82 92"), RECORDS / CATEGORIES - 1);
	CHECK_INT(query_items(f, "c99", 0, "query c99", ""), 0);
	CHECK_STR(run1(f, &del), "ok");
	CHECK_INT(query_items(f, "c3", 0, "query c3 after delete", "3 13 23 43 53 63 73 83 93"), RECORDS / CATEGORIES - 1);
	CHECK_INT(query_items(f, "c3", 20, "query c3 limit 20", NULL), RECORDS / CATEGORIES - 1);
	set.value = "back";
	set.value_len = 4;
	set.arg = "c3";
	set.arg_len = 2;
	CHECK_STR(run1(f, &set), "ok");
	CHECK_INT(query_items(f, "c3", 0, "query c3 set again", "3 13 23 33 43 53 63 73 83 93"), RECORDS / CATEGORIES);
}

static void check_fuzzy(struct fixture *f)
{
	char prefix[64];
	uint64_t calls = 0;

	/* The key of record 20 without its last digit: records 20..29. */
	snprintf(prefix, sizeof(prefix), "%s", key_of(f, 0, 20));
	prefix[strlen(prefix) - 1] = '\0';
	CHECK_INT(fuzzy_items(f, prefix, 0, &calls, "fuzzy prefix 2x", "20 21 22 23 24 25 26 27 28 29"), 10);
	/* 10..19 but 12, deleted by check_range. */
	snprintf(prefix, sizeof(prefix), "%s", key_of(f, 0, 10));
	prefix[strlen(prefix) - 1] = '\0';
	CHECK_INT(fuzzy_items(f, prefix, 0, NULL, "fuzzy prefix 1x", "10 11 13 14 15 16 17 18 19"), 9);
	/* Record numbers 0..99 holding a 7 anywhere: 7, 17, ... 97 and 70..79. */
	CHECK_INT(fuzzy_items(f, "7", 1, &calls, "fuzzy substring 7",
			      "7 17 27 37 47 57 67 70 71 72 73 74 75 76 77 78 79 87 97"), 19);
	CHECK_INT(fuzzy_items(f, "99", 1, NULL, "fuzzy substring 99", "99"), 1);
	CHECK_INT(fuzzy_items(f, "5555", 1, NULL, "fuzzy substring 5555", ""), 0);
	if (!strcmp(f->c.driver->name, "redis"))
		CHECK(calls >= 1); /* SCAN calls are counted */
}

/* Records of 3 fields: get returns them concatenated, in order. */
static void check_fields(struct fixture *f)
{
	struct bench_request set = op_req(BENCH_OP_SET, key_of(f, 0, 7));
	struct bench_request get = op_req(BENCH_OP_GET, key_of(f, 0, 7));
	char got[64] = "";

	set.value = "AAAABBBBCCCCC";
	set.value_len = 13;
	set.fields = 3;
	set.arg = "c7";
	set.arg_len = 2;
	get.fields = 3;
	get.out = got;
	get.out_cap = sizeof(got);
	CHECK_STR(run1(f, &set), "ok");
	CHECK_STR(run1(f, &get), "ok");
	CHECK_INT(get.value_len_out, 13);
	CHECK(memcmp(got, "AAAABBBBCCCCC", 13) == 0);
}

static void check_structures(struct fixture *f, unsigned caps)
{
	const char *k = key_of(f, 0, 5);
	const char *d = f->t.name;
	struct bench_request r;
	char got[16] = "", text[TEXT_CAP];

	if (caps & BENCH_CAP_INCR) {
		r = op_req(BENCH_OP_INCR, k);
		CHECK_STR(run1(f, &r), "ok"); /* an absent counter starts at 0 */
		CHECK_STR(run1(f, &r), "ok");
	}
	if (!(caps & BENCH_CAP_STRUCTURES))
		return;
	r = op_req(BENCH_OP_HSET, k);
	r.arg = "f1", r.arg_len = 2, r.value = "abc", r.value_len = 3;
	CHECK_STR(run1(f, &r), "ok");
	r = op_req(BENCH_OP_HGET, k);
	r.arg = "f1", r.arg_len = 2, r.out = got, r.out_cap = sizeof(got);
	CHECK_STR(run1(f, &r), "ok");
	CHECK_INT(r.value_len_out, 3);
	CHECK(memcmp(got, "abc", 3) == 0);
	got[r.value_len_out < sizeof(got) ? r.value_len_out : sizeof(got) - 1] = '\0';
	agree(d, "hget f1", got);
	r = op_req(BENCH_OP_HGET, k);
	r.arg = "f2", r.arg_len = 2;
	CHECK_STR(run1(f, &r), "miss");

	/* Pushed at the head, a, b, c with a cap of 2: c b. */
	for (int i = 0; i < 3; i++) {
		r = op_req(BENCH_OP_LPUSH, k);
		r.value = &"abc"[i], r.value_len = 1, r.count = 2; /* keep 2 */
		CHECK_STR(run1(f, &r), "ok");
	}
	r = op_req(BENCH_OP_LRANGE, k);
	r.count = 10;
	ask(f, &r, 0, "lrange 10", "c b", text);
	CHECK_STR(bench_status_name(r.status), "ok");
	CHECK_INT(r.items_out, 2);
	r.count = 1;
	ask(f, &r, 0, "lrange 1", "c", text);
	/* Without a cap, the list grows: d c b. */
	r = op_req(BENCH_OP_LPUSH, k);
	r.value = "d", r.value_len = 1;
	CHECK_STR(run1(f, &r), "ok");
	r = op_req(BENCH_OP_LRANGE, k);
	r.count = 0;
	ask(f, &r, 0, "lrange 0", "d c b", text);
	r = op_req(BENCH_OP_LRANGE, key_of(f, 1, 6));
	r.count = 10;
	CHECK_STR(run1(f, &r), "miss");

	for (int i = 0; i < 3; i++) {
		r = op_req(BENCH_OP_SADD, k);
		r.arg = i == 1 ? "m2" : "m1", r.arg_len = 2;
		CHECK_STR(run1(f, &r), "ok");
	}
	r = op_req(BENCH_OP_SMEMBERS, k);
	ask(f, &r, 1, "smembers", "m1 m2", text);
	CHECK_STR(bench_status_name(r.status), "ok");
	CHECK_INT(r.items_out, 2);

	/* Added out of score order; m0 ties m2 at 5 (ties go by member). */
	for (int i = 0; i < 4; i++) {
		static const char *const members[] = {"m3", "m2", "m1", "m0"};
		static const double scores[] = {9, 5, 1, 5};

		r = op_req(BENCH_OP_ZADD, k);
		r.arg = members[i], r.arg_len = 2, r.score = scores[i];
		CHECK_STR(run1(f, &r), "ok");
	}
	r = op_req(BENCH_OP_ZRANGEBYSCORE, k);
	r.score = 2, r.score_max = 9, r.count = 10;
	ask(f, &r, 0, "zrangebyscore 2 9 10", "m0 m2 m3", text);
	CHECK_STR(bench_status_name(r.status), "ok");
	CHECK_INT(r.items_out, 3);
	r.count = 1;
	ask(f, &r, 0, "zrangebyscore 2 9 1", "m0", text);
	CHECK_STR(bench_status_name(r.status), "ok");
	CHECK_INT(r.items_out, 1);
	r.score = 0, r.score_max = 100, r.count = 0;
	ask(f, &r, 0, "zrangebyscore 0 100 0", "m1 m0 m2 m3", text);
	r.score = 5, r.score_max = 5, r.count = 10;
	ask(f, &r, 0, "zrangebyscore 5 5 10", "m0 m2", text);
	r.score = 10, r.score_max = 20, r.count = 10;
	ask(f, &r, 0, "zrangebyscore 10 20 10", "", text);
	CHECK_STR(bench_status_name(r.status), "miss");
}

/* An op the driver lacks is answered UNSUPPORTED, never sent. */
static void check_unsupported(struct fixture *f, unsigned caps)
{
	for (int op = 0; op < BENCH_OP__WIRE_COUNT; op++) {
		struct bench_request r = op_req((enum bench_op)op, key_of(f, 0, 1));

		if ((caps & bench_op_caps((enum bench_op)op)) == bench_op_caps((enum bench_op)op))
			continue;
		r.arg = "c1", r.arg_len = 2, r.count = 1;
		CHECK_INT(f->c.driver->exec(&f->c, &r, 1), 0);
		CHECK_STR(bench_status_name(r.status), "unsupported");
	}
}

/*
 * A stopped server: a request of each kind, chains included, times out
 * alike on both engines (run on d and on its event copy): TIMEOUT, never
 * a hang and never another status, and the message names the timeout.
 */
/*
 * Stops the server and returns once every one of its threads has stopped:
 * SIGSTOP takes effect a moment after kill() returns, and a request sent in
 * that moment may be answered (memcached's worker threads answered a get
 * as a miss before they stopped). 0, or -1 when a thread is still running
 * after 10 s (a hang guard).
 */
static int stop_server(pid_t pid)
{
	char path[64];

	kill(pid, SIGSTOP);
	for (int tries = 0; tries < 10000; tries++) {
		DIR *d;
		struct dirent *de;
		int running = 0;

		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		if (!(d = opendir(path)))
			return -1;
		while ((de = readdir(d)) && !running) {
			char stat[64], buf[512], *close_paren;
			FILE *f;

			if (de->d_name[0] == '.')
				continue;
			snprintf(stat, sizeof(stat), "/proc/%d/task/%.16s/stat", (int)pid, de->d_name);
			if (!(f = fopen(stat, "r")))
				continue; /* a thread that ended */
			/* "tid (comm) S ...": the state follows the last ')'. */
			if (fgets(buf, sizeof(buf), f) && (close_paren = strrchr(buf, ')')) && close_paren[1] == ' ' &&
			    close_paren[2] != 'T' && close_paren[2] != 't')
				running = 1;
			fclose(f);
		}
		closedir(d);
		if (!running)
			return 0;
		usleep(1000);
	}
	return -1;
}

static void check_timeouts(const struct bench_driver *d, const char *uri, const char *who, pid_t pid)
{
	static const enum bench_op ops[] = {BENCH_OP_GET,  BENCH_OP_SET,   BENCH_OP_RANGE, BENCH_OP_QUERY,
					    BENCH_OP_FUZZY, BENCH_OP_INCR, BENCH_OP_HSET,  BENCH_OP_LRANGE};
	char pfx[64];

	snprintf(pfx, sizeof(pfx), "opst:%s:", who);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		unsigned need = bench_op_caps(ops[i]);
		struct fixture f;
		struct bench_request r;

		if ((d->caps & need) != need)
			continue;
		fixture_timeout_ms = 300;
		if (fixture_open(&f, d, uri, pfx, 2, who) == 0) {
			r = op_req(ops[i], key_of(&f, 0, 3));
			r.arg = "c3", r.arg_len = 2, r.count = 5, r.value = "vvvv", r.value_len = 4, r.fields = 2;
			if (ops[i] == BENCH_OP_FUZZY)
				r.arg = f.t.prefix, r.arg_len = strlen(f.t.prefix); /* a SCAN, not answered at once */
			CHECK_INT(stop_server(pid), 0);
			f.c.driver->exec(&f.c, &r, 1); /* -1 when it gives the connection up */
			/* libmemcached says "A TIMEOUT OCCURRED". */
			if (r.status != BENCH_TIMEOUT || !strcasestr(f.c.errstr, "timeout"))
				fprintf(stderr, "  %s %s with the server stopped: %s: %s\n", who, bench_op_name(ops[i]),
					bench_status_name(r.status), f.c.errstr);
			CHECK_STR(bench_status_name(r.status), "timeout");
			CHECK(strcasestr(f.c.errstr, "timeout") != NULL);
			kill(pid, SIGCONT);
		}
		fixture_timeout_ms = 10000;
		d->close(&f.c);
	}
}

/* Drivers that ran the whole sequence (range ... structures): each must
 * have given every named answer. */
static int full_drivers;

/*
 * Runs the whole sequence on d under the name `who` (its answers agreed
 * under it, its keys under prefixes of it): d is a built-in driver, or a
 * copy whose exec and load go through its event hooks (evexec.h), so every
 * op is checked on both engines and each engine's answers must equal the
 * other drivers'.
 */
static void run_driver(const struct bench_driver *d, const char *uri, const char *who)
{
	struct fixture f;
	unsigned want = 0;
	char pfx[64];

	for (size_t i = 0; i < sizeof(expected_caps) / sizeof(expected_caps[0]); i++)
		if (!strcmp(expected_caps[i].driver, d->name))
			want = expected_caps[i].caps;
	CHECK_INT(d->caps & ~(unsigned)BENCH_CAP_NETWORK & ~(unsigned)BENCH_CAP_PERSISTENCE & ~(unsigned)BENCH_CAP_TTL &
		  ~(unsigned)BENCH_CAP_CLUSTER & ~(unsigned)BENCH_CAP_SHARD_KEY, want);

	if ((d->caps & (BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY | BENCH_CAP_STRUCTURES)) ==
	    (BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY | BENCH_CAP_STRUCTURES))
		full_drivers++;
	snprintf(pfx, sizeof(pfx), "ops:%s:", who);
	if (fixture_open(&f, d, uri, pfx, 0, who) == 0) {
		load_records(&f);
		if (d->caps & BENCH_CAP_RANGE)
			check_range(&f);
		if (d->caps & BENCH_CAP_FUZZY)
			check_fuzzy(&f);
		if (d->caps & BENCH_CAP_QUERY)
			check_query(&f);
		check_unsupported(&f, d->caps);
	}
	d->close(&f.c);

	snprintf(pfx, sizeof(pfx), "opsf:%s:", who);
	if (fixture_open(&f, d, uri, pfx, 3, who) == 0)
		check_fields(&f);
	d->close(&f.c);

	snprintf(pfx, sizeof(pfx), "opss:%s:", who);
	if (fixture_open(&f, d, uri, pfx, 0, who) == 0)
		check_structures(&f, d->caps);
	d->close(&f.c);
}

int main(void)
{
	size_t n;
	const struct bench_driver *const *drivers = bench_drivers_builtin(&n);
	const char *ci = getenv("CI");
	int skipped = 0, rc;

	for (size_t i = 0; i < n; i++) {
		const struct bench_driver *d = drivers[i];
		struct server_set *set = NULL;
		struct server *srv = NULL;
		char err[1024];

		if (!(d->caps & BENCH_CAP_NETWORK))
			continue;
		printf("== %s\n", d->name);
		CHECK_INT(servers_init(&set, err, sizeof(err)), 0);
		rc = servers_spawn(set, d, NULL, NULL, &srv, err, sizeof(err));
		if (rc < 0 && errno == ENOENT) {
			fprintf(stderr, "SKIPPED %s: %s\n", d->name, err);
			skipped++;
		} else if (rc != 0) {
			CHECK_INT(rc, 0);
			fprintf(stderr, "%s: %s\n", d->name, err);
		} else {
			run_driver(d, srv->uri, d->name);
			if (BENCH_DRIVER_HAS_EVENTS(d)) {
				struct bench_driver ev;
				char who[32];

				printf("   and through its event-driven hooks\n");
				evexec_driver(d, &ev);
				snprintf(who, sizeof(who), "%s-event", d->name);
				run_driver(&ev, srv->uri, who);
				check_timeouts(&ev, srv->uri, who, srv->pid);
				check_timeouts(d, srv->uri, d->name, srv->pid);
			}
		}
		servers_free(set);
	}
	/* Every named answer came from every driver that ran the sequence, so
	 * with two of them each was compared. */
	for (size_t i = 0; i < n_answers; i++) {
		if (answers[i].givers != full_drivers)
			fprintf(stderr, "  answer \"%s\": %d of %d drivers\n", answers[i].name, answers[i].givers,
				full_drivers);
		CHECK_INT(answers[i].givers, full_drivers);
	}
	printf("cross-driver: %zu answers, each given by %d drivers\n", n_answers, full_drivers);
	rc = check_report("ops");
	if (rc == 0 && skipped)
		return ci && strcmp(ci, "true") == 0 ? 1 : 77;
	return rc;
}
