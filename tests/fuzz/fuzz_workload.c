/*
 * fuzz_workload.c - libFuzzer target for the workload loader: the input
 * bytes are a workload YAML file, given to workload_parse() as they are
 * (not NUL-terminated, so a read past the end shows under ASan).
 *
 * Besides "no crash, no leak, no undefined behaviour", it checks the
 * loader's contract: either 0 with a workload, or BENCH_EXIT_USAGE with no
 * workload and at least one "name:line:col: message" line; *errors is never
 * NULL after the call. A broken contract aborts, so libFuzzer saves the
 * input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *errors)
{
	fprintf(stderr, "fuzz_workload: contract broken: %s\n%s", what, errors ? errors : "(errors NULL)\n");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct workload *w = NULL;
	char *errors = NULL;
	int rc;

	/* `driver: external:/path.so` dlopen()s the path: keep the fuzzer
	 * from loading arbitrary shared objects of the host. */
	if (size >= 9 && memmem(data, size, "external:", 9))
		return -1;
	rc = workload_parse("fuzz.yaml", (const char *)data, size, NULL, 0, &w, &errors);
	if (!errors)
		broken("*errors is NULL after the call", NULL);
	if (rc == 0) {
		if (!w)
			broken("0 without a workload", errors);
		/* What a run does for each sweep point: reload with its
		 * overrides (the first point only, to stay fast). */
		if (w->sweep.n_values) {
			struct wl_override *ov = NULL;
			struct workload *p = NULL;
			char *perr = NULL;
			size_t n_ov = 0;

			workload_sweep_overrides(w, 0, &ov, &n_ov);
			if (workload_parse("fuzz.yaml", (const char *)data, size, ov, n_ov, &p, &perr) != 0)
				broken("a sweep point of a valid workload fails", perr);
			workload_free(p);
			free(perr);
			free(ov);
		}
	} else if (rc != BENCH_EXIT_USAGE) {
		broken("returned neither 0 nor BENCH_EXIT_USAGE", errors);
	} else if (w) {
		broken("a failure set *out", errors);
	} else if (!strstr(errors, "fuzz.yaml:")) {
		broken("a failure without a message naming the file", errors);
	}
	workload_free(w);
	free(errors);
	return 0;
}
