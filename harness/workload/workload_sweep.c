/*
 * workload_sweep.c - `sweep: {KEY: [v1, v2, ...]}`: one set of runs per
 * value. Part of the workload parser; see workload.c.
 *
 * A point is the workload reloaded with the override KEY=value (`bench run`
 * loads each point that way), so each point is checked exactly that way:
 * the text is parsed again with the override, and every message the
 * workload itself does not have is reported at the point's value, as
 * "file:line:col: sweep KEY=VALUE: message". A second checker that knows
 * the type of each key would drift from the real one.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"
#include "workload.h"
#include "workload_tree.h"

/* Keys that apply to every run phase when given bare. */
static const char *const bare_keys[] = {"clients", "pipeline", "rate", "warmup", "duration", "ops", "idle_connections", NULL};

/* No key path goes deeper than phases.NAME.mix.OP or targets.NAME.options.KEY. */
#define MAX_DEPTH 4

static int known(const char *const *keys, const char *s)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, s))
			return 1;
	return 0;
}

/* Looks up item `name` of the sequence under top-level key `list`, by its
 * name or its 0-based index, as --set does. Returns 0, or -1 with the
 * reason in *why. */
static int find_item(struct wt_ctx *c, yaml_node_t *root, const char *list, const char *name, struct sbuf *why)
{
	yaml_node_t *seq = NULL;
	const char **names;
	uint64_t idx;
	size_t n;
	int found = 0;

	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp(wt_sval(k), list))
			seq = yaml_document_get_node(&c->doc, p->value);
	}
	if (!seq || seq->type != YAML_SEQUENCE_NODE) {
		sbuf_addf(why, "the workload has no '%s' list", list);
		return -1;
	}
	n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	names = xcalloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = yaml_document_get_node(&c->doc, seq->data.sequence.items.start[i]);

		names[i] = it->type == YAML_SCALAR_NODE ? wt_sval(it) :
			   it->type == YAML_MAPPING_NODE ? wt_map_get(c, it, "name") : NULL;
		if (!names[i])
			names[i] = "";
		found |= !strcmp(names[i], name);
	}
	if (!found && util_parse_u64(name, &idx) == 0 && idx < n)
		found = 1;
	if (!found) {
		sbuf_addf(why, "%s has no item named '%s'", list, name);
		wt_add_hint(why, name, names, "names");
	}
	free(names);
	return found ? 0 : -1;
}

/* Checks that `key` names something a point can set (without the value:
 * each point checks its own) and fills w->sweep.paths. Returns 0, or -1
 * after reporting at key node kn. */
