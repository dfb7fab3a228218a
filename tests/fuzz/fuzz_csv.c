/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (csvread.c), compare's
 * loading path behind it, and the table chart, report and merge read.
 *
 * 1. csvr_open_mem() over the input bytes (not NUL-terminated), reading
 *    every record and touching every field, and checking the reader's
 *    contract: fields are NUL-terminated strings, lines never go back, an
 *    error has a message and sticks.
 * 2. compare_runs() takes paths, not memory, so the same bytes are written
 *    to a private temporary file and compared with themselves (as baseline
 *    and candidate): 0 with a result in which every cell is unchanged, not
 *    measured or too short to judge (with no change), which is then
 *    written in every format to /dev/null, or
 *    BENCH_EXIT_USAGE with a message.
 *
 * 3. chart_table_load() on the same file, the table `bench chart`,
 *    `bench report` and `bench merge` read: every row has the header's
 *    number of fields, on lines after the header's, or an error names the
 *    file.
 *
 * A broken contract aborts, so libFuzzer saves the input.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "compare.h"
#include "csvread.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_path[] = "/tmp/bench-fuzz-csv-XXXXXX";
static int tmp_fd = -1;
static FILE *devnull;

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_csv: contract broken: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void cleanup(void)
{
	if (tmp_fd >= 0)
		unlink(tmp_path);
}

static void read_records(const uint8_t *data, size_t size)
{
	struct csvr *r = NULL;
	size_t line = 0;
	int rc;

	if (csvr_open_mem("fuzz.csv", data, size, &r) != 0 || !r)
		broken("csvr_open_mem failed", NULL);
	while ((rc = csvr_next(r)) == 1) {
		size_t n = csvr_nfields(r);

		if (n < 1 || n > CSVR_MAX_FIELDS)
			broken("field count out of range", NULL);
		if (csvr_line(r) < 1 || csvr_line(r) < line)
			broken("record line went back", NULL);
		line = csvr_line(r);
		for (size_t i = 0; i < n; i++) {
			const char *f = csvr_field(r, i);

			if (!f || strlen(f) > CSVR_MAX_RECORD)
				broken("field missing or longer than a record", NULL);
		}
	}
	if (rc == -1) {
		if (!csvr_error(r)[0] || strncmp(csvr_error(r), "fuzz.csv:", 9) != 0)
			broken("an error without a message naming the input", csvr_error(r));
		if (csvr_next(r) != -1)
			broken("the reader went on after an error", NULL);
	} else if (rc != 0) {
		broken("csvr_next returned neither 1, 0 nor -1", NULL);
	} else if (csvr_next(r) != 0) {
		broken("the reader went on after the end", NULL);
	}
	csvr_free(r);
}

/* The input as the private temporary file tmp_path. */
static void to_file(const uint8_t *data, size_t size)
{
	if (tmp_fd < 0) {
		tmp_fd = mkstemp(tmp_path);
		devnull = fopen("/dev/null", "w");
		if (tmp_fd < 0 || !devnull)
			broken("cannot create a temporary file or open /dev/null", NULL);
		atexit(cleanup);
	}
	if (ftruncate(tmp_fd, 0) != 0 || pwrite(tmp_fd, data, size, 0) != (ssize_t)size)
		broken("cannot write the temporary file", tmp_path);
}

/* The table chart, report and merge read (chart_table_load): a full
 * rectangle with rows on rising lines, or an error naming the file. */
static void load_table(void)
{
	struct chart_table *t = NULL;
	char err[600] = "";

	if (chart_table_load(tmp_path, &t, err, sizeof(err)) == 0) {
		if (!t || t->ncols < 1)
			broken("a table without a header", NULL);
		for (size_t r = 0; r < t->nrows; r++) {
			if (t->lines[r] < 2 || (r && t->lines[r] <= t->lines[r - 1]))
				broken("table rows not on rising lines after the header", NULL);
			for (size_t c = 0; c < t->ncols; c++)
				if (!t->cells[r * t->ncols + c])
					broken("a table cell missing", NULL);
		}
	} else if (t || strncmp(err, tmp_path, strlen(tmp_path)) != 0 || strlen(err) <= strlen(tmp_path)) {
		broken("a refused table without a message naming the file", err);
	}
	chart_table_free(t);
}

static void compare_self(void)
{
	struct compare_opts o = {.threshold_pct = 5};
	struct compare_result *res = NULL;
	char err[4096] = "unset";
	int rc;

	rc = compare_runs(tmp_path, tmp_path, &o, &res, err, sizeof(err));
	if (rc == 0) {
		if (!res || err[0])
			broken("0 without a result, or with a message", err);
		compare_write(res, COMPARE_TABLE, devnull);
		compare_write(res, COMPARE_CSV, devnull);
		compare_write(res, COMPARE_MARKDOWN, devnull);
		compare_write_summary(res, devnull);
		/* The same figures on both sides: every cell unchanged (or not
		 * measured, or too short to judge: a run under a second is
		 * shown, never judged, but still has no change), whatever the
		 * numbers. */
		if (res->regressions || res->improvements || res->not_significant || res->only_baseline ||
		    res->only_candidate)
			broken("a run compared with itself differs", NULL);
		for (size_t i = 0; i < res->n_entries; i++)
			for (int m = 0; m < COMPARE_N_METRICS; m++) {
				const struct compare_cell *c = &res->entries[i].m[m];

				if (c->verdict != COMPARE_UNCHANGED && c->verdict != COMPARE_NOT_MEASURED &&
				    c->verdict != COMPARE_TOO_SHORT)
					broken("a cell of a run compared with itself is not unchanged",
					       compare_verdict_name(c->verdict));
				if (c->verdict == COMPARE_TOO_SHORT && isfinite(c->delta) && c->delta != 0)
					broken("a too short cell of a run compared with itself has a delta", NULL);
				if (c->verdict == COMPARE_UNCHANGED && (!isfinite(c->base.mean) || c->delta != 0))
					broken("an unchanged cell has a mean that is not finite or a delta", NULL);
			}
	} else if (rc != -1 || res || !err[0]) {
		broken("a failure that is not -1 with a message", err);
	}
	compare_result_free(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_records(data, size);
	to_file(data, size);
	compare_self();
	load_table();
	return 0;
}
