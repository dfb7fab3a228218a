/*
 * merge.c - `bench merge`: reads the shards' result directories, checks
 * that they are the shards of one run, and pairs their summary.csv rows
 * and latency histograms; merge_out.c writes the result.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_int.h"
#include "csv.h"
#include "merge.h"
#include "merge_int.h"
#include "outdir.h"
#include "util.h"

const char *const merge_key_cols[MERGE_KEY_COLS] = {"workload", "target", "phase", "op",
						    "sweep_key", "sweep_value", "repeat"};

/* Puts why the inputs cannot be merged into err; returns -1. */
static int bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* What makes a merge a partial one: a shard interrupted, or a target a
 * shard could not run (its rows then hold the other shards' requests). */
static void warn_partial(struct merge *m)
{
	for (size_t i = 0; i < m->n; i++) {
		json_t *run = m->in[i].run, *t;
		size_t k;

		if (!json_is_true(json_object_get(run, "complete")))
			merge_warn(m, "shard %zu/%zu (%s) was interrupted: the merge holds what it ran", i, m->n,
				   m->in[i].dir);
		json_array_foreach (json_object_get(run, "targets"), k, t) {
			const char *skipped = report_json_str(t, "skipped");

			if (skipped)
				merge_warn(m, "shard %zu/%zu (%s): target %s did not run all phases (%s): its merged rows "
					   "lack that shard's share", i, m->n, m->in[i].dir, report_json_str(t, "name"),
					   skipped);
		}
	}
}

/* A value of a .hist identity line, with \\ and \n undone in place.
 * Returns 0, or -1 for another escape. */
static int unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		s++;
		if (*s == '\\')
			*w++ = '\\';
		else if (*s == 'n')
			*w++ = '\n';
		else
			return -1;
	}
	*w = '\0';
	return 0;
}

/* Reads latency/NAME.hist (outdir.h's outdir_write_hist). Returns 0, or -1
 * with err set to "line N: why". */
static int read_hist(FILE *f, struct merge_hist *h, char *err, size_t errlen)
{
	static const char *const kinds[2] = {"histogram corrected", "histogram uncorrected"};
	char *line = NULL, why[160];
	size_t cap = 0, at = 0;
	ssize_t len;
	int rc = -1;

	why[0] = '\0';
	for (size_t i = 0; i < MERGE_KEY_COLS + 1 + 2 + 1; i++) {
		size_t klen;

		if ((len = getline(&line, &cap, f)) < 0) {
			snprintf(why, sizeof(why), "the file ends early");
			goto out;
		}
		at++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (i == 0) {
			if (line[0] != '#')
				snprintf(why, sizeof(why), "not a bench histogram file (no '#' first line)");
		} else if (i <= MERGE_KEY_COLS) {
			klen = strlen(merge_key_cols[i - 1]);
			if (strncmp(line, merge_key_cols[i - 1], klen) != 0 || line[klen] != '=' ||
			    unescape(line + klen + 1) < 0)
				snprintf(why, sizeof(why), "want %s=VALUE", merge_key_cols[i - 1]);
			else
				h->key[i - 1] = xstrdup(line + klen + 1);
		} else if (i <= MERGE_KEY_COLS + 2) {
			struct hist **dst = i == MERGE_KEY_COLS + 1 ? &h->lat : &h->unc;

			if (strcmp(line, kinds[i - MERGE_KEY_COLS - 1]) != 0)
				snprintf(why, sizeof(why), "want '%s'", kinds[i - MERGE_KEY_COLS - 1]);
			else
				hist_read_text(f, &at, dst, why, sizeof(why)); /* sets why on failure */
		} else if (strcmp(line, "end") != 0) {
			snprintf(why, sizeof(why), "want 'end'");
		}
		if (why[0])
			goto out;
	}
	if (getline(&line, &cap, f) >= 0) {
		at++;
		snprintf(why, sizeof(why), "text after 'end'");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		snprintf(err, errlen, "line %zu: %s", at, why);
	free(line);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct merge_hist *)a)->name, ((const struct merge_hist *)b)->name);
}

