/*
 * aggregate_term.c - the comparison that ends `bench run` on the terminal.
 *
 * One table per phase, in the workload's order, so load rows stand apart
 * from run rows, under a title that says what the phase ran (its clients
 * as they ran, not the sweep's; pipeline or batch; rate): per op and target the ops/s and p99 (mean ± the 95%
 * interval's half-width with repeats), the ratio to the best target with
 * its interval and the verdict, the hit ratio of reads, and failures when
 * there are any; a note under the table names every target whose mix
 * differs; the phase's CPU per op (one figure for all its ops) once,
 * below. With a sweep, each op is one table of sweep point (key=value) x
 * target. Repeats are folded into the figures, never rows of their own. Every
 * name from the workload goes through escape_terminal.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "escape.h"
#include "results.h"
#include "secret.h"
#include "util.h"

/* ---- a table of text cells, aligned ---- */

#define GRID_MAX_COLS 32 /* a sweep table: 15 targets */

struct grid {
	size_t ncols, nrows;
	char **cells;   /* nrows x ncols, owned */
	unsigned right; /* bit i: column i is right-aligned (figures) */
};

/* Appends a row of ncols cells (each taken: malloc'd or NULL for ""). */
static void grid_row(struct grid *g, char **cells)
{
	g->cells = xrealloc(g->cells, (g->nrows + 1) * g->ncols * sizeof(*g->cells));
	for (size_t i = 0; i < g->ncols; i++)
		g->cells[g->nrows * g->ncols + i] = cells[i] ? cells[i] : xstrdup("");
	g->nrows++;
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->nrows * g->ncols; i++)
		free(g->cells[i]);
	free(g->cells);
	g->cells = NULL;
	g->nrows = 0;
}

/* Width on a terminal: UTF-8 continuation bytes take no column. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* Prints g indented, two spaces between columns; a column empty in every
 * row but the header is left out. */
static void grid_print(struct grid *g, FILE *out, const char *indent)
{
	size_t w[GRID_MAX_COLS] = {0};
	bool used[GRID_MAX_COLS] = {false};

	for (size_t r = 0; r < g->nrows; r++)
		for (size_t c = 0; c < g->ncols; c++) {
			const char *s = g->cells[r * g->ncols + c];

			if (text_width(s) > w[c])
				w[c] = text_width(s);
			used[c] |= r > 0 && *s;
		}
	for (size_t r = 0; r < g->nrows; r++) {
		struct sbuf line = {0};

		sbuf_addf(&line, "%s", indent);
		for (size_t c = 0; c < g->ncols; c++) {
			const char *s = g->cells[r * g->ncols + c];
			size_t pad = w[c] - text_width(s);

			if (!used[c])
				continue;
			if (g->right & (1u << c))
				sbuf_addf(&line, "%*s%s  ", (int)pad, "", s);
			else
				sbuf_addf(&line, "%s%*s  ", s, (int)pad, "");
		}
		while (line.len && line.buf[line.len - 1] == ' ')
			line.buf[--line.len] = '\0';
		fprintf(out, "%s\n", line.buf);
		free(line.buf);
	}
	grid_free(g);
}

static char *term(const char *s)
{
	struct sbuf sb = {0};

	escape_terminal(&sb, s);
	return sb.buf ? sbuf_take(&sb) : xstrdup("");
}

/* ---- cells ---- */

/* Decimals for a figure of metric m around v. */
static int decimals(enum agg_metric m, double v)
{
	if (m == AGG_HIT_RATIO)
		return 3;
	if (m == AGG_CLIENT_CPU || m == AGG_SERVER_CPU)
		return 2;
	return fabs(v) >= 1000 ? 0 : 1;
}

/* "55012 ± 1203", "55012" with one repeat, "-" when not measured,
 * "unsupported" for an op the target never sent. */
static char *stat_cell(const struct agg_row *r, enum agg_metric m)
{
	const struct agg_stat *s = &r->m[m];
	int d = decimals(m, s->mean);

	if (r->sent == 0 && r->unsupported)
		return xstrdup("unsupported");
	if (!s->n)
		return xstrdup("-");
	if (s->n < 2)
		return xasprintf("%.*f", d, s->mean);
	return xasprintf("%.*f ± %.*f", d, s->mean, d, (s->ci_high - s->ci_low) / 2);
}

/* A ratio to three digits, and whole from 1000 on (never 1.02e+03). */
static void add_ratio(struct sbuf *sb, double v)
{
	sbuf_addf(sb, fabs(v) >= 1000 ? "%.0f" : "%.3g", v);
}

