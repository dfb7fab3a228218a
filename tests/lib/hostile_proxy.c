/*
 * hostile_proxy.c - a TCP proxy in front of a real redis-server or
 * memcached that breaks one thing on purpose, for tests/integration/broken_servers.sh:
 * what bench does when a server (or something between it and the server)
 * does not behave.
 *
 *   hostile_proxy --upstream HOST:PORT --mode MODE [--arg TEXT] [--skip N] [--delay-ms D]
 *
 * The first N commands the mode would change (SCANs, metadumps, gets;
 * counted over all connections) go through unchanged: --skip 1 lets the
 * check before a run see the truth, and breaks the cleanup after it. Each
 * command changed is said on stderr ("changed: SCAN"), for a test to wait
 * on; --delay-ms D holds each changed SCAN, and each line of an endless
 * dump, for D ms (a slow server, so a test can signal bench meanwhile).
 *
 * Redis modes (the client's commands are read as RESP arrays):
 *   scan-match-all  SCAN <cursor> MATCH <pattern> ... goes on with
 *                   MATCH * : the server returns every key, not only the
 *                   pattern's (a proxy that drops or rewrites MATCH).
 *   scan-eval       SCAN <cursor> MATCH <pattern> COUNT <n> becomes EVAL
 *                   <--arg> 0 <cursor> <pattern> <n>: the script's reply
 *                   is the SCAN reply (a cursor that never ends, elements
 *                   that are not strings).
 *   range-eval      every ZRANGEBYLEX (a range's index read) becomes EVAL
 *                   <--arg> 0: the script's reply is the range's keys
 *                   (elements that are not strings: nil, numbers).
 *   redis-get-reply every GET is answered by the proxy with --arg, as
 *                   memcached's get-reply (below) writes it: a bulk string
 *                   of 2 GB announced, an array of 2^31 elements.
 * memcached modes (the client's commands are read as text lines, with the
 * data block of a storage command):
 *   metadump        `lru_crawler metadump ...` is answered by the proxy with an endless dump, lines
 *                   "key=<--arg><i> exp=-1 la=1 cas=<i> fetch=no cls=1
 *                   size=70", i = 0, 1, 2 ...: the server lists forever.
 *   get-reply       every get/gets is answered by the proxy with --arg,
 *                   where \r and \n are CR and LF, {key} is the first key
 *                   asked for and {fill:N} is N bytes 'x' (streamed).
 * MongoDB mode (the client's messages are read as OP_MSG; built with
 * libbson only):
 *   mongo-no-filter a find command loses its filter, and the $match stages
 *                   of an aggregate match everything: the server returns
 *                   every document of the collection (a proxy or server
 *                   that does not apply the query). Writes (delete) are
 *                   left alone: no client can protect against a server
 *                   that ignores the filter of a delete.
 * Everything else goes to the upstream server as it came, and its replies
 * come back unchanged.
 *
 * One process per client connection (fork), blocking sockets. Prints
 * "PORT <n>" once listening. Exits at EOF on stdin or on SIGTERM/SIGINT, and
 * its children with it, so a test that dies cannot leave it running.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_net.h"

#ifdef HOSTILE_BSON
#include <bson/bson.h>
#endif

#define BUF_MAX (16u << 20) /* the most a command may take */
#define MAX_ARGS 64

enum mode { M_SCAN_MATCH_ALL, M_SCAN_EVAL, M_METADUMP, M_GET_REPLY, M_MONGO_NO_FILTER, M_REDIS_GET_REPLY, M_RANGE_EVAL };

static enum mode mode;
static const char *arg = "";
static unsigned long skip, delay_ms;
static atomic_ulong *intercepted; /* commands seen that the mode changes, over every child */

