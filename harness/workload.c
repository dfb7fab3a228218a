/*
 * workload.c - the workload YAML file, read into struct workload.
 *
 * libyaml's loader gives a node tree that keeps every node's position.
 * `--set` overrides rewrite that tree, then one validation pass walks it.
 * The pass never stops at the first problem: a user fixing a file wants the
 * whole list at once, so every check reports and carries on, and the
 * messages are sorted by position at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "registry.h"
#include "util.h"
#include "workload.h"

#define WL_MAX_NAME 64
#define WL_MAX_PREFIX 64
#define WL_MAX_CLIENTS 10000
#define WL_MAX_PIPELINE 10000
#define WL_MAX_BATCH 100000
#define WL_MAX_VALUE (64u << 20)
#define WL_MAX_FILE (16u << 20)

/* Used when a workload has no `targets` key (DESIGN §4). */
static const char *const default_targets[] = {"redis", "memcached", "mongodb", NULL};

/* Named in DESIGN §4 but not implemented: rejected as "not supported yet"
 * rather than "unknown", so the user knows the name is right. */
static const char *const future_dists[] = {"zipfian", "hotspot", "latest", "sequential", "exponential", NULL};
static const char *const future_ops[] = {"incr", "range", "query", "fuzzy", "hset", "lpush", NULL};

struct wl_msg {
	int line, col;      /* 0 = no position: sorts first */
	size_t seq;         /* keeps the order of messages at one position */
	char *text;
};

struct wl_ctx {
	const char *file;
	yaml_document_t doc;
	int n_file_nodes;   /* nodes from the file; any later node came from --set */
	const struct wl_override *ov;
	size_t n_ov;
	int *ov_end;        /* override k created the nodes up to ov_end[k] */
	struct wl_msg *msgs;
	size_t n_msgs;
	int n_errors;
	const struct bench_driver **drivers; /* per target; NULL when unknown */
};

/* ---- messages ---- */

static void add_msg(struct wl_ctx *c, int line, int col, int warning, char *text)
{
	c->msgs = xrealloc(c->msgs, (c->n_msgs + 1) * sizeof(*c->msgs));
	c->msgs[c->n_msgs] = (struct wl_msg){line, col, c->n_msgs, text};
	c->n_msgs++;
	if (!warning)
		c->n_errors++;
}

static void vreport(struct wl_ctx *c, const yaml_node_t *n, int warning, const char *fmt, va_list ap)
{
	struct sbuf sb = {0};
	int id = n ? (int)(n - c->doc.nodes.start) + 1 : 0;
	int line = 0, col = 0;

	if (id > c->n_file_nodes) {
		/* A node made by --set has no place in the file: name the override. */
		size_t k = 0;

		while (k + 1 < c->n_ov && id > c->ov_end[k])
			k++;
		sbuf_addf(&sb, "%s: --set %s=%s: ", c->file, c->ov[k].path, c->ov[k].value);
	} else if (n) {
		line = (int)n->start_mark.line + 1;
		col = (int)n->start_mark.column + 1;
		sbuf_addf(&sb, "%s:%d:%d: ", c->file, line, col);
	} else {
		sbuf_addf(&sb, "%s: ", c->file);
	}
	if (warning)
		sbuf_addf(&sb, "warning: ");
	sbuf_vaddf(&sb, fmt, ap);
	sbuf_add(&sb, "\n", 1);
	add_msg(c, line, col, warning, sbuf_take(&sb));
}

static void __attribute__((format(printf, 3, 4))) report(struct wl_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, n, 0, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4))) warn(struct wl_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, n, 1, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4))) report_ov(struct wl_ctx *c, size_t k, const char *fmt, ...)
{
	struct sbuf sb = {0};
	va_list ap;

	sbuf_addf(&sb, "%s: --set %s=%s: ", c->file, c->ov[k].path ? c->ov[k].path : "",
		  c->ov[k].value ? c->ov[k].value : "");
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sbuf_add(&sb, "\n", 1);
	add_msg(c, 0, 0, 0, sbuf_take(&sb));
}

