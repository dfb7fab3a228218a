/* chart_gp.c - the gnuplot scripts and their data files, one function per
 * kind of chart (docs/charts.md describes each). Every script draws SVG and
 * PNG from its own .dat file and runs by hand from the charts directory. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart_int.h"
#include "escape.h"
#include "util.h"

/* Error bars of bars as vectors from the CI's low end to its high end: the
 * errorbar styles of gnuplot 5.4 paint a white disc where a bar has no
 * point. A low end at or below 0 starts at the axis. */
static void gp_errorbars(FILE *f, bool *first, const char *dat, size_t index, int xcol, int locol)
{
	chart_gp_elem(f, first);
	chart_gp_source(f, dat, index);
	fprintf(f, " using %d:(($%d > 0) ? $%d : 1e-300):(0):($%d - (($%d > 0) ? $%d : 1e-300)) "
		   "with vectors heads size screen 0.006,90 lt -1 lw 1 noautoscale notitle",
		xcol, locol, locol, locol + 1, locol, locol);
}

/* Bars of column xcol + 1 at x column xcol of block t in colour lt, with error bars from
 * the two CI columns after it; each only when the axis can show it (s spans
 * the bars' values). */
static void gp_bars(FILE *f, bool *first, const char *dat, size_t t, int lt, int xcol, const char *fill,
		    const char *title, const struct chart_range *s, const struct chart_range *axis)
{
	if (!chart_range_drawable(s, axis, false))
		return;
	chart_gp_elem(f, first);
	chart_gp_source(f, dat, t);
	fprintf(f, " using %d:%d with boxes lt %d%s title ", xcol, xcol + 1, lt, fill);
	chart_gp_str(f, title);
	if (chart_range_drawable(s, axis, true))
		gp_errorbars(f, first, dat, t, xcol, xcol + 2);
}


/* A cluster of bars: phase, sweep point, op (op unused by the CPU chart). */
struct cluster {
	size_t p, s, o;
};

static char *cluster_label(const struct chart_model *m, const struct cluster *c, bool with_op)
{
	const char *sv = m->sweeps.v[c->s];

	if (!with_op)
		return *sv ? xasprintf("%s\n%s=%s", m->phases.v[c->p], m->sweep_key, sv) : xstrdup(m->phases.v[c->p]);
	if (m->is_load[c->p] && strcmp(m->ops.v[c->o], "load") == 0)
		return *sv ? xasprintf("%s\n%s=%s", m->phases.v[c->p], m->sweep_key, sv) : xstrdup(m->phases.v[c->p]);
	return *sv ? xasprintf("%s %s\n%s=%s", m->phases.v[c->p], m->ops.v[c->o], m->sweep_key, sv)
		   : xasprintf("%s %s", m->phases.v[c->p], m->ops.v[c->o]);
}

/* Tic labels 0 .. n-1 under clusters of bars; two_lines when a label has
 * a second line (the sweep point). */
static void gp_xtics_labels(FILE *f, char *const *labels, size_t n, bool two_lines)
{
	fprintf(f, "set xtics (");
	for (size_t c = 0; c < n; c++) {
		chart_gp_tic(f, labels[c]);
		fprintf(f, " %zu%s", c, c + 1 < n ? ", " : "");
	}
	fprintf(f, ")%s\nset xrange [-0.6:%zu.6]\n", n > 8 ? " rotate by -30" : "", n ? n - 1 : 0);
	/* gnuplot leaves too little room for two-line tic labels */
	fprintf(f, "set bmargin %d\n", (two_lines ? 5 : 3) + (n > 8 ? 3 : 0));
}

static void gp_xtics(FILE *f, const struct chart_model *m, const struct cluster *cl, size_t n, bool with_op)
{
	char **labels = xcalloc(n ? n : 1, sizeof(*labels));

	for (size_t c = 0; c < n; c++)
		labels[c] = cluster_label(m, &cl[c], with_op);
	gp_xtics_labels(f, labels, n, *m->sweep_key);
	for (size_t c = 0; c < n; c++)
		free(labels[c]);
	free(labels);
}

