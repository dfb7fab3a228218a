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

#include <math.h>

#include "chart.h"
#include "chart_int.h"
#include "cmptab.h"
#include "escape.h"
#include "report.h"
#include "report_cmp.h"
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

/* A scalar as text; a number shortened: 0.69999999999999996 → 0.7. */
static void esc_scalar(struct sbuf *sb, const json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		esc(sb, buf);
		break;
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.10g", json_real_value(v));
		esc(sb, buf);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		esc(sb, json_is_true(v) ? "true" : "false");
		break;
	case JSON_STRING:
		esc(sb, json_string_value(v));
		break;
	default:
		sbuf_addf(sb, "<span class=\"dim\">null</span>");
		break;
	}
}

/* Any value on one line: scalars as text, arrays joined by ", ",
 * objects as "key: value; ...". */
static void esc_compact(struct sbuf *sb, json_t *v)
{
	const char *key;
	json_t *m;
	size_t i = 0;

	if (json_is_array(v)) {
		json_array_foreach (v, i, m) {
			if (i)
				sbuf_addf(sb, ", ");
			esc_compact(sb, m);
		}
	} else if (json_is_object(v)) {
		json_object_foreach (v, key, m) {
			if (i++)
				sbuf_addf(sb, "; ");
			esc(sb, key);
			sbuf_addf(sb, ": ");
			esc_compact(sb, m);
		}
	} else {
		esc_scalar(sb, v);
	}
}

/* A row of a key-value table; nothing when v is missing. */
static void row_kv(struct sbuf *sb, const char *k, json_t *v)
{
	if (!v)
		return;
	sbuf_addf(sb, "<tr><th>");
	esc(sb, k);
	sbuf_addf(sb, "</th><td>");
	esc_compact(sb, v);
	sbuf_addf(sb, "</td></tr>\n");
}

static const char css[] =
	"body{font:14px/1.45 " REPORT_FONTS ";color:#222;margin:0 auto;"
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
	"figcaption{color:#555;font-size:13px;margin-top:4px}nav a{margin-right:14px}\n"
	"table.cmp tbody.g{border-top:2px solid #bbb}table.cmp th.m{text-align:center;border-left:1px solid #ddd}\n"
	".pm{color:#666}.v-best{font-weight:700;color:#1b5e20}.v-tie{background:#fff8d6;font-weight:600}\n"
	".v-worse{color:#7a1c1c}.unlike{color:#8a4b00;font-style:italic;font-size:12px}td.mixd{background:#fff4e5}\n"
	"tr.note td{background:#fff4e5;color:#5d3a00;font-size:12.5px;white-space:normal}\n"
	"p.warncount{margin:10px 0 0}\n";

/* ---- sections ---- */

/* The Warnings section's items: the first 100 are shown, all counted. */
struct items {
	struct sbuf sb;
	size_t n, shown;
};

/* Starts a list item unless 100 are shown already; counts it either way. */
static bool item_begin(struct items *it)
{
	if (it->n++ >= 100)
		return false;
	it->shown++;
	sbuf_addf(&it->sb, "<li>");
	return true;
}

/* What each driver's own server calls itself; another product answering
 * (FerretDB for mongodb, Valkey for redis) is a stand-in, and its figures
 * are not the named server's. */
static const struct {
	const char *driver, *product;
} native[] = {{"redis", "Redis"}, {"memcached", "memcached"}, {"mongodb", "MongoDB"}};

static void warn_stand_ins(struct items *it, const json_t *targets)
{
	json_t *tg;
	size_t i;

	json_array_foreach (targets, i, tg) {
		const json_t *srv = json_object_get(tg, "server");
		const char *driver = report_json_str(tg, "driver"), *product = report_json_str(srv, "product");

		for (size_t k = 0; driver && product && *product && k < sizeof(native) / sizeof(native[0]); k++) {
			if (strcmp(driver, native[k].driver) != 0 || strcasecmp(product, native[k].product) == 0 ||
			    !item_begin(it))
				continue;
			sbuf_addf(&it->sb, "Target <b>");
			esc(&it->sb, report_json_str(tg, "name"));
			sbuf_addf(&it->sb, "</b> (driver ");
			esc(&it->sb, driver);
			sbuf_addf(&it->sb, ") was answered by ");
			esc(&it->sb, product);
			if (report_json_str(srv, "version")) {
				sbuf_addf(&it->sb, " ");
				esc(&it->sb, report_json_str(srv, "version"));
			}
			sbuf_addf(&it->sb, ", a stand-in for %s: its figures are ", native[k].product);
			esc(&it->sb, product);
			sbuf_addf(&it->sb, "'s, not %s's.</li>\n", native[k].product);
		}
	}
}

