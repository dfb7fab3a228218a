/*
 * run_dry.c - `bench run --dry-run` (run_dry.h). Everything here is read
 * from the loaded workload and asked of the drivers' describe hooks, which
 * never connect; the servers' addresses printed are scrubbed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "keygen.h"
#include "registry.h"
#include "run_dry.h"
#include "secret.h"
#include "servers.h"
#include "util.h"

/* A whole number of seconds, or with the decimals it needs. */
static void put_seconds(struct sbuf *sb, double s)
{
	if (s >= 120)
		sbuf_addf(sb, "%.1f min", s / 60);
	else
		sbuf_addf(sb, "%g s", s);
}

/* What one run of phase ph takes, when that is known before it runs:
 * warmup + duration; ops at a rate; else -1 (load, ops in closed loop). */
static double phase_seconds(const struct wl_phase *ph)
{
	if (ph->type == WL_PHASE_LOAD)
		return -1;
	if (ph->duration_ns)
		return (double)(ph->warmup_ns + ph->duration_ns) / 1e9;
	if (ph->ops && ph->rate > 0)
		return (double)ph->warmup_ns / 1e9 + (double)ph->ops / ph->rate;
	return -1;
}

static void say_phase(FILE *f, const struct workload *w, const struct wl_phase *ph)
{
	struct sbuf sb = {0};
	double s = phase_seconds(ph);

	sbuf_addf(&sb, "  phase ");
	escape_terminal(&sb, ph->name);
	sbuf_addf(&sb, " (%s): ", workload_phase_type_name(ph->type));
	if (ph->type == WL_PHASE_LOAD)
		sbuf_addf(&sb, "%llu records, %llu clients, batches of %llu; takes as long as the server needs",
			  (unsigned long long)w->keyspace.records, (unsigned long long)ph->clients,
			  (unsigned long long)ph->batch);
	else
		sbuf_addf(&sb, "%llu clients, pipeline %llu, %s", (unsigned long long)ph->clients,
			  (unsigned long long)ph->pipeline, ph->rate > 0 ? "open loop" : "closed loop");
	if (ph->rate > 0)
		sbuf_addf(&sb, " at %g requests/s", ph->rate);
	if (ph->type != WL_PHASE_LOAD) {
		if (ph->duration_ns)
			sbuf_addf(&sb, ", %g s", (double)ph->duration_ns / 1e9);
		else
			sbuf_addf(&sb, ", %llu ops", (unsigned long long)ph->ops);
		if (ph->warmup_ns)
			sbuf_addf(&sb, " after a %g s warmup", (double)ph->warmup_ns / 1e9);
		if (s < 0)
			sbuf_addf(&sb, "; takes as long as the server needs");
	}
	if (ph->on_target) { /* targets: [...] */
		sbuf_addf(&sb, "; only on ");
		for (size_t t = 0, k = 0; t < w->n_targets; t++)
			if (ph->on_target[t]) {
				sbuf_addf(&sb, "%s", k++ ? ", " : "");
				escape_terminal(&sb, w->targets[t].name);
			}
	}
	fprintf(f, "%s\n", sb.buf);
	free(sb.buf);
}

/*
 * The request the runner would make for op (runner_ops.c), with
 * placeholders where it draws: <n> a record number, <value> the value's
 * bytes, <category>, <field>, <member>; numbers (counts, scores) are the
 * phase's (a range's length: its longest).
 */