static unsigned max_repeats(const struct chart_acc *a, size_t n)
{
	unsigned r = 0;

	for (size_t i = 0; i < n; i++)
		r = a[i].n > r ? a[i].n : r;
	return r;
}

static const char *repeats_note(unsigned n)
{
	return n > 1 ? " (mean of repeats, 95% CI)" : "";
}

/* The x of target t's bar (of nt, each bw wide) in cluster c. */
static double bar_x(size_t c, size_t t, size_t nt, double bw)
{
	return (double)c + ((double)t - (double)(nt - 1) / 2) * bw;
}

/* A note standing at the foot of a bar: grey where the bar is missing,
 * black over one (on_bar). Untagged, so set after label 4. */
static void gp_bar_note(FILE *f, double x, const char *text, bool on_bar)
{
	fputs("set label ", f);
	chart_gp_str(f, text);
	fprintf(f, " at first %.4f, graph 0.03 rotate by 90 left font \",9\" tc rgb \"%s\" front\n", x,
		on_bar ? "#000000" : "#777777");
}

/* ---- the targets set against each other: comparison.csv ---- */

/* A target's colour: its place in summary.csv, as in every other chart. */
static int target_lt(const struct chart_model *m, const char *target)
{
	long t = chart_set_find(&m->targets, target);

	return chart_target_lt(t < 0 ? m->targets.n : (size_t)t);
}

/* "phase op" (a load phase: its name), and "key=value" below it. */
static char *group_label(const struct cmptab_group *g)
{
	char *first = strcmp(g->op, "load") == 0 ? xstrdup(g->phase) : xasprintf("%s %s", g->phase, g->op);
	char *label = *g->sweep_value ? xasprintf("%s\n%s=%s", first, g->sweep_key, g->sweep_value) : xstrdup(first);

	free(first);
	return label;
}

/* One chart: metric k of every group that has it, a bar per target with
 * its 95% interval (comparison.csv's ci_low and ci_high), a note where a
 * target's mix differed. */
