/* pacer.c - fixed-interval schedule for open-loop clients. */
#include <math.h>

#include "pacer.h"

void pacer_init(struct pacer *p, uint64_t start_ns, double per_second, uint64_t batch, double offset)
{
	p->interval_ns = 1e9 * (double)batch / per_second;
	p->start_ns = start_ns + (uint64_t)llround(offset * p->interval_ns);
	p->batches = 0;
}

uint64_t pacer_next(struct pacer *p)
{
	/* Multiply rather than accumulate: no drift over millions of batches. */
	return p->start_ns + (uint64_t)llround((double)p->batches++ * p->interval_ns);
}
