/*
 * compare_out.c - the three outputs of `bench compare`: an aligned text
 * table, CSV (one row per key x metric, every figure at full precision) and
 * a GitHub markdown table. The table and markdown share one grid of cells;
 * names read from the inputs go through escape.h (escape_terminal,
 * escape_markdown, csv_put_field's escape_csv) so a hostile CSV cannot
 * garble a terminal, inject markup or a formula.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "compare_servers.h"
#include "csv.h"
#include "escape.h"
#include "util.h"

static const char *const verdict_names[] = {
	[COMPARE_UNCHANGED] = "unchanged",
	[COMPARE_NOT_SIGNIFICANT] = "not significant",
	[COMPARE_REGRESSION] = "regression",
	[COMPARE_IMPROVEMENT] = "improvement",
	[COMPARE_UNTESTED_WORSE] = "worse (untested)",
	[COMPARE_UNTESTED_BETTER] = "better (untested)",
	[COMPARE_TOO_SHORT] = "too short",
	[COMPARE_NOT_COMPARABLE] = "not comparable",
	[COMPARE_NOT_MEASURED] = "not measured",
	[COMPARE_ONLY_BASELINE] = "only in baseline",
	[COMPARE_ONLY_CANDIDATE] = "only in candidate",
};

static const char *const metric_names[] = {"ops_per_sec", "p50_us", "p99_us"};
static const char *const metric_labels[] = {"ops/s", "p50 us", "p99 us"};

const char *compare_verdict_name(enum compare_verdict v)
{
	return verdict_names[v];
}

const char *compare_metric_name(enum compare_metric m)
{
	return metric_names[m];
}

int compare_parse_format(const char *s, enum compare_format *out)
{
	static const char *const names[] = {"table", "csv", "markdown"};

	for (int i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum compare_format)i;
			return 0;
		}
	}
	return -1;
}

/* Both figures are there: the delta is shown, judged or not. */
static bool judged(const struct compare_cell *c)
{
	return c->verdict < COMPARE_NOT_MEASURED;
}

/* ---- the summary line ---- */

int compare_write_summary(const struct compare_result *r, FILE *out)
{
	fprintf(out, "%zu regression%s, %zu improvement%s, %zu unchanged", r->regressions,
		r->regressions == 1 ? "" : "s", r->improvements, r->improvements == 1 ? "" : "s", r->unchanged);
	if (r->not_significant)
		fprintf(out, " (%zu of them beyond the threshold but not significant)", r->not_significant);
	if (r->untested_worse || r->untested_better)
		fprintf(out, "; %zu worse and %zu better beyond the threshold, untested for significance (one run on "
			     "a side)", r->untested_worse, r->untested_better);
	if (r->too_short)
		fprintf(out, "; %zu too short to compare (a run under %g s)", r->too_short, COMPARE_MIN_DURATION_S);
	if (r->not_comparable)
		fprintf(out, "; %zu not comparable (answered by different servers)", r->not_comparable);
	if (r->not_measured)
		fprintf(out, "; %zu not measured", r->not_measured);
	if (r->only_baseline)
		fprintf(out, "; %zu row%s only in baseline", r->only_baseline, r->only_baseline == 1 ? "" : "s");
	if (r->only_candidate)
		fprintf(out, "; %zu row%s only in candidate", r->only_candidate, r->only_candidate == 1 ? "" : "s");
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

/* ---- csv ---- */

static void csv_stat(FILE *f, const struct compare_stat *s)
{
	fprintf(f, ",%zu,", s->n);
	if (s->n)
		fprintf(f, "%.10g", s->mean);
	else if (s->unsupported)
		fputs("unsupported", f);
	fputc(',', f);
	if (s->n >= 2)
		fprintf(f, "%.10g", s->ci95);
}

/* "MongoDB 7.0.14", "FerretDB v1.24.2 (SQLite), standing in for MongoDB",
 * or nothing when the side's run.json does not say. */
static void csv_server(FILE *f, const struct compare_server *s)
{
	char *text;

	if (!s)
		return;
	text = s->stands_in_for ? xasprintf("%s, standing in for %s", s->server, s->stands_in_for) : xstrdup(s->server);
	csv_put_field(f, text);
	free(text);
}

static void csv_row(FILE *f, const struct compare_result *r, const struct compare_entry *e, int m)
{
	const struct compare_cell *c = &e->m[m];
	const char *keys[] = {e->workload, e->phase, e->target, e->op, e->sweep_key, e->sweep_value};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		csv_put_field(f, keys[i]);
		fputc(',', f);
	}
	fputs(metric_names[m], f);
	csv_stat(f, &c->base);
	csv_stat(f, &c->cand);
	fputc(',', f);
	if (judged(c))
		fprintf(f, "%.10g", c->delta);
	fputc(',', f);
	if (judged(c) && isfinite(c->delta_pct))
		fprintf(f, "%.6g", c->delta_pct);
	fprintf(f, ",%s,%s,", c->significant < 0 ? "" : c->significant ? "yes" : "no", verdict_names[c->verdict]);
	csv_server(f, compare_server_of(r->base_servers, e->target));
	fputc(',', f);
	csv_server(f, compare_server_of(r->cand_servers, e->target));
	fputc('\n', f);
}