_Noreturn static void die(const char *what)
{
	fprintf(stderr, "hostile_proxy: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Says that a command was changed (unless what is ""), then waits
 * --delay-ms. */
static void changed(const char *what)
{
	struct timespec d = {.tv_sec = (time_t)(delay_ms / 1000), .tv_nsec = (long)(delay_ms % 1000) * 1000000};

	if (*what)
		fprintf(stderr, "changed: %s\n", what);
	while (delay_ms && nanosleep(&d, &d) != 0 && errno == EINTR) {
	}
}

/* Writes all of p, or exits (the other side is gone: nothing left to do). */
static void put(int fd, const void *p, size_t len)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(0);
		p = (const char *)p + w;
		len -= (size_t)w;
	}
}

/* One RESP bulk string. */
static void put_bulk(int fd, const char *s, size_t len)
{
	char head[32];

	put(fd, head, (size_t)snprintf(head, sizeof(head), "$%zu\r\n", len));
	put(fd, s, len);
	put(fd, "\r\n", 2);
}

/* A decimal at *p ending in "\r\n" before end; moves *p past it. -1 when
 * incomplete or not a number. */
static long long number_crlf(const char **p, const char *end)
{
	const char *q = *p;
	long long v = 0;

	if (q < end && *q == '-')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++)
		v = v * 10 + (*q - '0');
	if (q + 2 > end || q[0] != '\r' || q[1] != '\n' || v > (long long)BUF_MAX)
		return -1;
	*p = q + 2;
	return v;
}

/*
 * A whole RESP array command at buf[0..len): its arguments into av/avl.
 * Returns the bytes it takes, 0 when incomplete, -1 when it is not one (the
 * caller forwards what there is).
 */
static long parse_resp(const char *buf, size_t len, const char **av, size_t *avl, int *ac)
{
	const char *p = buf + 1, *end = buf + len;
	long long n, l;

	if (len == 0 || buf[0] != '*')
		return -1;
	if ((n = number_crlf(&p, end)) < 0)
		return memchr(buf, '\n', len) ? -1 : 0;
	if (n > MAX_ARGS)
		return -1;
	for (*ac = 0; *ac < n; (*ac)++) {
		if (p >= end)
			return 0;
		if (*p++ != '$')
			return -1;
		if ((l = number_crlf(&p, end)) < 0)
			return memchr(p - 1, '\n', (size_t)(end - p + 1)) ? -1 : 0;
		if (p + l + 2 > end)
			return 0;
		av[*ac] = p;
		avl[*ac] = (size_t)l;
		p += l + 2;
	}
	return (long)(p - buf);
}

static int is_word(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && strncasecmp(s, w, len) == 0;
}

static void get_reply(int client, const char *key, size_t klen);

/* A Redis command from the client: SCAN changed as the mode says (GET
 * answered by the proxy, in redis-get-reply), the rest as it came. */
static void redis_command(int client, int up, const char *raw, size_t rawlen, const char **av, const size_t *avl,
			  int ac)
{
	char head[32];

	if (mode == M_REDIS_GET_REPLY) {
		if (ac == 2 && is_word(av[0], avl[0], "GET") && atomic_fetch_add(intercepted, 1) >= skip) {
			changed("GET");
			get_reply(client, av[1], avl[1]);
		} else {
			put(up, raw, rawlen);
		}
		return;
	}

	if (mode == M_RANGE_EVAL) {
		if (ac >= 2 && is_word(av[0], avl[0], "ZRANGEBYLEX") && atomic_fetch_add(intercepted, 1) >= skip) {
			changed("ZRANGEBYLEX");
			put(up, "*3\r\n", 4); /* EVAL script 0 */
			put_bulk(up, "EVAL", 4);
			put_bulk(up, arg, strlen(arg));
			put_bulk(up, "0", 1);
		} else {
			put(up, raw, rawlen);
		}
		return;
	}

	if (ac < 4 || !is_word(av[0], avl[0], "SCAN") || !is_word(av[2], avl[2], "MATCH") ||
	    atomic_fetch_add(intercepted, 1) < skip) {
		put(up, raw, rawlen);
		return;
	}
	changed("SCAN");
	if (mode == M_SCAN_MATCH_ALL) {
		put(up, head, (size_t)snprintf(head, sizeof(head), "*%d\r\n", ac));
		for (int i = 0; i < ac; i++)
			put_bulk(up, i == 3 ? "*" : av[i], i == 3 ? 1 : avl[i]);
		return;
	}
	/* EVAL script 0 cursor pattern count */
	put(up, "*6\r\n", 4);
	put_bulk(up, "EVAL", 4);
	put_bulk(up, arg, strlen(arg));
	put_bulk(up, "0", 1);
	put_bulk(up, av[1], avl[1]);
	put_bulk(up, av[3], avl[3]);
	if (ac >= 6)
		put_bulk(up, av[5], avl[5]);
	else
		put_bulk(up, "10", 2);
}

