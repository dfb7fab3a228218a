/* idle.c - idle connections held open during a phase (idle.h). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "driver.h"
#include "idle.h"
#include "util.h"

/* File descriptors bench keeps for itself above the idle ones: its
 * clients, servers, result files. */
#define IDLE_FD_RESERVE 4096

struct idle_set {
	int *fds;               /* -1 once refused */
	size_t n;
	uint64_t held, refused;
};

int idle_parse_address(const char *uri, char *host, size_t hostlen, int *port)
{
	const char *p, *end, *colon;
	long v;
	char *num_end;

	if (!uri)
		return -1;
	/* Past the credentials as the drivers read them: a password may hold
	 * ',', '/' or '?'. */
	p = bench_uri_public(uri);
	end = p + strcspn(p, ",/?");
	colon = NULL;
	for (const char *q = p; q < end; q++)
		if (*q == ':')
			colon = q;
	if (!colon || colon == p || (size_t)(colon - p) >= hostlen)
		return -1;
	v = strtol(colon + 1, &num_end, 10);
	if (num_end != end || v <= 0 || v > 65535)
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	*port = (int)v;
	return 0;
}

/* Room for n more descriptors: raise the soft limit, and the hard one
 * when allowed (root). Never lowers either. */
static void raise_nofile(uint64_t n)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	want = (rlim_t)(n + IDLE_FD_RESERVE);
	if (rl.rlim_cur >= want)
		return;
	if (rl.rlim_max < want) {
		struct rlimit hard = {want, want};

		if (setrlimit(RLIMIT_NOFILE, &hard) == 0)
			return;
		want = rl.rlim_max;
	}
	rl.rlim_cur = want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int idle_open(const char *host, int port, uint64_t n, struct idle_set **out, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
	char service[16];
	struct idle_set *s;
	int rc;

	*out = NULL;
	snprintf(service, sizeof(service), "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &ai)) != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
		errno = EINVAL;
		return -1;
	}
	raise_nofile(n);
	s = xcalloc(1, sizeof(*s));
	s->fds = xcalloc(n ? n : 1, sizeof(*s->fds));
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			s->fds[i] = fd;
			s->held++;
			continue;
		}
		if (fd >= 0)
			close(fd);
		s->fds[i] = -1;
		s->refused++;
	}
	freeaddrinfo(ai);
	*out = s;
	return 0;
}

uint64_t idle_held(const struct idle_set *s)
{
	return s ? s->held : 0;
}

uint64_t idle_refused(const struct idle_set *s)
{
	return s ? s->refused : 0;
}

void idle_check(struct idle_set *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		struct pollfd p = {.fd = s->fds[i], .events = POLLIN | POLLRDHUP};

		if (s->fds[i] < 0 || poll(&p, 1, 0) <= 0)
			continue;
		/* An idle client is never sent anything: a reply or a close
		 * is the server turning it away (max clients). */
		close(s->fds[i]);
		s->fds[i] = -1;
		s->held--;
		s->refused++;
	}
}

void idle_close(struct idle_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s->fds);
	free(s);
}