static void compare_chart(struct chart_model *m, size_t k)
{
	const struct cmptab *c = m->cmp;
	size_t nt = c->ntargets, n = 0;
	size_t *cl = xcalloc(c->ngroups + 1, sizeof(*cl));
	struct chart_range yr = {0}, *tr = xcalloc(nt + 1, sizeof(*tr));
	double bw = 0.8 / (double)(nt ? nt : 1), reps = 0;
	const char *label = cmptab_metric_label(c->metrics[k]);
	bool higher = false, two_lines = false;
	char *base, *name, *dat, *title, *yl;
	FILE *f;

	for (size_t g = 0; g < c->ngroups; g++) {
		bool any = false;

		for (size_t t = 0; t < nt; t++) {
			const struct cmptab_row *r = cmptab_find(c, g, k, t);

			if (r && isfinite(r->mean)) {
				any = true;
				higher = r->higher;
				reps = isfinite(r->n) && r->n > reps ? r->n : reps;
			}
		}
		if (any) {
			cl[n++] = g;
			two_lines |= *c->groups[g].sweep_value != '\0';
		}
	}
	if (n == 0)
		goto done;
	base = xasprintf("compare-%s", c->metrics[k]);
	name = chart_new_name(m, base);
	dat = xasprintf("%s.dat", name);
	title = xasprintf("Targets compared: %s (%s is better)", label, higher ? "higher" : "lower");
	f = chart_open(m, name, "dat");
	if (f) {
		fputs("# ", f);
		chart_gp_str(f, title);
		fprintf(f, ", from ../comparison.csv: one block per target (gnuplot's index),\n"
			   "# one line per phase x op x sweep point: x, mean, ci_low, ci_high; ? = none\n");
		for (size_t t = 0; t < nt; t++) {
			chart_dat_block(f, t, "target", c->targets[t]);
			for (size_t i = 0; i < n; i++) {
				const struct cmptab_row *r = cmptab_find(c, cl[i], k, t);
				double v = r ? r->mean : NAN, lo = r ? r->ci_low : NAN, hi = r ? r->ci_high : NAN;

				fprintf(f, "%.4f", bar_x(i, t, nt, bw));
				chart_dat_num(f, v);
				chart_dat_num(f, lo);
				chart_dat_num(f, hi);
				fputc('\n', f);
				chart_range_add_ci(&yr, v, lo, hi);
				chart_range_add_ci(&tr[t], v, lo, hi);
			}
		}
	}
	chart_close(m, f, dat);
	f = chart_open(m, name, "gp");
	if (f) {
		char **labels = xcalloc(n, sizeof(*labels));
		struct sbuf gone = {0};
		bool first = true;

		chart_gp_begin(f, name, title, "../comparison.csv");
		yl = xasprintf("%s%s", label, reps > 1 ? " (mean of repeats, 95% CI)" : "");
		chart_gp_set(f, "", "ylabel", yl);
		free(yl);
		fprintf(f, "set style fill solid 0.85 border -1\nset boxwidth %.4f absolute\n", bw * 0.9);
		fprintf(f, "set key outside top center horizontal samplen 2 width 2\n");
		for (size_t i = 0; i < n; i++)
			labels[i] = group_label(&c->groups[cl[i]]);
		gp_xtics_labels(f, labels, n, two_lines);
		for (size_t i = 0; i < n; i++)
			free(labels[i]);
		free(labels);
		chart_gp_yaxis(f, &yr, "");
		for (size_t t = 0; t < nt; t++)
			if (!chart_range_drawable(&tr[t], &yr, false))
				sbuf_addf(&gone, "%s%s", gone.len ? ", " : "", c->targets[t]);
		chart_gp_not_drawn(f, gone.buf, "");
		free(gone.buf);
		for (size_t i = 0; i < n; i++)
			for (size_t t = 0; t < nt; t++) {
				const struct cmptab_row *r = cmptab_find(c, cl[i], k, t);

				if (!r)
					gp_bar_note(f, bar_x(i, t, nt, bw), "not run", false);
				else if (!isfinite(r->mean))
					gp_bar_note(f, bar_x(i, t, nt, bw), "no figure", false);
				else if (r->mix_differs)
					gp_bar_note(f, bar_x(i, t, nt, bw), "mix differs", true);
			}
		chart_gp_outputs(f, name, n * nt * 26 + 200 > CHART_W ? (int)(n * nt * 26 + 200) : CHART_W, CHART_H);
		fprintf(f, "  plot \\\n");
		for (size_t t = 0; t < nt; t++)
			gp_bars(f, &first, dat, t, target_lt(m, c->targets[t]), 1, "", c->targets[t], &tr[t], &yr);
		chart_gp_plot_end(f, first);
		chart_gp_end(f);
	}
	if (chart_close(m, f, name) == 0)
		chart_register(m, name, title);
	free(title);
	free(dat);
	free(name);
	free(base);
done:
	free(tr);
	free(cl);
}

void chart_gp_compare(struct chart_model *m)
{
	for (size_t k = 0; m->cmp && k < m->cmp->nmetrics; k++)
		compare_chart(m, k);
}

