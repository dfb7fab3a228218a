/*
 * test_escape.c - escape.h, table-driven: what each language's function
 * makes of hostile text, and that bench reads back the CSV it writes.
 * tests/integration/escape.sh feeds the same kind of text through the whole program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csvread.h"
#include "escape.h"
#include "util.h"
#include <yaml.h>

typedef void (*escape_fn)(struct sbuf *, const char *);

static void check_escape(escape_fn fn, const char *in, const char *want, int line)
{
	struct sbuf sb = {0};

	fn(&sb, in);
	check_count++;
	if (strcmp(sb.buf ? sb.buf : "", want) != 0) {
		check_failures++;
		fprintf(stderr, "%s:%d: escaped '%s' as '%s', want '%s'\n", __FILE__, line, in, sb.buf ? sb.buf : "",
			want);
	}
	free(sb.buf);
}
#define ESC(fn, in, want) check_escape(fn, in, want, __LINE__)

static void test_gnuplot(void)
{
	ESC(escape_gnuplot, "", "''");
	ESC(escape_gnuplot, NULL, "''");
	ESC(escape_gnuplot, "plain", "'plain'");
	/* backquotes, @macros, backslashes and "..." are inert in single quotes */
	ESC(escape_gnuplot, "a`touch x`@m\\n\"q\"", "'a`touch x`@m\\n\"q\"'");
	ESC(escape_gnuplot, "it's", "'it''s'");
	ESC(escape_gnuplot, "'.system('touch x').'", "'''.system(''touch x'').'''");
	/* a line break cannot end the string and start a command */
	ESC(escape_gnuplot, "a\n!touch x", "'a'.\"\\n\".'!touch x'");
	ESC(escape_gnuplot, "t\tcr\r\x1b", "'t cr  '");
	ESC(escape_gnuplot, "a\\", "'a\\\xe2\x80\x8b'");
}

static void test_html(void)
{
	ESC(escape_html, "<script>alert('x')</script> & \"q\"",
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
	ESC(escape_html, "a\x01\n\tb", "a\xef\xbf\xbd\n\tb");
}

static void test_markdown(void)
{
	ESC(escape_markdown, "<script>x</script>", "&lt;script&gt;x&lt;/script&gt;");
	ESC(escape_markdown, "a|b `c` *d* _e_ [f](g) ~h~ $i$ \\ &amp;",
	    "a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) \\~h\\~ \\$i\\$ \\\\ &amp;amp;");
	ESC(escape_markdown, "line\nbreak\x1b[31m", "line?break?\\[31m");
}

static void test_csv(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"plain", "plain"},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"+HYPERLINK(\"http://x\")", "\"'+HYPERLINK(\"\"http://x\"\")\""},
		{"-2+3", "'-2+3"},
		{"\tTAB", "'\tTAB"},
		{"\rCR", "\"'\rCR\""},
		/* numbers stay numbers */
		{"-5", "-5"},
		{"+1.5e3", "+1.5e3"},
		{"-.5", "-.5"},
		/* a quote already in front is kept apart from bench's own */
		{"'=x", "''=x"},
		{"''-y", "'''-y"},
		{"'plain", "'plain"},
		{"", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf sb = {0};
		struct csvr *r;

		ESC(escape_csv, cases[i].in, cases[i].want);
		/* and the reader gives back what was written */
		escape_csv(&sb, cases[i].in);
		sbuf_add(&sb, ",end\n", 5);
		csvr_open_mem("case", sb.buf, sb.len, &r);
		CHECK_INT(csvr_next(r), 1);
		CHECK_STR(csvr_field(r, 0), cases[i].in);
		CHECK_STR(csvr_field(r, 1), "end");
		csvr_free(r);
		free(sb.buf);
	}
}

static void test_decimal(void)
{
	static const char *const yes[] = {"0", "-5", "+3", "1.25", "-.5", "5.", "1e9", "-2.5E-3", NULL};
	static const char *const no[] = {"", " 5", "5 ", "0x10", "inf", "nan", "-", "1-2", "1e", "--1", "-2+3", NULL};

	for (const char *const *s = yes; *s; s++)
		CHECK(escape_is_decimal(*s));
	for (const char *const *s = no; *s; s++)
		CHECK(!escape_is_decimal(*s));
}

