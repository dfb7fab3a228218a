/* chart.c - the result directory's charts: the data model built from
 * summary.csv, and running gnuplot. The scripts themselves are written by
 * chart_gp.c and chart_series.c, with chart_script.c's helpers; the CSV
 * table and the small helpers are chart_table.c's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chart.h"
#include "chart_int.h"
#include "csvread.h"
#include "escape.h"
#include "util.h"

/* ---- the model ---- */

static const char *const needed_cols[] = {"phase", "target", "op", "repeat", "ops", "ops_per_sec", "p99_us", NULL};

static int model_load(struct chart_model *m, const char *dir, char *err, size_t errlen)
{
	char *path = xasprintf("%s/summary.csv", dir);
	const struct chart_table *t;
	size_t np, no, ns, nt, nr;
	int rc = chart_table_load(path, &m->sum, err, errlen);

	free(path);
	if (rc < 0)
		return -1;
	t = m->sum;
	for (const char *const *c = needed_cols; *c; c++) {
		if (chart_table_col(t, *c) < 0) {
			chart_seterr(err, errlen, "%s/summary.csv has no column '%s': not a bench summary", dir, *c);
			return -1;
		}
	}
	m->c_phase = chart_table_col(t, "phase");
	m->c_target = chart_table_col(t, "target");
	m->c_op = chart_table_col(t, "op");
	m->c_repeat = chart_table_col(t, "repeat");
	m->c_ops = chart_table_col(t, "ops");
	m->c_tput = chart_table_col(t, "ops_per_sec");
	m->c_p99 = chart_table_col(t, "p99_us");
	m->c_unsup = chart_table_col(t, "unsupported");
	m->c_rate = chart_table_col(t, "rate_target");
	m->c_skey = chart_table_col(t, "sweep_key");
	m->c_sval = chart_table_col(t, "sweep_value");
	m->c_ccpu = chart_table_col(t, "client_cpu_us_per_op");
	m->c_scpu = chart_table_col(t, "server_cpu_us_per_op");
	m->c_miss = chart_table_col(t, "misses");
	m->sweep_key = "";
	for (size_t r = 0; r < t->nrows; r++) {
		const char *k = chart_table_cell(t, r, m->c_skey);

		chart_set_add(&m->phases, chart_table_cell(t, r, m->c_phase));
		chart_set_add(&m->targets, chart_table_cell(t, r, m->c_target));
		chart_set_add(&m->ops, chart_table_cell(t, r, m->c_op));
		chart_set_add(&m->sweeps, chart_table_cell(t, r, m->c_sval));
		chart_set_add(&m->repeats, chart_table_cell(t, r, m->c_repeat));
		if (*k)
			m->sweep_key = k;
	}
	/* The targets set against each other, when the run wrote them; a
	 * damaged comparison.csv is bad input like a damaged summary.csv. */
	if (cmptab_load(dir, &m->cmp, err, errlen) < 0)
		return -1;
	np = m->phases.n, no = m->ops.n, ns = m->sweeps.n, nt = m->targets.n, nr = m->repeats.n;
	m->tput = xcalloc(np * no * ns * nt, sizeof(*m->tput));
	m->p99 = xcalloc(np * no * ns * nt, sizeof(*m->p99));
	m->hit = xcalloc(np * no * ns * nt, sizeof(*m->hit));
	m->unsup = xcalloc(np * no * ns * nt, 1);
	m->ccpu = xcalloc(np * ns * nt, sizeof(*m->ccpu));
	m->scpu = xcalloc(np * ns * nt, sizeof(*m->scpu));
	m->is_load = xcalloc(np, sizeof(*m->is_load));
	m->open_loop = xcalloc(np, sizeof(*m->open_loop));
	m->cpu_seen = xcalloc(np * ns * nt * nr, 1);
	for (size_t r = 0; r < t->nrows; r++) {
		size_t p = (size_t)chart_set_find(&m->phases, chart_table_cell(t, r, m->c_phase));
		size_t o = (size_t)chart_set_find(&m->ops, chart_table_cell(t, r, m->c_op));
		size_t s = (size_t)chart_set_find(&m->sweeps, chart_table_cell(t, r, m->c_sval));
		size_t tg = (size_t)chart_set_find(&m->targets, chart_table_cell(t, r, m->c_target));
		size_t rp = (size_t)chart_set_find(&m->repeats, chart_table_cell(t, r, m->c_repeat));
		size_t i = CHART_IX4(m, p, o, s, tg), j = CHART_IX3(m, p, s, tg);
		double ops = 0, unsup = 0, v, rate = 0;

		util_parse_double(chart_table_cell(t, r, m->c_ops), &ops);
		util_parse_double(chart_table_cell(t, r, m->c_unsup), &unsup);
		if (util_parse_double(chart_table_cell(t, r, m->c_rate), &rate) == 0 && rate > 0)
			m->open_loop[p] = true;
		if (strcmp(chart_table_cell(t, r, m->c_op), "load") == 0)
			m->is_load[p] = true;
		if (ops <= 0 && unsup > 0) {
			m->unsup[i] = 1;
			continue;
		}
		if (util_parse_double(chart_table_cell(t, r, m->c_tput), &v) == 0)
			chart_acc_add(&m->tput[i], v);
		if (util_parse_double(chart_table_cell(t, r, m->c_p99), &v) == 0)
			chart_acc_add(&m->p99[i], v);
		/* The sizing curve's hit ratio: of gets, as comparison.csv's. */
		if (m->c_miss >= 0 && ops > 0 && !strcmp(chart_table_cell(t, r, m->c_op), "get") &&
		    util_parse_double(chart_table_cell(t, r, m->c_miss), &v) == 0 && v >= 0 && v <= ops)
			chart_acc_add(&m->hit[i], (ops - v) / ops);
		/* The CPU figures are per phase run, repeated on its every op row. */
		if (!m->cpu_seen[j * nr + rp]) {
			m->cpu_seen[j * nr + rp] = 1;
			if (util_parse_double(chart_table_cell(t, r, m->c_ccpu), &v) == 0)
				chart_acc_add(&m->ccpu[j], v);
			if (util_parse_double(chart_table_cell(t, r, m->c_scpu), &v) == 0)
				chart_acc_add(&m->scpu[j], v);
		}
	}
	return 0;
}

