/* report_json.c - run.json read back through jansson. jansson reads a
 * valid text or nothing; the salvage below is the part no library does:
 * report.html shows what a run.json cut short (a full disk, a killed
 * bench) or damaged still says, as it did before bench used jansson. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "util.h"

/* Brackets a salvage follows; a text nested deeper is cut above that. */
#define SALVAGE_DEPTH 64

/* A place to cut the text: text[0..at) followed by the closing brackets
 * still open there, innermost first (close[depth - 1] down to close[0]). */
struct cut {
	size_t at, depth;
	char close[SALVAGE_DEPTH];
};

/*
 * The tree of the longest prefix of text[0..end) that ends where a member
 * or element begins or ends (before a comma, after an opening or a
 * closing bracket, outside strings) and is valid JSON once its open
 * brackets are closed; the last REPORT_JSON_SALVAGE_TRIES such places are
 * tried, latest first. NULL when none reads.
 */
static json_t *salvage(const char *text, size_t end)
{
	struct cut cuts[REPORT_JSON_SALVAGE_TRIES], now = {0};
	size_t n = 0;
	bool in_str = false;
	json_t *tree = NULL;

	for (size_t i = 0; i < end; i++) {
		char c = text[i];
		bool cut = false;

		if (in_str) {
			if (c == '\\')
				i++; /* the escaped character cannot end the string */
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == ',') {
			now.at = i;
			cut = true;
		} else if (c == '{' || c == '[') {
			if (now.depth == SALVAGE_DEPTH)
				break;
			now.close[now.depth++] = c == '{' ? '}' : ']';
			now.at = i + 1;
			cut = true;
		} else if ((c == '}' || c == ']') && now.depth > 0) {
			now.depth--;
			now.at = i + 1;
			cut = true;
		}
		if (cut)
			cuts[n++ % REPORT_JSON_SALVAGE_TRIES] = now;
	}
	for (size_t k = 0; k < REPORT_JSON_SALVAGE_TRIES && k < n && !tree; k++) {
		const struct cut *c = &cuts[(n - 1 - k) % REPORT_JSON_SALVAGE_TRIES];
		char *buf = xmalloc(c->at + c->depth);

		memcpy(buf, text, c->at);
		for (size_t d = 0; d < c->depth; d++)
			buf[c->at + d] = c->close[c->depth - 1 - d];
		tree = json_loadb(buf, c->at + c->depth, 0, NULL);
		free(buf);
	}
	return tree;
}

int report_json_parse(const char *text, size_t len, json_t **out, json_error_t *err)
{
	size_t at;

	*out = json_loadb(text, len, 0, err);
	if (*out)
		return 0;
	at = err->position > 0 ? (size_t)err->position : 0;
	*out = salvage(text, at < len ? at : len);
	return -1;
}

const char *report_json_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}
