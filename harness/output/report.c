/* report.c - report.html. Everything the page shows comes from the result
 * directory's files and is escaped on the way in: a target or phase name is
 * whatever the workload said, and a report must never run what it shows. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart.h"
#include "chart_int.h"
#include "escape.h"
#include "report.h"
#include "report_json.h"
#include "util.h"

/* ---- HTML ---- */

static void esc(struct sbuf *sb, const char *s)
{
	escape_html(sb, s);
}

/* s escaped between the markup pre and post; nothing when s is NULL. */
static void esc_between(struct sbuf *sb, const char *pre, const char *s, const char *post)
{
	if (!s)
		return;
	sbuf_addf(sb, "%s", pre);
	esc(sb, s);
	sbuf_addf(sb, "%s", post);
}

/* A number as JSON wrote it, shortened: 0.69999999999999996 → 0.7. */
static void esc_scalar(struct sbuf *sb, const struct report_jv *v)
{
	double d;

	if (v->type == REPORT_J_NUM && util_parse_double(v->text, &d) == 0) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%.10g", d);
		esc(sb, buf);
	} else if (v->type == REPORT_J_NULL) {
		sbuf_addf(sb, "<span class=\"dim\">null</span>");
	} else {
		esc(sb, v->text);
	}
}

/* Any value on one line: scalars as text, arrays joined by ", ",
 * objects as "key: value; ...". */
static void esc_compact(struct sbuf *sb, const struct report_jv *v)
{
	if (v->type != REPORT_J_ARR && v->type != REPORT_J_OBJ) {
		esc_scalar(sb, v);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			sbuf_addf(sb, v->type == REPORT_J_OBJ ? "; " : ", ");
		if (v->type == REPORT_J_OBJ) {
			esc(sb, v->kids[i].key);
			sbuf_addf(sb, ": ");
		}
		esc_compact(sb, &v->kids[i]);
	}
}

static void row_kv(struct sbuf *sb, const char *k, const char *v)
{
	if (!v)
		return;
	sbuf_addf(sb, "<tr><th>");
	esc(sb, k);
	sbuf_addf(sb, "</th><td>");
	esc(sb, v);
	sbuf_addf(sb, "</td></tr>\n");
}

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:0 auto;"
	"max-width:1400px;padding:0 24px 48px}\n"
	"h1{font-size:24px;margin:24px 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd}\n"
	"h3{font-size:15px;margin:18px 0 6px}.sub{color:#555;margin:0}.dim{color:#888}\n"
	"code{font:12px/1.4 ui-monospace,monospace;background:#f4f4f4;padding:1px 4px;border-radius:3px;"
	"word-break:break-all}\n"
	"table{border-collapse:collapse;margin:6px 0}th,td{padding:3px 8px;border-bottom:1px solid #e6e6e6;"
	"text-align:left;vertical-align:top}\n"
	"table.kv th{font-weight:600;color:#444;white-space:nowrap}\n"
	"table.grid{font-size:13px}table.grid th{background:#f6f6f6;white-space:nowrap}table.grid td{white-space:nowrap}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.bad td{background:#fff1f0}td.unsup{color:#777;font-style:italic;background:#f7f7f7}\n"
	".scroll{overflow-x:auto}.warn{background:#fff8e1;border:1px solid #f0c36d;border-radius:4px;"
	"padding:8px 16px}.ok{color:#2e7d32}\n"
	"figure{margin:16px 0 28px}figure svg{max-width:100%;height:auto;display:block}\n"
	"figcaption{color:#555;font-size:13px;margin-top:4px}nav a{margin-right:14px}\n";

/* ---- sections ---- */

/* Starts a list item unless 100 are shown already; counts it either way. */
static bool item_begin(struct sbuf *items, size_t *n, size_t *shown)
{
	if ((*n)++ >= 100)
		return false;
	(*shown)++;
	sbuf_addf(items, "<li>");
	return true;
}