void chart_gp_throughput(struct chart_model *m)
{
	size_t np = m->phases.n, no = m->ops.n, ns = m->sweeps.n, nt = m->targets.n, n = 0;
	struct cluster *cl = xcalloc(np * no * ns, sizeof(*cl));
	struct chart_range yr = {0}, *tr = xcalloc(nt ? nt : 1, sizeof(*tr));
	double bw = nt ? 0.8 / (double)nt : 0.8;
	char *name, *dat, *yl = NULL;
	FILE *f;
	unsigned reps = max_repeats(m->tput, np * no * ns * nt);

	for (size_t p = 0; p < np; p++)
		for (size_t s = 0; s < ns; s++)
			for (size_t o = 0; o < no; o++)
				for (size_t t = 0; t < nt; t++)
					if (m->tput[CHART_IX4(m, p, o, s, t)].n || m->unsup[CHART_IX4(m, p, o, s, t)]) {
						cl[n++] = (struct cluster){p, s, o};
						break;
					}
	if (n == 0)
		goto done;
	name = chart_new_name(m, "throughput");
	dat = xasprintf("%s.dat", name);
	f = chart_open(m, name, "dat");
	if (f) {
		fprintf(f, "# Throughput from ../summary.csv: one block per target (gnuplot's index),\n"
			   "# one line per bar: x, mean ops/s, low and high end of the 95%% CI\n");
		for (size_t t = 0; t < nt; t++) {
			chart_dat_block(f, t, "target", m->targets.v[t]);
			for (size_t c = 0; c < n; c++) {
				const struct chart_acc *a = &m->tput[CHART_IX4(m, cl[c].p, cl[c].o, cl[c].s, t)];

				fprintf(f, "%.4f", bar_x(c, t, nt, bw));
				chart_dat_mean_ci(f, a);
				fputc('\n', f);
				chart_range_add(&yr, a);
				chart_range_add(&tr[t], a);
			}
		}
	}
	chart_close(m, f, dat);
	f = chart_open(m, name, "gp");
	if (f) {
		struct sbuf gone = {0};
		bool first = true;

		chart_gp_begin(f, name, "Throughput per target and op", "../summary.csv");
		yl = xasprintf("ops/s%s", repeats_note(reps));
		chart_gp_set(f, "", "ylabel", yl);
		fprintf(f, "set style fill solid 0.85 border -1\nset boxwidth %.4f absolute\n", bw * 0.9);
		fprintf(f, "set key outside top center horizontal samplen 2 width 2\n");
		gp_xtics(f, m, cl, n, true);
		chart_gp_yaxis(f, &yr, "");
		for (size_t t = 0; t < nt; t++)
			if (!chart_range_drawable(&tr[t], &yr, false))
				sbuf_addf(&gone, "%s%s", gone.len ? ", " : "", m->targets.v[t]);
		chart_gp_not_drawn(f, gone.buf, "");
		free(gone.buf);
		/* after label 4: an untagged label takes the first free tag */
		for (size_t c = 0; c < n; c++)
			for (size_t t = 0; t < nt; t++)
				if (m->unsup[CHART_IX4(m, cl[c].p, cl[c].o, cl[c].s, t)])
					gp_bar_note(f, bar_x(c, t, nt, bw), "unsupported", false);
		chart_gp_outputs(f, name, n * nt * 26 + 200 > CHART_W ? (int)(n * nt * 26 + 200) : CHART_W, CHART_H);
		fprintf(f, "  plot \\\n");
		for (size_t t = 0; t < nt; t++)
			gp_bars(f, &first, dat, t, chart_target_lt(t), 1, "", m->targets.v[t], &tr[t], &yr);
		chart_gp_plot_end(f, first);
		chart_gp_end(f);
	}
	if (chart_close(m, f, name) == 0)
		chart_register(m, name, "Throughput per target and op");
	free(yl);
	free(dat);
	free(name);
done:
	free(tr);
	free(cl);
}

