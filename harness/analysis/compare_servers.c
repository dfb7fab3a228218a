/*
 * compare_servers.c - the servers behind each side of `bench compare`
 * (compare_servers.h). run.json, not summary.csv's server column: whether a
 * server stands in for another is the driver's word (stands_in_for), not
 * something to guess from a product name (claims_standin.c reads it the
 * same way for claims).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_servers.h"
#include "report_json.h"
#include "util.h"

/* run.json is a few MiB for the longest runs; beyond this it is not one. */
#define RUN_JSON_MAX (256u << 20)

static char *run_json_beside(const char *summary_path)
{
	const char *slash = strrchr(summary_path, '/');

	if (!slash)
		return xstrdup("run.json");
	return xasprintf("%.*s/run.json", (int)(slash - summary_path), summary_path);
}

static void add_server(struct compare_servers *s, const char *name, const json_t *srv)
{
	const char *product = report_json_str(srv, "product"), *version = report_json_str(srv, "version");
	const char *variant = report_json_str(srv, "variant"), *p = report_json_str(srv, "stands_in_for");
	struct compare_server *e;

	if (!product || !*product)
		return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	e = &s->v[s->n++];
	e->target = xstrdup(name);
	e->product = xstrdup(product);
	e->server = xasprintf("%s%s%s%s%s%s", product, version ? " " : "", version ? version : "", variant ? " (" : "",
			      variant ? variant : "", variant ? ")" : "");
	e->stands_in_for = p && *p ? xstrdup(p) : NULL;
}

int compare_servers_load(const char *summary_path, struct compare_servers *out, char *err, size_t errlen)
{
	char *path = run_json_beside(summary_path), *text = NULL;
	json_t *run = NULL, *t;
	json_error_t jerr;
	size_t len = 0, i;

	memset(out, 0, sizeof(*out));
	if (util_read_file(path, RUN_JSON_MAX, "run.json", &text, &len, err, errlen) < 0) {
		if (errno == ENOENT) { /* a bare summary.csv: nothing to say */
			if (errlen)
				err[0] = '\0';
			free(path);
			return 0;
		}
		free(path);
		return -1;
	}
	if (report_json_parse(text, len, &run, &jerr) < 0) {
		snprintf(err, errlen, "%s: not valid JSON (%s at byte %d)", path, jerr.text, jerr.position);
		json_decref(run);
		free(text);
		free(path);
		return -1;
	}
	out->run_json = path;
	json_array_foreach (json_object_get(run, "targets"), i, t) {
		const char *name = report_json_str(t, "name");

		if (name && !compare_server_of(out, name))
			add_server(out, name, json_object_get(t, "server"));
	}
	json_decref(run);
	free(text);
	return 0;
}

void compare_servers_free(struct compare_servers *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].target);
		free(s->v[i].product);
		free(s->v[i].server);
		free(s->v[i].stands_in_for);
	}
	free(s->v);
	free(s->run_json);
	memset(s, 0, sizeof(*s));
}

const struct compare_server *compare_server_of(const struct compare_servers *s, const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->v[i].target, name) == 0)
			return &s->v[i];
	return NULL;
}

bool compare_servers_differ(const struct compare_servers *base, const struct compare_servers *cand,
			    const char *name)
{
	const struct compare_server *b = compare_server_of(base, name), *c = compare_server_of(cand, name);

	if (!b || !c)
		return false;
	if (strcmp(b->product, c->product) != 0)
		return true;
	if (!b->stands_in_for != !c->stands_in_for)
		return true;
	return b->stands_in_for && strcmp(b->stands_in_for, c->stands_in_for) != 0;
}