static int msg_cmp(const void *a, const void *b)
{
	const struct wl_msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- nodes ---- */

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* YAML's null: a plain ~, null or nothing. Treated as "key absent". */
static int is_null(const yaml_node_t *n)
{
	const char *s;

	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = sval(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static int present(const yaml_node_t *n)
{
	return n && !is_null(n);
}

/* In `targets: [null]` and `driver: null`, a plain null means the driver
 * called "null": nothing else would make sense there, and users would not
 * expect to have to quote it. */
static int is_null_driver(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && !strcmp(sval(n), "null");
}

/* "a mapping", "null" or the quoted text, for "got ..." in messages. */
static const char *describe(const yaml_node_t *n, char *buf, size_t len)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	if (is_null(n))
		return "null";
	snprintf(buf, len, "'%.40s%s'", sval(n), strlen(sval(n)) > 40 ? "..." : "");
	return buf;
}

/* Reports and returns -1 unless n is a non-null scalar. */
static int want_scalar(struct wl_ctx *c, const yaml_node_t *n, const char *path, const char *what)
{
	char buf[64];

	if (n->type == YAML_SCALAR_NODE && !is_null(n))
		return 0;
	report(c, n, "expected %s for %s, got %s", what, path, describe(n, buf, sizeof(buf)));
	return -1;
}

static int want_kind(struct wl_ctx *c, const yaml_node_t *n, const char *path, yaml_node_type_t t)
{
	char buf[64];

	if (n->type == t)
		return 0;
	report(c, n, "expected %s for %s, got %s", t == YAML_MAPPING_NODE ? "a mapping" : "a sequence",
	       path, describe(n, buf, sizeof(buf)));
	return -1;
}

static int get_str(struct wl_ctx *c, const yaml_node_t *n, const char *path, char **out)
{
	if (want_scalar(c, n, path, "a string") < 0)
		return -1;
	free(*out);
	*out = xstrdup(sval(n));
	return 0;
}

static int get_u64(struct wl_ctx *c, const yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	uint64_t v;

	if (want_scalar(c, n, path, "a number") < 0)
		return -1;
	if (util_parse_u64(sval(n), &v) < 0) {
		report(c, n, "expected a whole number for %s, got '%s'", path, sval(n));
		return -1;
	}
	if (v < min || v > max) {
		if (max == UINT64_MAX)
			report(c, n, "%s must be at least %" PRIu64 ", got %s", path, min, sval(n));
		else
			report(c, n, "%s must be between %" PRIu64 " and %" PRIu64 ", got %s", path, min, max, sval(n));
		return -1;
	}
	*out = v;
	return 0;
}

static int get_double(struct wl_ctx *c, const yaml_node_t *n, const char *path, double lo, double hi, double *out)
{
	double v;

	if (want_scalar(c, n, path, "a number") < 0)
		return -1;
	if (util_parse_double(sval(n), &v) < 0) {
		report(c, n, "expected a number for %s, got '%s'", path, sval(n));
		return -1;
	}
	if (v < lo || v > hi) {
		if (isinf(hi))
			report(c, n, "%s must be at least %g, got %s", path, lo, sval(n));
		else
			report(c, n, "%s must be between %g and %g, got %s", path, lo, hi, sval(n));
		return -1;
	}
	*out = v;
	return 0;
}

static int get_duration(struct wl_ctx *c, const yaml_node_t *n, const char *path, uint64_t *out)
{
	if (want_scalar(c, n, path, "a duration") < 0)
		return -1;
	if (util_parse_duration(sval(n), out) < 0) {
		report(c, n, "invalid duration '%s' for %s; use a number with a unit ns, us, ms, s, m or h "
		       "(e.g. 30s, 500ms); a bare number means seconds", sval(n), path);
		return -1;
	}
	return 0;
}

static int get_size(struct wl_ctx *c, const yaml_node_t *n, const char *path, uint64_t *out)
{
	if (want_scalar(c, n, path, "a size") < 0)
		return -1;
	if (util_parse_size(sval(n), out) < 0) {
		report(c, n, "invalid size '%s' for %s; use a whole number of bytes with an optional unit "
		       "B, KB, KiB, MB, MiB, GB or GiB (e.g. 100, 4KiB)", sval(n), path);
		return -1;
	}
	if (*out > WL_MAX_VALUE) {
		report(c, n, "%s '%s' is too large; values are at most 64 MiB", path, sval(n));
		return -1;
	}
	return 0;
}

/* Names end up in directory names, file names and CSV fields, hence the
 * small alphabet. Target and phase names also may not hold '.', which
 * separates the elements of a --set path. */
static int check_name(struct wl_ctx *c, const yaml_node_t *n, const char *what, const char *s, int allow_dot)
{
	const char *p;

	if (!*s) {
		report(c, n, "%s must not be empty", what);
		return -1;
	}
	if (strlen(s) > WL_MAX_NAME) {
		report(c, n, "%s '%.20s...' is too long (at most %d bytes)", what, s, WL_MAX_NAME);
		return -1;
	}
	for (p = s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || (*p == '.' && allow_dot))
			continue;
		report(c, n, "%s '%s' may only hold letters, digits, '-', '_'%s (it names result files and CSV fields)",
		       what, s, allow_dot ? " and '.'" : "");
		return -1;
	}
	return 0;
}

/* "; did you mean 'x'?" or "; known keys: a, b, c" into sb. */
static void add_hint(struct sbuf *sb, const char *word, const char *const *known, const char *what)
{
	const char *s = util_suggest(word, known);

	if (s) {
		sbuf_addf(sb, "; did you mean '%s'?", s);
		return;
	}
	sbuf_addf(sb, "; %s:", what);
	for (size_t i = 0; known[i]; i++)
		sbuf_addf(sb, "%s %s", i ? "," : "", known[i]);
}

/*
 * Looks up each of `keys` (NULL-terminated) in mapping m: vals[i] = its
 * value node or NULL, knodes[i] = its key node. Reports keys that are not
 * strings, unknown keys (with a suggestion) and duplicates.
 */
static void map_fields(struct wl_ctx *c, const yaml_node_t *m, const char *where, const char *const *keys,
		       yaml_node_t **vals, yaml_node_t **knodes)
{
	size_t nk = 0;

	while (keys[nk])
		nk++;
	memset(vals, 0, nk * sizeof(*vals));
	memset(knodes, 0, nk * sizeof(*knodes));
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
		char buf[64];
		size_t i;

		if (k->type != YAML_SCALAR_NODE) {
			report(c, k, "expected a string key %s%s, got %s", *where ? "in " : "at the top level",
			       where, describe(k, buf, sizeof(buf)));
			continue;
		}
		for (i = 0; i < nk && strcmp(keys[i], sval(k)) != 0; i++)
			;
		if (i == nk) {
			struct sbuf sb = {0};

			add_hint(&sb, sval(k), keys, "known keys");
			report(c, k, "unknown key '%s' %s%s%s", sval(k), *where ? "in " : "at the top level", where, sb.buf);
			free(sb.buf);
		} else if (knodes[i]) {
			report(c, k, "duplicate key '%s' %s%s (first at line %d)", sval(k), *where ? "in " : "at the top level",
			       where, (int)knodes[i]->start_mark.line + 1);
		} else {
			knodes[i] = k;
			vals[i] = yaml_document_get_node(&c->doc, p->value);
		}
	}
}

/* The scalar value of `key` in mapping m, or NULL. */
static const char *map_get(struct wl_ctx *c, const yaml_node_t *m, const char *key)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key), *v = yaml_document_get_node(&c->doc, p->value);

		if (k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE && !strcmp(sval(k), key))
			return sval(v);
	}
	return NULL;
}

/* "phases.run" when the item has a usable name (the same path --set takes),
 * else "phases[1]". */
static char *item_path(struct wl_ctx *c, const yaml_node_t *m, const char *list, size_t idx)
{
	const char *name = m->type == YAML_MAPPING_NODE ? map_get(c, m, "name") : NULL;

	if (name && *name && !strchr(name, '.') && strlen(name) <= WL_MAX_NAME)
		return xasprintf("%s.%s", list, name);
	return xasprintf("%s[%zu]", list, idx);
}

/* ---- overrides ---- */

/* Copies node `id` of src (the parsed --set value) into the workload tree.
 * Returns the new node's id, 0 on failure. */
