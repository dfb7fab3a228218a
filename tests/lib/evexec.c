/* evexec.c - a driver's event hooks driven like exec (evexec.h). */
#include <poll.h>

#include "evexec.h"
#include "util.h"

#define EVEXEC_HANG_GUARD_NS (10ull * 1000000000ull)

int evexec_run(const struct bench_driver *d, struct bench_conn *c, struct bench_request *reqs, size_t n)
{
	uint64_t ms = c->target->timeout_ms;
	/* As the harness: the batch expires at the target's request timeout. */
	uint64_t deadline = util_now_ns() + (ms ? ms * 1000000u : EVEXEC_HANG_GUARD_NS);
	int rc = d->submit(c, reqs, n);

	/* rc: 0 or 2 output is waiting, 1 all written, -1 broke. */
	while (rc >= 0) {
		int out = rc == 0 || rc == 2;
		struct pollfd p = {.fd = d->event_fd(c), .events = POLLIN | (out ? POLLOUT : 0)};

		if (poll(&p, 1, 10) < 0 || util_now_ns() > deadline) {
			d->expire(c);
			return -1;
		}
		if (out && (p.revents & POLLOUT))
			rc = d->flush(c);
		if (rc >= 0 && (p.revents & (POLLIN | POLLERR | POLLHUP))) {
			int r = d->on_readable(c);

			if (r == 1)
				return 0;
			if (r < 0)
				return -1;
			if (r == 2)
				rc = 2;
		}
	}
	return -1;
}

static const struct bench_driver *evexec_real;

static int evexec_exec(struct bench_conn *c, struct bench_request *reqs, size_t n)
{
	return evexec_run(evexec_real, c, reqs, n);
}

void evexec_driver(const struct bench_driver *d, struct bench_driver *out)
{
	evexec_real = d;
	*out = *d;
	out->exec = evexec_exec;
	out->load = NULL; /* loads go through the event hooks too */
}
