/* watch.c - server CPU and the progress line during a phase. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watch.h"

/* utime + stime of /proc/<pid>/stat, in clock ticks (10 ms) converted. */
static double watch_proc_stat_s(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long utime, stime;
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip to its end. */
	p = strrchr(buf, ')');
	/* Fields 3..13 (state .. cmajflt), then utime and stime, in ticks. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * The first field of /proc/<pid>/task/<tid>/schedstat is the thread's time
 * on a CPU in nanoseconds: summed over the threads it is exact where
 * /proc/<pid>/stat counts 10 ms ticks (short phases need the precision).
 * Threads that already exited are missing, which servers' long-lived
 * threads make irrelevant. < 0 when unreadable.
 */
double watch_proc_cpu_s(pid_t pid)
{
	char path[64];
	struct dirent *de;
	unsigned long long sum = 0;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char file[300];
		unsigned long long ns;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "/proc/%d/task/%s/schedstat", (int)pid, de->d_name);
		f = fopen(file, "r");
		if (f && fscanf(f, "%llu", &ns) == 1) {
			sum += ns;
			found++;
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	/* Without schedstat (CONFIG_SCHED_INFO off) every thread reads 0. */
	if (!found || sum == 0)
		return watch_proc_stat_s(pid);
	return (double)sum / 1e9;
}

static double watch_server_cpu(void *arg)
{
	struct watch *wt = arg;
	struct bench_server_stats st;

	if (wt->pid > 0)
		return watch_proc_cpu_s(wt->pid);
	if (!wt->have_ctl || wt->ctl.driver->server_stats(&wt->ctl, &st) < 0)
		return -1;
	return st.cpu_s;
}

size_t watch_format(char *buf, size_t len, const char *target, const struct runner_progress *p)
{
	char where[64], rate[32] = "-", p99[32] = "-";
	/* Whole seconds gone, rounded down: a line at 1.9 s of a 2 s warmup
	 * reads "1/..." with "(warmup)", one at 2.0 s reads "2/..." without. */
	double at = floor(p->elapsed_s);
	int n;

	if (p->total_s > 0)
		snprintf(where, sizeof(where), "%.0f/%.0f s", at, p->total_s);
	else if (p->ops_total)
		snprintf(where, sizeof(where), "%.0f s, %llu of %llu", at, (unsigned long long)p->done,
			 (unsigned long long)p->ops_total);
	else
		snprintf(where, sizeof(where), "%.0f s", at);
	if (p->ts.second != INT64_MIN) {
		snprintf(rate, sizeof(rate), "%llu/s", (unsigned long long)p->ts.answered);
		if (p->ts.answered)
			snprintf(p99, sizeof(p99), "%.3f ms", (double)p->ts.p99_ns / 1e6);
	}
	n = snprintf(buf, len, "  %s: %s%s  %s  %s  p99 %s  errors %llu", target, p->phase->name,
		     p->elapsed_s < p->warmup_s ? " (warmup)" : "", where, rate, p99,
		     (unsigned long long)p->ts.total_failed);
	return n < 0 ? 0 : (size_t)n;
}

static void watch_progress(void *arg, const struct runner_progress *p)
{
	struct watch *wt = arg;
	char line[256];

	if (wt->mode == WATCH_QUIET)
		return;
	if (wt->mode == WATCH_PLAIN) {
		if (p->elapsed_s < wt->next_plain_s)
			return;
		wt->next_plain_s = p->elapsed_s + 10;
	}
	watch_format(line, sizeof(line), wt->target, p);
	fprintf(stderr, "%s%s%s", wt->mode == WATCH_TTY ? "\r\033[K" : "", line, wt->mode == WATCH_TTY ? "" : "\n");
	fflush(stderr);
	wt->line_open = wt->mode == WATCH_TTY;
}

void watch_init(struct watch *wt, const struct bench_target *bt, const struct bench_driver *d, pid_t pid,
		enum watch_mode mode)
{
	memset(wt, 0, sizeof(*wt));
	wt->target = bt->name;
	wt->mode = mode;
	wt->pid = pid;
	if (pid > 0 && watch_proc_cpu_s(pid) >= 0) {
		snprintf(wt->cpu_source, sizeof(wt->cpu_source), "/proc/%d", (int)pid);
		return;
	}
	wt->pid = 0;
	if (!d->server_stats)
		return;
	wt->ctl.driver = d;
	wt->ctl.target = bt;
	if (d->open(&wt->ctl) == 0) {
		struct bench_server_stats st;

		wt->have_ctl = true;
		if (d->server_stats(&wt->ctl, &st) == 0 && st.cpu_s >= 0)
			snprintf(wt->cpu_source, sizeof(wt->cpu_source), "%s", st.cpu_source);
		return;
	}
	d->close(&wt->ctl);
	wt->ctl.driver = NULL;
}

void watch_probe(struct watch *wt, struct runner_probe *out)
{
	*out = (struct runner_probe){
		.server_cpu_s = wt->cpu_source[0] ? watch_server_cpu : NULL,
		.progress = watch_progress,
		.arg = wt,
	};
}

void watch_end_line(struct watch *wt)
{
	if (wt->line_open)
		fputs("\r\033[K", stderr);
	wt->line_open = false;
}

void watch_free(struct watch *wt)
{
	if (wt->have_ctl)
		wt->ctl.driver->close(&wt->ctl);
	wt->have_ctl = false;
}

int64_t watch_proc_rss_bytes(pid_t pid)
{
	char path[64], line[256];
	long long kb = -1;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : (int64_t)kb * 1024;
}
