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

	/* The schedule never slips: intended times do not depend on when the
	 * caller asks (a late client keeps its old, earlier deadlines). */
	pacer_init(&p, 100, 10, 1, 0);
	CHECK_INT(pacer_next(&p), 100);
	CHECK_INT(pacer_next(&p), 100000100);
	CHECK_INT(pacer_next(&p), 200000100);

	/* Over a simulated second at 1234/s, 1234 batches fall in [0, 1 s). */
	{
		int n = 0;

		pacer_init(&p, 0, 1234, 1, 0.5);
		while (pacer_next(&p) < 1000000000u)
			n++;
		CHECK_INT(n, 1234);
	}
	return check_report("pacer");
}