static int write_csv(const struct compare_result *r, FILE *f)
{
	fputs("workload,phase,target,op,sweep_key,sweep_value,metric,baseline_n,baseline_mean,baseline_ci95,"
	      "candidate_n,candidate_mean,candidate_ci95,delta,delta_pct,significant,verdict,baseline_server,"
	      "candidate_server\n", f);
	for (size_t i = 0; i < r->n_entries; i++)
		for (int m = 0; m < COMPARE_N_METRICS; m++)
			csv_row(f, r, &r->entries[i], m);
	return ferror(f) ? -1 : 0;
}

/* ---- the grid shared by table and markdown ---- */

enum col { COL_WORKLOAD, COL_TARGET, COL_PHASE, COL_OP, COL_SWEEP, COL_METRIC, COL_BASE, COL_CAND,
	   COL_DELTA, COL_PCT, COL_VERDICT, N_COL };

static const char *const col_titles[N_COL] = {"workload", "target", "phase", "op", "sweep", "metric",
					      "baseline", "candidate", "delta", "delta %", "verdict"};

struct grid {
	bool show[N_COL];
	bool markdown;
	char **cells; /* n_rows x N_COL, row 0 the titles; hidden columns NULL */
	size_t n_rows;
};

/* A copy of s fit for a terminal or a markdown cell. Caller frees. */
static char *clean(const char *s, bool markdown)
{
	struct sbuf sb = {0};

	if (markdown)
		escape_markdown(&sb, s);
	else
		escape_terminal(&sb, s);
	return sbuf_take(&sb);
}

/* Decimals that suit a figure of this size: 88366, 138.5, 65.90, 0.312. */
static int decimals(double x)
{
	x = fabs(x);
	return x >= 1000 ? 0 : x >= 10 ? 1 : x >= 1 ? 2 : 3;
}

/* x, without a "-0.0" when it rounds to zero. */
static double tidy(double x, int d)
{
	return fabs(x) < 0.5 * pow(10, -d) ? 0 : x;
}

static char *stat_text(const struct compare_stat *s, bool present, int d)
{
	if (!present)
		return xstrdup("-");
	if (s->n == 0)
		return xstrdup(s->unsupported ? "unsupported" : "not measured");
	if (s->n >= 2)
		return xasprintf("%.*f \u00b1 %.*f", d, s->mean, d, s->ci95);
	return xasprintf("%.*f", d, s->mean);
}

static char *verdict_text(const struct compare_cell *c, bool markdown)
{
	const char *name = verdict_names[c->verdict];
	bool marked = c->significant < 0 && (c->verdict == COMPARE_REGRESSION || c->verdict == COMPARE_IMPROVEMENT);
	const char *em = markdown && c->verdict == COMPARE_REGRESSION ? "**" : "";

	return xasprintf("%s%s%s%s", em, name, em, marked ? " (no repeats)" : "");
}

