/*
 * run_flags.h - a workload from flags, as memtier_benchmark and
 * redis-benchmark users type it (`bench run --target redis://h:6379
 * --clients 50 --ratio 1:10`), for `bench run` and `bench clean`
 * (docs/workload-format.md, "Flags").
 *
 * Every flag is a `--set` shortcut: it stands for one YAML key (a phase
 * key for every run phase of the workload), applied before the --set
 * overrides, so a --set of the same key wins. With a workload file the
 * flags override the file; without one, --target builds the targets (a
 * URI, or a driver name for a server bench spawns) and the rest of the
 * workload is a fixed template (run_flags_template).
 */
#ifndef BENCH_RUN_FLAGS_H
#define BENCH_RUN_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "run_phases.h"

/* One flag as given, checked: the key it sets and the value it sets it to
 * (owned). phase: key is a bare phase key, set in every run phase. */
struct run_flag_set {
	const char *flag;
	const char *key;
	bool phase;
	char *value;
};

struct run_flags {
	const char **targets;        /* every --target value, in order */
	size_t n_targets;
	struct run_flag_set *sets;
	size_t n_sets;
	char *target_list;           /* with a file: the --target names, comma-separated */
	char *text;                  /* without a file: the workload the flags build */
};

/* The help lines of the flags (each flag, its aliases and the key it
 * sets), printed after bench run's and bench clean's own. */
extern const char run_flags_usage[];

/* Whether argv[*i] is a flag of this file or --target (then taken, with its
 * value, into f, and *i advanced past it); *rc is 0, or BENCH_EXIT_USAGE
 * after saying which value is wrong (as command cmd). */
bool run_flags_option(const char *cmd, int argc, char **argv, int *i, struct run_flags *f, int *rc);

/*
 * After the arguments: with a workload file (a->workload), every --target
 * must name targets of it (a->targets gets them); without one, the
 * workload is built from --target and the flags (a->workload_text, and
 * a->workload its label "flags"). Returns 0, or BENCH_EXIT_USAGE after
 * saying why (no workload and no --target included).
 */
int run_flags_finish(const char *cmd, struct run_flags *f, struct run_args *a);

/* Whether any flag but --target was given. */
bool run_flags_any(const struct run_flags *f);

/*
 * a->ov becomes the flags' overrides for the run phases of w (the
 * workload loaded with a's own overrides), then a's own: the flag's key
 * as phases.NAME.KEY for each run phase, or its key path. The values
 * belong to f, which must outlive a.
 */
void run_flags_overrides(const struct run_flags *f, const struct workload *w, struct run_args *a);

/* `--target SPEC` that builds target t again (flags mode), for the bench
 * clean command a run prints. Caller frees. */
char *run_flags_target_spec(const struct wl_target *t);

void run_flags_free(struct run_flags *f);

#endif
