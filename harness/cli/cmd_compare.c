/*
 * cmd_compare.c - `bench compare BASELINE CANDIDATE`: the command line.
 * Reading, joining, judging and writing are in compare.c / compare_out.c;
 * the rules are in docs/compare.md.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "compare.h"
#include "escape.h"
#include "util.h"

const char cmd_compare_usage[] =
	"usage: bench compare BASELINE CANDIDATE [--threshold PCT] [--format table|csv|markdown] [--force]\n"
	"                     [--strict]\n"
	"\n"
	"Compares two runs: BASELINE and CANDIDATE are summary.csv files or result\n"
	"directories (DIR/summary.csv). Rows are joined by workload, phase, target, op\n"
	"and sweep point; repeats of a row are averaged. For ops/s (higher is better),\n"
	"p50 and p99 (lower is better) it prints both values, the absolute and the\n"
	"relative delta and a verdict. With 2+ repeats on both sides a value is shown\n"
	"as mean \u00b1 95% confidence interval, and a change is significant only when\n"
	"the two intervals do not overlap. With a single run on a side there is no\n"
	"interval: a change beyond the threshold is shown as \"worse (untested)\" or\n"
	"\"better (untested)\", untested for significance, and fails nothing unless\n"
	"--strict. A row with a run shorter than 1 s (duration_s) is \"too short\":\n"
	"its change is shown, never judged. Empty and `unsupported` figures are \"not\n"
	"measured\", never a regression. Rows in one run only are listed as such.\n"
	"A server that stood in for another (FerretDB for MongoDB: the run.json beside\n"
	"the summary.csv says so) is said first; a target answered by different\n"
	"servers on the two sides is \"not comparable\": shown, never judged.\n"
	"Details: docs/compare.md.\n"
	"\n"
	"  --threshold PCT   a change smaller than PCT% is \"unchanged\" (default 5; 0 =\n"
	"                    any significant change counts); \"5%\" is accepted too\n"
	"  --format FMT      table (aligned text, the default), csv (one row per row x\n"
	"                    metric with every figure) or markdown (a GitHub table);\n"
	"                    written to stdout (csv: the summary line goes to stderr)\n"
	"  --force           compare runs of differently named workloads, joining rows\n"
	"                    by phase, target, op and sweep point only\n"
	"  --strict          with a single run on a side, let the threshold alone decide:\n"
	"                    a change beyond it is a regression (exit 1) or an\n"
	"                    improvement, marked \"no repeats\" (noise included)\n"
	"\n"
	"Exit status: 0 no regression (changes untested for significance and rows too\n"
	"short to compare included); 1 a significant regression beyond the threshold\n"
	"(in any row and metric), or with --strict one beyond the threshold with a\n"
	"single run on a side; 2 usage, a missing, unreadable, malformed or non-CSV\n"
	"input (the message names file:line), runs of different workloads without\n"
	"--force, or the output could not be written.\n";

struct compare_args {
	const char *paths[2];
	struct compare_opts opts;
	enum compare_format format;
};

static const char *const options[] = {"--threshold", "--format", "--force", "--strict", "--help", NULL};

static int parse_threshold(const char *v, double *out)
{
	size_t len = strlen(v);
	char *num = xstrndup(v, len && v[len - 1] == '%' ? len - 1 : len);
	/* Digits first: strtod alone would take " 5" or "inf". */
	int rc = !(isdigit((unsigned char)num[0]) || num[0] == '.') || util_parse_double(num, out) < 0 ? -1 : 0;

	free(num);
	return rc;
}

static int parse_args(int argc, char **argv, struct compare_args *a)
{
	size_t n = 0;

	a->opts.threshold_pct = 5;
	a->format = COMPARE_TABLE;
	for (int i = 1; i < argc; i++) {
		const char *v;
		int ok;

		if ((v = cmd_opt_value(argc, argv, &i, "--threshold", &ok)) && ok) {
			if (parse_threshold(v, &a->opts.threshold_pct) < 0)
				return cmd_usage_error("compare", "--threshold wants a percentage >= 0, e.g. 5, "
						   "not '%s'", v);
		} else if (ok && (v = cmd_opt_value(argc, argv, &i, "--format", &ok)) && ok) {
			if (compare_parse_format(v, &a->format) < 0)
				return cmd_usage_error("compare", "--format is table, csv or markdown, not '%s'", v);
		} else if (!ok) {
			return BENCH_EXIT_USAGE;
		} else if (strcmp(argv[i], "--force") == 0) {
			a->opts.force = true;
		} else if (strcmp(argv[i], "--strict") == 0) {
			a->opts.strict = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			const char *hint = util_suggest(argv[i], options);

			return cmd_usage_error("compare", "unknown option '%s'%s%s%s", argv[i],
					       hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
		} else if (n == 2) {
			return cmd_usage_error("compare", "two runs only: BASELINE CANDIDATE (a third: '%s')",
					       argv[i]);
		} else {
			a->paths[n++] = argv[i];
		}
	}
	if (n == 0)
		return cmd_usage_error("compare", "which runs? e.g. bench compare results/A results/B");
	if (n == 1)
		return cmd_usage_error("compare", "compare %s with what? give BASELINE and CANDIDATE", a->paths[0]);
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a = {0};
	struct compare_result *r;
	char err[PATH_MAX * 2 + 512];
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc;
	if (compare_runs(a.paths[0], a.paths[1], &a.opts, &r, err, sizeof(err)) < 0) {
		struct sbuf sb = {0};

		escape_terminal(&sb, err); /* it may quote a result file's bytes */
		fprintf(stderr, "bench compare: %s\n", sb.buf ? sb.buf : "");
		free(sb.buf);
		return BENCH_EXIT_USAGE;
	}
	/* csv: only CSV on stdout; the warnings go first on stderr (the
	 * table and markdown start with them). */
	if ((a.format == COMPARE_CSV && compare_write_servers(r, false, stderr) < 0) ||
	    compare_write(r, a.format, stdout) < 0 || fflush(stdout) != 0 ||
	    (a.format == COMPARE_CSV && compare_write_summary(r, stderr) < 0)) {
		perror("bench compare: writing the comparison");
		compare_result_free(r);
		return BENCH_EXIT_USAGE;
	}
	rc = r->regressions ? BENCH_EXIT_ERRORS : BENCH_EXIT_OK;
	compare_result_free(r);
	return rc;
}
