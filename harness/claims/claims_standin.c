/*
 * claims_standin.c - which targets an expression reads that a stand-in
 * answered, from the claim run's run.json, and the NOT RUN reason that
 * names them (claims_standin.h). run.json, not summary.csv: whether a
 * server stands in for another is the driver's word (stands_in_for), not
 * something to guess from a product name.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chart_int.h"
#include "claims_standin.h"
#include "escape.h"
#include "report_json.h"
#include "util.h"

struct collect {
	const json_t *targets; /* run.json's targets array */
	struct claim_stand_in *out;
	size_t n;
};

/* run.json's server of target `name` when it stood in for another, else NULL. */
static const json_t *stand_in_server(const json_t *targets, const char *name)
{
	json_t *t;
	size_t i;

	json_array_foreach (targets, i, t) {
		const json_t *srv = json_object_get(t, "server");
		const char *n = report_json_str(t, "name"), *p = report_json_str(srv, "stands_in_for");

		if (n && !strcmp(n, name))
			return p && *p ? srv : NULL;
	}
	return NULL;
}

/* Appends a stand-in of target `target` (phase NULL: its own server). */
static void add(struct collect *c, const char *target, const char *phase, char *server, const char *product)
{
	c->out = xrealloc(c->out, (c->n + 1) * sizeof(*c->out));
	c->out[c->n].target = xstrdup(target);
	c->out[c->n].phase = phase ? xstrdup(phase) : NULL;
	c->out[c->n].server = server;
	c->out[c->n].stands_in_for = xstrdup(product);
	c->n++;
}

/* Whether target's entry (phase NULL: its own server) is listed already. */
static bool listed(const struct collect *c, const char *target, const char *phase)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->out[i].target, target) &&
		    (phase ? c->out[i].phase && !strcmp(c->out[i].phase, phase) : !c->out[i].phase))
			return true;
	return false;
}

/* The cache-aside runs of target m->target in the phase m names (any,
 * when it names none: the phase the evaluation picks may be that one)
 * whose store stood in for another. aside.c writes store_server as
 * "PRODUCT VERSION (VARIANT), standing in for X": the part before the
 * comma names the server as a target's server is named. */
static void add_stores(struct collect *c, const struct cx_node *m)
{
	const json_t *t, *runs = NULL, *run;
	size_t i;

	json_array_foreach (c->targets, i, t) {
		const char *n = report_json_str(t, "name");

		if (n && !strcmp(n, m->target))
			runs = json_object_get(t, "runs");
	}
	json_array_foreach (runs, i, run) {
		const json_t *ca = json_object_get(run, "cache_aside");
		const char *phase = report_json_str(run, "phase"), *product = report_json_str(ca, "store_stands_in_for");
		const char *srv = report_json_str(ca, "store_server"), *cut;

		if (!phase || !product || !*product || (m->phase && strcmp(m->phase, phase)) ||
		    listed(c, m->target, phase))
			continue;
		srv = srv ? srv : "?";
		cut = strstr(srv, ", standing in for ");
		add(c, m->target, phase, cut ? xstrndup(srv, (size_t)(cut - srv)) : xstrdup(srv), product);
	}
}

static int add_metric(const struct cx_node *m, void *arg)
{
	struct collect *c = arg;
	const json_t *srv;
	const char *variant;

	add_stores(c, m);
	if (listed(c, m->target, NULL) || !(srv = stand_in_server(c->targets, m->target)))
		return 0;
	variant = report_json_str(srv, "variant");
	add(c, m->target, NULL,
	    xasprintf("%s %s%s%s%s", report_json_str(srv, "product") ? report_json_str(srv, "product") : "?",
		      report_json_str(srv, "version") ? report_json_str(srv, "version") : "?", variant ? " (" : "",
		      variant ? variant : "", variant ? ")" : ""),
	    report_json_str(srv, "stands_in_for"));
	return 0;
}

int claim_stand_ins(const struct cx_expr *e, const char *run_json, struct claim_stand_in **out, char *err,
		    size_t errlen)
{
	json_t *run = NULL;
	json_error_t jerr;
	struct collect c = {0};
	size_t len = 0;
	char *text = chart_slurp(run_json, &len);

	*out = NULL;
	if (!text) {
		snprintf(err, errlen, "cannot read %s", run_json);
		return -1;
	}
	if (report_json_parse(text, len, &run, &jerr) < 0) {
		snprintf(err, errlen, "%s is not valid JSON (%s at byte %d)", run_json, jerr.text, jerr.position);
		json_decref(run);
		free(text);
		return -1;
	}
	c.targets = json_object_get(run, "targets");
	cx_each_metric(e, add_metric, &c);
	json_decref(run);
	free(text);
	*out = c.out;
	return (int)c.n;
}