static int copy_node(yaml_document_t *dst, yaml_document_t *src, int id, int depth)
{
	yaml_node_t *n = yaml_document_get_node(src, id);
	int out = 0;

	if (!n || depth > 32)
		return 0;
	if (n->type == YAML_SCALAR_NODE)
		return yaml_document_add_scalar(dst, NULL, n->data.scalar.value, (int)n->data.scalar.length,
						n->data.scalar.style);
	if (n->type == YAML_SEQUENCE_NODE) {
		out = yaml_document_add_sequence(dst, NULL, YAML_FLOW_SEQUENCE_STYLE);
		for (yaml_node_item_t *it = n->data.sequence.items.start; out && it < n->data.sequence.items.top; it++) {
			int v = copy_node(dst, src, *it, depth + 1);

			if (!v || !yaml_document_append_sequence_item(dst, out, v))
				return 0;
		}
		return out;
	}
	out = yaml_document_add_mapping(dst, NULL, YAML_FLOW_MAPPING_STYLE);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; out && p < n->data.mapping.pairs.top; p++) {
		int k = copy_node(dst, src, p->key, depth + 1), v = copy_node(dst, src, p->value, depth + 1);

		if (!k || !v || !yaml_document_append_mapping_pair(dst, out, k, v))
			return 0;
	}
	return out;
}

/* The node for an override's value. A value parses as YAML, so "8" is a
 * number and "[a, b]" a list; text that is not a flow collection stays one
 * scalar even when it looks like "a: b", and "" is the empty string. */
static int override_value(struct wl_ctx *c, size_t k)
{
	const char *v = c->ov[k].value ? c->ov[k].value : "";
	yaml_parser_t p;
	yaml_document_t vd;
	yaml_node_t *root;
	int id = 0;

	if (!*v)
		return yaml_document_add_scalar(&c->doc, NULL, (const yaml_char_t *)"", 0, YAML_SINGLE_QUOTED_SCALAR_STYLE);
	if (!yaml_parser_initialize(&p))
		return 0;
	yaml_parser_set_input_string(&p, (const unsigned char *)v, strlen(v));
	if (!yaml_parser_load(&p, &vd)) {
		if (*v == '[' || *v == '{')
			report_ov(c, k, "the value is not valid YAML: %s", p.problem ? p.problem : "?");
		else
			id = yaml_document_add_scalar(&c->doc, NULL, (const yaml_char_t *)v, -1, YAML_PLAIN_SCALAR_STYLE);
		yaml_parser_delete(&p);
		return id;
	}
	root = yaml_document_get_root_node(&vd);
	if (root && (root->type == YAML_SCALAR_NODE || *v == '[' || *v == '{'))
		id = copy_node(&c->doc, &vd, 1, 0);
	else
		id = yaml_document_add_scalar(&c->doc, NULL, (const yaml_char_t *)v, -1, YAML_PLAIN_SCALAR_STYLE);
	if (!id && root)
		report_ov(c, k, "the value is nested too deeply");
	yaml_document_delete(&vd);
	yaml_parser_delete(&p);
	return id;
}

/* Position in sequence `seq` of the item called `name` (its `name` key, or
 * the scalar itself as in `targets: [redis]`) or at 0-based index `name`;
 * -1 with an error when there is none. */
static int find_item(struct wl_ctx *c, size_t k, int seq, const char *name, const char *where)
{
	yaml_node_t *s = yaml_document_get_node(&c->doc, seq);
	int n = (int)(s->data.sequence.items.top - s->data.sequence.items.start);
	const char **names = xcalloc((size_t)n + 1, sizeof(*names));
	struct sbuf sb = {0};
	uint64_t idx;
	int found = -1;

	for (int i = 0; i < n; i++) {
		yaml_node_t *it = yaml_document_get_node(&c->doc, s->data.sequence.items.start[i]);

		if (it->type == YAML_SCALAR_NODE)
			names[i] = sval(it);
		for (yaml_node_pair_t *p = it->type == YAML_MAPPING_NODE ? it->data.mapping.pairs.start : NULL;
		     p && p < it->data.mapping.pairs.top; p++) {
			yaml_node_t *key = yaml_document_get_node(&c->doc, p->key);
			yaml_node_t *val = yaml_document_get_node(&c->doc, p->value);

			if (key->type == YAML_SCALAR_NODE && val->type == YAML_SCALAR_NODE && !strcmp(sval(key), "name"))
				names[i] = sval(val);
		}
		if (!names[i])
			names[i] = "";
		if (found < 0 && !strcmp(names[i], name))
			found = i;
	}
	if (found < 0 && util_parse_u64(name, &idx) == 0) {
		if (idx < (uint64_t)n)
			found = (int)idx;
		else
			report_ov(c, k, "%s has no item %s (it has %d, numbered from 0)", where, name, n);
	} else if (found < 0) {
		add_hint(&sb, name, names, "names");
		report_ov(c, k, "%s has no item named '%s'%s", where, name, sb.buf);
	}
	free(sb.buf);
	free(names);
	return found;
}

/* Applies override k to the tree. Node pointers move whenever a node is
 * added, so this works with ids and pair/item positions only. */
