/*
 * claims.c - the `claim:` block of a claim file, read with libyaml and
 * checked against the claim's own workload, so that a claim that names a
 * target, phase, op or sweep point its workload lacks fails `bench
 * validate`, not the end of an hour of measurements.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "claims.h"
#include "util.h"

#define CLAIM_MAX_FILE (16u << 20)

struct cmsg {
	int line, col;
	size_t seq;
	char *text;
};

struct cctx {
	const char *file;
	const char *text;
	size_t len;
	yaml_document_t doc;
	struct cmsg *msgs;     /* sorted by position at the end, as workload.c does */
	int n_errors;
};

static void report_at(struct cctx *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void report_at(struct cctx *c, int line, int col, const char *fmt, ...)
{
	struct sbuf sb = {0};
	va_list ap;

	sbuf_addf(&sb, "%s:%d:%d: ", c->file, line, col);
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sbuf_addf(&sb, "\n");
	c->msgs = xrealloc(c->msgs, ((size_t)c->n_errors + 1) * sizeof(*c->msgs));
	c->msgs[c->n_errors] = (struct cmsg){line, col, (size_t)c->n_errors, sbuf_take(&sb)};
	c->n_errors++;
}

static int by_pos(const void *a, const void *b)
{
	const struct cmsg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

#define REPORT(c, n, ...) report_at((c), (int)(n)->start_mark.line + 1, (int)(n)->start_mark.column + 1, __VA_ARGS__)

static yaml_node_t *node(struct cctx *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

static bool is_str(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE &&
	       !(n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		 (n->data.scalar.length == 0 || !strcmp((const char *)n->data.scalar.value, "~") ||
		  !strcmp((const char *)n->data.scalar.value, "null")));
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A string value, or a report. */
static char *get_str(struct cctx *c, yaml_node_t *n, const char *key)
{
	if (!is_str(n)) {
		REPORT(c, n, "expected a string for claim.%s", key);
		return NULL;
	}
	return xstrdup(sval(n));
}

/*
 * Where `line`:`col` of the expect text is in the file. Exact for a
 * one-line scalar (plain or quoted), a literal block (|) and a folded
 * block (>) of equally indented lines, where each line break became one
 * space; a multi-line plain or quoted scalar points into its first line.
 */
static void expect_pos(struct cctx *c, const yaml_node_t *n, int line, int col, int *fl, int *fc)
{
	int l0 = (int)n->start_mark.line + 1, c0 = (int)n->start_mark.column + 1;
	yaml_scalar_style_t st = n->data.scalar.style;

	if (st == YAML_LITERAL_SCALAR_STYLE || st == YAML_FOLDED_SCALAR_STYLE) {
		/* The content starts on the line after the indicator, indented. */
		size_t i = n->start_mark.index;
		int k = 1, left = col;

		while (i < c->len && c->text[i] != '\n')
			i++;
		for (;;) {
			int indent = 0, width = 0;

			for (i++; i < c->len && c->text[i] == ' '; i++)
				indent++;
			for (; i < c->len && c->text[i] != '\n'; i++)
				width += ((unsigned char)c->text[i] & 0xc0) != 0x80;
			if (st == YAML_LITERAL_SCALAR_STYLE ? k == line : left <= width + 1 || i >= c->len) {
				*fl = l0 + k;
				*fc = indent + left;
				return;
			}
			left -= st == YAML_LITERAL_SCALAR_STYLE ? 0 : width + 1;
			k++;
		}
	}
	*fl = l0 + line - 1;
	*fc = line == 1 ? c0 + col - 1 + (st == YAML_PLAIN_SCALAR_STYLE ? 0 : 1) : col;
}

struct mcheck {
	struct cctx *c;
	const yaml_node_t *at;     /* the expect scalar */
	const struct workload *w;
	const char *prefix;        /* "claim.expect" or what --quick makes of it */
};

static bool has_op(const struct workload *w, const char *phase, const char *op)
{
	int o = bench_op_from_name(op);

	for (size_t i = 0; i < w->n_phases; i++) {
		const struct wl_phase *p = &w->phases[i];

		if (phase && strcmp(p->name, phase) != 0)
			continue;
		/* Crash and replication phases write (set) and read back (get). */
		if (p->type == WL_PHASE_CRASH || p->type == WL_PHASE_REPLICATION) {
			if (o == BENCH_OP_SET || o == BENCH_OP_GET)
				return true;
		} else if (p->type == WL_PHASE_LOAD ? !strcmp(op, "load") : (o >= 0 && p->mix[o] > 0)) {
			return true;
		}
	}
	return false;
}

static bool has_phase(const struct workload *w, const char *phase)
{
	for (size_t i = 0; i < w->n_phases; i++)
		if (!strcmp(w->phases[i].name, phase))
			return true;
	return false;
}

static bool in_list(const char *const *list, size_t n, const char *s, struct sbuf *all)
{
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		found = found || !strcmp(list[i], s);
		sbuf_addf(all, "%s%s", i ? ", " : "", list[i]);
	}
	return found;
}

/* A metric must name what its workload has: else its figures never exist. */
static int check_metric(const struct cx_node *m, void *arg)
{
	struct mcheck *k = arg;
	const struct workload *w = k->w;
	const char **names = xcalloc(w->n_targets + 1, sizeof(*names));
	struct sbuf sb = {0};
	int l, col;

	expect_pos(k->c, k->at, m->line, m->col, &l, &col);
	for (size_t i = 0; i < w->n_targets; i++)
		names[i] = w->targets[i].name;
	if (!in_list(names, w->n_targets, m->target, &sb))
		report_at(k->c, l, col, "%s: no target '%s' in this workload (targets: %s)", k->prefix, m->target, sb.buf);
	else if (m->phase && !has_phase(w, m->phase))
		report_at(k->c, l, col, "%s: no phase '%s' in this workload", k->prefix, m->phase);
	else if (!has_op(w, m->phase, m->op))
		report_at(k->c, l, col, "%s: %s%s runs no op %s, so %s has no figures for it", k->prefix,
			  m->phase ? "phase " : "this workload", m->phase ? m->phase : "", m->op, m->target);
	else if (m->sel_key && (!w->sweep.key || strcmp(w->sweep.key, m->sel_key) != 0))
		report_at(k->c, l, col, "%s: selector [%s=...]: the workload %s%s", k->prefix, m->sel_key,
			  w->sweep.key ? "sweeps " : "has no sweep", w->sweep.key ? w->sweep.key : "");
	free(sb.buf);
	sb = (struct sbuf){0};
	if (m->sel_key && w->sweep.key && !strcmp(w->sweep.key, m->sel_key) &&
	    !in_list((const char *const *)w->sweep.values, w->sweep.n_values, m->sel_value, &sb))
		report_at(k->c, l, col, "%s: [%s=%s] is not a point of the sweep (%s)", k->prefix, m->sel_key,
			  m->sel_value, sb.buf);
	free(sb.buf);
	free(names);
	return 0;
}

static void parse_expect(struct cctx *c, struct claim *cl, yaml_node_t *n, const struct workload *w)
{
	struct cx_error err;
	int l, col;

	if (!(cl->expect_text = get_str(c, n, "expect")))
		return;
	if (cx_parse(cl->expect_text, &cl->expect, &err) < 0) {
		expect_pos(c, n, err.line, err.col, &l, &col);
		report_at(c, l, col, "claim.expect: %s", err.msg);
		return;
	}
	{
		struct mcheck k = {c, n, w, "claim.expect"};

		cx_each_metric(cl->expect, check_metric, &k);
	}
}

static void parse_needs(struct cctx *c, struct claim *cl, yaml_node_t *n)
{
	static const char *const keys[] = {"cores", "profile", "experiment", NULL};

	if (n->type != YAML_MAPPING_NODE) {
		REPORT(c, n, "expected a mapping for claim.needs ({cores: 4, profile: sharded, experiment: ...})");
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		const char *key = is_str(k) ? sval(k) : "";

		if (!strcmp(key, "cores")) {
			char *end;
			unsigned long x;

			errno = 0;
			x = is_str(v) ? strtoul(sval(v), &end, 10) : 0;
			if (!is_str(v) || *end || end == sval(v) || errno || x < 1 || x > 4096 || sval(v)[0] == '-')
				REPORT(c, v, "claim.needs.cores must be a whole number 1..4096");
			else
				cl->cores = (unsigned)x;
		} else if (!strcmp(key, "profile")) {
			free(cl->profile);
			cl->profile = get_str(c, v, "needs.profile");
		} else if (!strcmp(key, "experiment")) {
			free(cl->experiment);
			cl->experiment = get_str(c, v, "needs.experiment");
		} else {
			const char *hint = util_suggest(key, keys);

			REPORT(c, k, "unknown key '%s' in claim.needs%s%s%s", key, hint ? "; did you mean '" : " (cores, profile, experiment)",
			       hint ? hint : "", hint ? "'?" : "");
		}
	}
}

static void parse_quick(struct cctx *c, struct claim *cl, yaml_node_t *n)
{
	size_t count;

	if (n->type != YAML_MAPPING_NODE) {
		REPORT(c, n, "expected a mapping of KEY.PATH: VALUE (--set overrides) for claim.quick");
		return;
	}
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	cl->quick = xcalloc(count + 1, sizeof(*cl->quick));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);

		if (!is_str(k) || v->type != YAML_SCALAR_NODE) {
			REPORT(c, is_str(k) ? v : k, "claim.quick: write KEY.PATH: VALUE, a scalar as --set takes it");
			continue;
		}
		cl->quick[cl->n_quick].path = xstrdup(sval(k));
		cl->quick[cl->n_quick++].value = xstrdup(sval(v));
	}
}

/* The workload must still be valid with the quick overrides. */
static void check_quick(struct cctx *c, struct claim *cl, const yaml_node_t *at, const yaml_node_t *expect)
{
	struct workload *w = NULL;
	char *msgs = NULL;

	if (!cl->n_quick)
		return;
	if (workload_load(c->file, cl->quick, cl->n_quick, &w, &msgs) != 0) {
		char *nl = msgs ? strchr(msgs, '\n') : NULL;

		if (nl)
			*nl = '\0';
		REPORT(c, at, "claim.quick: the workload is invalid with these overrides: %s", msgs ? msgs : "");
	} else if (cl->expect) {
		/* e.g. a quick sweep that drops a point the expression selects */
		struct mcheck k = {c, expect, w, "claim.expect with claim.quick's overrides"};

		cx_each_metric(cl->expect, check_metric, &k);
	}
	workload_free(w);
	free(msgs);
}

enum { CK_ID, CK_STATEMENT, CK_NOTES, CK_EXPECT, CK_NEEDS, CK_QUICK, CK__COUNT };
static const char *const claim_keys[] = {"id", "statement", "notes", "expect", "needs", "quick", NULL};

static char *file_id(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".yaml"))
		len -= 5;
	return xstrndup(base, len);
}