void claim_stand_ins_free(struct claim_stand_in *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].target);
		free(s[i].phase);
		free(s[i].server);
		free(s[i].stands_in_for);
	}
	free(s);
}

/* Appends the k-th of n names in a list: "a", "a and b", "a, b and c". */
static void list_sep(struct sbuf *sb, size_t k, size_t n)
{
	if (k > 0)
		sbuf_addf(sb, "%s", k + 1 == n ? " and " : ", ");
}

/* Whether s[i] is the first of its product in s. */
static bool first_of_product(const struct claim_stand_in *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(s[j].stands_in_for, s[i].stands_in_for))
			return false;
	return true;
}

/* Appends what answered for s: "the T target", or with plain = the
 * grouped form, just "T"; a store "the store of T's P phase". */
static void name_one(struct sbuf *sb, const struct claim_stand_in *s, bool plain)
{
	if (s->phase)
		sbuf_addf(sb, "the store of %s's %s phase", s->target, s->phase);
	else
		sbuf_addf(sb, plain ? "%s" : "the %s target", s->target);
}

char *claim_stand_in_reason(const char *id, const char *profile, const struct claim_stand_in *s, size_t n)
{
	struct sbuf sb = {0};
	bool *done = xcalloc(n + 1, sizeof(*done)), store = false;
	size_t products = 0, k = 0;

	/* "needs MongoDB[ and Redis]": each product once, in order. */
	for (size_t i = 0; i < n; i++) {
		products += first_of_product(s, i);
		store |= s[i].phase != NULL;
	}
	sbuf_addf(&sb, "needs ");
	for (size_t i = 0; i < n; i++) {
		if (!first_of_product(s, i))
			continue;
		list_sep(&sb, k++, products);
		sbuf_addf(&sb, "%s", s[i].stands_in_for);
	}
	/* ": the a and b targets here were X; the c target here was Y": the
	 * targets grouped by the server that answered them; with a store
	 * among them, each named: "the a target and the store of b's p
	 * phase here were X". */
	for (size_t i = 0; i < n; i++) {
		size_t same = 0, m = 0;
		bool stores = false;

		if (done[i])
			continue;
		for (size_t j = i; j < n; j++)
			if (!strcmp(s[j].server, s[i].server)) {
				same++;
				stores |= s[j].phase != NULL;
			}
		sbuf_addf(&sb, "%s ", i == 0 ? ":" : ";");
		if (!stores)
			sbuf_addf(&sb, "the ");
		for (size_t j = i; j < n; j++) {
			if (strcmp(s[j].server, s[i].server) != 0)
				continue;
			done[j] = true;
			list_sep(&sb, m++, same);
			name_one(&sb, &s[j], !stores);
		}
		sbuf_addf(&sb, "%s here %s %s", stores ? "" : same > 1 ? " targets" : " target", same > 1 ? "were" : "was",
			  s[i].server);
	}
	if (store) {
		/* A cache-aside store is spawned by bench in every mode (it
		 * refuses a server it does not guard), so docker compose's
		 * servers would not answer for it: the real one must be where
		 * bench runs, found before the stand-in. */
		sbuf_addf(&sb, "; a cache-aside store is a server bench spawns: install ");
		for (size_t i = 0, j = 0; i < n; i++)
			if (first_of_product(s, i)) {
				list_sep(&sb, j++, products);
				sbuf_addf(&sb, "%s", s[i].stands_in_for);
			}
		sbuf_addf(&sb, " here, then `bench claims --only ");
	} else {
		/* Under --servers external every target goes to the compose
		 * file's servers, so all of them are started, not only the one
		 * stood in for. */
		if (profile) { /* the claim file's: a word for the shell */
			sbuf_addf(&sb, "; `docker compose --profile ");
			escape_shell(&sb, profile);
			sbuf_addf(&sb, " up -d`");
		} else
			sbuf_addf(&sb, "; `docker compose up -d`");
		sbuf_addf(&sb, " then `bench claims --servers external --only ");
	}
	escape_shell(&sb, id);
	sbuf_addf(&sb, "`");
	free(done);
	return sbuf_take(&sb);
}
