/* csv.c - summary.csv: one row per target × phase × repeat × op. */
#include <string.h>

#include "csv.h"

const char csv_summary_header[] =
	"workload,phase,target,driver,server,op,clients,pipeline,rate_target,repeat,duration_s,"
	"ops,ops_per_sec,errors,timeouts,misses,unsupported,mean_us,p50_us,p90_us,p99_us,p999_us,max_us";

/* RFC 4180 quoting, only when needed. */
static void put_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_latencies(FILE *f, const struct op_stats *s, const char *none)
{
	static const double pcts[] = {50, 90, 99, 99.9};

	if (!s->lat || hist_count(s->lat) == 0) {
		/* Not measured: the figures stay empty, or say why. */
		for (int i = 0; i < 6; i++)
			fprintf(f, ",%s", none);
		return;
	}
	fprintf(f, ",%.3f", hist_mean(s->lat) / 1e3);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		fprintf(f, ",%.3f", (double)hist_percentile(s->lat, pcts[i]) / 1e3);
	fprintf(f, ",%.3f", (double)hist_max(s->lat) / 1e3);
}

static void put_row(FILE *f, const struct results *r, const struct target_result *t,
		    const struct phase_result *p, enum bench_op op)
{
	const struct op_stats *s = &p->ops[op];
	const struct wl_phase *ph = p->phase;
	uint64_t ops = op_stats_answered(s);
	int unsupported_only = ops == 0 && s->status[BENCH_UNSUPPORTED] > 0 && op_stats_errors(s) == 0;
	const char *none = unsupported_only ? "unsupported" : "";
	char server[160];

	put_field(f, r->w->name);
	fputc(',', f);
	put_field(f, ph->name);
	fputc(',', f);
	put_field(f, t->target->name);
	fputc(',', f);
	put_field(f, t->driver->name);
	fputc(',', f);
	put_field(f, results_server_label(t, server, sizeof(server)));
	fprintf(f, ",%s,%llu,%llu,%g,%llu,%.3f,%llu", results_op_label(p, op),
		(unsigned long long)ph->clients,
		(unsigned long long)(ph->type == WL_PHASE_LOAD ? ph->batch : ph->pipeline),
		ph->rate, (unsigned long long)p->repeat, p->duration_s, (unsigned long long)ops);
	if (unsupported_only)
		fputs(",unsupported", f);
	else if (p->duration_s > 0)
		fprintf(f, ",%.1f", (double)ops / p->duration_s);
	else
		fputs(",", f);
	fprintf(f, ",%llu,%llu,%llu,%llu", (unsigned long long)op_stats_errors(s),
		(unsigned long long)s->status[BENCH_TIMEOUT], (unsigned long long)s->status[BENCH_MISS],
		(unsigned long long)s->status[BENCH_UNSUPPORTED]);
	put_latencies(f, s, none);
	fputc('\n', f);
}

int csv_write_summary(const struct results *r, FILE *f)
{
	fprintf(f, "%s\n", csv_summary_header);
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct target_result *t = &r->targets[i];

		for (size_t j = 0; j < t->n_runs; j++)
			for (int op = 0; op < BENCH_OP__COUNT; op++)
				if (op_stats_total(&t->runs[j].ops[op]) > 0)
					put_row(f, r, t, &t->runs[j], (enum bench_op)op);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