void chart_gp_cpu(struct chart_model *m)
{
	size_t np = m->phases.n, ns = m->sweeps.n, nt = m->targets.n, n = 0;
	struct cluster *cl = xcalloc(np * ns, sizeof(*cl));
	struct chart_range yr = {0}, *sr = xcalloc(nt ? nt : 1, sizeof(*sr)), *cr = xcalloc(nt ? nt : 1, sizeof(*cr));
	double bw = nt ? 0.8 / (double)(2 * nt) : 0.8;
	unsigned reps = max_repeats(m->ccpu, np * ns * nt);
	char *name, *dat, *yl = NULL;
	FILE *f;

	for (size_t p = 0; p < np; p++)
		for (size_t s = 0; s < ns; s++)
			for (size_t t = 0; t < nt; t++)
				if (m->ccpu[CHART_IX3(m, p, s, t)].n || m->scpu[CHART_IX3(m, p, s, t)].n) {
					cl[n++] = (struct cluster){p, s, 0};
					break;
				}
	if (n == 0)
		goto done;
	name = chart_new_name(m, "cpu");
	dat = xasprintf("%s.dat", name);
	f = chart_open(m, name, "dat");
	if (f) {
		fprintf(f, "# CPU µs per op from ../summary.csv (server_cpu_us_per_op, client_cpu_us_per_op):\n"
			   "# one block per target, one line per phase run: x, server mean, CI low, CI high,\n"
			   "# x, client (bench) mean, CI low, CI high; ? = unknown\n");
		for (size_t t = 0; t < nt; t++) {
			chart_dat_block(f, t, "target", m->targets.v[t]);
			for (size_t c = 0; c < n; c++) {
				size_t j = CHART_IX3(m, cl[c].p, cl[c].s, t);
				double x = (double)c + ((double)(2 * t) - (double)(2 * nt - 1) / 2) * bw;

				fprintf(f, "%.4f", x);
				chart_dat_mean_ci(f, &m->scpu[j]);
				fprintf(f, " %.4f", x + bw);
				chart_dat_mean_ci(f, &m->ccpu[j]);
				fputc('\n', f);
				chart_range_add(&yr, &m->scpu[j]);
				chart_range_add(&yr, &m->ccpu[j]);
				chart_range_add(&sr[t], &m->scpu[j]);
				chart_range_add(&cr[t], &m->ccpu[j]);
			}
		}
	}
	chart_close(m, f, dat);
	f = chart_open(m, name, "gp");
	if (f) {
		bool first = true;

		chart_gp_begin(f, name, "CPU time per op: server (solid) and bench client (hatched)", "../summary.csv");
		yl = xasprintf("CPU µs per op%s", repeats_note(reps));
		chart_gp_set(f, "", "ylabel", yl);
		fprintf(f, "set style fill solid 0.85 border -1\nset boxwidth %.4f absolute\n", bw * 0.9);
		fprintf(f, "set key outside top center horizontal samplen 2 width 2\n");
		gp_xtics(f, m, cl, n, false);
		chart_gp_yaxis(f, &yr, "");
		{
			struct sbuf unknown = {0}, gone = {0};

			/* Unknown (no figure at all) is said apart from a figure this
			 * axis cannot show (0 on a log axis). */
			for (size_t t = 0; t < nt; t++) {
				if (!sr[t].any)
					sbuf_addf(&unknown, "%s%s", unknown.len ? ", " : "", m->targets.v[t]);
				else if (!chart_range_drawable(&sr[t], &yr, false))
					sbuf_addf(&gone, "%s%s server", gone.len ? ", " : "", m->targets.v[t]);
				if (!chart_range_drawable(&cr[t], &yr, false))
					sbuf_addf(&gone, "%s%s client", gone.len ? ", " : "", m->targets.v[t]);
			}
			if (unknown.len) {
				char *note = xasprintf("server CPU unknown for: %s", unknown.buf);

				fprintf(f, "set label 3 ");
				chart_gp_str(f, note);
				fprintf(f, " at graph 0.01, graph 0.97 left tc rgb \"#777777\"\n");
				free(note);
			}
			chart_gp_not_drawn(f, gone.buf, "");
			free(unknown.buf);
			free(gone.buf);
		}
		chart_gp_outputs(f, name, n * nt * 40 + 200 > CHART_W ? (int)(n * nt * 40 + 200) : CHART_W, CHART_H);
		fprintf(f, "  plot \\\n");
		for (size_t t = 0; t < nt; t++) {
			char *ts = xasprintf("%s server", m->targets.v[t]);
			char *tc = xasprintf("%s client", m->targets.v[t]);

			gp_bars(f, &first, dat, t, chart_target_lt(t), 1, " fs solid 0.85", ts, &sr[t], &yr);
			gp_bars(f, &first, dat, t, chart_target_lt(t), 5, " fs pattern 4", tc, &cr[t], &yr);
			free(ts);
			free(tc);
		}
		chart_gp_plot_end(f, first);
		chart_gp_end(f);
	}
	if (chart_close(m, f, name) == 0)
		chart_register(m, name, "CPU time per op: server and bench client");
	free(yl);
	free(dat);
	free(name);
done:
	free(sr);
	free(cr);
	free(cl);
}

