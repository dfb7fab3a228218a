/*
 * aggregate_in.c - the samples aggregate.c works on: one per summary.csv
 * row, from the results model at the end of `bench run` or from a
 * summary.csv read back. Both give each figure exactly as summary.csv
 * writes it (ops/s to 0.1, µs to 0.001), so comparison.csv's means are the
 * means of summary.csv's rows, and a directory read back later aggregates
 * to the same file.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aggregate.h"
#include "chart.h"
#include "results.h"
#include "util.h"

/* v as printf("%.*f") writes it, read back: summary.csv's figure. */
static double as_written(double v, int decimals)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return strtod(buf, NULL);
}

/* ---- from the results model ---- */

static double latency_us(const struct hist *h, double pct)
{
	return h && hist_count(h) ? as_written((double)hist_percentile(h, pct) / 1e3, 3) : NAN;
}

/* What csv.c writes for one summary.csv row (its put_row), as a sample. */
static void sample_of(struct agg_sample *x, const struct results *r, const struct target_result *t,
		      const struct phase_result *p, enum bench_op op, const char *server)
{
	const struct op_stats *s = &p->ops[op];
	double cli, srv;

	*x = (struct agg_sample){
		.workload = r->w->name, .phase = p->phase->name, .op = results_op_label(p, op),
		.sweep_key = p->sweep_value ? r->w->sweep.key : "", .sweep_value = p->sweep_value ? p->sweep_value : "",
		.target = t->target->name, .server = server,
		.answered = op_stats_answered(s), .misses = s->status[BENCH_MISS],
		.failed = op_stats_errors(s) + s->status[BENCH_TIMEOUT], .unsupported = s->status[BENCH_UNSUPPORTED],
	};
	x->sent = x->answered + x->failed;
	for (int m = 0; m < AGG_N_METRICS; m++)
		x->v[m] = NAN;
	/* As csv.c: "unsupported" when the op never ran, nothing for a crash
	 * phase's read-back (a count, not a rate). */
	if (!(x->answered == 0 && x->unsupported > 0 && op_stats_errors(s) == 0) && p->duration_s > 0 &&
	    !(p->crash.ran && op == BENCH_OP_GET))
		x->v[AGG_OPS_PER_SEC] = as_written((double)x->answered / p->duration_s, 1);
	x->v[AGG_P50] = latency_us(s->lat, 50);
	x->v[AGG_P99] = latency_us(s->lat, 99);
	x->v[AGG_P999] = latency_us(s->lat, 99.9);
	if (x->answered && agg_op_reads(x->op))
		x->v[AGG_HIT_RATIO] = (double)(x->answered - x->misses) / (double)x->answered;
	results_cpu_per_op(p, &cli, &srv);
	if (cli >= 0)
		x->v[AGG_CLIENT_CPU] = as_written(cli, 3);
	if (srv >= 0)
		x->v[AGG_SERVER_CPU] = as_written(srv, 3);
}

struct aggregate *agg_from_results(const struct results *r)
{
	struct agg_sample *s = NULL;
	char **servers = xcalloc(r->n_targets ? r->n_targets : 1, sizeof(*servers));
	size_t n = 0;
	struct aggregate *a;

	for (size_t i = 0; i < r->n_targets; i++) {
		const struct target_result *t = &r->targets[i];
		char label[160];

		servers[i] = xstrdup(results_server_label(t, label, sizeof(label)));
		for (size_t j = 0; j < t->n_runs; j++) {
			const struct phase_result *p = &t->runs[j];

			for (int op = 0; op < BENCH_OP__COUNT && !p->warmup; op++) {
				if (op_stats_total(&p->ops[op]) == 0)
					continue; /* no summary.csv row */
				s = xrealloc(s, (n + 1) * sizeof(*s));
				sample_of(&s[n++], r, t, p, (enum bench_op)op, servers[i]);
			}
		}
	}
	a = agg_build(s, n);
	for (size_t i = 0; i < r->n_targets; i++)
		free(servers[i]);
	free(servers);
	free(s);
	return a;
}

/* ---- from a summary.csv ---- */

enum {
	C_WORKLOAD, C_PHASE, C_OP, C_SWEEP_KEY, C_SWEEP_VALUE, C_TARGET, C_SERVER, /* text */
	C_OPS, C_ERRORS, C_TIMEOUTS, C_DISCONNECTS, C_MISSES, C_UNSUPPORTED, /* counts */
	C_OPS_PER_SEC, C_P50, C_P99, C_P999, C_CLIENT_CPU, C_SERVER_CPU, /* figures */
	N_COLS
};