/* "0.0335 [0.0248, 0.0438]"; the best is 1 (its interval, 1 to 1, says
 * nothing). */
static char *ratio_cell(const struct agg_cmp *c, bool interval)
{
	struct sbuf sb = {0};

	if (!c || isnan(c->ratio))
		return NULL;
	add_ratio(&sb, c->ratio);
	if (interval && !isnan(c->ratio_low) && c->verdict != AGG_BEST) {
		sbuf_addf(&sb, " [");
		add_ratio(&sb, c->ratio_low);
		sbuf_addf(&sb, ", ");
		add_ratio(&sb, c->ratio_high);
		sbuf_addf(&sb, "]");
	}
	return sbuf_take(&sb);
}

static char *verdict_cell(const struct agg_cmp *c)
{
	return c && c->verdict ? xstrdup(agg_verdict_name(c->verdict)) : NULL;
}

/* ---- the view ---- */

struct view {
	const struct aggregate *a;
	const struct results *r;
	long *cmp_of; /* n_rows x AGG_N_METRICS: index into a->cmp, or -1 */
};

static const struct agg_cmp *cmp_of(const struct view *v, size_t row, enum agg_metric m)
{
	long i = v->cmp_of[row * AGG_N_METRICS + m];

	return i < 0 ? NULL : &v->a->cmp[i];
}

static bool in_phase(const struct agg_row *r, const char *phase)
{
	return strcmp(r->phase, phase) == 0;
}

/* The distinct values of rows[i].op (or .sweep_value) of a phase, in row
 * order. */
static size_t distinct(const struct view *v, const char *phase, bool sweep, const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < v->a->n_rows; i++) {
		const struct agg_row *r = &v->a->rows[i];
		const char *x = sweep ? r->sweep_value : r->op;
		size_t j = 0;

		if (!in_phase(r, phase))
			continue;
		while (j < n && strcmp(out[j], x) != 0)
			j++;
		if (j == n)
			out[n++] = x;
	}
	return n;
}

/* The row of target at phase, op and sweep value, or -1. */
static long find_row(const struct view *v, const char *phase, const char *op, const char *point, const char *target)
{
	for (size_t i = 0; i < v->a->n_rows; i++) {
		const struct agg_row *r = &v->a->rows[i];

		if (in_phase(r, phase) && !strcmp(r->op, op) && !strcmp(r->sweep_value, point) && !strcmp(r->target, target))
			return (long)i;
	}
	return -1;
}

/* Under a phase's table: each target whose mix differs, what it ran. */
static void mix_notes(const struct view *v, const char *phase, FILE *out)
{
	const char **seen = xcalloc(v->a->n_rows + 1, sizeof(*seen));
	size_t n_seen = 0;

	for (size_t i = 0; i < v->a->n_rows; i++) {
		const struct agg_row *r = &v->a->rows[i];
		struct sbuf lacks = {0};
		char *name, *mix, *at;
		size_t k = 0;

		if (!in_phase(r, phase) || !r->mix_differs)
			continue;
		while (k < n_seen && strcmp(seen[k], r->target) != 0)
			k++;
		if (k < n_seen)
			continue;
		seen[n_seen++] = r->target;
		for (size_t j = 0; j < v->a->n_rows; j++) {
			const struct agg_row *x = &v->a->rows[j];

			if (in_phase(x, phase) && !strcmp(x->target, r->target) && !strcmp(x->sweep_value, r->sweep_value) &&
			    x->unsupported) {
				sbuf_addf(&lacks, "%s", lacks.len ? ", " : "");
				escape_terminal(&lacks, x->op);
			}
		}
		name = term(r->target);
		mix = term(r->effective_mix);
		at = *r->sweep_value ? xasprintf("%s=%s", r->sweep_key, r->sweep_value) : NULL;
		if (at) {
			char *shown = term(at);

			free(at);
			at = shown;
		}
		/* With a sweep, the first point's mix stands for the others'. */
		fprintf(out, "  * %s ran %s%s%s (%s unsupported there): not the mix the others ran, so its figures "
			"are not like for like\n", name, mix, at ? " at " : "", at ? at : "", lacks.buf ? lacks.buf : "");
		free(lacks.buf);
		free(name);
		free(mix);
		free(at);
	}
	free(seen);
}

/* The target name, marked when its mix differs. */
static char *target_cell(const struct agg_row *r)
{
	char *name = term(r->target), *s;

	if (!r->mix_differs)
		return name;
	s = xasprintf("%s *", name);
	free(name);
	return s;
}

