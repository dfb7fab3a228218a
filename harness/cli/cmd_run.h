/*
 * cmd_run.h - what `bench run` (cmd_run.c) and `bench clean` (cmd_clean.c)
 * share: their common options, credentials, sweep points and targets
 * (--target and the workload flags: run_flags.h).
 */
#ifndef BENCH_CMD_RUN_H
#define BENCH_CMD_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "run_phases.h"

/* The options both take at argv[*i]: --servers, --set (into a->ov,
 * sized argc), --quiet. True when argv[*i] was one of them, advanced past
 * its value; *rc is then 0, or BENCH_EXIT_USAGE after saying what is wrong. */
bool run_common_option(const char *cmd, int argc, char **argv, int *i, struct run_args *a, int *rc);
/* Is target `name` selected by --target a,b,c (all when list is NULL)? */
bool run_selected(const char *list, const char *name);
/* Every name of --target list is a target of w; else BENCH_EXIT_USAGE after
 * saying so, as command cmd. */
int run_check_target_list(const char *cmd, const char *list, const struct workload *w);
/* a->creds for every selected target (a->servers, a->targets); 0, or
 * BENCH_EXIT_USAGE after saying why. */
int run_resolve_credentials(struct run_args *a, const struct workload *w);
struct run_flags;
/* The workload of a's file (or the text the flags built, a->workload_text)
 * with a's overrides; with flags, loaded again with the flags' overrides
 * for its run phases before a's (a->ov grows: run_flags.h). Returns 0, or
 * the exit code with the problems in *msgs (which may also hold
 * warnings; caller frees). */
int run_load_workload(struct run_args *a, const struct run_flags *f, struct workload **w, char **msgs);
/* The workload of each sweep point (w itself without a sweep); NULL after
 * printing why. Freed by run_args_free. */
struct workload **run_load_points(const struct run_args *a, struct workload *w, size_t *n_points);
/* Frees what parsing a's arguments, loading w (may be NULL), its points
 * (may be NULL) and run_resolve_credentials made; clears the scrubber. */
void run_args_free(struct run_args *a, struct workload *w, struct workload **points, size_t n_points);
/* bt's fields from the workload w and its target wt of driver d (all but
 * uri). Returns the options array it made for bt (the target's options and
 * the workload's shard_key as the driver's shard_key option), which the
 * caller frees once bt is done with, or NULL when bt uses wt's own. */
struct bench_option *run_fill_target(const struct run_args *a, const struct workload *w, const struct wl_target *wt,
				     const struct bench_driver *d, struct bench_target *bt);

#endif
