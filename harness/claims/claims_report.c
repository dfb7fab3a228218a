/*
 * claims_report.c - the claims section: report.html of a `bench claims`
 * directory (claims_report.h). The charts are drawn here as inline SVG
 * from the comparisons in each claim's reason: every comparison's two
 * sides share one scale, since they are in the same unit, while the
 * comparisons of one claim usually are not.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_report.h"
#include "report.h"
#include "escape.h"
#include "util.h"

/* One side of a comparison: mean, 95% half-width (0: exact or constant). */
struct side {
	char *text;
	double mean, half;
	bool measured;          /* a metric (n=...), not a constant */
};

struct cmp {
	char *op;               /* "<", "<=", ">", ">=" */
	const char *verdict;
	struct side l, r;
};

static const char *const verdicts[] = {"SUPPORTED", "REFUTED", "INCONCLUSIVE", NULL};

/* "123 ± 4 (n=3)", "123 (n=1)" or "0.5" at *p; advances past it. */
static int parse_side(const char **p, struct side *s)
{
	char *end;

	s->mean = strtod(*p, &end);
	if (end == *p)
		return -1;
	*p = end;
	if (!strncmp(*p, " \xc2\xb1 ", 4)) {
		s->half = strtod(*p + 4, &end);
		if (end == *p + 4)
			return -1;
		*p = end;
	}
	if (!strncmp(*p, " (n=", 4)) {
		s->measured = true;
		*p = strchr(*p, ')') ? strchr(*p, ')') + 1 : *p + strlen(*p);
	}
	return 0;
}

/* Splits "TEXT: VERDICT (L vs R[, ...])" into c; -1 when it is not one. */
static int parse_cmp(const char *item, struct cmp *c)
{
	static const char *const ops[] = {" <= ", " >= ", " < ", " > ", NULL};
	const char *colon = NULL, *p;
	size_t text_len;

	memset(c, 0, sizeof(*c));
	for (int k = 0; verdicts[k] && !colon; k++) {
		char *pat = xasprintf(": %s (", verdicts[k]);
		const char *at = strstr(item, pat);

		if (at) {
			colon = at;
			c->verdict = verdicts[k];
		}
		free(pat);
	}
	if (!colon)
		return -1;
	text_len = (size_t)(colon - item);
	for (int k = 0; ops[k] && !c->op; k++) {
		const char *at = strstr(item, ops[k]);

		if (at && at < colon) {
			c->l.text = xstrndup(item, (size_t)(at - item));
			c->r.text = xstrndup(at + strlen(ops[k]), text_len - (size_t)(at - item) - strlen(ops[k]));
			c->op = xstrndup(ops[k] + 1, strlen(ops[k]) - 2);
		}
	}
	p = colon + 2 + strlen(c->verdict) + 2;
	if (!c->op || parse_side(&p, &c->l) < 0 || strncmp(p, " vs ", 4) != 0)
		return -1;
	p += 4;
	return parse_side(&p, &c->r);
}

static void cmp_free(struct cmp *c)
{
	free(c->l.text);
	free(c->r.text);
	free(c->op);
}

static const char *verdict_class(const char *v)
{
	return !strcmp(v, "SUPPORTED") ? "sup" : !strcmp(v, "REFUTED") ? "ref"
	       : !strcmp(v, "INCONCLUSIVE") ? "inc" : "nr";
}

#define W 820           /* chart width, px */
#define LABEL 330       /* the labels' column */
#define RIGHT 150       /* room right of the bars for the figures */
#define ROW 18          /* one bar */
#define LABEL_CHARS 52  /* a longer label keeps its end (the metric) */