/* The endless dump: never returns (exits once the client is gone). */
static void endless_dump(int client)
{
	char line[512];

	for (unsigned long long i = 0;; i++) {
		changed(i ? "" : "metadump");
		put(client, line, (size_t)snprintf(line, sizeof(line),
				"key=%s%llu exp=-1 la=1 cas=%llu fetch=no cls=1 size=70\r\n", arg, i, i + 1));
	}
}

/* --arg for the get of `key`: escapes expanded, {fill:N} streamed. */
static void get_reply(int client, const char *key, size_t klen)
{
	static char xs[65536];

	if (!xs[0])
		memset(xs, 'x', sizeof(xs));
	for (const char *p = arg; *p;) {
		unsigned long long n;
		char *end;

		if (p[0] == '\\' && (p[1] == 'r' || p[1] == 'n')) {
			put(client, p[1] == 'r' ? "\r" : "\n", 1);
			p += 2;
		} else if (strncmp(p, "{key}", 5) == 0) {
			put(client, key, klen);
			p += 5;
		} else if (strncmp(p, "{fill:", 6) == 0 && (n = strtoull(p + 6, &end, 10), *end == '}')) {
			for (; n; n -= n < sizeof(xs) ? n : sizeof(xs))
				put(client, xs, n < sizeof(xs) ? n : sizeof(xs));
			p = end + 1;
		} else {
			put(client, p++, 1);
		}
	}
}

/*
 * A memcached command at buf[0..len): returns the bytes it takes (line and
 * data block), 0 when incomplete. Forwards it, or answers it itself.
 */
static long mc_command(int client, int up, const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len), *sp;
	size_t ll, take;
	unsigned long long bytes = 0;
	char word[16] = "";

	if (!nl)
		return 0;
	ll = (size_t)(nl - buf);
	take = ll + 1;
	sscanf(buf, "%15s", word);
	if (!strcmp(word, "set") || !strcmp(word, "add") || !strcmp(word, "replace") || !strcmp(word, "append") ||
	    !strcmp(word, "prepend") || !strcmp(word, "cas")) {
		/* <cmd> <key> <flags> <exptime> <bytes> ... */
		if (sscanf(buf, "%*s %*s %*s %*s %llu", &bytes) != 1 || bytes > BUF_MAX)
			bytes = 0;
		else
			take += bytes + 2;
		if (take > len)
			return 0;
	}
	if (mode == M_METADUMP && !strncmp(buf, "lru_crawler metadump", 20) && atomic_fetch_add(intercepted, 1) >= skip)
		endless_dump(client);
	if (mode == M_GET_REPLY && (!strcmp(word, "get") || !strcmp(word, "gets")) && atomic_fetch_add(intercepted, 1) >= skip) {
		const char *key = buf + strlen(word);

		while (*key == ' ')
			key++;
		sp = key;
		while (sp < nl && *sp != ' ' && *sp != '\r')
			sp++;
		changed("get");
		get_reply(client, key, (size_t)(sp - key));
		return (long)take;
	}
	put(up, buf, take);
	return (long)take;
}

#ifdef HOSTILE_BSON
static uint32_t le32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static void put_le32(char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (char)(v >> (8 * i));
}

/* A copy of a command body without its filter (find), or with every
 * $match stage matching everything (aggregate); NULL: leave it alone. */
