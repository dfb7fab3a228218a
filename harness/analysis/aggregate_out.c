/*
 * aggregate_out.c - comparison.csv and results.json (docs/csv-schema.md).
 *
 * results.json is built with jansson from the result directory itself:
 * summary.csv's rows as summary.csv has them, and bench, host, workload,
 * targets and warnings as run.json has them, so one file holds what a
 * script or a dashboard needs and nothing in it can disagree with the
 * others. Figures are written as comparison.csv writes them ("%.10g"), so
 * both files give the same numbers.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "chart.h"
#include "csv.h"
#include "json.h"
#include "outdir.h"
#include "secret.h"
#include "util.h"

const char agg_comparison_header[] =
	"workload,phase,op,sweep_key,sweep_value,metric,better,target,server,n,mean,ci_low,ci_high,ratio,"
	"ratio_ci_low,ratio_ci_high,rank,verdict,mix_differs,effective_mix";

/* A figure as comparison.csv writes it; "" when there is none. */
static const char *fig(char *buf, size_t len, double v)
{
	if (isnan(v))
		buf[0] = '\0';
	else
		snprintf(buf, len, "%.10g", v);
	return buf;
}

/* ---- comparison.csv ---- */

static void put_figs(FILE *f, const double *v, size_t n)
{
	char buf[64];

	for (size_t i = 0; i < n; i++)
		fprintf(f, ",%s", fig(buf, sizeof(buf), v[i]));
}

