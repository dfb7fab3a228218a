/*
 * test_conformance.c - one suite, every driver, real servers.
 *
 * For each built-in driver this spawns a private server (as `bench run
 * --servers spawn` does) and checks the driver contract of drivers/driver.h:
 * binary-safe set/get round trips (NUL bytes, 0 bytes, 1 MiB), misses,
 * deletes, pipelined batches whose replies land in their own requests, the
 * load hook, the server's identity, the data safety hooks (count, clean and
 * flush under the prefix), and a clean DISCONNECTED (no hang) once the
 * server is gone.
 *
 * A server program that is not installed skips that driver loudly; under
 * CI=true a skip is a failure, so CI cannot pass without every server.
 * Exit: 0 all passed, 1 a check failed, 77 something skipped (CTest SKIP).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "evexec.h"
#include "registry.h"
#include "servers.h"
#include "util.h"

#define MIB (1024 * 1024)
/* Every connection's request timeout, and the wait after which a failing
 * request counts as a hang: 24 timeouts (2 minutes), under CTest's 300 s. */
#define CONF_TIMEOUT_MS 5000
#define CONF_HANG_GUARD_NS (24ull * CONF_TIMEOUT_MS * 1000000ull)

static char *make_key(const char *driver, const char *name)
{
	return xasprintf("conformance:%s:%s", driver, name);
}

static struct bench_request req(enum bench_op op, const char *key, const char *value, size_t len)
{
	struct bench_request r = {.op = op, .key = key, .key_len = strlen(key), .value = value, .value_len = len};

	return r;
}

/* Sets key to value, reads it back, compares every byte. */
static void check_roundtrip(struct bench_conn *c, const char *key, const char *value, size_t len)
{
	char *got = xmalloc(len + 16);
	struct bench_request set = req(BENCH_OP_SET, key, value, len);
	struct bench_request get = req(BENCH_OP_GET, key, NULL, 0);

	get.out = got;
	get.out_cap = len + 16;
	CHECK_INT(c->driver->exec(c, &set, 1), 0);
	CHECK_STR(bench_status_name(set.status), "ok");
	CHECK_INT(c->driver->exec(c, &get, 1), 0);
	CHECK_STR(bench_status_name(get.status), "ok");
	CHECK_INT(get.value_len_out, len);
	CHECK(len == 0 || memcmp(got, value, len) == 0);
	if (set.status != BENCH_OK || get.status != BENCH_OK)
		fprintf(stderr, "  %s: key %s (%zu bytes): %s\n", c->driver->name, key, len, c->errstr);
	free(got);
}

static void check_kv(struct bench_conn *c, const char *name)
{
	char *k1 = make_key(name, "text"), *k2 = make_key(name, "nul"), *k3 = make_key(name, "empty");
	char *k4 = make_key(name, "mib"), *absent = make_key(name, "absent-never-written");
	char nul[256];
	char *big = xmalloc(MIB);
	struct bench_request r;

	for (int i = 0; i < 256; i++)
		nul[i] = (char)i; /* every byte value, NUL first */
	for (size_t i = 0; i < MIB; i++)
		big[i] = (char)(i * 2654435761u >> 13);

	check_roundtrip(c, k1, "hello, conformance", 18);
	check_roundtrip(c, k2, nul, sizeof(nul));
	check_roundtrip(c, k3, "", 0);
	check_roundtrip(c, k4, big, MIB);
	check_roundtrip(c, k1, "overwritten", 11); /* set replaces */

	r = req(BENCH_OP_GET, absent, NULL, 0);
	CHECK_INT(c->driver->exec(c, &r, 1), 0);
	CHECK_STR(bench_status_name(r.status), "miss");

	r = req(BENCH_OP_DELETE, k1, NULL, 0);
	CHECK_INT(c->driver->exec(c, &r, 1), 0);
	CHECK_STR(bench_status_name(r.status), "ok");
	r = req(BENCH_OP_GET, k1, NULL, 0);
	CHECK_INT(c->driver->exec(c, &r, 1), 0);
	CHECK_STR(bench_status_name(r.status), "miss");
	r = req(BENCH_OP_DELETE, absent, NULL, 0);
	CHECK_INT(c->driver->exec(c, &r, 1), 0);
	CHECK_STR(bench_status_name(r.status), "miss");
	CHECK_INT(c->err, 0);

	free(k1);
	free(k2);
	free(k3);
	free(k4);
	free(absent);
	free(big);
}

/* 16 sets of distinct lengths in one batch, then one batch of 16 gets with
 * absent keys between them, then a batch mixing gets and sets: every reply
 * must land in its own request. */
