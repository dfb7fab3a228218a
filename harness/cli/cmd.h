/*
 * cmd.h - the subcommands of `bench`. Each takes the arguments after its
 * name (argv[0] is the subcommand) and returns an exit code (util.h).
 */
#ifndef BENCH_CMD_H
#define BENCH_CMD_H

#include <stdbool.h>
#include <stdio.h>

int cmd_run(int argc, char **argv);
extern const char cmd_run_usage[];

/* cmd_compare.c */
int cmd_compare(int argc, char **argv);
extern const char cmd_compare_usage[];

/* cmd_chart.c: `bench chart DIR` and `bench report DIR` */
int cmd_chart(int argc, char **argv);
extern const char cmd_chart_usage[];
int cmd_report(int argc, char **argv);
extern const char cmd_report_usage[];

/* cmd_claims.c */
int cmd_claims(int argc, char **argv);
extern const char cmd_claims_usage[];
/* cmd_merge.c */
int cmd_merge(int argc, char **argv);
extern const char cmd_merge_usage[];

/* cmd_clean.c */
int cmd_clean(int argc, char **argv);
extern const char cmd_clean_usage[];

/* Shared argument helper: when argv[*i] is `--name VALUE` or `--name=VALUE`,
 * returns VALUE (advancing *i past it) and sets *ok; a missing VALUE prints
 * an error and sets *ok = 0. Returns NULL when argv[*i] is another option. */
const char *cmd_opt_value(int argc, char **argv, int *i, const char *name, int *ok);

/* "bench ARG..." of a subcommand's arguments, for run.json, each argument
 * quoted for a POSIX shell where it needs it. Caller frees. */
char *cmd_join_args(int argc, char **argv);

/* outdir_check on dir, printing "bench CMD: WHAT 'dir': why; give a directory
 * you can write to (nothing was done)" when it fails (WHAT: the option or
 * argument that named it, e.g. "--out"). Returns 0 or BENCH_EXIT_USAGE. */
int cmd_check_outdir(const char *cmd, const char *what, const char *dir, bool create);

/* Prints "bench CMD: message" and a hint to stderr; returns BENCH_EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
