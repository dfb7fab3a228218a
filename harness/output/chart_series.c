/* chart_series.c - the charts read from files beside summary.csv: the
 * latency percentile spectrum (the .hgrm files in latency/) and requests/s
 * and p99 over time (timeseries.csv). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart_int.h"
#include "escape.h"
#include "util.h"

/* latency/<target>[-<phase>]-<op>[-<key>=<value>][-r<repeat>].hgrm, as
 * outdir.c names it; the phase appears when the workload has more than one
 * phase of its kind, the repeat when it repeats. Summary.csv only hints at
 * both, so every combination is tried, the likely one first. */
static char *hgrm_path(const struct chart_model *m, size_t row, size_t p)
{
	const struct chart_table *t = m->sum;
	const char *sv = chart_table_cell(t, row, m->c_sval);
	size_t kind = 0;
	bool named, repeated = m->repeats.n > 1;

	for (size_t i = 0; i < m->phases.n; i++)
		kind += m->is_load[i] == m->is_load[p];
	named = kind > 1;
	for (int k = 0; k < 4; k++) {
		bool ph = k < 2 ? named : !named, rp = k % 2 == 0 ? repeated : !repeated;
		char *base = xasprintf("%s%s%s-%s%s%s%s%s%s", chart_table_cell(t, row, m->c_target), ph ? "-" : "",
				       ph ? m->phases.v[p] : "", chart_table_cell(t, row, m->c_op), *sv ? "-" : "",
				       *sv ? m->sweep_key : "", *sv ? "=" : "", *sv ? sv : "", rp ? "-r" : "");
		char *safe, *path;

		if (rp) {
			char *b2 = xasprintf("%s%s", base, chart_table_cell(t, row, m->c_repeat));

			free(base);
			base = b2;
		}
		safe = chart_safe_name(base);
		path = xasprintf("%s/latency/%s.hgrm", m->dir, safe);
		free(base);
		free(safe);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

static void range_addv(struct chart_range *r, double v)
{
	struct chart_acc a = {.sum = v, .sumsq = v * v, .n = 1};

	chart_range_add(r, &a);
}

/* Copies an .hgrm's percentile lines as "1/(1-p) µs" points, those the
 * log axes can show (latency above 0); returns the number of points,
 * raises *xmax and adds the latencies to *y. */
static size_t hgrm_copy(const char *path, struct sbuf *d, double *xmax, struct chart_range *y)
{
	char *text = chart_slurp(path, NULL);
	size_t n = 0;

	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		double v, pct, count, inv;

		if (nl)
			*nl = '\0';
		/* The last line (percentile 1) has no 1/(1-p): it cannot sit on the axis. */
		if (sscanf(line, "%lf %lf %lf %lf", &v, &pct, &count, &inv) == 4 && v > 0 && inv >= 1 &&
		    isfinite(v) && isfinite(inv)) {
			sbuf_addf(d, "%.6g %.6g\n", inv, v * 1000);
			*xmax = inv > *xmax ? inv : *xmax;
			range_addv(y, v * 1000);
			n++;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return n;
}

static void latency_chart(struct chart_model *m, size_t p, size_t o)
{
	const struct chart_table *t = m->sum;
	size_t ns = m->sweeps.n, nt = m->targets.n, nblocks = 0;
	bool *titled = xcalloc(ns * nt, sizeof(*titled)), *named = xcalloc(ns * nt, sizeof(*named)), first = true;
	struct sbuf plot = {0}, empty_files = {0}, gone = {0};
	/* each file with no point: its series (s * nt + tg) and that series' name */
	size_t *empty_ix = NULL, n_empty = 0, repeats_gone = 0;
	char **empty_lt = NULL;
	double xmax = 1;
	struct chart_range y = {0};
	char *base = xasprintf("latency-%s-%s", m->phases.v[p], m->ops.v[o]);
	char *name = chart_new_name(m, base);
	char *dat = xasprintf("%s.dat", name);
	char *title = xasprintf("Latency spectrum: phase %s, op %s%s", m->phases.v[p], m->ops.v[o],
				m->open_loop[p] ? " (open loop: from the intended send time)" : "");
	FILE *d = chart_open(m, name, "dat"), *f;

	if (d) {
		fputs("# ", d);
		chart_gp_str(d, title);
		fprintf(d, ", from ../latency/*.hgrm: one block per file;\n"
			   "# x = 1/(1 - percentile), latency in µs\n");
	}
	for (size_t r = 0; d && r < t->nrows; r++) {
		struct sbuf pts = {0};
		char *path, *lt;
		size_t tg, s;

		if (strcmp(chart_table_cell(t, r, m->c_phase), m->phases.v[p]) != 0 ||
		    strcmp(chart_table_cell(t, r, m->c_op), m->ops.v[o]) != 0 || !(path = hgrm_path(m, r, p)))
			continue;
		tg = (size_t)chart_set_find(&m->targets, chart_table_cell(t, r, m->c_target));
		s = (size_t)chart_set_find(&m->sweeps, chart_table_cell(t, r, m->c_sval));
		lt = *m->sweeps.v[s] ? xasprintf("%s %s=%s", m->targets.v[tg], m->sweep_key, m->sweeps.v[s])
				     : xstrdup(m->targets.v[tg]);
		if (hgrm_copy(path, &pts, &xmax, &y) == 0) {
			/* Nothing above the 1 µs resolution (a fast host rounds the
			 * null driver's latencies down to 0): no log axis shows it. */
			sbuf_addf(&empty_files, "%s%s", empty_files.len ? " " : "", strrchr(path, '/') + 1);
			empty_ix = xrealloc(empty_ix, (n_empty + 1) * sizeof(*empty_ix));
			empty_lt = xrealloc(empty_lt, (n_empty + 1) * sizeof(*empty_lt));
			empty_ix[n_empty] = s * nt + tg;
			empty_lt[n_empty++] = xstrdup(lt);
		} else {
			chart_dat_block(d, nblocks, "file", strrchr(path, '/') + 1);
			fputs(pts.buf, d);
			sbuf_addf(&plot, "%s    ", first ? "" : ", \\\n"); /* chart_gp_elem() */
			first = false;
			escape_gnuplot(&plot, dat);
			sbuf_addf(&plot, " index %zu using 1:2 with lines lt %d dt %zu ", nblocks, chart_target_lt(tg),
				  s % 5 + 1);
			if (!titled[s * nt + tg]) {
				titled[s * nt + tg] = true;
				sbuf_addf(&plot, "title ");
				escape_gnuplot(&plot, lt);
			} else {
				sbuf_addf(&plot, "notitle");
			}
			nblocks++;
		}
		free(lt);
		free(pts.buf);
		free(path);
	}
	if (d && empty_files.len) {
		fputs("\n# not drawn (no latency above the .hgrm's 1 µs resolution): ", d);
		chart_gp_str(d, empty_files.buf);
		fputc('\n', d);
	}
	chart_close(m, d, dat);
	/* The chart names the series with no file drawn, and counts the files
	 * left out of series it does draw (a repeat all below 1 µs). */
	for (size_t i = 0; i < n_empty; i++) {
		if (titled[empty_ix[i]]) {
			repeats_gone++;
		} else if (!named[empty_ix[i]]) {
			named[empty_ix[i]] = true;
			sbuf_addf(&gone, "%s%s", gone.len ? ", " : "", empty_lt[i]);
		}
		free(empty_lt[i]);
	}
	if (repeats_gone)
		sbuf_addf(&gone, "%s%zu file%s of the series drawn", gone.len ? "; " : "", repeats_gone,
			  repeats_gone == 1 ? "" : "s");
	f = chart_open(m, name, "gp");
	if (f) {
		double top = 100;
		static const char *const nines[] = {"90%%", "99%%", "99.9%%", "99.99%%", "99.999%%", "99.9999%%",
						    "99.99999%%"};

		while (top < xmax && top < 1e7)
			top *= 10;
		chart_gp_begin(f, name, title, "../latency/*.hgrm");
		fprintf(f, "set xlabel \"percentile\"\nset ylabel \"latency (µs)\"\nset key top left Left reverse\n");
		fprintf(f, "set grid xtics ytics lc rgb \"#dddddd\"\n");
		if (nblocks) {
			chart_gp_not_drawn(f, gone.buf, "");
			fprintf(f, "set logscale x\nset logscale y\nset xrange [1:%.0f]\nset xtics (\"50%%%%\" 2", top);
			for (int k = 0; k < 7 && pow(10, k + 1) <= top; k++)
				fprintf(f, ", \"%s\" %.0f", nines[k], pow(10, k + 1));
			fprintf(f, ")\nunset mxtics\n");
			/* one latency throughout: autoscale would make an empty range */
			if (!(y.hi > y.lo))
				fprintf(f, "set yrange [%.6g:%.6g]\n", y.lo / 2, y.hi * 2);
		} else {
			fprintf(f, "set xrange [0:1]\nset yrange [0:1]\nunset xtics\n"
				   "set label 1 \"no latency data (none recorded above the .hgrm's 1 µs resolution)\" "
				   "at graph 0.5, graph 0.5 center\n");
		}
		chart_gp_outputs(f, name, CHART_W, CHART_H);
		fprintf(f, "  plot \\\n%s", plot.buf ? plot.buf : "");
		chart_gp_plot_end(f, first);
		chart_gp_end(f);
	}
	if (chart_close(m, f, name) == 0)
		chart_register(m, name, title);
	free(plot.buf);
	free(named);
	free(empty_files.buf);
	free(gone.buf);
	free(empty_ix);
	free(empty_lt);
	free(titled);
	free(title);
	free(dat);
	free(name);
	free(base);
}

void chart_gp_latency(struct chart_model *m)
{
	for (size_t p = 0; p < m->phases.n; p++)
		for (size_t o = 0; o < m->ops.n; o++) {
			bool any = false;

			for (size_t s = 0; s < m->sweeps.n && !any; s++)
				for (size_t t = 0; t < m->targets.n && !any; t++)
					any = m->tput[CHART_IX4(m, p, o, s, t)].n > 0;
			if (any)
				latency_chart(m, p, o);
		}
}

/* One line of the over-time chart: a target × op × repeat of one phase run. */
struct series {
	size_t t, o;
	double dur;     /* the phase run's duration_s from summary.csv, or NAN */
	size_t *rows, n;
	char *label;
	struct chart_range r[2]; /* its requests/s and its p99, as written */
};

/* duration_s of the phase run that row r of timeseries.csv belongs to. */
static double run_duration(const struct chart_model *m, const struct chart_table *ts, size_t r)
{
	const struct chart_table *t = m->sum;
	int c_dur = chart_table_col(t, "duration_s");
	const char *tg = chart_table_cell(ts, r, chart_table_col(ts, "target"));
	const char *ph = chart_table_cell(ts, r, chart_table_col(ts, "phase"));
	const char *sv = chart_table_cell(ts, r, chart_table_col(ts, "sweep_value"));
	const char *rp = chart_table_cell(ts, r, chart_table_col(ts, "repeat"));
	double d = NAN;

	for (size_t i = 0; c_dur >= 0 && i < t->nrows; i++)
		if (!strcmp(chart_table_cell(t, i, m->c_target), tg) && !strcmp(chart_table_cell(t, i, m->c_phase), ph) &&
		    !strcmp(chart_table_cell(t, i, m->c_sval), sv) && !strcmp(chart_table_cell(t, i, m->c_repeat), rp) &&
		    util_parse_double(chart_table_cell(t, i, c_dur), &d) == 0)
			return d;
	return NAN;
}

/* Column col (2 or 3) of every series; a label (target op) is named in the
 * key once, by its first series drawn, its repeats drawn alike. */
static void timeline_panel(FILE *f, const char *dat, const struct series *sv, size_t n, int col,
			   const struct chart_range *yr, const char *ylabel)
{
	struct chart_set titled = {0}, gone = {0};
	struct sbuf names = {0};
	bool first = true;

	chart_gp_set(f, "  ", "ylabel", ylabel);
	chart_gp_yaxis(f, yr, "  ");
	for (size_t i = 0; i < n; i++)
		if (!chart_range_drawable(&sv[i].r[col - 2], yr, false))
			chart_set_add(&gone, sv[i].label);
	for (size_t i = 0; i < gone.n; i++)
		sbuf_addf(&names, "%s%s", i ? ", " : "", gone.v[i]);
	chart_gp_not_drawn(f, names.buf, "  ");
	fprintf(f, "  plot \\\n");
	for (size_t i = 0; i < n; i++) {
		size_t before = titled.n;

		if (!chart_range_drawable(&sv[i].r[col - 2], yr, false))
			continue;
		chart_gp_elem(f, &first);
		fputs("    ", f);
		chart_gp_str(f, dat);
		fprintf(f, " index %zu using 1:%d with linespoints lt %d dt %zu ", i, col, chart_target_lt(sv[i].t),
			sv[i].o % 5 + 1);
		chart_set_add(&titled, sv[i].label);
		if (titled.n > before) {
			fprintf(f, "title ");
			chart_gp_str(f, sv[i].label);
		} else {
			fprintf(f, "notitle");
		}
	}
	chart_gp_plot_end(f, first);
	chart_set_free(&titled);
	chart_set_free(&gone);
	free(names.buf);
}

/* The series of one phase × sweep point of timeseries.csv (pair k). */
static void timeline_chart(struct chart_model *m, const struct chart_table *ts, const size_t *pair_of, size_t k,
			   const char *phase, const char *sv)
{
	int c_t = chart_table_col(ts, "target"), c_o = chart_table_col(ts, "op"), c_r = chart_table_col(ts, "repeat");
	int c_sec = chart_table_col(ts, "second"), c_ops = chart_table_col(ts, "ops"), c_p99 = chart_table_col(ts, "p99_us");
	struct chart_set keys = {0};
	struct series *s = NULL;
	size_t nser = 0;
	struct chart_range opr = {0}, lr = {0};
	double lo = 0, hi = 0;
	char *base = *sv ? xasprintf("timeline-%s-%s=%s", phase, m->sweep_key, sv) : xasprintf("timeline-%s", phase);
	char *name = chart_new_name(m, base), *dat = xasprintf("%s.dat", name);
	char *title = *sv ? xasprintf("Over time: phase %s, %s=%s", phase, m->sweep_key, sv)
			  : xasprintf("Over time: phase %s", phase);
	FILE *f, *d;

	for (size_t r = 0; r < ts->nrows; r++) {
		char *key;
		size_t i;

		if (pair_of[r] != k)
			continue;
		key = xasprintf("%s\x1f%s\x1f%s", chart_table_cell(ts, r, c_t), chart_table_cell(ts, r, c_o),
				chart_table_cell(ts, r, c_r));
		i = chart_set_add(&keys, key);
		free(key);
		if (i == nser) { /* a new series */
			long tg = chart_set_find(&m->targets, chart_table_cell(ts, r, c_t));
			long op = chart_set_find(&m->ops, chart_table_cell(ts, r, c_o));

			s = xrealloc(s, keys.n * sizeof(*s));
			s[i] = (struct series){.t = tg < 0 ? m->targets.n : (size_t)tg, .o = op < 0 ? 0 : (size_t)op,
					       .dur = run_duration(m, ts, r)};
			s[i].label = xasprintf("%s %s", chart_table_cell(ts, r, c_t), chart_table_cell(ts, r, c_o));
			nser++;
		}
		s[i].rows = xrealloc(s[i].rows, (s[i].n + 1) * sizeof(*s[i].rows));
		s[i].rows[s[i].n++] = r;
	}
	d = chart_open(m, name, "dat");
	if (d) {
		fputs("# ", d);
		chart_gp_str(d, title);
		fprintf(d, ", from ../timeseries.csv: one block per target × op × repeat;\n"
			   "# second (negative = warmup), requests answered per second, p99 µs (? = none answered);\n"
			   "# the measurement's last second, cut short by its end, is scaled to a rate by its\n"
			   "# length (duration_s in summary.csv), or left out (?) when under 0.25 s after a\n"
			   "# whole second\n");
	}
	for (size_t i = 0; d && i < keys.n; i++) {
		char *what = xasprintf("%s (repeat %s)", s[i].label, strrchr(keys.v[i], '\x1f') + 1);

		chart_dat_block(d, i, "series", what);
		free(what);
		for (size_t j = 0; j < s[i].n; j++) {
			size_t r = s[i].rows[j];
			double sec = NAN, ops = NAN, p99 = NAN;

			util_parse_double(chart_table_cell(ts, r, c_sec), &sec);
			util_parse_double(chart_table_cell(ts, r, c_ops), &ops);
			util_parse_double(chart_table_cell(ts, r, c_p99), &p99);
			if (!isfinite(sec))
				continue;
			/* The measurement's last second is cut short by its end:
			 * scaled to a rate by the part measured, or left out when
			 * that is a sliver (a phase shorter than 0.25 s keeps its
			 * second 0 as counted). */
			if (sec >= 0 && isfinite(s[i].dur) && s[i].dur - sec < 1) {
				double part = s[i].dur - sec;

				if (part >= 0.25)
					ops /= part;
				else if (sec > 0)
					ops = NAN;
			}
			lo = sec < lo ? sec : lo;
			hi = sec > hi ? sec : hi;
			fprintf(d, "%.0f", sec);
			chart_dat_num(d, ops);
			chart_dat_num(d, p99);
			fputc('\n', d);
			range_addv(&opr, ops);
			range_addv(&lr, p99);
			range_addv(&s[i].r[0], ops);
			range_addv(&s[i].r[1], p99);
		}
	}
	chart_close(m, d, dat);
	f = chart_open(m, name, "gp");
	if (f) {
		chart_gp_begin(f, name, title, "../timeseries.csv");
		fprintf(f, "unset title\nset key outside right top\n"
			   "set xlabel \"seconds since the measurement started (warmup < 0)\"\n");
		fprintf(f, "set xrange [%.1f:%.1f]\n", lo - 0.5, hi + 0.5);
		if (lo < 0)
			fprintf(f, "set object 1 rect from graph 0, graph 0 to first -0.5, graph 1 behind "
				   "fc rgb \"#eeeeee\" fs solid 1.0 noborder\n"
				   "set label 2 \"warmup\" at graph 0.01, graph 0.93 left tc rgb \"#777777\"\n");
		chart_gp_outputs(f, name, CHART_W, CHART_H2);
		fprintf(f, "  set multiplot layout 2,1 title ");
		chart_gp_str(f, title);
		fprintf(f, "\n");
		timeline_panel(f, dat, s, keys.n, 2, &opr, "requests answered per second");
		timeline_panel(f, dat, s, keys.n, 3, &lr, "p99 latency (µs)");
		fprintf(f, "  unset multiplot\n");
		chart_gp_end(f);
	}
	if (chart_close(m, f, name) == 0)
		chart_register(m, name, title);
	for (size_t i = 0; i < keys.n; i++) {
		free(s[i].rows);
		free(s[i].label);
	}
	free(s);
	chart_set_free(&keys);
	free(title);
	free(dat);
	free(name);
	free(base);
}

void chart_gp_timeline(struct chart_model *m)
{
	char *path = xasprintf("%s/timeseries.csv", m->dir);
	struct chart_table *ts = NULL;
	struct chart_set pairs = {0};
	size_t *pair_of;
	unsigned char *done;
	int c_phase, c_sv;

	if (access(path, F_OK) < 0) { /* a result directory from before timeseries.csv */
		free(path);
		return;
	}
	if (chart_table_load(path, &ts, m->err, m->errlen) < 0) {
		m->failed = true;
		free(path);
		return;
	}
	free(path);
	c_phase = chart_table_col(ts, "phase");
	c_sv = chart_table_col(ts, "sweep_value");
	for (const char *const *c = (const char *const[]){"target", "op", "repeat", "second", "ops", "p99_us", NULL}; *c;
	     c++)
		if (chart_table_col(ts, *c) < 0)
			c_phase = -1;
	if (c_phase < 0) {
		chart_table_free(ts);
		return;
	}
	pair_of = xcalloc(ts->nrows ? ts->nrows : 1, sizeof(*pair_of));
	for (size_t r = 0; r < ts->nrows; r++) {
		char *key = xasprintf("%s\x1f%s", chart_table_cell(ts, r, c_phase), chart_table_cell(ts, r, c_sv));

		pair_of[r] = chart_set_add(&pairs, key);
		free(key);
	}
	/* In summary.csv's order of phases and sweep points, as the other charts. */
	done = xcalloc(pairs.n ? pairs.n : 1, 1);
	for (size_t i = 0; i <= m->phases.n * m->sweeps.n && !m->failed; i++) {
		for (size_t k = 0; k < pairs.n && !m->failed; k++) {
			char *phase = xstrdup(pairs.v[k]), *sv = strchr(phase, '\x1f');
			long p, s;

			*sv++ = '\0';
			p = chart_set_find(&m->phases, phase);
			s = chart_set_find(&m->sweeps, sv);
			/* the last round takes what summary.csv does not know */
			if (!done[k] && (i == m->phases.n * m->sweeps.n ? true
					 : p >= 0 && s >= 0 && (size_t)p * m->sweeps.n + (size_t)s == i)) {
				done[k] = 1;
				timeline_chart(m, ts, pair_of, k, phase, sv);
			}
			free(phase);
		}
	}
	free(done);
	free(pair_of);
	chart_set_free(&pairs);
	chart_table_free(ts);
}
