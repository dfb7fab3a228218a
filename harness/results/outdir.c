/* outdir.c - the result directory: every output file, written into a
 * temporary directory that is renamed into place when complete. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
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

/*
 * mkdtemp(3), but the directory gets mode 0777 less the umask, as
 * mkdir(1) gives one (mkdtemp's is 0700 whatever the umask): tmpl ends in
 * XXXXXX, replaced by random letters until mkdir makes a new directory.
 * mkdir never follows or reuses what is there (EEXIST), so a name taken
 * by anyone, a symlink included, only means another try. 0, or -1 with
 * errno.
 */
static int make_temp_dir(char *tmpl)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char *x = tmpl + strlen(tmpl) - 6;

	for (unsigned attempt = 0; attempt < 1000; attempt++) {
		unsigned char rnd[6];

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			uint64_t t = util_now_ns() ^ ((uint64_t)getpid() << 40) ^ attempt;

			memcpy(rnd, &t, sizeof(rnd));
		}
		for (size_t i = 0; i < sizeof(rnd); i++)
			x[i] = letters[rnd[i] % (sizeof(letters) - 1)];
		if (mkdir(tmpl, 0777) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
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
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); /* less the umask */
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
	int rc = mkdir(sub, 0777); /* less the umask, as the directory */

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

/* The files whose text may name the result directory: logs, JSON, HTML,
 * gnuplot scripts. CSV files and histograms never do. */
static bool text_file(const char *name)
{
	static const char *const ext[] = {".log", ".json", ".html", ".gp", ".txt", NULL};
	size_t len = strlen(name);

	for (size_t i = 0; ext[i]; i++)
		if (len > strlen(ext[i]) && !strcmp(name + len - strlen(ext[i]), ext[i]))
			return true;
	return false;
}

/* path's text with every `from` made `to`, written beside it and renamed
 * over it (a reader sees the old file or the new one). 0, or -1 with err
 * set. */
#define OUTDIR_RETARGET_MAX ((size_t)256 << 20)

static int retarget_file(const char *path, const char *from, const char *to, char *err, size_t errlen)
{
	char *text, *next = NULL;
	const char *p, *hit;
	struct sbuf sb = {0};
	size_t len, flen = strlen(from);
	int rc = 0;

	if (util_read_file(path, OUTDIR_RETARGET_MAX, NULL, &text, &len, err, errlen) < 0)
		return -1;
	if (!memmem(text, len, from, flen)) {
		free(text);
		return 0;
	}
	for (p = text; (hit = memmem(p, len - (size_t)(p - text), from, flen)); p = hit + flen) {
		sbuf_add(&sb, p, (size_t)(hit - p));
		sbuf_add(&sb, to, strlen(to));
	}
	sbuf_add(&sb, p, len - (size_t)(p - text));
	next = xasprintf("%s.retarget", path);
	if (util_write_file(next, sb.buf) < 0 || rename(next, path) < 0) {
		snprintf(err, errlen, "cannot rewrite %s: %s", path, strerror(errno));
		unlink(next);
		rc = -1;
	}
	free(next);
	free(sb.buf);
	free(text);
	return rc;
}

int outdir_retarget(const char *dir, const char *from, const char *to, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d))) {
		char *path;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = outdir_retarget(path, from, to, err, errlen);
		else if (S_ISREG(st.st_mode) && text_file(de->d_name))
			rc = retarget_file(path, from, to, err, errlen);
		free(path);
	}
	closedir(d);
	return rc;
}

char *outdir_publish(const char *tmp, const char *out, const char *stamp, const char *name, bool retarget,
		     char *err, size_t errlen)
{
	char *safe = dir_safe(name), *final = NULL;
	const char *slash = strrchr(tmp, '/');
	char *cur = xstrdup(slash ? slash + 1 : tmp);

	for (int n = 1; n < 1000; n++) {
		const char *base;
		struct stat st;
		int e;

		final = n == 1 ? xasprintf("%s/%s-%s", out, stamp, safe) : xasprintf("%s/%s-%s-%d", out, stamp, safe, n);
		base = strrchr(final, '/') + 1;
		if (retarget) {
			/* Rewritten for a name that is free; RENAME_NOREPLACE
			 * still decides (should another take it meanwhile, the
			 * next name is written in). */
			if (lstat(final, &st) == 0) {
				free(final);
				continue;
			}
			if (outdir_retarget(tmp, cur, base, err, errlen) < 0)
				goto fail;
			free(cur);
			cur = xstrdup(base);
		}
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			goto done;
		e = errno;
		free(final);
		final = NULL;
		if (e != EEXIST && e != ENOTEMPTY) {
			snprintf(err, errlen, "cannot move results into place: %s", strerror(e));
			goto fail;
		}
	}
	snprintf(err, errlen, "cannot move results into place: %s/%s-%s and 998 more names are taken", out, stamp,
		 safe);
fail:
	free(final);
	final = NULL;
done:
	free(cur);
	free(safe);
	return final;
}

char *outdir_create(const char *out, const char *stamp, const char *name,
		    int (*fill)(const char *tmp, const void *arg, char *err, size_t errlen), const void *arg,
		    char *err, size_t errlen)
{
	char *safe = dir_safe(name);
	char *tmp = xasprintf("%s/.tmp-%s-%s-XXXXXX", out, stamp, safe);
	char *final = NULL;

	if (outdir_mkdir_p(out) < 0 || make_temp_dir(tmp) < 0) {
		snprintf(err, errlen, "cannot create a result directory under %s: %s", out, strerror(errno));
		goto done;
	}
	if (fill(tmp, arg, err, errlen) < 0 || !(final = outdir_publish(tmp, out, stamp, name, false, err, errlen)))
		util_remove_tree(tmp);
done:
	free(tmp);
	free(safe);
	return final;
}
