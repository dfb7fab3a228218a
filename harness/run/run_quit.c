/*
 * run_quit.c - `bench run` quitting at once (cmd_run_int.h): the second
 * stop signal kills the servers bench spawned and ends the process without
 * writing results. What a signal handler may not do (remove the servers'
 * directory, count the keys a run leaves on a server bench did not start,
 * print them with the command that removes them) is done by a thread that
 * waits for the handler's word on a pipe, with every signal blocked.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_phases.h"
#include "namespace.h"
#include "secret.h"
#include "servers.h"
#include "util.h"

/* How long the count of what is left may take: long enough for a small
 * keyspace, short enough that quitting stays quick on a large one. */
#define QUIT_COUNT_NS (5ull * 1000000000ull)

static atomic_int wake_fd = -1;  /* the pipe's write end; -1: no quitter */
static atomic_int quitting;
static atomic_int watching;      /* a target's keys are under its prefix now */

/* The watched targets (several at once when the run order interleaves
 * them: run_order.h); the quitter takes watch_mu and keeps it until it
 * exits, so the main thread cannot move on (or free these) meanwhile. */
static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
struct watched {
	const struct bench_driver *driver;
	const struct bench_target *bt;
	char *uri, *hint;
};
static struct watched *watched;
static size_t n_watched;

static void say(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0) {
		/* nothing to do */
	}
}

static void *quitter(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char byte;
	ssize_t n;

	while ((n = read(fd, &byte, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return NULL;
	pthread_mutex_lock(&watch_mu);
	servers_abandon();
	for (size_t i = 0; i < n_watched; i++) {
		const struct watched *x = &watched[i];
		bool any;
		char *left = namespace_left(x->driver, x->bt, x->uri, QUIT_COUNT_NS, &any);
		char *line = any ? xasprintf("bench: %s; `%s` removes them\n", left, x->hint)
				 : xasprintf("bench: %s\n", left);
		char *safe = secret_scrub(line);

		say(safe);
		free(safe);
		free(line);
		free(left);
	}
	_exit(BENCH_EXIT_ERRORS);
}

int run_quit_init(void)
{
	int fds[2];
	pthread_t th;
	sigset_t all, old;
	int rc;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&th, NULL, quitter, (void *)(intptr_t)fds[0]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(fds[0]);
		close(fds[1]);
		errno = rc;
		return -1;
	}
	/* Left blocked on the pipe until the process ends: closing the pipe
	 * would race with a handler about to write to it. */
	pthread_detach(th);
	atomic_store(&wake_fd, fds[1]);
	return 0;
}

void run_quit_now(void)
{
	static const char quick[] = "\nbench: quitting at once: no results are written\n";
	static const char count[] = "\nbench: quitting at once: no results are written; counting the keys the run "
				    "leaves (again to skip)\n";
	int fd = atomic_load(&wake_fd);

	servers_kill_all_now();
	if (atomic_exchange(&quitting, 1) || fd < 0)
		_exit(BENCH_EXIT_ERRORS); /* again, or no quitter: at once */
	say(atomic_load(&watching) ? count : quick);
	if (write(fd, "q", 1) != 1)
		_exit(BENCH_EXIT_ERRORS);
}

void run_quit_checkpoint(void)
{
	while (atomic_load(&quitting))
		pause(); /* the quitter ends the process; a signal, at once */
}

void run_quit_watch(const struct bench_driver *d, const struct bench_target *bt, const char *uri, const char *hint)
{
	pthread_mutex_lock(&watch_mu);
	watched = xrealloc(watched, (n_watched + 1) * sizeof(*watched));
	watched[n_watched++] = (struct watched){d, bt, xstrdup(uri), xstrdup(hint)};
	atomic_store(&watching, 1);
	pthread_mutex_unlock(&watch_mu);
}

void run_quit_unwatch(const struct bench_target *bt)
{
	pthread_mutex_lock(&watch_mu);
	for (size_t i = 0; i < n_watched; i++) {
		if (watched[i].bt != bt)
			continue;
		free(watched[i].uri);
		free(watched[i].hint);
		watched[i] = watched[--n_watched];
		break;
	}
	atomic_store(&watching, n_watched > 0);
	if (!n_watched) {
		free(watched);
		watched = NULL;
	}
	pthread_mutex_unlock(&watch_mu);
}
