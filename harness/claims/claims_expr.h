/*
 * claims_expr.h - the expression language of a claim's `expect:`
 * (docs/claims.md): parsed into a tree (claims_expr.c), evaluated on a
 * run's summary.csv with a verdict from 95% confidence intervals over the
 * repeats (claims_eval.c).
 *
 *   expect := or
 *   or     := and ("or" and)*
 *   and    := not ("and" not)*
 *   not    := "not" not | cmp
 *   cmp    := sum [("<" | "<=" | ">" | ">=") sum]
 *   sum    := term (("+" | "-") term)*
 *   term   := unary (("*" | "/") unary)*
 *   unary  := "-" unary | NUMBER | metric | ("min" | "max" | "mean") "(" expect ")" | "(" expect ")"
 *   metric := TARGET "." [PHASE "."] OP "." COLUMN ["[" KEY "=" VALUE "]"]
 *
 * Every node is a number or a verdict. A comparison of two numbers is the
 * only thing that gives a verdict; and/or/not take verdicts, arithmetic,
 * comparisons and aggregates take numbers; the whole is a verdict. A
 * mismatch is a parse error at the operator.
 */
#ifndef BENCH_CLAIMS_EXPR_H
#define BENCH_CLAIMS_EXPR_H

#include <stddef.h>

enum cx_kind {
	CX_NUM, CX_METRIC, CX_AGG, CX_NEG,
	CX_ADD, CX_SUB, CX_MUL, CX_DIV,
	CX_LT, CX_LE, CX_GT, CX_GE,
	CX_AND, CX_OR, CX_NOT
};

enum cx_agg { CX_AGG_MIN, CX_AGG_MAX, CX_AGG_MEAN };

struct cx_node {
	enum cx_kind kind;
	int line, col;              /* 1-based, in the expression text */
	size_t start, end;          /* the node's bytes in the text: [start, end) */
	double num;                 /* CX_NUM */
	enum cx_agg agg;            /* CX_AGG */
	/* CX_METRIC: phase NULL = the one phase that has the op; sel_key NULL =
	 * no selector. */
	char *target, *phase, *op, *column, *sel_key, *sel_value;
	struct cx_node *a, *b;      /* operands (unary: a) */
};

struct cx_expr {
	char *text;                 /* a copy of the expression */
	struct cx_node *root;       /* a comparison or and/or/not */
};

/* A parse or evaluation problem: where (1-based line and column in the
 * expression text; 0 when it has no place) and what. */
struct cx_error {
	int line, col;
	char msg[512];
};

/*
 * Parses `text`. Returns 0 and *out (free with cx_free), or -1 with *err
 * filled (the first problem). Columns must be summary.csv columns
 * (cx_known_column), ops bench's op names or "load".
 */
int cx_parse(const char *text, struct cx_expr **out, struct cx_error *err);

/* NULL is a no-op. */
void cx_free(struct cx_expr *e);

/* 1 when `name` is a numeric column of summary.csv that expressions may
 * use (docs/csv-schema.md), else 0. */
int cx_known_column(const char *name);

/* Calls fn(node, arg) for every metric node of e, in text order; stops and
 * returns fn's value when it is not 0. */
int cx_each_metric(const struct cx_expr *e, int (*fn)(const struct cx_node *m, void *arg), void *arg);

/* ---- evaluation (claims_eval.c) ---- */

enum cx_verdict { CX_SUPPORTED, CX_REFUTED, CX_INCONCLUSIVE };

/* "SUPPORTED", "REFUTED", "INCONCLUSIVE". */
const char *cx_verdict_name(enum cx_verdict v);

/* The rows of one summary.csv. */
struct cx_data;

/* Reads a summary.csv from a file / from memory (`name` names it in
 * messages). Returns 0 and *out (free with cx_data_free), or -1 with a
 * message naming file:line in err (errlen bytes). */
int cx_data_load(const char *path, struct cx_data **out, char *err, size_t errlen);
int cx_data_read(const char *name, const char *text, size_t len, struct cx_data **out, char *err, size_t errlen);
void cx_data_free(struct cx_data *d);

/* "target=server" of each target in the data, "; "-separated, in first-
 * seen order (e.g. "redis=Redis 7.0.15; mongodb=FerretDB v1.24.2").
 * Caller frees. */
char *cx_data_servers(const struct cx_data *d);

struct cx_result {
	enum cx_verdict verdict;
	/* One entry per comparison, "; "-separated:
	 * "TEXT: VERDICT (123 ± 4 (n=3) vs 100 ± 2 (n=3))", and for
	 * INCONCLUSIVE ", the intervals overlap" or ", fewer than 2 repeats: no
	 * confidence interval" before the ")". */
	char *reason;
	/* The figures of each comparison's sides, "; "-separated:
	 * "max(a.get.ops_per_sec) = 123 ± 4 (n=3)". */
	char *figures;
};

/*
 * Evaluates e on d. Returns 0 with *out filled (free with
 * cx_result_free), or -1 with *err when a metric cannot be read: no rows
 * for it, an ambiguous phase or sweep point, a selector that matches no
 * point, a value that is `unsupported` or never measured. Never treats a
 * missing figure as 0.
 */
int cx_eval(const struct cx_expr *e, const struct cx_data *d, struct cx_result *out, struct cx_error *err);
void cx_result_free(struct cx_result *r);

#endif
