/*
 * watch.h - what `bench run` watches while a phase runs: the server's CPU
 * time (from /proc for a server it spawned, from the server's own counters
 * otherwise) and the progress line.
 */
#ifndef BENCH_WATCH_H
#define BENCH_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver.h"
#include "runner.h"

enum watch_mode {
	WATCH_QUIET,            /* --quiet: print nothing */
	WATCH_TTY,              /* one line, rewritten in place */
	WATCH_PLAIN             /* a plain line every 10 s (logs, CI) */
};

struct watch {
	const char *target;
	enum watch_mode mode;
	pid_t pid;              /* > 0: a spawned server, read /proc/<pid> */
	struct bench_conn ctl;  /* else: a connection for driver->server_stats */
	bool have_ctl;
	bool line_open;         /* TTY: a progress line is on screen */
	double next_plain_s;
	char cpu_source[48];    /* "" while the server's CPU is unknown */
};

/* Sets up watching target bt (its server spawned as pid, or 0 when
 * external; the server's CPU stays unknown when neither works). */
void watch_init(struct watch *wt, const struct bench_target *bt, const struct bench_driver *d, pid_t pid,
		enum watch_mode mode);
/* The probe to hand runner_run_phase (valid while wt lives). */
void watch_probe(struct watch *wt, struct runner_probe *out);
/*
 * The progress line of target's phase at p, without the terminal's
 * rewind or a newline, into buf[len] (cut to fit; returns the length it
 * wanted): "  redis: run (warmup)  1/5 s  62310/s  p99 0.234 ms  errors 0".
 * Whole seconds gone (rounded down) of the phase's total, or of an ops or
 * load phase "1 s, 12000 of 20000" (p->done: finished so far); the rate and
 * p99 of the latest complete second ("-" before one); "(warmup)" exactly
 * while elapsed_s < warmup_s.
 */
size_t watch_format(char *buf, size_t len, const char *target, const struct runner_progress *p);
/* Clears a progress line left on the terminal. */
void watch_end_line(struct watch *wt);
/* Closes the connection. */
void watch_free(struct watch *wt);

/* The CPU seconds process pid has used: its threads' schedstat run times
 * (ns), else utime + stime from /proc/<pid>/stat; < 0 when unreadable. */
double watch_proc_cpu_s(pid_t pid);

/* The resident memory of process pid (VmRSS), in bytes; -1 when unreadable. */
int64_t watch_proc_rss_bytes(pid_t pid);

#endif