static void parse_claim(struct cctx *c, struct claim *cl, yaml_node_t *m, const struct workload *w)
{
	yaml_node_t *v[CK__COUNT] = {0}, *quick_key = m;

	if (m->type != YAML_MAPPING_NODE) {
		REPORT(c, m, "expected a mapping for claim (id, statement, notes, expect, needs, quick)");
		return;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key);
		const char *key = is_str(k) ? sval(k) : "";
		int i;

		for (i = 0; i < CK__COUNT && strcmp(claim_keys[i], key) != 0; i++)
			;
		if (i == CK__COUNT) {
			const char *hint = util_suggest(key, claim_keys);

			REPORT(c, k, "unknown key '%s' in claim%s%s%s", key,
			       hint ? "; did you mean '" : " (id, statement, notes, expect, needs, quick)", hint ? hint : "",
			       hint ? "'?" : "");
		} else if (v[i]) {
			REPORT(c, k, "duplicate key '%s' in claim", key);
		} else {
			v[i] = node(c, p->value);
			if (i == CK_QUICK)
				quick_key = k;
		}
	}
	if (!v[CK_ID]) {
		REPORT(c, m, "missing required key 'id' in claim");
	} else if ((cl->id = get_str(c, v[CK_ID], "id"))) {
		char *want = file_id(c->file);

		if (strcmp(want, cl->id) != 0)
			REPORT(c, v[CK_ID], "claim.id '%s' must be the file's name without .yaml ('%s')", cl->id, want);
		free(want);
	}
	if (!v[CK_STATEMENT])
		REPORT(c, m, "missing required key 'statement' in claim (the claim in English)");
	else
		cl->statement = get_str(c, v[CK_STATEMENT], "statement");
	cl->notes = v[CK_NOTES] ? get_str(c, v[CK_NOTES], "notes") : NULL;
	if (!cl->notes)
		cl->notes = xstrdup("");
	if (v[CK_NEEDS])
		parse_needs(c, cl, v[CK_NEEDS]);
	if (v[CK_QUICK])
		parse_quick(c, cl, v[CK_QUICK]);
	/* A claim waiting for an experiment bench lacks is never evaluated:
	 * it needs no expression (and should not carry a made-up one). */
	if (!v[CK_EXPECT] && !cl->experiment)
		REPORT(c, m, "missing required key 'expect' in claim (e.g. expect: redis.get.ops_per_sec[clients=8] > 0)");
	else if (v[CK_EXPECT])
		parse_expect(c, cl, v[CK_EXPECT], w);
	if (!c->n_errors)
		check_quick(c, cl, quick_key, v[CK_EXPECT]);
}