static void sec_warnings(struct sbuf *sb, const struct report_jv *run, const char *run_err, const struct chart_table *t)
{
	const struct report_jv *w = report_json_get(run, "warnings"), *targets = report_json_get(run, "targets");
	const char *complete = report_json_str(run, "complete");
	int c_ph = chart_table_col(t, "phase"), c_t = chart_table_col(t, "target"), c_op = chart_table_col(t, "op");
	int c_e = chart_table_col(t, "errors"), c_to = chart_table_col(t, "timeouts");
	int c_d = chart_table_col(t, "disconnects"), c_sv = chart_table_col(t, "sweep_value");
	int c_r = chart_table_col(t, "repeat");
	size_t n = 0, shown = 0;
	struct sbuf items = {0};

	if (run_err && item_begin(&items, &n, &shown)) {
		esc(&items, run_err);
		sbuf_addf(&items, "</li>\n");
	}
	if (complete && !strcmp(complete, "false") && item_begin(&items, &n, &shown))
		sbuf_addf(&items, "The run was interrupted: the results are partial.</li>\n");
	for (size_t i = 0; w && w->type == REPORT_J_ARR && i < w->n; i++) {
		if (item_begin(&items, &n, &shown)) {
			esc_compact(&items, &w->kids[i]);
			sbuf_addf(&items, "</li>\n");
		}
	}
	for (size_t i = 0; targets && targets->type == REPORT_J_ARR && i < targets->n; i++) {
		const struct report_jv *tg = &targets->kids[i], *runs = report_json_get(tg, "runs");
		const char *skipped = report_json_str(tg, "skipped");

		if (skipped && item_begin(&items, &n, &shown)) {
			sbuf_addf(&items, "Target <b>");
			esc(&items, report_json_str(tg, "name"));
			sbuf_addf(&items, "</b> did not run: ");
			esc(&items, skipped);
			sbuf_addf(&items, "</li>\n");
		}
		for (size_t k = 0; runs && runs->type == REPORT_J_ARR && k < runs->n; k++) {
			const char *e = report_json_str(&runs->kids[k], "error");

			if (e && item_begin(&items, &n, &shown)) {
				sbuf_addf(&items, "Target <b>");
				esc(&items, report_json_str(tg, "name"));
				sbuf_addf(&items, "</b>, phase ");
				esc(&items, report_json_str(&runs->kids[k], "phase"));
				sbuf_addf(&items, ": ");
				esc(&items, e);
				sbuf_addf(&items, "</li>\n");
			}
		}
	}
	for (size_t r = 0; r < t->nrows; r++) {
		const char *e = chart_table_cell(t, r, c_e), *to = chart_table_cell(t, r, c_to);
		const char *d = chart_table_cell(t, r, c_d), *sv = chart_table_cell(t, r, c_sv);

		if ((!*e || !strcmp(e, "0")) && (!*to || !strcmp(to, "0")) && (!*d || !strcmp(d, "0")))
			continue;
		if (!item_begin(&items, &n, &shown))
			continue;
		sbuf_addf(&items, "<b>");
		esc(&items, chart_table_cell(t, r, c_t));
		sbuf_addf(&items, "</b> ");
		esc(&items, chart_table_cell(t, r, c_ph));
		sbuf_addf(&items, " ");
		esc(&items, chart_table_cell(t, r, c_op));
		if (*sv) {
			sbuf_addf(&items, " (sweep ");
			esc(&items, sv);
			sbuf_addf(&items, ")");
		}
		sbuf_addf(&items, " repeat ");
		esc(&items, chart_table_cell(t, r, c_r));
		sbuf_addf(&items, ": ");
		esc(&items, *e ? e : "0");
		sbuf_addf(&items, " errors, ");
		esc(&items, *to ? to : "0");
		sbuf_addf(&items, " timeouts, ");
		esc(&items, *d ? d : "0");
		sbuf_addf(&items, " disconnects</li>\n");
	}
	sbuf_addf(sb, "<h2 id=\"warnings\">Warnings</h2>\n");
	if (n == 0) {
		sbuf_addf(sb, "<p class=\"ok\">None: no errors, timeouts or disconnects, and no warning from the run.</p>\n");
	} else {
		sbuf_addf(sb, "<div class=\"warn\"><ul>\n%s", items.buf);
		if (n > shown)
			sbuf_addf(sb, "<li>… and %zu more (see summary.csv and run.json)</li>\n", n - shown);
		sbuf_addf(sb, "</ul></div>\n");
	}
	free(items.buf);
}