static bson_t *mongo_unfiltered(const bson_t *body)
{
	bson_iter_t it, st;
	bson_t *out, pipe, stage;
	const char *cmd;

	if (!bson_iter_init(&it, body) || !bson_iter_next(&it))
		return NULL;
	cmd = bson_iter_key(&it);
	if (strcmp(cmd, "find") != 0 && strcmp(cmd, "aggregate") != 0)
		return NULL;
	out = bson_new();
	bson_iter_init(&it, body);
	while (bson_iter_next(&it)) {
		if (!strcmp(cmd, "find") && !strcmp(bson_iter_key(&it), "filter"))
			continue;
		if (!strcmp(cmd, "find") || strcmp(bson_iter_key(&it), "pipeline") || !BSON_ITER_HOLDS_ARRAY(&it)) {
			bson_append_iter(out, NULL, 0, &it);
			continue;
		}
		bson_append_array_begin(out, "pipeline", -1, &pipe);
		bson_iter_recurse(&it, &st);
		for (unsigned k = 0; bson_iter_next(&st); k++) {
			char idx[16];
			bson_iter_t in;

			snprintf(idx, sizeof(idx), "%u", k);
			if (BSON_ITER_HOLDS_DOCUMENT(&st) && bson_iter_recurse(&st, &in) && bson_iter_next(&in) &&
			    !strcmp(bson_iter_key(&in), "$match")) {
				bson_append_document_begin(&pipe, idx, -1, &stage);
				bson_t empty = BSON_INITIALIZER;
				bson_append_document(&stage, "$match", -1, &empty);
				bson_append_document_end(&pipe, &stage);
			} else {
				bson_append_iter(&pipe, idx, -1, &st);
			}
		}
		bson_append_array_end(out, &pipe);
	}
	return out;
}

/*
 * A whole message at buf[0..len): returns the bytes it takes, 0 when
 * incomplete. Forwards it, an OP_MSG whose body is a find or an aggregate
 * (kind 0 section first, no checksum) with the filter taken away.
 */
static long mongo_message(int up, const char *buf, size_t len)
{
	uint32_t mlen, blen;
	bson_t body, *nb;
	bson_iter_t it;
	char head[21];

	if (len < 4 || len < (mlen = le32(buf)))
		return 0;
	if (mlen < 26 || le32(buf + 12) != 2013 || (le32(buf + 16) & 1) || buf[20] != 0 ||
	    (blen = le32(buf + 21)) > mlen - 21 || !bson_init_static(&body, (const uint8_t *)buf + 21, blen) ||
	    !(nb = mongo_unfiltered(&body))) {
		put(up, buf, mlen);
		return (long)mlen;
	}
	if (atomic_fetch_add(intercepted, 1) < skip) {
		bson_destroy(nb);
		put(up, buf, mlen);
		return (long)mlen;
	}
	changed(bson_iter_init(&it, &body) && bson_iter_next(&it) ? bson_iter_key(&it) : "?");
	memcpy(head, buf, sizeof(head));
	put_le32(head, mlen - blen + nb->len);
	put(up, head, sizeof(head));
	put(up, bson_get_data(nb), nb->len);
	put(up, buf + 21 + blen, mlen - 21 - blen);
	bson_destroy(nb);
	return (long)mlen;
}
#endif

