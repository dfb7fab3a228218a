/* results.c - the results model's helpers and the terminal table. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "secret.h"
#include "util.h"

void results_warn(struct results *r, const char *fmt, ...)
{
	struct sbuf sb = {0};
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->warnings = xrealloc(r->warnings, (r->n_warnings + 1) * sizeof(*r->warnings));
	r->warnings[r->n_warnings++] = secret_scrub(sb.buf ? sb.buf : "");
	free(sb.buf);
}

struct phase_result *results_add_run(struct target_result *t)
{
	t->runs = xrealloc(t->runs, (t->n_runs + 1) * sizeof(*t->runs));
	memset(&t->runs[t->n_runs], 0, sizeof(t->runs[0]));
	return &t->runs[t->n_runs++];
}

void results_free(struct results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_targets; i++) {
		struct target_result *t = &r->targets[i];

		for (size_t j = 0; j < t->n_runs; j++) {
			for (int op = 0; op < BENCH_OP__COUNT; op++)
				op_stats_free(&t->runs[j].ops[op]);
			hist_free(t->runs[j].repl.lag);
			free(t->runs[j].series);
		}
		free(t->runs);
		free(t->uri);
		free(t->spawned);
		free(t->skipped);
		free(t->cleanup);
	}
	free(r->targets);
	for (size_t i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	free(r->command);
	memset(r, 0, sizeof(*r));
}

void op_stats_free(struct op_stats *s)
{
	hist_free(s->lat);
	hist_free(s->lat_uncorrected);
	s->lat = s->lat_uncorrected = NULL;
}

void op_stats_merge(struct op_stats *dst, const struct op_stats *src)
{
	for (int i = 0; i < BENCH_STATUS__COUNT; i++)
		dst->status[i] += src->status[i];
	dst->items += src->items;
	dst->calls += src->calls;
	if (src->lat) {
		if (!dst->lat)
			dst->lat = hist_new_latency();
		hist_merge(dst->lat, src->lat);
	}
	if (src->lat_uncorrected) {
		if (!dst->lat_uncorrected)
			dst->lat_uncorrected = hist_new_latency();
		hist_merge(dst->lat_uncorrected, src->lat_uncorrected);
	}
}

uint64_t op_stats_answered(const struct op_stats *s)
{
	return s->status[BENCH_OK] + s->status[BENCH_MISS];
}

uint64_t op_stats_errors(const struct op_stats *s)
{
	return s->status[BENCH_ERROR] + s->status[BENCH_DISCONNECTED];
}

uint64_t op_stats_total(const struct op_stats *s)
{
	uint64_t n = 0;

	for (int i = 0; i < BENCH_STATUS__COUNT; i++)
		n += s->status[i];
	return n;
}

uint64_t results_phase_requests(const struct phase_result *p)
{
	uint64_t n = 0;

	for (int op = 0; op < BENCH_OP__COUNT; op++)
		n += op_stats_total(&p->ops[op]) - p->ops[op].status[BENCH_UNSUPPORTED];
	return n;
}

uint64_t results_phase_failed(const struct phase_result *p)
{
	uint64_t n = 0;

	for (int op = 0; op < BENCH_OP__COUNT; op++)
		n += op_stats_errors(&p->ops[op]) + p->ops[op].status[BENCH_TIMEOUT];
	return n;
}

double results_phase_error_rate(const struct phase_result *p)
{
	uint64_t sent = results_phase_requests(p);

	return sent ? (double)results_phase_failed(p) / (double)sent : 0;
}

void results_cpu_per_op(const struct phase_result *p, double *client_us, double *server_us)
{
	uint64_t n = results_phase_requests(p);

	*client_us = *server_us = -1;
	if (n == 0 || p->cpu_wall_s <= 0)
		return;
	*client_us = p->client_cpu_s * 1e6 / (double)n;
	if (p->server_cpu_s >= 0)
		*server_us = p->server_cpu_s * 1e6 / (double)n;
}

double results_shards_per_op(const struct target_result *t, const struct phase_result *p, enum bench_op op)
{
	char key[64];
	const char *c, *at;
	size_t len;
	double v;
	char *end;

	if (!t->have_info_after || p->phase->type != WL_PHASE_RUN)
		return -1;
	len = (size_t)snprintf(key, sizeof(key), "shards_per_op.%s=", bench_op_name(op));
	/* A line that starts with the key. */
	for (c = t->info_after.config; (at = strstr(c, key)); c = at + 1) {
		if (at != t->info_after.config && at[-1] != '\n')
			continue;
		v = strtod(at + len, &end);
		return end != at + len && (*end == '\n' || !*end) && v >= 0 ? v : -1;
	}
	return -1;
}

const char *results_op_label(const struct phase_result *p, enum bench_op op)
{
	return p->phase->type == WL_PHASE_LOAD ? "load" : bench_op_name(op);
}

