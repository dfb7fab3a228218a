/*
 * namespace.h - data safety on servers bench did not start (`bench run`,
 * docs/architecture.md "Data safety"): before a target's first load, its
 * prefix must hold nothing (else the target is refused, unless --reuse),
 * --flush empties the driver's namespace first, and after the target's
 * run (complete or interrupted) the keys under the prefix are removed
 * again (unless --keep, or --reuse found keys there before). Spawned
 * servers are fresh and die with the run: none of it applies to them.
 */
#ifndef BENCH_NAMESPACE_H
#define BENCH_NAMESPACE_H

#include <stdbool.h>

#include "driver.h"
#include "results.h"

/* Keys counted before the run at most (then "N or more" is reported). */
#define NAMESPACE_COUNT_LIMIT 1000000u

/* The `bench run` flags. */
struct namespace_opts {
	bool reuse;     /* run on keys already under the prefix; they are kept */
	bool keep;      /* leave the run's keys in place */
	bool flush;     /* empty the driver's whole namespace before the run */
	bool quiet;     /* progress lines off (the --flush notice still prints) */
};

/* One target's state between namespace_before and namespace_after. */
struct namespace_guard {
	bool active;    /* the target's server was not spawned by bench */
	bool clean;     /* namespace_after removes the keys under the prefix */
	struct bench_ns_state before;
};

/*
 * Before the target's first load (after its server is up: t->uri set):
 * --flush, then the check. Returns 0 to run the target, or -1 with
 * t->skipped set (refused: the prefix holds keys, or they cannot be
 * counted, or --flush failed). t->cleanup says what namespace_after will
 * do with the run's keys.
 */
int namespace_before(const struct namespace_opts *o, struct results *r, struct target_result *t,
		     const struct bench_target *bt, struct namespace_guard *g);

/* After the target's run, complete or not: removes what it wrote when
 * g says so, and records the outcome in t->cleanup (a warning on failure). */
void namespace_after(const struct namespace_opts *o, struct results *r, struct target_result *t,
		     const struct bench_target *bt, struct namespace_guard *g);

/*
 * Removes every key under c's prefix (c open, on a server bench did not
 * start) through the driver's ns_clean, counts again, and when anything is
 * left cleans and counts once more. `before` is ns_count's state from
 * before the keys were written (ns_clean drops only what it shows did not
 * exist; notes 0: nothing but keys). *removed and *left: the keys removed
 * (also on failure, those removed until then) and still there. Returns 0,
 * or -1 with c->errstr.
 */
int namespace_remove(struct bench_conn *c, const struct bench_ns_state *before, uint64_t *removed, uint64_t *left);

/* "1234 keys", "1 document in bench.kv", "1000000 or more keys" (more:
 * the count stopped at its limit). Caller frees. */
char *namespace_describe(uint64_t n, const char *noun, bool more);

/*
 * What is under bt's prefix on its server now, for a bench that quits
 * at once: "left 5251 keys under prefix 'p' on URI", "nothing left under
 * prefix 'p' on URI" (*any false), or, when the count failed or took
 * longer than timeout_ns, "keys may be left under prefix 'p' on URI (why)". The count runs on a thread of its own, with every
 * signal blocked, on a connection of its own; one still running at the
 * timeout is left to finish (or die with the process) and frees what it
 * holds. bt and d must outlive it: meant for a process about to exit.
 * Caller frees the message.
 */
char *namespace_left(const struct bench_driver *d, const struct bench_target *bt, const char *uri, uint64_t timeout_ns,
		     bool *any);

#endif
