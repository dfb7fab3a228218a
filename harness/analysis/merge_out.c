/*
 * merge_out.c - the merged result directory: summary.csv from the paired
 * rows (sums, the merged histograms' percentiles), timeseries.csv summed
 * second by second, latency/ from the merged histograms, run.json naming
 * the inputs. Which figure is computed how: docs/scale.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aggregate.h"
#include "csv.h"
#include "json.h"
#include "merge_int.h"
#include "outdir.h"
#include "util.h"

static const char *cell(const struct merge *m, size_t s, size_t row, const char *col)
{
	return chart_table_cell(m->in[s].sum, row, chart_table_col(m->in[s].sum, col));
}

static double num(const char *s)
{
	double v = 0;

	return util_parse_double(s, &v) == 0 ? v : 0;
}

static uint64_t sum_u64(const struct merge *m, const struct merge_row *row, const char *col)
{
	uint64_t total = 0, v;

	for (size_t s = 0; s < m->n; s++)
		if (row->src[s] != SIZE_MAX && util_parse_u64(cell(m, s, row->src[s], col), &v) == 0)
			total += v;
	return total;
}

/* Requests shard s sent in the phase run of its row r: what its CPU
 * figure is per (summary.csv: the same on every op row of a run). */
static double run_requests(const struct merge *m, size_t s, size_t r)
{
	static const char *const run_cols[] = {"workload", "target", "phase", "sweep_key", "sweep_value", "repeat"};
	static const char *const sent[] = {"ops", "errors", "timeouts", "disconnects"};
	const struct chart_table *t = m->in[s].sum;
	double n = 0;

	for (size_t o = 0; o < t->nrows; o++) {
		bool same = true;

		for (size_t k = 0; k < sizeof(run_cols) / sizeof(run_cols[0]) && same; k++)
			same = strcmp(cell(m, s, o, run_cols[k]), cell(m, s, r, run_cols[k])) == 0;
		for (size_t k = 0; same && k < sizeof(sent) / sizeof(sent[0]); k++)
			n += num(cell(m, s, o, sent[k]));
	}
	return n;
}

/* The mean of a per-op column over the shards that have it, weighted by
 * `weight` (ops, or the run's requests); empty when none has it. */
static void put_weighted(FILE *f, const struct merge *m, const struct merge_row *row, const char *col,
			 bool by_requests, const char *fmt)
{
	double acc = 0, w = 0;

	for (size_t s = 0; s < m->n; s++) {
		const char *v;
		double ws;

		if (row->src[s] == SIZE_MAX || !*(v = cell(m, s, row->src[s], col)))
			continue;
		ws = by_requests ? run_requests(m, s, row->src[s]) : num(cell(m, s, row->src[s], "ops"));
		acc += num(v) * ws;
		w += ws;
	}
	if (w > 0)
		fprintf(f, fmt, acc / w);
}

/* ops/s: the shards ran at the same time, so their rates add up. */
static void put_rate(FILE *f, const struct merge *m, const struct merge_row *row)
{
	double total = 0;
	bool any = false, unsupported = true;

	for (size_t s = 0; s < m->n; s++) {
		const char *v;

		if (row->src[s] == SIZE_MAX)
			continue;
		v = cell(m, s, row->src[s], "ops_per_sec");
		unsupported &= strcmp(v, "unsupported") == 0;
		if (*v && strcmp(v, "unsupported") != 0) {
			total += num(v);
			any = true;
		}
	}
	if (any)
		fprintf(f, "%.1f", total);
	else if (unsupported)
		fputs("unsupported", f);
}

