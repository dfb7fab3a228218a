/* test_util.c - the shell quoting every printed command line goes through
 * (sbuf_add_shell): safe words as they are, anything else single-quoted, and
 * what a shell reads back is the word itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"

static char *quoted(const char *s)
{
	struct sbuf sb = {0};

	sbuf_add_shell(&sb, s);
	return sbuf_take(&sb);
}

/* What `sh -c 'printf %s WORD'` prints: the shell's reading of the word. */
static char *shell_reads(const char *word)
{
	char *cmd = xasprintf("printf %%s %s", word), *q = quoted(cmd), *argv_cmd, buf[256] = "";
	FILE *p;
	size_t n;

	argv_cmd = xasprintf("sh -c %s", q);
	free(q);
	p = popen(argv_cmd, "r");
	n = p ? fread(buf, 1, sizeof(buf) - 1, p) : 0;
	buf[n] = '\0';
	if (p)
		pclose(p);
	free(cmd);
	free(argv_cmd);
	return xstrdup(buf);
}

int main(void)
{
	static const char *const words[] = {
		"plain", "a b", "it's", "`touch /tmp/bench-test-util-canary`", "$(touch /tmp/bench-test-util-canary)",
		"$HOME", "a\"b", "''", "x;y|z&", "tab\there",
	};
	char *q;

	q = quoted("workloads/kv.yaml");
	CHECK_STR(q, "workloads/kv.yaml");
	free(q);
	q = quoted("");
	CHECK_STR(q, "''");
	free(q);
	q = quoted("it's");
	CHECK_STR(q, "'it'\\''s'");
	free(q);
	remove("/tmp/bench-test-util-canary");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char *w = quoted(words[i]), *back = shell_reads(w);

		CHECK_STR(back, words[i]);
		free(w);
		free(back);
	}
	CHECK(fopen("/tmp/bench-test-util-canary", "r") == NULL);
	return check_report("util");
}