int agg_write_comparison_csv(const struct aggregate *a, FILE *f)
{
	fprintf(f, "%s\n", agg_comparison_header);
	for (size_t i = 0; i < a->n_cmp; i++) {
		const struct agg_cmp *c = &a->cmp[i];
		const struct agg_row *r = &a->rows[c->row];
		const struct agg_stat *s = &r->m[c->metric];
		const char *keys[] = {r->workload, r->phase, r->op, r->sweep_key, r->sweep_value};
		const double stat[] = {s->mean, s->ci_low, s->ci_high}, ratio[] = {c->ratio, c->ratio_low, c->ratio_high};

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			csv_put_field(f, keys[k]);
			fputc(',', f);
		}
		fprintf(f, "%s,%s,", agg_metric_name(c->metric), agg_higher_is_better(c->metric) ? "higher" : "lower");
		csv_put_field(f, r->target);
		fputc(',', f);
		csv_put_field(f, r->server);
		fprintf(f, ",%zu", s->n);
		put_figs(f, stat, 3);
		put_figs(f, ratio, 3);
		fputc(',', f);
		if (c->rank)
			fprintf(f, "%u", c->rank);
		fprintf(f, ",%s,%d,", agg_verdict_name(c->verdict), r->mix_differs);
		csv_put_field(f, r->effective_mix);
		fputc('\n', f);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---- results.json ---- */

/* A figure as comparison.csv has it, or null. */
static json_t *jfig(double v)
{
	char buf[64];

	return isnan(v) ? json_null() : json_real(strtod(fig(buf, sizeof(buf), v), NULL));
}

/* summary.csv's text columns; every other cell is a count, a figure,
 * "unsupported" or empty (null). */
static bool text_col(const char *name)
{
	static const char *const text[] = {"workload", "phase", "target", "driver", "server", "op", "sweep_key",
					   "sweep_value", "engine", NULL};

	for (const char *const *t = text; *t; t++)
		if (strcmp(name, *t) == 0)
			return true;
	return false;
}

static json_t *summary_cell(const char *col, const char *v)
{
	uint64_t u;
	double d;

	if (text_col(col))
		return jsonw_str(v);
	if (!*v)
		return json_null();
	if (util_parse_u64(v, &u) == 0 && u <= INT64_MAX)
		return json_integer((json_int_t)u);
	if (util_parse_double(v, &d) == 0 && isfinite(d))
		return json_real(d);
	return jsonw_str(v); /* "unsupported" */
}

static int add_summary(json_t *root, const char *dir, char *err, size_t errlen)
{
	char *path = xasprintf("%s/summary.csv", dir);
	struct chart_table *t;
	json_t *rows = json_array();

	if (chart_table_load(path, &t, err, errlen) < 0) {
		free(path);
		json_decref(rows);
		return -1;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		json_t *o = json_object();

		for (size_t c = 0; c < t->ncols; c++)
			jsonw_set(o, t->head[c], summary_cell(t->head[c], chart_table_cell(t, i, (int)c)));
		json_array_append_new(rows, o);
	}
	jsonw_set(root, "summary", rows);
	chart_table_free(t);
	free(path);
	return 0;
}

/* bench, command, host (a merged run: its inputs), workload, targets
 * (without their runs: run.json keeps those) and warnings, as run.json has
 * them. */
static int add_run_json(json_t *root, const char *dir, char *err, size_t errlen)
{
	static const char *const keys[] = {"bench", "command", "complete", "started_utc", "finished_utc", "servers",
					   "shard", "merged", "shards", "inputs", "host", "workload", "targets",
					   "warnings", NULL};
	char *path = xasprintf("%s/run.json", dir);
	json_error_t e;
	json_t *run = json_load_file(path, 0, &e), *targets, *t;
	size_t i;

	/* A seed above 2^63 is more than jansson's integers hold: such a run
	 * gives every integer as a number with a fraction. */
	if (!run)
		run = json_load_file(path, JSON_DECODE_INT_AS_REAL, &e);
	if (!run || !json_is_object(run)) {
		snprintf(err, errlen, "cannot read %s: %s (line %d)", path, run ? "not an object" : e.text, e.line);
		json_decref(run);
		free(path);
		return -1;
	}
	targets = json_object_get(run, "targets");
	json_array_foreach(targets, i, t)
		json_object_del(t, "runs");
	for (const char *const *k = keys; *k; k++)
		if (json_object_get(run, *k))
			json_object_set(root, *k, json_object_get(run, *k));
	json_decref(run);
	free(path);
	return 0;
}

static json_t *row_keys(const struct agg_row *r)
{
	json_t *o = json_object();

	jsonw_set(o, "workload", jsonw_str(r->workload));
	jsonw_set(o, "phase", jsonw_str(r->phase));
	jsonw_set(o, "op", jsonw_str(r->op));
	jsonw_set(o, "sweep_key", jsonw_str(r->sweep_key));
	jsonw_set(o, "sweep_value", jsonw_str(r->sweep_value));
	return o;
}

static json_t *aggregate_row(const struct agg_row *r)
{
	json_t *o = row_keys(r), *m = json_object();

	jsonw_set(o, "target", jsonw_str(r->target));
	jsonw_set(o, "server", jsonw_str(r->server));
	jsonw_set(o, "repeats", json_integer((json_int_t)r->repeats));
	jsonw_set(o, "sent", json_integer((json_int_t)r->sent));
	jsonw_set(o, "failed", json_integer((json_int_t)r->failed));
	jsonw_set(o, "unsupported", json_integer((json_int_t)r->unsupported));
	jsonw_set(o, "misses", json_integer((json_int_t)r->misses));
	jsonw_set(o, "mix_differs", json_boolean(r->mix_differs));
	jsonw_set(o, "effective_mix", jsonw_str(r->effective_mix));
	for (int k = 0; k < AGG_N_METRICS; k++) {
		const struct agg_stat *s = &r->m[k];
		json_t *x = json_object();

		jsonw_set(x, "n", json_integer((json_int_t)s->n));
		jsonw_set(x, "mean", jfig(s->mean));
		jsonw_set(x, "ci_low", jfig(s->ci_low));
		jsonw_set(x, "ci_high", jfig(s->ci_high));
		jsonw_set(m, agg_metric_name((enum agg_metric)k), x);
	}
	jsonw_set(o, "metrics", m);
	return o;
}

/* One comparison.csv row, its columns as keys. */
static json_t *comparison_row(const struct aggregate *a, const struct agg_cmp *c)
{
	const struct agg_row *r = &a->rows[c->row];
	const struct agg_stat *s = &r->m[c->metric];
	json_t *o = row_keys(r);

	jsonw_set(o, "metric", json_string(agg_metric_name(c->metric)));
	jsonw_set(o, "better", json_string(agg_higher_is_better(c->metric) ? "higher" : "lower"));
	jsonw_set(o, "target", jsonw_str(r->target));
	jsonw_set(o, "server", jsonw_str(r->server));
	jsonw_set(o, "n", json_integer((json_int_t)s->n));
	jsonw_set(o, "mean", jfig(s->mean));
	jsonw_set(o, "ci_low", jfig(s->ci_low));
	jsonw_set(o, "ci_high", jfig(s->ci_high));
	jsonw_set(o, "ratio", jfig(c->ratio));
	jsonw_set(o, "ratio_ci_low", jfig(c->ratio_low));
	jsonw_set(o, "ratio_ci_high", jfig(c->ratio_high));
	jsonw_set(o, "rank", c->rank ? json_integer(c->rank) : json_null());
	jsonw_set(o, "verdict", c->verdict ? json_string(agg_verdict_name(c->verdict)) : json_null());
	jsonw_set(o, "mix_differs", json_boolean(r->mix_differs));
	jsonw_set(o, "effective_mix", jsonw_str(r->effective_mix));
	return o;
}

int agg_write_results_json(const char *dir, const struct aggregate *a, FILE *f, char *err, size_t errlen)
{
	json_t *root = json_object(), *rows = json_array(), *cmp = json_array();
	int rc = -1;

	jsonw_set(root, "schema_version", json_integer(AGG_RESULTS_JSON_VERSION));
	if (add_run_json(root, dir, err, errlen) < 0 || add_summary(root, dir, err, errlen) < 0)
		goto done;
	for (size_t i = 0; i < a->n_rows; i++)
		json_array_append_new(rows, aggregate_row(&a->rows[i]));
	for (size_t i = 0; i < a->n_cmp; i++)
		json_array_append_new(cmp, comparison_row(a, &a->cmp[i]));
	json_object_set(root, "aggregates", rows);
	json_object_set(root, "comparison", cmp);
	rc = jsonw_dump(root, f) == 0 && fflush(f) == 0 && !ferror(f) ? 0 : -1;
done:
	json_decref(rows);
	json_decref(cmp);
	json_decref(root);
	return rc;
}

/* ---- both, for a directory ---- */

struct dir_writer {
	const struct aggregate *a;
	const char *dir;
};

static int put_csv(const void *arg, FILE *f, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return agg_write_comparison_csv(((const struct dir_writer *)arg)->a, f);
}

static int put_json(const void *arg, FILE *f, char *err, size_t errlen)
{
	const struct dir_writer *w = arg;

	return agg_write_results_json(w->dir, w->a, f, err, errlen);
}

int agg_write_dir(const char *dir, char *err, size_t errlen)
{
	struct aggregate *a;
	char *csv = xasprintf("%s/comparison.csv", dir), *json = xasprintf("%s/results.json", dir);
	int rc = agg_from_summary(dir, &a, err, errlen);

	if (rc == 0) {
		struct dir_writer w = {a, dir};

		rc = outdir_write_file(csv, put_csv, &w, err, errlen) < 0 ||
				     outdir_write_file(json, put_json, &w, err, errlen) < 0
			     ? -1 : 0;
		agg_free(a);
	}
	free(csv);
	free(json);
	return rc;
}
