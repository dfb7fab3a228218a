/*
 * compare_servers.h - which server answered each target on each side of
 * `bench compare`, from the run.json beside each summary.csv: a stand-in
 * (run.json's server.stands_in_for: FerretDB for MongoDB) is said up
 * front, and a target answered by different products on the two sides
 * (FerretDB in one run, MongoDB in the other) is not comparable: its
 * changes are shown, never judged (docs/compare.md, "Servers").
 */
#ifndef BENCH_COMPARE_SERVERS_H
#define BENCH_COMPARE_SERVERS_H

#include <stdbool.h>
#include <stddef.h>

/* One target of one side's run.json that names its server. */
struct compare_server {
	char *target;        /* the target's name */
	char *product;       /* "FerretDB" */
	char *server;        /* as summary.csv names it: "FerretDB v1.24.2 (SQLite, indexed _id)" */
	char *stands_in_for; /* the product it stood in for ("MongoDB"); NULL: the real thing */
};

struct compare_servers {
	char *run_json;      /* the file read; NULL when there was none */
	struct compare_server *v;
	size_t n;
};

/*
 * Reads the run.json in the directory of summary_path (a summary.csv).
 * No run.json there is no error: *out is empty (a bare summary.csv says
 * nothing about its servers). Returns 0, or -1 with "PATH: why" in err
 * (errlen bytes) when run.json is there but cannot be read, is over 256
 * MiB, or is not JSON. Free with compare_servers_free.
 */
int compare_servers_load(const char *summary_path, struct compare_servers *out, char *err, size_t errlen);
void compare_servers_free(struct compare_servers *s);

/* Target `name`'s entry, or NULL when s does not name its server. */
const struct compare_server *compare_server_of(const struct compare_servers *s, const char *name);

/* Whether target `name` was answered by different products on the two
 * sides (or by a stand-in on one side only); false when a side does not
 * say. */
bool compare_servers_differ(const struct compare_servers *base, const struct compare_servers *cand,
			    const char *name);

#endif