static void apply_override(struct wl_ctx *c, size_t k)
{
	char *path = xstrdup(c->ov[k].path ? c->ov[k].path : ""), *elem = path, *dot;
	struct sbuf where = {0};
	int cur = 1;

	if (!*path || *path == '.' || path[strlen(path) - 1] == '.' || strstr(path, "..")) {
		report_ov(c, k, "the key path has an empty element");
		goto out;
	}
	for (;; elem = dot + 1) {
		yaml_node_t *n = yaml_document_get_node(&c->doc, cur);
		int last, v;

		dot = strchr(elem, '.');
		last = !dot;
		if (dot)
			*dot = '\0';
		if (n->type == YAML_MAPPING_NODE) {
			int pi = -1, np = (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);

			for (int i = 0; i < np && pi < 0; i++) {
				yaml_node_t *key = yaml_document_get_node(&c->doc, n->data.mapping.pairs.start[i].key);

				if (key->type == YAML_SCALAR_NODE && !strcmp(sval(key), elem))
					pi = i;
			}
			if (pi >= 0 && !last && is_null(yaml_document_get_node(&c->doc, n->data.mapping.pairs.start[pi].value))) {
				/* `keyspace:` left empty in the file: fill it in. */
				if (!(v = yaml_document_add_mapping(&c->doc, NULL, YAML_BLOCK_MAPPING_STYLE)))
					goto out;
				n = yaml_document_get_node(&c->doc, cur);
				n->data.mapping.pairs.start[pi].value = v;
				cur = v;
			} else if (pi >= 0 && !last) {
				cur = n->data.mapping.pairs.start[pi].value;
			} else if (pi >= 0) {
				if (!(v = override_value(c, k)))
					goto out;
				n = yaml_document_get_node(&c->doc, cur);
				n->data.mapping.pairs.start[pi].value = v;
				goto out;
			} else if (cur == 1 && (!strcmp(elem, "phases") || !strcmp(elem, "targets")) && !last) {
				report_ov(c, k, "the workload has no '%s' list to set into", elem);
				goto out;
			} else {
				/* Absent key: add it, with an empty mapping on the way to a deeper key. */
				int key = yaml_document_add_scalar(&c->doc, NULL, (const yaml_char_t *)elem, -1,
								   YAML_PLAIN_SCALAR_STYLE);

				v = last ? override_value(c, k) : yaml_document_add_mapping(&c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
				if (!key || !v || !yaml_document_append_mapping_pair(&c->doc, cur, key, v))
					goto out;
				if (last)
					goto out;
				cur = v;
			}
		} else if (n->type == YAML_SEQUENCE_NODE) {
			int i = find_item(c, k, cur, elem, where.buf ? where.buf : "the top level");
			int item;

			if (i < 0)
				goto out;
			item = n->data.sequence.items.start[i];
			if (last) {
				if (!(v = override_value(c, k)))
					goto out;
			} else if (yaml_document_get_node(&c->doc, item)->type == YAML_SCALAR_NODE) {
				/* `targets: [redis]` + `--set targets.redis.uri=...`: the
				 * item becomes {name: redis}; the name node keeps its place
				 * in the file for later messages. */
				int key = yaml_document_add_scalar(&c->doc, NULL, (const yaml_char_t *)"name", 4,
								   YAML_PLAIN_SCALAR_STYLE);

				v = yaml_document_add_mapping(&c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
				if (!key || !v || !yaml_document_append_mapping_pair(&c->doc, v, key, item))
					goto out;
			} else {
				cur = item;
				goto next;
			}
			n = yaml_document_get_node(&c->doc, cur);
			n->data.sequence.items.start[i] = v;
			if (last)
				goto out;
			cur = v;
		} else {
			report_ov(c, k, "%s is a scalar; it has no key '%s'", where.buf, elem);
			goto out;
		}
next:
		sbuf_addf(&where, "%s%s", where.buf ? "." : "", elem);
	}
out:
	c->ov_end[k] = (int)(c->doc.nodes.top - c->doc.nodes.start);
	free(where.buf);
	free(path);
}

/* ---- validation ---- */

static void parse_options(struct wl_ctx *c, struct wl_target *t, yaml_node_t *m, const char *path,
			  const struct bench_driver *d)
{
	char err[512];

	if (want_kind(c, m, path, YAML_MAPPING_NODE) < 0)
		return;
	t->options = xcalloc((size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start) + 1, sizeof(*t->options));
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key), *v = yaml_document_get_node(&c->doc, p->value);
		struct bench_option *o = &t->options[t->n_options];
		char *opath;
		size_t i;

		if (want_scalar(c, k, path, "a string key") < 0)
			continue;
		for (i = 0; i < t->n_options && strcmp(t->options[i].key, sval(k)) != 0; i++)
			;
		if (i < t->n_options) {
			report(c, k, "duplicate option '%s' in %s", sval(k), path);
			continue;
		}
		opath = xasprintf("%s.%s", path, sval(k));
		if (want_scalar(c, v, opath, "a string") == 0) {
			o->key = xstrdup(sval(k));
			o->value = xstrdup(sval(v));
			t->n_options++;
			if (d && bench_driver_check_options(d, o, 1, err, sizeof(err)) < 0)
				report(c, k, "%s", err);
		}
		free(opath);
	}
}

/* Joins `servers: [host:port, ...]` into the uri form memcached takes. */
static void parse_servers(struct wl_ctx *c, struct wl_target *t, yaml_node_t *n, const char *path)
{
	struct sbuf sb = {0};

	if (n->type == YAML_SCALAR_NODE) {
		get_str(c, n, path, &t->uri);
		return;
	}
	if (want_kind(c, n, path, YAML_SEQUENCE_NODE) < 0)
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *s = yaml_document_get_node(&c->doc, *it);

		if (want_scalar(c, s, path, "a host:port string") == 0)
			sbuf_addf(&sb, "%s%s", sb.buf ? "," : "", sval(s));
	}
	if (!sb.buf)
		report(c, n, "%s is empty", path);
	free(t->uri);
	t->uri = sb.buf;
}

enum { TK_NAME, TK_DRIVER, TK_URI, TK_SERVERS, TK_OPTIONS, TK_SPAWN, TK__COUNT };
static const char *const target_keys[] = {"name", "driver", "uri", "servers", "options", "spawn", NULL};