/* Per op: each target's ops/s, p99, ratios, verdicts, hit ratio. */
static void op_table(const struct view *v, const char *phase, FILE *out)
{
	struct grid g = {.ncols = 10, .right = 1u << 2 | 1u << 5 | 1u << 8 | 1u << 9};
	char *head[] = {xstrdup("op"), xstrdup("target"), xstrdup("ops/s"), xstrdup("vs best"), xstrdup(""),
			xstrdup("p99 us"), xstrdup("vs best"), xstrdup(""), xstrdup("hit ratio"), xstrdup("failed")};
	const char *last_op = NULL;

	grid_row(&g, head);
	for (size_t i = 0; i < v->a->n_rows; i++) {
		const struct agg_row *r = &v->a->rows[i];
		const struct agg_cmp *ops = cmp_of(v, i, AGG_OPS_PER_SEC), *p99 = cmp_of(v, i, AGG_P99);
		char *cells[10] = {0};

		if (!in_phase(r, phase))
			continue;
		if (!last_op || strcmp(last_op, r->op) != 0)
			cells[0] = term(r->op);
		last_op = r->op;
		cells[1] = target_cell(r);
		cells[2] = stat_cell(r, AGG_OPS_PER_SEC);
		cells[3] = ratio_cell(ops, true);
		cells[4] = verdict_cell(ops);
		cells[5] = r->sent ? stat_cell(r, AGG_P99) : NULL;
		cells[6] = ratio_cell(p99, true);
		cells[7] = verdict_cell(p99);
		cells[8] = r->m[AGG_HIT_RATIO].n ? stat_cell(r, AGG_HIT_RATIO) : NULL;
		if (r->failed)
			cells[9] = xasprintf("%llu", (unsigned long long)r->failed);
		grid_row(&g, cells);
	}
	grid_print(&g, out, "  ");
}

/* A sweep point's row label, "clients=4": the sweep's key with its value,
 * never the bare value under a header a reader takes for what ran (a load
 * phase keeps its own clients under a sweep over the run's). */
static char *point_label(const struct view *v, const char *value)
{
	char *label = xasprintf("%s=%s", v->r->w->sweep.key, value), *shown = term(label);

	free(label);
	return shown;
}

/* A sweep: per op and metric, sweep value x target; each target has its
 * figure and, beside it, its ratio to the best and the verdict. */
static void sweep_tables(const struct view *v, const char *phase, FILE *out)
{
	const char **ops = xcalloc(v->a->n_rows + 1, sizeof(*ops)), **points = xcalloc(v->a->n_rows + 1, sizeof(*points));
	const char **targets = xcalloc(v->a->n_rows + 1, sizeof(*targets));
	size_t n_ops = distinct(v, phase, false, ops), n_points = distinct(v, phase, true, points), n_targets = 0;
	static const enum agg_metric shown[] = {AGG_OPS_PER_SEC, AGG_P99};

	for (size_t i = 0; i < v->a->n_rows; i++) {
		size_t j = 0;

		while (j < n_targets && strcmp(targets[j], v->a->rows[i].target) != 0)
			j++;
		if (in_phase(&v->a->rows[i], phase) && j == n_targets && 2 * (n_targets + 1) < GRID_MAX_COLS)
			targets[n_targets++] = v->a->rows[i].target;
	}
	for (size_t o = 0; o < n_ops; o++) {
		for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]); k++) {
			struct grid g = {.ncols = 1 + 2 * n_targets};
			char *head[GRID_MAX_COLS] = {0}, *op = term(ops[o]);

			for (size_t t = 0; t < n_targets; t++)
				g.right |= 1u << (1 + 2 * t);
			head[0] = xasprintf("%s %s", op, shown[k] == AGG_P99 ? "p99 us" : "ops/s");
			free(op);
			for (size_t t = 0; t < n_targets; t++)
				head[1 + 2 * t] = term(targets[t]);
			grid_row(&g, head);
			for (size_t p = 0; p < n_points; p++) {
				char *cells[GRID_MAX_COLS] = {0};

				cells[0] = point_label(v, points[p]);
				for (size_t t = 0; t < n_targets; t++) {
					long row = find_row(v, phase, ops[o], points[p], targets[t]);
					const struct agg_cmp *c = row < 0 ? NULL : cmp_of(v, (size_t)row, shown[k]);
					char *ratio;

					if (row < 0)
						continue;
					cells[1 + 2 * t] = stat_cell(&v->a->rows[row], shown[k]);
					ratio = ratio_cell(c, false);
					cells[2 + 2 * t] = xasprintf("%s%s%s%s%s", ratio ? "x" : "", ratio ? ratio : "",
								     c && c->verdict ? " " : "", c ? agg_verdict_name(c->verdict) : "",
								     v->a->rows[row].mix_differs ? " *" : "");
					free(ratio);
				}
				grid_row(&g, cells);
			}
			grid_print(&g, out, "  ");
		}
	}
	free(ops);
	free(points);
	free(targets);
}

