/* cmptab.c - reading comparison.csv for the charts and the report. Strict
 * like every reader of bench's files: a cell that is not what the schema
 * says stops the reading with FILE:LINE, since a chart or a table drawn
 * from half a file would be believed. Columns are found by name, so a
 * newer file with more columns still reads. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmptab.h"
#include "csvread.h"
#include "escape.h"
#include "util.h"

enum {
	C_PHASE, C_OP, C_SKEY, C_SVAL, C_METRIC, C_BETTER, C_TARGET, C_N, C_MEAN, C_CI_LO, C_CI_HI, C_RATIO,
	C_RATIO_LO, C_RATIO_HI, C_RANK, C_VERDICT, C_MIX, C_EMIX, C_SERVER, N_COLS
};

static const struct {
	const char *name;
	bool required;
} cols[N_COLS] = {
	[C_PHASE] = {"phase", true},         [C_OP] = {"op", true},
	[C_SKEY] = {"sweep_key", true},      [C_SVAL] = {"sweep_value", true},
	[C_METRIC] = {"metric", true},       [C_BETTER] = {"better", true},
	[C_TARGET] = {"target", true},       [C_N] = {"n", true},
	[C_MEAN] = {"mean", true},           [C_CI_LO] = {"ci_low", true},
	[C_CI_HI] = {"ci_high", true},       [C_RATIO] = {"ratio", true},
	[C_RATIO_LO] = {"ratio_ci_low", true}, [C_RATIO_HI] = {"ratio_ci_high", true},
	[C_RANK] = {"rank", true},           [C_VERDICT] = {"verdict", true},
	[C_MIX] = {"mix_differs", true},     [C_EMIX] = {"effective_mix", true},
	[C_SERVER] = {"server", false},
};

static const struct {
	const char *name, *label;
} metric_labels[] = {
	{"ops_per_sec", "ops/s"},
	{"p50_us", "p50 latency (µs)"},
	{"p99_us", "p99 latency (µs)"},
	{"p999_us", "p99.9 latency (µs)"},
	{"hit_ratio", "hit ratio"},
	{"client_cpu_us_per_op", "bench CPU µs per op"},
	{"server_cpu_us_per_op", "server CPU µs per op"},
};

const char *cmptab_metric_label(const char *name)
{
	for (size_t i = 0; i < sizeof(metric_labels) / sizeof(metric_labels[0]); i++)
		if (strcmp(metric_labels[i].name, name) == 0)
			return metric_labels[i].label;
	return name;
}

/* Puts msg (from xasprintf) into err, control characters from the file
 * as '?' (escape_terminal: the message goes to a terminal), and frees it. */
static void seterr(char *err, size_t errlen, char *msg)
{
	struct sbuf sb = {0};

	escape_terminal(&sb, msg);
	if (err && errlen)
		snprintf(err, errlen, "%s", sb.buf ? sb.buf : "");
	free(sb.buf);
	free(msg);
}

/* The index of s in *v (n entries), appended when absent. */
static size_t intern(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return i;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = xstrdup(s);
	return (*n)++;
}

static size_t group_of(struct cmptab *c, const char *const *key)
{
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct cmptab_group *g = &c->groups[i];

		if (!strcmp(g->phase, key[0]) && !strcmp(g->op, key[1]) && !strcmp(g->sweep_key, key[2]) &&
		    !strcmp(g->sweep_value, key[3]))
			return i;
	}
	c->groups = xrealloc(c->groups, (c->ngroups + 1) * sizeof(*c->groups));
	c->groups[c->ngroups] = (struct cmptab_group){xstrdup(key[0]), xstrdup(key[1]), xstrdup(key[2]), xstrdup(key[3])};
	return c->ngroups++;
}

/* A figure: empty (NAN) or a plain decimal number; whole when `whole`. */
static int number(const char *s, bool whole, double *out)
{
	uint64_t u;

	*out = NAN;
	if (!*s)
		return 0;
	if (whole)
		return util_parse_u64(s, &u) < 0 ? -1 : (*out = (double)u, 0);
	return escape_is_decimal(s) && util_parse_double(s, out) == 0 && isfinite(*out) ? 0 : -1;
}