static void sec_run(struct sbuf *sb, const struct report_jv *run)
{
	const struct report_jv *host = report_json_get(run, "host"), *bench = report_json_get(run, "bench");

	sbuf_addf(sb, "<h2 id=\"run\">Run and host</h2>\n<table class=\"kv\">\n");
	row_kv(sb, "command", report_json_str(run, "command"));
	row_kv(sb, "started (UTC)", report_json_str(run, "started_utc"));
	row_kv(sb, "finished (UTC)", report_json_str(run, "finished_utc"));
	row_kv(sb, "complete", report_json_str(run, "complete"));
	row_kv(sb, "servers", report_json_str(run, "servers"));
	for (size_t i = 0; bench && bench->type == REPORT_J_OBJ && i < bench->n; i++) {
		char *k = xasprintf("bench %s", bench->kids[i].key);

		row_kv(sb, k, bench->kids[i].text);
		free(k);
	}
	for (size_t i = 0; host && host->type == REPORT_J_OBJ && i < host->n; i++) {
		char *k = xasprintf("host %s", host->kids[i].key);

		row_kv(sb, k, host->kids[i].text);
		free(k);
	}
	sbuf_addf(sb, "</table>\n");
}

static void sec_servers(struct sbuf *sb, const struct report_jv *run)
{
	const struct report_jv *targets = report_json_get(run, "targets");
	static const char *const cols[] = {"target", "driver", "server", "address", "spawned", "engine",
					   "server CPU from", "configuration"};

	if (!targets || targets->type != REPORT_J_ARR)
		return;
	sbuf_addf(sb, "<h2 id=\"servers\">Servers</h2>\n<div class=\"scroll\"><table class=\"grid\"><thead><tr>");
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		sbuf_addf(sb, "<th>%s</th>", cols[i]);
	sbuf_addf(sb, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < targets->n; i++) {
		const struct report_jv *tg = &targets->kids[i], *srv = report_json_get(tg, "server"), *cfg = report_json_get(srv, "config");
		const char *uri = report_json_str(tg, "uri");

		sbuf_addf(sb, "<tr><td>");
		esc(sb, report_json_str(tg, "name"));
		sbuf_addf(sb, "</td><td>");
		esc(sb, report_json_str(tg, "driver"));
		sbuf_addf(sb, "</td><td>");
		if (srv) {
			esc(sb, report_json_str(srv, "product"));
			sbuf_addf(sb, " ");
			esc(sb, report_json_str(srv, "version"));
			esc_between(sb, " (", report_json_str(srv, "variant"), ")");
			esc_between(sb, "<br><b>a stand-in for ", report_json_str(srv, "stands_in_for"), "");
			esc_between(sb, ", not ", report_json_str(srv, "stands_in_for"), "</b>");
			esc_between(sb, "<br><span class=\"dim\">", report_json_str(srv, "detail"), "</span>");
		} else {
			sbuf_addf(sb, "<span class=\"dim\">none reported</span>");
		}
		sbuf_addf(sb, "</td><td><code>");
		esc(sb, uri && *uri ? uri : "-");
		sbuf_addf(sb, "</code></td><td>");
		esc(sb, report_json_str(tg, "spawned") ? report_json_str(tg, "spawned") : "no");
		sbuf_addf(sb, "</td><td>");
		esc(sb, report_json_str(tg, "engine"));
		sbuf_addf(sb, "</td><td>");
		esc(sb, report_json_str(tg, "server_cpu_source") ? report_json_str(tg, "server_cpu_source") : "unknown");
		sbuf_addf(sb, "</td><td>");
		for (size_t k = 0; cfg && cfg->type == REPORT_J_OBJ && k < cfg->n; k++) {
			sbuf_addf(sb, "%s<code>", k ? "<br>" : "");
			esc(sb, cfg->kids[k].key);
			sbuf_addf(sb, "=");
			esc_compact(sb, &cfg->kids[k]);
			sbuf_addf(sb, "</code>");
		}
		sbuf_addf(sb, "</td></tr>\n");
	}
	sbuf_addf(sb, "</tbody></table></div>\n");
}

