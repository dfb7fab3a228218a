/* cmd.c - what every subcommand's argument parsing shares (cmd.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "escape.h"
#include "outdir.h"
#include "util.h"

const char *cmd_opt_value(int argc, char **argv, int *i, const char *name, int *ok)
{
	size_t len = strlen(name);
	const char *a = argv[*i];

	*ok = 1;
	if (strncmp(a, name, len) != 0)
		return NULL;
	if (a[len] == '=')
		return a + len + 1;
	if (a[len] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "bench: %s needs a value\n", name);
		*ok = 0;
		return NULL;
	}
	return argv[++*i];
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee `bench %s --help`\n", cmd);
	return BENCH_EXIT_USAGE;
}

char *cmd_join_args(int argc, char **argv)
{
	struct sbuf sb = {0};

	sbuf_addf(&sb, "bench");
	for (int i = 0; i < argc; i++) {
		sbuf_addf(&sb, " ");
		escape_shell(&sb, argv[i]);
	}
	return sbuf_take(&sb);
}

int cmd_check_outdir(const char *cmd, const char *what, const char *dir, bool create)
{
	char why[512];

	if (outdir_check(dir, create, why, sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "bench %s: %s '%s': %s; give a directory you can write to (nothing was done)\n", cmd, what, dir,
		why);
	return BENCH_EXIT_USAGE;
}
