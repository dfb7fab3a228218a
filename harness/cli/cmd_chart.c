/* cmd_chart.c - `bench chart DIR` and `bench report DIR`: thin CLI wrappers
 * around chart_draw() and report_write(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "cmd.h"
#include "outdir.h"
#include "report.h"
#include "util.h"

const char cmd_chart_usage[] =
	"usage: bench chart RESULT_DIR\n"
	"\n"
	"Draws the charts of a result directory that `bench run` wrote, with gnuplot,\n"
	"into RESULT_DIR/charts/: the targets compared, one chart per metric of\n"
	"comparison.csv (when the run has one), throughput per target and op, CPU\n"
	"time per op, sweep curves (when the workload has a sweep), a latency\n"
	"percentile spectrum per phase and op, and requests/s and p99 over time per\n"
	"phase. Repeats are drawn as their mean with a 95% confidence interval.\n"
	"\n"
	"Each chart NAME is a gnuplot script NAME.gp with its data NAME.dat, drawn as\n"
	"NAME.svg and NAME.png; restyle a script and redraw it by hand with\n"
	"  cd RESULT_DIR/charts && gnuplot NAME.gp\n"
	"`bench chart` rewrites the charts and scripts it wrote there before (other\n"
	"files are left alone). `bench run` draws them at the end of a run unless\n"
	"--no-charts. Every chart is described in docs/charts.md.\n"
	"\n"
	"Needs gnuplot on PATH (Debian: apt-get install gnuplot-nox); without it the\n"
	"scripts and data are still written.\n"
	"\n"
	"Exit status: 0 drawn; 1 not drawn (gnuplot missing or failed, or a file could\n"
	"not be written); 2 usage, or RESULT_DIR is not a readable result directory, or\n"
	"not writable (checked before anything is drawn).\n";

const char cmd_report_usage[] =
	"usage: bench report RESULT_DIR\n"
	"\n"
	"Writes RESULT_DIR/report.html: one self-contained page that opens from disk\n"
	"(inline CSS and SVG, no scripts, no external files). When the run set its\n"
	"targets against each other (comparison.csv), the page opens with that: a\n"
	"table of each target's mean and 95% CI, ratio to the best and verdict per\n"
	"phase, op and sweep point, and a chart per metric. Then warnings (stand-in\n"
	"servers, mixes that differ, phases under 1 s, client-bound phases, errors\n"
	"and timeouts, skipped targets, an interrupted run), the summary table with\n"
	"unsupported ops marked, the other charts of RESULT_DIR/charts/ inline, the\n"
	"servers that answered, the workload, the host. It draws no charts itself: run\n"
	"`bench chart RESULT_DIR` first (`bench run` does both). Replaces an earlier\n"
	"report.html. See docs/charts.md.\n"
	"\n"
	"Exit status: 0 written; 1 could not be written; 2 usage, or RESULT_DIR is not\n"
	"a readable result directory, or not writable (checked first).\n";

/* The one RESULT_DIR argument, checked; NULL after printing why. */
static const char *result_dir_arg(const char *cmd, int argc, char **argv, int *rc)
{
	char err[512], *charts;

	*rc = BENCH_EXIT_OK;
	if (argc < 2) {
		*rc = cmd_usage_error(cmd, "which result directory? e.g. bench %s results/20261123T221524Z-quick", cmd);
		return NULL;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			*rc = cmd_usage_error(cmd, "unknown option '%s'", argv[i]);
			return NULL;
		}
	}
	if (argc > 2) {
		*rc = cmd_usage_error(cmd, "takes one result directory (got %d arguments)", argc - 1);
		return NULL;
	}
	if (chart_check_dir(argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "bench %s: %s\n", cmd, err);
		*rc = BENCH_EXIT_USAGE;
		return NULL;
	}
	/* Where it writes, before it starts: RESULT_DIR, and charts/ in it
	 * when there is one already. */
	charts = xasprintf("%s/charts", argv[1]);
	if (cmd_check_outdir(cmd, "RESULT_DIR", argv[1], false) != 0 ||
	    (strcmp(cmd, "chart") == 0 && access(charts, F_OK) == 0 &&
	     cmd_check_outdir(cmd, "RESULT_DIR/charts", charts, false) != 0))
		*rc = BENCH_EXIT_USAGE;
	free(charts);
	return *rc ? NULL : argv[1];
}

/* dir's length without trailing slashes, for "DIR/charts/" in messages. */
static int trimmed_len(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return (int)n;
}

static size_t count_charts(const char *dir)
{
	char *path = xasprintf("%s/charts/index.txt", dir);
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	free(path);
	return n;
}

int cmd_chart(int argc, char **argv)
{
	char err[1024];
	int rc;
	const char *dir = result_dir_arg("chart", argc, argv, &rc);

	if (!dir)
		return rc;
	/* gnuplot missing or failing: 1, the run's data being fine (README.md, "Exit status") */
	if (chart_draw(dir, err, sizeof(err)) != CHART_OK) {
		fprintf(stderr, "bench chart: %s\n", err);
		return BENCH_EXIT_ERRORS;
	}
	printf("charts: %.*s/charts/ (%zu charts as .svg and .png, each from its .gp script)\n", trimmed_len(dir),
	       dir, count_charts(dir));
	return BENCH_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	char err[1024];
	int rc;
	const char *dir = result_dir_arg("report", argc, argv, &rc);

	if (!dir)
		return rc;
	if (report_write(dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench report: %s\n", err);
		return BENCH_EXIT_ERRORS;
	}
	printf("report: %.*s/report.html\n", trimmed_len(dir), dir);
	return BENCH_EXIT_OK;
}
