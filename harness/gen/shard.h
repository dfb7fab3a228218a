/*
 * shard.h - `bench run --shard INDEX/COUNT`: one of COUNT load machines
 * running the same workload against the same servers at the same time,
 * each doing its share (docs/scale.md). The split is by client: a phase's
 * `clients` are numbered 0..clients-1 over all machines, and a shard runs
 * a contiguous block of them, with the very client numbers an unsharded
 * run would give them. Everything else that is split (load records, an
 * `ops:` count, an open-loop `rate`) is split per client as before, so the
 * shards' shares are disjoint and add up exactly to the whole.
 */
#ifndef BENCH_SHARD_H
#define BENCH_SHARD_H

#include <stddef.h>
#include <stdint.h>

/* Parses "INDEX/COUNT" (0 <= INDEX < COUNT, decimal, nothing else). Returns
 * 0, or -1 with a reason in err (what is wrong with the value). */
int shard_parse(const char *s, uint64_t *index, uint64_t *count, char *err, size_t errlen);

/*
 * Shard `index` of `count` takes `*n` of `total` clients, starting at
 * client number `*first`: total / count each, and one more for the first
 * total % count shards. count 0 means not sharded (all of them).
 */
void shard_split(uint64_t total, uint64_t index, uint64_t count, uint64_t *first, uint64_t *n);

#endif
