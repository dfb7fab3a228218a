/*
 * idle.h - idle connections held open to a server while a phase runs (the
 * "many idle users" claim): plain TCP connections that send nothing, the
 * cheapest client a server can have.
 */
#ifndef BENCH_IDLE_H
#define BENCH_IDLE_H

#include <stddef.h>
#include <stdint.h>

struct idle_set;

/*
 * The host and port of a target's uri ("redis://[user:pw@]host:port/..",
 * "host:port[,host:port...]", "mongodb://host:port/.."): the first server
 * named. Returns 0, or -1 when the uri names none.
 */
int idle_parse_address(const char *uri, char *host, size_t hostlen, int *port);

/*
 * Opens n connections to host:port, raising bench's open-file limit
 * (RLIMIT_NOFILE) as far as needed and allowed. A connection the server
 * refuses (or that cannot be made: no file descriptors left) is counted,
 * not fatal. Returns 0 and *out (free with idle_close), or -1 with err
 * set when nothing could be set up (the host does not resolve).
 */
int idle_open(const char *host, int port, uint64_t n, struct idle_set **out, char *err, size_t errlen);

/* Connections open and not closed by the server, as of the last
 * idle_check (or idle_open). */
uint64_t idle_held(const struct idle_set *s);
/* Connections refused: at connect, or closed by the server since (a
 * server over its connection limit accepts, says why, and closes). */
uint64_t idle_refused(const struct idle_set *s);

/* Looks at every held connection once (without blocking) and counts the
 * ones the server has closed or written to as refused. */
void idle_check(struct idle_set *s);

/* Closes every connection. NULL is a no-op. */
void idle_close(struct idle_set *s);

#endif