/* Per target, the phase runs (phase × sweep point, shortest repeat) that
 * measured under a second: start-up and noise more than the server. */
static void warn_short_runs(struct items *it, const struct chart_table *t)
{
	int c_t = chart_table_col(t, "target"), c_ph = chart_table_col(t, "phase"), c_sv = chart_table_col(t, "sweep_value");
	int c_sk = chart_table_col(t, "sweep_key"), c_d = chart_table_col(t, "duration_s"), c_ops = chart_table_col(t, "ops");
	struct chart_set targets = {0}, runs = {0};
	double *shortest = NULL;

	for (size_t r = 0; c_d >= 0 && r < t->nrows; r++) {
		double d, ops = 0;
		char *key;
		size_t i, before = runs.n;

		if (util_parse_double(chart_table_cell(t, r, c_d), &d) < 0 || d >= 1 ||
		    (util_parse_double(chart_table_cell(t, r, c_ops), &ops) == 0 && ops <= 0))
			continue; /* an op the target did not run has no duration of its own */
		chart_set_add(&targets, chart_table_cell(t, r, c_t));
		key = *chart_table_cell(t, r, c_sv)
			      ? xasprintf("%s\x1f%s %s=%s", chart_table_cell(t, r, c_t), chart_table_cell(t, r, c_ph),
					  chart_table_cell(t, r, c_sk), chart_table_cell(t, r, c_sv))
			      : xasprintf("%s\x1f%s", chart_table_cell(t, r, c_t), chart_table_cell(t, r, c_ph));
		i = chart_set_add(&runs, key);
		free(key);
		if (runs.n > before) {
			shortest = xrealloc(shortest, runs.n * sizeof(*shortest));
			shortest[i] = d;
		} else if (d < shortest[i]) {
			shortest[i] = d;
		}
	}
	for (size_t k = 0; k < targets.n; k++) {
		size_t len = strlen(targets.v[k]), listed = 0;

		if (!item_begin(it))
			continue;
		sbuf_addf(&it->sb, "Target <b>");
		esc(&it->sb, targets.v[k]);
		sbuf_addf(&it->sb, "</b> ran less than 1 s in ");
		for (size_t i = 0; i < runs.n; i++) {
			if (strncmp(runs.v[i], targets.v[k], len) != 0 || runs.v[i][len] != '\x1f')
				continue;
			sbuf_addf(&it->sb, "%s", listed++ ? ", " : "");
			esc(&it->sb, runs.v[i] + len + 1);
			sbuf_addf(&it->sb, " (%.3f s)", shortest[i]);
		}
		sbuf_addf(&it->sb, ": too short for stable figures (and for <code>bench compare</code>); give those phases a "
				   "<code>duration</code> of a few seconds.</li>\n");
	}
	free(shortest);
	chart_set_free(&targets);
	chart_set_free(&runs);
}