static void model_free(struct chart_model *m)
{
	chart_table_free(m->sum);
	cmptab_free(m->cmp);
	chart_set_free(&m->phases);
	chart_set_free(&m->targets);
	chart_set_free(&m->ops);
	chart_set_free(&m->sweeps);
	chart_set_free(&m->repeats);
	chart_set_free(&m->names);
	for (size_t i = 0; i < m->n_charts; i++) {
		free(m->chart_names[i]);
		free(m->chart_titles[i]);
	}
	free(m->chart_names);
	free(m->chart_titles);
	free(m->tput);
	free(m->p99);
	free(m->hit);
	free(m->unsup);
	free(m->ccpu);
	free(m->scpu);
	free(m->is_load);
	free(m->open_loop);
	free(m->cpu_seen);
	free(m->charts_dir);
}

int chart_check_dir(const char *dir, char *err, size_t errlen)
{
	struct chart_model m = {0};
	struct stat st;
	int rc;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		chart_seterr(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	rc = model_load(&m, dir, err, errlen);
	model_free(&m);
	if (rc == 0) { /* the other table the charts read: malformed is bad input too */
		char *path = xasprintf("%s/timeseries.csv", dir);
		struct chart_table *ts = NULL;

		if (access(path, F_OK) == 0 && chart_table_load(path, &ts, err, errlen) < 0)
			rc = -1;
		chart_table_free(ts);
		free(path);
	}
	return rc;
}

/* ---- files in charts/ ---- */

static const char *const chart_prefixes[] = {"compare-", "throughput", "cpu", "sweep-", "sizing-", "latency-", "timeline-",
					     NULL};

/* Removes what an earlier chart_draw() wrote, so no stale chart survives a
 * redraw; files of other names are the user's. */
static void remove_old(const char *charts)
{
	DIR *d = opendir(charts);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *dot = strrchr(e->d_name, '.');
		bool ours = strcmp(e->d_name, "index.txt") == 0;

		for (const char *const *p = chart_prefixes; *p && !ours && dot; p++)
			ours = strncmp(e->d_name, *p, strlen(*p)) == 0 &&
			       (!strcmp(dot, ".gp") || !strcmp(dot, ".dat") || !strcmp(dot, ".svg") ||
				!strcmp(dot, ".png"));
		if (ours) {
			char *path = xasprintf("%s/%s", charts, e->d_name);

			unlink(path);
			free(path);
		}
	}
	closedir(d);
}


/* ---- gnuplot ---- */

static char *find_on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char def[256];

	if (!path) {
		size_t n = confstr(_CS_PATH, def, sizeof(def));

		path = n > 0 && n <= sizeof(def) ? def : "/usr/bin:/bin";
	}
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);
		char *cand = len ? xasprintf("%.*s/%s", (int)len, path, prog) : xasprintf("./%s", prog);
		struct stat st;

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (!colon)
			break;
		path = colon + 1;
	}
	return NULL;
}

