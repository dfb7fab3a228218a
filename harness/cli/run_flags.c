/*
 * run_flags.c - a workload from flags (run_flags.h). The flags are checked
 * here for their form (a number, a duration, S:G), so a typo exits 2 naming
 * the flag and its value before anything starts; what the value means (a
 * range, a distribution's name) is the workload parser's to check, as for
 * the --set it stands for.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "escape.h"
#include "registry.h"
#include "run_flags.h"
#include "util.h"

enum flag_kind {
	FK_NUMBER,   /* a whole number */
	FK_DURATION, /* 30s, 500ms; a bare number is seconds (memtier's --test-time) */
	FK_RATE,     /* a number >= 0 */
	FK_RATIO,    /* SET:GET, memtier's --ratio */
	FK_PATTERN,  /* R:R or S:S, memtier's --key-pattern */
	FK_TEXT,
};

/* Each flag, up to two other spellings, the key it stands for. */
static const struct flag_def {
	const char *name, *alias[2];
	const char *key;
	bool phase;
	enum flag_kind kind;
} flag_defs[] = {
	{"--clients", {"-c", NULL}, "clients", true, FK_NUMBER},
	{"--pipeline", {"-P", NULL}, "pipeline", true, FK_NUMBER},
	{"--duration", {"--test-time", NULL}, "duration", true, FK_DURATION},
	{"--requests", {"-n", NULL}, "ops", true, FK_NUMBER},
	{"--warmup", {NULL, NULL}, "warmup", true, FK_DURATION},
	{"--rate", {NULL, NULL}, "rate", true, FK_RATE},
	{"--ratio", {NULL, NULL}, "mix", true, FK_RATIO},
	{"--size", {"-d", "--data-size"}, "values.size", false, FK_NUMBER},
	{"--records", {"--key-maximum", NULL}, "keyspace.records", false, FK_NUMBER},
	{"--key-prefix", {NULL, NULL}, "keyspace.prefix", false, FK_TEXT},
	{"--distribution", {NULL, NULL}, "keyspace.distribution", false, FK_TEXT},
	{"--key-pattern", {NULL, NULL}, "keyspace.distribution", false, FK_PATTERN},
	{"--seed", {NULL, NULL}, "seed", false, FK_NUMBER},
	{"--repeat", {"--run-count", NULL}, "repeat", false, FK_NUMBER},
};


const char run_flags_usage[] =
	"\n"
	"A workload from flags (no file needed; docs/workload-format.md, \"Flags\"). Each\n"
	"flag is a --set shortcut for the key it names (a phase key: in every run phase);\n"
	"with a workload file the flags override the file, and a --set of the same key\n"
	"overrides the flag. The workload a run from flags ran is saved as workload.yaml\n"
	"in its result directory: `bench run DIR/workload.yaml` repeats it.\n"
	"  --target [NAME=]URI|DRIVER  without a file: a target, repeatable to compare:\n"
	"                            redis://HOST:PORT[/DB] (rediss://), memcached://HOST:PORT[,...],\n"
	"                            mongodb://..., or a driver name (redis, memcached,\n"
	"                            mongodb, null) for a server bench spawns (--servers)\n"
	"  --clients, -c N           phases.*.clients (default 8; redis-benchmark's -c: all clients)\n"
	"  --pipeline, -P N          phases.*.pipeline (default 1)\n"
	"  --duration, --test-time T phases.*.duration, and ops: null (default 10s; 30 = 30s)\n"
	"  --requests, -n N          phases.*.ops, and duration: null: N requests over all\n"
	"                            clients (redis-benchmark's -n; memtier's is per client)\n"
	"  --warmup T                phases.*.warmup (default none)\n"
	"  --rate N                  phases.*.rate: open loop at N requests/s in total\n"
	"  --ratio SET:GET           phases.*.mix: {set: SET/(SET+GET), get: GET/(SET+GET)}\n"
	"                            (memtier's --ratio; default 1:10)\n"
	"  --size, -d, --data-size N values.size in bytes (default 100)\n"
	"  --records, --key-maximum N  keyspace.records (default 10000; a load phase writes them)\n"
	"  --key-prefix S            keyspace.prefix (default bench:)\n"
	"  --distribution NAME       keyspace.distribution: uniform (default), zipfian,\n"
	"                            hotspot, latest, sequential, exponential\n"
	"  --key-pattern R:R|S:S     keyspace.distribution as memtier names it: uniform, sequential\n"
	"  --seed N                  seed (default 42): the same seed draws the same ops\n"
	"  --repeat, --run-count N   repeat (default 1)\n";

