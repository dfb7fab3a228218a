/*
 * workload_tree.c - the YAML node tree under the workload parser: messages,
 * node helpers and `--set` overrides (contracts in workload_tree.h).
 *
 * Messages are collected, not printed: the parser reports every problem and
 * carries on, and the list is sorted by position at the end, so a user
 * fixing a file gets the whole list at once, in file order.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "escape.h"
#include "secret.h"
#include "util.h"
#include "workload_tree.h"

struct wt_msg {
	int line, col;      /* 0 = no position: sorts first */
	size_t seq;         /* keeps the order of messages at one position */
	int warning;
	int target;         /* a warning about this target only (index); -1: none */
	size_t body;        /* text + body: the message after "file:L:C: [warning: ]" */
	char *text;
};

/* ---- messages ---- */

static void add_msg(struct wt_ctx *c, int line, int col, int warning, int target, char *text, size_t body)
{
	/* A message quotes the workload's own bytes (an unknown key, type or
	 * value) and goes to a terminal: escape_terminal shows its control
	 * characters as '?', byte for byte (body stays put); the message's
	 * closing newline is kept. */
	struct sbuf sb = {0};
	size_t n = strlen(text);
	bool nl = n && text[n - 1] == '\n';

	text[n - nl] = '\0';
	escape_terminal(&sb, text);
	if (nl)
		sbuf_add(&sb, "\n", 1);
	free(text);
	text = sbuf_take(&sb);
	c->msgs = xrealloc(c->msgs, (c->n_msgs + 1) * sizeof(*c->msgs));
	c->msgs[c->n_msgs] = (struct wt_msg){line, col, c->n_msgs, warning, target, body, text};
	c->n_msgs++;
	if (!warning)
		c->n_errors++;
}

void wt_add_msg(struct wt_ctx *c, int line, int col, int warning, char *text)
{
	size_t n = strlen(c->file), body = 0;

	/* Skip "file:L:C: " (or "file: ") to where the message starts. */
	if (!strncmp(text, c->file, n) && text[n] == ':') {
		body = n + 1;
		while ((text[body] >= '0' && text[body] <= '9') || text[body] == ':')
			body++;
		body += text[body] == ' ';
	}
	add_msg(c, line, col, warning, -1, text, body);
}

/* An override's value as messages show it: a refused password is never
 * echoed (`auth.password=...`, `auth={password: ...}`, a uri with
 * user:password@). Caller frees. */
static char *ov_shown(const struct wl_override *ov)
{
	const char *dot = ov->path ? strrchr(ov->path, '.') : NULL, *v = ov->value ? ov->value : "";

	if (strcmp(dot ? dot + 1 : ov->path ? ov->path : "", "password") == 0)
		return xstrdup(SECRET_MASK);
	for (const char *p = strstr(v, "password"); p; p = strstr(p + 1, "password")) {
		const char *q = p + strlen("password");

		while (*q == ' ' || *q == '"' || *q == '\'')
			q++;
		if (*q == ':')
			return xstrdup(SECRET_MASK);
	}
	char *shown = secret_scrub(v);

	/* A value of 100 KiB is not repeated in full in every message. */
	if (strlen(shown) > 200)
		strcpy(shown + 197, "...");
	return shown;
}

static void vreport(struct wt_ctx *c, const yaml_node_t *n, int warning, int target, const char *fmt, va_list ap)
{
	struct sbuf sb = {0};
	int id = n ? (int)(n - c->doc.nodes.start) + 1 : 0;
	int line = 0, col = 0;
	size_t body;

	if (id > c->n_file_nodes) {
		/* A node made by --set has no place in the file: name the override. */
		size_t k = 0;

		while (k + 1 < c->n_ov && id > c->ov_end[k])
			k++;
		char *value = ov_shown(&c->ov[k]);

		sbuf_addf(&sb, "%s: --set %s=%s: ", c->file, c->ov[k].path, value);
		free(value);
	} else if (n) {
		line = (int)n->start_mark.line + 1;
		col = (int)n->start_mark.column + 1;
		sbuf_addf(&sb, "%s:%d:%d: ", c->file, line, col);
	} else {
		sbuf_addf(&sb, "%s: ", c->file);
	}
	if (warning)
		sbuf_addf(&sb, "warning: ");
	body = sb.len;
	sbuf_vaddf(&sb, fmt, ap);
	sbuf_add(&sb, "\n", 1);
	add_msg(c, line, col, warning, target, sbuf_take(&sb), body);
}

void wt_report(struct wt_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, n, 0, -1, fmt, ap);
	va_end(ap);
}