static void parse_target(struct wl_ctx *c, struct workload *w, yaml_node_t *n, size_t idx)
{
	struct wl_target *t = &w->targets[w->n_targets];
	yaml_node_t *v[TK__COUNT], *kn[TK__COUNT], *name_node = n, *driver_node = n;
	char err[512], *path = NULL;
	const struct bench_driver *d;

	t->line = (int)n->start_mark.line + 1;
	t->col = (int)n->start_mark.column + 1;
	if (is_null_driver(n)) {
		t->name = xstrdup("null");
	} else if (n->type == YAML_SCALAR_NODE) {
		if (get_str(c, n, "a target", &t->name) < 0)
			return;
	} else if (n->type == YAML_MAPPING_NODE) {
		path = item_path(c, n, "targets", idx);
		map_fields(c, n, path, target_keys, v, kn);
		if (!v[TK_NAME])
			report(c, n, "missing required key 'name' in %s", path);
		else if (is_null_driver(v[TK_NAME]))
			t->name = xstrdup("null");
		else
			get_str(c, v[TK_NAME], "a target's name", &t->name);
		driver_node = name_node = v[TK_NAME] ? v[TK_NAME] : n;
		if (is_null_driver(v[TK_DRIVER])) {
			t->driver = xstrdup("null");
			driver_node = v[TK_DRIVER];
		} else if (present(v[TK_DRIVER])) {
			char *p = xasprintf("%s.driver", path);

			get_str(c, driver_node = v[TK_DRIVER], p, &t->driver);
			free(p);
		}
	} else {
		char buf[64];

		report(c, n, "expected a target name or a mapping for targets[%zu], got %s", idx, describe(n, buf, sizeof(buf)));
		return;
	}
	if (name_node != n && (int)(n - c->doc.nodes.start) >= c->n_file_nodes) {
		/* The item was rewritten by --set; its name still has a place in the file. */
		t->line = (int)name_node->start_mark.line + 1;
		t->col = (int)name_node->start_mark.column + 1;
	}
	if (!t->name) {
		free(t->driver);
		t->driver = NULL;
		goto out;
	}
	w->n_targets++;
	if (check_name(c, name_node, "target name", t->name, 0) < 0)
		goto out;
	for (size_t i = 0; i + 1 < w->n_targets; i++) {
		if (!strcmp(w->targets[i].name, t->name)) {
			report(c, name_node, "duplicate target name '%s' (first at line %d)", t->name, w->targets[i].line);
			goto out;
		}
	}
	if (!t->driver)
		t->driver = xstrdup(t->name);
	if (!(d = bench_driver_find(t->driver, err, sizeof(err))))
		report(c, driver_node, "%s", err);
	c->drivers[w->n_targets - 1] = d;
	if (n->type != YAML_MAPPING_NODE)
		goto out;
	if (present(v[TK_URI])) {
		char *p = xasprintf("%s.uri", path);

		get_str(c, v[TK_URI], p, &t->uri);
		free(p);
	}
	if (present(v[TK_SERVERS])) {
		char *p = xasprintf("%s.servers", path);

		if (present(v[TK_URI]))
			report(c, kn[TK_SERVERS], "%s has both uri and servers; give one", path);
		else
			parse_servers(c, t, v[TK_SERVERS], p);
		free(p);
	}
	if (present(v[TK_OPTIONS])) {
		char *p = xasprintf("%s.options", path);

		parse_options(c, t, v[TK_OPTIONS], p, d);
		free(p);
	}
	if (kn[TK_SPAWN])
		report(c, kn[TK_SPAWN], "%s.spawn is not supported yet; servers are spawned with --servers spawn "
		       "(the default) or reached at uri with --servers external", path);
out:
	free(path);
}

static void parse_targets(struct wl_ctx *c, struct workload *w, yaml_node_t *n, yaml_node_t *root)
{
	size_t count;

	if (!present(n)) {
		char err[512];

		w->targets = xcalloc(3, sizeof(*w->targets));
		c->drivers = xcalloc(3, sizeof(*c->drivers));
		for (const char *const *s = default_targets; *s; s++) {
			struct wl_target *t = &w->targets[w->n_targets];

			t->name = xstrdup(*s);
			t->driver = xstrdup(*s);
			t->line = (int)root->start_mark.line + 1;
			t->col = (int)root->start_mark.column + 1;
			if (!(c->drivers[w->n_targets++] = bench_driver_find(*s, err, sizeof(err))))
				report(c, root, "%s (the workload has no targets, so it defaults to redis, memcached, "
				       "mongodb; list the targets to use under 'targets')", err);
		}
		return;
	}
	if (want_kind(c, n, "targets", YAML_SEQUENCE_NODE) < 0)
		return;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count) {
		report(c, n, "targets is empty; list at least one target, e.g. [redis]");
		return;
	}
	w->targets = xcalloc(count, sizeof(*w->targets));
	c->drivers = xcalloc(count, sizeof(*c->drivers));
	for (size_t i = 0; i < count; i++)
		parse_target(c, w, yaml_document_get_node(&c->doc, n->data.sequence.items.start[i]), i);
}

enum { KK_RECORDS, KK_PREFIX, KK_DISTRIBUTION, KK_ZIPF_THETA, KK_HOT_FRACTION, KK_HOT_OP_FRACTION, KK__COUNT };
static const char *const keyspace_keys[] = {
	"records", "prefix", "distribution", "zipf_theta", "hot_fraction", "hot_op_fraction", NULL,
};

static void parse_keyspace(struct wl_ctx *c, struct workload *w, yaml_node_t *n)
{
	yaml_node_t *v[KK__COUNT], *kn[KK__COUNT];
	static const char *const dists[] = {"uniform", NULL};

	if (want_kind(c, n, "keyspace", YAML_MAPPING_NODE) < 0)
		return;
	map_fields(c, n, "keyspace", keyspace_keys, v, kn);
	if (present(v[KK_RECORDS]))
		get_u64(c, v[KK_RECORDS], "keyspace.records", 1, UINT64_MAX, &w->keyspace.records);
	if (present(v[KK_PREFIX]) && get_str(c, v[KK_PREFIX], "keyspace.prefix", &w->keyspace.prefix) == 0) {
		const char *p = sval(v[KK_PREFIX]);
		size_t len = v[KK_PREFIX]->data.scalar.length;

		if (!len)
			report(c, v[KK_PREFIX], "keyspace.prefix must not be empty");
		else if (len > WL_MAX_PREFIX)
			report(c, v[KK_PREFIX], "keyspace.prefix is %zu bytes long; at most %d", len, WL_MAX_PREFIX);
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f) {
				report(c, v[KK_PREFIX], "keyspace.prefix '%s' holds a space or control character, "
				       "which memcached keys cannot", p);
				break;
			}
		}
	}
	if (present(v[KK_DISTRIBUTION]) && want_scalar(c, v[KK_DISTRIBUTION], "keyspace.distribution", "a string") == 0) {
		const char *s = sval(v[KK_DISTRIBUTION]);
		struct sbuf sb = {0};
		size_t i;

		for (i = 0; future_dists[i] && strcmp(future_dists[i], s) != 0; i++)
			;
		if (future_dists[i]) {
			report(c, v[KK_DISTRIBUTION], "distribution '%s' is not supported yet; supported: uniform", s);
		} else if (strcmp(s, "uniform") != 0) {
			add_hint(&sb, s, dists, "supported");
			report(c, v[KK_DISTRIBUTION], "unknown distribution '%s'%s", s, sb.buf);
			free(sb.buf);
		}
		w->keyspace.distribution = WL_DIST_UNIFORM;
	}
	for (int i = KK_ZIPF_THETA; i <= KK_HOT_OP_FRACTION; i++)
		if (kn[i])
			report(c, kn[i], "keyspace.%s is not supported yet; it belongs to a distribution other than "
			       "uniform, the only one supported now", keyspace_keys[i]);
}