char *results_server_label(const struct target_result *t, char *buf, size_t len)
{
	if (t->driver && !(t->driver->caps & BENCH_CAP_NETWORK))
		snprintf(buf, len, "none");
	else if (!t->have_info)
		snprintf(buf, len, "unknown");
	else if (t->info.variant[0])
		snprintf(buf, len, "%s %s (%s)", t->info.product, t->info.version, t->info.variant);
	else
		snprintf(buf, len, "%s %s", t->info.product, t->info.version);
	return buf;
}

void results_warn_stand_in(struct results *r, const struct target_result *t)
{
	char label[RESULTS_SERVER_LABEL_MAX];

	if (!t->have_info || !t->info.stands_in_for[0])
		return;
	results_warn(r, "%s: answered by %s, a stand-in for %s: its figures are %s's, not %s's", t->target->name,
		     results_server_label(t, label, sizeof(label)), t->info.stands_in_for, t->info.product,
		     t->info.stands_in_for);
}

char *results_redact_uri(const char *uri)
{
	const char *from, *to;
	char *cut, *s;

	/* The password exactly where the driver reads it, then anything else
	 * the scrubber knows (options, registered secrets). */
	if (bench_uri_password(uri, strlen(uri), &from, &to))
		cut = xasprintf("%.*s%s%s", (int)(from - uri), uri, SECRET_MASK, to);
	else
		cut = xstrdup(uri);
	s = secret_scrub(cut);
	free(cut);
	return s;
}

static void fmt_us(char *buf, size_t len, const struct hist *h, double pct)
{
	if (!h || hist_count(h) == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", (double)hist_percentile(h, pct) / 1e3);
}

void results_print_table(const struct results *r, FILE *out)
{
	const char *sweep = r->w->sweep.key;
	char server[RESULTS_SERVER_LABEL_MAX];
	int w = 24; /* the server column: as wide as the longest label, up to 48 */

	for (size_t i = 0; i < r->n_targets; i++) {
		int len = (int)strlen(results_server_label(&r->targets[i], server, sizeof(server)));

		w = len > w ? (len < 48 ? len : 48) : w;
	}
	fprintf(out, "%-12s %-*s %-6s %-13s", "target", w, "server", "phase", "op");
	if (sweep)
		fprintf(out, " %10.10s", sweep);
	fprintf(out, " %4s %12s %10s %10s %8s %9s %9s\n", "rep", "ops/s", "p50 us", "p99 us", "errors", "cli us/op",
		"srv us/op");
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct target_result *t = &r->targets[i];

		results_server_label(t, server, sizeof(server));
		if (t->skipped && t->n_runs == 0) {
			secret_fprintf(out, "%-12s %-*s not run: %s\n", t->target->name, w, server, t->skipped);
			continue;
		}
		for (size_t j = 0; j < t->n_runs; j++) {
			const struct phase_result *p = &t->runs[j];

			char cli[32] = "-", srv[32] = "-";
			double cli_us, srv_us;

			if (p->warmup)
				continue;
			results_cpu_per_op(p, &cli_us, &srv_us);
			if (cli_us >= 0)
				snprintf(cli, sizeof(cli), "%.2f", cli_us);
			if (srv_us >= 0)
				snprintf(srv, sizeof(srv), "%.2f", srv_us);
			for (int op = 0; op < BENCH_OP__COUNT; op++) {
				const struct op_stats *s = &p->ops[op];
				char p50[32], p99[32], rate[32];
				uint64_t ops = op_stats_answered(s);

				if (op_stats_total(s) == 0)
					continue;
				if (ops == 0 && s->status[BENCH_UNSUPPORTED] > 0)
					snprintf(rate, sizeof(rate), "unsupported");
				else if (p->crash.ran && op == BENCH_OP_GET) /* the read-back: a count, not a rate */
					snprintf(rate, sizeof(rate), "-");
				else
					snprintf(rate, sizeof(rate), "%.0f", p->duration_s > 0 ? (double)ops / p->duration_s : 0);
				fmt_us(p50, sizeof(p50), s->lat, 50);
				fmt_us(p99, sizeof(p99), s->lat, 99);
				fprintf(out, "%-12s %-*.*s %-6.6s %-13s", t->target->name, w, w, server, p->phase->name,
					results_op_label(p, (enum bench_op)op));
				if (sweep)
					fprintf(out, " %10.10s", p->sweep_value ? p->sweep_value : "");
				fprintf(out, " %4llu %12s %10s %10s %8llu %9s %9s\n", (unsigned long long)p->repeat, rate, p50,
					p99, (unsigned long long)(op_stats_errors(s) + s->status[BENCH_TIMEOUT]), cli, srv);
			}
		}
	}
}
