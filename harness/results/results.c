/* results.c - the results model's helpers. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "secret.h"
#include "shard.h"
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

void results_drop_last_run(struct target_result *t)
{
	struct phase_result *p;

	if (!t->n_runs)
		return;
	p = &t->runs[--t->n_runs];
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		op_stats_free(&p->ops[op]);
	hist_free(p->repl.lag);
	free(p->series);
	memset(p, 0, sizeof(*p));
}

void results_free(struct results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_targets; i++) {
		struct target_result *t = &r->targets[i];

		while (t->n_runs)
			results_drop_last_run(t);
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
	free(r->blocks);
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

uint64_t results_phase_clients(const struct results *r, const struct phase_result *p)
{
	uint64_t first, clients;

	shard_split(p->phase->clients, r->w->shard.index, r->w->shard.count, &first, &clients);
	return clients;
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
	const struct bench_server_info *i = &t->info_after;

	if (!t->have_info_after || p->phase->type != WL_PHASE_RUN || (unsigned)op >= BENCH_OP__WIRE_COUNT ||
	    !(i->shards_known & (1u << op)))
		return -1;
	return isfinite(i->shards_per_op[op]) && i->shards_per_op[op] >= 0 ? i->shards_per_op[op] : -1;
}

void results_add_conn_counters(struct phase_result *p, const struct bench_driver *d, const uint64_t *counters)
{
	for (size_t k = 0; d && d->counters && k < BENCH_CONN_COUNTERS && d->counters[k]; k++) {
		if (strcmp(d->counters[k], "redirects_moved") == 0)
			p->redirects_moved += counters[k];
		else if (strcmp(d->counters[k], "redirects_ask") == 0)
			p->redirects_ask += counters[k];
	}
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

bool results_op_reads(const char *op)
{
	static const char *const reads[] = {"get", "range", "query", "fuzzy", "hget", "lrange", "smembers",
					    "zrangebyscore", "rmw", NULL};

	for (const char *const *r = reads; *r; r++)
		if (strcmp(op, *r) == 0)
			return true;
	return false;
}
