/*
 * cmd_claims.c - `bench claims`: run every claim file of workloads/claims/
 * as `bench run` would, evaluate its `expect:` on the run's summary.csv,
 * and write claims.csv with a verdict per claim (docs/claims.md).
 *
 * Each claim runs as a child `bench run` (this same executable) into the
 * claims result directory: the code path of a claim's figures is exactly
 * the one a user gets from `bench run`, a crash or exit() in one claim's
 * run cannot take the others down, and its terminal output goes to a log.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "claims.h"
#include "claims_report.h"
#include "claims_standin.h"
#include "cmd.h"
#include "csv.h"
#include "escape.h"
#include "outdir.h"
#include "registry.h"
#include "servers.h"
#include "util.h"

const char cmd_claims_usage[] =
	"usage: bench claims [--quick] [--only ID[,ID...]] [--out DIR] [--servers spawn|external] [--claims DIR]\n"
	"\n"
	"Runs each claim file (a workload with a claim: block, docs/claims.md) with `bench run`,\n"
	"evaluates its expect: expression on the results, and writes\n"
	"<out>/<UTC time>-claims/ with claims.csv (one verdict per claim: SUPPORTED, REFUTED,\n"
	"INCONCLUSIVE or NOT RUN, with the reason and the figures with 95% intervals) and\n"
	"runs/<id>/ (each claim's result directory and log). Prints a table.\n"
	"\n"
	"  --quick                   3 repeats, run phases of at most 2 s, warmups of at most\n"
	"                            1 s, and each claim's own quick: overrides\n"
	"  --only ID[,ID...]         only these claims\n"
	"  --out DIR                 where the claims directory goes (default: results)\n"
	"  --servers spawn|external  as for bench run (default spawn); claims that need a\n"
	"                            docker-compose profile run only with external\n"
	"  --claims DIR              the claim files (default: workloads/claims)\n"
	"\n"
	"Exit status: 0 every claim has a verdict or NOT RUN; 1 a claim's run or evaluation\n"
	"failed (see its reason), or interrupted; 2 usage, an invalid claim file, or\n"
	"--out not a writable directory (checked before any claim runs).\n";

struct claims_args {
	bool quick;
	const char *only;
	const char *out;
	const char *servers;
	const char *dir;
};

struct entry {
	char *path;
	struct workload *w;
	struct claim *c;
	/* the outcome */
	const char *verdict;
	char *reason, *figures, *servers, *result;
	/* When a stand-in answered a target the expression reads (NOT RUN):
	 * what the expression gives on its figures, never the verdict. */
	const char *stand_in_verdict;
	char *stand_in_reason;
	bool failed;
};

static volatile sig_atomic_t stop_requested;
static volatile pid_t child_pid;

/* The child runs in its own process group (so a terminal's Ctrl-C reaches
 * it once, from here, not twice): pass each signal on. */
static void on_signal(int sig)
{
	stop_requested = 1;
	if (child_pid > 0)
		kill(child_pid, sig);
}

static int parse_args(int argc, char **argv, struct claims_args *a)
{
	struct stat st;

	a->out = "results";
	a->servers = "spawn";
	for (int i = 1; i < argc; i++) {
		const char *v;
		int ok;

		if ((v = cmd_opt_value(argc, argv, &i, "--only", &ok)) && ok)
			a->only = v;
		else if (ok && (v = cmd_opt_value(argc, argv, &i, "--out", &ok)) && ok)
			a->out = v;
		else if (ok && (v = cmd_opt_value(argc, argv, &i, "--servers", &ok)) && ok)
			a->servers = v;
		else if (ok && (v = cmd_opt_value(argc, argv, &i, "--claims", &ok)) && ok)
			a->dir = v;
		else if (!ok)
			return BENCH_EXIT_USAGE;
		else if (strcmp(argv[i], "--quick") == 0)
			a->quick = true;
		else
			return cmd_usage_error("claims", "unknown argument '%s'", argv[i]);
	}
	if (strcmp(a->servers, "spawn") != 0 && strcmp(a->servers, "external") != 0)
		return cmd_usage_error("claims", "--servers is spawn or external, not '%s'", a->servers);
	/* From the source tree, or from anywhere with the built-in path. */
	if (!a->dir)
		a->dir = stat("workloads/claims", &st) == 0 && S_ISDIR(st.st_mode) ? "workloads/claims" : BENCH_CLAIMS_DIR;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --only's ids: a malloc'd copy of the list cut at its commas, or NULL. */
static char **split_ids(const char *list, size_t *n)
{
	char **ids = NULL, *copy, *save = NULL;

	*n = 0;
	if (!list)
		return NULL;
	copy = xstrdup(list);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		ids = xrealloc(ids, (*n + 1) * sizeof(*ids));
		ids[(*n)++] = xstrdup(t);
	}
	free(copy);
	return ids;
}