/* The template under the flags: a load phase for the records, then a
 * closed-loop run phase. Only bench's own text: the targets, the one part
 * taken from the command line, are written through escape_yaml. */
static const char template_head[] = "name: flags\n"
				    "description: a workload built from bench run's flags\n"
				    "seed: 42\n"
				    "targets:\n";
static const char template_tail[] = "keyspace:\n"
				    "  records: 10000\n"
				    "  prefix: \"bench:\"\n"
				    "values:\n"
				    "  size: 100\n"
				    "phases:\n"
				    "  - {name: load, type: load}\n"
				    "  - name: run\n"
				    "    duration: 10s\n"
				    "    clients: 8\n"
				    "    pipeline: 1\n"
				    "    mix: {set: 0.0909090909090909, get: 0.909090909090909}\n";

static const struct flag_def *find_flag(const char *arg, size_t *len)
{
	for (size_t i = 0; i < sizeof(flag_defs) / sizeof(flag_defs[0]); i++) {
		const char *names[] = {flag_defs[i].name, flag_defs[i].alias[0], flag_defs[i].alias[1]};

		for (size_t k = 0; k < 3; k++) {
			size_t n = names[k] ? strlen(names[k]) : 0;

			if (n && strncmp(arg, names[k], n) == 0 && (arg[n] == '\0' || (arg[n] == '=' && names[k][1] == '-'))) {
				*len = n;
				return &flag_defs[i];
			}
		}
	}
	return NULL;
}

static void add_set(struct run_flags *f, const struct flag_def *d, const char *key, char *value)
{
	f->sets = xrealloc(f->sets, (f->n_sets + 1) * sizeof(*f->sets));
	f->sets[f->n_sets++] = (struct run_flag_set){d->name, key, d->phase, value};
}

/* The value of flag d, in the form its key takes; NULL after saying why. */
static char *flag_value(const char *cmd, const struct flag_def *d, const char *v)
{
	uint64_t a, b;
	double x;
	char *end;

	switch (d->kind) {
	case FK_NUMBER:
		if (util_parse_u64(v, &a) == 0)
			return xstrdup(v);
		cmd_usage_error(cmd, "%s '%s': want a whole number", d->name, v);
		return NULL;
	case FK_DURATION:
		if (util_parse_u64(v, &a) == 0)
			return xasprintf("%ss", v);
		if (util_parse_duration(v, &a) == 0)
			return xstrdup(v);
		cmd_usage_error(cmd, "%s '%s': want a duration such as 30s, 500ms or 2m (a bare number is seconds)",
				d->name, v);
		return NULL;
	case FK_RATE:
		if (util_parse_double(v, &x) == 0 && isfinite(x) && x >= 0)
			return xstrdup(v);
		cmd_usage_error(cmd, "%s '%s': want requests per second, a number >= 0 (0: closed loop)", d->name, v);
		return NULL;
	case FK_RATIO:
		a = strtoull(v, &end, 10);
		if (*v >= '0' && *v <= '9' && *end == ':' && end[1] >= '0' && end[1] <= '9' &&
		    (b = strtoull(end + 1, &end, 10), *end == '\0') && a + b > 0 && a < UINT32_MAX && b < UINT32_MAX) {
			double set = (double)a / (double)(a + b), get = (double)b / (double)(a + b);

			if (!a)
				return xstrdup("{get: 1}");
			if (!b)
				return xstrdup("{set: 1}");
			return xasprintf("{set: %.15g, get: %.15g}", set, get);
		}
		cmd_usage_error(cmd, "%s '%s': want SET:GET, two whole numbers not both 0 (1:10 is one set to ten gets)",
				d->name, v);
		return NULL;
	case FK_PATTERN:
		if (!strcmp(v, "R") || !strcmp(v, "R:R"))
			return xstrdup("uniform");
		if (!strcmp(v, "S") || !strcmp(v, "S:S"))
			return xstrdup("sequential");
		cmd_usage_error(cmd, "%s '%s': bench draws sets and gets from one distribution: R:R (uniform) or S:S "
				"(sequential); --distribution has zipfian, hotspot, latest and exponential", d->name, v);
		return NULL;
	case FK_TEXT:
		if (*v)
			return xstrdup(v);
		cmd_usage_error(cmd, "%s '': want a value", d->name);
		return NULL;
	}
	return NULL;
}

