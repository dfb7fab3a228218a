/* report_json.c - a small JSON reader, enough for run.json: it keeps what
 * it could read when the text is cut short or malformed, so a damaged
 * run.json still shows its first sections. */
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "util.h"

struct jp {
	const char *p, *end;
	int depth;
	const char *why;    /* set on the first error */
};

void report_json_free(struct report_jv *v)
{
	for (size_t i = 0; i < v->n; i++)
		report_json_free(&v->kids[i]);
	free(v->kids);
	free(v->key);
	free(v->text);
}

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jp_fail(struct jp *j, const char *why)
{
	if (!j->why)
		j->why = why;
	return -1;
}

static void utf8_put(struct sbuf *sb, unsigned long c)
{
	char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (char)c, n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6), b[1] = (char)(0x80 | (c & 0x3f)), n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | c >> 12), b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f)), n = 3;
	} else {
		b[0] = (char)(0xf0 | c >> 18), b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3f)), b[3] = (char)(0x80 | (c & 0x3f)), n = 4;
	}
	sbuf_add(sb, b, n);
}

static int jp_hex4(struct jp *j, unsigned long *out)
{
	*out = 0;
	if (j->end - j->p < 4)
		return jp_fail(j, "a short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *j->p++;

		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*out |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*out |= (unsigned long)(c - 'A' + 10);
		else
			return jp_fail(j, "a bad \\u escape");
	}
	return 0;
}

static int jp_string(struct jp *j, char **out)
{
	struct sbuf sb = {0};

	j->p++; /* the opening quote */
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;
		unsigned long u, lo;

		if (c != '\\') {
			sbuf_add(&sb, &c, 1);
			continue;
		}
		if (j->p >= j->end)
			break;
		c = *j->p++;
		switch (c) {
		case 'n': sbuf_add(&sb, "\n", 1); break;
		case 't': sbuf_add(&sb, "\t", 1); break;
		case 'r': sbuf_add(&sb, "\r", 1); break;
		case 'b': sbuf_add(&sb, "\b", 1); break;
		case 'f': sbuf_add(&sb, "\f", 1); break;
		case 'u':
			if (jp_hex4(j, &u) < 0)
				goto fail;
			if (u >= 0xd800 && u < 0xdc00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u') {
				j->p += 2;
				if (jp_hex4(j, &lo) < 0)
					goto fail;
				u = lo >= 0xdc00 && lo < 0xe000 ? 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00) : 0xfffd;
			} else if (u >= 0xd800 && u < 0xe000) {
				u = 0xfffd;
			}
			utf8_put(&sb, u ? u : 0xfffd);
			break;
		default: sbuf_add(&sb, &c, 1); break; /* \" \\ \/ and anything odd */
		}
	}
	if (j->p >= j->end) {
		jp_fail(j, "an unterminated string");
		goto fail;
	}
	j->p++;
	*out = sbuf_take(&sb);
	return 0;
fail:
	free(sb.buf);
	return -1;
}

static int jp_value(struct jp *j, struct report_jv *v)
{
	int rc;

	memset(v, 0, sizeof(*v));
	jp_ws(j);
	if (j->p >= j->end)
		return jp_fail(j, "an unexpected end");
	if (*j->p == '{' || *j->p == '[') {
		char close = *j->p == '{' ? '}' : ']';

		v->type = close == '}' ? REPORT_J_OBJ : REPORT_J_ARR;
		if (++j->depth > 64)
			return jp_fail(j, "nesting too deep");
		j->p++;
		jp_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		for (;;) {
			struct report_jv kid;
			char *key = NULL;

			jp_ws(j);
			if (v->type == REPORT_J_OBJ) {
				if (j->p >= j->end || *j->p != '"' || jp_string(j, &key) < 0)
					return jp_fail(j, "an object key expected");
				jp_ws(j);
				if (j->p >= j->end || *j->p != ':') {
					free(key);
					return jp_fail(j, "':' expected");
				}
				j->p++;
			}
			/* A value cut short is kept as far as it goes: the report
			 * shows what a truncated run.json still says. */
			rc = jp_value(j, &kid);
			kid.key = key;
			v->kids = xrealloc(v->kids, (v->n + 1) * sizeof(*v->kids));
			v->kids[v->n++] = kid;
			if (rc < 0)
				return -1;
			jp_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == close) {
				j->p++;
				j->depth--;
				return 0;
			}
			return jp_fail(j, "',' or a closing bracket expected");
		}
	}
	if (*j->p == '"') {
		v->type = REPORT_J_STR;
		return jp_string(j, &v->text);
	}
	{
		const char *s = j->p;

		while (j->p < j->end && (strchr("+-.eE", *j->p) || (*j->p >= '0' && *j->p <= '9') ||
					 (*j->p >= 'a' && *j->p <= 'z')))
			j->p++;
		if (j->p == s)
			return jp_fail(j, "a value expected");
		v->text = xstrndup(s, (size_t)(j->p - s));
		if (!strcmp(v->text, "null"))
			v->type = REPORT_J_NULL;
		else if (!strcmp(v->text, "true") || !strcmp(v->text, "false"))
			v->type = REPORT_J_BOOL;
		else if (util_parse_double(v->text, &(double){0}) == 0)
			v->type = REPORT_J_NUM;
		else
			return jp_fail(j, "an unknown literal");
	}
	return 0;
}

const struct report_jv *report_json_get(const struct report_jv *o, const char *key)
{
	for (size_t i = 0; o && o->type == REPORT_J_OBJ && i < o->n; i++)
		if (o->kids[i].key && !strcmp(o->kids[i].key, key))
			return &o->kids[i];
	return NULL;
}

const char *report_json_str(const struct report_jv *o, const char *key)
{
	const struct report_jv *v = report_json_get(o, key);

	return v && (v->type == REPORT_J_STR || v->type == REPORT_J_NUM || v->type == REPORT_J_BOOL) ? v->text : NULL;
}

int report_json_parse(const char *text, size_t len, struct report_jv *out, const char **why, size_t *at)
{
	struct jp j = {.p = text, .end = text + len};
	int rc = jp_value(&j, out);

	if (rc == 0) {
		jp_ws(&j);
		if (j.p != j.end)
			rc = jp_fail(&j, "text after the value");
	}
	*why = j.why;
	*at = (size_t)(j.p - text);
	return rc;
}