/* Reads and checks every claim file (all of them, so one run reports every
 * problem); keeps those --only selects. Returns 0 or BENCH_EXIT_USAGE. */
static int load_claims(const struct claims_args *a, struct entry **out, size_t *n_out)
{
	DIR *d = opendir(a->dir);
	struct dirent *de;
	size_t n = 0, kept = 0, n_ids;
	char **names = NULL, **ids;
	bool *used;
	struct entry *e;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "bench claims: cannot open %s: %s (give the claim files with --claims DIR)\n", a->dir,
			strerror(errno));
		return BENCH_EXIT_USAGE;
	}
	ids = split_ids(a->only, &n_ids);
	used = xcalloc(n_ids + 1, sizeof(*used));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] != '.' && len > 5 && !strcmp(de->d_name + len - 5, ".yaml")) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xasprintf("%s/%s", a->dir, de->d_name);
		}
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), by_name);
	e = xcalloc(n + 1, sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		char *msgs = NULL;
		struct entry *x = &e[kept];
		bool wanted = false;

		x->path = names[i];
		if (workload_load(x->path, NULL, 0, &x->w, &msgs) != 0 || claim_load(x->path, x->w, &x->c, &msgs) != 0) {
			rc = BENCH_EXIT_USAGE;
		} else if (!x->c) {
			msgs = xasprintf("%s%s: not a claim file: it has no claim: block (docs/claims.md)\n", msgs ? msgs : "",
					 x->path);
			rc = BENCH_EXIT_USAGE;
		}
		/* Warnings (ops a target reports unsupported, on purpose in
		 * some claims) belong to `bench validate`; here only errors. */
		if (rc != 0)
			fputs(msgs ? msgs : "", stderr);
		free(msgs);
		for (size_t k = 0; rc == 0 && k < n_ids; k++)
			if (!strcmp(ids[k], x->c->id))
				wanted = used[k] = true;
		if (rc == 0 && (!a->only || wanted)) {
			kept++;
		} else {
			claim_free(x->c);
			workload_free(x->w);
			free(x->path);
			memset(x, 0, sizeof(*x));
		}
	}
	free(names);
	for (size_t k = 0; k < n_ids; k++) {
		if (rc == 0 && !used[k])
			rc = cmd_usage_error("claims", "--only: no claim '%s' in %s", ids[k], a->dir);
		free(ids[k]);
	}
	free(ids);
	free(used);
	if (rc == 0 && kept == 0)
		rc = cmd_usage_error("claims", "no claim files in %s", a->dir);
	*out = e;
	*n_out = kept;
	return rc;
}