/* Distinct values of a text column, joined with '/'; warns for `server`. */
static void put_distinct(FILE *f, struct merge *m, const struct merge_row *row, const char *col)
{
	const char **seen = xcalloc(m->n, sizeof(*seen));
	struct sbuf sb = {0};
	size_t n = 0;
	char *all;

	for (size_t s = 0; s < m->n; s++) {
		const char *v;
		bool dup = false;

		if (row->src[s] == SIZE_MAX)
			continue;
		v = cell(m, s, row->src[s], col);
		for (size_t k = 0; k < n && !dup; k++)
			dup = strcmp(seen[k], v) == 0;
		if (dup)
			continue;
		sbuf_addf(&sb, "%s%s", n ? "/" : "", v);
		seen[n++] = v;
	}
	all = sbuf_take(&sb);
	if (n > 1 && strcmp(col, "server") == 0)
		merge_warn(m, "the shards saw different servers for one row: %s", all);
	csv_put_field(f, all);
	free(all);
	free(seen);
}

static void put_row(FILE *f, struct merge *m, const struct merge_row *row)
{
	static const char *const sums[] = {"clients", "ops", "errors", "timeouts", "misses", "unsupported",
					   "disconnects"};
	const struct chart_table *t = m->in[0].sum;
	size_t first = 0;
	uint64_t ops = sum_u64(m, row, "ops");
	bool unsupported_only = ops == 0 && sum_u64(m, row, "unsupported") > 0 &&
				sum_u64(m, row, "errors") + sum_u64(m, row, "disconnects") == 0;

	while (row->src[first] == SIZE_MAX)
		first++;
	for (size_t c = 0; c < t->ncols; c++) {
		const char *col = t->head[c];
		bool summed = false;

		if (!strcmp(col, "mean_us") || !strcmp(col, "uncorrected_mean_us")) {
			/* Six figures, each preceded by its comma. */
			csv_put_latencies(f, col[0] == 'm' ? row->lat : row->unc, unsupported_only ? "unsupported" : "");
			c += 5;
			continue;
		}
		if (c)
			fputc(',', f);
		for (size_t k = 0; k < sizeof(sums) / sizeof(sums[0]) && !summed; k++)
			summed = !strcmp(col, sums[k]);
		if (summed) {
			fprintf(f, "%llu", (unsigned long long)sum_u64(m, row, col));
		} else if (!strcmp(col, "rate_target")) {
			double total = 0;

			for (size_t s = 0; s < m->n; s++)
				if (row->src[s] != SIZE_MAX)
					total += num(cell(m, s, row->src[s], col));
			fprintf(f, "%g", total);
		} else if (!strcmp(col, "duration_s")) {
			double longest = 0;

			for (size_t s = 0; s < m->n; s++)
				if (row->src[s] != SIZE_MAX && num(cell(m, s, row->src[s], col)) > longest)
					longest = num(cell(m, s, row->src[s], col));
			fprintf(f, "%.3f", longest);
		} else if (!strcmp(col, "ops_per_sec")) {
			put_rate(f, m, row);
		} else if (!strcmp(col, "engine") || !strcmp(col, "server")) {
			put_distinct(f, m, row, col);
		} else if (!strcmp(col, "client_cpu_us_per_op")) {
			put_weighted(f, m, row, col, true, "%.3f");
		} else if (!strcmp(col, "server_cpu_us_per_op")) {
			/* One server measured by every shard over the same span:
			 * adding would count it N times; left empty. */
		} else if (!strcmp(col, "items_per_op") || !strcmp(col, "calls_per_op")) {
			put_weighted(f, m, row, col, false, "%.2f");
		} else {
			csv_put_field(f, cell(m, first, row->src[first], col));
		}
	}
	fputc('\n', f);
}