static void grid_row(struct grid *g, const struct compare_entry *e, int m)
{
	const struct compare_cell *c = &e->m[m];
	char **row = g->cells + g->n_rows++ * N_COL;
	double big = fmax(c->base.n ? fabs(c->base.mean) : 0, c->cand.n ? fabs(c->cand.mean) : 0);
	int d = decimals(big);

	row[COL_WORKLOAD] = g->show[COL_WORKLOAD] ? clean(e->workload, g->markdown) : NULL;
	row[COL_TARGET] = clean(e->target, g->markdown);
	row[COL_PHASE] = clean(e->phase, g->markdown);
	row[COL_OP] = clean(e->op, g->markdown);
	if (g->show[COL_SWEEP]) {
		char *s = e->sweep_key[0] || e->sweep_value[0] ? xasprintf("%s=%s", e->sweep_key, e->sweep_value)
							       : xstrdup("");

		row[COL_SWEEP] = clean(s, g->markdown);
		free(s);
	}
	row[COL_METRIC] = xstrdup(metric_labels[m]);
	row[COL_BASE] = stat_text(&c->base, c->verdict != COMPARE_ONLY_CANDIDATE, d);
	row[COL_CAND] = stat_text(&c->cand, c->verdict != COMPARE_ONLY_BASELINE, d);
	row[COL_DELTA] = judged(c) ? xasprintf("%+.*f", d, tidy(c->delta, d)) : xstrdup("");
	if (!judged(c))
		row[COL_PCT] = xstrdup("");
	else if (!isfinite(c->delta_pct))
		row[COL_PCT] = xstrdup("n/a");
	else
		row[COL_PCT] = xasprintf("%+.1f%%", tidy(c->delta_pct, 1));
	row[COL_VERDICT] = verdict_text(c, g->markdown);
}

static void grid_build(struct grid *g, const struct compare_result *r, bool markdown)
{
	memset(g, 0, sizeof(*g));
	g->markdown = markdown;
	for (int i = 0; i < N_COL; i++)
		g->show[i] = i != COL_WORKLOAD && i != COL_SWEEP;
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct compare_entry *e = &r->entries[i];

		g->show[COL_WORKLOAD] |= strcmp(e->workload, r->entries[0].workload) != 0;
		g->show[COL_SWEEP] |= e->sweep_key[0] || e->sweep_value[0];
	}
	g->cells = xcalloc((r->n_entries * COMPARE_N_METRICS + 1) * N_COL, sizeof(*g->cells));
	for (int i = 0; i < N_COL; i++)
		g->cells[i] = g->show[i] ? xstrdup(col_titles[i]) : NULL;
	g->n_rows = 1;
	for (size_t i = 0; i < r->n_entries; i++)
		for (int m = 0; m < COMPARE_N_METRICS; m++)
			grid_row(g, &r->entries[i], m);
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->n_rows * N_COL; i++)
		free(g->cells[i]);
	free(g->cells);
}

/* Width on a terminal: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static bool numeric_col(int i)
{
	return i == COL_BASE || i == COL_CAND || i == COL_DELTA || i == COL_PCT;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

static void print_table(const struct grid *g, FILE *f)
{
	size_t w[N_COL] = {0};
	int last = COL_VERDICT;

	for (size_t r = 0; r < g->n_rows; r++)
		for (int i = 0; i < N_COL; i++)
			if (g->show[i] && width(g->cells[r * N_COL + i]) > w[i])
				w[i] = width(g->cells[r * N_COL + i]);
	for (size_t r = 0; r < g->n_rows; r++) {
		bool first = true;

		for (int i = 0; i < N_COL; i++) {
			const char *s = g->cells[r * N_COL + i];

			if (!g->show[i])
				continue;
			if (!first)
				fputs("  ", f);
			first = false;
			if (numeric_col(i))
				pad(f, w[i] - width(s));
			fputs(s, f);
			if (!numeric_col(i) && i != last)
				pad(f, w[i] - width(s));
		}
		fputc('\n', f);
	}
}

static void print_markdown(const struct grid *g, FILE *f)
{
	for (size_t r = 0; r < g->n_rows; r++) {
		for (int i = 0; i < N_COL; i++)
			if (g->show[i])
				fprintf(f, "| %s ", g->cells[r * N_COL + i]);
		fputs("|\n", f);
		if (r > 0)
			continue;
		for (int i = 0; i < N_COL; i++)
			if (g->show[i])
				fputs(numeric_col(i) ? "|---:" : "|---", f);
		fputs("|\n", f);
	}
}

/* ---- the lines around the grid ---- */

static char *repeats_text(const size_t *n)
{
	if (n[1] <= 1)
		return xstrdup("no repeats");
	if (n[0] == n[1])
		return xasprintf("%zu repeats", n[1]);
	return xasprintf("%zu to %zu repeats", n[0], n[1]);
}

/* Regressions or improvements judged by the threshold alone (--strict). */
static bool any_unrepeated(const struct compare_result *r)
{
	for (size_t i = 0; i < r->n_entries; i++)
		for (int m = 0; m < COMPARE_N_METRICS; m++)
			if (r->entries[i].m[m].significant < 0 && (r->entries[i].m[m].verdict == COMPARE_REGRESSION ||
								    r->entries[i].m[m].verdict == COMPARE_IMPROVEMENT))
				return true;
	return false;
}

