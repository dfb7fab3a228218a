/*
 * fuzz_workload.c - libFuzzer target for the workload loader: the input
 * bytes are a workload YAML file, given to workload_parse() as they are
 * (not NUL-terminated, so a read past the end shows under ASan).
 *
 * Leading lines "#set PATH=VALUE" (YAML comments, up to four) are also
 * given as overrides, as `bench run --set PATH=VALUE` does.
 *
 * Besides "no crash, no leak, no undefined behaviour", it checks the
 * loader's contract: either 0 with a workload, or -1 with no
 * workload and at least one "name:line:col: message" line; *errors is never
 * NULL after the call. A broken contract aborts, so libFuzzer saves the
 * input.
 *
 * The driver-option path also gets the bytes directly: the first line,
 * split at its first ':' into a key and a value (any bytes, any length),
 * is checked as an option of every built-in driver, with a message buffer
 * of exactly as many bytes as the input's first byte says, on the heap,
 * so a write past it shows under ASan (a 470-byte key once overflowed it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "util.h"
#include "workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *errors)
{
	fprintf(stderr, "fuzz_workload: contract broken: %s\n%s", what, errors ? errors : "(errors NULL)\n");
	abort();
}

/* The "#set PATH=VALUE" lines at the start of text (a NUL-terminated copy
 * of the input, cut in place) as overrides; returns how many. */
static size_t set_lines(char *text, struct wl_override *ov, size_t max)
{
	size_t n = 0;

	while (n < max && strncmp(text, "#set ", 5) == 0) {
		char *end = strchr(text, '\n'), *eq;

		if (end)
			*end = '\0';
		eq = strchr(text + 5, '=');
		if (!eq)
			break;
		*eq = '\0';
		ov[n++] = (struct wl_override){text + 5, eq + 1};
		if (!end)
			break;
		text = end + 1;
	}
	return n;
}

/* bench_driver_check_option's contract (registry.h) on one key and value. */
static void check_option(const struct bench_driver *d, const char *key, const char *value, size_t errlen)
{
	char *err = malloc(errlen ? errlen : 1);
	const char *out = (const char *)err;
	int rc;

	if (!err)
		abort();
	rc = bench_driver_check_option(d, key, value, NULL, &out, err, errlen);
	if (rc != 0 && rc != -1 && rc != -2)
		broken("bench_driver_check_option returned neither 0, -1 nor -2", NULL);
	if (errlen && rc != 0 && strnlen(err, errlen) >= errlen)
		broken("an option's message is not NUL-terminated within its buffer", NULL);
	if (errlen > 1 && rc != 0 && !err[0])
		broken("a refused option without a message", NULL);
	if (rc == 0 && (!out || (out != value && strcmp(out, value) != 0 && strcmp(out, "true") && strcmp(out, "false") &&
				 strcmp(out, "on") && strcmp(out, "off"))))
		broken("an accepted option's value is neither its own nor a canonical one", NULL);
	if (rc != 0 && out)
		broken("a refused option set *out", NULL);
	free(err);
}

static void check_options(const uint8_t *data, size_t size, const char *text)
{
	size_t n, line = strcspn(text, "\n");
	char *key = xstrndup(text, line), *colon = strchr(key, ':');
	const char *value = "";
	const struct bench_driver *const *d = bench_drivers_builtin(&n);

	if (colon) {
		*colon = '\0';
		value = colon + 1;
	}
	for (size_t i = 0; i < n; i++)
		check_option(d[i], key, value, size ? data[0] : 64);
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wl_override ov[4];
	struct workload *w = NULL;
	char *errors = NULL, *copy;
	size_t n_ov;
	int rc;

	/* `driver: external:/path.so` dlopen()s the path: keep the fuzzer
	 * from loading arbitrary shared objects of the host. */
	if (size >= 9 && memmem(data, size, "external:", 9))
		return -1;
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	check_options(data, size, copy);
	n_ov = set_lines(copy, ov, 4);
	/* The text itself is the input as it is, not NUL-terminated. */
	rc = workload_parse("fuzz.yaml", (const char *)data, size, ov, n_ov, &w, &errors);
	if (!errors)
		broken("*errors is NULL after the call", NULL);
	if (rc == 0) {
		if (!w)
			broken("0 without a workload", errors);
		/* What a run does for each sweep point: reload with its
		 * overrides (the first point only, to stay fast). */
		if (w->sweep.n_values) {
			struct wl_override *pov = malloc(sizeof(*pov) * (n_ov ? n_ov : 1));
			struct workload *p = NULL;
			char *perr = NULL;
			size_t n_pov = n_ov;

			if (!pov)
				abort();
			memcpy(pov, ov, n_ov * sizeof(*pov));
			workload_sweep_overrides(w, 0, &pov, &n_pov);
			if (workload_parse("fuzz.yaml", (const char *)data, size, pov, n_pov, &p, &perr) != 0)
				broken("a sweep point of a valid workload fails", perr);
			workload_free(p);
			free(perr);
			free(pov);
		}
	} else if (rc != -1) {
		broken("returned neither 0 nor -1", errors);
	} else if (w) {
		broken("a failure set *out", errors);
	} else if (!strstr(errors, "fuzz.yaml:")) {
		broken("a failure without a message naming the file", errors);
	}
	workload_free(w);
	free(errors);
	free(copy);
	return 0;
}