bool run_flags_option(const char *cmd, int argc, char **argv, int *i, struct run_flags *f, int *rc)
{
	const struct flag_def *d;
	const char *v;
	char *value;
	size_t len;
	int ok;

	*rc = 0;
	if ((v = cmd_opt_value(argc, argv, i, "--target", &ok)) || !ok) {
		if (!ok) {
			*rc = BENCH_EXIT_USAGE;
			return true;
		}
		f->targets = xrealloc(f->targets, (f->n_targets + 1) * sizeof(*f->targets));
		f->targets[f->n_targets++] = v;
		return true;
	}
	if (!(d = find_flag(argv[*i], &len)))
		return false;
	if (argv[*i][len] == '=') {
		v = argv[*i] + len + 1;
	} else if (*i + 1 < argc) {
		v = argv[++*i];
	} else {
		*rc = cmd_usage_error(cmd, "%s needs a value", argv[*i]);
		return true;
	}
	if (!(value = flag_value(cmd, d, v))) {
		*rc = BENCH_EXIT_USAGE;
		return true;
	}
	/* Exactly one of duration and ops: each flag clears the other. */
	if (!strcmp(d->key, "duration") || !strcmp(d->key, "ops")) {
		const char *other = !strcmp(d->key, "ops") ? "duration" : "ops";

		for (size_t k = 0; k < f->n_sets; k++)
			if (!strcmp(f->sets[k].key, other) && strcmp(f->sets[k].value, "null") != 0) {
				free(value);
				*rc = cmd_usage_error(cmd, "%s and %s: a phase runs for a time or a number of requests, "
						      "not both", f->sets[k].flag, d->name);
				return true;
			}
		add_set(f, d, other, xstrdup("null"));
	}
	add_set(f, d, d->key, value);
	return true;
}

bool run_flags_any(const struct run_flags *f)
{
	return f->n_sets > 0;
}

/* A target's name as the flags take it: it goes into --set paths and
 * file names, so only these characters. */
static bool name_ok(const char *s, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	size_t i = 0;

	while (i < n && strchr(ok, s[i]))
		i++;
	return n > 0 && i == n;
}

/* The built-in driver a URI's scheme names: the longest driver name the
 * scheme starts with (redis for rediss, mongodb for mongodb+srv). */
static const struct bench_driver *driver_of_scheme(const char *scheme, size_t n)
{
	size_t count, best_len = 0;
	const struct bench_driver *const *all = bench_drivers_builtin(&count), *best = NULL;

	for (size_t i = 0; i < count; i++) {
		size_t len = strlen(all[i]->name);

		if (len <= n && len > best_len && strncmp(scheme, all[i]->name, len) == 0) {
			best = all[i];
			best_len = len;
		}
	}
	return best;
}