static int check_key(struct wt_ctx *c, struct workload *w, yaml_node_t *root, const struct wl_keys *wk,
		     const yaml_node_t *kn,
		     const char *key)
{
	char *copy = xstrdup(key), *el[MAX_DEPTH] = {0}, *s, *dot;
	struct sbuf why = {0};
	size_t n = 0, depth = 1;
	int rc = -1;

	for (s = copy; (s = strchr(s, '.')); s++)
		depth++;
	if (!*key || *key == '.' || key[strlen(key) - 1] == '.' || strstr(key, "..")) {
		sbuf_addf(&why, "the key path has an empty element");
		goto out;
	}
	if (depth > MAX_DEPTH) {
		sbuf_addf(&why, "no key path is that deep");
		goto out;
	}
	for (s = copy; s; s = dot ? dot + 1 : NULL) {
		if ((dot = strchr(s, '.')))
			*dot = '\0';
		el[n++] = s;
	}

	if (n == 1 && known(bare_keys, el[0])) {
		w->sweep.paths = xcalloc(w->n_phases + 1, sizeof(*w->sweep.paths));
		for (size_t i = 0; i < w->n_phases; i++) {
			const struct wl_phase *ph = &w->phases[i];

			if (ph->type != WL_PHASE_RUN)
				continue;
			w->sweep.paths[w->sweep.n_paths++] = ph->name ? xasprintf("phases.%s.%s", ph->name, el[0]) :
							     xasprintf("phases.%zu.%s", i, el[0]);
		}
		if (w->sweep.n_paths)
			rc = 0;
		else if (w->n_phases) /* else phases itself is wrong, and reported */
			sbuf_addf(&why, "'%s' applies to every run phase, and this workload has none", el[0]);
		goto out;
	}

	if (!strcmp(el[0], "sweep")) {
		sbuf_addf(&why, "a sweep cannot set the sweep");
	} else if (!strcmp(el[0], "order")) {
		/* It orders the whole run's blocks (run_order.h), not one point's. */
		sbuf_addf(&why, "a sweep cannot set the order: it orders the whole run, not one point");
	} else if (!known(wk->top, el[0])) {
		const char *all[32] = {0}, *hint;
		size_t k = 0;

		for (const char *const *p = bare_keys; *p; p++)
			all[k++] = *p;
		for (const char *const *p = wk->top; *p && k < 31; p++)
			if (strcmp(*p, "sweep") != 0)
				all[k++] = *p;
		hint = util_suggest(el[0], all);
		sbuf_addf(&why, "give a run-phase key (clients, pipeline, rate, warmup, duration, ops, idle_connections) or a key path "
			  "as --set takes it (e.g. keyspace.records)");
		if (hint)
			sbuf_addf(&why, "; did you mean '%s'?", hint);
	} else if (!strcmp(el[0], "keyspace") || !strcmp(el[0], "values") || !strcmp(el[0], "server")) {
		const char *const *keys = !strcmp(el[0], "keyspace") ? wl_keyspace_keys :
					  !strcmp(el[0], "values") ? wl_values_keys : wl_server_keys;

		if (n < 2) {
			sbuf_addf(&why, "%s is a mapping; sweep one of its keys, e.g. %s.%s", el[0], el[0], keys[0]);
		} else if (!known(keys, el[1])) {
			sbuf_addf(&why, "no key '%s' in %s", el[1], el[0]);
			wt_add_hint(&why, el[1], keys, "known keys");
		} else if (n > 2 && !(n == 3 && !strcmp(el[1], "size") &&
				      (!strcmp(el[2], "min") || !strcmp(el[2], "max")))) {
			sbuf_addf(&why, "%s.%s has no key '%s'", el[0], el[1], el[2]);
		} else {
			rc = 0;
		}
	} else if (!strcmp(el[0], "phases") || !strcmp(el[0], "targets")) {
		int phases = !strcmp(el[0], "phases");
		const char *const *keys = phases ? wk->phase : wk->target;

		if (n < 3) {
			sbuf_addf(&why, "sweep a key of one of its items, e.g. %s",
				  phases ? "phases.run.clients" : "targets.redis.uri");
		} else if (find_item(c, root, el[0], el[1], &why) < 0) {
			/* why is set */
		} else if (!known(keys, el[2])) {
			sbuf_addf(&why, "no key '%s' in %s.%s", el[2], el[0], el[1]);
			wt_add_hint(&why, el[2], keys, "known keys");
		} else if (n > 3 && strcmp(el[2], "mix") != 0 && strcmp(el[2], "options") != 0) {
			sbuf_addf(&why, "%s.%s.%s has no key '%s'", el[0], el[1], el[2], el[3]);
		} else {
			rc = 0;
		}
	} else if (n > 1) {
		sbuf_addf(&why, "%s is a scalar; it has no key '%s'", el[0], el[1]);
	} else {
		rc = 0;
	}
	if (rc == 0) {
		w->sweep.paths = xcalloc(1, sizeof(*w->sweep.paths));
		w->sweep.paths[w->sweep.n_paths++] = xstrdup(key);
	}
out:
	if (rc < 0 && why.buf)
		wt_report(c, kn, "sweep key '%s' names nothing to set: %s", key, why.buf);
	free(why.buf);
	free(copy);
	return rc;
}