static void sec_workload(struct sbuf *sb, const struct report_jv *run)
{
	const struct report_jv *w = report_json_get(run, "workload"), *phases = report_json_get(w, "phases");
	struct chart_set keys = {0};

	if (!w || w->type != REPORT_J_OBJ)
		return;
	sbuf_addf(sb, "<h2 id=\"workload\">Workload</h2>\n<table class=\"kv\">\n");
	for (size_t i = 0; i < w->n; i++) {
		if (w->kids[i].key && !strcmp(w->kids[i].key, "phases"))
			continue;
		sbuf_addf(sb, "<tr><th>");
		esc(sb, w->kids[i].key);
		sbuf_addf(sb, "</th><td>");
		esc_compact(sb, &w->kids[i]);
		sbuf_addf(sb, "</td></tr>\n");
	}
	sbuf_addf(sb, "</table>\n");
	if (!phases || phases->type != REPORT_J_ARR || phases->n == 0)
		return;
	for (size_t i = 0; i < phases->n; i++)
		for (size_t k = 0; phases->kids[i].type == REPORT_J_OBJ && k < phases->kids[i].n; k++)
			chart_set_add(&keys, phases->kids[i].kids[k].key ? phases->kids[i].kids[k].key : "");
	sbuf_addf(sb, "<h3>Phases</h3>\n<div class=\"scroll\"><table class=\"grid\"><thead><tr>");
	for (size_t k = 0; k < keys.n; k++) {
		sbuf_addf(sb, "<th>");
		esc(sb, keys.v[k]);
		sbuf_addf(sb, "</th>");
	}
	sbuf_addf(sb, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < phases->n; i++) {
		sbuf_addf(sb, "<tr>");
		for (size_t k = 0; k < keys.n; k++) {
			const struct report_jv *v = report_json_get(&phases->kids[i], keys.v[k]);

			sbuf_addf(sb, "<td>");
			if (v)
				esc_compact(sb, v);
			sbuf_addf(sb, "</td>");
		}
		sbuf_addf(sb, "</tr>\n");
	}
	sbuf_addf(sb, "</tbody></table></div>\n");
	chart_set_free(&keys);
}

/* summary.csv's columns the table shows, with their headings. */
static const struct {
	const char *col, *head;
	bool num;
} sum_cols[] = {
	{"phase", "phase", false}, {"target", "target", false}, {"server", "server", false}, {"op", "op", false},
	{"sweep_value", NULL, false}, {"clients", "clients", true}, {"pipeline", "pipeline", true},
	{"rate_target", "rate", true}, {"repeat", "rep", true}, {"ops", "ops", true},
	{"ops_per_sec", "ops/s", true}, {"mean_us", "mean µs", true}, {"p50_us", "p50 µs", true},
	{"p90_us", "p90 µs", true}, {"p99_us", "p99 µs", true}, {"p999_us", "p99.9 µs", true},
	{"max_us", "max µs", true}, {"errors", "errors", true}, {"timeouts", "timeouts", true},
	{"disconnects", "disc.", true}, {"misses", "misses", true},
	{"client_cpu_us_per_op", "bench CPU µs/op", true}, {"server_cpu_us_per_op", "server CPU µs/op", true},
};
#define N_SUM_COLS (sizeof(sum_cols) / sizeof(sum_cols[0]))
#define FIRST_METRIC 9 /* "ops": where an unsupported row's note starts */

static void sec_summary(struct sbuf *sb, const struct chart_table *t)
{
	int col[N_SUM_COLS];
	int c_key = chart_table_col(t, "sweep_key"), c_unsup = chart_table_col(t, "unsupported");
	const char *key = "";
	size_t shown = 0;

	for (size_t r = 0; r < t->nrows; r++)
		if (*chart_table_cell(t, r, c_key))
			key = chart_table_cell(t, r, c_key);
	sbuf_addf(sb, "<h2 id=\"summary\">Summary</h2>\n<p class=\"sub\">One row per target × phase run × op, "
		      "from summary.csv (latency in µs from the intended send time; docs/csv-schema.md).</p>\n");
	sbuf_addf(sb, "<div class=\"scroll\"><table class=\"grid\"><thead><tr>");
	for (size_t i = 0; i < N_SUM_COLS; i++) {
		col[i] = chart_table_col(t, sum_cols[i].col);
		if (col[i] < 0 || (!sum_cols[i].head && !*key))
			continue;
		sbuf_addf(sb, "<th>");
		esc(sb, sum_cols[i].head ? sum_cols[i].head : key);
		sbuf_addf(sb, "%s</th>", sum_cols[i].head ? "" : " (sweep)");
		if (i >= FIRST_METRIC)
			shown++;
	}
	sbuf_addf(sb, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		const char *ops = chart_table_cell(t, r, col[FIRST_METRIC]), *un = chart_table_cell(t, r, c_unsup);
		const char *e = chart_table_cell(t, r, chart_table_col(t, "errors"));
		const char *to = chart_table_cell(t, r, chart_table_col(t, "timeouts"));
		const char *d = chart_table_cell(t, r, chart_table_col(t, "disconnects"));
		bool unsup = (!*ops || !strcmp(ops, "0")) && *un && strcmp(un, "0") != 0;
		bool bad = (*e && strcmp(e, "0")) || (*to && strcmp(to, "0")) || (*d && strcmp(d, "0"));

		sbuf_addf(sb, "<tr%s>", bad ? " class=\"bad\"" : "");
		for (size_t i = 0; i < N_SUM_COLS; i++) {
			if (col[i] < 0 || (!sum_cols[i].head && !*key))
				continue;
			if (unsup && i >= FIRST_METRIC) {
				sbuf_addf(sb, "<td class=\"unsup\" colspan=\"%zu\">unsupported: this target cannot do ", shown);
				esc(sb, chart_table_cell(t, r, chart_table_col(t, "op")));
				sbuf_addf(sb, " (");
				esc(sb, un);
				sbuf_addf(sb, " requests not sent)</td>");
				break;
			}
			sbuf_addf(sb, "<td%s>", sum_cols[i].num ? " class=\"n\"" : "");
			esc(sb, chart_table_cell(t, r, col[i]));
			sbuf_addf(sb, "</td>");
		}
		sbuf_addf(sb, "</tr>\n");
	}
	sbuf_addf(sb, "</tbody></table></div>\n");
}