void wt_warn(struct wt_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, n, 1, -1, fmt, ap);
	va_end(ap);
}

void wt_warn_target(struct wt_ctx *c, const yaml_node_t *n, int target, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, n, 1, target, fmt, ap);
	va_end(ap);
}

void wt_report_pos(struct wt_ctx *c, int line, int col, const char *fmt, ...)
{
	struct sbuf sb = {0};
	va_list ap;
	size_t body;

	sbuf_addf(&sb, "%s:%d:%d: ", c->file, line, col);
	body = sb.len;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sbuf_add(&sb, "\n", 1);
	add_msg(c, line, col, 0, -1, sbuf_take(&sb), body);
}

static void __attribute__((format(printf, 3, 4))) report_ov(struct wt_ctx *c, size_t k, const char *fmt, ...)
{
	struct sbuf sb = {0};
	va_list ap;
	size_t body;
	char *value = ov_shown(&c->ov[k]);

	sbuf_addf(&sb, "%s: --set %s=%s: ", c->file, c->ov[k].path ? c->ov[k].path : "", value);
	free(value);
	body = sb.len;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sbuf_add(&sb, "\n", 1);
	add_msg(c, 0, 0, 0, -1, sbuf_take(&sb), body);
}

void wt_adopt_msgs(struct wt_ctx *c, struct wt_ctx *from, const yaml_node_t *at, const char *prefix)
{
	size_t n_old = c->n_msgs;

	for (size_t i = 0; i < from->n_msgs; i++) {
		const struct wt_msg *m = &from->msgs[i];
		const char *body = m->text + m->body;
		int len = (int)strlen(body) - 1; /* without the newline */
		size_t j;

		for (j = 0; j < n_old && strcmp(c->msgs[j].text, m->text) != 0; j++)
			;
		/* One the workload itself has is not the point's doing. */
		if (j == n_old && m->warning)
			wt_warn_target(c, at, m->target, "%s%.*s", prefix, len, body);
		else if (j == n_old)
			wt_report(c, at, "%s%.*s", prefix, len, body);
		free(m->text);
	}
	free(from->msgs);
	from->msgs = NULL;
	from->n_msgs = 0;
	free(from->ov_end);
	from->ov_end = NULL;
}