/* gnuplot's message, trimmed to its last lines and put on one line. */
static void tidy_message(char *s)
{
	char *w = s;
	bool space = false;

	for (char *r = s; *r; r++) {
		bool ws = *r == ' ' || *r == '\t' || *r == '\n' || *r == '\r' || *r == '^';

		if (ws) {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
}

/* Runs `gnuplot NAME.gp` in the charts directory, stdin and stdout on
 * /dev/null, stderr captured. Returns 0, or -1 with m->err set. */
static int run_gnuplot(struct chart_model *m, const char *gnuplot, const char *name)
{
	char *script = xasprintf("%s.gp", name);
	char *argv[] = {(char *)"gnuplot", script, NULL};
	struct sbuf msg = {0};
	int fds[2], status = 0, rc = -1;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		chart_seterr(m->err, m->errlen, "cannot run gnuplot: pipe: %s", strerror(errno));
		free(script);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (chdir(m->charts_dir) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(126);
		closefrom(3); /* bench's sockets and pipes are none of gnuplot's business */
		execv(gnuplot, argv);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		chart_seterr(m->err, m->errlen, "cannot run gnuplot: fork: %s", strerror(errno));
		close(fds[0]);
		free(script);
		return -1;
	}
	for (;;) {
		char buf[4096];
		ssize_t n = read(fds[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (msg.len < 16384)
			sbuf_add(&msg, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
	} else {
		char *text = msg.buf ? msg.buf : xstrdup("");
		size_t len = strlen(text);

		tidy_message(text);
		len = strlen(text);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && len == 0)
			chart_seterr(m->err, m->errlen, "cannot execute %s", gnuplot);
		else
			chart_seterr(m->err, m->errlen, "gnuplot failed on charts/%s: %s", script,
				     len ? (len > 400 ? text + len - 400 : text) : "no message (killed?)");
		if (!msg.buf)
			free(text);
	}
	free(msg.buf);
	free(script);
	return rc;
}

static int check_output(struct chart_model *m, const char *name, const char *ext)
{
	char *path = xasprintf("%s/%s.%s", m->charts_dir, name, ext);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) < 0 || st.st_size == 0) {
		chart_seterr(m->err, m->errlen, "gnuplot wrote no charts/%s.%s (charts/%s.gp)", name, ext, name);
		rc = -1;
	}
	free(path);
	return rc;
}

static int write_index(struct chart_model *m)
{
	FILE *f = chart_open(m, "index", "txt");

	for (size_t i = 0; f && i < m->n_charts; i++) {
		struct sbuf title = {0};

		/* one line per chart, whatever a sweep value holds */
		escape_terminal(&title, m->chart_titles[i]);
		fprintf(f, "%s\t%s\n", m->chart_names[i], title.buf ? title.buf : "");
		free(title.buf);
	}
	return chart_close(m, f, "index.txt");
}

int chart_draw(const char *result_dir, char *err, size_t errlen)
{
	struct chart_model m = {.dir = result_dir, .err = err, .errlen = errlen};
	char *gnuplot = NULL;
	int rc = CHART_ERROR;

	chart_seterr(err, errlen, "%s", "");
	if (model_load(&m, result_dir, err, errlen) < 0)
		goto done;
	m.charts_dir = xasprintf("%s/charts", result_dir);
	if (mkdir(m.charts_dir, 0777) < 0 && errno != EEXIST) { /* less the umask, as the result directory */
		chart_seterr(err, errlen, "cannot create %s: %s", m.charts_dir, strerror(errno));
		goto done;
	}
	remove_old(m.charts_dir);
	chart_gp_compare(&m); /* first: report.html opens with the comparison */
	chart_gp_throughput(&m);
	chart_gp_cpu(&m);
	chart_gp_sweep(&m);
	chart_gp_sizing(&m);
	chart_gp_latency(&m);
	chart_gp_timeline(&m);
	if (m.failed || write_index(&m) < 0)
		goto done;
	gnuplot = find_on_path("gnuplot");
	if (!gnuplot) {
		chart_seterr(err, errlen, "gnuplot not found on PATH: apt-get install gnuplot-nox; the CSVs are "
					  "complete, redraw later with `bench chart %s`", result_dir);
		rc = CHART_NO_GNUPLOT;
		goto done;
	}
	for (size_t i = 0; i < m.n_charts; i++) {
		const char *name = m.chart_names[i];

		if (run_gnuplot(&m, gnuplot, name) < 0 || check_output(&m, name, "svg") < 0 ||
		    check_output(&m, name, "png") < 0)
			goto done;
	}
	rc = CHART_OK;
done:
	free(gnuplot);
	model_free(&m);
	return rc;
}