/* One bar: [lo, hi] of the scale to x; the whisker shows mean ± half. */
static void bar(struct sbuf *sb, const struct side *s, double lo, double hi, int y, const char *cls)
{
	double span = hi - lo, len = W - LABEL - RIGHT;
	double x0 = LABEL + (0 - lo) / span * len, xm = LABEL + (s->mean - lo) / span * len;
	double a = LABEL + (s->mean - s->half - lo) / span * len, b = LABEL + (s->mean + s->half - lo) / span * len;
	size_t tl = strlen(s->text);
	char num[64];

	sbuf_addf(sb, "<text x='%d' y='%d' class='lab'><title>", LABEL - 6, y + 13);
	escape_html(sb, s->text);
	sbuf_addf(sb, "</title>%s", tl > LABEL_CHARS ? "\xe2\x80\xa6" : "");
	escape_html(sb, tl > LABEL_CHARS ? s->text + tl - LABEL_CHARS : s->text);
	sbuf_addf(sb, "</text>");
	sbuf_addf(sb, "<rect x='%.1f' y='%d' width='%.1f' height='%d' class='%s'/>", fmin(x0, xm), y + 2,
		  fabs(xm - x0), ROW - 4, s->measured ? cls : "const");
	if (s->half > 0)
		sbuf_addf(sb, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' class='ci'/>"
			  "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' class='ci'/>"
			  "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' class='ci'/>",
			  a, b, y + ROW / 2, y + ROW / 2, a, a, y + 4, y + ROW - 4, b, b, y + 4, y + ROW - 4);
	snprintf(num, sizeof(num), s->half > 0 ? "%.4g \xc2\xb1 %.2g" : "%.4g", s->mean, s->half);
	sbuf_addf(sb, "<text x='%.1f' y='%d' class='num'>%s</text>", fmax(xm, b) + 4, y + 13, num);
}

/* The chart of one claim: its comparisons, two bars each; nothing when
 * the reason holds none (NOT RUN, an error). A stand-in's (stand_in): every
 * bar grey, each outcome marked as the stand-in's, never a verdict's color. */
static void chart(struct sbuf *sb, const char *reason, bool stand_in)
{
	struct cmp *cs = NULL;
	size_t n = 0;
	char *copy = xstrdup(reason ? reason : ""), *item, *save = NULL;

	for (item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		struct cmp c;

		while (*item == ' ')
			item++;
		if (parse_cmp(item, &c) == 0) {
			cs = xrealloc(cs, (n + 1) * sizeof(*cs));
			cs[n++] = c;
		} else {
			cmp_free(&c);
		}
	}
	if (n) {
		int h = (int)n * (2 * ROW + 12) + 6, y = 4;

		sbuf_addf(sb, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' "
			  "role='img'>", W, h, W, h);
		for (size_t i = 0; i < n; i++) {
			const struct cmp *c = &cs[i];
			double lo = fmin(0, fmin(c->l.mean - c->l.half, c->r.mean - c->r.half));
			double hi = fmax(c->l.mean + c->l.half, c->r.mean + c->r.half);

			if (!(hi > lo))
				hi = lo + 1;
			bar(sb, &c->l, lo, hi, y, stand_in ? "si" : verdict_class(c->verdict));
			bar(sb, &c->r, lo, hi, y + ROW, stand_in ? "si" : verdict_class(c->verdict));
			/* The comparison between its two bars, and how it came out. */
			sbuf_addf(sb, "<text x='4' y='%d' class='op'>", y + ROW + 4);
			escape_html(sb, c->op);
			sbuf_addf(sb, "</text><text x='%d' y='%d' class='vd %s'>%s%s</text>", W - 4, y + ROW + 4,
				  stand_in ? "nr" : verdict_class(c->verdict), stand_in ? "stand-in: " : "", c->verdict);
			y += 2 * ROW + 12;
		}
		sbuf_addf(sb, "</svg>\n");
	}
	for (size_t i = 0; i < n; i++)
		cmp_free(&cs[i]);
	free(cs);
	free(copy);
}

static void cell(struct sbuf *sb, const char *tag, const char *s)
{
	sbuf_addf(sb, "<%s>", tag);
	escape_html(sb, s);
	sbuf_addf(sb, "</%s>", tag);
}

