/*
 * claims_report.h - report.html of a `bench claims` directory: the claims
 * section (docs/claims.md): a table of verdicts and one chart per claim,
 * drawing each comparison of its expression as two bars with their 95%
 * confidence intervals.
 */
#ifndef BENCH_CLAIMS_REPORT_H
#define BENCH_CLAIMS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

/* One claim's outcome, as claims.csv has it. */
struct claims_report_row {
	const char *id, *verdict, *statement, *notes, *expect;
	/* claims.csv's reason: "TEXT: VERDICT (L ± h (n=N) vs R ± h (n=M)...)"
	 * per comparison, "; "-separated; anything else (NOT RUN, errors)
	 * is shown as text without a chart. */
	const char *reason;
	const char *servers;    /* "target=Server version; ..." */
	const char *result;     /* the claim's run directory, relative; may be NULL */
	/* NOT RUN because a stand-in answered a target the expression reads:
	 * what the expression gives on the stand-in's figures and its reason
	 * (as `reason`), drawn apart and grey; NULL otherwise. */
	const char *stand_in_verdict, *stand_in_reason;
};

/*
 * Writes path (report.html of the claims directory): one self-contained
 * page, inline CSS and SVG, no scripts, every value HTML-escaped. Returns
 * 0, or -1 with errno set.
 */
int claims_report_write(const char *path, const struct claims_report_row *rows, size_t n, long cores,
			const char *servers_mode, bool quick);

#endif
