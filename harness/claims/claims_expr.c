/*
 * claims_expr.c - parsing `expect:` expressions (grammar in claims_expr.h).
 *
 * A recursive-descent parser over a small lexer. Every node keeps its
 * line, column and byte span, so a problem names the place in the
 * expression and a figure can be labelled with the text it came from.
 * Parsing stops at the first problem: an expression is one line or a few,
 * and a second message after a syntax error would mostly be noise.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_expr.h"
#include "driver.h"
#include "util.h"

#define CX_MAX_DEPTH 64

/* The numeric columns of summary.csv (docs/csv-schema.md). */
static const char *const columns[] = {
	"clients", "pipeline", "rate_target", "duration_s", "ops", "ops_per_sec", "errors", "timeouts",
	"misses", "unsupported", "mean_us", "p50_us", "p90_us", "p99_us", "p999_us", "max_us",
	"uncorrected_mean_us", "uncorrected_p50_us", "uncorrected_p90_us", "uncorrected_p99_us",
	"uncorrected_p999_us", "uncorrected_max_us", "disconnects", "client_cpu_us_per_op",
	"server_cpu_us_per_op", "items_per_op", "calls_per_op", "restart_s", "data_bytes", "idle_connections",
	"idle_refused", "server_rss_bytes", "lag_p50_us", "lag_p99_us", "lag_max_us", "shards_per_op", NULL,
};

int cx_known_column(const char *name)
{
	for (const char *const *c = columns; *c; c++)
		if (strcmp(*c, name) == 0)
			return 1;
	return 0;
}

enum tok {
	T_END, T_NUM, T_IDENT, T_DOT, T_LPAR, T_RPAR, T_LBRACK, T_RBRACK, T_EQ,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_LT, T_LE, T_GT, T_GE, T_BAD
};

struct parser {
	const char *text;
	size_t pos;          /* where the current token starts */
	size_t next;         /* just past it */
	enum tok tok;
	int depth;
	struct cx_error *err;
	int failed;
};

/* Line and column (1-based) of byte offset `at`. */
static void where(const char *text, size_t at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < at && text[i]; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			++*col; /* a column per character, not per UTF-8 byte */
		}
	}
}

static void fail_at(struct parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (p->failed++)
		return;
	where(p->text, at, &p->err->line, &p->err->col);
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Moves to the next token. Identifiers hold letters, digits, '_' and '-'
 * (target names may hold '-'), so subtraction needs spaces around '-'
 * when a name precedes it. */
static void advance(struct parser *p)
{
	const char *s = p->text;
	size_t i = p->next;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->pos = i;
	if (!s[i]) {
		p->tok = T_END;
	} else if (isdigit((unsigned char)s[i]) || (s[i] == '.' && isdigit((unsigned char)s[i + 1]))) {
		char *end;

		errno = 0;
		(void)strtod(s + i, &end);
		i = (size_t)(end - s);
		p->tok = T_NUM;
		if (ident_char(s[i])) {
			p->tok = T_BAD; /* 12abc */
			while (ident_char(s[i]))
				i++;
		}
	} else if (isalpha((unsigned char)s[i]) || s[i] == '_') {
		while (ident_char(s[i]))
			i++;
		p->tok = T_IDENT;
	} else {
		static const struct {
			const char *s;
			enum tok t;
		} ops[] = {{"<=", T_LE}, {">=", T_GE}, {"<", T_LT}, {">", T_GT}, {"(", T_LPAR}, {")", T_RPAR},
			   {"[", T_LBRACK}, {"]", T_RBRACK}, {"=", T_EQ}, {"+", T_PLUS}, {"-", T_MINUS},
			   {"*", T_STAR}, {"/", T_SLASH}, {".", T_DOT}};

		p->tok = T_BAD;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
			size_t n = strlen(ops[k].s);

			if (strncmp(s + i, ops[k].s, n) == 0) {
				p->tok = ops[k].t;
				i += n;
				break;
			}
		}
		if (p->tok == T_BAD)
			i++;
	}
	p->next = i;
}

static int tok_is_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	return p->tok == T_IDENT && p->next - p->pos == n && strncmp(p->text + p->pos, w, n) == 0;
}

static char *tok_text(const struct parser *p)
{
	return xstrndup(p->text + p->pos, p->next - p->pos);
}

