/*
 * workload_tree.h - the workload parser's (workload*.c) libyaml node tree,
 * the messages it collects, `--set` overrides applied to the tree, and what
 * the parser's files share. Not part of the harness's API: include it from
 * workload*.c, and from claims/claims.c, which reads a claim file's
 * `claim:` block with the same messages and node helpers (the one YAML
 * diagnostics layer; docs/architecture.md).
 *
 * Nodes are libyaml's, owned by ctx->doc. A yaml_node_t pointer is valid
 * only until the next node is added to the document (wt_apply_overrides
 * adds nodes; nothing else here does).
 *
 * A message is one line "file:line:col: text\n" (or "file: --set
 * path=value: text\n" for a node made by an override). Reporting never
 * stops the caller: every function below that reports carries on, and
 * wt_finish hands all messages over at the end, sorted by position.
 */
#ifndef BENCH_WORKLOAD_TREE_H
#define BENCH_WORKLOAD_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "workload.h"

struct sbuf;
struct wt_msg;

/* One parse. Zero-initialise, then set file, text, len, ov, n_ov and
 * check_points, and call wl_parse. (Another reader of a YAML file sets
 * file, text, len, loads doc itself and sets n_file_nodes to its node
 * count, and ends with wt_finish.) The caller owns file, text and ov;
 * wl_parse loads doc, sets n_file_nodes and frees doc and drivers before it
 * returns; msgs and ov_end belong to this module and are freed by wt_finish
 * (or wt_adopt_msgs). */
struct wt_ctx {
	const char *file;
	const char *text;   /* the file's text (not NUL-terminated), len bytes */
	size_t len;
	int check_points;   /* also validate every sweep point (workload_sweep.c) */
	yaml_document_t doc;
	int n_file_nodes;   /* nodes from the file; any later node came from --set */
	const struct wl_override *ov;
	size_t n_ov;
	int *ov_end;        /* override k created the nodes up to ov_end[k] */
	struct wt_msg *msgs;
	size_t n_msgs;
	int n_errors;       /* messages that are not warnings */
	const struct bench_driver **drivers; /* per target; NULL when unknown */
};

/* ---- messages ---- */

/* Adds a finished message; line/col (1-based; 0 = no position, sorts first)
 * are only for sorting. Takes ownership of `text` (malloc'd, ending in
 * "\n"). A warning does not count in n_errors. */
void wt_add_msg(struct wt_ctx *c, int line, int col, int warning, char *text);

/* Adds an error / a warning ("file:line:col: warning: ...") at node n, or
 * with no position when n is NULL. The message is formatted and copied. */