static void sample(const struct workload *w, const struct wl_phase *ph, enum bench_op op, struct bench_request *q,
		   char *key, size_t keycap, char *arg, size_t argcap, const char *value, size_t value_len)
{
	memset(q, 0, sizeof(*q));
	q->op = op;
	q->key_len = (size_t)snprintf(key, keycap, "%s<n>", w->keyspace.prefix);
	q->key = key;
	q->value = value;
	q->value_len = value_len;
	q->fields = (unsigned)w->values.fields;
	arg[0] = '\0';
	switch (op) {
	case BENCH_OP_SET:
		if (w->values.categories)
			snprintf(arg, argcap, "<category>");
		break;
	case BENCH_OP_RANGE:
		q->count = ph->range_max;
		break;
	case BENCH_OP_QUERY:
		snprintf(arg, argcap, "<category>");
		q->count = ph->query_limit;
		break;
	case BENCH_OP_FUZZY:
		/* The key without its last digits (prefix mode), or some digits. */
		if (ph->fuzzy_substring)
			snprintf(arg, argcap, "<digits>");
		else
			snprintf(arg, argcap, "%s<leading-digits>", w->keyspace.prefix);
		q->fuzzy_substring = ph->fuzzy_substring;
		break;
	case BENCH_OP_HSET:
	case BENCH_OP_HGET:
		snprintf(arg, argcap, "<field>");
		break;
	case BENCH_OP_LPUSH:
		q->count = ph->st_list_max;
		break;
	case BENCH_OP_LRANGE:
		q->count = ph->st_length;
		break;
	case BENCH_OP_SADD:
	case BENCH_OP_ZADD:
		snprintf(arg, argcap, "<member>");
		break;
	case BENCH_OP_ZRANGEBYSCORE:
		q->score_max = (double)ph->st_length - 1;
		q->count = ph->st_length;
		break;
	default:
		break;
	}
	if (arg[0]) {
		q->arg = arg;
		q->arg_len = strlen(arg);
	}
}

/* The commands of one wire op, indented, as the driver describes them. */
static void say_commands(FILE *f, const struct bench_driver *d, const struct bench_target *bt,
			 const struct workload *w, const struct wl_phase *ph, enum bench_op op)
{
	char key[256], arg[256], buf[4096];
	/* A value as long as the smallest one written, "<value>" then dots, so
	 * a command that states its length states the right one. */
	size_t vlen = w->values.size_min ? (size_t)w->values.size_min : 1;
	char *value = xmalloc(vlen);
	struct bench_request q;
	int n;

	memset(value, '.', vlen);
	memcpy(value, "<value>", vlen < 7 ? vlen : 7);
	sample(w, ph, op, &q, key, sizeof(key), arg, sizeof(arg), value, vlen);
	if (!d->describe) {
		fprintf(f, "      (driver %s does not describe its commands)\n", d->name);
		free(value);
		return;
	}
	n = d->describe(bt, &q, buf, sizeof(buf));
	free(value);
	if (n < 0) {
		struct sbuf sb = {0};

		escape_terminal(&sb, buf);
		fprintf(f, "      not sent: %s\n", sb.buf ? sb.buf : "");
		free(sb.buf);
		return;
	}
	if (n == 0 && !buf[0])
		fprintf(f, "      (nothing is sent)\n");
	for (char *line = buf, *nl; *line; line = nl + 1) {
		struct sbuf sb = {0};

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		else
			*nl = '\0';
		escape_terminal(&sb, line);
		secret_fprintf(f, "      %s\n", sb.buf ? sb.buf : "");
		free(sb.buf);
	}
}

static void say_op(FILE *f, const struct bench_driver *d, const struct bench_target *bt, const struct workload *w,
		   const struct wl_phase *ph, enum bench_op op, double share)
{
	if (share > 0)
		fprintf(f, "    %s (%.4g%%):\n", bench_op_name(op), 100 * share);
	else
		fprintf(f, "    %s:\n", bench_op_name(op));
	/* Composed by the harness from wire ops (driver.h). */
	if (op == BENCH_OP_INSERT) {
		fprintf(f, "      (a set of a key beyond the loaded records)\n");
		say_commands(f, d, bt, w, ph, BENCH_OP_SET);
	} else if (op == BENCH_OP_RMW) {
		fprintf(f, "      (a get, then a set of the same key)\n");
		say_commands(f, d, bt, w, ph, BENCH_OP_GET);
		say_commands(f, d, bt, w, ph, BENCH_OP_SET);
	} else {
		say_commands(f, d, bt, w, ph, op);
	}
}

/* Which program a run would spawn for wt (servers.c looks it up the same
 * way: the target's spawn.program, else the driver's first it finds), or
 * why the target would not run (exit 3). Starts nothing. */