/* Why a claim cannot run here, or NULL. */
static char *not_run_reason(const struct claims_args *a, const struct entry *e)
{
	char err[512];

	if (e->c->experiment)
		return xasprintf("experiment not built yet: %s", e->c->experiment);
	if (e->c->profile && strcmp(a->servers, "spawn") == 0)
		return xasprintf("needs the %s docker-compose profile: `docker compose --profile %s up -d` then `bench "
				 "claims --servers external --only %s`", e->c->profile, e->c->profile, e->c->id);
	if (strcmp(a->servers, "spawn") != 0)
		return NULL;
	for (size_t i = 0; i < e->w->n_targets; i++) {
		const struct wl_target *t = &e->w->targets[i];
		const struct bench_driver *d = bench_driver_find(t->driver, NULL, 0);

		/* The program first: the line on the terminal is cut. */
		if (!t->uri && d && (d->caps & BENCH_CAP_NETWORK) &&
		    servers_check_spawn(d, t->spawn_program, err, sizeof(err)) != 0)
			return xasprintf("needs %s%s: target %s: %s", t->spawn_program ? t->spawn_program : "a server for driver ",
					 t->spawn_program ? "" : d->name, t->name, err);
	}
	return NULL;
}

/* --quick: the generic overrides, then the claim's own. */
static size_t quick_overrides(const struct entry *e, struct wl_override *ov, char **owned)
{
	size_t n = 0;

	ov[n].path = "repeat";
	ov[n++].value = "3";
	for (size_t i = 0; i < e->w->n_phases; i++) {
		const struct wl_phase *p = &e->w->phases[i];

		if (p->type != WL_PHASE_RUN)
			continue;
		if (p->duration_ns > 2000000000ull) {
			owned[n] = xasprintf("phases.%s.duration", p->name);
			ov[n].path = owned[n];
			ov[n++].value = "2s";
		}
		if (p->warmup_ns > 1000000000ull) {
			owned[n] = xasprintf("phases.%s.warmup", p->name);
			ov[n].path = owned[n];
			ov[n++].value = "1s";
		}
	}
	for (size_t i = 0; i < e->c->n_quick; i++)
		ov[n++] = e->c->quick[i];
	return n;
}

/* Runs `bench run` for the claim into dir/runs/ID/, its output in
 * dir/runs/ID.log. Returns its exit status (-1: could not start). */
static int run_claim(const struct claims_args *a, const struct entry *e, const char *dir, char **log)
{
	size_t max = 16 + 2 * (e->w->n_phases * 2 + e->c->n_quick + 1);
	struct wl_override *ov = xcalloc(max, sizeof(*ov));
	char **owned = xcalloc(max, sizeof(*owned)), **argv = xcalloc(2 * max + 16, sizeof(*argv));
	char *out = xasprintf("%s/runs/%s", dir, e->c->id);
	size_t n_ov = a->quick ? quick_overrides(e, ov, owned) : 0, n = 0;
	int status = -1, fd;
	pid_t pid;

	*log = xasprintf("%s/runs/%s.log", dir, e->c->id);
	argv[n++] = xstrdup("bench");
	argv[n++] = xstrdup("run");
	argv[n++] = xstrdup(e->path);
	argv[n++] = xstrdup("--out");
	argv[n++] = xstrdup(out);
	argv[n++] = xstrdup("--servers");
	argv[n++] = xstrdup(a->servers);
	/* Charts as a plain run draws them (when gnuplot is there): the
	 * run's report.html, linked from the claims report, shows them. */
	for (size_t i = 0; i < n_ov; i++) {
		argv[n++] = xstrdup("--set");
		argv[n++] = xasprintf("%s=%s", ov[i].path, ov[i].value);
	}
	fd = open(*log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666); /* less the umask */
	if (fd >= 0) {
		FILE *f = fdopen(dup(fd), "w");

		if (f) {
			struct sbuf line = {0};

			/* the command as a shell would take it back: a --set value
			 * from a claim file may hold anything */
			sbuf_add(&line, "$", 1);
			for (size_t i = 0; i < n; i++) {
				sbuf_add(&line, " ", 1);
				escape_shell(&line, argv[i]);
			}
			fprintf(f, "%s\n", line.buf);
			free(line.buf);
			fclose(f);
		}
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			setpgid(0, 0);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			execv("/proc/self/exe", argv);
			_exit(127);
		}
		close(fd);
		if (pid > 0) {
			child_pid = pid;
			if (stop_requested) /* a signal came before child_pid was set */
				kill(pid, SIGINT);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			child_pid = 0;
			status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	for (size_t i = 0; i < max; i++)
		free(owned[i]);
	free(argv);
	free(owned);
	free(ov);
	free(out);
	return status;
}

/* The one result directory bench run wrote under runs/ID, or NULL. */
static char *find_result(const char *dir, const char *id)
{
	char *runs = xasprintf("%s/runs/%s", dir, id), *found = NULL;
	DIR *d = opendir(runs);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && !found)
			found = xasprintf("%s/%s", runs, de->d_name);
	if (d)
		closedir(d);
	free(runs);
	return found;
}

