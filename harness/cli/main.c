/* main.c - `bench`: dispatch, help, version, `drivers` and `validate`. */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "claims.h"
#include "cmd.h"
#include "registry.h"
#include "run_flags.h"
#include "util.h"
#include "workload.h"

#ifndef BENCH_VERSION
#define BENCH_VERSION "unknown"
#endif

static int cmd_validate(int argc, char **argv);
static int cmd_drivers(int argc, char **argv);

static const char validate_usage[] =
	"usage: bench validate WORKLOAD.yaml... [--set KEY.PATH=VALUE]...\n"
	"\n"
	"Checks workload files without running anything or touching the network.\n"
	"Every problem is printed as file:line:col: message.\n"
	"\n"
	"  --set K=V   override a key first, as `bench run` would (repeatable)\n"
	"\n"
	"Exit status: 0 all valid, 2 a file is invalid or unreadable.\n";

static const char drivers_usage[] =
	"usage: bench drivers\n"
	"\n"
	"Lists the drivers built into this bench, their capabilities and options.\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *summary;
	const char *usage_more; /* printed after usage; NULL: none */
};

static const struct command commands[] = {
	{"run", cmd_run, cmd_run_usage, "run a workload against its targets and write results", run_flags_usage},
	{"validate", cmd_validate, validate_usage, "check workload files (file:line:col errors)", NULL},
	{"drivers", cmd_drivers, drivers_usage, "list drivers and their capabilities", NULL},
	{"compare", cmd_compare, cmd_compare_usage, "compare two runs: ops/s, p50, p99 deltas, regressions", NULL},
	{"chart", cmd_chart, cmd_chart_usage, "(re)draw a result directory's charts with gnuplot", NULL},
	{"report", cmd_report, cmd_report_usage, "write a result directory's report.html", NULL},
	{"claims", cmd_claims, cmd_claims_usage, "run the claims of workloads/claims/ and give each a verdict", NULL},
	{"merge", cmd_merge, cmd_merge_usage, "merge the shards of a run made on several load machines", NULL},
	{"clean", cmd_clean, cmd_clean_usage, "remove the keys under a workload's prefixes from servers bench did not start",
	 run_flags_usage},
};

static void print_help(FILE *out)
{
	fprintf(out, "bench %s - Redis, Memcached and MongoDB side by side on one workload\n\n", BENCH_VERSION);
	fprintf(out, "usage: bench COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-10s %s\n", "help", "this text; `bench help COMMAND` or `bench COMMAND --help` for one command");
	fprintf(out, "\nbench --version prints the version.\n"
		     "Exit status: 0 ok, 1 finished with errors, 2 usage or invalid input, 3 a target could not be reached.\n"
		     "Quick start: bench run workloads/quick.yaml (see README.md and docs/).\n");
}