/* Every latency/NAME.hist of in->dir. Returns 0, or -1 with err set. */
static int load_hists(struct merge_in *in, char *err, size_t errlen)
{
	char *sub = xasprintf("%s/latency", in->dir);
	DIR *d = opendir(sub);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		rc = bad(err, errlen, "cannot read %s: %s", sub, strerror(errno));
		free(sub);
		return rc;
	}
	while (rc == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct merge_hist *h;
		char why[256], *path;
		FILE *f;

		if (len <= 5 || strcmp(e->d_name + len - 5, ".hist") != 0)
			continue;
		in->hists = xrealloc(in->hists, (in->n_hists + 1) * sizeof(*in->hists));
		h = &in->hists[in->n_hists++];
		memset(h, 0, sizeof(*h));
		h->name = xstrndup(e->d_name, len - 5);
		path = xasprintf("%s/%s", sub, e->d_name);
		f = fopen(path, "r");
		if (!f)
			rc = bad(err, errlen, "cannot read %s: %s", path, strerror(errno));
		else if (read_hist(f, h, why, sizeof(why)) < 0)
			rc = bad(err, errlen, "%s:%s", path, why);
		if (f)
			fclose(f);
		free(path);
	}
	closedir(d);
	free(sub);
	/* readdir's order is the file system's: sort for a stable output. */
	if (in->n_hists)
		qsort(in->hists, in->n_hists, sizeof(*in->hists), by_name);
	return rc;
}

/* Whether t's columns are exactly `header` (this bench's). */
static bool same_header(const struct chart_table *t, const char *header)
{
	struct sbuf head = {0};
	char *h;
	bool same;

	for (size_t c = 0; c < t->ncols; c++)
		sbuf_addf(&head, "%s%s", c ? "," : "", t->head[c]);
	h = sbuf_take(&head);
	same = strcmp(h, header) == 0;
	free(h);
	return same;
}

/* The columns of summary.csv and timeseries.csv that merging adds up
 * (merge_out.c): a value that is not a whole number would count as 0, so
 * it is refused where it stands. */
static const char *const count_cols[2][8] = {
	{"clients", "ops", "errors", "timeouts", "misses", "unsupported", "disconnects", NULL},
	{"second", "ops", "errors", "timeouts", "disconnects", "misses", "reconnects", NULL},
};

/* Returns 0, or -1 with err naming the first bad count by file:line. */
static int check_counts(const struct chart_table *t, const char *path, const char *const *cols, char *err,
			size_t errlen)
{
	uint64_t v;

	for (const char *const *c = cols; *c; c++) {
		int col = chart_table_col(t, *c);

		for (size_t r = 0; r < t->nrows; r++)
			if (util_parse_u64(chart_table_cell(t, r, col), &v) < 0)
				return bad(err, errlen, "%s:%zu: %s '%.40s' is not a whole number", path, t->lines[r], *c,
					   chart_table_cell(t, r, col));
	}
	return 0;
}

/* run.json, summary.csv, timeseries.csv and latency/ of one shard.
 * Returns 0, or -1 with err set. */
static int load_input(struct merge_in *in, uint64_t *count, char *err, size_t errlen)
{
	char *path = xasprintf("%s/run.json", in->dir), *text;
	json_t *shard, *idx, *cnt;
	json_error_t jerr;
	size_t len = 0;
	int rc = -1, parsed;

	text = chart_slurp(path, &len);
	if (!text) {
		bad(err, errlen, "cannot read %s: %s (is %s a result directory of bench run?)", path, strerror(errno), in->dir);
		goto out;
	}
	parsed = report_json_parse(text, len, &in->run, &jerr);
	free(text);
	if (parsed < 0) {
		bad(err, errlen, "%s: not valid JSON at byte %d: %s", path, jerr.position, jerr.text);
		goto out;
	}
	shard = json_object_get(in->run, "shard");
	idx = json_object_get(shard, "index");
	cnt = json_object_get(shard, "count");
	if (!json_is_object(shard)) {
		bad(err, errlen, "%s was not run with --shard (its run.json has no shard): only shards of one run merge", in->dir);
		goto out;
	}
	if (!json_is_integer(idx) || !json_is_integer(cnt) || json_integer_value(idx) < 0 ||
	    json_integer_value(cnt) <= json_integer_value(idx)) {
		bad(err, errlen, "%s: shard.index and shard.count are not a valid shard", path);
		goto out;
	}
	in->index = (uint64_t)json_integer_value(idx);
	*count = (uint64_t)json_integer_value(cnt);
	for (int i = 0; i < 2; i++) {
		struct chart_table **t = i == 0 ? &in->sum : &in->ts;

		free(path);
		path = xasprintf("%s/%s", in->dir, i == 0 ? "summary.csv" : "timeseries.csv");
		if (chart_table_load(path, t, err, errlen) < 0)
			goto out;
		if (!same_header(*t, i == 0 ? csv_summary_header : csv_timeseries_header)) {
			bad(err, errlen, "%s: its columns are not this bench's (merge results of the same bench version)", path);
			goto out;
		}
		if (check_counts(*t, path, count_cols[i], err, errlen) < 0)
			goto out;
	}
	for (int k = 0; k < MERGE_KEY_COLS; k++)
		in->key[k] = chart_table_col(in->sum, merge_key_cols[k]);
	rc = load_hists(in, err, errlen);
out:
	free(path);
	return rc;
}