static const char *const col_names[N_COLS] = {
	"workload", "phase", "op", "sweep_key", "sweep_value", "target", "server",
	"ops", "errors", "timeouts", "disconnects", "misses", "unsupported",
	"ops_per_sec", "p50_us", "p99_us", "p999_us", "client_cpu_us_per_op", "server_cpu_us_per_op",
};

/* Columns a summary.csv from an older bench may lack: empty when absent. */
static bool optional_col(int c)
{
	return c == C_SWEEP_KEY || c == C_SWEEP_VALUE || c == C_SERVER || c == C_DISCONNECTS || c == C_P999 ||
	       c >= C_CLIENT_CPU;
}

static const enum agg_metric col_metric[N_COLS] = {
	[C_OPS_PER_SEC] = AGG_OPS_PER_SEC, [C_P50] = AGG_P50, [C_P99] = AGG_P99, [C_P999] = AGG_P999,
	[C_CLIENT_CPU] = AGG_CLIENT_CPU, [C_SERVER_CPU] = AGG_SERVER_CPU,
};

/* One row of t into x. Returns 0, or -1 with err naming the cell. */
static int sample_of_row(struct agg_sample *x, const struct chart_table *t, size_t row, const int *col,
			 const char *path, char *err, size_t errlen)
{
	const char **text[] = {&x->workload, &x->phase, &x->op, &x->sweep_key, &x->sweep_value, &x->target, &x->server};
	uint64_t *count[] = {&x->answered, NULL, NULL, NULL, &x->misses, &x->unsupported};
	uint64_t failed[3] = {0};

	memset(x, 0, sizeof(*x));
	for (int c = C_WORKLOAD; c <= C_SERVER; c++)
		*text[c] = chart_table_cell(t, row, col[c]);
	for (int c = C_OPS; c <= C_UNSUPPORTED; c++) {
		const char *v = chart_table_cell(t, row, col[c]);
		uint64_t *into = count[c - C_OPS] ? count[c - C_OPS] : &failed[c - C_ERRORS];

		if (*v && util_parse_u64(v, into) < 0) {
			snprintf(err, errlen, "%s:%zu: %s '%.40s' is not a count", path, t->lines[row], col_names[c], v);
			return -1;
		}
	}
	x->failed = failed[0] + failed[1] + failed[2];
	x->sent = x->answered + x->failed;
	for (int m = 0; m < AGG_N_METRICS; m++)
		x->v[m] = NAN;
	for (int c = C_OPS_PER_SEC; c < N_COLS; c++) {
		const char *v = chart_table_cell(t, row, col[c]);

		if (!*v || strcmp(v, "unsupported") == 0)
			continue;
		if (util_parse_double(v, &x->v[col_metric[c]]) < 0 || !isfinite(x->v[col_metric[c]])) {
			snprintf(err, errlen, "%s:%zu: %s '%.40s' is not a number", path, t->lines[row], col_names[c], v);
			return -1;
		}
	}
	if (x->answered && agg_op_reads(x->op))
		x->v[AGG_HIT_RATIO] = (double)(x->answered - (x->misses < x->answered ? x->misses : x->answered)) /
				      (double)x->answered;
	return 0;
}

int agg_from_summary(const char *path, struct aggregate **out, char *err, size_t errlen)
{
	struct stat st;
	char *file = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? xasprintf("%s/summary.csv", path) : xstrdup(path);
	struct chart_table *t = NULL;
	struct agg_sample *s = NULL;
	int col[N_COLS], rc = -1;

	*out = NULL;
	if (chart_table_load(file, &t, err, errlen) < 0)
		goto done;
	for (int c = 0; c < N_COLS; c++) {
		col[c] = chart_table_col(t, col_names[c]);
		if (col[c] < 0 && !optional_col(c)) {
			snprintf(err, errlen, "%s has no column '%s': not a bench summary.csv", file, col_names[c]);
			goto done;
		}
	}
	s = xcalloc(t->nrows ? t->nrows : 1, sizeof(*s));
	for (size_t i = 0; i < t->nrows; i++)
		if (sample_of_row(&s[i], t, i, col, file, err, errlen) < 0)
			goto done;
	*out = agg_build(s, t->nrows);
	rc = 0;
done:
	free(s);
	chart_table_free(t);
	free(file);
	return rc;
}