/* Inlines an SVG file: from "<svg" to its end, with every id (and the
 * references to it) prefixed, since gnuplot names the same ids in every
 * chart. A file holding a script is not inlined. */
static int inline_svg(struct sbuf *sb, const char *path, unsigned n)
{
	char *text = chart_slurp(path, NULL), *start, *end;

	if (!text)
		return -1;
	start = strstr(text, "<svg");
	end = start ? strstr(start, "</svg>") : NULL;
	for (char *p = text; start && *p; p++)
		if (!strncasecmp(p, "<script", 7) || !strncasecmp(p, "javascript:", 11) ||
		    !strncasecmp(p, "<foreignObject", 14))
			start = NULL;
	if (!start || !end) {
		free(text);
		return -1;
	}
	end += 6;
	for (char *p = start; p < end;) {
		size_t len = 0;

		if (p > start && (p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') &&
		    (!strncmp(p, "id=\"", 4) || !strncmp(p, "id='", 4)))
			len = 4;
		else if (!strncmp(p, "href=\"#", 7) || !strncmp(p, "href='#", 7))
			len = 7;
		else if (!strncmp(p, "url(#", 5))
			len = 5;
		if (len && p + len < end) {
			sbuf_add(sb, p, len);
			sbuf_addf(sb, "c%u-", n);
			p += len;
		} else {
			sbuf_add(sb, p++, 1);
		}
	}
	sbuf_addf(sb, "\n");
	free(text);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sec_charts(struct sbuf *sb, const char *dir)
{
	char *cdir = xasprintf("%s/charts", dir), *ipath = xasprintf("%s/index.txt", cdir);
	char *index = chart_slurp(ipath, NULL);
	struct chart_set names = {0}, titles = {0};
	unsigned drawn = 0;

	if (index) {
		for (char *line = index; *line;) {
			char *nl = strchr(line, '\n'), *tab;

			if (nl)
				*nl = '\0';
			tab = strchr(line, '\t');
			if (tab) {
				*tab = '\0';
				if (chart_set_find(&names, line) < 0) {
					chart_set_add(&names, line);
					titles.v = xrealloc(titles.v, (titles.n + 1) * sizeof(*titles.v));
					titles.v[titles.n++] = xstrdup(tab + 1);
				}
			}
			if (!nl)
				break;
			line = nl + 1;
		}
	} else {
		DIR *d = opendir(cdir);
		struct dirent *e;

		while (d && (e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);

			if (len > 4 && !strcmp(e->d_name + len - 4, ".svg")) {
				char *base = xstrndup(e->d_name, len - 4);

				chart_set_add(&names, base);
				free(base);
			}
		}
		if (d)
			closedir(d);
		if (names.n > 1)
			qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	}
	sbuf_addf(sb, "<h2 id=\"charts\">Charts</h2>\n");
	for (size_t i = 0; i < names.n; i++) {
		char *svg = xasprintf("%s/%s.svg", cdir, names.v[i]);
		const char *title = i < titles.n ? titles.v[i] : names.v[i];

		sbuf_addf(sb, "<figure>\n<h3>");
		esc(sb, title);
		sbuf_addf(sb, "</h3>\n");
		if (inline_svg(sb, svg, drawn + 1) == 0)
			drawn++;
		else
			sbuf_addf(sb, "<p class=\"dim\">(the SVG is missing, or not a plain SVG)</p>\n");
		sbuf_addf(sb, "<figcaption><code>charts/");
		esc(sb, names.v[i]);
		sbuf_addf(sb, ".svg</code>, drawn by <code>charts/");
		esc(sb, names.v[i]);
		sbuf_addf(sb, ".gp</code> (PNG beside it)</figcaption>\n</figure>\n");
		free(svg);
	}
	if (drawn == 0)
		sbuf_addf(sb, "<p class=\"warn\">No charts yet: draw them with <code>bench chart DIR</code> (needs gnuplot: "
			      "<code>apt-get install gnuplot-nox</code>), then rewrite this page with "
			      "<code>bench report DIR</code>.</p>\n");
	chart_set_free(&names);
	chart_set_free(&titles);
	free(index);
	free(ipath);
	free(cdir);
}

/* Writes text to dir/name through a temporary file and a rename. */
static int write_atomic(const char *dir, const char *name, const char *text, char *err, size_t errlen)
{
	char *tmp = xasprintf("%s/.%s.tmp-XXXXXX", dir, name), *path = xasprintf("%s/%s", dir, name);
	int fd = mkstemp(tmp), rc = -1;

	if (fd < 0) {
		chart_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	if (util_write_all(fd, text, strlen(text)) < 0 || fchmod(fd, 0644) < 0) {
		chart_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		goto done;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		chart_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		goto done;
	}
	rc = 0;
done:
	free(tmp);
	free(path);
	return rc;
}

int report_write(const char *result_dir, char *err, size_t errlen)
{
	char *path = xasprintf("%s/summary.csv", result_dir), *json, *run_err = NULL;
	struct chart_table *t = NULL;
	struct report_jv run = {.type = REPORT_J_NULL};
	struct sbuf sb = {0};
	const struct report_jv *w;
	const char *wname, *desc;
	size_t len = 0;
	int rc = -1;

	chart_seterr(err, errlen, "%s", "");
	if (chart_table_load(path, &t, err, errlen) < 0)
		goto done;
	free(path);
	path = xasprintf("%s/run.json", result_dir);
	json = chart_slurp(path, &len);
	if (!json) {
		run_err = xasprintf("run.json could not be read (%s): the host, servers and workload are unknown",
				    strerror(errno));
	} else {
		const char *why = NULL;
		size_t at = 0;

		if (report_json_parse(json, len, &run, &why, &at) < 0)
			run_err = xasprintf("run.json is not valid JSON (%s at byte %zu): what could be read is shown",
					    why ? why : "an error", at);
		free(json);
	}
	w = report_json_get(&run, "workload");
	wname = report_json_str(w, "name") ? report_json_str(w, "name") : chart_table_cell(t, 0, chart_table_col(t, "workload"));
	desc = report_json_str(w, "description");
	sbuf_addf(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>bench: ");
	esc(&sb, wname);
	sbuf_addf(&sb, " ");
	esc(&sb, report_json_str(&run, "started_utc"));
	sbuf_addf(&sb, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>bench report: ", css);
	esc(&sb, wname);
	sbuf_addf(&sb, "</h1>\n<p class=\"sub\">");
	if (desc && *desc) {
		esc(&sb, desc);
		sbuf_addf(&sb, " · ");
	}
	sbuf_addf(&sb, "started ");
	esc(&sb, report_json_str(&run, "started_utc") ? report_json_str(&run, "started_utc") : "?");
	sbuf_addf(&sb, " UTC · result directory <code>");
	esc(&sb, result_dir);
	sbuf_addf(&sb, "</code></p>\n<nav><a href=\"#warnings\">Warnings</a><a href=\"#summary\">Summary</a>"
		       "<a href=\"#charts\">Charts</a><a href=\"#servers\">Servers</a><a href=\"#workload\">Workload</a>"
		       "<a href=\"#run\">Run and host</a></nav>\n");
	sec_warnings(&sb, &run, run_err, t);
	sec_summary(&sb, t);
	sec_charts(&sb, result_dir);
	sec_servers(&sb, &run);
	sec_workload(&sb, &run);
	sec_run(&sb, &run);
	sbuf_addf(&sb, "<p class=\"dim\">Written by <code>bench report</code> from summary.csv, run.json and charts/ "
		       "(docs/charts.md, docs/csv-schema.md).</p>\n</body>\n</html>\n");
	rc = write_atomic(result_dir, "report.html", sb.buf, err, errlen);
done:
	free(sb.buf);
	free(run_err);
	report_json_free(&run);
	chart_table_free(t);
	free(path);
	return rc;
}