/* The first difference between two JSON values, as a path into *where
 * ("keyspace.records"); `skip` is a top-level member left out. Members are
 * compared in order, as bench wrote them. */
static bool json_differs(json_t *a, json_t *b, const char *skip, struct sbuf *where)
{
	void *ia, *ib;
	size_t mark = where->len;

	if (json_typeof(a) != json_typeof(b))
		return true;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return true;
		for (size_t i = 0; i < json_array_size(a); i++) {
			sbuf_addf(where, "[%zu]", i);
			if (json_differs(json_array_get(a, i), json_array_get(b, i), NULL, where))
				return true;
			where->len = mark;
			where->buf[mark] = '\0';
		}
		return false;
	}
	if (!json_is_object(a))
		return !json_equal(a, b);
	if (json_object_size(a) != json_object_size(b))
		return true;
	for (ia = json_object_iter(a), ib = json_object_iter(b); ia && ib;
	     ia = json_object_iter_next(a, ia), ib = json_object_iter_next(b, ib)) {
		const char *k = json_object_iter_key(ia);

		if (strcmp(k, json_object_iter_key(ib)) != 0)
			return true;
		if (skip && strcmp(k, skip) == 0)
			continue;
		sbuf_addf(where, "%s%s", mark ? "." : "", k);
		if (json_differs(json_object_iter_value(ia), json_object_iter_value(ib), NULL, where))
			return true;
		where->len = mark;
		where->buf[mark] = '\0';
	}
	return false;
}

/* The names of the targets run.json lists, comma-separated (caller frees). */
static char *target_names(const json_t *run)
{
	struct sbuf sb = {0};
	json_t *t;
	size_t i;

	json_array_foreach (json_object_get(run, "targets"), i, t)
		sbuf_addf(&sb, "%s%s", i ? "," : "", report_json_str(t, "name") ? report_json_str(t, "name") : "");
	return sbuf_take(&sb);
}

/* The inputs are the shards 0..N-1 of one run. Sorts them by index.
 * Returns 0, or -1 with err set. */
static int check_shards(struct merge *m, const uint64_t *counts, char *err, size_t errlen)
{
	const struct merge_in *first;
	char *names0;
	int rc = 0;

	for (size_t i = 1; i < m->n; i++)
		if (counts[i] != counts[0])
			return bad(err, errlen, "%s is shard %llu of %llu, but %s is one of %llu: not shards of one run", m->in[i].dir,
				   (unsigned long long)m->in[i].index, (unsigned long long)counts[i], m->in[0].dir,
				   (unsigned long long)counts[0]);
	for (size_t i = 0; i < m->n; i++)
		for (size_t j = i + 1; j < m->n; j++)
			if (m->in[i].index == m->in[j].index)
				return bad(err, errlen, "shard %llu/%llu is given twice: %s and %s", (unsigned long long)m->in[i].index,
					   (unsigned long long)counts[0], m->in[i].dir, m->in[j].dir);
	for (uint64_t s = 0; s < counts[0]; s++) {
		bool have = false;

		for (size_t i = 0; i < m->n && !have; i++)
			have = m->in[i].index == s;
		if (!have)
			return bad(err, errlen, "shard %llu/%llu is missing: a merge needs all %llu shards' directories",
				   (unsigned long long)s, (unsigned long long)counts[0], (unsigned long long)counts[0]);
	}
	/* n == count, indexes distinct and all there: a permutation. */
	for (size_t i = 0; i < m->n; i++)
		while (m->in[i].index != i) {
			struct merge_in t = m->in[m->in[i].index];

			m->in[m->in[i].index] = m->in[i];
			m->in[i] = t;
		}
	first = &m->in[0];
	names0 = target_names(first->run);
	for (size_t i = 1; i < m->n && rc == 0; i++) {
		json_t *a = json_object_get(first->run, "workload"), *b = json_object_get(m->in[i].run, "workload");
		struct sbuf where = {0};
		char *names;

		if (!a || !b || json_differs(a, b, "file", &where))
			rc = bad(err, errlen, "%s and %s ran different workloads (run.json workload%s%s differs): not shards of one run",
				 first->dir, m->in[i].dir, where.len ? "." : "", where.len ? where.buf : "");
		free(where.buf);
		names = target_names(m->in[i].run);
		if (rc == 0 && strcmp(names, names0) != 0)
			rc = bad(err, errlen, "%s ran targets [%s] but %s ran [%s]: run every shard with the same --target", m->in[i].dir,
				 names, first->dir, names0);
		free(names);
	}
	free(names0);
	return rc;
}

