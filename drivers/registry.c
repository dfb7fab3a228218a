/* registry.c - the one table of built-in drivers, and external ones. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "registry.h"

extern const struct bench_driver bench_driver_null;
#ifdef BENCH_HAVE_REDIS
extern const struct bench_driver bench_driver_redis;
#endif
#ifdef BENCH_HAVE_MEMCACHED
extern const struct bench_driver bench_driver_memcached;
#endif
#ifdef BENCH_HAVE_MONGODB
extern const struct bench_driver bench_driver_mongodb;
#endif

/* The CMake options BENCH_WITH_<NAME> decide which entries exist. */
static const struct bench_driver *const builtin[] = {
#ifdef BENCH_HAVE_REDIS
	&bench_driver_redis,
#endif
#ifdef BENCH_HAVE_MEMCACHED
	&bench_driver_memcached,
#endif
#ifdef BENCH_HAVE_MONGODB
	&bench_driver_mongodb,
#endif
	&bench_driver_null,
};

const struct bench_driver *const *bench_drivers_builtin(size_t *n)
{
	*n = sizeof(builtin) / sizeof(builtin[0]);
	return builtin;
}

int bench_driver_check(const struct bench_driver *d, char *err, size_t errlen)
{
	const char *missing = NULL;

	if (d->abi_version != BENCH_DRIVER_ABI) {
		snprintf(err, errlen, "driver '%s' was built for ABI %d, this bench speaks ABI %d: rebuild it against this drivers/driver.h",
			 d->name ? d->name : "?", d->abi_version, BENCH_DRIVER_ABI);
		return -1;
	}
	if (!d->name || !*d->name)
		missing = "name";
	else if (!d->open)
		missing = "open";
	else if (!d->close)
		missing = "close";
	else if (!d->exec)
		missing = "exec";
	else if ((d->caps & BENCH_CAP_NETWORK) && !d->server_info)
		missing = "server_info";
	else {
		int n = !!d->event_fd + !!d->submit + !!d->flush + !!d->on_readable + !!d->expire;

		if (n != 0 && n != 5)
			missing = "event_fd/submit/flush/on_readable/expire (all five or none)";
		else if (!d->ns_count != !d->ns_clean || (d->ns_flush && !d->ns_count))
			missing = "ns_count/ns_clean (both or neither; ns_flush only with them)";
	}
	if (missing) {
		snprintf(err, errlen, "driver '%s' lacks the required hook '%s'", d->name ? d->name : "?", missing);
		return -1;
	}
	/* The harness checks values against this table: it must be sound. */
	for (const struct bench_option_spec *s = d->options; s && s->key; s++) {
		if (!*s->key || (unsigned)s->type >= BENCH_OPT__COUNT ||
		    (s->type == BENCH_OPT_ENUM && (!s->values || !s->values[0]))) {
			snprintf(err, errlen, "driver '%s' has a bad options table: option '%.64s' needs a known type "
				 "(and an enum its values)", d->name, s->key);
			return -1;
		}
	}
	return 0;
}

static const struct bench_driver *load_external(const char *path, char *err, size_t errlen)
{
	/* Never dlclose()d: the driver's code must outlive every connection. */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const struct bench_driver *d;

	if (!h) {
		snprintf(err, errlen, "cannot load external driver %s: %s", path, dlerror());
		return NULL;
	}
	d = dlsym(h, "bench_driver");
	if (!d) {
		snprintf(err, errlen, "%s does not export 'const struct bench_driver bench_driver'", path);
		return NULL;
	}
	return d;
}

const struct bench_driver *bench_driver_find(const char *name, char *err, size_t errlen)
{
	const struct bench_driver *d = NULL;
	size_t n;

	if (strncmp(name, "external:", 9) == 0) {
		d = load_external(name + 9, err, errlen);
		if (!d)
			return NULL;
	} else {
		for (n = 0; n < sizeof(builtin) / sizeof(builtin[0]); n++)
			if (strcmp(builtin[n]->name, name) == 0)
				d = builtin[n];
		if (!d) {
			int off = snprintf(err, errlen, "unknown driver '%s'; this bench has:", name);
			for (n = 0; n < sizeof(builtin) / sizeof(builtin[0]) && off > 0 && (size_t)off < errlen; n++)
				off += snprintf(err + off, errlen - off, " %s", builtin[n]->name);
			if (off > 0 && (size_t)off < errlen)
				snprintf(err + off, errlen - off, " (or external:/path/driver.so)");
			return NULL;
		}
	}
	return bench_driver_check(d, err, errlen) == 0 ? d : NULL;
}