/* The sweep's x axis: the values themselves when all are numbers (log when
 * they span a factor 8 or more: 1, 4, 16, 64 clients), else their order. */
static void sweep_axis(const struct chart_model *m, double *x, FILE *f)
{
	size_t ns = m->sweeps.n;
	bool numeric = true;
	double lo = 0, hi = 0;

	for (size_t s = 0; s < ns; s++) {
		if (util_parse_double(m->sweeps.v[s], &x[s]) < 0)
			numeric = false;
		else if (s == 0 || x[s] < lo)
			lo = x[s];
		if (numeric && (s == 0 || x[s] > hi))
			hi = x[s];
	}
	if (!numeric)
		for (size_t s = 0; s < ns; s++)
			x[s] = (double)s;
	chart_gp_set(f, "", "xlabel", m->sweep_key);
	fprintf(f, "set xtics (");
	for (size_t s = 0; s < ns; s++) {
		chart_gp_tic(f, m->sweeps.v[s]);
		fprintf(f, " %.6g%s", x[s], s + 1 < ns ? ", " : "");
	}
	fprintf(f, ")\n");
	if (numeric && lo > 0 && hi / lo >= 8)
		fprintf(f, "set logscale x 2\nset xrange [%.6g:%.6g]\n", lo / 1.3, hi * 1.3);
	else if (numeric)
		fprintf(f, "set xrange [%.6g:%.6g]\n", lo - (hi - lo) * 0.08 - (hi == lo), hi + (hi - lo) * 0.08 + (hi == lo));
	else
		fprintf(f, "set xrange [-0.3:%zu.3]\n", ns - 1);
}

/* One panel: column col of every target's block; per[t] spans target t's
 * values, yr all of them. */
static void sweep_panel(FILE *f, const struct chart_model *m, const char *dat, int col, const struct chart_range *yr,
			const struct chart_range *per, const char *ylabel)
{
	size_t nt = m->targets.n;
	struct sbuf gone = {0};
	bool first = true;

	chart_gp_set(f, "  ", "ylabel", ylabel);
	chart_gp_yaxis(f, yr, "  ");
	for (size_t t = 0; t < nt; t++)
		if (!chart_range_drawable(&per[t], yr, false))
			sbuf_addf(&gone, "%s%s", gone.len ? ", " : "", m->targets.v[t]);
	chart_gp_not_drawn(f, gone.buf, "  ");
	free(gone.buf);
	fprintf(f, "  plot \\\n");
	for (size_t t = 0; t < nt; t++) {
		if (!chart_range_drawable(&per[t], yr, false))
			continue;
		chart_gp_elem(f, &first);
		chart_gp_source(f, dat, t);
		fprintf(f, " using 1:%d with linespoints lt %d title ", col, chart_target_lt(t));
		chart_gp_str(f, m->targets.v[t]);
		if (chart_range_drawable(&per[t], yr, true)) {
			chart_gp_elem(f, &first);
			chart_gp_source(f, dat, t);
			fprintf(f, " using 1:%d:%d:%d with yerrorbars lt %d lw 1 notitle", col, col + 1, col + 2,
				chart_target_lt(t));
		}
	}
	chart_gp_plot_end(f, first);
}