static void parse_values(struct wl_ctx *c, struct workload *w, yaml_node_t *n)
{
	static const char *const keys[] = {"size", NULL}, *const mm[] = {"min", "max", NULL};
	yaml_node_t *v[1], *kn[1], *r[2], *rk[2];
	uint64_t lo, hi;

	if (want_kind(c, n, "values", YAML_MAPPING_NODE) < 0)
		return;
	map_fields(c, n, "values", keys, v, kn);
	if (!present(v[0]))
		return;
	if (v[0]->type == YAML_SCALAR_NODE) {
		if (get_size(c, v[0], "values.size", &lo) == 0)
			w->values.size_min = w->values.size_max = lo;
		return;
	}
	if (v[0]->type != YAML_MAPPING_NODE) {
		report(c, v[0], "expected a size or {min, max} for values.size, got a sequence");
		return;
	}
	map_fields(c, v[0], "values.size", mm, r, rk);
	if (!r[0] || !r[1]) {
		report(c, v[0], "values.size needs both min and max, e.g. {min: 32, max: 1024}");
		return;
	}
	if ((get_size(c, r[0], "values.size.min", &lo) < 0) | (get_size(c, r[1], "values.size.max", &hi) < 0))
		return;
	if (lo > hi) {
		report(c, v[0], "values.size min (%s) is greater than max (%s)", sval(r[0]), sval(r[1]));
		return;
	}
	w->values.size_min = lo;
	w->values.size_max = hi;
}

static void parse_mix(struct wl_ctx *c, struct workload *w, struct wl_phase *ph, yaml_node_t *n, const char *path)
{
	const char *ops[BENCH_OP__COUNT + 1];
	yaml_node_t *seen[BENCH_OP__COUNT] = {0};
	double sum = 0;
	int ok = 1;

	if (want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		return;
	for (int i = 0; i < BENCH_OP__COUNT; i++)
		ops[i] = bench_op_name((enum bench_op)i);
	ops[BENCH_OP__COUNT] = NULL;
	if (n->data.mapping.pairs.top == n->data.mapping.pairs.start) {
		report(c, n, "%s is empty; give each op its share, e.g. {get: 0.9, set: 0.1}", path);
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key), *v = yaml_document_get_node(&c->doc, p->value);
		char *spath;
		double share = 0;
		int op;

		if (want_scalar(c, k, path, "an op name") < 0) {
			ok = 0;
			continue;
		}
		spath = xasprintf("%s.%s", path, sval(k));
		if (get_double(c, v, spath, 0, 1, &share) < 0)
			ok = 0;
		free(spath);
		sum += share;
		op = bench_op_from_name(sval(k));
		if (op < 0) {
			struct sbuf sb = {0};
			size_t i;

			for (i = 0; future_ops[i] && strcmp(future_ops[i], sval(k)) != 0; i++)
				;
			if (future_ops[i]) {
				report(c, k, "op '%s' in %s is not supported yet", sval(k), path);
			} else {
				add_hint(&sb, sval(k), ops, "known ops");
				report(c, k, "unknown op '%s' in %s%s", sval(k), path, sb.buf);
				free(sb.buf);
			}
			continue;
		}
		if (seen[op]) {
			report(c, k, "duplicate op '%s' in %s", sval(k), path);
			continue;
		}
		seen[op] = k;
		ph->mix[op] = share;
	}
	if (ok && fabs(sum - 1.0) > 1e-9)
		report(c, n, "%s shares sum to %.10g, not 1", path, sum);

	/* An op that no target can run would measure nothing at all. */
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		size_t able = 0, known = 0;

		if (!seen[op] || ph->mix[op] <= 0)
			continue;
		for (size_t t = 0; t < w->n_targets; t++) {
			if (!c->drivers[t])
				continue;
			known++;
			if ((c->drivers[t]->caps & bench_op_caps((enum bench_op)op)) == bench_op_caps((enum bench_op)op))
				able++;
			else
				warn(c, seen[op], "op '%s' is not supported by target '%s'; it will be reported as unsupported there",
				     bench_op_name((enum bench_op)op), w->targets[t].name);
		}
		if (known && !able)
			report(c, seen[op], "op '%s' cannot run on any target of this workload",
			       bench_op_name((enum bench_op)op));
	}
}

enum { PK_NAME, PK_TYPE, PK_BATCH, PK_CLIENTS, PK_WARMUP, PK_DURATION, PK_OPS, PK_PIPELINE, PK_RATE, PK_MIX,
       PK_RANGE, PK__COUNT };
static const char *const phase_keys[] = {
	"name", "type", "batch", "clients", "warmup", "duration", "ops", "pipeline", "rate", "mix", "range", NULL,
};
/* Which phase types take each key: 1 = load, 2 = run. */
static const unsigned char phase_key_types[PK__COUNT] = {3, 3, 1, 3, 2, 2, 2, 2, 2, 2, 2};

