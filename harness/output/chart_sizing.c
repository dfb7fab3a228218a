/* chart_sizing.c - the cache-sizing curve: under a sweep over
 * server.memory, one chart per target with three panels against the
 * memory (hit ratio, ops/s and p99 of its gets), a line per run phase
 * (docs/charts.md, "sizing-<target>"). The miss-ratio curve a cache is
 * sized by. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_int.h"
#include "util.h"

enum { PANEL_HIT, PANEL_TPUT, PANEL_P99, PANEL__COUNT };

/* The memory of every sweep point in MiB; false when one is no size (a
 * summary.csv edited by hand), and then no chart. */
static bool memory_axis(const struct chart_model *m, double *x)
{
	for (size_t s = 0; s < m->sweeps.n; s++) {
		uint64_t b;

		if (util_parse_size(m->sweeps.v[s], &b) < 0)
			return false;
		x[s] = (double)b / (1024.0 * 1024.0);
	}
	return true;
}

static void x_axis(FILE *f, const struct chart_model *m, const double *x)
{
	double lo = x[0], hi = x[0];

	for (size_t s = 1; s < m->sweeps.n; s++) {
		lo = x[s] < lo ? x[s] : lo;
		hi = x[s] > hi ? x[s] : hi;
	}
	chart_gp_set(f, "", "xlabel", "server.memory (MiB)");
	fprintf(f, "set xtics (");
	for (size_t s = 0; s < m->sweeps.n; s++) {
		chart_gp_tic(f, m->sweeps.v[s]);
		fprintf(f, " %.6g%s", x[s], s + 1 < m->sweeps.n ? ", " : "");
	}
	fprintf(f, ")\n");
	if (lo > 0 && hi / lo >= 8)
		fprintf(f, "set logscale x 2\nset xrange [%.6g:%.6g]\n", lo / 1.3, hi * 1.3);
	else
		fprintf(f, "set xrange [%.6g:%.6g]\n", lo - (hi - lo) * 0.08 - (hi == lo), hi + (hi - lo) * 0.08 + (hi == lo));
}

/* One panel: column col (mean, CI low, CI high) of each phase's block. */
static void panel(FILE *f, const char *dat, const bool *has, size_t np, const struct chart_model *m, int col,
		  const struct chart_range *yr, const char *ylabel, bool ratio)
{
	bool first = true;
	size_t block = 0;

	chart_gp_set(f, "  ", "ylabel", ylabel);
	if (ratio)
		fprintf(f, "  unset logscale y\n  set yrange [0:1.05]\n");
	else
		chart_gp_yaxis(f, yr, "  ");
	fprintf(f, "  plot \\\n");
	for (size_t p = 0; p < np; p++) {
		if (!has[p])
			continue;
		chart_gp_elem(f, &first);
		chart_gp_source(f, dat, block);
		fprintf(f, " using 1:%d with linespoints lt %zu title ", col, p % 8 + 1);
		chart_gp_str(f, m->phases.v[p]);
		chart_gp_elem(f, &first);
		chart_gp_source(f, dat, block);
		fprintf(f, " using 1:%d:%d:%d with yerrorbars lt %zu lw 1 notitle", col, col + 1, col + 2, p % 8 + 1);
		block++;
	}
	chart_gp_plot_end(f, first);
}

static void sizing_target(struct chart_model *m, size_t t, size_t o, const double *x)
{
	size_t np = m->phases.n, ns = m->sweeps.n;
	bool *has = xcalloc(np ? np : 1, sizeof(*has)), any = false;
	struct chart_range yr[PANEL__COUNT] = {{0}};
	char *base = xasprintf("sizing-%s", m->targets.v[t]), *name = chart_new_name(m, base);
	char *dat = xasprintf("%s.dat", name);
	char *title = xasprintf("Cache sizing: %s, gets against server.memory", m->targets.v[t]);
	FILE *f = NULL, *d = NULL;
	size_t block = 0;

	for (size_t p = 0; p < np; p++)
		for (size_t s = 0; s < ns; s++)
			has[p] |= m->hit[CHART_IX4(m, p, o, s, t)].n > 0;
	for (size_t p = 0; p < np; p++)
		any |= has[p];
	if (any && (d = chart_open(m, name, "dat"))) {
		fputs("# ", d);
		chart_gp_str(d, title);
		fprintf(d, ", from ../summary.csv: one block per run phase, one line per memory point:\n"
			   "# MiB, hit ratio (mean, CI low, CI high), ops/s (same), p99 us (same)\n");
		for (size_t p = 0; p < np; p++) {
			if (!has[p])
				continue;
			chart_dat_block(d, block++, "phase", m->phases.v[p]);
			for (size_t s = 0; s < ns; s++) {
				size_t i = CHART_IX4(m, p, o, s, t);

				fprintf(d, "%.6g", x[s]);
				chart_dat_mean_ci(d, &m->hit[i]);
				chart_dat_mean_ci(d, &m->tput[i]);
				chart_dat_mean_ci(d, &m->p99[i]);
				fputc('\n', d);
				chart_range_add(&yr[PANEL_TPUT], &m->tput[i]);
				chart_range_add(&yr[PANEL_P99], &m->p99[i]);
			}
		}
		chart_close(m, d, dat);
		f = chart_open(m, name, "gp");
	}
	if (f) {
		chart_gp_begin(f, name, title, "../summary.csv");
		x_axis(f, m, x);
		/* One left margin, so the three panels' x axes line up. */
		fprintf(f, "set key outside right top\nunset title\nset lmargin 12\n");
		chart_gp_outputs(f, name, CHART_W, CHART_H2 + CHART_H / 2);
		fprintf(f, "  set multiplot layout 3,1 title ");
		chart_gp_str(f, title);
		fprintf(f, "\n");
		panel(f, dat, has, np, m, 2, &yr[PANEL_HIT], "hit ratio of gets", true);
		panel(f, dat, has, np, m, 5, &yr[PANEL_TPUT], "get ops/s", false);
		panel(f, dat, has, np, m, 8, &yr[PANEL_P99], "get p99 latency (µs)", false);
		fprintf(f, "  unset multiplot\n");
		chart_gp_end(f);
		if (chart_close(m, f, name) == 0)
			chart_register(m, name, title);
	}
	free(has);
	free(title);
	free(dat);
	free(name);
	free(base);
}

void chart_gp_sizing(struct chart_model *m)
{
	long o = chart_set_find(&m->ops, "get");
	double *x;

	if (strcmp(m->sweep_key, "server.memory") != 0 || m->sweeps.n == 0 || o < 0)
		return;
	x = xcalloc(m->sweeps.n, sizeof(*x));
	if (memory_axis(m, x))
		for (size_t t = 0; t < m->targets.n; t++)
			sizing_target(m, t, (size_t)o, x);
	free(x);
}