static void collect_warnings(struct items *it, const json_t *run, const char *run_err,
			     const struct chart_table *t, const struct cmptab *cmp)
{
	json_t *w = json_object_get(run, "warnings"), *targets = json_object_get(run, "targets"), *v;
	int c_ph = chart_table_col(t, "phase"), c_t = chart_table_col(t, "target"), c_op = chart_table_col(t, "op");
	int c_e = chart_table_col(t, "errors"), c_to = chart_table_col(t, "timeouts");
	int c_d = chart_table_col(t, "disconnects"), c_sv = chart_table_col(t, "sweep_value");
	int c_r = chart_table_col(t, "repeat");
	struct chart_set mixes = {0};
	size_t i;

	if (run_err && item_begin(it)) {
		esc(&it->sb, run_err);
		sbuf_addf(&it->sb, "</li>\n");
	}
	if (json_is_false(json_object_get(run, "complete")) && item_begin(it))
		sbuf_addf(&it->sb, "The run was interrupted: the results are partial.</li>\n");
	json_array_foreach (w, i, v) {
		if (item_begin(it)) {
			esc_compact(&it->sb, v);
			sbuf_addf(&it->sb, "</li>\n");
		}
	}
	warn_stand_ins(it, targets);
	if (cmp)
		report_cmp_warnings(cmp, &mixes);
	for (size_t m = 0; m < mixes.n; m++)
		if (item_begin(it))
			sbuf_addf(&it->sb, "%s</li>\n", mixes.v[m]);
	chart_set_free(&mixes);
	warn_short_runs(it, t);
	json_array_foreach (targets, i, v) {
		json_t *runs = json_object_get(v, "runs"), *run1;
		const char *skipped = report_json_str(v, "skipped"), *tname = report_json_str(v, "name");
		size_t k;

		if (skipped && item_begin(it)) {
			sbuf_addf(&it->sb, "Target <b>");
			esc(&it->sb, tname);
			sbuf_addf(&it->sb, "</b> did not run: ");
			esc(&it->sb, skipped);
			sbuf_addf(&it->sb, "</li>\n");
		}
		json_array_foreach (runs, k, run1) {
			const char *e = report_json_str(run1, "error");

			if (e && item_begin(it)) {
				sbuf_addf(&it->sb, "Target <b>");
				esc(&it->sb, tname);
				sbuf_addf(&it->sb, "</b>, phase ");
				esc(&it->sb, report_json_str(run1, "phase"));
				sbuf_addf(&it->sb, ": ");
				esc(&it->sb, e);
				sbuf_addf(&it->sb, "</li>\n");
			}
		}
	}
	for (size_t r = 0; r < t->nrows; r++) {
		const char *e = chart_table_cell(t, r, c_e), *to = chart_table_cell(t, r, c_to);
		const char *d = chart_table_cell(t, r, c_d), *sv = chart_table_cell(t, r, c_sv);

		if ((!*e || !strcmp(e, "0")) && (!*to || !strcmp(to, "0")) && (!*d || !strcmp(d, "0")))
			continue;
		if (!item_begin(it))
			continue;
		sbuf_addf(&it->sb, "<b>");
		esc(&it->sb, chart_table_cell(t, r, c_t));
		sbuf_addf(&it->sb, "</b> ");
		esc(&it->sb, chart_table_cell(t, r, c_ph));
		sbuf_addf(&it->sb, " ");
		esc(&it->sb, chart_table_cell(t, r, c_op));
		if (*sv) {
			sbuf_addf(&it->sb, " (sweep ");
			esc(&it->sb, sv);
			sbuf_addf(&it->sb, ")");
		}
		sbuf_addf(&it->sb, " repeat ");
		esc(&it->sb, chart_table_cell(t, r, c_r));
		sbuf_addf(&it->sb, ": ");
		esc(&it->sb, *e ? e : "0");
		sbuf_addf(&it->sb, " errors, ");
		esc(&it->sb, *to ? to : "0");
		sbuf_addf(&it->sb, " timeouts, ");
		esc(&it->sb, *d ? d : "0");
		sbuf_addf(&it->sb, " disconnects</li>\n");
	}
}

static void sec_warnings(struct sbuf *sb, const struct items *it)
{
	sbuf_addf(sb, "<h2 id=\"warnings\">Warnings</h2>\n");
	if (it->n == 0) {
		sbuf_addf(sb, "<p class=\"ok\">None: no errors, timeouts or disconnects, and no warning from the run.</p>\n");
	} else {
		sbuf_addf(sb, "<div class=\"warn\"><ul>\n%s", it->sb.buf);
		if (it->n > it->shown)
			sbuf_addf(sb, "<li>… and %zu more (see summary.csv and run.json)</li>\n", it->n - it->shown);
		sbuf_addf(sb, "</ul></div>\n");
	}
}

static void sec_run(struct sbuf *sb, const json_t *run)
{
	static const char *const top[][2] = {{"command", "command"}, {"started_utc", "started (UTC)"},
					     {"finished_utc", "finished (UTC)"}, {"complete", "complete"},
					     {"servers", "servers"}};
	static const char *const groups[] = {"bench", "host"};
	const char *key;
	json_t *v;

	sbuf_addf(sb, "<h2 id=\"run\">Run and host</h2>\n<table class=\"kv\">\n");
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		row_kv(sb, top[i][1], json_object_get(run, top[i][0]));
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		json_object_foreach (json_object_get(run, groups[g]), key, v) {
			char *k = xasprintf("%s %s", groups[g], key);

			row_kv(sb, k, v);
			free(k);
		}
	}
	sbuf_addf(sb, "</table>\n");
}