static void test_shell(void)
{
	ESC(escape_shell, "--set", "--set");
	ESC(escape_shell, "phases.run.ops=100", "phases.run.ops=100");
	ESC(escape_shell, "", "''");
	ESC(escape_shell, "a b", "'a b'");
	ESC(escape_shell, "d=`touch x` $(touch y) it's", "'d=`touch x` $(touch y) it'\\''s'");
	ESC(escape_shell, "x\n;rm", "'x\n;rm'");
}

/* What `sh -c 'printf %s WORD'` prints: a shell's reading of the word. */
static char *shell_reads(const char *word)
{
	struct sbuf cmd = {0}, q = {0};
	char buf[256] = "", *line;
	FILE *p;
	size_t n;

	sbuf_addf(&cmd, "printf %%s %s", word);
	sbuf_addf(&q, "sh -c ");
	escape_shell(&q, cmd.buf);
	line = sbuf_take(&q);
	p = popen(line, "r");
	n = p ? fread(buf, 1, sizeof(buf) - 1, p) : 0;
	buf[n] = '\0';
	if (p)
		pclose(p);
	free(line);
	free(sbuf_take(&cmd));
	return xstrdup(buf);
}

/* Every word, quoted, reads back as itself in a real shell, and nothing
 * in it runs. */
static void test_shell_round_trip(void)
{
	static const char *const words[] = {
		"plain", "a b", "it's", "`touch /tmp/bench-test-escape-canary`", "$(touch /tmp/bench-test-escape-canary)",
		"$HOME", "a\"b", "''", "x;y|z&", "tab\there", "line\nbreak",
	};
	FILE *f;

	remove("/tmp/bench-test-escape-canary");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct sbuf q = {0};
		char *w, *back;

		escape_shell(&q, words[i]);
		w = sbuf_take(&q);
		back = shell_reads(w);
		CHECK_STR(back, words[i]);
		free(w);
		free(back);
	}
	f = fopen("/tmp/bench-test-escape-canary", "r");
	CHECK(f == NULL);
	if (f)
		fclose(f);
}

static void test_terminal(void)
{
	ESC(escape_terminal, "a\x1b[2Jb\n\tc\x7f", "a?[2Jb??c?");
}

/* What libyaml reads back from `k: <escaped>`. */
static char *yaml_read_back(const char *s)
{
	struct sbuf doc = {0};
	yaml_parser_t p;
	yaml_document_t d;
	char *got = NULL;

	sbuf_addf(&doc, "k: ");
	escape_yaml(&doc, s);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)doc.buf, doc.len);
	if (yaml_parser_load(&p, &d)) {
		yaml_node_t *root = yaml_document_get_root_node(&d);
		yaml_node_t *v = root && root->type == YAML_MAPPING_NODE && root->data.mapping.pairs.start < root->data.mapping.pairs.top
			? yaml_document_get_node(&d, root->data.mapping.pairs.start[0].value) : NULL;

		if (v && v->type == YAML_SCALAR_NODE)
			got = xstrndup((const char *)v->data.scalar.value, v->data.scalar.length);
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&p);
	free(doc.buf);
	return got;
}

/* escape_yaml: a double-quoted scalar that libyaml reads back byte for byte. */
static void test_yaml(void)
{
	static const char *const hostile[] = {
		"redis://10.0.0.5:6379", "null", "~", "8", "[a, b]", "{a: b}", "a: b", "# c", "'q'", "\"dq\"",
		"back\\slash\\", "tab\tnew\nline\r\x1b[2J\x7f", "&anchor *alias", "!!binary x", "\xc3\xa9t\xc3\xa9", "",
	};

	ESC(escape_yaml, "redis://h:1/0", "\"redis://h:1/0\"");
	ESC(escape_yaml, "a\"b\\c\n", "\"a\\\"b\\\\c\\x0a\"");
	ESC(escape_yaml, NULL, "\"\"");
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char *got = yaml_read_back(hostile[i]);

		CHECK(got && strcmp(got, hostile[i]) == 0);
		free(got);
	}
}

int main(void)
{
	test_yaml();
	test_gnuplot();
	test_html();
	test_markdown();
	test_csv();
	test_decimal();
	test_shell();
	test_terminal();
	test_shell_round_trip();
	return check_report("escape");
}