yaml_node_t **wl_parse_sweep(struct wt_ctx *c, struct workload *w, yaml_node_t *n, yaml_node_t *root,
			     const struct wl_keys *keys)
{
	yaml_node_t *kn, *seq, **items;
	size_t count, n_pairs;
	char *path;
	int ok = 1;

	if (wt_want_kind(c, n, "sweep", YAML_MAPPING_NODE) < 0)
		return NULL;
	n_pairs = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (n_pairs != 1) {
		wt_report(c, n_pairs ? yaml_document_get_node(&c->doc, n->data.mapping.pairs.start[1].key) : n,
		          "sweep has %zu keys; give exactly one key and its values, e.g. sweep: {clients: [1, 4, 16]}",
		          n_pairs);
		return NULL;
	}
	kn = yaml_document_get_node(&c->doc, n->data.mapping.pairs.start[0].key);
	seq = yaml_document_get_node(&c->doc, n->data.mapping.pairs.start[0].value);
	if (wt_want_scalar(c, kn, "sweep", "a key path") < 0)
		return NULL;
	path = xasprintf("sweep.%s", wt_sval(kn));
	if (wt_want_kind(c, seq, path, YAML_SEQUENCE_NODE) < 0) {
		free(path);
		return NULL;
	}
	count = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (!count) {
		wt_report(c, seq, "%s is empty; give at least one value, e.g. [1, 4, 16]", path);
		free(path);
		return NULL;
	}
	/* Each point is a whole set of runs, and is validated by parsing the
	 * workload again: without a cap a 20 KB file of 4000 values kept
	 * `bench validate` busy for minutes (found while fuzzing). */
	if (count > WL_MAX_SWEEP) {
		wt_report(c, seq, "%s has %zu values; a sweep has at most %d (each value is a whole set of runs)",
		          path, count, WL_MAX_SWEEP);
		free(path);
		return NULL;
	}
	w->sweep.key = xstrdup(wt_sval(kn));
	if ((int)(kn - c->doc.nodes.start) < c->n_file_nodes) {
		w->sweep.line = (int)kn->start_mark.line + 1;
		w->sweep.col = (int)kn->start_mark.column + 1;
	}
	w->sweep.values = xcalloc(count, sizeof(*w->sweep.values));
	items = xcalloc(count, sizeof(*items));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yaml_document_get_node(&c->doc, seq->data.sequence.items.start[i]);

		if (wt_want_scalar(c, it, path, "a scalar value") < 0) {
			ok = 0;
			continue;
		}
		for (size_t j = 0; j < w->sweep.n_values; j++) {
			if (!strcmp(w->sweep.values[j], wt_sval(it))) {
				wt_warn(c, it, "sweep value '%s' for %s is given twice (first at line %d); it runs twice",
				        wt_sval(it), w->sweep.key, (int)items[j]->start_mark.line + 1);
				break;
			}
		}
		items[w->sweep.n_values] = it;
		w->sweep.values[w->sweep.n_values++] = xstrdup(wt_sval(it));
	}
	if (check_key(c, w, root, keys, kn, w->sweep.key) < 0)
		ok = 0;
	free(path);
	if (ok)
		return items;
	free(items);
	return NULL;
}

size_t workload_sweep_overrides(const struct workload *w, size_t i, struct wl_override **ov, size_t *n_ov)
{
	if (!w->sweep.key || i >= w->sweep.n_values || !w->sweep.n_paths)
		return 0;
	*ov = xrealloc(*ov, (*n_ov + w->sweep.n_paths) * sizeof(**ov));
	for (size_t j = 0; j < w->sweep.n_paths; j++)
		(*ov)[(*n_ov)++] = (struct wl_override){w->sweep.paths[j], w->sweep.values[i]};
	return w->sweep.n_paths;
}
