/*
 * servers.h - private local servers for `--servers spawn`, and the addresses
 * of external ones for `--servers external`.
 *
 * Spawned servers listen on free 127.0.0.1 ports, keep their files in one
 * temporary directory, and are stopped at exit whatever happens: on normal
 * return (servers_free), on exit() (atexit), on SIGINT/SIGTERM, and when bench
 * itself dies (the children ask the kernel for SIGKILL when their parent goes).
 */
#ifndef BENCH_SERVERS_H
#define BENCH_SERVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver.h"

struct server {
	char *program;      /* what was started: "redis-server", "bench-ferretdb" ... */
	char *exe;          /* its path */
	char *uri;          /* what the driver connects to */
	char *log;          /* its stdout/stderr */
	pid_t pid;          /* 0 once stopped */
	int port;
	char *dir;          /* its data directory */
	char **argv;        /* how it was started (a restart reuses it) */
};

struct server_set;

/*
 * Creates the set and its temporary directory, $TMPDIR/bench-servers-XXXXXX
 * (/tmp without TMPDIR), with an owner record in it (bench-owner: this
 * process's pid, start time and pid namespace) for servers_sweep_stale.
 * Returns 0, or -1 with errno and err set (docs/architecture.md, "Errors":
 * every function here fails that way).
 */
int servers_init(struct server_set **out, char *err, size_t errlen);

/*
 * Removes the servers' directories that a bench no longer running left
 * (SIGKILLed, or quit at once): only bench-servers-XXXXXX directories of
 * this user under $TMPDIR (or /tmp) whose owner record names a process of
 * this pid namespace that is gone (or whose pid is another process's now).
 * A directory without a readable record is never touched. Says what it
 * removed on stderr unless quiet (a failure always).
 */
void servers_sweep_stale(bool quiet);

/* Stops every server, removes the temporary directory. NULL is a no-op. */
void servers_free(struct server_set *set);

/*
 * Starts a private server for `driver` ("redis", "memcached", "mongodb") and
 * waits until it answers (driver->open + server_info succeed), up to 30 s.
 * `program` (may be NULL: the first the host has, in the order of the
 * driver's `servers` table) picks one of the driver's server programs
 * (mongodb: mongod or bench-ferretdb). `args` adds server arguments (NULL-terminated; may be
 * NULL).
 * Returns 0 and *out (owned by the set), or -1 with err set and errno:
 *   ENOENT  - no server program found; err says what to install,
 *   ENOTSUP - the driver has no server bench knows how to spawn,
 *   EINTR   - servers_cancel_start() was called while it started,
 *   other   - it did not start or answer; err has the reason and log tail.
 */
int servers_spawn(struct server_set *set, const struct bench_driver *driver, const char *program,
		  const char *const *args, struct server **out, char *err, size_t errlen);

/* What the workload's `server:` asks of a spawned server: memory in bytes
 * (0: the recipe's own) and an eviction word of the driver's recipe (NULL:
 * its default). */
struct server_size {
	uint64_t memory;
	const char *eviction;
};

/* servers_spawn with the server sized as `size` says (NULL: as
 * servers_spawn), through the recipe's memory_argv and eviction (driver.h);
 * a program without them ignores them. */
int servers_spawn_sized(struct server_set *set, const struct bench_driver *driver, const char *program,
			const char *const *args, const struct server_size *size, struct server **out, char *err,
			size_t errlen);

/*
 * Stops a running server and starts it again on the same port and
 * directory with its arguments rebuilt for `size` (args: the target's own,
 * as given to servers_spawn_sized), and waits until it answers: a sweep
 * over server.memory. Its data is gone (bench's servers keep none).
 * Returns 0, or -1 with errno and err. From the thread that spawned it.
 */
int servers_resize(struct server *srv, const struct bench_driver *driver, const char *const *args,
		   const struct server_size *size, char *err, size_t errlen);

/* Whether servers_spawn could find a server program for the driver, the
 * given one when program is not NULL: 0, or -1 with errno ENOENT / ENOTSUP
 * and err saying what to install. Starts nothing. */
int servers_check_spawn(const struct bench_driver *driver, const char *program, char *err, size_t errlen);
/*
 * Starts a replica of primary (spawned by this set) and waits until it
 * answers; it may still be copying the primary's data. Only a program
 * whose recipe has replica arguments (driver.h, replica_argv: Redis's
 * `--replicaof`); others give -1 with errno ENOTSUP and err. Returns as
 * servers_spawn.
 */
int servers_spawn_replica(struct server_set *set, const struct bench_driver *driver, const struct server *primary,
			  struct server **out, char *err, size_t errlen);

/* Stops one server (SIGTERM, then SIGKILL after 10 s). */
void servers_stop(struct server *srv);

/* Kills a server with SIGKILL (a crash: no chance to write anything) and
 * reaps it. */
void servers_kill9(struct server *srv);

/* Bytes in the server's data directory (its RDB/AOF/database files). */
uint64_t servers_data_bytes(const struct server *srv);

/*
 * Starts a killed server again: same program, arguments, port and data
 * directory, and waits until it answers (as servers_spawn). Must be called
 * from the thread that spawned it. Returns 0 with *restart_s (from exec to
 * the first answer: the time it took to load its data), or -1 with errno
 * and err set.
 */
int servers_restart(struct server *srv, const struct bench_driver *driver, double *restart_s,
		    char *err, size_t errlen);

/* The external address for a driver: its address_env variable when set
 * (BENCH_REDIS_URI ...), else its address_default. NULL for a driver that
 * has neither. */
const char *servers_external_uri(const struct bench_driver *d);

/* Looks up a server program: $PATH, then bench's tools/bin. Returns a
 * malloc'd path or NULL. */
char *servers_find_program(const char *name);



/* Async-signal-safe: a server being started is given up on (servers_spawn
 * stops it and returns EINTR); for a SIGINT/SIGTERM handler. */
void servers_cancel_start(void);

/* Async-signal-safe: SIGKILLs every server still running. For signal
 * handlers and last-resort exits. */
void servers_kill_all_now(void);

/* For a bench quitting at once, from a thread other than the one that
 * may be stopping the servers: SIGKILLs every server, reaps them (2 s at
 * most) and removes the live set's directory. The set itself is left to
 * the exit. */
void servers_abandon(void);
#endif
