/*
 * merge.h - `bench merge`: the result directories of the N shards of one
 * run (`bench run --shard I/N` on N load machines at once) made into one
 * result directory, exactly: counts are added, latency percentiles come
 * from the shards' histograms added together (latency/NAME.hist), never
 * from their percentiles. docs/scale.md says how and why.
 */
#ifndef BENCH_MERGE_H
#define BENCH_MERGE_H

#include <stddef.h>

struct merge;

/*
 * Reads dirs[0..n) and checks that they are the shards of one run (the
 * same workload, the same shard count, every index once), pairing their
 * rows and adding up their histograms. `command` goes into the merged
 * run.json. Returns the merge (free with merge_free), or NULL with why
 * the inputs cannot be merged in err (naming the directory and file).
 */
struct merge *merge_load(const char *const *dirs, size_t n, const char *command, char *err, size_t errlen);

/*
 * Writes the merged directory under `out` (out/<earliest start>-<workload>-merged,
 * written under a temporary name and renamed; never replacing anything).
 * Returns its path (caller frees), or NULL with why writing failed in err
 * (nothing is left behind).
 */
char *merge_create(struct merge *m, const char *out, char *err, size_t errlen);

/* What the merge warns of (a shard interrupted, a target a shard could not
 * run, shards that saw different servers), as run.json's warnings have
 * them: *out is m's array of n strings, valid until merge_free. */
size_t merge_warnings(const struct merge *m, const char *const **out);

/* NULL is a no-op. */
void merge_free(struct merge *m);

#endif