/* Serves one client connection until either side closes. */
static void serve(int client, const struct sockaddr_storage *ua, socklen_t ualen)
{
	int up = socket(ua->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), rbuf[65536];

	if (!buf || up < 0 || connect(up, (const struct sockaddr *)ua, ualen) != 0)
		die("upstream");
	setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (;;) {
		struct pollfd pf[2] = {{.fd = client, .events = POLLIN}, {.fd = up, .events = POLLIN}};
		ssize_t r;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pf[1].revents) {
			if ((r = read(up, rbuf, sizeof(rbuf))) <= 0)
				_exit(0);
			put(client, rbuf, (size_t)r);
		}
		if (!pf[0].revents)
			continue;
		if (len == cap) {
			if (cap >= BUF_MAX)
				die("a command over 16 MiB");
			if (!(buf = realloc(buf, cap *= 2)))
				die("realloc");
		}
		if ((r = read(client, buf + len, cap - len)) <= 0)
			_exit(0);
		len += (size_t)r;
		for (;;) {
			const char *av[MAX_ARGS];
			size_t avl[MAX_ARGS];
			int ac = 0;
			long used;

			if (mode == M_SCAN_MATCH_ALL || mode == M_SCAN_EVAL || mode == M_REDIS_GET_REPLY ||
			    mode == M_RANGE_EVAL) {
				used = parse_resp(buf, len, av, avl, &ac);
				if (used < 0) { /* not an array: pass it all on */
					put(up, buf, len);
					used = (long)len;
				} else if (used > 0) {
					redis_command(client, up, buf, (size_t)used, av, avl, ac);
				}
			} else if (mode == M_MONGO_NO_FILTER) {
#ifdef HOSTILE_BSON
				used = mongo_message(up, buf, len);
#else
				_exit(2); /* refused in main */
#endif
			} else {
				used = mc_command(client, up, buf, len);
			}
			if (used == 0)
				break;
			memmove(buf, buf + used, len - (size_t)used);
			len -= (size_t)used;
		}
	}
}

_Noreturn static void usage(void)
{
	fprintf(stderr, "usage: hostile_proxy --upstream HOST:PORT --mode scan-match-all|scan-eval|metadump|get-reply|"
			"mongo-no-filter|redis-get-reply "
			"[--arg TEXT] [--skip N] [--delay-ms D]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"scan-match-all", "scan-eval", "metadump", "get-reply", "mongo-no-filter",
					    "redis-get-reply", "range-eval"};
	const char *upstream = NULL, *m = NULL, *sk = "0", *dl = "0";
	struct sockaddr_storage ua, la;
	socklen_t ualen, lalen;
	struct sigaction sa = {.sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT};
	pid_t leader = getpid();
	int lfd, one = 1, found = 0;

	for (int i = 1; i < argc; i += 2) {
		const char **opt = !strcmp(argv[i], "--upstream") ? &upstream : !strcmp(argv[i], "--mode") ? &m
				 : !strcmp(argv[i], "--arg") ? &arg : !strcmp(argv[i], "--skip") ? &sk
				 : !strcmp(argv[i], "--delay-ms") ? &dl : NULL;

		if (!opt || i + 1 >= argc)
			usage();
		*opt = argv[i + 1];
	}
	for (size_t k = 0; m && k < sizeof(names) / sizeof(names[0]); k++)
		if (!strcmp(m, names[k])) {
			mode = (enum mode)k;
			found = 1;
		}
	if (!upstream || !found)
		usage();
#ifndef HOSTILE_BSON
	if (mode == M_MONGO_NO_FILTER) {
		fprintf(stderr, "hostile_proxy: built without libbson: no mongo-no-filter\n");
		return 2;
	}
#endif
	skip = strtoul(sk, NULL, 10);
	delay_ms = strtoul(dl, NULL, 10);
	intercepted = mmap(NULL, sizeof(*intercepted), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (intercepted == MAP_FAILED)
		die("mmap");
	atomic_init(intercepted, 0);
	sigaction(SIGCHLD, &sa, NULL); /* no zombies */
	la.ss_family = AF_INET;
	if (test_net_resolve(upstream, 0, &ua, &ualen) != 0 || test_net_resolve("127.0.0.1:0", 1, &la, &lalen) != 0)
		usage();
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&la, lalen) != 0 || listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&la, &lalen) != 0)
		die("listen");
	printf("PORT %d\n", ntohs(((struct sockaddr_in *)&la)->sin_port));
	fflush(stdout);
	for (;;) {
		struct pollfd pf[2] = {{.fd = lfd, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
		char b[256];
		int c;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pf[1].revents && read(STDIN_FILENO, b, sizeof(b)) <= 0)
			return 0; /* the children die with us (PDEATHSIG) */
		if (!pf[0].revents || (c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != leader)
				_exit(0);
			close(lfd);
			serve(c, &ua, ualen);
		}
		close(c);
	}
}
