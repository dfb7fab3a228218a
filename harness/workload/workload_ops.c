/*
 * workload_ops.c - the parameters of range, query, fuzzy and structure ops,
 * given per run phase:
 *
 *   range:      {length: 100 | {min: 1, max: 100}}   records per range op
 *   query:      {limit: 0}                           records per query at most (0 = all)
 *   fuzzy:      {mode: prefix | substring, matches: 10}
 *   structures: {members: 100, length: 10, list_max: 100}
 *
 * Defaults are filled in whether or not the phase uses the ops, so the
 * resolved workload (run.json) always says what they would be.
 */
#include <stdlib.h>
#include <string.h>

#include "workload_tree.h"
#include "util.h"

#define WL_MAX_RANGE 100000
#define WL_MAX_MEMBERS 100000000

/* length: N, or {min: A, max: B} */
static void parse_length(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *path)
{
	static const char *const keys[] = {"min", "max", NULL};
	yaml_node_t *r[2], *rk[2];
	char *p;
	uint64_t lo = 0, hi = 0;
	int bad = 0;

	if (n->type == YAML_SCALAR_NODE) {
		if (wt_get_u64(c, n, path, 1, WL_MAX_RANGE, &lo) == 0)
			ph->range_min = ph->range_max = lo;
		return;
	}
	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, n, path, keys, r, rk);
	if (!wt_present(r[0]) || !wt_present(r[1])) {
		wt_report(c, n, "%s needs both min and max, e.g. {min: 1, max: 100}", path);
		return;
	}
	p = xasprintf("%s.min", path);
	bad |= wt_get_u64(c, r[0], p, 1, WL_MAX_RANGE, &lo);
	free(p);
	p = xasprintf("%s.max", path);
	bad |= wt_get_u64(c, r[1], p, 1, WL_MAX_RANGE, &hi);
	free(p);
	if (bad)
		return;
	if (lo > hi) {
		wt_report(c, n, "%s min (%s) is greater than max (%s)", path, wt_sval(r[0]), wt_sval(r[1]));
		return;
	}
	ph->range_min = lo;
	ph->range_max = hi;
}

static void parse_range(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *phase)
{
	static const char *const keys[] = {"length", NULL};
	yaml_node_t *v[1], *kn[1];
	char *path = xasprintf("%s.range", phase);

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) == 0) {
		wt_map_fields(c, n, path, keys, v, kn);
		if (wt_present(v[0])) {
			char *p = xasprintf("%s.length", path);

			parse_length(c, ph, v[0], p);
			free(p);
		}
	}
	free(path);
}

static void parse_query(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *phase)
{
	static const char *const keys[] = {"limit", NULL};
	yaml_node_t *v[1], *kn[1];
	char *path = xasprintf("%s.query", phase);

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) == 0) {
		wt_map_fields(c, n, path, keys, v, kn);
		if (wt_present(v[0])) {
			char *p = xasprintf("%s.limit", path);

			wt_get_u64(c, v[0], p, 0, WL_MAX_RANGE, &ph->query_limit);
			free(p);
		}
	}
	free(path);
}

static void parse_fuzzy(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *phase)
{
	static const char *const keys[] = {"mode", "matches", NULL};
	static const char *const modes[] = {"prefix", "substring", NULL};
	yaml_node_t *v[2], *kn[2];
	char *path = xasprintf("%s.fuzzy", phase);

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		goto out;
	wt_map_fields(c, n, path, keys, v, kn);
	if (wt_present(v[0]) && wt_want_scalar(c, v[0], "fuzzy.mode", "prefix or substring") == 0) {
		const char *m = wt_sval(v[0]);

		if (!strcmp(m, "prefix") || !strcmp(m, "substring")) {
			ph->fuzzy_substring = !strcmp(m, "substring");
		} else {
			struct sbuf sb = {0};

			wt_add_hint(&sb, m, modes, "modes");
			wt_report(c, v[0], "unknown %s.mode '%s'%s", path, m, sb.buf);
			free(sb.buf);
		}
	}
	if (wt_present(v[1])) {
		char *p = xasprintf("%s.matches", path);

		wt_get_u64(c, v[1], p, 1, 1000000000000ull, &ph->fuzzy_matches);
		free(p);
	}
out:
	free(path);
}

static void parse_structures(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *phase)
{
	static const char *const keys[] = {"members", "length", "list_max", NULL};
	uint64_t *const dst[] = {&ph->st_members, &ph->st_length, &ph->st_list_max};
	yaml_node_t *v[3], *kn[3];
	char *path = xasprintf("%s.structures", phase);

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) == 0) {
		wt_map_fields(c, n, path, keys, v, kn);
		for (int i = 0; i < 3; i++) {
			char *p;

			if (!wt_present(v[i]))
				continue;
			p = xasprintf("%s.%s", path, keys[i]);
			wt_get_u64(c, v[i], p, 1, i == 0 ? WL_MAX_MEMBERS : WL_MAX_RANGE, dst[i]);
			free(p);
		}
	}
	free(path);
}

void wl_parse_op_params(struct wt_ctx *c, struct wl_phase *ph, const char *path, yaml_node_t *range,
			yaml_node_t *query, yaml_node_t *fuzzy, yaml_node_t *structures)
{
	ph->range_min = 1;
	ph->range_max = 100;
	ph->query_limit = 0;
	ph->fuzzy_substring = 0;
	ph->fuzzy_matches = 10;
	ph->st_members = 100;
	ph->st_length = 10;
	ph->st_list_max = 100;
	if (wt_present(range))
		parse_range(c, ph, range, path);
	if (wt_present(query))
		parse_query(c, ph, query, path);
	if (wt_present(fuzzy))
		parse_fuzzy(c, ph, fuzzy, path);
	if (wt_present(structures))
		parse_structures(c, ph, structures, path);
}