static void check_pipeline(struct bench_conn *c, const char *name)
{
	enum { N = 16 };
	char *keys[N], *absent[N], values[N][64], out[2 * N][64];
	struct bench_request batch[2 * N];

	for (int i = 0; i < N; i++) {
		char tag[32];

		snprintf(tag, sizeof(tag), "pipe-%02d", i);
		keys[i] = make_key(name, tag);
		snprintf(tag, sizeof(tag), "pipe-absent-%02d", i);
		absent[i] = make_key(name, tag);
		memset(values[i], 'a' + i, sizeof(values[i]));
		batch[i] = req(BENCH_OP_SET, keys[i], values[i], (size_t)i + 1); /* lengths 1..16 */
	}
	CHECK_INT(c->driver->exec(c, batch, N), 0);
	for (int i = 0; i < N; i++)
		CHECK_STR(bench_status_name(batch[i].status), "ok");

	for (int i = 0; i < N; i++) {
		batch[2 * i] = req(BENCH_OP_GET, keys[N - 1 - i], NULL, 0);
		batch[2 * i + 1] = req(BENCH_OP_GET, absent[i], NULL, 0);
	}
	for (int i = 0; i < 2 * N; i++) {
		batch[i].out = out[i];
		batch[i].out_cap = sizeof(out[i]);
	}
	CHECK_INT(c->driver->exec(c, batch, 2 * N), 0);
	for (int i = 0; i < N; i++) {
		int k = N - 1 - i;

		CHECK_STR(bench_status_name(batch[2 * i].status), "ok");
		CHECK_INT(batch[2 * i].value_len_out, k + 1);
		CHECK(memcmp(out[2 * i], values[k], (size_t)k + 1) == 0);
		CHECK_STR(bench_status_name(batch[2 * i + 1].status), "miss");
	}

	/* Mixed: get key i while setting absent key i, interleaved. */
	for (int i = 0; i < N; i++) {
		batch[2 * i] = req(BENCH_OP_GET, keys[i], NULL, 0);
		batch[2 * i].out = out[2 * i];
		batch[2 * i].out_cap = sizeof(out[2 * i]);
		batch[2 * i + 1] = req(BENCH_OP_SET, absent[i], values[i], 40);
	}
	CHECK_INT(c->driver->exec(c, batch, 2 * N), 0);
	for (int i = 0; i < N; i++) {
		CHECK_STR(bench_status_name(batch[2 * i].status), "ok");
		CHECK_INT(batch[2 * i].value_len_out, i + 1);
		CHECK(memcmp(out[2 * i], values[i], (size_t)i + 1) == 0);
		CHECK_STR(bench_status_name(batch[2 * i + 1].status), "ok");
	}
	/* The sets of the mixed batch are readable. */
	for (int i = 0; i < N; i++) {
		batch[i] = req(BENCH_OP_GET, absent[i], NULL, 0);
		batch[i].out = out[i];
		batch[i].out_cap = sizeof(out[i]);
	}
	CHECK_INT(c->driver->exec(c, batch, N), 0);
	for (int i = 0; i < N; i++) {
		CHECK_STR(bench_status_name(batch[i].status), "ok");
		CHECK_INT(batch[i].value_len_out, 40);
		CHECK(memcmp(out[i], values[i], 40) == 0);
	}
	for (int i = 0; i < N; i++) {
		free(keys[i]);
		free(absent[i]);
	}
}

/*
 * A load, then a second load over it (as every repeat of a run does): the
 * even keys are loaded first, then all of them with a longer value, so the
 * second load both inserts new keys and overwrites loaded ones (FerretDB's
 * load path deletes and re-inserts those, mongodb.c).
 */
static void check_load(struct bench_conn *c, const char *name)
{
	enum { N = 100 };
	char *keys[N];
	struct bench_request batch[N];
	const char *value = "loaded-value-0123456789", *again = "loaded-again-0123456789-abcdefg";
	size_t n = 0;

	for (int i = 0; i < N; i++) {
		char tag[32];

		snprintf(tag, sizeof(tag), "load-%03d", i);
		keys[i] = make_key(name, tag);
	}
	for (int i = 0; i < N; i += 2)
		batch[n++] = req(BENCH_OP_SET, keys[i], value, strlen(value));
	if (c->driver->prepare)
		CHECK_INT(c->driver->prepare(c), 0);
	CHECK_INT((c->driver->load ? c->driver->load : c->driver->exec)(c, batch, n), 0);
	for (size_t i = 0; i < n; i++)
		CHECK_STR(bench_status_name(batch[i].status), "ok");
	for (int i = 0; i < N; i++)
		batch[i] = req(BENCH_OP_SET, keys[i], again, strlen(again));
	CHECK_INT((c->driver->load ? c->driver->load : c->driver->exec)(c, batch, N), 0);
	for (int i = 0; i < N; i++)
		CHECK_STR(bench_status_name(batch[i].status), "ok");
	for (int i = 0; i < N; i++)
		batch[i] = req(BENCH_OP_GET, keys[i], NULL, 0);
	CHECK_INT(c->driver->exec(c, batch, N), 0);
	for (int i = 0; i < N; i++) {
		CHECK_STR(bench_status_name(batch[i].status), "ok");
		CHECK_INT(batch[i].value_len_out, (long)strlen(again));
		free(keys[i]);
	}
}

