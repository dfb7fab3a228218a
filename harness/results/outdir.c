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

int outdir_mkdir_p(const char *path)
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

int outdir_check(const char *dir, bool create, char *err, size_t errlen)
{
	char *probe = xasprintf("%s/.tmp-probe-XXXXXX", dir), *file = NULL, *why = NULL;
	struct stat st;
	int fd;

	if (create && outdir_mkdir_p(dir) < 0)
		why = xasprintf("cannot create it: %s", strerror(errno));
	else if (stat(dir, &st) < 0)
		why = xasprintf("%s", strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		why = xasprintf("it is not a directory");
	else if (!mkdtemp(probe))
		why = xasprintf("cannot create a directory in it: %s", strerror(errno));
	else {
		/* A file too: some file systems (cgroup) take directories only. */
		file = xasprintf("%s/probe", probe);
		fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			why = xasprintf("cannot write a file in it: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(file);
		rmdir(probe);
	}
	if (why)
		snprintf(err, errlen, "%s", why);
	free(why);
	free(file);
	free(probe);
	return why ? -1 : 0;
}

int outdir_write_file(const char *path, int (*write)(const void *arg, FILE *f, char *err, size_t errlen),
		      const void *arg, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	char why[512] = "";
	int rc = -1, e = errno;

	if (f) {
		rc = write(arg, f, why, sizeof(why));
		e = errno;
		if (fclose(f) != 0 && rc == 0) {
			rc = -1;
			e = errno;
		}
	} else if (fd >= 0) {
		e = errno;
		close(fd);
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, why[0] ? why : strerror(e));
		errno = e; /* write_latency tells EEXIST apart */
	}
	return rc;
}

struct results_writer {
	int (*fn)(const struct results *, FILE *);
	const struct results *r;
};

static int call_results_writer(const void *arg, FILE *f, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	const struct results_writer *w = arg;

	return w->fn(w->r, f);
}

static int write_one(const char *dir, const char *name, int (*fn)(const struct results *, FILE *),
		     const struct results *r, char *err, size_t errlen)
{
	struct results_writer w = {fn, r};
	char *path = xasprintf("%s/%s", dir, name);
	int rc = outdir_write_file(path, call_results_writer, &w, err, errlen);

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

/* latency/<target>[-<phase>]-<op>[-<sweep value>][-r<repeat>][.uncorrected].hgrm, or .hist */
static char *hgrm_name(const struct results *r, const struct target_result *t, const struct phase_result *p,
		       enum bench_op op, const char *suffix)
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
	sbuf_addf(&sb, "%s%s", dir_safe_inplace(name), suffix);
	free(name);
	return sbuf_take(&sb);
}

/* Milliseconds, the unit HdrHistogram's plotters expect. */
static int call_hgrm_writer(const void *arg, FILE *f, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return hist_write_percentiles(arg, f, 1e6);
}

int outdir_write_hgrm(const char *dir, const char *name, const struct hist *h, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = outdir_write_file(path, call_hgrm_writer, h, err, errlen);

	free(path);
	return rc;
}

/* A value on one line: backslash and newline escaped. */
static void put_escaped(FILE *f, const char *key, const char *v)
{
	fprintf(f, "%s=", key);
	for (; v && *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('\n', f);
}

static int call_hist_writer(const void *arg, FILE *f, char *err, size_t errlen)
{
	const struct outdir_hist *o = arg;
	const char *keys[] = {"workload", "target", "phase", "op", "sweep_key", "sweep_value"};

	(void)err;
	(void)errlen;

	fputs("# bench: the latency histograms of one summary.csv row, exact (docs/csv-schema.md)\n", f);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put_escaped(f, keys[i], o->id[i]);
	fprintf(f, "repeat=%llu\n", (unsigned long long)o->repeat);
	fputs("histogram corrected\n", f);
	if (hist_write_text(o->lat, f) < 0)
		return -1;
	fputs("histogram uncorrected\n", f);
	if (hist_write_text(o->lat_uncorrected, f) < 0)
		return -1;
	fputs("end\n", f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int outdir_write_hist(const char *dir, const char *name, const struct outdir_hist *o, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = outdir_write_file(path, call_hist_writer, o, err, errlen);

	free(path);
	return rc;
}

/* One .hgrm per target × measured phase run × op with answered requests;
 * open loop adds the uncorrected spectrum beside the corrected one. */
static int write_latency(const char *dir, const struct results *r, char *err, size_t errlen)
{
	char *sub = xasprintf("%s/latency", dir);
	int rc = mkdir(sub, 0755);

	if (rc < 0)
		snprintf(err, errlen, "cannot create %s: %s", sub, strerror(errno));

	for (size_t i = 0; i < r->n_targets && rc == 0; i++) {
		const struct target_result *t = &r->targets[i];

		for (size_t j = 0; j < t->n_runs && rc == 0; j++) {
			const struct phase_result *p = &t->runs[j];

			for (int op = 0; op < BENCH_OP__COUNT && rc == 0 && !p->warmup; op++) {
				const struct op_stats *s = &p->ops[op];
				char *name;

				if (!s->lat || hist_count(s->lat) == 0)
					continue;
				name = hgrm_name(r, t, p, (enum bench_op)op, ".hgrm");
				rc = outdir_write_hgrm(sub, name, s->lat, err, errlen);
				free(name);
				if (rc == 0 && p->phase->rate > 0) {
					name = hgrm_name(r, t, p, (enum bench_op)op, ".uncorrected.hgrm");
					rc = outdir_write_hgrm(sub, name, s->lat_uncorrected, err, errlen);
					free(name);
				}
				if (rc == 0) {
					struct outdir_hist o = {
						.id = {r->w->name, t->target->name, p->phase->name, results_op_label(p, (enum bench_op)op),
						       p->sweep_value ? r->w->sweep.key : "", p->sweep_value ? p->sweep_value : ""},
						.repeat = p->repeat, .lat = s->lat, .lat_uncorrected = s->lat_uncorrected};

					name = hgrm_name(r, t, p, (enum bench_op)op, ".hist");
					rc = outdir_write_hist(sub, name, &o, err, errlen);
					free(name);
				}
			}
		}
	}
	if (rc != 0 && errno == EEXIST)
		snprintf(err, errlen, "two latency files would have the same name under %s", sub);
	free(sub);
	return rc;
}

struct fill {
	const struct results *r;
	const struct outdir_file *extra;
	size_t n_extra;
};

/* An extra file's writer, told the directory it writes into. */
struct extra_call {
	const struct outdir_file *file;
	const char *dir;
};

static int call_extra(const void *arg, FILE *f, char *err, size_t errlen)
{
	const struct extra_call *c = arg;

	return c->file->write(c->dir, f, c->file->arg, err, errlen);
}

static int fill_results(const char *tmp, const void *arg, char *err, size_t errlen)
{
	const struct fill *fl = arg;
	const struct results *r = fl->r;

	if (write_one(tmp, "summary.csv", csv_write_summary, r, err, errlen) < 0 ||
	    write_one(tmp, "run.json", jsonw_run, r, err, errlen) < 0 ||
	    write_one(tmp, "timeseries.csv", csv_write_timeseries, r, err, errlen) < 0 ||
	    (csv_has_warmup(r) && write_one(tmp, "warmup.csv", csv_write_warmup, r, err, errlen) < 0) ||
	    write_latency(tmp, r, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < fl->n_extra; i++) {
		struct extra_call c = {&fl->extra[i], tmp};
		char *path = xasprintf("%s/%s", tmp, fl->extra[i].name);
		int rc = outdir_write_file(path, call_extra, &c, err, errlen);

		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

char *outdir_write(const char *out, const struct results *r, const struct outdir_file *extra, size_t n_extra,
		   char *err, size_t errlen)
{
	struct fill fl = {r, extra, n_extra};

	return outdir_create(out, r->started_utc, r->w->name, fill_results, &fl, err, errlen);
}

char *outdir_create(const char *out, const char *stamp, const char *name,
		    int (*fill)(const char *tmp, const void *arg, char *err, size_t errlen), const void *arg,
		    char *err, size_t errlen)
{
	char *safe = dir_safe(name);
	char *tmp = xasprintf("%s/.tmp-%s-%s-XXXXXX", out, stamp, safe);
	char *final = NULL;

	if (outdir_mkdir_p(out) < 0 || !mkdtemp(tmp)) {
		snprintf(err, errlen, "cannot create a result directory under %s: %s", out, strerror(errno));
		goto fail;
	}
	if (fill(tmp, arg, err, errlen) < 0)
		goto fail_tmp;
	/* Said unless a rename succeeds or fails otherwise. */
	snprintf(err, errlen, "cannot move results into place: %s/%s-%s and 998 more names are taken", out, stamp,
		 safe);
	for (int n = 1; n < 1000; n++) {
		final = n == 1 ? xasprintf("%s/%s-%s", out, stamp, safe)
			       : xasprintf("%s/%s-%s-%d", out, stamp, safe, n);
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			goto done;
		free(final);
		final = NULL;
		if (errno != EEXIST && errno != ENOTEMPTY) {
			snprintf(err, errlen, "cannot move results into place: %s", strerror(errno));
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
