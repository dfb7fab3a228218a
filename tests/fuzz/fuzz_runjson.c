/*
 * fuzz_runjson.c - libFuzzer target for the run.json reader
 * (report_json.c: jansson and the salvage of a damaged text), the writer
 * every JSON file goes through (json.c's jsonw_dump: scrubber, UTF-8,
 * layout), and report.html over whatever was read.
 *
 * 1. report_json_parse() over the input bytes (not NUL-terminated): 0
 *    with an object or array, or -1 with jansson's message, a position
 *    inside the input, and an object, an array or nothing salvaged.
 * 2. What was read, written by jsonw_dump(), reads back whole: bench
 *    writes valid JSON (UTF-8 included) whatever it was given.
 * 3. report_write() on a private result directory holding the input as
 *    run.json and a summary.csv of just its header: 0, whatever run.json
 *    holds (a damaged one is noted in the page, not an error).
 *
 * A broken contract aborts, so libFuzzer saves the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "json.h"
#include "report.h"
#include "report_json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/bench-fuzz-runjson-XXXXXX";
static char *run_path;
static int made;

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_runjson: contract broken: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void cleanup(void)
{
	static const char *const files[] = {"run.json", "summary.csv", "report.html"};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);

		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(run_path);
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		broken("cannot write", path);
}

static json_t *read_checked(const char *text, size_t size)
{
	json_t *t = (json_t *)1;
	json_error_t err;
	int rc = report_json_parse(text, size, &t, &err);

	if (rc == 0 && !json_is_object(t) && !json_is_array(t))
		broken("read without an object or array", NULL);
	if (rc == -1 && (!err.text[0] || err.position < 0 || (size_t)err.position > size))
		broken("refused without a message or a position inside the input", err.text);
	if (rc == -1 && t && !json_is_object(t) && !json_is_array(t))
		broken("salvaged something that is not an object or array", NULL);
	if (rc != 0 && rc != -1)
		broken("report_json_parse returned neither 0 nor -1", NULL);
	return t;
}

static void rewrite(const json_t *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *back = NULL;
	json_error_t err;

	if (!f || jsonw_dump(t, f) != 0)
		broken("jsonw_dump failed", NULL);
	fclose(f);
	if (report_json_parse(text, len, &back, &err) != 0)
		broken("what jsonw_dump wrote does not read back", err.text);
	if (json_object_size(back) != json_object_size(t) || json_array_size(back) != json_array_size(t))
		broken("what jsonw_dump wrote lost members or elements", NULL);
	json_decref(back);
	free(text);
}

static void report(const uint8_t *data, size_t size)
{
	char err[600] = "";

	if (!made) {
		char *sum, *head;

		if (!mkdtemp(dir))
			broken("cannot create a temporary directory", dir);
		made = 1;
		atexit(cleanup);
		sum = xasprintf("%s/summary.csv", dir);
		head = xasprintf("%s\n", csv_summary_header);
		write_file(sum, head, strlen(head));
		free(head);
		free(sum);
		run_path = xasprintf("%s/run.json", dir);
	}
	write_file(run_path, data, size);
	if (report_write(dir, err, sizeof(err)) != 0)
		broken("report_write failed", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *t = read_checked((const char *)data, size);

	if (t)
		rewrite(t);
	json_decref(t);
	report(data, size);
	return 0;
}
