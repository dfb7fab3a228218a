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

static int add_metric(const struct cx_node *m, void *arg)
{
	struct collect *c = arg;
	const json_t *srv;
	const char *variant;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->out[i].target, m->target))
			return 0;
	if (!(srv = stand_in_server(c->targets, m->target)))
		return 0;
	variant = report_json_str(srv, "variant");
	c->out = xrealloc(c->out, (c->n + 1) * sizeof(*c->out));
	c->out[c->n].target = xstrdup(m->target);
	c->out[c->n].server = xasprintf("%s %s%s%s%s", report_json_str(srv, "product") ? report_json_str(srv, "product") : "?",
					report_json_str(srv, "version") ? report_json_str(srv, "version") : "?",
					variant ? " (" : "", variant ? variant : "", variant ? ")" : "");
	c->out[c->n].stands_in_for = xstrdup(report_json_str(srv, "stands_in_for"));
	c->n++;
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

char *claim_stand_in_reason(const char *id, const char *profile, const struct claim_stand_in *s, size_t n)
{
	struct sbuf sb = {0};
	bool *done = xcalloc(n + 1, sizeof(*done));
	size_t products = 0, k = 0;

	/* "needs MongoDB[ and Redis]": each product once, in order. */
	for (size_t i = 0; i < n; i++)
		products += first_of_product(s, i);
	sbuf_addf(&sb, "needs ");
	for (size_t i = 0; i < n; i++) {
		if (!first_of_product(s, i))
			continue;
		list_sep(&sb, k++, products);
		sbuf_addf(&sb, "%s", s[i].stands_in_for);
	}
	/* ": the a and b targets here were X; the c target here was Y": the
	 * targets grouped by the server that answered them. */
	for (size_t i = 0; i < n; i++) {
		size_t same = 0, m = 0;

		if (done[i])
			continue;
		for (size_t j = i; j < n; j++)
			same += !strcmp(s[j].server, s[i].server);
		sbuf_addf(&sb, "%s the ", i == 0 ? ":" : ";");
		for (size_t j = i; j < n; j++) {
			if (strcmp(s[j].server, s[i].server) != 0)
				continue;
			done[j] = true;
			list_sep(&sb, m++, same);
			sbuf_addf(&sb, "%s", s[j].target);
		}
		sbuf_addf(&sb, " target%s here %s %s", same > 1 ? "s" : "", same > 1 ? "were" : "was", s[i].server);
	}
	/* Under --servers external every target goes to the compose file's
	 * servers, so all of them are started, not only the one stood in for. */
	if (profile)
		sbuf_addf(&sb, "; `docker compose --profile %s up -d`", profile);
	else
		sbuf_addf(&sb, "; `docker compose up -d`");
	sbuf_addf(&sb, " then `bench claims --servers external --only ");
	escape_shell(&sb, id);
	sbuf_addf(&sb, "`");
	free(done);
	return sbuf_take(&sb);
}