/* The phase's CPU per op, one figure per target (and sweep point): every
 * op row of a phase run carries the same. */
static void cpu_table(const struct view *v, const char *phase, bool sweep, FILE *out)
{
	struct grid g = {.ncols = 4, .right = 1u << 2 | 1u << 3};
	char *head[] = {NULL, xstrdup("CPU us/op"), xstrdup("client"), xstrdup("server")};
	size_t rows = 0;

	grid_row(&g, head);
	for (size_t i = 0; i < v->a->n_rows; i++) {
		const struct agg_row *r = &v->a->rows[i];
		char *cells[4] = {0};
		bool dup = false;

		if (!in_phase(r, phase) || !r->m[AGG_CLIENT_CPU].n)
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = in_phase(&v->a->rows[j], phase) && v->a->rows[j].m[AGG_CLIENT_CPU].n &&
			      !strcmp(v->a->rows[j].target, r->target) && !strcmp(v->a->rows[j].sweep_value, r->sweep_value);
		if (dup)
			continue;
		cells[0] = sweep ? point_label(v, r->sweep_value) : NULL;
		cells[1] = term(r->target);
		cells[2] = stat_cell(r, AGG_CLIENT_CPU);
		cells[3] = stat_cell(r, AGG_SERVER_CPU);
		grid_row(&g, cells);
		rows++;
	}
	if (rows)
		grid_print(&g, out, "  ");
	grid_free(&g);
}

/* One figure of what a phase ran, over all its runs (targets, sweep
 * points, repeats): the value when they agree, or that it varies. */
struct ran_fig {
	double v;
	bool seen, varies;
};

static void ran_add(struct ran_fig *f, double v)
{
	f->varies |= f->seen && f->v != v;
	f->v = v;
	f->seen = true;
}

/* What phase `name` ran, for its title, from its runs (not from the
 * workload: a sweep point's workload, or a shard's share, may differ):
 * "4 clients, batch 100" or "clients by sweep point, pipeline 1". Under a
 * sweep that changes none of them, "... at every sweep point", so a load
 * phase's rows are not read as run with the sweep's clients. NULL
 * when no run says. */
static char *phase_ran(const struct results *r, const char *name)
{
	struct ran_fig clients = {0}, knob = {0}, rate = {0};
	const char *knob_name = "pipeline";
	struct sbuf sb = {0};

	for (size_t t = 0; t < r->n_targets; t++)
		for (size_t k = 0; r->targets[t].runs && k < r->targets[t].n_runs; k++) {
			const struct phase_result *p = &r->targets[t].runs[k];
			uint64_t n;

			if (p->warmup || strcmp(p->phase->name, name) != 0)
				continue;
			n = results_phase_clients(r, p);
			ran_add(&clients, (double)n);
			if (p->phase->type == WL_PHASE_LOAD)
				knob_name = "batch";
			if (p->phase->type != WL_PHASE_REPLICATION)
				ran_add(&knob, (double)(p->phase->type == WL_PHASE_LOAD ? p->phase->batch : p->phase->pipeline));
			ran_add(&rate, p->phase->clients ? p->phase->rate * (double)n / (double)p->phase->clients : 0);
		}
	if (!clients.seen)
		return NULL;
	if (clients.varies)
		sbuf_addf(&sb, "clients by sweep point");
	else
		sbuf_addf(&sb, "%.0f client%s", clients.v, clients.v == 1 ? "" : "s");
	if (knob.varies)
		sbuf_addf(&sb, ", %s by sweep point", knob_name);
	else if (knob.seen)
		sbuf_addf(&sb, ", %s %.0f", knob_name, knob.v);
	if (rate.varies)
		sbuf_addf(&sb, ", rate by sweep point");
	else if (rate.v > 0)
		sbuf_addf(&sb, ", open loop at %g/s", rate.v);
	if (r->w->sweep.key && !clients.varies && !knob.varies && !rate.varies)
		sbuf_addf(&sb, " at every sweep point");
	return sbuf_take(&sb);
}