/* Appends to err like snprintf at *off, never past errlen: a long key or
 * value cuts the message short instead of writing beyond the buffer. */
static void __attribute__((format(printf, 4, 5))) err_add(char *err, size_t errlen, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen || *off >= errlen - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err + *off, errlen - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = (size_t)n < errlen - *off ? *off + (size_t)n : errlen - 1;
}

/* Keys and values come from the workload: shown cut to 64 bytes. */
#define SHOWN "'%.64s%s'"
#define SHOWN_ARGS(s) (s), strlen(s) > 64 ? "..." : ""

/* YAML 1.1's booleans, each as YAML writes it (true, True, TRUE): 1 for
 * true/yes/on, 0 for false/no/off, -1 for anything else. */
static int yaml_bool(const char *v)
{
	static const char *const words[] = {"false", "no", "off", "true", "yes", "on"};

	for (size_t i = 0; i < 6; i++) {
		size_t n = strlen(words[i]), k;
		int cap = 1, upper = 1;

		if (strlen(v) != n)
			continue;
		for (k = 0; k < n; k++) {
			char up = (char)(words[i][k] - 'a' + 'A');

			cap &= v[k] == (k ? words[i][k] : up);
			upper &= v[k] == up;
		}
		if (!strcmp(v, words[i]) || cap || upper)
			return i >= 3;
	}
	return -1;
}

static int has_value(const char *const *values, const char *v)
{
	for (; values && *values; values++)
		if (!strcmp(*values, v))
			return 1;
	return 0;
}

static const struct bench_option_spec *find_spec(const struct bench_driver *d, const char *key)
{
	for (const struct bench_option_spec *s = d->options; s && s->key; s++)
		if (!strcmp(s->key, key))
			return s;
	return NULL;
}

int bench_driver_check_option(const struct bench_driver *d, const char *key, const char *value, const char *name,
			      const char **out, char *err, size_t errlen)
{
	const struct bench_option_spec *s = find_spec(d, key);
	size_t off = 0;
	int b;

	*out = NULL;
	if (errlen)
		err[0] = '\0'; /* err_add writes nothing into a 1-byte buffer */
	if (!s) {
		err_add(err, errlen, &off, "unknown option " SHOWN " for driver %s; known options:", SHOWN_ARGS(key), d->name);
		if (!d->options || !d->options[0].key)
			err_add(err, errlen, &off, " none");
		for (s = d->options; s && s->key; s++)
			err_add(err, errlen, &off, "%s %s", s == d->options ? "" : ",", s->key);
		return -1;
	}
	if (name)
		err_add(err, errlen, &off, "%s", name);
	else
		err_add(err, errlen, &off, "option %s of driver %s", key, d->name);
	b = yaml_bool(value);
	switch (s->type) {
	case BENCH_OPT_BOOL:
		if (b >= 0) {
			*out = b ? "true" : "false";
			return 0;
		}
		err_add(err, errlen, &off, " must be true or false, got " SHOWN, SHOWN_ARGS(value));
		return -2;
	case BENCH_OPT_ENUM:
		for (const char *const *v = s->values; *v; v++) {
			if (!strcmp(*v, value)) {
				*out = *v;
				return 0;
			}
		}
		if (b >= 0 && has_value(s->values, "on") && has_value(s->values, "off")) {
			*out = b ? "on" : "off";
			return 0;
		}
		err_add(err, errlen, &off, " must be");
		for (const char *const *v = s->values; *v; v++)
			err_add(err, errlen, &off, "%s %s", v == s->values ? "" : v[1] ? "," : " or", *v);
		err_add(err, errlen, &off, ", got " SHOWN, SHOWN_ARGS(value));
		return -2;
	default:
		if (*value) {
			*out = value;
			return 0;
		}
		err_add(err, errlen, &off, " must not be empty");
		return -2;
	}
}

char *bench_caps_format(unsigned caps, char *buf, size_t len)
{
	static const char *const names[] = {
		"KV", "RANGE", "QUERY", "FUZZY", "STRUCTURES", "PERSISTENCE", "TTL", "CLUSTER", "NETWORK", "INCR",
	};
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(caps & (1u << i)) || off >= len)
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", names[i]);
	}
	return buf;
}
