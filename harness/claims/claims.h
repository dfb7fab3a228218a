/*
 * claims.h - claim files (workloads/claims/<id>.yaml): a workload plus a
 * top-level `claim:` block (docs/claims.md). workload.c skips the block;
 * this module reads and checks it against the workload it sits in.
 */
#ifndef BENCH_CLAIMS_H
#define BENCH_CLAIMS_H

#include <stddef.h>

#include "claims_expr.h"
#include "workload.h"

struct claim {
	char *file;
	char *id;                  /* = the file's name without .yaml */
	char *statement;           /* in English */
	char *notes;               /* the notes' original words; "" if none */
	char *expect_text;         /* NULL only with an experiment */
	struct cx_expr *expect;
	/* needs: */
	unsigned cores;            /* host cores the claim needs to show; 0 = any */
	char *profile;             /* docker-compose profile; NULL = none */
	char *experiment;          /* an experiment bench lacks: always NOT RUN; NULL = none */
	/* quick: {KEY.PATH: VALUE}: --set overrides for `bench claims --quick`,
	 * after the generic ones (strings owned). */
	struct wl_override *quick;
	size_t n_quick;
};

/*
 * Reads the `claim:` block of `path`, whose workload `w` has loaded
 * already, and checks it: keys, id = file name, the expect expression
 * (parsed; its targets, phases, ops and sweep selectors must exist in w),
 * needs, and that the workload still validates with the quick overrides.
 * Returns 0 with *out (NULL when the file has no claim block; free with
 * claim_free), or -1 after appending "file:line:col: message" lines to
 * *errors (NULL or malloc'd; the caller frees).
 */
int claim_load(const char *path, const struct workload *w, struct claim **out, char **errors);

/* NULL is a no-op. */
void claim_free(struct claim *c);

#endif