static void say_spawn(struct sbuf *sb, const struct bench_driver *d, const struct wl_target *wt)
{
	const char *prog = wt->spawn_program;
	char *path = NULL, why[512];

	if (prog)
		path = servers_find_program(prog);
	for (const struct bench_server_recipe *r = d->servers; !prog && r && r->program; r++)
		if ((path = servers_find_program(r->program)))
			prog = r->program;
	if (path) {
		/* The program may be the workload's spawn.program: both escaped. */
		sbuf_addf(sb, "a private ");
		escape_terminal(sb, prog);
		sbuf_addf(sb, " bench would spawn (");
		escape_terminal(sb, path);
		sbuf_addf(sb, "), on a free 127.0.0.1 port");
		free(path);
		return;
	}
	if (servers_check_spawn(d, wt->spawn_program, why, sizeof(why)) == 0)
		snprintf(why, sizeof(why), "no server program found");
	sbuf_addf(sb, "would not run (exit 3): ");
	escape_terminal(sb, why);
}

/* The phase runs of target ti over every point and repeat (*runs), the
 * seconds of the timed ones (*timed) and the runs of unknown length
 * (*unknown): a phase whose targets key leaves ti out is not counted. */
static void count_target(struct workload *const *points, size_t n_points, size_t ti, size_t *runs, double *timed,
			 size_t *unknown)
{
	for (size_t pt = 0; pt < n_points; pt++) {
		const struct workload *p = points[pt];

		for (size_t i = 0; i < p->n_phases; i++) {
			double s = phase_seconds(&p->phases[i]);

			if (!workload_phase_on(&p->phases[i], ti))
				continue;
			*runs += p->repeat;
			if (s < 0)
				*unknown += p->repeat;
			else
				*timed += s * (double)p->repeat;
		}
	}
}

