/*
 * delay_proxy.c - a TCP proxy that holds every chunk it reads for a fixed
 * time before writing it on: the known latency of tests/integration/ground_truth.sh.
 *
 *   delay_proxy --upstream HOST:PORT --delay-us D [--listen 127.0.0.1:0]
 *
 * Each accepted client gets its own upstream connection. Every read, in
 * either direction, becomes a chunk due D µs after the moment it was read
 * (CLOCK_MONOTONIC), and chunks leave in order once due, so a request/reply
 * round trip through the proxy takes at least 2·D. One thread, epoll,
 * non-blocking sockets, TCP_NODELAY on both sides, deadlines on a timerfd
 * (epoll_wait's millisecond timeout would round a 2 ms hold up by up to 1 ms).
 * Reading pauses while QUEUE_MAX bytes wait in a direction (backpressure).
 *
 * Prints "PORT <n>" once listening. Exits 0 on SIGTERM/SIGINT or at EOF on
 * stdin, so a test that dies cannot leave it running. When either side of a
 * pair closes, what was already read is still delivered when due, then both
 * sockets close (no half-close: enough for request/reply protocols).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "test_net.h"

#define CHUNK_MAX 65536
#define QUEUE_MAX (8u << 20)

struct chunk {
	struct chunk *next;
	uint64_t due;            /* CLOCK_MONOTONIC ns */
	size_t len, off;
	char data[];
};

/* Bytes read from one socket of a pair, waiting to go to the other. */
struct dir {
	struct chunk *head, *tail;
	size_t queued;
	int blocked;             /* the receiving socket is full: wait for EPOLLOUT */
};

struct pair;
struct end {                     /* epoll data of one socket */
	struct pair *p;
	int side;                /* 0 = client, 1 = upstream */
};

struct pair {
	struct pair *next;
	int fd[2];
	struct dir d[2];         /* d[s]: read from fd[s], written to fd[1 - s] */
	struct end e[2];
	uint32_t mask[2];        /* events registered; 0 = not in the epoll set */
	int closing;             /* a side closed: deliver what is queued, then close */
};

static int epfd = -1;
static uint64_t delay_ns;
static struct pair *pairs;
static char tag_listen, tag_timer, tag_signal, tag_stdin; /* epoll data of the rest */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "delay_proxy: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Registers fd for `want`; a socket with nothing to wait for leaves the set,
 * so one that hung up and is no longer read cannot spin the loop. */
