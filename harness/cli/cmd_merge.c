/* cmd_merge.c - `bench merge DIR... [--out DIR]`: the shards of one run
 * (bench run --shard I/N) into one result directory (merge.h). */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "cmd.h"
#include "merge.h"
#include "outdir.h"
#include "report.h"
#include "util.h"

const char cmd_merge_usage[] =
	"usage: bench merge DIR... [--out DIR] [--quiet] [--no-charts]\n"
	"\n"
	"Merges the result directories of the N shards of one run (bench run --shard I/N\n"
	"on N load machines at the same time) into <out>/<earliest start>-<workload>-merged/:\n"
	"counts added, ops/s added (the shards ran at once), latency percentiles from the\n"
	"shards' histograms added together (latency/*.hist), never averaged. The inputs\n"
	"must be every shard 0..N-1 of the same workload, each once. See docs/scale.md.\n"
	"\n"
	"  --out DIR     where the merged directory goes (default: results)\n"
	"  --quiet       print nothing but errors\n"
	"  --no-charts   do not draw charts (redraw any time: bench chart DIR)\n"
	"\n"
	"Exit status: 0 merged; 1 the merged directory could not be written; 2 usage,\n"
	"--out not a writable directory (checked first), or the inputs are not all the\n"
	"shards of one run (a shard missing or given twice, different workloads,\n"
	"unreadable files).\n";

int cmd_merge(int argc, char **argv)
{
	const char **dirs = xcalloc((size_t)argc, sizeof(*dirs));
	const char *out = "results";
	bool quiet = false, no_charts = false;
	size_t n = 0;
	char *final = NULL, *command = NULL, err[PATH_MAX * 2 + 1024];
	struct merge *m = NULL;
	const char *const *warnings;
	int rc;

	for (int i = 1; i < argc; i++) {
		int ok;
		const char *v = cmd_opt_value(argc, argv, &i, "--out", &ok);

		if (!ok) {
			rc = BENCH_EXIT_USAGE;
			goto out;
		}
		if (v)
			out = v;
		else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
			quiet = true;
		else if (!strcmp(argv[i], "--no-charts"))
			no_charts = true;
		else if (argv[i][0] == '-' && argv[i][1]) {
			rc = cmd_usage_error("merge", "unknown option '%s'", argv[i]);
			goto out;
		} else
			dirs[n++] = argv[i];
	}
	if (n == 0) {
		rc = cmd_usage_error("merge", "which result directories? e.g. bench merge results/*-kv --out merged");
		goto out;
	}
	if ((rc = cmd_check_outdir("merge", "--out", out, true)) != 0)
		goto out;
	command = cmd_join_args(argc, argv);
	m = merge_load(dirs, n, command, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "bench merge: %s\n", err);
		rc = BENCH_EXIT_USAGE;
		goto out;
	}
	final = merge_create(m, out, err, sizeof(err));
	/* Found reading the shards and writing the merge; run.json has them too. */
	for (size_t i = 0; i < merge_warnings(m, &warnings); i++)
		fprintf(stderr, "bench merge: warning: %s\n", warnings[i]);
	if (!final) {
		fprintf(stderr, "bench merge: %s\n", err);
		rc = BENCH_EXIT_ERRORS;
		goto out;
	}
	/* Derived outputs, as after bench run: reported, never fatal. */
	if (!no_charts && chart_draw(final, err, sizeof(err)) != CHART_OK && !quiet)
		fprintf(stderr, "bench merge: charts not drawn: %s\n", err);
	if (report_write(final, err, sizeof(err)) < 0 && !quiet)
		fprintf(stderr, "bench merge: report.html not written: %s\n", err);
	if (!quiet)
		printf("merged %zu shards: %s/\n", n, final);
out:
	merge_free(m);
	free(final);
	free(command);
	free(dirs);
	return rc;
}