/* What the current token is, for "expected X, got Y" messages. */
static void describe(const struct parser *p, char *buf, size_t len)
{
	if (p->tok == T_END)
		snprintf(buf, len, "the end of the expression");
	else
		snprintf(buf, len, "'%.*s'", (int)(p->next - p->pos < 40 ? p->next - p->pos : 40), p->text + p->pos);
}

static struct cx_node *node_new(struct parser *p, enum cx_kind kind, size_t start)
{
	struct cx_node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->start = start;
	n->end = start;
	where(p->text, start, &n->line, &n->col);
	return n;
}

static void node_free(struct cx_node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	free(n->target);
	free(n->phase);
	free(n->op);
	free(n->column);
	free(n->sel_key);
	free(n->sel_value);
	free(n);
}

static int is_bool(const struct cx_node *n)
{
	return n->kind >= CX_LT;
}

static struct cx_node *parse_or(struct parser *p);

/* A binary node spans from its left operand to its right one. */
static struct cx_node *span(struct cx_node *n, const struct cx_node *l)
{
	n->start = l->start;
	n->end = n->b->end;
	n->line = l->line;
	n->col = l->col;
	return n;
}

/* KEY "=" VALUE "]" after "[": KEY may hold dots (keyspace.records), VALUE
 * is the text up to "]" as the sweep wrote it (1KiB, 64, zipfian). */
static void parse_selector(struct parser *p, struct cx_node *m)
{
	const char *s = p->text;
	size_t i = p->next, k0, k1, v0, v1;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	k0 = i;
	while (ident_char(s[i]) || s[i] == '.')
		i++;
	k1 = i;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (k1 == k0 || s[i] != '=') {
		fail_at(p, k1 == k0 ? k0 : i, "a selector is [KEY=VALUE], the sweep's key and one of its values, e.g. [clients=64]");
		return;
	}
	i++;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	v0 = i;
	while (s[i] && s[i] != ']' && s[i] != '\n')
		i++;
	v1 = i;
	while (v1 > v0 && (s[v1 - 1] == ' ' || s[v1 - 1] == '\t'))
		v1--;
	if (s[i] != ']' || v1 == v0) {
		fail_at(p, s[i] == ']' ? i : v0, v1 == v0 ? "a selector needs a value: [%.*s=VALUE]" : "missing ']' after the selector",
			(int)(k1 - k0), s + k0);
		return;
	}
	m->sel_key = xstrndup(s + k0, k1 - k0);
	m->sel_value = xstrndup(s + v0, v1 - v0);
	p->next = i + 1;
	m->end = p->next;
	advance(p);
}

/* TARGET.[PHASE.]OP.COLUMN[sel], the first identifier already read. */
static struct cx_node *parse_metric(struct parser *p)
{
	struct cx_node *m = node_new(p, CX_METRIC, p->pos);
	char *parts[5] = {0};
	size_t at[5], n = 0;

	for (;;) {
		if (p->tok != T_IDENT) {
			char got[64];

			describe(p, got, sizeof(got));
			fail_at(p, p->pos, "expected a name in a metric (TARGET.OP.COLUMN), got %s", got);
			goto out;
		}
		if (n == 4) {
			fail_at(p, p->pos, "a metric is TARGET.OP.COLUMN or TARGET.PHASE.OP.COLUMN; this one has more parts");
			goto out;
		}
		at[n] = p->pos;
		parts[n++] = tok_text(p);
		m->end = p->next;
		advance(p);
		if (p->tok != T_DOT)
			break;
		advance(p);
	}
	if (n < 3) {
		fail_at(p, m->start, "'%.*s' is not a metric: write TARGET.OP.COLUMN (e.g. redis.get.ops_per_sec) "
			"or TARGET.PHASE.OP.COLUMN", (int)(m->end - m->start), p->text + m->start);
		goto out;
	}
	m->target = parts[0];
	m->phase = n == 4 ? parts[1] : NULL;
	m->op = parts[n - 2];
	m->column = parts[n - 1];
	memset(parts, 0, sizeof(parts));
	if (strcmp(m->op, "load") != 0 && bench_op_from_name(m->op) < 0) {
		fail_at(p, at[n - 2], "unknown op '%s' in a metric (an op of the mix, or load)", m->op);
		goto out;
	}
	if (!cx_known_column(m->column)) {
		const char *hint = util_suggest(m->column, columns);

		fail_at(p, at[n - 1], "unknown column '%s'%s%s%s (a numeric column of summary.csv: ops_per_sec, p99_us, "
			"errors, server_cpu_us_per_op, ...; docs/csv-schema.md)%s", m->column,
			hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "",
			strchr(m->column, '-') ? "; write subtraction with spaces around '-'" : "");
		goto out;
	}
	if (p->tok == T_LBRACK)
		parse_selector(p, m);
out:
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
	return m;
}