int claim_load(const char *path, const struct workload *w, struct claim **out, char **errors)
{
	struct cctx c = {.file = path};
	char *text = NULL;
	struct claim *cl = NULL;
	yaml_parser_t p;
	yaml_node_t *root;
	int have_doc = 0;

	*out = NULL;
	if (util_read_file(path, CLAIM_MAX_FILE, "the claim file", &text, &c.len, NULL, 0) < 0) {
		report_at(&c, 0, 0, "cannot read: %s", strerror(errno));
		goto done;
	}
	c.text = text;
	if (!yaml_parser_initialize(&p))
		abort();
	yaml_parser_set_input_string(&p, (const unsigned char *)c.text, c.len);
	/* The workload loader has read the same text without a syntax error. */
	have_doc = yaml_parser_load(&p, &c.doc);
	yaml_parser_delete(&p);
	root = have_doc ? yaml_document_get_root_node(&c.doc) : NULL;
	if (!root || root->type != YAML_MAPPING_NODE)
		goto done;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(&c, pr->key);

		if (is_str(k) && !strcmp(sval(k), "claim") && !cl) {
			cl = xcalloc(1, sizeof(*cl));
			cl->file = xstrdup(path);
			parse_claim(&c, cl, node(&c, pr->value), w);
		}
	}
done:
	if (have_doc)
		yaml_document_delete(&c.doc);
	free(text);
	if (c.n_errors) {
		struct sbuf all = {0};

		qsort(c.msgs, (size_t)c.n_errors, sizeof(*c.msgs), by_pos);
		sbuf_addf(&all, "%s", *errors ? *errors : "");
		for (int i = 0; i < c.n_errors; i++) {
			sbuf_addf(&all, "%s", c.msgs[i].text);
			free(c.msgs[i].text);
		}
		free(*errors);
		*errors = sbuf_take(&all);
	}
	free(c.msgs);
	if (c.n_errors) {
		claim_free(cl);
		return BENCH_EXIT_USAGE;
	}
	*out = cl;
	return 0;
}

void claim_free(struct claim *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_quick; i++) {
		free((char *)c->quick[i].path);
		free((char *)c->quick[i].value);
	}
	free(c->quick);
	cx_free(c->expect);
	free(c->file);
	free(c->id);
	free(c->statement);
	free(c->notes);
	free(c->expect_text);
	free(c->profile);
	free(c->experiment);
	free(c);
}
