/* report_cmp.c - the comparison table that opens report.html, from
 * comparison.csv. It shows what the file says and computes nothing: the
 * means, intervals, ratios and verdicts are bench run's (docs/csv-schema.md).
 * Ops/s of targets that ran different mixes are marked where they stand,
 * since ranking them is not a like-for-like result. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report_cmp.h"

/* The metrics the table shows, each as mean ± CI, then (with_ratio) the
 * ratio to the best and the verdict; the hit ratio as its mean alone (its
 * interval is in the chart), to keep the table within a screen's width. */
static const struct {
	const char *metric, *head;
	bool with_ratio, percent;
} shown[] = {
	{"ops_per_sec", "ops/s", true, false},
	{"p99_us", "p99 µs", true, false},
	{"hit_ratio", "hit ratio", false, true},
};
#define N_SHOWN (sizeof(shown) / sizeof(shown[0]))

/* Decimals that suit a figure of this size: 88366, 138.5, 65.90, 0.312. */
static int decimals(double x)
{
	x = fabs(x);
	return x >= 1000 ? 0 : x >= 10 ? 1 : x >= 1 ? 2 : 3;
}

/* "mean ± half" (the interval is Student t's, symmetric), or the mean
 * alone with one repeat; "–" without a mean. */
static void add_mean(struct sbuf *sb, const struct cmptab_row *r, bool percent)
{
	double k = percent ? 100 : 1, mean, half;
	int d;

	if (!r || !isfinite(r->mean)) {
		sbuf_addf(sb, "<span class=\"dim\">–</span>");
		return;
	}
	mean = r->mean * k;
	d = percent ? 1 : decimals(mean);
	sbuf_addf(sb, "%.*f%s", d, mean, percent ? "%" : "");
	if (!percent && isfinite(r->ci_low) && isfinite(r->ci_high)) {
		half = (r->ci_high - r->ci_low) / 2 * k;
		sbuf_addf(sb, " <span class=\"pm\">± %.*f</span>", d, half);
	}
}

/* A ratio to 2 or 3 significant digits, never in e-notation: 0.0054, 0.55, 1.27, 87.6, 230. */
static void add_ratio_num(struct sbuf *sb, double x)
{
	double a = fabs(x);

	if (a >= 100 || a == 0)
		sbuf_addf(sb, "%.0f", x);
	else if (a >= 0.1)
		sbuf_addf(sb, "%.*f", a >= 10 ? 1 : 2, x);
	else
		sbuf_addf(sb, "%.*f", (int)ceil(-log10(a)) + 1, x);
}

/* "×0.553" and its interval "[0.20–0.90]" below; "×1" for the best. */
static void add_ratio(struct sbuf *sb, const struct cmptab_row *r)
{
	if (!r || !isfinite(r->ratio)) {
		sbuf_addf(sb, "<span class=\"dim\">–</span>");
		return;
	}
	sbuf_addf(sb, "×");
	add_ratio_num(sb, r->ratio);
	if (isfinite(r->ratio_ci_low) && isfinite(r->ratio_ci_high) && strcmp(r->verdict, "best") != 0) {
		sbuf_addf(sb, "<br><span class=\"pm\">[");
		add_ratio_num(sb, r->ratio_ci_low);
		sbuf_addf(sb, "–");
		add_ratio_num(sb, r->ratio_ci_high);
		sbuf_addf(sb, "]</span>");
	}
}

static void add_verdict(struct sbuf *sb, const struct cmptab_row *r, bool unlike)
{
	const char *v = r ? r->verdict : "";

	if (!r || !isfinite(r->mean))
		sbuf_addf(sb, "<td></td>");
	else if (!*v)
		sbuf_addf(sb, "<td class=\"dim\">n = %.0f: none</td>", isfinite(r->n) ? r->n : 0);
	else
		sbuf_addf(sb, "<td class=\"v-%s\">%s%s</td>", v, v, unlike ? "<br><span class=\"unlike\">mixes differ</span>" : "");
}