/* "FILE:LINE: COLUMN is WANT, not 'VALUE'" into err. */
static void bad_value(char *err, size_t errlen, const struct cmptab *c, size_t line, const char *column,
		      const char *want, const char *value)
{
	seterr(err, errlen, xasprintf("%s:%zu: %s is %s, not '%.40s%s'", c->path, line, column, want, value,
				      strlen(value) > 40 ? "..." : ""));
}

/* Fills r from the current record; -1 with err set (FILE:LINE: why). */
static int read_row(struct cmptab *c, struct csvr *r, const int *col, struct cmptab_row *row, char *err,
		    size_t errlen)
{
	const char *f[N_COLS];
	static const int nums[] = {C_N, C_MEAN, C_CI_LO, C_CI_HI, C_RATIO, C_RATIO_LO, C_RATIO_HI, C_RANK};
	double *dst[] = {&row->n, &row->mean, &row->ci_low, &row->ci_high, &row->ratio, &row->ratio_ci_low,
			 &row->ratio_ci_high, &row->rank};
	size_t line = csvr_line(r);

	for (int i = 0; i < N_COLS; i++)
		f[i] = col[i] >= 0 ? csvr_field(r, (size_t)col[i]) : "";
	row->line = line;
	for (int i = C_PHASE; i <= C_TARGET; i++) {
		if (i != C_SKEY && i != C_SVAL && !*f[i]) {
			seterr(err, errlen, xasprintf("%s:%zu: %s is empty", c->path, line, cols[i].name));
			return -1;
		}
	}
	if (strcmp(f[C_BETTER], "higher") != 0 && strcmp(f[C_BETTER], "lower") != 0) {
		bad_value(err, errlen, c, line, "better", "'higher' or 'lower'", f[C_BETTER]);
		return -1;
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (number(f[nums[i]], nums[i] == C_N || nums[i] == C_RANK, dst[i]) < 0) {
			bad_value(err, errlen, c, line, cols[nums[i]].name,
				  nums[i] == C_N || nums[i] == C_RANK ? "a whole number or empty" : "a number or empty",
				  f[nums[i]]);
			return -1;
		}
	}
	if (*f[C_VERDICT] && strcmp(f[C_VERDICT], "best") && strcmp(f[C_VERDICT], "tie") && strcmp(f[C_VERDICT], "worse")) {
		bad_value(err, errlen, c, line, "verdict", "best, tie, worse or empty", f[C_VERDICT]);
		return -1;
	}
	if (*f[C_MIX] && strcmp(f[C_MIX], "0") && strcmp(f[C_MIX], "1")) {
		bad_value(err, errlen, c, line, "mix_differs", "0 or 1", f[C_MIX]);
		return -1;
	}
	row->group = group_of(c, (const char *const[]){f[C_PHASE], f[C_OP], f[C_SKEY], f[C_SVAL]});
	row->metric = intern(&c->metrics, &c->nmetrics, f[C_METRIC]);
	row->target = intern(&c->targets, &c->ntargets, f[C_TARGET]);
	row->higher = strcmp(f[C_BETTER], "higher") == 0;
	row->verdict = xstrdup(f[C_VERDICT]);
	row->server = xstrdup(f[C_SERVER]);
	row->mix_differs = strcmp(f[C_MIX], "1") == 0;
	row->effective_mix = xstrdup(f[C_EMIX]);
	return 0;
}

static int read_header(struct cmptab *c, struct csvr *r, int *col, char *err, size_t errlen)
{
	for (int i = 0; i < N_COLS; i++)
		col[i] = -1;
	for (size_t k = 0; k < csvr_nfields(r); k++) {
		for (int i = 0; i < N_COLS; i++) {
			if (strcmp(csvr_field(r, k), cols[i].name) != 0)
				continue;
			if (col[i] >= 0) {
				seterr(err, errlen, xasprintf("%s:%zu: column '%s' appears twice in the header", c->path, csvr_line(r),
				       cols[i].name));
				return -1;
			}
			col[i] = (int)k;
		}
	}
	for (int i = 0; i < N_COLS; i++) {
		if (cols[i].required && col[i] < 0) {
			seterr(err, errlen, xasprintf("%s has no column '%s': not a bench comparison.csv", c->path, cols[i].name));
			return -1;
		}
	}
	return 0;
}