static struct cx_node *want_num(struct parser *p, struct cx_node *n, size_t op_at, const char *what)
{
	if (n && !p->failed && is_bool(n))
		fail_at(p, op_at, "%s takes numbers, but '%.*s' is a comparison (a verdict)", what,
			(int)(n->end - n->start), p->text + n->start);
	return n;
}

static struct cx_node *parse_unary(struct parser *p)
{
	struct cx_node *n = NULL;
	size_t start = p->pos;

	if (++p->depth > CX_MAX_DEPTH) {
		fail_at(p, start, "the expression nests more than %d levels deep", CX_MAX_DEPTH);
		return node_new(p, CX_NUM, start);
	}
	if (p->tok == T_MINUS) {
		n = node_new(p, CX_NEG, start);
		advance(p);
		n->a = want_num(p, parse_unary(p), start, "'-'");
		n->end = n->a->end;
	} else if (p->tok == T_NUM) {
		n = node_new(p, CX_NUM, start);
		n->num = strtod(p->text + p->pos, NULL);
		n->end = p->next;
		if (!isfinite(n->num))
			fail_at(p, start, "the number '%.*s' is out of range", (int)(p->next - p->pos), p->text + p->pos);
		advance(p);
	} else if (p->tok == T_LPAR) {
		advance(p);
		n = parse_or(p);
		if (p->tok != T_RPAR && !p->failed) {
			char got[64];
			int line, col;

			describe(p, got, sizeof(got));
			where(p->text, start, &line, &col);
			fail_at(p, p->pos, "expected ')' to close the '(' at %d:%d, got %s", line, col, got);
		}
		n->start = start;
		n->end = p->next;
		where(p->text, start, &n->line, &n->col);
		advance(p);
	} else if (tok_is_word(p, "min") || tok_is_word(p, "max") || tok_is_word(p, "mean")) {
		n = node_new(p, CX_AGG, start);
		n->agg = tok_is_word(p, "min") ? CX_AGG_MIN : tok_is_word(p, "max") ? CX_AGG_MAX : CX_AGG_MEAN;
		advance(p);
		if (p->tok != T_LPAR) {
			fail_at(p, p->pos, "expected '(' after %s: %s(METRIC) aggregates over the sweep points",
				n->agg == CX_AGG_MIN ? "min" : n->agg == CX_AGG_MAX ? "max" : "mean",
				n->agg == CX_AGG_MIN ? "min" : n->agg == CX_AGG_MAX ? "max" : "mean");
			return n;
		}
		advance(p);
		n->a = want_num(p, parse_or(p), start, "an aggregate");
		if (p->tok != T_RPAR && !p->failed) {
			char got[64];

			describe(p, got, sizeof(got));
			fail_at(p, p->pos, "expected ')' after the aggregate's argument, got %s", got);
		}
		n->end = p->next;
		advance(p);
	} else if (p->tok == T_IDENT && !tok_is_word(p, "and") && !tok_is_word(p, "or") && !tok_is_word(p, "not")) {
		n = parse_metric(p);
	} else {
		char got[64];

		describe(p, got, sizeof(got));
		fail_at(p, p->pos, "expected a number, a metric (TARGET.OP.COLUMN), min/max/mean(...) or '(', got %s", got);
		n = node_new(p, CX_NUM, start);
	}
	p->depth--;
	return n;
}

/* Left-associative binary levels: term (* /) and sum (+ -). */
static struct cx_node *parse_binary(struct parser *p, int level)
{
	struct cx_node *l = level ? parse_binary(p, level - 1) : parse_unary(p);

	while (!p->failed) {
		enum cx_kind k;
		struct cx_node *n;

		if (level == 0 && (p->tok == T_STAR || p->tok == T_SLASH))
			k = p->tok == T_STAR ? CX_MUL : CX_DIV;
		else if (level == 1 && (p->tok == T_PLUS || p->tok == T_MINUS))
			k = p->tok == T_PLUS ? CX_ADD : CX_SUB;
		else
			break;
		n = node_new(p, k, p->pos);
		n->a = want_num(p, l, n->start, "arithmetic");
		advance(p);
		n->b = want_num(p, level ? parse_binary(p, level - 1) : parse_unary(p), n->start, "arithmetic");
		l = span(n, l);
	}
	return l;
}

