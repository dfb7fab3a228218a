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

/*
 * Checks that dirs[0..n) are the shards of one run (the same workload, the
 * same shard count, every index once) and writes the merged directory
 * under `out` (out/<earliest start>-<workload>-merged, written under a
 * temporary name and renamed; never replacing anything). `command` goes
 * into its run.json. Returns BENCH_EXIT_OK with *final set (caller
 * frees), BENCH_EXIT_USAGE after printing why the inputs cannot be merged
 * (naming the directory and file), or BENCH_EXIT_ERRORS when writing
 * failed (nothing is left behind).
 */
int merge_dirs(const char *const *dirs, size_t n, const char *out, const char *command, char **final);

#endif