static void parse_phase(struct wl_ctx *c, struct workload *w, yaml_node_t *n, size_t idx)
{
	struct wl_phase *ph = &w->phases[w->n_phases];
	yaml_node_t *v[PK__COUNT], *kn[PK__COUNT];
	char *path = item_path(c, n, "phases", idx), *p;
	static const char *const types[] = {"load", "run", NULL};

	if (want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		goto out;
	w->n_phases++;
	map_fields(c, n, path, phase_keys, v, kn);
	if (!v[PK_NAME]) {
		report(c, n, "missing required key 'name' in %s", path);
	} else if (get_str(c, v[PK_NAME], "a phase's name", &ph->name) == 0 &&
		   check_name(c, v[PK_NAME], "phase name", ph->name, 0) == 0) {
		for (size_t i = 0; i + 1 < w->n_phases; i++)
			if (w->phases[i].name && !strcmp(w->phases[i].name, ph->name))
				report(c, v[PK_NAME], "duplicate phase name '%s'", ph->name);
	}
	ph->type = ph->name && !strcmp(ph->name, "load") ? WL_PHASE_LOAD : WL_PHASE_RUN;
	if (present(v[PK_TYPE]) && want_scalar(c, v[PK_TYPE], "a phase type", "a string") == 0) {
		const char *s = sval(v[PK_TYPE]);

		if (!strcmp(s, "load") || !strcmp(s, "run")) {
			ph->type = !strcmp(s, "load") ? WL_PHASE_LOAD : WL_PHASE_RUN;
		} else {
			struct sbuf sb = {0};

			add_hint(&sb, s, types, "types");
			report(c, v[PK_TYPE], "unknown phase type '%s' for %s%s", s, path, sb.buf);
			free(sb.buf);
		}
	}
	for (int i = 0; i < PK__COUNT; i++) {
		unsigned need = ph->type == WL_PHASE_LOAD ? 1 : 2;

		if (kn[i] && !(phase_key_types[i] & need))
			report(c, kn[i], "key '%s' is only for %s phases; %s is a %s phase", phase_keys[i],
			       need == 1 ? "run" : "load", path, workload_phase_type_name(ph->type));
	}
	ph->batch = 100;
	ph->pipeline = 1;
	ph->clients = ph->type == WL_PHASE_LOAD ? 4 : 1;
#define FIELD(key, stmt)                                   \
	if (present(v[key]) && (phase_key_types[key] & (ph->type == WL_PHASE_LOAD ? 1 : 2))) { \
		p = xasprintf("%s.%s", path, phase_keys[key]); \
		stmt;                                      \
		free(p);                                   \
	}
	FIELD(PK_CLIENTS, get_u64(c, v[PK_CLIENTS], p, 1, WL_MAX_CLIENTS, &ph->clients))
	FIELD(PK_BATCH, get_u64(c, v[PK_BATCH], p, 1, WL_MAX_BATCH, &ph->batch))
	if (ph->type == WL_PHASE_LOAD)
		goto out;
	FIELD(PK_PIPELINE, get_u64(c, v[PK_PIPELINE], p, 1, WL_MAX_PIPELINE, &ph->pipeline))
	FIELD(PK_WARMUP, get_duration(c, v[PK_WARMUP], p, &ph->warmup_ns))
	FIELD(PK_OPS, get_u64(c, v[PK_OPS], p, 1, UINT64_MAX, &ph->ops))
	FIELD(PK_DURATION, if (get_duration(c, v[PK_DURATION], p, &ph->duration_ns) == 0 && !ph->duration_ns)
		      report(c, v[PK_DURATION], "%s must be more than 0", p))
	FIELD(PK_RATE, if (get_double(c, v[PK_RATE], p, 0, INFINITY, &ph->rate) == 0 && ph->rate > 0)
		      report(c, v[PK_RATE], "rate %s in %s: rate > 0 (open loop) is not supported yet; use rate: 0 "
			     "(closed loop)", sval(v[PK_RATE]), path))
#undef FIELD
	if (present(v[PK_DURATION]) && present(v[PK_OPS])) {
		yaml_node_t *later = kn[PK_OPS]->start_mark.index > kn[PK_DURATION]->start_mark.index ?
			kn[PK_OPS] : kn[PK_DURATION];

		report(c, later, "%s has both duration and ops; give exactly one", path);
	} else if (!present(v[PK_DURATION]) && !present(v[PK_OPS])) {
		report(c, n, "%s needs a duration (e.g. duration: 30s) or an ops count (e.g. ops: 1000000)", path);
	}
	if (kn[PK_RANGE])
		report(c, kn[PK_RANGE], "%s.range is not supported yet (there is no range op yet)", path);
	if (!present(v[PK_MIX])) {
		report(c, v[PK_MIX] ? v[PK_MIX] : n, "%s needs a mix, e.g. mix: {get: 0.9, set: 0.1}", path);
	} else {
		p = xasprintf("%s.mix", path);
		parse_mix(c, w, ph, v[PK_MIX], p);
		free(p);
	}
out:
	free(path);
}

static void parse_phases(struct wl_ctx *c, struct workload *w, yaml_node_t *n)
{
	size_t count;

	if (want_kind(c, n, "phases", YAML_SEQUENCE_NODE) < 0)
		return;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count) {
		report(c, n, "phases is empty; give at least one phase, e.g. [{name: load}, {name: run, ...}]");
		return;
	}
	w->phases = xcalloc(count, sizeof(*w->phases));
	for (size_t i = 0; i < count; i++)
		parse_phase(c, w, yaml_document_get_node(&c->doc, n->data.sequence.items.start[i]), i);
}

enum { TOP_NAME, TOP_DESCRIPTION, TOP_SEED, TOP_TARGETS, TOP_KEYSPACE, TOP_VALUES, TOP_PHASES, TOP_REPEAT,
       TOP_SWEEP, TOP__COUNT };
static const char *const top_keys[] = {
	"name", "description", "seed", "targets", "keyspace", "values", "phases", "repeat", "sweep", NULL,
};

static struct workload *validate(struct wl_ctx *c, yaml_node_t *root)
{
	struct workload *w = xcalloc(1, sizeof(*w));
	yaml_node_t *v[TOP__COUNT], *kn[TOP__COUNT];

	w->file = xstrdup(c->file);
	w->description = xstrdup("");
	w->seed = 42;
	w->keyspace.records = 10000;
	w->keyspace.prefix = xstrdup("bench:");
	w->keyspace.distribution = WL_DIST_UNIFORM;
	w->values.size_min = w->values.size_max = 100;
	w->repeat = 1;

	map_fields(c, root, "", top_keys, v, kn);
	if (!v[TOP_NAME])
		report(c, root, "missing required key 'name' at the top level");
	else if (get_str(c, v[TOP_NAME], "name", &w->name) == 0)
		check_name(c, v[TOP_NAME], "name", w->name, 1);
	if (present(v[TOP_DESCRIPTION]))
		get_str(c, v[TOP_DESCRIPTION], "description", &w->description);
	if (present(v[TOP_SEED]))
		get_u64(c, v[TOP_SEED], "seed", 0, UINT64_MAX, &w->seed);
	parse_targets(c, w, v[TOP_TARGETS], root);
	if (present(v[TOP_KEYSPACE]))
		parse_keyspace(c, w, v[TOP_KEYSPACE]);
	if (present(v[TOP_VALUES]))
		parse_values(c, w, v[TOP_VALUES]);
	if (!present(v[TOP_PHASES]))
		report(c, v[TOP_PHASES] ? v[TOP_PHASES] : root, "missing required key 'phases' at the top level");
	else
		parse_phases(c, w, v[TOP_PHASES]);
	if (present(v[TOP_REPEAT]))
		get_u64(c, v[TOP_REPEAT], "repeat", 1, UINT64_MAX, &w->repeat);
	if (kn[TOP_SWEEP])
		report(c, kn[TOP_SWEEP], "sweep is not supported yet; run once per value with --set "
		       "(e.g. --set phases.run.clients=16)");
	return w;
}

