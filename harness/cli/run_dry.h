/*
 * run_dry.h - `bench run --dry-run` (run_dry.c): the plan of a run and the
 * commands each op of each target sends, said by the target's driver
 * (driver.h, describe), without contacting, spawning or writing anything.
 */
#ifndef BENCH_RUN_DRY_H
#define BENCH_RUN_DRY_H

#include <stddef.h>
#include <stdio.h>

#include "driver.h"
#include "workload.h"

/*
 * Prints to f the plan of running w's targets over its sweep points
 * (points[0..n_points)): targets x points x repeats x phases, the expected
 * duration (what the timed phases take; load and ops phases said unknown
 * unless a rate fixes them), and per target, phase and op the commands its
 * driver's describe gives for bts[i] (workload target i as cmd_run.c fills
 * it: name NULL when --target leaves it out; uri NULL for a server bench
 * would spawn). Returns 0.
 */
int run_dry_print(const struct workload *w, struct workload *const *points,
		  size_t n_points, const struct bench_target *bts, FILE *f);

#endif