/* A string member, or `dflt` when it is missing or not a string. */
static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = report_json_str(o, key);

	return s ? s : dflt;
}

static void sec_servers(struct sbuf *sb, const json_t *run)
{
	json_t *targets = json_object_get(run, "targets"), *tg;
	static const char *const cols[] = {"target", "driver", "server", "address", "spawned", "engine",
					   "server CPU from", "configuration"};
	size_t i;

	if (!json_is_array(targets))
		return;
	sbuf_addf(sb, "<h2 id=\"servers\">Servers</h2>\n<div class=\"scroll\"><table class=\"grid\"><thead><tr>");
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		sbuf_addf(sb, "<th>%s</th>", cols[i]);
	sbuf_addf(sb, "</tr></thead><tbody>\n");
	json_array_foreach (targets, i, tg) {
		json_t *srv = json_object_get(tg, "server"), *cfg = json_object_get(srv, "config"), *v;
		const char *uri = report_json_str(tg, "uri"), *key;
		size_t k = 0;

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
		esc(sb, str_or(tg, "spawned", "no"));
		sbuf_addf(sb, "</td><td>");
		esc(sb, report_json_str(tg, "engine"));
		sbuf_addf(sb, "</td><td>");
		esc(sb, str_or(tg, "server_cpu_source", "unknown"));
		sbuf_addf(sb, "</td><td>");
		json_object_foreach (cfg, key, v) {
			sbuf_addf(sb, "%s<code>", k++ ? "<br>" : "");
			esc(sb, key);
			sbuf_addf(sb, "=");
			esc_compact(sb, v);
			sbuf_addf(sb, "</code>");
		}
		sbuf_addf(sb, "</td></tr>\n");
	}
	sbuf_addf(sb, "</tbody></table></div>\n");
}

