/* csv.c - summary.csv: one row per target × phase × repeat × op. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "escape.h"
#include "secret.h"
#include "util.h"

/* The columns of docs/csv-schema.md, in its order. */
const char csv_summary_header[] =
	"workload,phase,target,driver,server,op,clients,pipeline,rate_target,repeat,duration_s,"
	"ops,ops_per_sec,errors,timeouts,misses,unsupported,mean_us,p50_us,p90_us,p99_us,p999_us,max_us,"
	"sweep_key,sweep_value,"
	"uncorrected_mean_us,uncorrected_p50_us,uncorrected_p90_us,uncorrected_p99_us,uncorrected_p999_us,"
	"uncorrected_max_us,engine,disconnects,client_cpu_us_per_op,server_cpu_us_per_op,items_per_op,calls_per_op,"
	"restart_s,data_bytes,idle_connections,idle_refused,server_rss_bytes,lag_p50_us,lag_p99_us,lag_max_us,"
	"shards_per_op";

const char csv_timeseries_header[] =
	"workload,phase,target,op,sweep_key,sweep_value,repeat,second,ops,errors,timeouts,disconnects,misses,"
	"p50_us,p99_us,max_us,reconnects,hit_ratio";

void csv_put_field(FILE *f, const char *field)
{
	char *scrubbed = secret_scrub(field); /* no secret in a CSV */
	struct sbuf sb = {0};

	escape_csv(&sb, scrubbed);
	if (sb.buf)
		fputs(sb.buf, f);
	free(sb.buf);
	free(scrubbed);
}

void csv_put_latencies(FILE *f, const struct hist *h, const char *none)
{
	static const double pcts[] = {50, 90, 99, 99.9};

	if (!h || hist_count(h) == 0) {
		/* Not measured: the figures stay empty, or say why. */
		for (int i = 0; i < 6; i++)
			fprintf(f, ",%s", none);
		return;
	}
	fprintf(f, ",%.3f", hist_mean(h) / 1e3);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		fprintf(f, ",%.3f", (double)hist_percentile(h, pcts[i]) / 1e3);
	fprintf(f, ",%.3f", (double)hist_max(h) / 1e3);
}

static void put_row(FILE *f, const struct results *r, const struct target_result *t,
		    const struct phase_result *p, enum bench_op op)
{
	const struct op_stats *s = &p->ops[op];
	const struct wl_phase *ph = p->phase;
	uint64_t ops = op_stats_answered(s);
	int unsupported_only = ops == 0 && s->status[BENCH_UNSUPPORTED] > 0 && op_stats_errors(s) == 0;
	const char *none = unsupported_only ? "unsupported" : "";
	char server[RESULTS_SERVER_LABEL_MAX];
	double cli_us, srv_us, shards;
	/* A shard's row: its share of the clients and of the rate. */
	uint64_t clients = results_phase_clients(r, p);

	csv_put_field(f, r->w->name);
	fputc(',', f);
	csv_put_field(f, ph->name);
	fputc(',', f);
	csv_put_field(f, t->target->name);
	fputc(',', f);
	csv_put_field(f, t->driver->name);
	fputc(',', f);
	csv_put_field(f, results_server_label(t, server, sizeof(server)));
	fprintf(f, ",%s,%llu,%llu,%g,%llu,%.3f,%llu", results_op_label(p, op),
		(unsigned long long)clients,
		(unsigned long long)(ph->type == WL_PHASE_LOAD ? ph->batch : ph->pipeline),
		ph->rate * (double)clients / (double)ph->clients, (unsigned long long)p->repeat, p->duration_s,
		(unsigned long long)ops);
	if (unsupported_only)
		fputs(",unsupported", f);
	else if (p->crash.ran && op == BENCH_OP_GET)
		fputs(",", f); /* the read-back after the restart: a count, not a rate */
	else if (p->duration_s > 0)
		fprintf(f, ",%.1f", (double)ops / p->duration_s);
	else
		fputs(",", f);
	fprintf(f, ",%llu,%llu,%llu,%llu", (unsigned long long)s->status[BENCH_ERROR],
		(unsigned long long)s->status[BENCH_TIMEOUT], (unsigned long long)s->status[BENCH_MISS],
		(unsigned long long)s->status[BENCH_UNSUPPORTED]);
	csv_put_latencies(f, s->lat, none);
	fputc(',', f);
	csv_put_field(f, p->sweep_value ? r->w->sweep.key : "");
	fputc(',', f);
	csv_put_field(f, p->sweep_value ? p->sweep_value : "");
	csv_put_latencies(f, s->lat_uncorrected, none);
	fputc(',', f);
	csv_put_field(f, p->engine ? p->engine : "");
	results_cpu_per_op(p, &cli_us, &srv_us);
	fprintf(f, ",%llu,", (unsigned long long)s->status[BENCH_DISCONNECTED]);
	if (cli_us >= 0)
		fprintf(f, "%.3f", cli_us);
	fputc(',', f);
	if (srv_us >= 0)
		fprintf(f, "%.3f", srv_us);
	/* What reads returned and what they cost in commands, where counted. */
	fputc(',', f);
	if (ops && s->items)
		fprintf(f, "%.2f", (double)s->items / (double)ops);
	fputc(',', f);
	if (ops && s->calls)
		fprintf(f, "%.2f", (double)s->calls / (double)ops);
	/* A crash phase: how long the server took to come back, and what it
	 * had on disk when it died. */
	if (p->crash.ran)
		fprintf(f, ",%.3f,%llu", p->crash.restart_s, (unsigned long long)p->crash.data_bytes);
	else
		fputs(",,", f);
	/* Idle connections held through the phase, and the server's memory. */
	fprintf(f, ",%llu,%llu,", (unsigned long long)p->idle_held, (unsigned long long)p->idle_refused);
	if (p->server_rss_bytes > 0)
		fprintf(f, "%lld", (long long)p->server_rss_bytes);
	/* A replication phase: how far the replica trailed. */
	if (p->repl.lag && hist_count(p->repl.lag))
		fprintf(f, ",%.3f,%.3f,%.3f", (double)hist_percentile(p->repl.lag, 50) / 1e3,
			(double)hist_percentile(p->repl.lag, 99) / 1e3, (double)hist_max(p->repl.lag) / 1e3);
	else
		fputs(",,,", f);
	/* A sharded target: shards a request of the op went to, on average. */
	shards = results_shards_per_op(t, p, op);
	if (shards >= 0)
		fprintf(f, ",%.2f\n", shards);
	else
		fputs(",\n", f);
}