void chart_gp_sweep(struct chart_model *m)
{
	size_t np = m->phases.n, no = m->ops.n, ns = m->sweeps.n, nt = m->targets.n;
	double *x;

	if (!*m->sweep_key || ns == 0)
		return;
	x = xcalloc(ns, sizeof(*x));
	for (size_t p = 0; p < np; p++) {
		for (size_t o = 0; o < no; o++) {
			struct chart_range tr = {0}, lr = {0};
			struct chart_range *ttr = xcalloc(nt ? nt : 1, sizeof(*ttr)), *tlr = xcalloc(nt ? nt : 1, sizeof(*tlr));
			bool any = false;
			char *base, *name, *dat, *title;
			FILE *f;
			unsigned reps = 0;

			for (size_t s = 0; s < ns; s++)
				for (size_t t = 0; t < nt; t++)
					any |= m->tput[CHART_IX4(m, p, o, s, t)].n > 0;
			if (!any) {
				free(ttr);
				free(tlr);
				continue;
			}
			base = xasprintf("sweep-%s-%s", m->phases.v[p], m->ops.v[o]);
			name = chart_new_name(m, base);
			dat = xasprintf("%s.dat", name);
			title = xasprintf("Sweep over %s: phase %s, op %s", m->sweep_key, m->phases.v[p], m->ops.v[o]);
			f = chart_open(m, name, "gp");
			if (f) {
				chart_gp_begin(f, name, title, "../summary.csv");
				sweep_axis(m, x, f);
			}
			if (f) {
				FILE *d = chart_open(m, name, "dat");

				if (d) {
					fputs("# ", d);
					chart_gp_str(d, title);
					fprintf(d, ", from ../summary.csv: one block per target, one line per sweep point:\n"
						   "# x, mean ops/s, CI low, CI high, mean p99 µs, CI low, CI high\n");
				}
				for (size_t t = 0; d && t < nt; t++) {
					chart_dat_block(d, t, "target", m->targets.v[t]);
					for (size_t s = 0; s < ns; s++) {
						size_t i = CHART_IX4(m, p, o, s, t);

						fprintf(d, "%.6g", x[s]);
						chart_dat_mean_ci(d, &m->tput[i]);
						chart_dat_mean_ci(d, &m->p99[i]);
						fputc('\n', d);
						chart_range_add(&tr, &m->tput[i]);
						chart_range_add(&lr, &m->p99[i]);
						chart_range_add(&ttr[t], &m->tput[i]);
						chart_range_add(&tlr[t], &m->p99[i]);
						reps = m->tput[i].n > reps ? m->tput[i].n : reps;
					}
				}
				chart_close(m, d, dat);
				fprintf(f, "set key outside right top\nunset title\n");
				chart_gp_outputs(f, name, CHART_W, CHART_H2);
				fprintf(f, "  set multiplot layout 2,1 title ");
				chart_gp_str(f, title);
				fprintf(f, "\n");
				{
					char *yl = xasprintf("ops/s%s", repeats_note(reps));

					sweep_panel(f, m, dat, 2, &tr, ttr, yl);
					free(yl);
					yl = xasprintf("p99 latency (µs)%s", repeats_note(reps));
					sweep_panel(f, m, dat, 5, &lr, tlr, yl);
					free(yl);
				}
				fprintf(f, "  unset multiplot\n");
				chart_gp_end(f);
			}
			if (chart_close(m, f, name) == 0)
				chart_register(m, name, title);
			free(ttr);
			free(tlr);
			free(title);
			free(dat);
			free(name);
			free(base);
		}
	}
	free(x);
}

