/*
 * claims.c - the `claim:` block of a claim file, read with libyaml and
 * checked against the claim's own workload, so that a claim that names a
 * target, phase, op or sweep point its workload lacks fails `bench
 * validate`, not the end of an hour of measurements. Its messages and node
 * helpers are the workload parser's (workload_tree.h): the same
 * file:line:col lines, sorted by position.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "claims.h"
#include "util.h"
#include "workload_tree.h"

#define CLAIM_MAX_FILE (16u << 20)

/* A string that is not YAML's null (a claim's key, a --set path). */
static bool is_str(const yaml_node_t *n)
{
	return wt_present(n) && n->type == YAML_SCALAR_NODE;
}

static yaml_node_t *node(struct wt_ctx *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

/*
 * Where `line`:`col` of the expect text is in the file. Exact for a
 * one-line scalar (plain or quoted), a literal block (|) and a folded
 * block (>) of equally indented lines, where each line break became one
 * space; a multi-line plain or quoted scalar points into its first line.
 */
static void expect_pos(struct wt_ctx *c, const yaml_node_t *n, int line, int col, int *fl, int *fc)
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
	struct wt_ctx *c;
	const yaml_node_t *at;     /* the expect scalar */
	const struct workload *w;
	const char *prefix;        /* "claim.expect" or what --quick makes of it */
};

