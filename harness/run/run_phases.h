/*
 * run_phases.h - one target of `bench run`: its sweep points, repeats and
 * phases (run_phases.c), and what the command line (cli/cmd_run.c: arguments,
 * targets, servers, the result directory) hands it.
 */
#ifndef BENCH_RUN_PHASES_H
#define BENCH_RUN_PHASES_H

#include <stdbool.h>
#include <stddef.h>

#include "namespace.h"
#include "results.h"
#include "secret.h"
#include "servers.h"
#include "watch.h"
#include "workload.h"

struct run_args {
	const char *workload;
	const char *servers;
	const char *targets;
	const char *out;
	bool quiet;
	bool no_charts;
	struct namespace_opts ns;
	const char *shard;        /* --shard or BENCH_SHARD; NULL: not sharded */
	const char *shard_from;   /* which of the two, for messages */
	struct wl_override *ov;
	size_t n_ov;
	struct secret_cred *creds;      /* per workload target (resolve_credentials) */
};

/* Prints to stderr unless --quiet. */
void run_say(const struct run_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Runs every sweep point, repeat and phase of target t (its server up,
 * described by bt, watched by wt; set holds the servers bench spawned, for
 * the phases that restart or copy them). Returns -1 when the target's
 * clients could not connect (t->skipped says why).
 */
int run_points(const struct run_args *a, struct results *r, struct target_result *t,
	       struct workload *const *points, size_t n_points, const struct bench_target *bt,
	       struct watch *wt, struct server_set *set);

#endif