/* The [group][metric][target] index; a second row for one cell is refused. */
static int build_index(struct cmptab *c, char *err, size_t errlen)
{
	c->index = xcalloc(c->ngroups * c->nmetrics * c->ntargets + 1, sizeof(*c->index));
	for (size_t i = 0; i < c->nrows; i++) {
		const struct cmptab_row *w = &c->rows[i];
		size_t *slot = &c->index[(w->group * c->nmetrics + w->metric) * c->ntargets + w->target];

		if (*slot) {
			const struct cmptab_group *g = &c->groups[w->group];

			seterr(err, errlen, xasprintf("%s:%zu: a second row for %s/%s%s%s%s%s, %s, target %s (the first is "
						      "on line %zu)", c->path, w->line, g->phase, g->op,
						      *g->sweep_value ? " " : "", g->sweep_key, *g->sweep_value ? "=" : "",
						      g->sweep_value, c->metrics[w->metric], c->targets[w->target],
						      c->rows[*slot - 1].line));
			return -1;
		}
		*slot = i + 1;
	}
	return 0;
}

int cmptab_load(const char *dir, struct cmptab **out, char *err, size_t errlen)
{
	struct cmptab *c = xcalloc(1, sizeof(*c));
	struct csvr *r = NULL;
	int col[N_COLS], rc;
	size_t ncols, cap = 0;

	*out = NULL;
	c->path = xasprintf("%s/comparison.csv", dir);
	rc = csvr_open(c->path, &r, err, errlen);
	if (rc < 0 && errno == ENOENT) {
		cmptab_free(c);
		return 1;
	}
	if (rc < 0)
		goto fail;
	if ((rc = csvr_next(r)) <= 0) {
		if (rc < 0)
			seterr(err, errlen, xasprintf("%s", csvr_error(r)));
		else
			seterr(err, errlen, xasprintf("%s is empty (no header line)", c->path));
		goto fail;
	}
	if (read_header(c, r, col, err, errlen) < 0)
		goto fail;
	ncols = csvr_nfields(r);
	while ((rc = csvr_next(r)) > 0) {
		if (csvr_nfields(r) != ncols) {
			seterr(err, errlen, xasprintf("%s:%zu: %zu field%s, but the header has %zu", c->path, csvr_line(r),
			       csvr_nfields(r), csvr_nfields(r) == 1 ? "" : "s", ncols));
			goto fail;
		}
		if (c->nrows == cap) {
			cap = cap ? 2 * cap : 64;
			c->rows = xrealloc(c->rows, cap * sizeof(*c->rows));
		}
		memset(&c->rows[c->nrows], 0, sizeof(c->rows[c->nrows]));
		if (read_row(c, r, col, &c->rows[c->nrows], err, errlen) < 0)
			goto fail; /* read_row copies nothing before its checks pass */
		c->nrows++;
	}
	if (rc < 0) {
		seterr(err, errlen, xasprintf("%s", csvr_error(r)));
		goto fail;
	}
	if (build_index(c, err, errlen) < 0)
		goto fail;
	csvr_free(r);
	*out = c;
	return 0;
fail:
	csvr_free(r);
	cmptab_free(c);
	return -1;
}

const struct cmptab_row *cmptab_find(const struct cmptab *c, size_t g, size_t m, size_t t)
{
	size_t i;

	if (!c || g >= c->ngroups || m >= c->nmetrics || t >= c->ntargets)
		return NULL;
	i = c->index[(g * c->nmetrics + m) * c->ntargets + t];
	return i ? &c->rows[i - 1] : NULL;
}

long cmptab_metric(const struct cmptab *c, const char *name)
{
	for (size_t i = 0; c && i < c->nmetrics; i++)
		if (strcmp(c->metrics[i], name) == 0)
			return (long)i;
	return -1;
}

void cmptab_free(struct cmptab *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrows; i++) {
		free(c->rows[i].verdict);
		free(c->rows[i].server);
		free(c->rows[i].effective_mix);
	}
	for (size_t i = 0; i < c->ngroups; i++) {
		free(c->groups[i].phase);
		free(c->groups[i].op);
		free(c->groups[i].sweep_key);
		free(c->groups[i].sweep_value);
	}
	for (size_t i = 0; i < c->ntargets; i++)
		free(c->targets[i]);
	for (size_t i = 0; i < c->nmetrics; i++)
		free(c->metrics[i]);
	free(c->targets);
	free(c->metrics);
	free(c->groups);
	free(c->rows);
	free(c->index);
	free(c->path);
	free(c);
}