/* Once the server is gone, exec fails fast and says so. */
static void check_disconnect(struct bench_conn *c, struct server *srv, const char *name)
{
	char *key = make_key(name, "after-stop");
	struct bench_request r[2] = {req(BENCH_OP_GET, key, NULL, 0), req(BENCH_OP_SET, key, "x", 1)};
	uint64_t t0;

	servers_stop(srv);
	t0 = util_now_ns();
	CHECK_INT(c->driver->exec(c, r, 2), -1);
	CHECK(c->err != 0);
	CHECK(r[0].status == BENCH_DISCONNECTED || r[0].status == BENCH_TIMEOUT);
	CHECK(c->errstr[0] != '\0');
	/* Sticky: the next call fails at once without touching the network. */
	CHECK_INT(c->driver->exec(c, r, 1), -1);
	CHECK_STR(bench_status_name(r[0].status), "disconnected");
	/* No hang: a request waits at most its timeout, but a driver may try
	 * a few steps (server selection, connect, the request) of one timeout
	 * each, each slower on a loaded host; so only a wait far past all of
	 * them is a failure. */
	CHECK(util_now_ns() - t0 < CONF_HANG_GUARD_NS);
	free(key);
}

/*
 * The data safety hooks (ABI 4): count and remove exactly the keys under
 * the prefix, never one outside it; flush empties the namespace. Runs on a
 * server the earlier checks left keys on.
 */
static void check_ns(struct bench_conn *c, const char *name)
{
	const struct bench_driver *d = c->driver;
	struct bench_driver half = *d;
	struct bench_ns_state st;
	struct bench_request w[4], get;
	char err[256], *keys[3], what[256] = "";
	uint64_t removed = 0;

	CHECK(d->ns_count && d->ns_clean && d->ns_flush);
	if (!d->ns_count || !d->ns_clean || !d->ns_flush)
		return;
	half.ns_clean = NULL;
	CHECK_INT(bench_driver_check(&half, err, sizeof(err)), -1);
	CHECK(strstr(err, "ns_count/ns_clean") != NULL);
	CHECK_INT(d->ns_clean(c, &(struct bench_ns_state){0}, &removed), 0);
	CHECK(removed > 0); /* what check_kv ... check_load wrote */
	CHECK_INT(d->ns_count(c, 0, &st), 0);
	CHECK_INT(st.keys, 0);
	CHECK(st.noun[0] != '\0');
	for (int i = 0; i < 3; i++) {
		keys[i] = make_key(name, i == 0 ? "ns0" : i == 1 ? "ns1" : "ns2");
		w[i] = req(BENCH_OP_SET, keys[i], "v", 1);
	}
	w[3] = req(BENCH_OP_SET, "outside:ns", "mine", 4);
	CHECK_INT(d->exec(c, w, 4), 0);
	CHECK_INT(d->ns_count(c, 0, &st), 0);
	CHECK_INT(st.keys, 3);
	CHECK_INT(d->ns_count(c, 2, &st), 0);
	CHECK_INT(st.keys, 2);
	CHECK_INT(d->ns_clean(c, &st, &removed), 0);
	CHECK_INT(removed, 3);
	CHECK_INT(d->ns_count(c, 0, &st), 0);
	CHECK_INT(st.keys, 0);
	get = req(BENCH_OP_GET, "outside:ns", NULL, 0);
	CHECK_INT(d->exec(c, &get, 1), 0);
	CHECK_STR(bench_status_name(get.status), "ok"); /* outside the prefix: kept */
	CHECK_INT(d->ns_flush(c, what, sizeof(what)), 0);
	CHECK(what[0] != '\0');
	CHECK_INT(d->exec(c, &get, 1), 0);
	CHECK_STR(bench_status_name(get.status), "miss"); /* flushed */
	if (removed != 3 || get.status != BENCH_MISS)
		fprintf(stderr, "  %s: ns hooks: %s\n", name, c->errstr);
	for (int i = 0; i < 3; i++)
		free(keys[i]);
}