static int msg_cmp(const void *a, const void *b)
{
	const struct wt_msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void wt_finish(struct wt_ctx *c, char **errors, struct workload *w)
{
	struct sbuf sb = {0};

	if (c->n_msgs)
		qsort(c->msgs, c->n_msgs, sizeof(*c->msgs), msg_cmp);
	if (*errors)
		sbuf_add(&sb, *errors, strlen(*errors));
	for (size_t i = 0; i < c->n_msgs; i++) {
		const struct wt_msg *m = &c->msgs[i];

		if (w && m->warning) {
			w->warnings = xrealloc(w->warnings, (w->n_warnings + 1) * sizeof(*w->warnings));
			w->warnings[w->n_warnings].text = xstrndup(m->text, strlen(m->text) - 1); /* no newline */
			w->warnings[w->n_warnings++].target = m->target;
		}
		sbuf_add(&sb, c->msgs[i].text, strlen(c->msgs[i].text));
		free(c->msgs[i].text);
	}
	free(*errors);
	*errors = sbuf_take(&sb);
	free(c->msgs);
	c->msgs = NULL;
	c->n_msgs = 0;
	free(c->ov_end);
	c->ov_end = NULL;
}

/* ---- nodes ---- */

const char *wt_sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* YAML's null: a plain ~, null or nothing. Treated as "key absent". */
static int is_null(const yaml_node_t *n)
{
	const char *s;

	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = wt_sval(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

int wt_present(const yaml_node_t *n)
{
	return n && !is_null(n);
}

const char *wt_describe(const yaml_node_t *n, char *buf, size_t len)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	if (is_null(n))
		return "null";
	snprintf(buf, len, "'%.40s%s'", wt_sval(n), strlen(wt_sval(n)) > 40 ? "..." : "");
	return buf;
}

int wt_want_scalar(struct wt_ctx *c, const yaml_node_t *n, const char *path, const char *what)
{
	char buf[64];

	if (n->type == YAML_SCALAR_NODE && !is_null(n))
		return 0;
	wt_report(c, n, "expected %s for %s, got %s", what, path, wt_describe(n, buf, sizeof(buf)));
	return -1;
}

int wt_want_kind(struct wt_ctx *c, const yaml_node_t *n, const char *path, yaml_node_type_t t)
{
	char buf[64];

	if (n->type == t)
		return 0;
	wt_report(c, n, "expected %s for %s, got %s", t == YAML_MAPPING_NODE ? "a mapping" : "a sequence",
	          path, wt_describe(n, buf, sizeof(buf)));
	return -1;
}

int wt_get_str(struct wt_ctx *c, const yaml_node_t *n, const char *path, char **out)
{
	if (wt_want_scalar(c, n, path, "a string") < 0)
		return -1;
	free(*out);
	*out = xstrdup(wt_sval(n));
	return 0;
}

int wt_get_u64(struct wt_ctx *c, const yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
	       uint64_t *out)
{
	uint64_t v;

	if (wt_want_scalar(c, n, path, "a number") < 0)
		return -1;
	if (util_parse_u64(wt_sval(n), &v) < 0) {
		wt_report(c, n, "expected a whole number for %s, got '%s'", path, wt_sval(n));
		return -1;
	}
	if (v < min || v > max) {
		if (max == UINT64_MAX)
			wt_report(c, n, "%s must be at least %" PRIu64 ", got %s", path, min, wt_sval(n));
		else
			wt_report(c, n, "%s must be between %" PRIu64 " and %" PRIu64 ", got %s", path, min, max, wt_sval(n));
		return -1;
	}
	*out = v;
	return 0;
}

int wt_get_double(struct wt_ctx *c, const yaml_node_t *n, const char *path, double lo, double hi, double *out)
{
	double v;

	if (wt_want_scalar(c, n, path, "a number") < 0)
		return -1;
	if (util_parse_double(wt_sval(n), &v) < 0) {
		wt_report(c, n, "expected a number for %s, got '%s'", path, wt_sval(n));
		return -1;
	}
	if (v < lo || v > hi) {
		if (isinf(hi))
			wt_report(c, n, "%s must be at least %g, got %s", path, lo, wt_sval(n));
		else
			wt_report(c, n, "%s must be between %g and %g, got %s", path, lo, hi, wt_sval(n));
		return -1;
	}
	*out = v;
	return 0;
}

int wt_get_double_open(struct wt_ctx *c, const yaml_node_t *n, const char *path, double lo, double hi,
		       double *out)
{
	double v;

	if (wt_get_double(c, n, path, -INFINITY, INFINITY, &v) < 0)
		return -1;
	if (!(v > lo && v < hi)) {
		if (isinf(hi))
			wt_report(c, n, "%s must be more than %g, got %s", path, lo, wt_sval(n));
		else
			wt_report(c, n, "%s must be more than %g and less than %g, got %s", path, lo, hi, wt_sval(n));
		return -1;
	}
	*out = v;
	return 0;
}

int wt_get_bool(struct wt_ctx *c, const yaml_node_t *n, const char *path, int *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};

	if (wt_want_scalar(c, n, path, "true or false") < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(wt_sval(n), yes[i]) || !strcmp(wt_sval(n), no[i])) {
			*out = !strcmp(wt_sval(n), yes[i]);
			return 0;
		}
	}
	wt_report(c, n, "expected true or false for %s, got '%s'", path, wt_sval(n));
	return -1;
}

int wt_get_duration(struct wt_ctx *c, const yaml_node_t *n, const char *path, uint64_t *out)
{
	if (wt_want_scalar(c, n, path, "a duration") < 0)
		return -1;
	if (util_parse_duration(wt_sval(n), out) < 0) {
		const char *s = wt_sval(n);
		uint64_t ns;

		/* "-5s" is a duration with the wrong sign, not a missing unit. */
		if (s[0] == '-' && util_parse_duration(s + 1, &ns) == 0)
			wt_report(c, n, "%s must be positive, got '%s' (a length of time, e.g. 30s)", path, wt_sval(n));
		else
			wt_report(c, n, "invalid duration '%s' for %s; use a number with a unit ns, us, ms, s, m or h "
			          "(e.g. 30s, 500ms); a bare number means seconds", wt_sval(n), path);
		return -1;
	}
	return 0;
}

void wt_add_hint(struct sbuf *sb, const char *word, const char *const *known, const char *what)
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

