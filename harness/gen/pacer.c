/* pacer.c - the schedule of open-loop clients: a fixed interval, or gaps
 * drawn from a generalized Pareto distribution. */
#include <math.h>

#include "evd.h"
#include "pacer.h"

void pacer_init(struct pacer *p, uint64_t start_ns, double per_second, uint64_t batch, double offset)
{
	p->interval_ns = 1e9 * (double)batch / per_second;
	p->start_ns = start_ns + (uint64_t)llround(offset * p->interval_ns);
	p->batches = 0;
	p->gap_scale_ns = 0;
}

static double next_gap(struct pacer *p)
{
	return evd_gpareto_quantile(0, p->gap_scale_ns, p->gap_xi, rng_double(&p->gap_rng));
}

void pacer_set_gaps(struct pacer *p, double xi, uint64_t seed, uint64_t stream)
{
	/* The mean of gpareto(0, scale, xi) is scale / (1 - xi). */
	p->gap_xi = xi;
	p->gap_scale_ns = p->interval_ns * (1 - xi);
	rng_seed(&p->gap_rng, seed, stream);
	p->next_ns = (double)p->start_ns + next_gap(p);
}

static uint64_t due_at(const struct pacer *p, uint64_t b)
{
	return p->start_ns + (uint64_t)llround((double)b * p->interval_ns);
}

uint64_t pacer_next(struct pacer *p)
{
	if (p->gap_scale_ns > 0) {
		uint64_t due = (uint64_t)p->next_ns;

		p->batches++;
		p->next_ns += next_gap(p);
		return due;
	}
	/* Multiply rather than accumulate: no drift over millions of batches. */
	return due_at(p, p->batches++);
}

uint64_t pacer_due_before(const struct pacer *p, uint64_t t)
{
	uint64_t n;

	if (p->gap_scale_ns > 0) {
		struct pacer q = *p;
		uint64_t steps = 0;

		while ((uint64_t)q.next_ns < t && steps++ < PACER_WALK_MAX)
			pacer_next(&q);
		if ((uint64_t)q.next_ns < t)
			q.batches += (uint64_t)(((double)t - q.next_ns) / q.interval_ns);
		return q.batches;
	}
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