static void print_usage(const struct command *c)
{
	fputs(c->usage, stdout);
	if (c->usage_more)
		fputs(c->usage_more, stdout);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[sizeof(commands) / sizeof(commands[0]) + 2];
	const char *hint;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		names[n++] = commands[i].name;
	names[n++] = "help";
	names[n] = NULL;
	hint = util_suggest(name, names);
	fprintf(stderr, "bench: unknown command '%s'%s%s%s; see `bench help`\n", name,
		hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
	return BENCH_EXIT_USAGE;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static int cmd_drivers(int argc, char **argv)
{
	const struct bench_driver *const *d;
	size_t n;

	if (argc > 1)
		return cmd_usage_error("drivers", "takes no arguments (got '%s')", argv[1]);
	d = bench_drivers_builtin(&n);
	printf("%-10s %-44s %s\n", "driver", "capabilities", "description");
	for (size_t i = 0; i < n; i++) {
		char caps[128];

		printf("%-10s %-44s %s\n", d[i]->name, bench_caps_format(d[i]->caps, caps, sizeof(caps)),
		       d[i]->description);
		for (const struct bench_option_spec *o = d[i]->options; o && o->key; o++)
			printf("%-10s   option %-12s %s\n", "", o->key, o->help);
	}
	printf("\nExternal drivers: `driver: external:/path/libx.so` in a target (see docs/drivers.md).\n");
	return BENCH_EXIT_OK;
}

static int cmd_validate(int argc, char **argv)
{
	struct wl_override *ov = xcalloc((size_t)argc, sizeof(*ov));
	const char **files = xcalloc((size_t)argc, sizeof(*files));
	size_t n_ov = 0, n_files = 0;
	int rc = BENCH_EXIT_OK;

	for (int i = 1; i < argc; i++) {
		int ok;
		const char *v = cmd_opt_value(argc, argv, &i, "--set", &ok);

		if (!ok) {
			rc = BENCH_EXIT_USAGE;
			goto done;
		}
		if (v) {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v) {
				rc = cmd_usage_error("validate", "--set wants KEY.PATH=VALUE, got '%s'", v);
				goto done;
			}
			ov[n_ov].path = xstrndup(v, (size_t)(eq - v));
			ov[n_ov++].value = eq + 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = cmd_usage_error("validate", "unknown option '%s'", argv[i]);
			goto done;
		} else {
			files[n_files++] = argv[i];
		}
	}
	if (n_files == 0) {
		rc = cmd_usage_error("validate", "which workload? e.g. bench validate workloads/quick.yaml");
		goto done;
	}
	for (size_t i = 0; i < n_files; i++) {
		struct workload *w = NULL;
		struct claim *cl = NULL;
		char *msgs = NULL;
		int r = workload_load(files[i], ov, n_ov, &w, &msgs);

		if (r == 0)
			r = claim_load(files[i], w, &cl, &msgs); /* a claim file's claim: block */
		fputs(msgs ? msgs : "", stderr);
		if (r == 0) {
			printf("%s: ok (%s: %zu targets, %zu phases%s%s)\n", files[i], w->name, w->n_targets, w->n_phases,
			       cl ? ", claim " : "", cl ? cl->id : "");
			/* Each file's ok line right after its warnings (stderr is
			 * unbuffered, a piped stdout is not). */
			fflush(stdout);
		} else
			rc = BENCH_EXIT_USAGE;
		free(msgs);
		claim_free(cl);
		workload_free(w);
	}
done:
	for (size_t i = 0; i < n_ov; i++)
		free((char *)ov[i].path);
	free(ov);
	free(files);
	return rc;
}

/*
 * libmongoc initializes itself as bench loads (a load-time constructor in
 * Debian's build) and creates /dev/shm/mongoc-<pid> for its counters; only
 * a normal exit removes it. Removing the name at once (the mapping stays)
 * means a killed bench leaves no file behind for a later process with the
 * same pid to trip over: that one would print "Falling back to malloc for
 * counters" before main could silence libmongoc. No-op without the file.
 */
static void drop_mongoc_counters_name(void)
{
	char name[64];

	snprintf(name, sizeof(name), "/mongoc-%ld", (long)getpid());
	shm_unlink(name);
}

int main(int argc, char **argv)
{
	const struct command *c;

	drop_mongoc_counters_name();
	/* A server dying mid-write must be a counted error, not the end of bench:
	 * drivers rely on write() failing with EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		print_help(stderr);
		return BENCH_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("bench %s (git %s)\n", BENCH_VERSION, BENCH_GIT_REV);
		return BENCH_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc > 2) {
			c = find_command(argv[2]);
			if (!c)
				return unknown_command(argv[2]);
			print_usage(c);
			return BENCH_EXIT_OK;
		}
		print_help(stdout);
		return BENCH_EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	if (wants_help(argc - 1, argv + 1)) {
		print_usage(c);
		return BENCH_EXIT_OK;
	}
	return c->fn(argc - 1, argv + 1);
}
