/* pacer.c - fixed-interval schedule for open-loop clients. */
#include <math.h>

#include "pacer.h"

void pacer_init(struct pacer *p, uint64_t start_ns, double per_second, uint64_t batch, double offset)
{
	p->interval_ns = 1e9 * (double)batch / per_second;
	p->start_ns = start_ns + (uint64_t)llround(offset * p->interval_ns);
	p->batches = 0;
}

static uint64_t due_at(const struct pacer *p, uint64_t b)
{
	return p->start_ns + (uint64_t)llround((double)b * p->interval_ns);
}

uint64_t pacer_next(struct pacer *p)
{
	/* Multiply rather than accumulate: no drift over millions of batches. */
	return due_at(p, p->batches++);
}

uint64_t pacer_due_before(const struct pacer *p, uint64_t t)
{
	uint64_t n;

	if (t <= p->start_ns)
		return 0;
	/* Batch b is due before t when b * interval rounds below t - start:
	 * about (t - start) / interval of them; the two loops settle what
	 * the floating-point division rounded either way (a step or two). */
	n = (uint64_t)ceil(((double)(t - p->start_ns) - 0.5) / p->interval_ns);
	while (n > 0 && due_at(p, n - 1) >= t)
		n--;
	while (due_at(p, n) < t)
		n++;
	return n;
}
