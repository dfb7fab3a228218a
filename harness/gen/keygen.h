/*
 * keygen.h - keys and values for the requests a client sends.
 *
 * A key is the workload's prefix followed by the record number in
 * KEYGEN_DIGITS zero-padded decimal digits ("bench:000000000042"), so keys
 * sort in record order. Key buffers are laid out once; per request only the
 * digits are rewritten. Values are slices of one random buffer made at start.
 * Which record and how big a value: dist.h.
 */
#ifndef BENCH_KEYGEN_H
#define BENCH_KEYGEN_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "rng.h"

#define KEYGEN_DIGITS 12

/* Writes prefix + digits of id into buf (cap >= keygen_key_len(prefix));
 * returns the key length. */
size_t keygen_format(char *buf, const char *prefix, uint64_t id);
size_t keygen_key_len(const char *prefix);
/* Rewrites only the digits of a key made by keygen_format. */
void keygen_set_id(char *digits, uint64_t id);

/* The first id of the block of `block` ids that phase run (repeat,
 * phase_index) of a crash or replication phase writes, from `base` on:
 * every phase run has its own (64 phases per repeat at most). */
static inline uint64_t keygen_phase_block(uint64_t base, uint64_t block, uint64_t repeat, size_t phase_index)
{
	return base + ((repeat - 1) * 64 + phase_index % 64) * block;
}

/*
 * Variable key sizes (keyspace.key_size, docs/workload-format.md): record
 * id's key is its fixed key (prefix + digits, base_len bytes) followed by
 * KEYGEN_PAD bytes up to a length drawn from g as a fixed function of seed
 * and id (the same record has the same key in every phase and client),
 * at least base_len and at most max_len. The record number stays where it
 * is: keys are unique, start with the prefix and sort in record order.
 */
#define KEYGEN_PAD '.'
size_t keygen_sized_len(const struct sizegen *g, uint64_t seed, uint64_t id, size_t base_len, size_t max_len);

/* The record number in the KEYGEN_DIGITS digits of a key. */
uint64_t keygen_parse_id(const char *digits);

/* A buffer of n random bytes (all byte values, NUL included) drawn from r;
 * caller frees. */
char *keygen_value_buffer(uint64_t n, struct rng *r);

#endif
