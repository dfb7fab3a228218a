/*
 * report.h - report.html: one self-contained page for a result directory
 * (docs/charts.md).
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stddef.h>

/* The CSS font stack of bench's HTML pages (report.html, the claims
 * report): the system's UI font, then fonts that have Chinese, Japanese
 * and Korean glyphs (the notes claims quote are in Chinese; Debian's
 * fonts-noto-cjk, which scripts/install-deps installs, gives the Noto
 * ones), then any sans-serif. */
#define REPORT_FONTS                                                                                              \
	"system-ui,-apple-system,'Segoe UI','Noto Sans',"                                                         \
	"'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"                 \
	"'WenQuanYi Micro Hei',sans-serif"

/*
 * Writes result_dir/report.html from the files the run wrote: run.json
 * (workload, host, bench version, servers, warnings), summary.csv (the
 * table, unsupported ops marked; error counts become warnings) and the
 * charts chart_draw() left in result_dir/charts/ (index.txt and the .svg
 * files, inlined). Every value read from a file is HTML-escaped; the page
 * has inline CSS only, no scripts and no external references, so it opens
 * from disk. A missing or malformed run.json or charts/ is noted in the page,
 * not an error. Replaces an earlier report.html atomically (rename).
 *
 * Returns 0, or -1 with err set (summary.csv unreadable, or the page could
 * not be written). err is NUL-terminated when errlen > 0.
 */
int report_write(const char *result_dir, char *err, size_t errlen);

#endif