int run_dry_print(const struct workload *w, struct workload *const *points,
		  size_t n_points, const struct bench_target *bts, FILE *f)
{
	size_t n_targets = 0, n_phases = 0, n_unknown = 0, all_runs = 0, all_unknown = 0;
	double timed = 0, all_timed = 0;
	bool restricted = workload_phases_restricted(w);
	struct sbuf sb = {0}, per = {0};

	for (size_t i = 0; i < w->n_targets; i++) {
		size_t runs = 0, unknown = 0;
		double secs = 0;

		if (!bts[i].name)
			continue;
		count_target(points, n_points, i, &runs, &secs, &unknown);
		n_targets++;
		all_runs += runs;
		all_timed += secs;
		all_unknown += unknown;
		/* Without targets keys every target runs the same: one figure. */
		n_phases = runs > n_phases ? runs : n_phases;
		n_unknown = unknown > n_unknown ? unknown : n_unknown;
		timed = secs > timed ? secs : timed;
		sbuf_addf(&per, "%s", per.len ? ", " : "");
		escape_terminal(&per, w->targets[i].name);
		sbuf_addf(&per, " %zu", runs);
	}
	escape_terminal(&sb, w->name);
	sbuf_addf(&sb, " (");
	escape_terminal(&sb, w->file);
	fprintf(f, "bench run --dry-run: %s): nothing is contacted, spawned or written; --out is not checked\n\n",
		sb.buf);
	free(sb.buf);
	if (restricted)
		fprintf(f, "plan: %zu target%s x %zu sweep point%s x %llu repeat%s x %zu phase%s, each phase on its "
			"targets only (per target: %s) = %zu phase runs in all, %s\n", n_targets, n_targets == 1 ? "" : "s",
			n_points, n_points == 1 ? "" : "s", (unsigned long long)w->repeat, w->repeat == 1 ? "" : "s",
			w->n_phases, w->n_phases == 1 ? "" : "s", per.buf ? per.buf : "", all_runs,
			w->order == WL_ORDER_SEQUENTIAL ? "one target after another (order: sequential)"
							: "its blocks (target x sweep point x repeat) in an order drawn from "
							  "the seed (order: random; run.json records it)");
	else
		fprintf(f, "plan: %zu target%s x %zu sweep point%s x %llu repeat%s x %zu phase%s = %zu phase runs "
			"per target, %zu in all, %s\n", n_targets, n_targets == 1 ? "" : "s", n_points,
			n_points == 1 ? "" : "s", (unsigned long long)w->repeat, w->repeat == 1 ? "" : "s", w->n_phases,
			w->n_phases == 1 ? "" : "s", n_phases, n_phases * n_targets,
			w->order == WL_ORDER_SEQUENTIAL ? "one target after another (order: sequential)"
							: "its blocks (target x sweep point x repeat) in an order drawn from "
							  "the seed (order: random; run.json records it)");
	free(per.buf);
	for (size_t pt = 0; pt < n_points; pt++) {
		if (w->sweep.key) {
			sb = (struct sbuf){0};
			escape_terminal(&sb, w->sweep.key);
			sbuf_addf(&sb, " = ");
			escape_terminal(&sb, w->sweep.values[pt]);
			fprintf(f, "sweep point %zu: %s\n", pt + 1, sb.buf);
			free(sb.buf);
		}
		if (pt == 0 || w->sweep.key)
			for (size_t i = 0; i < points[pt]->n_phases; i++)
				say_phase(f, points[pt], &points[pt]->phases[i]);
	}
	sb = (struct sbuf){0};
	sbuf_addf(&sb, "expected duration: ");
	put_seconds(&sb, all_timed);
	sbuf_addf(&sb, " of timed phases (");
	put_seconds(&sb, timed);
	sbuf_addf(&sb, " per target%s)", restricted ? " at most" : "");
	if (restricted && all_unknown)
		sbuf_addf(&sb, ", plus %zu phase run%s in all whose length is unknown until it runs (load phases, and "
			  "ops phases without a rate)", all_unknown, all_unknown == 1 ? "" : "s");
	else if (n_unknown)
		sbuf_addf(&sb, ", plus %zu phase run%s per target whose length is unknown until it runs (load phases, "
			  "and ops phases without a rate: as long as the server takes)", n_unknown, n_unknown == 1 ? "" : "s");
	sbuf_addf(&sb, ", plus each server's start");
	fprintf(f, "%s\n", sb.buf);
	free(sb.buf);

	for (size_t i = 0; i < w->n_targets; i++) {
		const struct wl_target *wt = &w->targets[i];
		const struct bench_driver *d;
		char err[256];

		if (!bts[i].name)
			continue;
		d = bench_driver_find(wt->driver, err, sizeof(err));
		sb = (struct sbuf){0};
		escape_terminal(&sb, wt->name);
		sbuf_addf(&sb, " (driver ");
		escape_terminal(&sb, d ? d->name : wt->driver);
		sbuf_addf(&sb, "): ");
		if (!d) {
			escape_terminal(&sb, err); /* it quotes the workload's driver name */
		} else if (!(d->caps & BENCH_CAP_NETWORK)) {
			sbuf_addf(&sb, "no server");
		} else if (bts[i].uri) {
			sbuf_addf(&sb, "the server at ");
			escape_terminal(&sb, bench_uri_public(bts[i].uri));
		} else {
			say_spawn(&sb, d, wt);
		}
		secret_fprintf(f, "\ntarget %s\n", sb.buf);
		free(sb.buf);
		if (!d)
			continue;
		for (size_t k = 0; k < points[0]->n_phases; k++) {
			const struct wl_phase *ph = &points[0]->phases[k];

			if (!workload_phase_on(ph, i))
				continue; /* its targets key leaves this target out */
			sb = (struct sbuf){0};
			escape_terminal(&sb, ph->name);
			fprintf(f, "  phase %s:\n", sb.buf);
			free(sb.buf);
			if (ph->type == WL_PHASE_LOAD) {
				fprintf(f, "    load (each record's set; the driver's load hook may batch the index commands "
					"of %llu records):\n", (unsigned long long)ph->batch);
				say_commands(f, d, &bts[i], points[0], ph, BENCH_OP_SET);
				continue;
			}
			for (int op = 0; op < BENCH_OP__COUNT; op++)
				if (ph->mix[op] > 0)
					say_op(f, d, &bts[i], points[0], ph, (enum bench_op)op, ph->mix[op]);
		}
	}
	fprintf(f, "\n<n> stands for a record number (%d digits), <value>... for a value's bytes (%llu to %llu bytes%s; shown at the smallest); "
		"counts are the phase's (a range: its longest)\n", KEYGEN_DIGITS, (unsigned long long)w->values.size_min,
		(unsigned long long)w->values.size_max, w->values.fields ? " per record, in fields" : "");
	return 0;
}
