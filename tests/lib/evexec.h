/*
 * evexec.h - a driver's event-driven hooks driven like exec, for the suites
 * that check every op through both engines (test_conformance, test_ops):
 * submit, then flush and on_readable as poll() says, including a chain's
 * follow-up output (on_readable 2, driver.h). Tests only.
 */
#ifndef BENCH_TEST_EVEXEC_H
#define BENCH_TEST_EVEXEC_H

#include <stddef.h>

#include "driver.h"

/* Runs reqs[0..n) through d's event hooks on c: the exec contract (0, or
 * -1 when the connection broke). As in the harness, a batch still
 * unanswered after the target's timeout_ms (10 s when 0) is expired. */
int evexec_run(const struct bench_driver *d, struct bench_conn *c, struct bench_request *reqs, size_t n);

/* *out = d with exec and load going through d's event hooks (evexec_run).
 * One real driver at a time: the last one given here. */
void evexec_driver(const struct bench_driver *d, struct bench_driver *out);

#endif