/* A driver whose own addresses have no scheme (memcached: host:port,...)
 * gets the address after "scheme://". */
static const char *driver_uri(const struct bench_driver *d, const char *uri)
{
	const char *sep = strstr(uri, "://");

	if (d->address_default && strstr(d->address_default, "://"))
		return uri;
	return sep ? sep + 3 : uri;
}

/* One target of the template, name and driver and uri (NULL: spawned, or
 * the driver's external address). */
static void add_target(struct sbuf *sb, const char *name, const char *driver, const char *uri)
{
	sbuf_addf(sb, "  - name: ");
	escape_yaml(sb, name);
	sbuf_addf(sb, "\n    driver: ");
	escape_yaml(sb, driver);
	if (uri) {
		sbuf_addf(sb, "\n    uri: ");
		escape_yaml(sb, uri);
	}
	sbuf_addf(sb, "\n");
}

/* The name for a target without NAME=: its driver's, then -2, -3 ... */
static char *unique_name(const char *base, char **names, size_t n)
{
	char *name = xstrdup(base);

	for (unsigned k = 2;; k++) {
		bool taken = false;

		for (size_t i = 0; i < n && !taken; i++)
			taken = strcmp(names[i], name) == 0;
		if (!taken)
			return name;
		free(name);
		name = xasprintf("%s-%u", base, k);
	}
}

/* The --target spec, its password masked, for a message. */
static char *shown_spec(const char *spec)
{
	const char *from, *to;

	if (bench_uri_password(spec, strlen(spec), &from, &to))
		return xasprintf("%.*s***%s", (int)(from - spec), spec, to);
	return xstrdup(spec);
}

/* One --target value into the template; 0 or BENCH_EXIT_USAGE. */
static int template_target(const char *cmd, const char *spec, struct sbuf *sb, char ***names, size_t *n_names)
{
	const char *sep = strstr(spec, "://"), *eq = strchr(spec, '='), *rest = spec, *from, *to;
	const struct bench_driver *d;
	char err[512], *name = NULL, *shown;

	if (eq && (!sep || eq < sep)) {
		if (!name_ok(spec, (size_t)(eq - spec))) {
			shown = shown_spec(spec);
			cmd_usage_error(cmd, "--target '%s': a name is letters, digits, _ and -, then =", shown);
			free(shown);
			return BENCH_EXIT_USAGE;
		}
		name = xstrndup(spec, (size_t)(eq - spec));
		rest = eq + 1;
	}
	if (sep && bench_uri_password(rest, strlen(rest), &from, &to)) {
		shown = shown_spec(spec);
		cmd_usage_error(cmd, "--target '%s': no password on the command line (ps shows it): put it in "
				"BENCH_<DRIVER>_PASSWORD, e.g. BENCH_REDIS_PASSWORD (docs/security.md)", shown);
		free(shown);
		free(name);
		return BENCH_EXIT_USAGE;
	}
	d = sep ? driver_of_scheme(rest, (size_t)(strstr(rest, "://") - rest)) : bench_driver_find(rest, err, sizeof(err));
	if (!d || (sep && !(d->caps & BENCH_CAP_NETWORK))) {
		cmd_usage_error(cmd, "--target '%s': %s", spec,
				sep ? "no driver takes this scheme (redis://, rediss://, memcached://, mongodb://)" : err);
		free(name);
		return BENCH_EXIT_USAGE;
	}
	if (!name)
		name = unique_name(d->name, *names, *n_names);
	for (size_t i = 0; i < *n_names; i++)
		if (!strcmp((*names)[i], name)) {
			cmd_usage_error(cmd, "--target '%s': two targets named '%s'", spec, name);
			free(name);
			return BENCH_EXIT_USAGE;
		}
	add_target(sb, name, sep ? d->name : rest, sep ? driver_uri(d, rest) : NULL);
	*names = xrealloc(*names, (*n_names + 1) * sizeof(**names));
	(*names)[(*n_names)++] = name;
	return 0;
}

