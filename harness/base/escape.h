/*
 * escape.h - one escaping function per language bench writes for another
 * program: gnuplot, HTML, markdown, CSV (for spreadsheets), a shell, a
 * terminal, YAML.
 * Names in results come from workload files and result directories other
 * people wrote (a sweep value may be "a`rm -rf ~`:"), so every string that
 * leaves bench in one of these languages goes through its function here,
 * and nowhere else escapes it by hand (docs/security.md, "Output to other
 * programs"; tests/integration/escape.sh feeds hostile names through every writer).
 *
 * Each appends to sb; s NULL is the empty string.
 */
#ifndef BENCH_ESCAPE_H
#define BENCH_ESCAPE_H

#include <stdbool.h>

struct sbuf;

/*
 * A gnuplot string expression whose value is s: single-quoted, where
 * gnuplot expands neither backquotes (a shell command) nor `@` macros nor
 * backslashes; a quote inside is doubled; a newline becomes '."\n".' (a
 * line break in a label); other control characters become spaces; a
 * backslash that ends s gets a zero-width space after it (gnuplot warns of
 * one when it sizes a multi-line label). Also
 * the way to put data into a comment (`# 'name'`) or a .dat file's comment
 * lines: it holds no line end and never ends in a backslash, which would
 * continue the comment onto the next line.
 */
void escape_gnuplot(struct sbuf *sb, const char *s);

/* Text for HTML content or a quoted attribute: & < > " ' as entities,
 * control characters but \n and \t as U+FFFD. */
void escape_html(struct sbuf *sb, const char *s);

/*
 * Text for GitHub-flavoured markdown (a table cell or running text): the
 * characters markdown or HTML give a meaning to (\ ` * _ [ ] | ~ $) are
 * backslash-escaped, < > & become entities, control characters '?', so a
 * name shows as itself and never as a link, an image, code or a tag.
 */
void escape_markdown(struct sbuf *sb, const char *s);

/*
 * One CSV field (RFC 4180: quoted when it holds , " CR or LF, quotes
 * doubled). A text field a spreadsheet would take for a formula (its first
 * character, after any leading quotes ', is = + - @ TAB or CR) gets a
 * leading ' so it stays text; a number (escape_is_decimal) never does.
 * escape_csv_unprefix() undoes that on reading.
 */
void escape_csv(struct sbuf *sb, const char *s);

/* Removes, in place, the ' escape_csv() put before a field's formula
 * character: bench's readers give back the text that was written. */
void escape_csv_unprefix(char *field);

/* A plain decimal number: [+-]digits[.digits][e[+-]digits], nothing else
 * (no spaces, no hex, no inf or nan). */
bool escape_is_decimal(const char *s);

/* One word of a POSIX shell command line shown for copying (the command a
 * claim ran, in its log): as it is when it holds only letters, digits and
 * _ . / = : , + - @ %; else single-quoted, a ' inside written '\''. */
void escape_shell(struct sbuf *sb, const char *s);

/* Text for a terminal, or one line of a text file (charts/index.txt):
 * control characters (escape sequences, tabs, line ends) become '?'. */
void escape_terminal(struct sbuf *sb, const char *s);

/* A YAML double-quoted scalar whose value is s (the workload `bench run`
 * builds from flags): " and \ backslash-escaped, control characters as
 * \xHH, every other byte as it is; never a plain scalar, so "null", "8",
 * "[a]" or "a: b" stay the string they are. */
void escape_yaml(struct sbuf *sb, const char *s);

#endif