void wt_report(struct wt_ctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void wt_warn(struct wt_ctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A warning about target number `target` of the workload only: `bench run`
 * says it only when that target runs (workload.h, wl_warning). */
void wt_warn_target(struct wt_ctx *c, const yaml_node_t *n, int target, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Adds an error at line:col (1-based) of the file, a place inside a
 * scalar that no node marks (claims.c: a column of an expression). */
void wt_report_pos(struct wt_ctx *c, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Adds the error of a failed yaml_parser_load on p, whose input was
 * text/len. */
void wt_report_syntax(struct wt_ctx *c, yaml_parser_t *p, const char *text, size_t len);

/* Moves the messages of `from` (a finished wl_parse of the same text with
 * more overrides) that c does not hold already into c, as errors or
 * warnings at node `at` of c, their text after the position preceded by
 * `prefix`: "file:L:C: PREFIXmessage". Frees from's messages and ov_end. */
void wt_adopt_msgs(struct wt_ctx *c, struct wt_ctx *from, const yaml_node_t *at, const char *prefix);

/* Sorts the messages by position (keeping the order within one position),
 * appends them to *errors and frees them and ov_end. *errors is NULL or a
 * malloc'd string; it is replaced by a malloc'd string (the caller frees),
 * never NULL. With w, the warnings are also appended to w->warnings.
 * n_errors is kept; doc and drivers are not touched. */
void wt_finish(struct wt_ctx *c, char **errors, struct workload *w);

/* ---- nodes ---- */

/* The text of scalar n; owned by the document. */
const char *wt_sval(const yaml_node_t *n);

/* 1 unless n is NULL or YAML's null (a plain ~, null or nothing), which
 * stands for "key absent". */
int wt_present(const yaml_node_t *n);

/* "a mapping", "a sequence", "null" or the quoted (and cut) text, for
 * "got ..." in messages. Returns a constant or buf. */
const char *wt_describe(const yaml_node_t *n, char *buf, size_t len);

/* Return 0, or report and return -1 unless n is a non-null scalar / a node
 * of kind t (YAML_MAPPING_NODE or YAML_SEQUENCE_NODE). `path` names the
 * key in the message; `what` is e.g. "a string". */
int wt_want_scalar(struct wt_ctx *c, const yaml_node_t *n, const char *path, const char *what);
int wt_want_kind(struct wt_ctx *c, const yaml_node_t *n, const char *path, yaml_node_type_t t);

/* Typed scalars. Each returns 0 with *out set, or reports at n and returns
 * -1 leaving *out alone. wt_get_str frees the old *out (NULL or malloc'd)
 * and stores a malloc'd copy. Range limits are inclusive; max UINT64_MAX /
 * hi INFINITY means "at least min". */
int wt_get_str(struct wt_ctx *c, const yaml_node_t *n, const char *path, char **out);
int wt_get_u64(struct wt_ctx *c, const yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
	       uint64_t *out);
int wt_get_double(struct wt_ctx *c, const yaml_node_t *n, const char *path, double lo, double hi, double *out);
/* A number in the open interval (lo, hi); hi INFINITY: more than lo. */
int wt_get_double_open(struct wt_ctx *c, const yaml_node_t *n, const char *path, double lo, double hi,
		       double *out);
/* true/false (also True, TRUE, False, FALSE: YAML 1.2's core schema) as 1/0. */
int wt_get_bool(struct wt_ctx *c, const yaml_node_t *n, const char *path, int *out);
int wt_get_duration(struct wt_ctx *c, const yaml_node_t *n, const char *path, uint64_t *out);

/* Appends "; did you mean 'x'?" when a word of `known` (NULL-terminated) is
 * close to `word`, else "; <what>: a, b, c", to sb. */
void wt_add_hint(struct sbuf *sb, const char *word, const char *const *known, const char *what);

/*
 * Looks up each of `keys` (NULL-terminated) in mapping m: vals[i] = its
 * value node or NULL, knodes[i] = its key node or NULL (both arrays hold as
 * many entries as keys). Reports keys that are not strings, unknown keys
 * (with a suggestion) and duplicates; `where` names m ("" = top level).
 */
void wt_map_fields(struct wt_ctx *c, const yaml_node_t *m, const char *where, const char *const *keys,
		   yaml_node_t **vals, yaml_node_t **knodes);

/* The text of the scalar value of scalar key `key` in mapping m, or NULL;
 * owned by the document. Reports nothing. */
const char *wt_map_get(struct wt_ctx *c, const yaml_node_t *m, const char *key);

/* ---- limits ---- */

/*
 * What a YAML text may make the parser do (docs/workload-format.md,
 * "Limits"). libyaml takes time quadratic in the nesting of flow
 * collections and in the number of anchors (and aliases times anchors),
 * and an alias is a reference, so a few hundred bytes of aliases of
 * aliases stand for billions of nodes to anything that copies the tree
 * (--set values are copied).
 */
#define WT_MAX_DEPTH 32            /* collections nested in one another */
#define WT_MAX_ANCHORS 1000
#define WT_MAX_ALIASES 10000
#define WT_MAX_NODES 100000        /* nodes with every alias expanded */
#define WT_MAX_BYTES (16u << 20)   /* scalar text with every alias expanded */

/* Reads the events of text (every document) before anything loads it, and
 * stops at the first collection nested deeper than WT_MAX_DEPTH, or anchor
 * or alias past WT_MAX_ANCHORS / WT_MAX_ALIASES: returns -1 with *line and
 * *col (1-based) there and the problem in why[whylen] ("nests deeper than
 * 32 levels"). Returns 0 otherwise, also for a syntax error, which loading
 * reports. Its cost is linear in the text up to where it stops. */
int wt_check_text(const char *text, size_t len, int *line, int *col, char *why, size_t whylen);

/* Walks doc from its root as if every alias were expanded. Returns 0, or
 * -1 with *at = the id of the innermost node whose expansion has more than
 * WT_MAX_NODES nodes or WT_MAX_BYTES bytes of scalars, or of a collection
 * that an alias inside it refers to (a cycle), and the problem in
 * why[whylen]. Linear in the nodes of doc (each is walked once). */
int wt_check_expansion(yaml_document_t *doc, int *at, char *why, size_t whylen);

/* ---- overrides ---- */

/* Applies c->ov[0..n_ov) in order to the tree under the root mapping,
 * adding nodes as needed and reporting bad paths or values; allocates
 * c->ov_end (freed by wt_finish). Every yaml_node_t pointer taken before
 * the call is stale after it. */
void wt_apply_overrides(struct wt_ctx *c);

/* ---- shared by workload.c, workload_data.c and workload_sweep.c ---- */

#define WL_MAX_NAME 64
#define WL_MAX_SWEEP 100   /* values of a sweep */

/* Known keys of each mapping, NULL-terminated. */
extern const char *const wl_keyspace_keys[];
extern const char *const wl_values_keys[];
extern const char *const wl_server_keys[];

/* The keys of the top level, of a target and of a phase (workload.c's
 * tables), for checking a sweep's key path. */
struct wl_keys {
	const char *const *top, *const *target, *const *phase;
};

/* Reads c->text, applies c->ov and validates (and, with c->check_points,
 * every sweep point). Returns the workload, or NULL when the text is no
 * workload at all; the messages stay in c for wt_finish (the workload is
 * only usable when c->n_errors is 0). workload.c. */
struct workload *wl_parse(struct wt_ctx *c);

/* The sections, each given its present (non-null) node: workload_data.c
 * fills w->keyspace (after w->keyspace.records' default is set) and
 * w->values; workload_sweep.c fills w->sweep and must come last, after
 * every other message of the parse (it drops a point's messages that the
 * workload itself has already). */
/* A target's `auth` mapping (workload_auth.c), and the check that its
 * uri holds no password (at node n, the uri or servers value). */
void wl_parse_auth(struct wt_ctx *c, struct wl_target *t, yaml_node_t *n, const char *path);
void wl_check_uri_secret(struct wt_ctx *c, const struct wl_target *t, yaml_node_t *n, const char *path,
			 const struct bench_driver *driver);
void wl_parse_keyspace(struct wt_ctx *c, struct workload *w, yaml_node_t *n);
/* A shard_key mapping at path ({_id: hashed} or {_id: 1}, workload_data.c):
 * *out (freed first) gets "hashed" or "1"; nothing set after a report. */
void wl_parse_shard_key(struct wt_ctx *c, yaml_node_t *n, const char *path, char **out);
void wl_parse_values(struct wt_ctx *c, struct workload *w, yaml_node_t *n);
/* The `server` mapping (workload_data.c), after the targets: its eviction
 * word is checked against each target's driver. */
void wl_parse_server(struct wt_ctx *c, struct workload *w, yaml_node_t *n);
/* Fills w->sweep. Returns the node of each value (w->sweep.n_values; caller
 * frees) when the sweep itself is valid, for checking each point, else NULL. */
yaml_node_t **wl_parse_sweep(struct wt_ctx *c, struct workload *w, yaml_node_t *n, yaml_node_t *root,
			     const struct wl_keys *keys);
/* A run phase's range/query/fuzzy/structures keys (each NULL when absent);
 * fills the defaults too. workload_ops.c. */
void wl_parse_op_params(struct wt_ctx *c, struct wl_phase *ph, const char *path, yaml_node_t *range,
			yaml_node_t *query, yaml_node_t *fuzzy, yaml_node_t *structures);

#endif