static int write_summary(const void *arg, FILE *f, char *err, size_t errlen)
{
	/* Written before run.json, which lists the warnings found here. */
	struct merge *m = (struct merge *)arg;

	(void)err;
	(void)errlen;
	fprintf(f, "%s\n", csv_summary_header);
	for (size_t r = 0; r < m->n_rows; r++)
		put_row(f, m, &m->rows[r]);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* A timeseries.csv row of one shard, placed for sorting: its phase run
 * (in order of first appearance), its second, its op (idem, per run). */
struct ts_ref {
	size_t run, op_rank, in, row;
	long long second;
};

static int ts_cmp(const void *a, const void *b)
{
	const struct ts_ref *x = a, *y = b;

	if (x->run != y->run)
		return x->run < y->run ? -1 : 1;
	if (x->second != y->second)
		return x->second < y->second ? -1 : 1;
	if (x->op_rank != y->op_rank)
		return x->op_rank < y->op_rank ? -1 : 1;
	return x->in < y->in ? -1 : x->in > y->in;
}

/* Index of the first row of runs[] whose run columns equal row's; appends. */
static size_t rank_of(const struct merge *m, struct ts_ref **firsts, size_t *n, size_t in, size_t row,
		      const int *cols, size_t n_cols)
{
	for (size_t i = 0; i < *n; i++) {
		bool same = true;

		for (size_t k = 0; k < n_cols && same; k++)
			same = !strcmp(chart_table_cell(m->in[(*firsts)[i].in].ts, (*firsts)[i].row, cols[k]),
				       chart_table_cell(m->in[in].ts, row, cols[k]));
		if (same)
			return i;
	}
	*firsts = xrealloc(*firsts, (*n + 1) * sizeof(**firsts));
	(*firsts)[*n] = (struct ts_ref){.in = in, .row = row};
	return (*n)++;
}

/*
 * Seconds are each shard's own: counted from when its measurement started.
 * Second s of the merge adds up second s of every shard, so shards that
 * started at different times are offset by that difference.
 */
static int write_timeseries(const void *arg, FILE *f, char *err, size_t errlen)
{
	const struct merge *m = arg;
	static const char *const run_names[] = {"workload", "phase", "target", "sweep_key", "sweep_value", "repeat"};
	static const char *const sums[] = {"ops", "errors", "timeouts", "disconnects", "misses"};
	const struct chart_table *t0 = m->in[0].ts;
	int run_cols[6], op_col = chart_table_col(t0, "op"), sec_col = chart_table_col(t0, "second");
	struct ts_ref *refs = NULL, *runs = NULL, *ops = NULL;
	size_t n_refs = 0, n_runs = 0, n_ops = 0;

	(void)err;
	(void)errlen;
	for (size_t k = 0; k < 6; k++)
		run_cols[k] = chart_table_col(t0, run_names[k]);
	for (size_t i = 0; i < m->n; i++) {
		const struct chart_table *t = m->in[i].ts;

		refs = xrealloc(refs, (n_refs + t->nrows + 1) * sizeof(*refs));
		for (size_t r = 0; r < t->nrows; r++) {
			int op_run_cols[7];

			memcpy(op_run_cols, run_cols, sizeof(run_cols));
			op_run_cols[6] = op_col;
			refs[n_refs] = (struct ts_ref){.in = i, .row = r};
			refs[n_refs].run = rank_of(m, &runs, &n_runs, i, r, run_cols, 6);
			refs[n_refs].op_rank = rank_of(m, &ops, &n_ops, i, r, op_run_cols, 7);
			refs[n_refs++].second = (long long)num(chart_table_cell(t, r, sec_col));
		}
	}
	qsort(refs, n_refs, sizeof(*refs), ts_cmp);
	fprintf(f, "%s\n", csv_timeseries_header);
	for (size_t a = 0, b; a < n_refs; a = b) {
		const struct chart_table *t = m->in[refs[a].in].ts;

		for (b = a + 1; b < n_refs && refs[b].run == refs[a].run && refs[b].second == refs[a].second &&
				refs[b].op_rank == refs[a].op_rank;
		     b++)
			;
		for (size_t c = 0; c < t0->ncols; c++) {
			const char *col = t0->head[c];
			bool summed = false;

			if (c)
				fputc(',', f);
			for (size_t k = 0; k < sizeof(sums) / sizeof(sums[0]) && !summed; k++)
				summed = !strcmp(col, sums[k]);
			if (summed) {
				uint64_t total = 0, v;

				for (size_t i = a; i < b; i++)
					if (util_parse_u64(chart_table_cell(m->in[refs[i].in].ts, refs[i].row, (int)c), &v) == 0)
						total += v;
				fprintf(f, "%llu", (unsigned long long)total);
			} else if (!strcmp(col, "hit_ratio")) {
				/* From the summed counts, not from any one shard's. */
				uint64_t answered = 0, misses = 0, v;
				int oc = chart_table_col(t0, "ops"), mc = chart_table_col(t0, "misses");

				for (size_t i = a; i < b; i++) {
					const struct chart_table *ti = m->in[refs[i].in].ts;

					if (util_parse_u64(chart_table_cell(ti, refs[i].row, oc), &v) == 0)
						answered += v;
					if (util_parse_u64(chart_table_cell(ti, refs[i].row, mc), &v) == 0)
						misses += v;
				}
				csv_put_hit_ratio(f, chart_table_cell(t, refs[a].row, op_col), answered,
						  misses > answered ? answered : misses);
			} else if (!strcmp(col, "max_us")) {
				const char *best = "";

				for (size_t i = a; i < b; i++) {
					const char *v = chart_table_cell(m->in[refs[i].in].ts, refs[i].row, (int)c);

					if (*v && (!*best || num(v) > num(best)))
						best = v;
				}
				fputs(best, f);
			} else if (strcmp(col, "p50_us") != 0 && strcmp(col, "p99_us") != 0) {
				/* Percentiles of a second are not kept as histograms:
				 * empty rather than averaged (docs/scale.md). */
				csv_put_field(f, chart_table_cell(t, refs[a].row, (int)c));
			}
		}
		fputc('\n', f);
	}
	free(refs);
	free(runs);
	free(ops);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* A copy of the object o without its member `skip` (o itself when it is
 * not an object), for the caller to own. */
static json_t *copy_without(json_t *o, const char *skip)
{
	json_t *c, *v;
	const char *key;

	if (!json_is_object(o))
		return json_incref(o);
	c = json_object();
	json_object_foreach (o, key, v)
		if (strcmp(key, skip) != 0)
			jsonw_set(c, key, json_incref(v));
	return c;
}

/* The shard's member `key`, shared with the new tree; null when missing. */
static json_t *member(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? json_incref(v) : json_null();
}

static int write_run_json(const void *arg, FILE *f, char *err, size_t errlen)
{
	const struct merge *m = arg;
	json_t *run0 = m->in[0].run, *run = json_object(), *o, *a, *v;
	const char *finished = "";
	bool complete = true;
	size_t i;
	int rc;

	(void)err;
	(void)errlen;
	for (i = 0; i < m->n; i++) {
		const char *fin = report_json_str(m->in[i].run, "finished_utc");

		complete &= json_is_true(json_object_get(m->in[i].run, "complete"));
		if (fin && strcmp(fin, finished) > 0)
			finished = fin;
	}
	o = json_object();
	jsonw_set(o, "version", jsonw_str(BENCH_VERSION));
	jsonw_set(o, "git_revision", jsonw_str(BENCH_GIT_REV));
	jsonw_set(run, "bench", o);
	jsonw_set(run, "command", jsonw_str(m->command));
	jsonw_set(run, "merged", json_true());
	jsonw_set(run, "shard", json_null());
	jsonw_set(run, "shards", jsonw_u64(m->n));
	jsonw_set(run, "complete", json_boolean(complete));
	jsonw_set(run, "started_utc", jsonw_str(m->started));
	jsonw_set(run, "finished_utc", jsonw_str(finished));
	jsonw_set(run, "servers", jsonw_str(report_json_str(run0, "servers") ? report_json_str(run0, "servers") : ""));
	a = json_array();
	for (i = 0; i < m->n; i++) {
		static const char *const copy[] = {"command", "complete", "started_utc", "finished_utc", "host"};

		o = json_object();
		jsonw_set(o, "dir", jsonw_str(m->in[i].dir));
		jsonw_set(o, "shard", jsonw_u64(i));
		for (size_t k = 0; k < sizeof(copy) / sizeof(copy[0]); k++)
			jsonw_set(o, copy[k], member(m->in[i].run, copy[k]));
		jsonw_append(a, o);
	}
	jsonw_set(run, "inputs", a);
	jsonw_set(run, "workload", member(run0, "workload"));
	/* Each shard's runs (CPU, reconnects ...) stay in its own run.json. */
	a = json_array();
	json_array_foreach (json_object_get(run0, "targets"), i, v)
		jsonw_append(a, copy_without(v, "runs"));
	jsonw_set(run, "targets", a);
	a = json_array();
	for (i = 0; i < m->n; i++) {
		json_t *w;
		size_t k;

		json_array_foreach (json_object_get(m->in[i].run, "warnings"), k, w) {
			char *s = xasprintf("shard %zu/%zu: %s", i, m->n, json_is_string(w) ? json_string_value(w) : "");

			jsonw_append(a, jsonw_str(s));
			free(s);
		}
	}
	for (i = 0; i < m->n_warnings; i++)
		jsonw_append(a, jsonw_str(m->warnings[i]));
	jsonw_set(run, "warnings", a);
	rc = jsonw_dump(run, f);
	json_decref(run);
	return rc;
}

/* latency/: per merged row, NAME.hist and NAME.hgrm from the merged
 * histograms, and NAME.uncorrected.hgrm where the shards wrote one. */
static int write_latency(const char *dir, const struct merge *m, char *err, size_t errlen)
{
	char *sub = xasprintf("%s/latency", dir);
	int rc = mkdir(sub, 0755);

	if (rc < 0)
		snprintf(err, errlen, "cannot create %s: %s", sub, strerror(errno));
	for (size_t r = 0; r < m->n_rows && rc == 0; r++) {
		const struct merge_row *row = &m->rows[r];
		struct outdir_hist o = {.lat = row->lat, .lat_uncorrected = row->unc};
		const struct merge_hist *h = NULL;
		struct stat st;
		char *name, *unc = NULL;

		if (!row->lat)
			continue;
		for (size_t s = 0; s < m->n && !h; s++) {
			h = row->hist[s];
			if (h && !unc) {
				char *p = xasprintf("%s/latency/%s.uncorrected.hgrm", m->in[s].dir, h->name);

				if (stat(p, &st) == 0)
					unc = xasprintf("%s.uncorrected.hgrm", row->name);
				free(p);
			}
		}
		for (int k = 0; k < 6; k++)
			o.id[k] = h->key[k];
		util_parse_u64(h->key[6], &o.repeat);
		name = xasprintf("%s.hist", row->name);
		rc = outdir_write_hist(sub, name, &o, err, errlen);
		free(name);
		name = xasprintf("%s.hgrm", row->name);
		if (rc == 0)
			rc = outdir_write_hgrm(sub, name, row->lat, err, errlen);
		free(name);
		if (rc == 0 && unc)
			rc = outdir_write_hgrm(sub, unc, row->unc, err, errlen);
		free(unc);
	}
	free(sub);
	return rc;
}

int merge_write(const char *tmp, const void *arg, char *err, size_t errlen)
{
	const struct merge *m = arg;
	char *sum = xasprintf("%s/summary.csv", tmp), *ts = xasprintf("%s/timeseries.csv", tmp);
	char *run = xasprintf("%s/run.json", tmp);
	int rc = outdir_write_file(sum, write_summary, m, err, errlen) < 0 ||
			 outdir_write_file(ts, write_timeseries, m, err, errlen) < 0 || write_latency(tmp, m, err, errlen) < 0 ||
			 outdir_write_file(run, write_run_json, m, err, errlen) < 0 ||
			 agg_write_dir(tmp, err, errlen) < 0 /* the merged run's comparison, from the merged summary */
		 ? -1 : 0;

	free(sum);
	free(ts);
	free(run);
	return rc;
}

void merge_warn(struct merge *m, const char *fmt, ...)
{
	va_list ap;
	struct sbuf sb = {0};

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	m->warnings = xrealloc(m->warnings, (m->n_warnings + 1) * sizeof(*m->warnings));
	m->warnings[m->n_warnings++] = sbuf_take(&sb);
}