static void check_null(const struct bench_driver *d)
{
	struct bench_target t = {.name = "null", .prefix = "conformance:"};
	struct bench_conn c = {.driver = d, .target = &t};
	struct bench_request r[3] = {req(BENCH_OP_SET, "k", "v", 1), req(BENCH_OP_GET, "k", NULL, 0),
				     req(BENCH_OP_DELETE, "k", NULL, 0)};

	CHECK_INT(d->open(&c), 0);
	CHECK_INT(d->exec(&c, r, 3), 0);
	for (int i = 0; i < 3; i++)
		CHECK_STR(bench_status_name(r[i].status), "ok");
	d->close(&c);
}

/* The driver's counter names (bench_conn.counters) go into run.json as
 * they are: at most BENCH_CONN_COUNTERS plain words, checked at load. */
static void check_counters(const struct bench_driver *d)
{
	static const char *const upper[] = {"Redirects", NULL};
	static const char *const empty[] = {"", NULL};
	static const char *const nine[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", NULL};
	static const char *const quote[] = {"a\"b", NULL};
	const char *const *bad[] = {upper, empty, nine, quote};
	struct bench_driver copy = *d;
	char err[256];

	for (size_t i = 0; d->counters && d->counters[i]; i++)
		CHECK(i < BENCH_CONN_COUNTERS);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		copy.counters = bad[i];
		CHECK_INT(bench_driver_check(&copy, err, sizeof(err)), -1);
		CHECK(strstr(err, "bad counters table") != NULL);
	}
	copy.counters = nine + 1; /* eight: as many as a connection keeps */
	CHECK_INT(bench_driver_check(&copy, err, sizeof(err)), 0);
}

int main(void)
{
	size_t n;
	const struct bench_driver *const *drivers = bench_drivers_builtin(&n);
	int skipped = 0, rc;
	const char *ci = getenv("CI");

	for (size_t i = 0; i < n; i++) {
		const struct bench_driver *d = drivers[i];
		struct server_set *set = NULL;
		struct server *srv = NULL;
		struct bench_target t = {.name = d->name, .prefix = "conformance:", .timeout_ms = CONF_TIMEOUT_MS};
		struct bench_conn c = {.driver = d, .target = &t};
		struct bench_server_info info = {0};
		char err[1024];

		printf("== %s\n", d->name);
		CHECK_INT(bench_driver_check(d, err, sizeof(err)), 0);
		check_counters(d);
		if (!(d->caps & BENCH_CAP_NETWORK)) {
			check_null(d);
			continue;
		}
		CHECK_INT(servers_init(&set, err, sizeof(err)), 0);
		rc = servers_spawn(set, d, NULL, NULL, &srv, err, sizeof(err));
		if (rc < 0 && errno == ENOENT) {
			fprintf(stderr, "SKIPPED %s: %s\n", d->name, err);
			skipped++;
			servers_free(set);
			continue;
		}
		CHECK_INT(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", d->name, err);
			servers_free(set);
			continue;
		}
		t.uri = srv->uri;
		CHECK_INT(d->open(&c), 0);
		CHECK_INT(d->server_info(&c, &info), 0);
		CHECK(info.product[0] != '\0');
		CHECK(info.version[0] != '\0');
		printf("   server: %s %s (%s)\n", info.product, info.version, info.detail);
		if (strcmp(d->name, "mongodb") == 0 && strcmp(srv->program, "bench-ferretdb") == 0) {
			CHECK_STR(info.product, "FerretDB"); /* never presented as MongoDB */
			CHECK_STR(info.stands_in_for, "MongoDB");
			CHECK_STR(info.variant, "SQLite, indexed _id");
		} else {
			CHECK_STR(info.stands_in_for, ""); /* the real thing */
		}
		check_kv(&c, d->name);
		check_pipeline(&c, d->name);
		check_load(&c, d->name);
		check_ns(&c, d->name);
		if (BENCH_DRIVER_HAS_EVENTS(d)) {
			/* The same checks through the event-driven hooks, on a
			 * connection of their own. */
			struct bench_driver ev;
			struct bench_conn ec = {.driver = &ev, .target = &t};
			char name[64];

			printf("   and through its event-driven hooks\n");
			evexec_driver(d, &ev);
			snprintf(name, sizeof(name), "%s-event", d->name);
			CHECK_INT(d->open(&ec), 0);
			check_kv(&ec, name);
			check_pipeline(&ec, name);
			check_load(&ec, name);
			check_disconnect(&ec, srv, name);
			ev.close(&ec);
		}
		check_disconnect(&c, srv, d->name);
		d->close(&c);
		servers_free(set);
	}
	rc = check_report("conformance");
	if (rc == 0 && skipped) {
		fprintf(stderr, "conformance: %d driver(s) skipped: their server is not installed (scripts/install-deps)\n", skipped);
		return ci && strcmp(ci, "true") == 0 ? 1 : 77;
	}
	return rc;
}