void wt_map_fields(struct wt_ctx *c, const yaml_node_t *m, const char *where, const char *const *keys,
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
			wt_report(c, k, "expected a string key %s%s, got %s", *where ? "in " : "at the top level",
			          where, wt_describe(k, buf, sizeof(buf)));
			continue;
		}
		for (i = 0; i < nk && strcmp(keys[i], wt_sval(k)) != 0; i++)
			;
		if (i == nk) {
			struct sbuf sb = {0};

			wt_add_hint(&sb, wt_sval(k), keys, "known keys");
			wt_report(c, k, "unknown key '%s' %s%s%s", wt_sval(k), *where ? "in " : "at the top level", where, sb.buf);
			free(sb.buf);
		} else if (knodes[i]) {
			wt_report(c, k, "duplicate key '%s' %s%s (first at line %d)", wt_sval(k), *where ? "in " : "at the top level",
			          where, (int)knodes[i]->start_mark.line + 1);
		} else {
			knodes[i] = k;
			vals[i] = yaml_document_get_node(&c->doc, p->value);
		}
	}
}

const char *wt_map_get(struct wt_ctx *c, const yaml_node_t *m, const char *key)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key), *v = yaml_document_get_node(&c->doc, p->value);

		if (k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE && !strcmp(wt_sval(k), key))
			return wt_sval(v);
	}
	return NULL;
}

/* ---- limits ---- */

