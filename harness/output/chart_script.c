/* chart_script.c - what every chart's script and data are written with:
 * the files in charts/ (names handed out once, open, close, the list of
 * charts to draw), gnuplot strings and numbers, the y axis and what can be
 * drawn on it, a script's header and its SVG/PNG loop. Below the charts
 * (chart_gp.c, chart_series.c), above chart_table.c. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_int.h"
#include "escape.h"
#include "util.h"

/* ---- files in charts/ ---- */


FILE *chart_open(struct chart_model *m, const char *name, const char *ext)
{
	char *path = xasprintf("%s/%s.%s", m->charts_dir, name, ext);
	FILE *f = fopen(path, "w");

	if (!f && !m->failed) {
		chart_seterr(m->err, m->errlen, "cannot write %s: %s", path, strerror(errno));
		m->failed = true;
	}
	free(path);
	return f;
}

int chart_close(struct chart_model *m, FILE *f, const char *name)
{
	if (!f)
		return -1;
	if ((ferror(f) | fclose(f)) != 0) {
		if (!m->failed)
			chart_seterr(m->err, m->errlen, "cannot write charts/%s: %s", name, strerror(errno));
		m->failed = true;
		return -1;
	}
	return 0;
}

char *chart_new_name(struct chart_model *m, const char *base)
{
	char *safe = chart_safe_name(base);
	char *name = xstrdup(safe);

	for (int n = 2; chart_set_find(&m->names, name) >= 0; n++) {
		free(name);
		name = xasprintf("%s-%d", safe, n);
	}
	free(safe);
	chart_set_add(&m->names, name);
	return name;
}

void chart_register(struct chart_model *m, const char *name, const char *title)
{
	char *t = xstrdup(title);

	for (char *p = t; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	m->chart_names = xrealloc(m->chart_names, (m->n_charts + 1) * sizeof(*m->chart_names));
	m->chart_titles = xrealloc(m->chart_titles, (m->n_charts + 1) * sizeof(*m->chart_titles));
	m->chart_names[m->n_charts] = xstrdup(name);
	m->chart_titles[m->n_charts++] = t;
}

/* ---- gnuplot script and data ---- */

void chart_gp_str(FILE *f, const char *s)
{
	struct sbuf sb = {0};

	escape_gnuplot(&sb, s);
	fputs(sb.buf, f);
	free(sb.buf);
}

void chart_dat_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.6g", v);
	else
		fputs(" ?", f);
}

void chart_range_add_ci(struct chart_range *r, double v, double lo, double hi)
{
	bool ci = isfinite(lo) && isfinite(hi);
	double top = ci && hi > v ? hi : v;

	if (!isfinite(v))
		return;
	r->any = true;
	r->ci |= ci;
	r->ci_pos |= ci && v > 0;
	r->top = r->top > top ? r->top : top;
	if (v > 0) {
		r->lo = r->lo > 0 && r->lo < v ? r->lo : v;
		r->hi = r->hi > v ? r->hi : v;
	}
}

void chart_range_add(struct chart_range *r, const struct chart_acc *a)
{
	double v = chart_acc_mean(a), ci = chart_acc_ci(a);

	chart_range_add_ci(r, v, isfinite(ci) ? v - ci : NAN, isfinite(ci) ? v + ci : NAN);
}

/* Values over two orders of magnitude apart share a log axis, so the small
 * ones stay visible (FerretDB beside Redis). */
static bool range_log(const struct chart_range *r)
{
	return r->any && r->lo > 0 && r->hi / r->lo > 100;
}

/* A comment says how to undo a log axis. */
void chart_gp_yaxis(FILE *f, const struct chart_range *r, const char *indent)
{
	if (!r->any) {
		fprintf(f, "%sunset logscale y\n%sset yrange [0:1]\n", indent, indent);
		fprintf(f, "%sset label 1 \"no data\" at graph 0.5, graph 0.5 center\n", indent);
	} else if (range_log(r)) {
		fprintf(f, "%sunset label 1\n%sset logscale y   # values span %.0fx; for a linear axis: unset logscale y; "
			   "set yrange [0:*]\n%sset yrange [%.6g:%.6g]\n",
			indent, indent, r->hi / r->lo, indent, r->lo / 2, r->top * 2);
	} else {
		fprintf(f, "%sunset label 1\n%sunset logscale y\n%sset yrange [0:%.6g]\n", indent, indent, indent,
			r->top > 0 ? r->top * 1.08 : 1);
	}
}

bool chart_range_drawable(const struct chart_range *s, const struct chart_range *axis, bool ci)
{
	if (range_log(axis))
		return ci ? s->ci_pos : s->lo > 0;
	return ci ? s->ci : s->any;
}

