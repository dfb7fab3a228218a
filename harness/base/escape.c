/* escape.c - the escaping functions of escape.h, one per language. */
#include <string.h>

#include "escape.h"
#include "util.h"

static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

void escape_gnuplot(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, "'", 1);
	for (; s && *s; s++) {
		if (*s == '\'')
			sbuf_add(sb, "''", 2);
		else if (*s == '\n')
			/* Single quotes take no \n: close, concatenate one, reopen. */
			sbuf_add(sb, "'.\"\\n\".'", 8);
		else if (is_control(*s))
			sbuf_add(sb, " ", 1);
		else
			sbuf_add(sb, s, 1);
		/* gnuplot 5.4 sizes a multi-line text with its enhanced-text
		 * parser even when noenhanced, and warns of a backslash that
		 * ends it: a zero-width space after it keeps the script silent. */
		if (*s == '\\' && !s[1])
			sbuf_add(sb, "\xe2\x80\x8b", 3);
	}
	sbuf_add(sb, "'", 1);
}

void escape_html(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sbuf_add(sb, "&amp;", 5); break;
		case '<': sbuf_add(sb, "&lt;", 4); break;
		case '>': sbuf_add(sb, "&gt;", 4); break;
		case '"': sbuf_add(sb, "&quot;", 6); break;
		case '\'': sbuf_add(sb, "&#39;", 5); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				sbuf_add(sb, "\xef\xbf\xbd", 3); /* U+FFFD: a control character */
			else
				sbuf_add(sb, s, 1);
		}
	}
}

void escape_markdown(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			sbuf_add(sb, "&lt;", 4);
		else if (*s == '>')
			sbuf_add(sb, "&gt;", 4);
		else if (*s == '&')
			sbuf_add(sb, "&amp;", 5);
		else if (is_control(*s))
			sbuf_add(sb, "?", 1);
		else if (strchr("\\`*_[]|~$", *s)) {
			/* Any ASCII punctuation may be backslash-escaped (CommonMark);
			 * these are the ones that start something inside a line. */
			sbuf_add(sb, "\\", 1);
			sbuf_add(sb, s, 1);
		} else {
			sbuf_add(sb, s, 1);
		}
	}
}

/* The first character after s's leading quotes is one a spreadsheet
 * starts a formula with (OWASP's list: = + - @ TAB CR). */
static bool formula_start(const char *s)
{
	s += strspn(s, "'");
	return *s && strchr("=+-@\t\r", *s);
}

void escape_csv(struct sbuf *sb, const char *s)
{
	bool prefix, quote;

	s = s ? s : "";
	prefix = formula_start(s) && !escape_is_decimal(s);
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		sbuf_add(sb, "\"", 1);
	if (prefix)
		sbuf_add(sb, "'", 1);
	for (; *s; s++) {
		if (*s == '"')
			sbuf_add(sb, "\"", 1);
		sbuf_add(sb, s, 1);
	}
	if (quote)
		sbuf_add(sb, "\"", 1);
}

void escape_csv_unprefix(char *field)
{
	if (field && field[0] == '\'' && formula_start(field))
		memmove(field, field + 1, strlen(field));
}

bool escape_is_decimal(const char *s)
{
	double v;

	/* strtod alone would take " 5", "0x10", "inf" or "nan". */
	return s && s[strspn(s, "0123456789.eE+-")] == '\0' && util_parse_double(s, &v) == 0;
}

void escape_shell(struct sbuf *sb, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%";

	s = s ? s : "";
	if (*s && s[strspn(s, safe)] == '\0') {
		sbuf_add(sb, s, strlen(s));
		return;
	}
	sbuf_add(sb, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_add(sb, "'\\''", 4);
		else
			sbuf_add(sb, s, 1);
	}
	sbuf_add(sb, "'", 1);
}

void escape_terminal(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++)
		sbuf_add(sb, is_control(*s) ? "?" : s, 1);
}

void escape_yaml(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, "\"", 1);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_addf(sb, "\\%c", *s);
		else if (is_control(*s))
			sbuf_addf(sb, "\\x%02x", (unsigned)(unsigned char)*s);
		else
			sbuf_add(sb, s, 1);
	}
	sbuf_add(sb, "\"", 1);
}
