/* outdir.c - the result directory: every output file, written into a
 * temporary directory that is renamed into place when complete. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "json.h"
#include "outdir.h"
#include "util.h"

/* "kv-90/10" → "kv-90_10": safe as a file name. Returns s. */
static char *dir_safe_inplace(char *s)
{
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.' || *p == '='))
			*p = '_';
	return s;
}

static char *dir_safe(const char *name)
{
	return dir_safe_inplace(xstrdup(name));
}

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* Creates path (never replacing a file) for writing, runs write(arg, f)
 * and closes it. Returns 0, or -1 after printing why. */
static int write_file(const char *path, int (*write)(const void *arg, FILE *f), const void *arg)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc = -1;

	if (f) {
		rc = write(arg, f);
		if (fclose(f) != 0)
			rc = -1;
	} else if (fd >= 0) {
		close(fd);
	}
	if (rc < 0)
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
	return rc;
}

struct results_writer {
	int (*fn)(const struct results *, FILE *);
	const struct results *r;
};

static int call_results_writer(const void *arg, FILE *f)
{
	const struct results_writer *w = arg;

	return w->fn(w->r, f);
}

static int write_one(const char *dir, const char *name, int (*fn)(const struct results *, FILE *),
		     const struct results *r)
{
	struct results_writer w = {fn, r};
	char *path = xasprintf("%s/%s", dir, name);
	int rc = write_file(path, call_results_writer, &w);

	free(path);
	return rc;
}

/* Whether the workload has more than one phase of ph's kind (load or not):
 * then the phase's name goes into its files' names. */
static bool phase_named(const struct workload *w, const struct wl_phase *ph)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n_phases; i++)
		n += (w->phases[i].type == WL_PHASE_LOAD) == (ph->type == WL_PHASE_LOAD);
	return n > 1;
}

/* latency/<target>[-<phase>]-<op>[-<sweep value>][-r<repeat>][.uncorrected].hgrm */
static char *hgrm_name(const struct results *r, const struct target_result *t, const struct phase_result *p,
		       enum bench_op op, bool uncorrected)
{
	struct sbuf sb = {0};
	char *name;

	sbuf_addf(&sb, "%s", t->target->name);
	if (phase_named(r->w, p->phase))
		sbuf_addf(&sb, "-%s", p->phase->name);
	sbuf_addf(&sb, "-%s", results_op_label(p, op));
	if (p->sweep_value)
		sbuf_addf(&sb, "-%s=%s", r->w->sweep.key, p->sweep_value);
	if (r->w->repeat > 1)
		sbuf_addf(&sb, "-r%llu", (unsigned long long)p->repeat);
	name = sbuf_take(&sb);
	sbuf_addf(&sb, "%s%s.hgrm", dir_safe_inplace(name), uncorrected ? ".uncorrected" : "");
	free(name);
	return sbuf_take(&sb);
}

/* Milliseconds, the unit HdrHistogram's plotters expect. */
static int call_hgrm_writer(const void *arg, FILE *f)
{
	return hist_write_percentiles(arg, f, 1e6);
}

static int write_hgrm(const char *dir, const char *name, const struct hist *h)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = write_file(path, call_hgrm_writer, h);

	free(path);
	return rc;
}

/* One .hgrm per target × measured phase run × op with answered requests;
 * open loop adds the uncorrected spectrum beside the corrected one. */
static int write_latency(const char *dir, const struct results *r)
{
	char *sub = xasprintf("%s/latency", dir);
	int rc = mkdir(sub, 0755);

	for (size_t i = 0; i < r->n_targets && rc == 0; i++) {
		const struct target_result *t = &r->targets[i];

		for (size_t j = 0; j < t->n_runs && rc == 0; j++) {
			const struct phase_result *p = &t->runs[j];

			for (int op = 0; op < BENCH_OP__COUNT && rc == 0 && !p->warmup; op++) {
				const struct op_stats *s = &p->ops[op];
				char *name;

				if (!s->lat || hist_count(s->lat) == 0)
					continue;
				name = hgrm_name(r, t, p, (enum bench_op)op, false);
				rc = write_hgrm(sub, name, s->lat);
				free(name);
				if (rc == 0 && p->phase->rate > 0 && s->lat_uncorrected) {
					name = hgrm_name(r, t, p, (enum bench_op)op, true);
					rc = write_hgrm(sub, name, s->lat_uncorrected);
					free(name);
				}
			}
		}
	}
	if (rc != 0 && errno == EEXIST)
		fprintf(stderr, "bench: two latency files would have the same name under %s\n", sub);
	free(sub);
	return rc;
}

char *outdir_write(const char *out, const struct results *r)
{
	char *safe = dir_safe(r->w->name);
	char *tmp = xasprintf("%s/.tmp-%s-%s-XXXXXX", out, r->started_utc, safe);
	char *final = NULL;

	if (mkdir_p(out) < 0 || !mkdtemp(tmp)) {
		fprintf(stderr, "bench: cannot create a result directory under %s: %s\n", out, strerror(errno));
		goto fail;
	}
	if (write_one(tmp, "summary.csv", csv_write_summary, r) < 0 || write_one(tmp, "run.json", json_write_run, r) < 0 ||
	    write_one(tmp, "timeseries.csv", csv_write_timeseries, r) < 0 ||
	    (csv_has_warmup(r) && write_one(tmp, "warmup.csv", csv_write_warmup, r) < 0) || write_latency(tmp, r) < 0)
		goto fail_tmp;
	for (int n = 1; n < 1000; n++) {
		final = n == 1 ? xasprintf("%s/%s-%s", out, r->started_utc, safe)
			       : xasprintf("%s/%s-%s-%d", out, r->started_utc, safe, n);
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			goto done;
		free(final);
		final = NULL;
		if (errno != EEXIST && errno != ENOTEMPTY) {
			fprintf(stderr, "bench: cannot move results into place: %s\n", strerror(errno));
			break;
		}
	}
fail_tmp:
	util_remove_tree(tmp);
fail:
	free(final);
	final = NULL;
done:
	free(tmp);
	free(safe);
	return final;
}