int claims_report_write(const char *path, const struct claims_report_row *rows, size_t n, long cores,
			const char *servers_mode, bool quick)
{
	struct sbuf sb = {0};
	int rc;

	sbuf_addf(&sb, "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>bench claims</title>\n"
		  "<style>body{font-family:" REPORT_FONTS ";margin:2em;max-width:70em}"
		  "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;"
		  "text-align:left}.sup{fill:#2e7d32;color:#2e7d32}.ref{fill:#c62828;color:#c62828}"
		  ".inc{fill:#f9a825;color:#a06800}.nr{color:#666}.const{fill:#9e9e9e}.si{fill:#bdbdbd}"
		  ".standin{border-left:4px solid #9e9e9e;padding-left:1em;color:#444}"
		  ".ci{stroke:#000;stroke-width:1.5}.lab{font-size:11px;text-anchor:end}.num{font-size:11px}"
		  ".op{font-size:14px;font-weight:bold}.vd{font-size:11px;text-anchor:end}"
		  "pre{white-space:pre-wrap}svg{display:block;margin:.5em 0 1.5em}</style></head><body>\n"
		  "<h1>bench claims</h1>\n<p>Host cores: %ld. Servers: ", cores);
	escape_html(&sb, servers_mode);
	sbuf_addf(&sb, "%s. Each verdict comes from the claim's <code>expect:</code> expression and the 95%% "
		  "confidence intervals of its sides over the repeats (docs/claims.md). A claim whose expression "
		  "reads a target that a stand-in answered (FerretDB for MongoDB) is NOT RUN: the stand-in's "
		  "figures are shown apart, in grey, and are not evidence.</p>\n<h2>Verdicts</h2>\n<table><tr><th>claim</th><th>verdict</th>"
		  "<th>statement</th><th>the notes</th></tr>\n", quick ? " (--quick)" : "");
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(&sb, "<tr><td><a href='#");
		escape_html(&sb, rows[i].id);
		sbuf_addf(&sb, "'>");
		escape_html(&sb, rows[i].id);
		sbuf_addf(&sb, "</a></td><td class='%s'>", verdict_class(rows[i].verdict));
		escape_html(&sb, rows[i].verdict);
		sbuf_addf(&sb, "</td>");
		cell(&sb, "td", rows[i].statement);
		cell(&sb, "td", rows[i].notes);
		sbuf_addf(&sb, "</tr>\n");
	}
	sbuf_addf(&sb, "</table>\n<h2>Claims</h2>\n");
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(&sb, "<h3 id='");
		escape_html(&sb, rows[i].id);
		sbuf_addf(&sb, "'>");
		escape_html(&sb, rows[i].id);
		sbuf_addf(&sb, ": <span class='%s'>", verdict_class(rows[i].verdict));
		escape_html(&sb, rows[i].verdict);
		sbuf_addf(&sb, "</span></h3>\n");
		cell(&sb, "p", rows[i].statement);
		if (rows[i].expect && *rows[i].expect)
			cell(&sb, "pre", rows[i].expect);
		chart(&sb, rows[i].reason, false);
		cell(&sb, "p", rows[i].reason);
		if (rows[i].stand_in_reason && *rows[i].stand_in_reason) {
			sbuf_addf(&sb, "<div class='standin'><p><b>The stand-in's figures, not evidence.</b> On them the "
				  "expression gives ");
			escape_html(&sb, rows[i].stand_in_verdict ? rows[i].stand_in_verdict : "?");
			sbuf_addf(&sb, "; that is a statement about the stand-in, not about the server the claim is "
				  "about.</p>\n");
			chart(&sb, rows[i].stand_in_reason, true);
			cell(&sb, "p", rows[i].stand_in_reason);
			sbuf_addf(&sb, "</div>\n");
		}
		if (rows[i].servers && *rows[i].servers)
			cell(&sb, "p", rows[i].servers);
		if (rows[i].result && *rows[i].result) {
			sbuf_addf(&sb, "<p>Its run: <a href='");
			escape_html(&sb, rows[i].result);
			sbuf_addf(&sb, "/report.html'>");
			escape_html(&sb, rows[i].result);
			sbuf_addf(&sb, "</a></p>\n");
		}
	}
	sbuf_addf(&sb, "</body></html>\n");
	rc = util_write_file(path, sb.buf);
	free(sb.buf);
	return rc;
}
