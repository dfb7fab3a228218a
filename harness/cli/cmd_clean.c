/*
 * cmd_clean.c - `bench clean WORKLOAD`: removes the keys under the
 * workload's prefixes from the servers of its targets that bench did not
 * start, through the same namespace code as a run's cleanup
 * (namespace.h): what a run quit at once, or one with --keep, left there.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_run.h"
#include "namespace.h"
#include "registry.h"
#include "results.h"
#include "run_flags.h"
#include "secret.h"
#include "servers.h"
#include "util.h"

const char cmd_clean_usage[] =
	"usage: bench clean WORKLOAD.yaml [options]\n"
	"       bench clean --target [NAME=]URI... [flags] (a run from flags)\n"
	"\n"
	"Removes every key (document) under the workload's keyspace.prefix, and each\n"
	"sweep point's prefix when the sweep changes it, from the servers of its\n"
	"targets that bench did not start, and nothing else: what a `bench run` quit at\n"
	"once (a second Ctrl-C) or run with --keep left there. The safe way out that\n"
	"`bench run --flush` is not. Prints what it removed, target by target.\n"
	"\n"
	"  --servers spawn|external  which servers, as for bench run: a target's uri, and\n"
	"                            with external the address bench run uses for the\n"
	"                            others (BENCH_REDIS_URI, BENCH_MEMCACHED_SERVERS,\n"
	"                            BENCH_MONGODB_URI, else the standard local ports);\n"
	"                            default: $BENCH_SERVERS, else spawn (servers bench\n"
	"                            spawns are gone with their run: nothing to clean)\n"
	"  --target NAME[,NAME...]   clean only these targets; without a workload file, the\n"
	"                            targets themselves, as bench run takes them from flags\n"
	"  --set KEY.PATH=VALUE      override a workload key, as the run did (repeatable);\n"
	"                            bench run's workload flags (--key-prefix, ...) too\n"
	"  --quiet                   print nothing but errors\n"
	"\n"
	"Passwords as for bench run. Keys are found with the drivers' own listing\n"
	"(Redis SCAN MATCH, memcached's LRU crawler, a MongoDB _id range), see\n"
	"docs/architecture.md, \"Data safety\".\n"
	"\n"
	"Exit status: 0 removed (or nothing was there); 1 a removal failed, or keys are\n"
	"still there after it; 2 usage, an invalid workload, or no target on a server\n"
	"bench did not start; 3 a server could not be reached.\n";

static int parse_args(int argc, char **argv, struct run_args *a, struct run_flags *f)
{
	a->servers = getenv("BENCH_SERVERS") && *getenv("BENCH_SERVERS") ? getenv("BENCH_SERVERS") : "spawn";
	a->ov = xcalloc((size_t)argc, sizeof(*a->ov));
	for (int i = 1; i < argc; i++) {
		int rc;

		if (run_flags_option("clean", argc, argv, &i, f, &rc) || run_common_option("clean", argc, argv, &i, a, &rc)) {
			if (rc)
				return rc;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cmd_usage_error("clean", "unknown option '%s'", argv[i]);
		} else if (a->workload) {
			return cmd_usage_error("clean", "one workload at a time (got '%s' and '%s')", a->workload, argv[i]);
		} else {
			a->workload = argv[i];
		}
	}
	if (!a->workload && !f->n_targets)
		return cmd_usage_error("clean", "which workload? e.g. bench clean workloads/quick.yaml --servers external");
	if (run_flags_finish("clean", f, a) != 0)
		return BENCH_EXIT_USAGE;
	if (strcmp(a->servers, "spawn") != 0 && strcmp(a->servers, "external") != 0)
		return cmd_usage_error("clean", "--servers (or BENCH_SERVERS) is spawn or external, not '%s'", a->servers);
	return 0;
}

/* Keeps the worse of two exit codes: unreachable over failed over ok. */
static void worse(int *rc, int code)
{
	if (code == BENCH_EXIT_UNREACHABLE || (code == BENCH_EXIT_ERRORS && *rc == BENCH_EXIT_OK))
		*rc = code;
}