static struct cx_node *parse_cmp(struct parser *p)
{
	struct cx_node *l = parse_binary(p, 1), *n;
	enum cx_kind k;

	if (p->failed)
		return l;
	switch (p->tok) {
	case T_LT: k = CX_LT; break;
	case T_LE: k = CX_LE; break;
	case T_GT: k = CX_GT; break;
	case T_GE: k = CX_GE; break;
	case T_EQ:
		fail_at(p, p->pos, "there is no '=' comparison: measured figures are never exactly equal; use <= and >=");
		return l;
	default:
		return l;
	}
	n = node_new(p, k, p->pos);
	n->a = want_num(p, l, n->start, "a comparison");
	advance(p);
	n->b = want_num(p, parse_binary(p, 1), n->start, "a comparison");
	span(n, l);
	if (!p->failed && (p->tok == T_LT || p->tok == T_LE || p->tok == T_GT || p->tok == T_GE))
		fail_at(p, p->pos, "comparisons do not chain (a < b < c); write a < b and b < c");
	return n;
}

static struct cx_node *want_bool(struct parser *p, struct cx_node *n, size_t op_at, const char *what)
{
	if (n && !p->failed && !is_bool(n))
		fail_at(p, op_at, "%s takes comparisons, but '%.*s' is a number; compare it (e.g. > 0)", what,
			(int)(n->end - n->start), p->text + n->start);
	return n;
}

static struct cx_node *parse_not(struct parser *p)
{
	struct cx_node *n;

	if (!tok_is_word(p, "not"))
		return parse_cmp(p);
	if (++p->depth > CX_MAX_DEPTH) {
		fail_at(p, p->pos, "the expression nests more than %d levels deep", CX_MAX_DEPTH);
		return node_new(p, CX_NUM, p->pos);
	}
	n = node_new(p, CX_NOT, p->pos);
	advance(p);
	n->a = want_bool(p, parse_not(p), n->start, "'not'");
	n->end = n->a->end;
	p->depth--;
	return n;
}

static struct cx_node *parse_logic(struct parser *p, int is_or)
{
	struct cx_node *l = is_or ? parse_logic(p, 0) : parse_not(p);
	const char *word = is_or ? "or" : "and";

	while (!p->failed && tok_is_word(p, word)) {
		struct cx_node *n = node_new(p, is_or ? CX_OR : CX_AND, p->pos);

		n->a = want_bool(p, l, n->start, is_or ? "'or'" : "'and'");
		advance(p);
		n->b = want_bool(p, is_or ? parse_logic(p, 0) : parse_not(p), n->start, is_or ? "'or'" : "'and'");
		l = span(n, l);
	}
	return l;
}

static struct cx_node *parse_or(struct parser *p)
{
	return parse_logic(p, 1);
}

int cx_parse(const char *text, struct cx_expr **out, struct cx_error *err)
{
	struct parser p = {.text = text, .err = err};
	struct cx_node *root;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	advance(&p);
	if (p.tok == T_END) {
		fail_at(&p, p.pos, "the expression is empty; write a comparison, e.g. redis.get.ops_per_sec > 0");
		return -1;
	}
	root = parse_or(&p);
	if (!p.failed && p.tok != T_END) {
		char got[64];

		describe(&p, got, sizeof(got));
		fail_at(&p, p.pos, p.tok == T_BAD ? "unexpected character %s" : "expected 'and', 'or' or the end, got %s", got);
	}
	if (!p.failed && !is_bool(root))
		fail_at(&p, root->start, "the expression is a number, not a verdict: compare it (e.g. '%.*s > 0')",
			(int)(root->end - root->start), text + root->start);
	if (p.failed) {
		node_free(root);
		return -1;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->text = xstrdup(text);
	(*out)->root = root;
	return 0;
}

void cx_free(struct cx_expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	free(e->text);
	free(e);
}

static int each_metric(const struct cx_node *n, int (*fn)(const struct cx_node *m, void *arg), void *arg)
{
	int rc;

	if (!n)
		return 0;
	if (n->kind == CX_METRIC)
		return fn(n, arg);
	if ((rc = each_metric(n->a, fn, arg)) != 0)
		return rc;
	return each_metric(n->b, fn, arg);
}

int cx_each_metric(const struct cx_expr *e, int (*fn)(const struct cx_node *m, void *arg), void *arg)
{
	return each_metric(e->root, fn, arg);
}