static void sec_workload(struct sbuf *sb, const json_t *run)
{
	json_t *w = json_object_get(run, "workload"), *phases = json_object_get(w, "phases"), *v, *ph;
	struct chart_set keys = {0};
	const char *key;
	size_t i;

	if (!json_is_object(w))
		return;
	sbuf_addf(sb, "<h2 id=\"workload\">Workload</h2>\n<table class=\"kv\">\n");
	json_object_foreach (w, key, v) {
		if (!strcmp(key, "phases"))
			continue;
		sbuf_addf(sb, "<tr><th>");
		esc(sb, key);
		sbuf_addf(sb, "</th><td>");
		esc_compact(sb, v);
		sbuf_addf(sb, "</td></tr>\n");
	}
	sbuf_addf(sb, "</table>\n");
	if (json_array_size(phases) == 0)
		return;
	json_array_foreach (phases, i, ph)
		json_object_foreach (ph, key, v)
			chart_set_add(&keys, key);
	sbuf_addf(sb, "<h3>Phases</h3>\n<div class=\"scroll\"><table class=\"grid\"><thead><tr>");
	for (size_t k = 0; k < keys.n; k++) {
		sbuf_addf(sb, "<th>");
		esc(sb, keys.v[k]);
		sbuf_addf(sb, "</th>");
	}
	sbuf_addf(sb, "</tr></thead><tbody>\n");
	json_array_foreach (phases, i, ph) {
		sbuf_addf(sb, "<tr>");
		for (size_t k = 0; k < keys.n; k++) {
			v = json_object_get(ph, keys.v[k]);
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

/* charts/index.txt's names and titles, in order; without it, the .svg
 * files in name order (a directory drawn by hand). */
static void read_index(const char *cdir, struct chart_set *names, struct chart_set *titles)
{
	char *ipath = xasprintf("%s/index.txt", cdir), *index = chart_slurp(ipath, NULL);

	if (index) {
		for (char *line = index; *line;) {
			char *nl = strchr(line, '\n'), *tab;

			if (nl)
				*nl = '\0';
			tab = strchr(line, '\t');
			if (tab) {
				*tab = '\0';
				if (chart_set_find(names, line) < 0) {
					chart_set_add(names, line);
					titles->v = xrealloc(titles->v, (titles->n + 1) * sizeof(*titles->v));
					titles->v[titles->n++] = xstrdup(tab + 1);
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

				chart_set_add(names, base);
				free(base);
			}
		}
		if (d)
			closedir(d);
		if (names->n > 1)
			qsort(names->v, names->n, sizeof(*names->v), name_cmp);
	}
	free(index);
	free(ipath);
}

/* The charts of the result directory, inline: those whose name starts
 * with "compare-" (the comparison's) when compare, else the others.
 * *drawn counts the SVGs inlined over the page, for unique ids. Returns
 * how many this call inlined. */
static unsigned show_charts(struct sbuf *sb, const char *dir, bool compare, unsigned *drawn)
{
	char *cdir = xasprintf("%s/charts", dir);
	struct chart_set names = {0}, titles = {0};
	unsigned here = 0;

	read_index(cdir, &names, &titles);
	for (size_t i = 0; i < names.n; i++) {
		char *svg;
		const char *title = i < titles.n ? titles.v[i] : names.v[i];

		if ((strncmp(names.v[i], "compare-", 8) == 0) != compare)
			continue;
		svg = xasprintf("%s/%s.svg", cdir, names.v[i]);
		sbuf_addf(sb, "<figure>\n<h3>");
		esc(sb, title);
		sbuf_addf(sb, "</h3>\n");
		if (inline_svg(sb, svg, *drawn + 1) == 0) {
			(*drawn)++;
			here++;
		} else {
			sbuf_addf(sb, "<p class=\"dim\">(the SVG is missing, or not a plain SVG)</p>\n");
		}
		sbuf_addf(sb, "<figcaption><code>charts/");
		esc(sb, names.v[i]);
		sbuf_addf(sb, ".svg</code>, drawn by <code>charts/");
		esc(sb, names.v[i]);
		sbuf_addf(sb, ".gp</code> (PNG beside it)</figcaption>\n</figure>\n");
		free(svg);
	}
	chart_set_free(&names);
	chart_set_free(&titles);
	free(cdir);
	return here;
}

static const char no_charts[] =
	"<p class=\"warn\">No charts yet: draw them with <code>bench chart DIR</code> (needs gnuplot: "
	"<code>apt-get install gnuplot-nox</code>), then rewrite this page with <code>bench report DIR</code>.</p>\n";

static void sec_charts(struct sbuf *sb, const char *dir, unsigned *drawn)
{
	sbuf_addf(sb, "<h2 id=\"charts\">Charts</h2>\n");
	if (show_charts(sb, dir, false, drawn) == 0 && *drawn == 0)
		sbuf_addf(sb, "%s", no_charts);
}

/* The comparison that opens the page: its table first, then a chart per
 * metric (targets side by side per op, 95% CI whiskers). */
static void sec_comparison(struct sbuf *sb, const char *dir, const struct cmptab *cmp, unsigned *drawn)
{
	sbuf_addf(sb, "<h2 id=\"comparison\">Comparison</h2>\n");
	report_cmp_table(sb, cmp);
	sbuf_addf(sb, "<p class=\"sub\">Per phase, op and sweep point, each target that ran it: the mean over "
		      "n repeats ± the half-width of its 95%% confidence interval (Student t); the ratio of its "
		      "mean to the best target's (highest ops/s, lowest latency) with the ratio's 95%% interval; "
		      "the verdict: <span class=\"v-best\">best</span>, <span class=\"v-tie\">tie</span> (its "
		      "interval overlaps the best's: not shown to differ) or <span class=\"v-worse\">worse</span>; "
		      "none with a single repeat. From comparison.csv (docs/csv-schema.md); the raw rows are under "
		      "<a href=\"#summary\">Summary</a>.</p>\n");
	if (show_charts(sb, dir, true, drawn) == 0)
		sbuf_addf(sb, "%s", no_charts);
}

/* Writes text to dir/name through a temporary file and a rename. The
 * temporary file is created as every result file is, 0666 less the umask
 * (util_write_file): mkstemp's 0600 needed a fixed chmod, which ignored
 * the umask. Its name holds the pid and a counter, so two writers never
 * share one. */
static int write_atomic(const char *dir, const char *name, const char *text, char *err, size_t errlen)
{
	char *tmp = NULL, *path = xasprintf("%s/%s", dir, name);
	int rc = -1, e = EEXIST;

	for (unsigned k = 0; k < 100 && e == EEXIST; k++) {
		free(tmp);
		tmp = xasprintf("%s/.%s.tmp-%ld-%u", dir, name, (long)getpid(), k);
		e = util_write_file(tmp, text) < 0 ? errno : 0;
		if (e && e != EEXIST)
			unlink(tmp); /* written in part */
	}
	if (e) {
		chart_seterr(err, errlen, "cannot write %s: %s", path, strerror(e));
		goto done;
	}
	if (rename(tmp, path) < 0) {
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
	struct cmptab *cmp = NULL;
	json_t *run = NULL, *w;
	struct items warnings = {0};
	struct sbuf sb = {0};
	const char *wname, *desc;
	size_t len = 0;
	unsigned drawn = 0;
	int rc = -1;

	chart_seterr(err, errlen, "%s", "");
	if (chart_table_load(path, &t, err, errlen) < 0 || cmptab_load(result_dir, &cmp, err, errlen) < 0)
		goto done;
	free(path);
	path = xasprintf("%s/run.json", result_dir);
	json = chart_slurp(path, &len);
	if (!json) {
		run_err = xasprintf("run.json could not be read (%s): the host, servers and workload are unknown",
				    strerror(errno));
	} else {
		json_error_t jerr;

		if (report_json_parse(json, len, &run, &jerr) < 0)
			run_err = xasprintf("run.json is not valid JSON (%s at byte %d): what could be read is shown",
					    jerr.text, jerr.position);
		free(json);
	}
	w = json_object_get(run, "workload");
	wname = str_or(w, "name", chart_table_cell(t, 0, chart_table_col(t, "workload")));
	desc = report_json_str(w, "description");
	sbuf_addf(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>bench: ");
	esc(&sb, wname);
	sbuf_addf(&sb, " ");
	esc(&sb, report_json_str(run, "started_utc"));
	sbuf_addf(&sb, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>bench report: ", css);
	esc(&sb, wname);
	sbuf_addf(&sb, "</h1>\n<p class=\"sub\">");
	if (desc && *desc) {
		esc(&sb, desc);
		sbuf_addf(&sb, " · ");
	}
	sbuf_addf(&sb, "started ");
	esc(&sb, str_or(run, "started_utc", "?"));
	sbuf_addf(&sb, " UTC · result directory <code>");
	esc(&sb, result_dir);
	sbuf_addf(&sb, "</code></p>\n<nav>%s<a href=\"#warnings\">Warnings</a><a href=\"#summary\">Summary</a>"
		       "<a href=\"#charts\">Charts</a><a href=\"#servers\">Servers</a><a href=\"#workload\">Workload</a>"
		       "<a href=\"#run\">Run and host</a></nav>\n", cmp ? "<a href=\"#comparison\">Comparison</a>" : "");
	collect_warnings(&warnings, run, run_err, t, cmp);
	/* With the targets set against each other, that comes first (the
	 * page's first table); the warnings are counted above it. */
	if (cmp) {
		if (warnings.n)
			sbuf_addf(&sb, "<p class=\"warncount\"><a href=\"#warnings\">%zu warning%s</a> below: read them "
				       "before the figures are believed.</p>\n", warnings.n, warnings.n == 1 ? "" : "s");
		sec_comparison(&sb, result_dir, cmp, &drawn);
	}
	sec_warnings(&sb, &warnings);
	sec_summary(&sb, t);
	sec_charts(&sb, result_dir, &drawn);
	sec_servers(&sb, run);
	sec_workload(&sb, run);
	sec_run(&sb, run);
	sbuf_addf(&sb, "<p class=\"dim\">Written by <code>bench report</code> from summary.csv, run.json and charts/ "
		       "(docs/charts.md, docs/csv-schema.md).</p>\n</body>\n</html>\n");
	rc = write_atomic(result_dir, "report.html", sb.buf, err, errlen);
done:
	free(sb.buf);
	free(warnings.sb.buf);
	free(run_err);
	json_decref(run);
	cmptab_free(cmp);
	chart_table_free(t);
	free(path);
	return rc;
}