void chart_gp_not_drawn(FILE *f, const char *names, const char *indent)
{
	char *note;

	if (!names || !*names) {
		fprintf(f, "%sunset label 4\n", indent);
		return;
	}
	note = xasprintf("not drawn (no value this axis can show): %s", names);
	fprintf(f, "%sset label 4 ", indent);
	chart_gp_str(f, note);
	fprintf(f, " at graph 0.99, graph 0.97 right tc rgb \"#777777\"\n");
	free(note);
}

void chart_gp_set(FILE *f, const char *indent, const char *what, const char *s)
{
	fprintf(f, "%sset %s ", indent, what);
	chart_gp_str(f, s);
	fputc('\n', f);
}

void chart_dat_block(FILE *f, size_t i, const char *what, const char *name)
{
	fprintf(f, "%s# %s ", i ? "\n\n" : "", what);
	chart_gp_str(f, name);
	fputc('\n', f);
}

void chart_gp_elem(FILE *f, bool *first)
{
	if (!*first)
		fputs(", \\\n", f);
	*first = false;
}

void chart_gp_plot_end(FILE *f, bool first)
{
	fputs(first ? "    NaN notitle\n" : "\n", f);
}

void chart_gp_begin(FILE *f, const char *name, const char *title, const char *source)
{
	static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
					      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

	fputs("# ", f);
	chart_gp_str(f, title);
	fprintf(f, "\n# Drawn by `bench chart` from %s (data: %s.dat).\n", source, name);
	fprintf(f, "# Redraw by hand from this directory: gnuplot %s.gp  (writes %s.svg and %s.png)\n", name, name,
		name);
	fprintf(f, "# Restyle freely; note that `bench chart` rewrites this file.\n\n");
	fprintf(f, "set encoding utf8\nset datafile missing \"?\"\nset termoption noenhanced\n");
	fprintf(f, "# colours: one per target, in summary.csv's order\n");
	for (size_t i = 0; i < sizeof(colours) / sizeof(colours[0]); i++)
		fprintf(f, "set linetype %zu lc rgb \"%s\" lw 2 pt 7 ps 0.6\n", i + 1, colours[i]);
	fprintf(f, "set linetype cycle %zu\n", sizeof(colours) / sizeof(colours[0]));
	chart_gp_set(f, "", "title", title);
	fprintf(f, "set grid ytics lc rgb \"#dddddd\"\nset border 3\nset tics nomirror\n");
}

/* The loop that draws the same plot as SVG and as PNG (pngcairo when this
 * gnuplot has it, else libgd's png). */
void chart_gp_outputs(FILE *f, const char *name, int w, int h)
{
	char *base = xasprintf("%s.", name);

	fprintf(f, "\nW = %d; H = %d\n", w, h);
	/* noenhanced on every terminal: `set terminal` turns enhanced text
	 * (_ ^ @ \\ as markup) back on, whatever termoption said before. */
	fprintf(f, "do for [fmt in \"svg png\"] {\n"
		   "  if (fmt eq \"svg\") {\n"
		   "    set terminal svg size W,H noenhanced font \"sans,12\" background \"white\"\n"
		   "  } else {\n"
		   "    if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		   "      set terminal pngcairo size W,H noenhanced font \"sans,10\" background \"white\"\n"
		   "    } else {\n"
		   "      set terminal png size W,H noenhanced\n"
		   "    }\n"
		   "  }\n");
	fputs("  set output ", f);
	chart_gp_str(f, base);
	fputs(".fmt\n", f);
	free(base);
}

void chart_gp_end(FILE *f)
{
	fprintf(f, "  set output\n}\n");
}

int chart_target_lt(size_t t)
{
	return (int)(t % 8) + 1;
}

/* ---- shared by the chart files ---- */

void chart_gp_tic(FILE *f, const char *s)
{
	struct sbuf sb = {0};

	for (; *s; s++) {
		if (*s == '%')
			sbuf_add(&sb, "%%", 2);
		else
			sbuf_add(&sb, s, 1);
	}
	chart_gp_str(f, sb.buf ? sb.buf : "");
	free(sb.buf);
}

void chart_dat_mean_ci(FILE *f, const struct chart_acc *a)
{
	double mean = chart_acc_mean(a), ci = chart_acc_ci(a);

	chart_dat_num(f, mean);
	chart_dat_num(f, isfinite(ci) ? mean - ci : NAN);
	chart_dat_num(f, isfinite(ci) ? mean + ci : NAN);
}

void chart_gp_source(FILE *f, const char *dat, size_t index)
{
	fputs("    ", f);
	chart_gp_str(f, dat);
	fprintf(f, " index %zu", index);
}