/* A stand-in answered a target the expression reads: NOT RUN, and what
 * the expression gives on the stand-in's figures kept apart. */
static void stand_in_outcome(struct entry *e, const struct cx_data *data, const struct claim_stand_in *si, size_t n)
{
	struct cx_result r;
	struct cx_error err;

	e->verdict = "NOT RUN";
	e->reason = claim_stand_in_reason(e->c->id, e->c->profile, si, n);
	if (cx_eval(e->c->expect, data, &r, &err) == 0) {
		e->stand_in_verdict = cx_verdict_name(r.verdict);
		e->stand_in_reason = r.reason;
		r.reason = NULL;
		cx_result_free(&r);
	} else {
		e->stand_in_verdict = "INCONCLUSIVE";
		e->stand_in_reason = xasprintf("cannot evaluate: %s", err.msg);
	}
}

static void evaluate(struct entry *e, const char *dir, int status, const char *log, long cores)
{
	char *res = find_result(dir, e->c->id), *csv, *json, msg[PATH_MAX + 512], json_err[PATH_MAX + 512];
	struct cx_data *data = NULL;
	struct cx_result r;
	struct cx_error err;
	struct claim_stand_in *si = NULL;
	int n_si;

	if (!res) {
		e->verdict = status == BENCH_EXIT_UNREACHABLE ? "NOT RUN" : "INCONCLUSIVE";
		e->reason = xasprintf("bench run wrote no results (exit status %d%s); see %s", status,
				      status == BENCH_EXIT_UNREACHABLE ? ": no target could be reached" : "", log);
		e->failed = status != BENCH_EXIT_UNREACHABLE;
		return;
	}
	e->result = xstrdup(res + strlen(dir) + 1);
	csv = xasprintf("%s/summary.csv", res);
	json = xasprintf("%s/run.json", res);
	if (cx_data_load(csv, &data, msg, sizeof(msg)) == 0)
		e->servers = cx_data_servers(data);
	n_si = data ? claim_stand_ins(e->c->expect, json, &si, json_err, sizeof(json_err)) : 0;
	if (!data) {
		e->verdict = "INCONCLUSIVE";
		e->reason = xasprintf("cannot read the results: %s", msg);
		e->failed = true;
	} else if (stop_requested) {
		e->verdict = "INCONCLUSIVE";
		e->reason = xasprintf("interrupted: partial results in %s", e->result);
		e->failed = true;
	} else if (n_si < 0) {
		e->verdict = "INCONCLUSIVE";
		e->reason = xasprintf("cannot tell which servers answered: %s", json_err);
		e->failed = true;
	} else if (n_si > 0) {
		stand_in_outcome(e, data, si, (size_t)n_si);
	} else if (cx_eval(e->c->expect, data, &r, &err) < 0) {
		bool unreachable = status == BENCH_EXIT_UNREACHABLE;

		e->verdict = unreachable ? "NOT RUN" : "INCONCLUSIVE";
		e->reason = xasprintf("%s%s (exit status %d; see %s)", unreachable ? "a target could not be reached: " :
				      "cannot evaluate: ", err.msg, status, log);
		e->failed = !unreachable;
	} else {
		struct sbuf sb = {0};

		e->verdict = cx_verdict_name(r.verdict);
		sbuf_addf(&sb, "%s", r.reason);
		if (r.verdict == CX_REFUTED && e->c->cores && cores < (long)e->c->cores) {
			e->verdict = "INCONCLUSIVE";
			sbuf_addf(&sb, "; the host has %ld cores and the claim needs %u to show: a refutation here is not fair",
				  cores, e->c->cores);
		}
		if (status == BENCH_EXIT_ERRORS)
			sbuf_addf(&sb, "; the run had failed requests over its max_error_rate (see %s)", log);
		e->reason = sbuf_take(&sb);
		e->figures = r.figures;
		r.figures = NULL;
		cx_result_free(&r);
	}
	claim_stand_ins_free(si, n_si > 0 ? (size_t)n_si : 0);
	cx_data_free(data);
	free(json);
	free(csv);
	free(res);
}

