/*
 * workload_tree.h - private to the workload parser (workload.c): the libyaml
 * node tree, the messages it collects, and `--set` overrides applied to the
 * tree. Not part of the harness's API; include only from workload*.c.
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

/* One parse. Zero-initialise, then set file, ov and n_ov; the caller loads
 * doc and sets n_file_nodes. The caller owns file, ov, doc (deletes it with
 * yaml_document_delete) and drivers (frees it); msgs and ov_end belong to
 * this module and are freed by wt_finish. */
struct wt_ctx {
	const char *file;
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

/* Adds the error of a failed yaml_parser_load on p, whose input was
 * text/len. */
void wt_report_syntax(struct wt_ctx *c, yaml_parser_t *p, const char *text, size_t len);

/* Sorts the messages by position (keeping the order within one position),
 * appends them to *errors and frees them and ov_end. *errors is NULL or a
 * malloc'd string; it is replaced by a malloc'd string (the caller frees),
 * never NULL. n_errors is kept; doc and drivers are not touched. */
void wt_finish(struct wt_ctx *c, char **errors);

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

/* ---- overrides ---- */

/* Applies c->ov[0..n_ov) in order to the tree under the root mapping,
 * adding nodes as needed and reporting bad paths or values; allocates
 * c->ov_end (freed by wt_finish). Every yaml_node_t pointer taken before
 * the call is stale after it. */
void wt_apply_overrides(struct wt_ctx *c);

#endif