/* Whether a phase that runs on target t (named phase, or any) has op. */
static bool has_op(const struct workload *w, size_t t, const char *phase, const char *op)
{
	int o = bench_op_from_name(op);

	for (size_t i = 0; i < w->n_phases; i++) {
		const struct wl_phase *p = &w->phases[i];

		if ((phase && strcmp(p->name, phase) != 0) || !workload_phase_on(p, t))
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

/* The phase named `phase`, or NULL. */
static const struct wl_phase *find_phase(const struct workload *w, const char *phase)
{
	for (size_t i = 0; i < w->n_phases; i++)
		if (!strcmp(w->phases[i].name, phase))
			return &w->phases[i];
	return NULL;
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
	const struct wl_phase *ph = m->phase ? find_phase(w, m->phase) : NULL;
	size_t t = 0;
	int l, col;

	expect_pos(k->c, k->at, m->line, m->col, &l, &col);
	for (size_t i = 0; i < w->n_targets; i++)
		names[i] = w->targets[i].name;
	while (t < w->n_targets && strcmp(names[t], m->target))
		t++;
	if (!in_list(names, w->n_targets, m->target, &sb))
		wt_report_pos(k->c, l, col, "%s: no target '%s' in this workload (targets: %s)", k->prefix, m->target, sb.buf);
	else if (m->phase && !ph)
		wt_report_pos(k->c, l, col, "%s: no phase '%s' in this workload", k->prefix, m->phase);
	else if (ph && !workload_phase_on(ph, t))
		wt_report_pos(k->c, l, col, "%s: phase %s does not run on target %s (its targets key), so %s has no "
			      "figures for it", k->prefix, m->phase, m->target, m->target);
	else if (!has_op(w, t, m->phase, m->op))
		wt_report_pos(k->c, l, col, "%s: %s%s runs no op %s, so %s has no figures for it", k->prefix,
			  m->phase ? "phase " : "this workload", m->phase ? m->phase : "", m->op, m->target);
	else if (m->sel_key && (!w->sweep.key || strcmp(w->sweep.key, m->sel_key) != 0))
		wt_report_pos(k->c, l, col, "%s: selector [%s=...]: the workload %s%s", k->prefix, m->sel_key,
			  w->sweep.key ? "sweeps " : "has no sweep", w->sweep.key ? w->sweep.key : "");
	free(sb.buf);
	sb = (struct sbuf){0};
	if (m->sel_key && w->sweep.key && !strcmp(w->sweep.key, m->sel_key) &&
	    !in_list((const char *const *)w->sweep.values, w->sweep.n_values, m->sel_value, &sb))
		wt_report_pos(k->c, l, col, "%s: [%s=%s] is not a point of the sweep (%s)", k->prefix, m->sel_key,
			  m->sel_value, sb.buf);
	free(sb.buf);
	free(names);
	return 0;
}

static void parse_expect(struct wt_ctx *c, struct claim *cl, yaml_node_t *n, const struct workload *w)
{
	struct cx_error err;
	int l, col;

	if (wt_get_str(c, n, "claim.expect", &cl->expect_text) < 0)
		return;
	if (cx_parse(cl->expect_text, &cl->expect, &err) < 0) {
		expect_pos(c, n, err.line, err.col, &l, &col);
		wt_report_pos(c, l, col, "claim.expect: %s", err.msg);
		return;
	}
	{
		struct mcheck k = {c, n, w, "claim.expect"};

		cx_each_metric(cl->expect, check_metric, &k);
	}
}

static void parse_needs(struct wt_ctx *c, struct claim *cl, yaml_node_t *n)
{
	enum { NK_CORES, NK_PROFILE, NK_EXPERIMENT, NK__COUNT };
	static const char *const keys[] = {"cores", "profile", "experiment", NULL};
	yaml_node_t *v[NK__COUNT], *k[NK__COUNT];
	uint64_t cores;

	if (wt_want_kind(c, n, "claim.needs", YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, n, "claim.needs", keys, v, k);
	if (v[NK_CORES] && wt_get_u64(c, v[NK_CORES], "claim.needs.cores", 1, 4096, &cores) == 0)
		cl->cores = (unsigned)cores;
	if (v[NK_PROFILE])
		wt_get_str(c, v[NK_PROFILE], "claim.needs.profile", &cl->profile);
	if (v[NK_EXPERIMENT])
		wt_get_str(c, v[NK_EXPERIMENT], "claim.needs.experiment", &cl->experiment);
}

static void parse_quick(struct wt_ctx *c, struct claim *cl, yaml_node_t *n)
{
	size_t count;

	if (wt_want_kind(c, n, "claim.quick (KEY.PATH: VALUE, as --set takes them)", YAML_MAPPING_NODE) < 0)
		return;
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	cl->quick = xcalloc(count + 1, sizeof(*cl->quick));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key), *v = node(c, p->value);

		if (!is_str(k) || v->type != YAML_SCALAR_NODE) {
			wt_report(c, is_str(k) ? v : k, "claim.quick: write KEY.PATH: VALUE, a scalar as --set takes it");
			continue;
		}
		cl->quick[cl->n_quick].path = xstrdup(wt_sval(k));
		cl->quick[cl->n_quick++].value = xstrdup(wt_sval(v));
	}
}

/* The workload must still be valid with the quick overrides. */
static void check_quick(struct wt_ctx *c, struct claim *cl, const yaml_node_t *at, const yaml_node_t *expect)
{
	struct workload *w = NULL;
	char *msgs = NULL;

	if (!cl->n_quick)
		return;
	if (workload_load(c->file, cl->quick, cl->n_quick, &w, &msgs) != 0) {
		char *nl = msgs ? strchr(msgs, '\n') : NULL;

		if (nl)
			*nl = '\0';
		wt_report(c, at, "claim.quick: the workload is invalid with these overrides: %s", msgs ? msgs : "");
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

static void parse_claim(struct wt_ctx *c, struct claim *cl, yaml_node_t *m, const struct workload *w)
{
	yaml_node_t *v[CK__COUNT], *k[CK__COUNT];

	if (wt_want_kind(c, m, "claim", YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, m, "claim", claim_keys, v, k);
	if (!v[CK_ID]) {
		wt_report(c, m, "missing required key 'id' in claim");
	} else if (wt_get_str(c, v[CK_ID], "claim.id", &cl->id) == 0) {
		char *want = file_id(c->file);

		if (strcmp(want, cl->id) != 0)
			wt_report(c, v[CK_ID], "claim.id '%s' must be the file's name without .yaml ('%s')", cl->id, want);
		free(want);
	}
	if (!v[CK_STATEMENT])
		wt_report(c, m, "missing required key 'statement' in claim (the claim in English)");
	else
		wt_get_str(c, v[CK_STATEMENT], "claim.statement", &cl->statement);
	if (v[CK_NOTES])
		wt_get_str(c, v[CK_NOTES], "claim.notes", &cl->notes);
	if (!cl->notes)
		cl->notes = xstrdup("");
	if (v[CK_NEEDS])
		parse_needs(c, cl, v[CK_NEEDS]);
	if (v[CK_QUICK])
		parse_quick(c, cl, v[CK_QUICK]);
	/* A claim waiting for an experiment bench lacks is never evaluated:
	 * it needs no expression (and should not carry a made-up one). */
	if (!v[CK_EXPECT] && !cl->experiment)
		wt_report(c, m, "missing required key 'expect' in claim (e.g. expect: redis.get.ops_per_sec[clients=8] > 0)");
	else if (v[CK_EXPECT])
		parse_expect(c, cl, v[CK_EXPECT], w);
	if (!c->n_errors)
		check_quick(c, cl, k[CK_QUICK] ? k[CK_QUICK] : m, v[CK_EXPECT]);
}

int claim_load(const char *path, const struct workload *w, struct claim **out, char **errors)
{
	struct wt_ctx c = {.file = path};
	char *text = NULL, err[PATH_MAX + 128];
	struct claim *cl = NULL;
	yaml_parser_t p;
	yaml_node_t *root;
	int have_doc = 0;

	*out = NULL;
	if (util_read_file(path, CLAIM_MAX_FILE, "the claim file", &text, &c.len, err, sizeof(err)) < 0) {
		wt_add_msg(&c, 0, 0, 0, xasprintf("%s\n", err));
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
	c.n_file_nodes = (int)(c.doc.nodes.top - c.doc.nodes.start); /* no --set here */
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(&c, pr->key);

		if (is_str(k) && !strcmp(wt_sval(k), "claim") && !cl) {
			cl = xcalloc(1, sizeof(*cl));
			cl->file = xstrdup(path);
			parse_claim(&c, cl, node(&c, pr->value), w);
		}
	}
done:
	if (have_doc)
		yaml_document_delete(&c.doc);
	free(text);
	if (c.n_msgs)
		wt_finish(&c, errors, NULL);
	if (c.n_errors) {
		claim_free(cl);
		return -1;
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
