/*
 * report_json.h - a small JSON reader for run.json (report.c). Values are
 * kept as text; a tree is owned by its root and freed with
 * report_json_free().
 */
#ifndef BENCH_REPORT_JSON_H
#define BENCH_REPORT_JSON_H

#include <stddef.h>

enum report_jtype { REPORT_J_NULL, REPORT_J_BOOL, REPORT_J_NUM, REPORT_J_STR, REPORT_J_ARR, REPORT_J_OBJ };

struct report_jv {
	enum report_jtype type;
	char *key;               /* a member of an object: its key; else NULL */
	char *text;              /* STR (UTF-8, escapes decoded), NUM, BOOL: the value as text */
	struct report_jv *kids;  /* ARR, OBJ: the elements or members, in order */
	size_t n;
};

/*
 * Parses text[0..len) (no NUL needed). Returns 0 with *out filled, or -1
 * with *why (a static phrase) and *at (byte offset) saying where it failed;
 * *out then holds what was read before the error. Either way the caller
 * frees *out with report_json_free(). Nesting deeper than 64 is an error.
 */
int report_json_parse(const char *text, size_t len, struct report_jv *out, const char **why, size_t *at);
/* Frees what v holds (not v itself). */
void report_json_free(struct report_jv *v);
/* The member `key` of object o; NULL when o is NULL, not an object, or lacks it. */
const struct report_jv *report_json_get(const struct report_jv *o, const char *key);
/* The member `key` as text when it is a string, number or boolean; else NULL. */
const char *report_json_str(const struct report_jv *o, const char *key);

#endif