/* Any row of group g with metric m and a mean. */
static bool group_has(const struct cmptab *c, size_t g, long m)
{
	for (size_t t = 0; m >= 0 && t < c->ntargets; t++) {
		const struct cmptab_row *r = cmptab_find(c, g, (size_t)m, t);

		if (r && isfinite(r->mean))
			return true;
	}
	return false;
}

/* The first row of target t in group g (any metric): its server and mix. */
static const struct cmptab_row *any_row(const struct cmptab *c, size_t g, size_t t)
{
	for (size_t m = 0; m < c->nmetrics; m++)
		if (cmptab_find(c, g, m, t))
			return cmptab_find(c, g, m, t);
	return NULL;
}

static bool group_mix_differs(const struct cmptab *c, size_t g)
{
	for (size_t t = 0; t < c->ntargets; t++) {
		const struct cmptab_row *r = any_row(c, g, t);

		if (r && r->mix_differs)
			return true;
	}
	return false;
}

/* The note under a group whose targets ran different mixes. */
static void mix_note(struct sbuf *sb, const struct cmptab *c, size_t g, size_t ncols)
{
	bool first = true;

	sbuf_addf(sb, "<tr class=\"note\"><td colspan=\"%zu\">Mixes differ: ", ncols);
	for (size_t t = 0; t < c->ntargets; t++) {
		const struct cmptab_row *r = any_row(c, g, t);

		if (!r || !r->mix_differs)
			continue;
		sbuf_addf(sb, "%s<b>", first ? "" : "; ");
		escape_html(sb, c->targets[t]);
		sbuf_addf(sb, "</b> ran ");
		escape_html(sb, *r->effective_mix ? r->effective_mix : "another mix");
		first = false;
	}
	sbuf_addf(sb, " (ops of the workload's mix it cannot do were not sent, so its other ops had a larger "
		      "share). Their ops/s are not like for like with the others'.</td></tr>\n");
}

