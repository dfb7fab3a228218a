/*
 * report_json.h - run.json read back through jansson, for report.html and
 * bench merge, and what of a damaged one can still be shown.
 */
#ifndef BENCH_REPORT_JSON_H
#define BENCH_REPORT_JSON_H

#include <stddef.h>

#include <jansson.h>

/*
 * Parses text[0..len) (no NUL needed) with jansson. Returns 0 with *out the
 * tree; or -1 with *err saying what jansson refused and where
 * (err->text, err->position: a byte offset), and *out the tree of the
 * longest text before that place that closing its open brackets makes
 * valid, or NULL when none does (a run.json cut short still shows its
 * first sections). The caller json_decref()s *out either way. Bounded: at
 * most REPORT_JSON_SALVAGE_TRIES extra parses of at most len bytes, and
 * jansson refuses nesting deeper than 2048.
 */
#define REPORT_JSON_SALVAGE_TRIES 16
int report_json_parse(const char *text, size_t len, json_t **out, json_error_t *err);

/* The member `key` of o when it is a string; NULL when o is NULL or not
 * an object, or the member is missing or not a string. */
const char *report_json_str(const json_t *o, const char *key);

#endif