int wt_check_text(const char *text, size_t len, int *line, int *col, char *why, size_t whylen)
{
	yaml_parser_t p;
	yaml_event_t e;
	int depth = 0, rc = 0;
	size_t anchors = 0, aliases = 0;

	if (!yaml_parser_initialize(&p))
		return 0; /* loading will say it is out of memory */
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (rc == 0 && yaml_parser_parse(&p, &e)) {
		yaml_event_type_t type = e.type;
		const yaml_char_t *anchor = type == YAML_SCALAR_EVENT ? e.data.scalar.anchor :
					    type == YAML_SEQUENCE_START_EVENT ? e.data.sequence_start.anchor :
					    type == YAML_MAPPING_START_EVENT ? e.data.mapping_start.anchor : NULL;

		if ((type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) && ++depth > WT_MAX_DEPTH) {
			snprintf(why, whylen, "collections nest deeper than %d levels here", WT_MAX_DEPTH);
			rc = -1;
		} else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
			depth--;
		} else if (anchor && ++anchors > WT_MAX_ANCHORS) {
			snprintf(why, whylen, "more than %d anchors (&name)", WT_MAX_ANCHORS);
			rc = -1;
		} else if (type == YAML_ALIAS_EVENT && ++aliases > WT_MAX_ALIASES) {
			snprintf(why, whylen, "more than %d aliases (*name)", WT_MAX_ALIASES);
			rc = -1;
		}
		if (rc < 0) {
			*line = (int)e.start_mark.line + 1;
			*col = (int)e.start_mark.column + 1;
		}
		yaml_event_delete(&e);
		if (type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

/* The expanded size of each node, computed once (aliases share nodes). */
struct expansion {
	yaml_document_t *doc;
	unsigned char *state;      /* per node: 0 not seen, 1 being walked, 2 done */
	uint64_t *nodes, *bytes;
	int at;                    /* the node reported */
	const char *why;
};

static int expand(struct expansion *x, int id, int depth)
{
	yaml_node_t *n = yaml_document_get_node(x->doc, id);
	size_t i = (size_t)id - 1;
	uint64_t nodes = 1, bytes = 0;
	int kids[2];

	if (!n)
		return 0;
	if (x->state[i] == 2)
		return 0;
	/* An alias to a collection being walked: a cycle (`&a [*a]`). The
	 * depth guard is for a tree whose aliases run in an unexpected order. */
	if (x->state[i] == 1 || depth > 4 * WT_MAX_DEPTH) {
		x->at = id;
		x->why = x->state[i] == 1 ? "an alias here refers to a collection that holds it (an endless value)"
			 : "aliases nest too deeply here";
		return -1;
	}
	x->state[i] = 1;
	if (n->type == YAML_SCALAR_NODE)
		bytes = n->data.scalar.length;
	for (yaml_node_item_t *it = n->type == YAML_SEQUENCE_NODE ? n->data.sequence.items.start : NULL;
	     it && it < n->data.sequence.items.top; it++) {
		if (expand(x, *it, depth + 1) < 0)
			return -1;
		nodes += x->nodes[*it - 1];
		bytes += x->bytes[*it - 1];
		if (nodes > WT_MAX_NODES || bytes > WT_MAX_BYTES)
			goto big;
	}
	for (yaml_node_pair_t *p = n->type == YAML_MAPPING_NODE ? n->data.mapping.pairs.start : NULL;
	     p && p < n->data.mapping.pairs.top; p++) {
		kids[0] = p->key;
		kids[1] = p->value;
		for (int k = 0; k < 2; k++) {
			if (expand(x, kids[k], depth + 1) < 0)
				return -1;
			nodes += x->nodes[kids[k] - 1];
			bytes += x->bytes[kids[k] - 1];
		}
		if (nodes > WT_MAX_NODES || bytes > WT_MAX_BYTES)
			goto big;
	}
	x->nodes[i] = nodes;
	x->bytes[i] = bytes;
	x->state[i] = 2;
	return 0;
big:
	/* Each child is within the limits: this is the innermost node past them. */
	x->at = id;
	x->why = nodes > WT_MAX_NODES ? "nodes" : "bytes";
	return -1;
}

int wt_check_expansion(yaml_document_t *doc, int *at, char *why, size_t whylen)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
	struct expansion x = {doc, xcalloc(n + 1, 1), xcalloc(n + 1, sizeof(uint64_t)), xcalloc(n + 1, sizeof(uint64_t)),
			      0, NULL};
	int rc = n ? expand(&x, 1, 0) : 0;

	if (rc < 0) {
		*at = x.at;
		if (!strcmp(x.why, "nodes"))
			snprintf(why, whylen, "with its aliases (*name) expanded, this value has more than %d nodes",
				 WT_MAX_NODES);
		else if (!strcmp(x.why, "bytes"))
			snprintf(why, whylen, "with its aliases (*name) expanded, this value has more than %u MiB of text",
				 WT_MAX_BYTES >> 20);
		else
			snprintf(why, whylen, "%s", x.why);
	}
	free(x.state);
	free(x.nodes);
	free(x.bytes);
	return rc;
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
static int override_value(struct wt_ctx *c, size_t k)
{
	const char *v = c->ov[k].value ? c->ov[k].value : "";
	yaml_parser_t p;
	yaml_document_t vd;
	yaml_node_t *root;
	int id = 0;

	char why[128];
	int line, col, at;

	if (!*v)
		return yaml_document_add_scalar(&c->doc, NULL, (const yaml_char_t *)"", 0, YAML_SINGLE_QUOTED_SCALAR_STYLE);
	if (wt_check_text(v, strlen(v), &line, &col, why, sizeof(why)) < 0) {
		/* Only a flow collection is taken as YAML (below). */
		if (*v != '[' && *v != '{')
			return yaml_document_add_scalar(&c->doc, NULL, (const yaml_char_t *)v, -1, YAML_PLAIN_SCALAR_STYLE);
		report_ov(c, k, "at column %d of the value: %s", col, why);
		return 0;
	}
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
	/* The value is copied with its aliases expanded: bounded first. */
	if (root && (*v == '[' || *v == '{') && wt_check_expansion(&vd, &at, why, sizeof(why)) < 0) {
		yaml_node_t *bad = yaml_document_get_node(&vd, at);

		report_ov(c, k, "at column %d of the value: %s", (int)bad->start_mark.column + 1, why);
		root = NULL;
	}
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
static int find_item(struct wt_ctx *c, size_t k, int seq, const char *name, const char *where)
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
			names[i] = wt_sval(it);
		for (yaml_node_pair_t *p = it->type == YAML_MAPPING_NODE ? it->data.mapping.pairs.start : NULL;
		     p && p < it->data.mapping.pairs.top; p++) {
			yaml_node_t *key = yaml_document_get_node(&c->doc, p->key);
			yaml_node_t *val = yaml_document_get_node(&c->doc, p->value);

			if (key->type == YAML_SCALAR_NODE && val->type == YAML_SCALAR_NODE && !strcmp(wt_sval(key), "name"))
				names[i] = wt_sval(val);
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
		wt_add_hint(&sb, name, names, "names");
		report_ov(c, k, "%s has no item named '%s'%s", where, name, sb.buf);
	}
	free(sb.buf);
	free(names);
	return found;
}

/* Applies override k to the tree. Node pointers move whenever a node is
 * added, so this works with ids and pair/item positions only. */
static void apply_override(struct wt_ctx *c, size_t k)
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

				if (key->type == YAML_SCALAR_NODE && !strcmp(wt_sval(key), elem))
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

void wt_apply_overrides(struct wt_ctx *c)
{
	c->ov_end = xcalloc(c->n_ov + 1, sizeof(*c->ov_end));
	for (size_t k = 0; k < c->n_ov; k++)
		apply_override(c, k);
}

/* libyaml marks are 0-based; a reader error (bad UTF-8) only has an offset. */
void wt_report_syntax(struct wt_ctx *c, yaml_parser_t *p, const char *text, size_t len)
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
	wt_add_msg(c, line, col, 0, sbuf_take(&sb));
}