static int write_rows(const struct results *r, FILE *f, bool warmup)
{
	fprintf(f, "%s\n", csv_summary_header);
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct target_result *t = &r->targets[i];

		for (size_t j = 0; j < t->n_runs; j++) {
			if (t->runs[j].warmup != warmup)
				continue;
			for (int op = 0; op < BENCH_OP__COUNT; op++)
				if (op_stats_total(&t->runs[j].ops[op]) > 0)
					put_row(f, r, t, &t->runs[j], (enum bench_op)op);
		}
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int csv_write_summary(const struct results *r, FILE *f)
{
	return write_rows(r, f, false);
}

int csv_write_warmup(const struct results *r, FILE *f)
{
	return write_rows(r, f, true);
}

bool csv_has_warmup(const struct results *r)
{
	for (size_t i = 0; i < r->n_targets; i++)
		for (size_t j = 0; j < r->targets[i].n_runs; j++)
			if (r->targets[i].runs[j].warmup)
				return true;
	return false;
}

void csv_put_hit_ratio(FILE *f, const char *op, uint64_t ops, uint64_t misses)
{
	if (ops && results_op_reads(op))
		fprintf(f, "%.4f", (double)(ops - misses) / (double)ops);
}

int csv_write_timeseries(const struct results *r, FILE *f)
{
	fprintf(f, "%s\n", csv_timeseries_header);
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct target_result *t = &r->targets[i];

		for (size_t j = 0; j < t->n_runs; j++) {
			const struct phase_result *p = &t->runs[j];

			for (size_t k = 0; k < p->n_series; k++) {
				const struct ts_row *row = &p->series[k];

				csv_put_field(f, r->w->name);
				fputc(',', f);
				csv_put_field(f, p->phase->name);
				fputc(',', f);
				csv_put_field(f, t->target->name);
				fprintf(f, ",%s,", results_op_label(p, row->op));
				csv_put_field(f, p->sweep_value ? r->w->sweep.key : "");
				fputc(',', f);
				csv_put_field(f, p->sweep_value ? p->sweep_value : "");
				fprintf(f, ",%llu,%lld,%llu,%llu,%llu,%llu,%llu", (unsigned long long)p->repeat,
					(long long)row->second,
					(unsigned long long)(row->status[BENCH_OK] + row->status[BENCH_MISS]),
					(unsigned long long)row->status[BENCH_ERROR],
					(unsigned long long)row->status[BENCH_TIMEOUT],
					(unsigned long long)row->status[BENCH_DISCONNECTED],
					(unsigned long long)row->status[BENCH_MISS]);
				if (row->status[BENCH_OK] + row->status[BENCH_MISS])
					fprintf(f, ",%.3f,%.3f,%.3f", (double)row->p50_ns / 1e3, (double)row->p99_ns / 1e3,
						(double)row->max_ns / 1e3);
				else
					fputs(",,,", f);
				fprintf(f, ",%llu,", (unsigned long long)row->reconnects);
				csv_put_hit_ratio(f, results_op_label(p, row->op), row->status[BENCH_OK] + row->status[BENCH_MISS],
						  row->status[BENCH_MISS]);
				fputc('\n', f);
			}
		}
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