/* libyaml marks are 0-based; a reader error (bad UTF-8) only has an offset. */
static void report_syntax(struct wl_ctx *c, yaml_parser_t *p, const char *text, size_t len)
{
	struct sbuf sb = {0};
	int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;

	if (p->error == YAML_READER_ERROR) {
		line = col = 1;
		for (size_t i = 0; i < p->problem_offset && i < len; i++, col++)
			if (text[i] == '\n')
				line++, col = 0;
	}
	sbuf_addf(&sb, "%s:%d:%d: YAML syntax error: %s", c->file, line, col,
		  p->error == YAML_MEMORY_ERROR ? "out of memory" : p->problem ? p->problem : "unknown problem");
	if (p->context)
		sbuf_addf(&sb, " (%s at line %d, column %d)", p->context, (int)p->context_mark.line + 1,
			  (int)p->context_mark.column + 1);
	sbuf_add(&sb, "\n", 1);
	add_msg(c, line, col, 0, sbuf_take(&sb));
}

int workload_parse(const char *name, const char *text, size_t len,
		   const struct wl_override *ov, size_t n_ov,
		   struct workload **out, char **errors)
{
	struct wl_ctx c = {.file = name, .ov = ov, .n_ov = n_ov};
	struct workload *w = NULL;
	struct sbuf sb = {0};
	yaml_parser_t p;
	yaml_node_t *root;
	int have_doc = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&p)) {
		add_msg(&c, 0, 0, 0, xasprintf("%s: cannot start the YAML parser (out of memory)\n", name));
		goto done;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &c.doc)) {
		report_syntax(&c, &p, text, len);
		goto done;
	}
	have_doc = 1;
	c.n_file_nodes = (int)(c.doc.nodes.top - c.doc.nodes.start);
	root = yaml_document_get_root_node(&c.doc);
	if (!root) {
		add_msg(&c, 1, 1, 0, xasprintf("%s:1:1: the workload is empty; it needs at least name and phases\n", name));
		goto done;
	} else {
		yaml_document_t more;

		if (!yaml_parser_load(&p, &more)) {
			report_syntax(&c, &p, text, len);
		} else {
			if (yaml_document_get_root_node(&more))
				add_msg(&c, (int)more.start_mark.line + 1, (int)more.start_mark.column + 1, 0,
					xasprintf("%s:%d:%d: a workload file holds one YAML document; found a second one\n",
						  name, (int)more.start_mark.line + 1, (int)more.start_mark.column + 1));
			yaml_document_delete(&more);
		}
	}
	if (root->type != YAML_MAPPING_NODE) {
		char buf[64];

		report(&c, root, "expected a mapping at the top level (name, phases, ...), got %s",
		       describe(root, buf, sizeof(buf)));
		goto done;
	}
	c.ov_end = xcalloc(n_ov + 1, sizeof(*c.ov_end));
	for (size_t k = 0; k < n_ov; k++)
		apply_override(&c, k);
	w = validate(&c, yaml_document_get_root_node(&c.doc));
done:
	if (c.n_msgs)
		qsort(c.msgs, c.n_msgs, sizeof(*c.msgs), msg_cmp);
	if (*errors)
		sbuf_add(&sb, *errors, strlen(*errors));
	for (size_t i = 0; i < c.n_msgs; i++) {
		sbuf_add(&sb, c.msgs[i].text, strlen(c.msgs[i].text));
		free(c.msgs[i].text);
	}
	free(*errors);
	*errors = sbuf_take(&sb);
	free(c.msgs);
	free(c.ov_end);
	free(c.drivers);
	if (have_doc)
		yaml_document_delete(&c.doc);
	yaml_parser_delete(&p);
	if (c.n_errors) {
		workload_free(w);
		return BENCH_EXIT_USAGE;
	}
	*out = w;
	return 0;
}

int workload_load(const char *path, const struct wl_override *ov, size_t n_ov,
		  struct workload **out, char **errors)
{
	FILE *f = fopen(path, "rb");
	struct sbuf text = {0};
	char buf[65536];
	size_t n;
	int rc;

	*out = NULL;
	if (!f)
		goto fail;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && text.len <= WL_MAX_FILE)
		sbuf_add(&text, buf, n);
	if (ferror(f) || text.len > WL_MAX_FILE) {
		errno = ferror(f) ? EIO : EFBIG;
		goto fail;
	}
	fclose(f);
	rc = workload_parse(path, text.buf ? text.buf : "", text.len, ov, n_ov, out, errors);
	free(text.buf);
	return rc;
fail:
	{
		char *msg = xasprintf("%s%s: cannot read the workload: %s\n", *errors ? *errors : "", path, strerror(errno));

		free(*errors);
		*errors = msg;
	}
	if (f)
		fclose(f);
	free(text.buf);
	return BENCH_EXIT_USAGE;
}

void workload_free(struct workload *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_targets; i++) {
		struct wl_target *t = &w->targets[i];

		for (size_t j = 0; j < t->n_options; j++) {
			free((char *)t->options[j].key);
			free((char *)t->options[j].value);
		}
		free(t->options);
		free(t->name);
		free(t->driver);
		free(t->uri);
	}
	for (size_t i = 0; i < w->n_phases; i++)
		free(w->phases[i].name);
	free(w->targets);
	free(w->phases);
	free(w->keyspace.prefix);
	free(w->description);
	free(w->name);
	free(w->file);
	free(w);
}

const char *workload_distribution_name(enum wl_distribution d)
{
	return d == WL_DIST_UNIFORM ? "uniform" : "?";
}

const char *workload_phase_type_name(enum wl_phase_type t)
{
	return t == WL_PHASE_LOAD ? "load" : t == WL_PHASE_RUN ? "run" : "?";
}
