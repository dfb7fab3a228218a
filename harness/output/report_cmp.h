/*
 * report_cmp.h - report.html's comparison: the table of comparison.csv
 * (the targets set against each other per phase, op and sweep point) and
 * the warnings it gives. report.c places them; docs/charts.md shows them.
 */
#ifndef BENCH_REPORT_CMP_H
#define BENCH_REPORT_CMP_H

#include "chart_int.h"
#include "cmptab.h"
#include "util.h"

/*
 * Appends the comparison table to sb: one row per phase × op × sweep point
 * × target, with each target's mean ± 95% CI of ops/s and p99 (and the hit
 * ratio when the file has it), its ratio to the best with the ratio's
 * interval, the verdict (ties marked), and, where a target ran a different
 * mix, that mix beside its figures and a note under the group that its
 * ops/s are not like for like. The table's id is "cmp-table" and it is
 * the page's first table. Every value is HTML-escaped.
 */
void report_cmp_table(struct sbuf *sb, const struct cmptab *c);

/*
 * Adds to items one warning (an HTML fragment, escaped) per target, phase
 * and sweep point whose comparison rows carry mix_differs, naming the mix
 * it ran. chart_set keeps each once.
 */
void report_cmp_warnings(const struct cmptab *c, struct chart_set *items);

#endif
