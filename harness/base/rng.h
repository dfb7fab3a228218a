/*
 * rng.h - a small, fast, seedable generator (xoshiro256**) so every client
 * draws its own reproducible stream: same seed + same stream = same numbers.
 */
#ifndef BENCH_RNG_H
#define BENCH_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seeds stream `stream` (e.g. the client index) of `seed`. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [0, 1). */
double rng_double(struct rng *r);

#endif