void report_cmp_table(struct sbuf *sb, const struct cmptab *c)
{
	long mi[N_SHOWN];
	bool show[N_SHOWN], sweep = false;
	size_t ncols = 3;
	const char *key = "";

	for (size_t i = 0; i < N_SHOWN; i++) {
		mi[i] = cmptab_metric(c, shown[i].metric);
		show[i] = false;
		for (size_t g = 0; g < c->ngroups && !show[i]; g++)
			show[i] = group_has(c, g, mi[i]);
		ncols += show[i] ? (shown[i].with_ratio ? 3 : 1) : 0;
	}
	for (size_t g = 0; g < c->ngroups; g++)
		if (*c->groups[g].sweep_value) {
			sweep = true;
			key = c->groups[g].sweep_key;
		}
	ncols += sweep;
	sbuf_addf(sb, "<div class=\"scroll\"><table class=\"grid cmp\" id=\"cmp-table\"><thead><tr>"
		      "<th rowspan=\"2\">phase</th><th rowspan=\"2\">op</th>");
	if (sweep) {
		sbuf_addf(sb, "<th rowspan=\"2\">");
		escape_html(sb, key);
		sbuf_addf(sb, "<br><span class=\"dim\">(sweep)</span></th>");
	}
	sbuf_addf(sb, "<th rowspan=\"2\">target<br><span class=\"dim\">server · repeats</span></th>");
	for (size_t i = 0; i < N_SHOWN; i++)
		if (show[i])
			sbuf_addf(sb, "<th colspan=\"%d\" class=\"m\">%s</th>", shown[i].with_ratio ? 3 : 1, shown[i].head);
	sbuf_addf(sb, "</tr>\n<tr>");
	for (size_t i = 0; i < N_SHOWN; i++)
		if (show[i])
			sbuf_addf(sb, "%s", shown[i].with_ratio ? "<th>mean ± 95% CI</th><th>ratio to best</th><th>verdict</th>"
							     : "<th>mean</th>");
	sbuf_addf(sb, "</tr></thead>\n");
	for (size_t g = 0; g < c->ngroups; g++) {
		const struct cmptab_group *gr = &c->groups[g];
		size_t nt = 0, row = 0;
		bool unlike = group_mix_differs(c, g);

		for (size_t t = 0; t < c->ntargets; t++)
			nt += any_row(c, g, t) != NULL;
		sbuf_addf(sb, "<tbody class=\"g\">\n");
		for (size_t t = 0; t < c->ntargets; t++) {
			const struct cmptab_row *any = any_row(c, g, t);

			if (!any)
				continue;
			sbuf_addf(sb, "<tr>");
			if (row++ == 0) {
				sbuf_addf(sb, "<td rowspan=\"%zu\">", nt);
				escape_html(sb, gr->phase);
				sbuf_addf(sb, "</td><td rowspan=\"%zu\"><b>", nt);
				escape_html(sb, gr->op);
				sbuf_addf(sb, "</b></td>");
				if (sweep) {
					sbuf_addf(sb, "<td rowspan=\"%zu\">", nt);
					escape_html(sb, gr->sweep_value);
					sbuf_addf(sb, "</td>");
				}
			}
			sbuf_addf(sb, "<td><b>");
			escape_html(sb, c->targets[t]);
			sbuf_addf(sb, "</b><br><span class=\"dim\">");
			escape_html(sb, *any->server ? any->server : "?");
			if (isfinite(any->n))
				sbuf_addf(sb, " · n=%.0f", any->n);
			sbuf_addf(sb, "</span></td>");
			for (size_t i = 0; i < N_SHOWN; i++) {
				const struct cmptab_row *r = mi[i] >= 0 ? cmptab_find(c, g, (size_t)mi[i], t) : NULL;
				bool mark = i == 0 && r && r->mix_differs;

				if (!show[i])
					continue;
				sbuf_addf(sb, "<td class=\"n%s\">", mark ? " mixd" : "");
				add_mean(sb, r, shown[i].percent);
				if (mark)
					sbuf_addf(sb, "<br><span class=\"unlike\">mix differs</span>");
				sbuf_addf(sb, "</td>");
				if (!shown[i].with_ratio)
					continue;
				sbuf_addf(sb, "<td class=\"n\">");
				add_ratio(sb, r);
				sbuf_addf(sb, "</td>");
				add_verdict(sb, r, i == 0 && unlike);
			}
			sbuf_addf(sb, "</tr>\n");
		}
		if (unlike)
			mix_note(sb, c, g, ncols);
		sbuf_addf(sb, "</tbody>\n");
	}
	sbuf_addf(sb, "</table></div>\n");
}

void report_cmp_warnings(const struct cmptab *c, struct chart_set *items)
{
	for (size_t g = 0; g < c->ngroups; g++) {
		const struct cmptab_group *gr = &c->groups[g];

		for (size_t t = 0; t < c->ntargets; t++) {
			const struct cmptab_row *r = any_row(c, g, t);
			struct sbuf sb = {0};

			if (!r || !r->mix_differs)
				continue;
			sbuf_addf(&sb, "Target <b>");
			escape_html(&sb, c->targets[t]);
			sbuf_addf(&sb, "</b>, phase ");
			escape_html(&sb, gr->phase);
			if (*gr->sweep_value) {
				sbuf_addf(&sb, " (");
				escape_html(&sb, gr->sweep_key);
				sbuf_addf(&sb, "=");
				escape_html(&sb, gr->sweep_value);
				sbuf_addf(&sb, ")");
			}
			sbuf_addf(&sb, ": mix differs. It ran ");
			escape_html(&sb, *r->effective_mix ? r->effective_mix : "another mix");
			sbuf_addf(&sb, ", not the workload's mix (some of its ops are unsupported there), so its ops/s "
				       "are not like for like with the other targets'.");
			chart_set_add(items, sb.buf);
			free(sb.buf);
		}
	}
}