static void watch(int fd, uint32_t *have, uint32_t want, void *ptr)
{
	struct epoll_event ev = {.events = want, .data.ptr = ptr};

	if (*have != want && epoll_ctl(epfd, !want ? EPOLL_CTL_DEL : *have ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0)
		die("epoll_ctl");
	*have = want;
}

static void dir_drop(struct dir *d)
{
	while (d->head) {
		struct chunk *c = d->head;

		d->head = c->next;
		free(c);
	}
	d->tail = NULL;
	d->queued = 0;
}

static void pair_free(struct pair *p)
{
	for (int s = 0; s < 2; s++) {
		close(p->fd[s]); /* also leaves the epoll set */
		dir_drop(&p->d[s]);
	}
	free(p);
}

static void accept_all(int lfd, const struct sockaddr_storage *up, socklen_t up_len)
{
	int cfd, ufd, one = 1;
	struct pair *p;

	while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* A blocking connect keeps this simple: the upstream is a local
		 * test server, and the kernel answers even for a stopped one. */
		ufd = socket(up->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (ufd < 0 || connect(ufd, (const struct sockaddr *)up, up_len) != 0 ||
		    fcntl(ufd, F_SETFL, O_NONBLOCK) != 0 || !(p = calloc(1, sizeof(*p)))) {
			fprintf(stderr, "delay_proxy: upstream: %s\n", strerror(errno));
			if (ufd >= 0)
				close(ufd);
			close(cfd);
			continue;
		}
		p->fd[0] = cfd;
		p->fd[1] = ufd;
		for (int s = 0; s < 2; s++) {
			setsockopt(p->fd[s], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			p->e[s] = (struct end){.p = p, .side = s};
		}
		p->next = pairs;
		pairs = p;
	}
}

/* Reads one chunk from side s and queues it, due delay_ns from now. */
static void pair_read(struct pair *p, int s)
{
	struct chunk *c = malloc(sizeof(*c) + CHUNK_MAX);
	ssize_t n;

	if (!c)
		die("malloc");
	n = read(p->fd[s], c->data, CHUNK_MAX);
	if (n <= 0) {
		free(c);
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			p->closing = 1;
		return;
	}
	*c = (struct chunk){.due = now_ns() + delay_ns, .len = (size_t)n};
	if (p->d[s].tail)
		p->d[s].tail->next = c;
	else
		p->d[s].head = c;
	p->d[s].tail = c;
	p->d[s].queued += (size_t)n;
}

/* Writes d[s]'s due chunks to the other side, as far as it takes them. */
static void pair_flush(struct pair *p, int s, uint64_t now)
{
	struct dir *d = &p->d[s];

	while (d->head && d->head->due <= now && !d->blocked) {
		struct chunk *c = d->head;
		ssize_t w = send(p->fd[1 - s], c->data + c->off, c->len - c->off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			d->blocked = 1;
		} else if (w < 0) { /* the receiver is gone: nothing more can be delivered */
			dir_drop(d);
			p->closing = 1;
		} else if ((c->off += (size_t)w) == c->len) {
			d->queued -= c->len;
			if (!(d->head = c->next))
				d->tail = NULL;
			free(c);
		}
	}
}

/* Delivers what is due, frees finished pairs, updates what epoll waits
 * for; returns the earliest deadline still to come (UINT64_MAX if none). */
static uint64_t service(void)
{
	uint64_t now = now_ns(), next = UINT64_MAX;

	for (struct pair **pp = &pairs, *p; (p = *pp);) {
		for (int s = 0; s < 2; s++) {
			pair_flush(p, s, now);
			if (p->d[s].head && !p->d[s].blocked && p->d[s].head->due < next)
				next = p->d[s].head->due;
		}
		if (p->closing && !p->d[0].head && !p->d[1].head) {
			*pp = p->next;
			pair_free(p);
			continue;
		}
		for (int s = 0; s < 2; s++)
			watch(p->fd[s], &p->mask[s], (!p->closing && p->d[s].queued < QUEUE_MAX ? EPOLLIN : 0u) |
			      (p->d[1 - s].blocked ? EPOLLOUT : 0u), &p->e[s]);
		pp = &p->next;
	}
	return next;
}

static void usage(void)
{
	fprintf(stderr, "usage: delay_proxy --upstream HOST:PORT --delay-us D [--listen 127.0.0.1:0]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *upstream = NULL, *listen_at = "127.0.0.1:0", *delay = NULL;
	struct sockaddr_storage up, la;
	socklen_t up_len, la_len;
	uint32_t masks[4] = {0};
	sigset_t sigs;
	char *end;
	int lfd, tfd, sfd, one = 1, quit = 0;

	for (int i = 1; i < argc; i += 2) { /* every option takes a value */
		const char **opt = strcmp(argv[i], "--upstream") == 0 ? &upstream
				 : strcmp(argv[i], "--listen") == 0 ? &listen_at
				 : strcmp(argv[i], "--delay-us") == 0 ? &delay : NULL;

		if (!opt || i + 1 >= argc)
			usage();
		*opt = argv[i + 1];
	}
	if (!upstream || !delay || !*delay || *delay == '-')
		usage();
	delay_ns = strtoull(delay, &end, 10);
	if (*end || delay_ns > 3600000000u) /* at most an hour */
		usage();
	delay_ns *= 1000u;
	if (test_net_resolve(upstream, 0, &up, &up_len) != 0 || test_net_resolve(listen_at, 1, &la, &la_len) != 0) {
		fprintf(stderr, "delay_proxy: cannot resolve %s or %s\n", upstream, listen_at);
		return 2;
	}
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* no slack on any wait */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (lfd = socket(la.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		die("setup");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&la, la_len) != 0 || listen(lfd, 128) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&la, &la_len) != 0)
		die(listen_at);
	watch(lfd, &masks[0], EPOLLIN, &tag_listen);
	watch(tfd, &masks[1], EPOLLIN, &tag_timer);
	watch(sfd, &masks[2], EPOLLIN, &tag_signal);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, STDIN_FILENO, &(struct epoll_event){.events = EPOLLIN, .data.ptr = &tag_stdin}) != 0) {
		fprintf(stderr, "delay_proxy: stdin must be a pipe or a terminal: the proxy exits at its EOF\n");
		return 2;
	}
	printf("PORT %d\n", ntohs(la.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&la)->sin6_port
					: ((struct sockaddr_in *)&la)->sin_port));
	fflush(stdout);

	while (!quit) {
		uint64_t next = service();
		struct itimerspec its = {.it_value = {0, 0}};
		struct epoll_event evs[64];
		int n;

		if (next != UINT64_MAX) /* a deadline already past fires at once */
			its.it_value = (struct timespec){(time_t)(next / 1000000000u), (long)(next % 1000000000u)};
		timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
		if ((n = epoll_wait(epfd, evs, 64, -1)) < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;
			char buf[512];
			ssize_t r;

			if (tag == &tag_listen) {
				accept_all(lfd, &up, up_len);
			} else if (tag == &tag_timer) {
				r = read(tfd, buf, sizeof(buf)); /* only clears it */
			} else if (tag == &tag_signal) {
				quit = 1;
			} else if (tag == &tag_stdin) {
				r = read(STDIN_FILENO, buf, sizeof(buf));
				quit |= r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR);
			} else {
				struct end *e = tag;

				if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
					e->p->d[1 - e->side].blocked = 0; /* retry; an error drops it */
				if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP) && !e->p->closing)
					pair_read(e->p, e->side);
			}
		}
	}
	while (pairs) {
		struct pair *p = pairs;

		pairs = p->next;
		pair_free(p);
	}
	close(lfd);
	close(tfd);
	close(sfd);
	close(epfd);
	return 0;
}