/* Removes what is under bt's prefix; prints the outcome. Returns an exit code. */
static int clean_prefix(const struct run_args *a, const struct bench_driver *d, const struct bench_target *bt,
			const char *uri)
{
	struct bench_conn c = {.driver = d, .target = bt};
	struct bench_ns_state now = {0};
	uint64_t removed = 0, left = 0;
	char *what, *msg;
	int rc = BENCH_EXIT_OK;

	if (d->open(&c) < 0) {
		msg = xasprintf("bench clean: %s: cannot reach %s at %s: %s\n", bt->name, d->name, uri, c.errstr);
		rc = c.err ? BENCH_EXIT_UNREACHABLE : BENCH_EXIT_ERRORS;
	} else if (d->ns_count(&c, NAMESPACE_COUNT_LIMIT, &now) < 0) {
		msg = xasprintf("bench clean: %s: cannot list prefix '%s' on %s: %s; nothing removed\n", bt->name, bt->prefix,
				uri, c.errstr);
		rc = BENCH_EXIT_ERRORS;
	} else if (now.keys == 0) {
		msg = a->quiet ? NULL : xasprintf("%s: nothing under prefix '%s' on %s\n", bt->name, bt->prefix, uri);
	} else {
		/* notes 0: nothing around the keys is bench's to drop. */
		struct bench_ns_state before = {.keys = now.keys};

		memcpy(before.noun, now.noun, sizeof(before.noun));
		rc = namespace_remove(&c, &before, &removed, &left) < 0 || left ? BENCH_EXIT_ERRORS : BENCH_EXIT_OK;
		what = namespace_describe(removed, now.noun, false);
		if (rc != BENCH_EXIT_OK && left == 0)
			msg = xasprintf("bench clean: %s: removed %s under prefix '%s' on %s, then failed: %s\n", bt->name,
					what, bt->prefix, uri, c.errstr);
		else if (rc != BENCH_EXIT_OK)
			msg = xasprintf("bench clean: %s: removed %s under prefix '%s' on %s; %llu are still there (is a "
					"client writing under the prefix?)\n", bt->name, what, bt->prefix, uri,
					(unsigned long long)left);
		else
			msg = a->quiet ? NULL : xasprintf("%s: removed %s under prefix '%s' on %s\n", bt->name, what,
							  bt->prefix, uri);
		free(what);
	}
	if (msg) {
		char *safe = secret_scrub(msg);

		fputs(safe, rc == BENCH_EXIT_OK ? stdout : stderr);
		free(safe);
		free(msg);
	}
	d->close(&c);
	return rc;
}

/* Every distinct prefix of the sweep points, on one target's server. */
static int clean_target(const struct run_args *a, struct workload *const *points, size_t n_points, size_t ti,
			const struct bench_driver *d, const char *uri)
{
	char *shown = results_redact_uri(uri);
	int rc = BENCH_EXIT_OK;

	for (size_t pt = 0; pt < n_points; pt++) {
		const struct workload *w = points[pt];
		struct bench_target bt = {0};
		struct bench_option *opts;
		bool seen = false;

		for (size_t k = 0; k < pt && !seen; k++)
			seen = strcmp(points[k]->keyspace.prefix, w->keyspace.prefix) == 0;
		if (seen)
			continue;
		opts = run_fill_target(a, w, &w->targets[ti], d, &bt);
		bt.uri = uri;
		worse(&rc, clean_prefix(a, d, &bt, shown));
		free(opts);
		if (rc == BENCH_EXIT_UNREACHABLE)
			break; /* the same server for every prefix */
	}
	free(shown);
	return rc;
}

int cmd_clean(int argc, char **argv)
{
	struct run_args a = {0};
	struct run_flags f = {0};
	struct workload *w = NULL, **points = NULL;
	size_t n_points = 0, cleaned = 0;
	char *msgs = NULL, err[512];
	int rc;

	if ((rc = parse_args(argc, argv, &a, &f)) != 0)
		goto out;
	rc = run_load_workload(&a, &f, &w, &msgs);
	fputs(msgs ? msgs : "", stderr);
	if (rc)
		goto out;
	if ((rc = run_check_target_list("clean", a.targets, w)) != 0 || (rc = run_resolve_credentials(&a, w)) != 0)
		goto out;
	points = run_load_points(&a, w, &n_points);
	if (!points) {
		rc = BENCH_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < w->n_targets; i++) {
		const struct wl_target *t = &w->targets[i];
		const struct bench_driver *d = bench_driver_find(t->driver, err, sizeof(err));
		const char *uri = t->uri;

		if (!run_selected(a.targets, t->name) || !d || !(d->caps & BENCH_CAP_NETWORK))
			continue; /* no server */
		if (!uri && strcmp(a.servers, "external") == 0)
			uri = servers_external_uri(d);
		if (!uri) {
			if (!a.quiet)
				printf("%s: skipped: bench spawns its server, which is gone with its run (--servers external "
				       "cleans the external one)\n", t->name);
			continue;
		}
		cleaned++;
		if (!d->ns_count || !d->ns_clean) {
			fprintf(stderr, "bench clean: %s: driver %s cannot list the keys under a prefix; nothing removed\n",
				t->name, d->name);
			worse(&rc, BENCH_EXIT_ERRORS);
			continue;
		}
		worse(&rc, clean_target(&a, points, n_points, i, d, uri));
	}
	if (cleaned == 0)
		rc = cmd_usage_error("clean", "no selected target of %s is on a server bench did not start: give "
				     "--servers external, or targets with a uri", w->file);
out:
	run_args_free(&a, w, points, n_points);
	run_flags_free(&f);
	free(msgs);
	return rc;
}
