/*
 * keygen.h - keys and values for the requests a client sends.
 *
 * A key is the workload's prefix followed by the record number in
 * KEYGEN_DIGITS zero-padded decimal digits ("bench:000000000042"), so keys
 * sort in record order. Key buffers are laid out once; per request only the
 * digits are rewritten. Values are slices of one random buffer made at start.
 */
#ifndef BENCH_KEYGEN_H
#define BENCH_KEYGEN_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "workload.h"

#define KEYGEN_DIGITS 12

/* Writes prefix + digits of id into buf (cap >= keygen_key_len(prefix));
 * returns the key length. */
size_t keygen_format(char *buf, const char *prefix, uint64_t id);
size_t keygen_key_len(const char *prefix);
/* Rewrites only the digits of a key made by keygen_format. */
void keygen_set_id(char *digits, uint64_t id);

/* The next record number for an op, by the keyspace's distribution. */
uint64_t keygen_next_id(const struct workload *w, struct rng *r);

/* The next value length in [size_min, size_max]. */
uint64_t keygen_next_value_len(const struct workload *w, struct rng *r);

/* A buffer of size_max random bytes (all byte values, NUL included) made
 * from rng; caller frees. */
char *keygen_value_buffer(const struct workload *w, struct rng *r);

#endif