int run_flags_finish(const char *cmd, struct run_flags *f, struct run_args *a)
{
	struct sbuf sb = {0};
	char **names = NULL;
	size_t n_names = 0;
	int rc = 0;

	if (a->workload) {
		/* With a file, --target selects its targets by name. */
		for (size_t i = 0; i < f->n_targets; i++) {
			if (strstr(f->targets[i], "://") || strchr(f->targets[i], '=')) {
				char *shown = shown_spec(f->targets[i]);

				rc = cmd_usage_error(cmd, "--target '%s' with %s: with a workload file --target names its "
						     "targets; set an address with --set targets.NAME.uri=URI", shown,
						     a->workload);
				free(shown);
				return rc;
			}
			sbuf_addf(&sb, "%s%s", i ? "," : "", f->targets[i]);
		}
		if (f->n_targets) {
			f->target_list = sbuf_take(&sb);
			a->targets = f->target_list;
		}
		return 0;
	}
	if (!f->n_targets)
		return cmd_usage_error(cmd, "which workload? e.g. bench %s workloads/quick.yaml, or from flags: bench %s "
				       "--target redis://127.0.0.1:6379 --clients 8 --ratio 1:10", cmd, cmd);
	sbuf_addf(&sb, "%s", template_head);
	for (size_t i = 0; i < f->n_targets && !rc; i++) {
		/* A comma list of drivers, as --target redis,memcached was. */
		char *list = xstrdup(f->targets[i]), *save = NULL;

		if (strstr(list, "://") || strchr(list, '='))
			rc = template_target(cmd, list, &sb, &names, &n_names);
		else
			for (char *t = strtok_r(list, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
				rc = template_target(cmd, t, &sb, &names, &n_names);
		free(list);
	}
	sbuf_addf(&sb, "%s", template_tail);
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	if (rc) {
		free(sb.buf);
		return rc;
	}
	f->text = sbuf_take(&sb);
	a->workload = "flags";
	a->workload_text = f->text;
	return 0;
}

void run_flags_overrides(const struct run_flags *f, const struct workload *w, struct run_args *a)
{
	size_t n_run = 0, n = 0;
	struct wl_override *ov;

	for (size_t i = 0; i < w->n_phases; i++)
		n_run += w->phases[i].type == WL_PHASE_RUN;
	ov = xcalloc(f->n_sets * (n_run + 1) + a->n_ov + 1, sizeof(*ov));
	for (size_t k = 0; k < f->n_sets; k++) {
		const struct run_flag_set *s = &f->sets[k];

		if (!s->phase) {
			ov[n++] = (struct wl_override){xstrdup(s->key), s->value};
			continue;
		}
		for (size_t i = 0; i < w->n_phases; i++)
			if (w->phases[i].type == WL_PHASE_RUN)
				ov[n++] = (struct wl_override){w->phases[i].name
								       ? xasprintf("phases.%s.%s", w->phases[i].name, s->key)
								       : xasprintf("phases.%zu.%s", i, s->key),
							       s->value};
	}
	memcpy(ov + n, a->ov, a->n_ov * sizeof(*ov));
	free(a->ov);
	a->ov = ov;
	a->n_ov += n;
}

char *run_flags_target_spec(const struct wl_target *t)
{
	char err[256];
	const struct bench_driver *d = bench_driver_find(t->driver, err, sizeof(err));

	if (!t->uri || !d)
		return xasprintf("%s=%s", t->name, t->driver);
	if (d->address_default && strstr(d->address_default, "://"))
		return xasprintf("%s=%s", t->name, t->uri);
	return xasprintf("%s=%s://%s", t->name, d->name, t->uri);
}

void run_flags_free(struct run_flags *f)
{
	for (size_t i = 0; i < f->n_sets; i++)
		free(f->sets[i].value);
	free(f->sets);
	free(f->targets);
	free(f->target_list);
	free(f->text);
}
