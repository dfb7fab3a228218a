/*
 * test_pacer.c - the open-loop schedule, driven by made-up times: no clock,
 * no sleeps.
 */
#include "check.h"
#include "pacer.h"

int main(void)
{
	struct pacer p;

	/* 1000 requests/s in batches of 1: one every 1 ms from t = 5 s. */
	pacer_init(&p, 5000000000u, 1000, 1, 0);
	CHECK_INT(pacer_next(&p), 5000000000u);
	CHECK_INT(pacer_next(&p), 5001000000u);
	CHECK_INT(pacer_next(&p), 5002000000u);

	/* Batches of 4 at 1000/s: a batch every 4 ms. */
	pacer_init(&p, 0, 1000, 4, 0);
	CHECK_INT(pacer_next(&p), 0);
	CHECK_INT(pacer_next(&p), 4000000);

	/* The offset staggers clients: client 1 of 4 starts a quarter in. */
	pacer_init(&p, 0, 100, 1, 0.25);
	CHECK_INT(pacer_next(&p), 2500000);
	CHECK_INT(pacer_next(&p), 12500000);

	/* No drift: the millionth batch of 3/s is exactly at 1e6 / 3 s. */
	pacer_init(&p, 0, 3, 1, 0);
	for (int i = 0; i < 1000000; i++)
		pacer_next(&p);
	CHECK_INT(pacer_next(&p), 333333333333333);

	/* The schedule never slips: a client that finds itself late (asking
	 * how many batches fell due by t = 5 s) still gets its old, earlier
	 * deadlines next, not deadlines counted from the time it asked. */
	pacer_init(&p, 100, 10, 1, 0);
	CHECK_INT(pacer_next(&p), 100);
	CHECK_INT(pacer_due_before(&p, 5000000000u), 50);
	CHECK_INT(pacer_next(&p), 100000100);
	CHECK_INT(pacer_due_before(&p, 5000000000u), 50);
	CHECK_INT(pacer_next(&p), 200000100);

	/* Over a simulated second at 1234/s, 1234 batches fall in [0, 1 s). */
	{
		int n = 0;

		pacer_init(&p, 0, 1234, 1, 0.5);
		while (pacer_next(&p) < 1000000000u)
			n++;
		CHECK_INT(n, 1234);
	}
	/* pacer_due_before counts what pacer_next would hand out before t,
	 * without walking it: against the walk, for awkward intervals and
	 * offsets, at every t around the schedule's first 2000 batches. */
	{
		static const struct {
			double rate;
			uint64_t batch;
			double offset;
		} cases[] = {{3, 1, 0}, {1234, 1, 0.5}, {1e9, 1, 0}, {1e9, 1, 0.5}, {7e8, 3, 0.25}, {1.0 / 86400, 1, 0.9}};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct pacer walk, q;
			uint64_t due[2001];

			pacer_init(&walk, 1000, cases[i].rate, cases[i].batch, cases[i].offset);
			q = walk;
			for (int b = 0; b <= 2000; b++)
				due[b] = pacer_next(&walk);
			for (int b = 0; b < 2000; b++) {
				/* Just before, at and just after batch b's due time. */
				for (uint64_t t = due[b] - 1; t <= due[b] + 1; t++) {
					uint64_t n = 0;

					while (n <= 2000 && due[n] < t)
						n++;
					CHECK_INT(pacer_due_before(&q, t), n);
				}
			}
			CHECK_INT(pacer_due_before(&q, 0), 0);
		}
		/* A client a billion batches behind: counted at once. */
		pacer_init(&p, 0, 1e9, 1, 0);
		CHECK_INT(pacer_due_before(&p, 1000000000u), 1000000000u);
		pacer_next(&p);
		CHECK_INT(pacer_due_before(&p, 1000000000u), 1000000000u); /* handed out or not */
	}
	return check_report("pacer");
}
