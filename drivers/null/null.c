/*
 * null.c - a driver with no server: every request of every op succeeds at
 * once, a read with nothing in it. It measures the harness alone and lets tests exercise
 * the runner without a network.
 */
#include "driver.h"

static int null_open(struct bench_conn *conn)
{
	(void)conn;
	return 0;
}

static void null_close(struct bench_conn *conn)
{
	(void)conn;
}

static int null_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	(void)conn;
	for (size_t i = 0; i < n; i++) {
		reqs[i].status = (unsigned)reqs[i].op < BENCH_OP__WIRE_COUNT ? BENCH_OK : BENCH_UNSUPPORTED;
		reqs[i].value_len_out = 0;
		reqs[i].items_out = 0;
	}
	return 0;
}

/* describe (driver.h): there is no server, so nothing is sent. */
static int null_describe(const struct bench_target *t, const struct bench_request *sample, char *buf, size_t len)
{
	(void)t;
	(void)sample;
	if (len)
		buf[0] = '\0';
	return 0;
}

const struct bench_driver bench_driver_null = {
	.name = "null",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_KV | BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY | BENCH_CAP_STRUCTURES |
		BENCH_CAP_INCR,
	.description = "no server: answers every request at once (harness overhead, tests)",
	.options = NULL,
	.open = null_open,
	.close = null_close,
	.exec = null_exec,
	.describe = null_describe,
};