static int write_csv(const char *path, const struct entry *e, size_t n, const struct claims_args *a, long cores)
{
	FILE *f = fopen(path, "wx");
	char buf[32];

	if (!f)
		return -1;
	fputs("id,verdict,reason,figures,statement,notes,expect,host_cores,needs_cores,servers,servers_mode,quick,result,"
	      "stand_in_verdict,stand_in_reason\n", f);
	for (size_t i = 0; i < n; i++) {
		const char *fields[] = {e[i].c->id, e[i].verdict, e[i].reason, e[i].figures, e[i].c->statement,
					e[i].c->notes, e[i].c->expect_text};

		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			csv_put_field(f, fields[k] ? fields[k] : "");
			fputc(',', f);
		}
		fprintf(f, "%ld,", cores);
		snprintf(buf, sizeof(buf), "%u", e[i].c->cores);
		fputs(e[i].c->cores ? buf : "", f);
		fputc(',', f);
		csv_put_field(f, e[i].servers ? e[i].servers : "");
		fputc(',', f);
		csv_put_field(f, a->servers);
		fprintf(f, ",%s,", a->quick ? "true" : "false");
		csv_put_field(f, e[i].result ? e[i].result : "");
		fputc(',', f);
		csv_put_field(f, e[i].stand_in_verdict ? e[i].stand_in_verdict : "");
		fputc(',', f);
		csv_put_field(f, e[i].stand_in_reason ? e[i].stand_in_reason : "");
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* report.html beside claims.csv: the claims section (claims_report.h). */
static int write_report(const char *dir, const struct entry *e, size_t n, const struct claims_args *a, long cores)
{
	struct claims_report_row *rows = xcalloc(n ? n : 1, sizeof(*rows));
	char *path = xasprintf("%s/report.html", dir);
	int rc;

	for (size_t i = 0; i < n; i++)
		rows[i] = (struct claims_report_row){e[i].c->id, e[i].verdict, e[i].c->statement, e[i].c->notes,
						    e[i].c->expect_text, e[i].reason, e[i].servers, e[i].result,
						    e[i].stand_in_verdict, e[i].stand_in_reason};
	rc = claims_report_write(path, rows, n, cores, a->servers, a->quick);
	if (rc < 0)
		fprintf(stderr, "bench claims: cannot write %s: %s\n", path, strerror(errno));
	free(rows);
	free(path);
	return rc;
}

/* The part of a reason that decided the verdict: the first comparison
 * with the claim's verdict, else the whole reason. */
static const char *deciding(const char *reason, const char *verdict)
{
	char *key = xasprintf(": %s (", verdict);
	const char *hit = strstr(reason, key), *start = hit;

	free(key);
	if (!hit)
		return reason;
	while (start - reason >= 2 && !(start[-2] == ';' && start[-1] == ' '))
		start--;
	if (start - reason < 2)
		start = reason;
	return start;
}

/* One line per claim: the deciding part of the reason, cut to the
 * terminal's usual width (the whole of it is in claims.csv). */
static void print_table(const struct entry *e, size_t n)
{
	printf("\n%-24s %-13s %s\n", "claim", "verdict", "why (in full in claims.csv)");
	for (size_t i = 0; i < n; i++) {
		const char *r = deciding(e[i].reason ? e[i].reason : "", e[i].verdict);
		/* The id is a file's name and the reason may quote a server's
		 * reply (its product, a stand-in's): cut, then escaped. */
		char *cut = xasprintf("%.*s%s", strlen(r) > 90 ? 87 : 90, r, strlen(r) > 90 ? "..." : "");
		struct sbuf id = {0}, why = {0};

		escape_terminal(&id, e[i].c->id);
		escape_terminal(&why, cut);
		printf("%-24s %-13s %s\n", id.buf ? id.buf : "", e[i].verdict, why.buf ? why.buf : "");
		free(id.buf);
		free(why.buf);
		free(cut);
	}
}

int cmd_claims(int argc, char **argv)
{
	struct claims_args a = {0};
	struct entry *e = NULL;
	struct sigaction sa = {.sa_handler = on_signal};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	char stamp[32], err[512], *tmp = NULL, *final = NULL, *runs = NULL, *csv = NULL;
	size_t n = 0, failed = 0;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc;
	if ((rc = load_claims(&a, &e, &n)) != 0)
		goto out;
	if ((rc = cmd_check_outdir("claims", "--out", a.out, true)) != 0)
		goto out;
	util_utc_stamp(stamp, sizeof(stamp));
	tmp = xasprintf("%s/.tmp-%s-claims-XXXXXX", a.out, stamp);
	if (outdir_mkdir_p(a.out) < 0 || !mkdtemp(tmp) || (runs = xasprintf("%s/runs", tmp), mkdir(runs, 0755) < 0)) {
		fprintf(stderr, "bench claims: cannot create a result directory under %s: %s\n", a.out, strerror(errno));
		rc = BENCH_EXIT_ERRORS;
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (size_t i = 0; i < n; i++) {
		char *why = NULL, *log = NULL;

		if (stop_requested) {
			e[i].verdict = "NOT RUN";
			e[i].reason = xstrdup("interrupted before it ran");
			continue;
		}
		if ((why = not_run_reason(&a, &e[i]))) {
			e[i].verdict = "NOT RUN";
			e[i].reason = why;
		} else {
			int status;

			fprintf(stderr, "bench claims: %s: running %s%s ...\n", e[i].c->id, e[i].path, a.quick ? " (quick)" : "");
			status = run_claim(&a, &e[i], tmp, &log);
			evaluate(&e[i], tmp, status, log + strlen(tmp) + 1, cores);
			free(log);
		}
		failed += e[i].failed;
		fprintf(stderr, "bench claims: %s: %s\n", e[i].c->id, e[i].verdict);
	}
	csv = xasprintf("%s/claims.csv", tmp);
	if (write_csv(csv, e, n, &a, cores) < 0) {
		fprintf(stderr, "bench claims: cannot write %s: %s\n", csv, strerror(errno));
		rc = BENCH_EXIT_ERRORS;
		goto out;
	}
	if (write_report(tmp, e, n, &a, cores) < 0) {
		rc = BENCH_EXIT_ERRORS;
		goto out;
	}
	/* The runs' logs, run.json and reports name the directory they were
	 * written into: made to name the final one before it is in place. */
	if (!(final = outdir_publish(tmp, a.out, stamp, "claims", true, err, sizeof(err)))) {
		fprintf(stderr, "bench claims: %s\n", err);
		rc = BENCH_EXIT_ERRORS;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	print_table(e, n);
	printf("\nhost: %ld cores; claims: %s/claims.csv\n", cores, final);
	rc = failed || stop_requested ? BENCH_EXIT_ERRORS : BENCH_EXIT_OK;
out:
	if (tmp && rc != 0 && !final)
		util_remove_tree(tmp);
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].path);
		claim_free(e[i].c);
		workload_free(e[i].w);
		free(e[i].reason);
		free(e[i].stand_in_reason);
		free(e[i].figures);
		free(e[i].servers);
		free(e[i].result);
	}
	free(e);
	free(tmp);
	free(final);
	free(runs);
	free(csv);
	return rc;
}