static void print_side(FILE *f, bool markdown, const char *label, const char *path, const char *workloads,
		       const size_t *repeats)
{
	char *p = clean(path, markdown), *w = clean(workloads, markdown), *n = repeats_text(repeats);
	bool several = strchr(workloads, ',') != NULL;

	if (markdown)
		fprintf(f, "**%s** %s (workload%s %s, %s)  \n", label, p, several ? "s" : "", w, n);
	else
		fprintf(f, "%-10s %s (workload%s %s, %s)\n", label, p, several ? "s" : "", w, n);
	free(p);
	free(w);
	free(n);
}

/* One warning line: "stand-in: ..." in bold for markdown (a hard break
 * after it), plain for a terminal. Takes text. */
static void warn_line(FILE *f, bool markdown, const char *what, char *text)
{
	if (markdown)
		fprintf(f, "**%s:** %s  \n", what, text);
	else
		fprintf(f, "%s: %s\n", what, text);
	free(text);
}

static void warn_stand_ins(FILE *f, bool markdown, const char *side, const struct compare_servers *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const struct compare_server *v = &s->v[i];
		char *t, *srv, *p, *for_;

		if (!v->stands_in_for)
			continue;
		t = clean(v->target, markdown);
		srv = clean(v->server, markdown);
		p = clean(v->product, markdown);
		for_ = clean(v->stands_in_for, markdown);
		warn_line(f, markdown, "stand-in",
			  xasprintf("the %s's %s target was answered by %s, standing in for %s: its figures are %s's, "
				    "not %s's", side, t, srv, for_, p, for_));
		free(t);
		free(srv);
		free(p);
		free(for_);
	}
}

int compare_write_servers(const struct compare_result *r, bool markdown, FILE *out)
{
	const struct compare_servers *b = r->base_servers, *c = r->cand_servers;

	warn_stand_ins(out, markdown, "baseline", b);
	warn_stand_ins(out, markdown, "candidate", c);
	for (size_t i = 0; b && i < b->n; i++) {
		const struct compare_server *x = &b->v[i], *y = compare_server_of(c, x->target);
		char *t, *bs, *cs;

		if (!compare_servers_differ(b, c, x->target))
			continue;
		t = clean(x->target, markdown);
		bs = clean(x->server, markdown);
		cs = clean(y->server, markdown);
		warn_line(out, markdown, "not comparable",
			  xasprintf("the %s target was answered by %s in the baseline and by %s in the candidate: "
				    "a change of server, not of speed; its changes are shown, never judged", t, bs, cs));
		free(t);
		free(bs);
		free(cs);
	}
	return ferror(out) ? -1 : 0;
}

static void print_head(const struct compare_result *r, FILE *f, bool markdown)
{
	compare_write_servers(r, markdown, f);
	print_side(f, markdown, markdown ? "Baseline" : "baseline:", r->base_path, r->base_workloads, r->base_repeats);
	print_side(f, markdown, markdown ? "Candidate" : "candidate:", r->cand_path, r->cand_workloads,
		   r->cand_repeats);
	fprintf(f, "threshold %g%%; \u00b1 is the 95%% confidence interval of the mean over repeats; a change is "
		   "significant when the two intervals do not overlap\n", r->threshold_pct);
	if (any_unrepeated(r))
		fprintf(f, "(no repeats): a side has one run, so there is no interval and, under --strict, the "
			   "threshold alone decides\n");
	if (r->untested_worse || r->untested_better)
		fprintf(f, "(untested): a side has one run, so there is no interval: these changes are untested for "
			   "significance and fail nothing (repeat the runs to test them; --strict counts the worse "
			   "as regressions)\n");
	if (r->too_short)
		fprintf(f, "too short: a run of the row measured under %g s (duration_s), too short to compare; its "
			   "change is shown, never judged\n", COMPARE_MIN_DURATION_S);
	fputc('\n', f);
}

int compare_write(const struct compare_result *r, enum compare_format fmt, FILE *out)
{
	struct grid g;

	if (fmt == COMPARE_CSV)
		return write_csv(r, out);
	grid_build(&g, r, fmt == COMPARE_MARKDOWN);
	print_head(r, out, g.markdown);
	if (g.markdown)
		print_markdown(&g, out);
	else
		print_table(&g, out);
	grid_free(&g);
	fputc('\n', out);
	return compare_write_summary(r, out);
}