static bool same_key(const struct merge_in *a, size_t ra, const struct merge_in *b, size_t rb)
{
	for (int k = 0; k < MERGE_KEY_COLS; k++)
		if (strcmp(chart_table_cell(a->sum, ra, a->key[k]), chart_table_cell(b->sum, rb, b->key[k])) != 0)
			return false;
	return true;
}

static uint64_t cell_u64(const struct merge_in *in, size_t row, const char *col)
{
	uint64_t v = 0;

	util_parse_u64(chart_table_cell(in->sum, row, chart_table_col(in->sum, col)), &v);
	return v;
}

/* The .hist of input in's summary row `row`, or NULL. */
static struct merge_hist *hist_of(struct merge_in *in, size_t row)
{
	for (size_t h = 0; h < in->n_hists; h++) {
		bool same = true;

		for (int k = 0; k < MERGE_KEY_COLS && same; k++)
			same = strcmp(in->hists[h].key[k], chart_table_cell(in->sum, row, in->key[k])) == 0;
		if (same)
			return &in->hists[h];
	}
	return NULL;
}

/* Adds src into *dst (a copy when *dst is NULL). Returns 0 or -1 when the
 * layouts differ. */
static int hist_add(struct hist **dst, const struct hist *src)
{
	if (!*dst) {
		*dst = hist_new_latency();
		if (hist_merge(*dst, src) == 0)
			return 0;
		/* Not the latency layout: a layout of its own, as written. */
		hist_free(*dst);
		*dst = NULL;
		return -1;
	}
	return hist_merge(*dst, src) == 0 ? 0 : -1;
}

/* The merged rows: every summary.csv row of every shard, paired by key, in
 * the order they first appear; each with its shards' histograms added up.
 * Returns 0, or -1 with err set. */