/* "get 0.90, set 0.10" of a run phase (or the trace it replays); the
 * records of a load phase. */
static char *phase_desc(const struct wl_phase *ph, const struct workload *w)
{
	struct sbuf sb = {0};

	if (ph->type == WL_PHASE_LOAD)
		return xasprintf("%llu records", (unsigned long long)w->keyspace.records);
	if (ph->type == WL_PHASE_RUN && w->keyspace.trace) {
		/* The path is the user's: escaped for the terminal. */
		char *file = term(w->keyspace.trace), *d;

		if (w->keyspace.trace_speed > 0)
			d = xasprintf("trace %s (%s, speed %g)", file, trace_format_name(w->keyspace.trace_format),
				      w->keyspace.trace_speed);
		else
			d = xasprintf("trace %s (%s, closed loop)", file, trace_format_name(w->keyspace.trace_format));
		free(file);
		return d;
	}
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		if (ph->mix[op] > 0)
			sbuf_addf(&sb, "%s%s %g", sb.len ? ", " : "mix ", bench_op_name((enum bench_op)op), ph->mix[op]);
	return sb.buf ? sbuf_take(&sb) : xstrdup("");
}

static void header(const struct view *v, FILE *out)
{
	const struct workload *w = v->r->w;
	char *name = term(w->name), *file = term(w->file);

	fprintf(out, "%s (%s): %llu repeat%s", name, file, (unsigned long long)w->repeat, w->repeat == 1 ? "" : "s");
	if (w->sweep.key) {
		char *key = term(w->sweep.key);

		fprintf(out, ", sweep over %s", key);
		free(key);
	}
	fputc('\n', out);
	for (size_t i = 0; i < w->n_phases; i++) {
		char *ph = term(w->phases[i].name), *desc = phase_desc(&w->phases[i], w);

		fprintf(out, "  %s (%s): %s\n", ph, workload_phase_type_name(w->phases[i].type), desc);
		free(ph);
		free(desc);
	}
	if (v->a->max_repeats > 1)
		fputs("figures: mean ± half the 95% interval over the repeats (Student t); vs best: the target's mean "
		      "over the best's [95% interval, Fieller]; tie: its interval overlaps the best's\n", out);
	else
		fputs("figures: one repeat, so no intervals and no verdicts (repeat: 3 or more gives them); vs best: "
		      "the target's figure over the best's\n", out);
	free(name);
	free(file);
}

void agg_print(const struct aggregate *a, const struct results *r, FILE *out)
{
	struct view v = {.a = a, .r = r, .cmp_of = xcalloc(a->n_rows * AGG_N_METRICS + 1, sizeof(long))};
	bool sweep = r->w->sweep.key != NULL;

	for (size_t i = 0; i < a->n_rows * AGG_N_METRICS; i++)
		v.cmp_of[i] = -1;
	for (size_t i = 0; i < a->n_cmp; i++)
		v.cmp_of[a->cmp[i].row * AGG_N_METRICS + a->cmp[i].metric] = (long)i;
	header(&v, out);
	for (size_t i = 0; i < r->w->n_phases; i++) {
		const struct wl_phase *ph = &r->w->phases[i];
		char *name, *ran_desc;
		bool ran = false;

		for (size_t j = 0; j < a->n_rows && !ran; j++)
			ran = in_phase(&a->rows[j], ph->name);
		if (!ran)
			continue; /* no target got to it */
		name = term(ph->name);
		ran_desc = phase_ran(r, ph->name);
		fprintf(out, "\nphase %s (%s)%s%s\n", name, workload_phase_type_name(ph->type), ran_desc ? ": " : "",
			ran_desc ? ran_desc : "");
		free(ran_desc);
		free(name);
		if (sweep)
			sweep_tables(&v, ph->name, out);
		else
			op_table(&v, ph->name, out);
		mix_notes(&v, ph->name, out);
		cpu_table(&v, ph->name, sweep, out);
	}
	for (size_t i = 0, said = 0; i < r->n_targets; i++) {
		const struct target_result *t = &r->targets[i];
		char *name, *why;

		if (!t->skipped || t->n_runs)
			continue;
		name = term(t->target->name);
		why = term(t->skipped); /* may quote a server's reply */
		secret_fprintf(out, "%s%s: not run: %s\n", said++ ? "" : "\n", name, why);
		free(why);
		free(name);
	}
	free(v.cmp_of);
}