static int pair_rows(struct merge *m, char *err, size_t errlen)
{
	for (size_t i = 0; i < m->n; i++) {
		struct merge_in *in = &m->in[i];

		for (size_t r = 0; r < in->sum->nrows; r++) {
			struct merge_row *row = NULL;
			struct merge_hist *h = hist_of(in, r);

			for (size_t k = 0; k < m->n_rows && !row; k++) {
				size_t s = 0;

				while (m->rows[k].src[s] == SIZE_MAX)
					s++;
				if (same_key(&m->in[s], m->rows[k].src[s], in, r))
					row = &m->rows[k];
			}
			if (!row) {
				m->rows = xrealloc(m->rows, (m->n_rows + 1) * sizeof(*m->rows));
				row = &m->rows[m->n_rows++];
				memset(row, 0, sizeof(*row));
				row->src = xmalloc(m->n * sizeof(*row->src));
				row->hist = xcalloc(m->n, sizeof(*row->hist));
				for (size_t s = 0; s < m->n; s++)
					row->src[s] = SIZE_MAX;
			}
			if (row->src[i] != SIZE_MAX)
				return bad(err, errlen, "%s/summary.csv: two rows for the same target, phase, op, sweep point and repeat "
					   "(line %zu)", in->dir, in->sum->lines[r]);
			row->src[i] = r;
			if (!h && (cell_u64(in, r, "ops") > 0))
				return bad(err, errlen, "%s: no latency/*.hist for summary.csv line %zu (%s %s %s): made by a bench "
					   "without merge support? Run the shard again", in->dir, in->sum->lines[r],
					   chart_table_cell(in->sum, r, in->key[1]), chart_table_cell(in->sum, r, in->key[2]),
					   chart_table_cell(in->sum, r, in->key[3]));
			if (!h)
				continue;
			if (hist_count(h->lat) != cell_u64(in, r, "ops") || hist_count(h->unc) != hist_count(h->lat))
				return bad(err, errlen, "%s/latency/%s.hist holds %llu latencies, but its summary.csv row (line %zu) %llu ops: "
					   "not the histogram of that run", in->dir, h->name,
					   (unsigned long long)hist_count(h->lat), in->sum->lines[r],
					   (unsigned long long)cell_u64(in, r, "ops"));
			h->used = true;
			row->hist[i] = h;
			if (!row->name)
				row->name = h->name;
			if (hist_add(&row->lat, h->lat) < 0 || hist_add(&row->unc, h->unc) < 0)
				return bad(err, errlen, "%s/latency/%s.hist: a histogram layout other than bench's latency layout",
					   in->dir, h->name);
		}
		for (size_t h = 0; h < in->n_hists; h++)
			if (!in->hists[h].used)
				return bad(err, errlen, "%s/latency/%s.hist matches no row of its summary.csv", in->dir, in->hists[h].name);
	}
	return 0;
}

void merge_free(struct merge *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		struct merge_in *in = &m->in[i];

		for (size_t h = 0; h < in->n_hists; h++) {
			free(in->hists[h].name);
			for (int k = 0; k < MERGE_KEY_COLS; k++)
				free(in->hists[h].key[k]);
			hist_free(in->hists[h].lat);
			hist_free(in->hists[h].unc);
		}
		free(in->hists);
		json_decref(in->run);
		chart_table_free(in->sum);
		chart_table_free(in->ts);
	}
	for (size_t r = 0; r < m->n_rows; r++) {
		free(m->rows[r].src);
		free(m->rows[r].hist);
		hist_free(m->rows[r].lat);
		hist_free(m->rows[r].unc);
	}
	for (size_t i = 0; i < m->n_warnings; i++)
		free(m->warnings[i]);
	free(m->warnings);
	free(m->rows);
	free(m->in);
	free(m->command);
	free(m);
}

struct merge *merge_load(const char *const *dirs, size_t n, const char *command, char *err, size_t errlen)
{
	struct merge *m = xcalloc(1, sizeof(*m));
	uint64_t *counts = xcalloc(n, sizeof(*counts));
	int rc = 0;

	m->n = n;
	m->command = xstrdup(command);
	m->in = xcalloc(n, sizeof(*m->in));
	for (size_t i = 0; i < n && rc == 0; i++) {
		m->in[i].dir = dirs[i];
		rc = load_input(&m->in[i], &counts[i], err, errlen);
	}
	if (rc == 0)
		rc = check_shards(m, counts, err, errlen);
	if (rc == 0)
		rc = pair_rows(m, err, errlen);
	free(counts);
	if (rc < 0) {
		merge_free(m);
		return NULL;
	}
	warn_partial(m);
	for (size_t i = 0; i < n; i++) {
		const char *s = report_json_str(m->in[i].run, "started_utc");

		/* It names the directory: a stamp (digits, T, Z) or nothing. */
		if (s && strspn(s, "0123456789TZ") == strlen(s) && strlen(s) < sizeof(m->started) &&
		    (!m->started[0] || strcmp(s, m->started) < 0))
			snprintf(m->started, sizeof(m->started), "%s", s);
	}
	if (!m->started[0])
		util_utc_stamp(m->started, sizeof(m->started));
	return m;
}

char *merge_create(struct merge *m, const char *out, char *err, size_t errlen)
{
	const char *wname = report_json_str(json_object_get(m->in[0].run, "workload"), "name");
	char *name = xasprintf("%s-merged", wname ? wname : "run");
	char *final = outdir_create(out, m->started, name, merge_write, m, err, errlen);

	free(name);
	return final;
}

size_t merge_warnings(const struct merge *m, const char *const **out)
{
	*out = (const char *const *)m->warnings;
	return m->n_warnings;
}
