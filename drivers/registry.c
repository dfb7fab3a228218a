/* registry.c - the one table of built-in drivers, and external ones. */
#include <dlfcn.h>
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

int bench_driver_check_options(const struct bench_driver *d, const struct bench_option *opts,
			       size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct bench_option_spec *s = d->options;
		int off;

		while (s && s->key && strcmp(s->key, opts[i].key) != 0)
			s++;
		if (s && s->key)
			continue;
		off = snprintf(err, errlen, "unknown option '%s' for driver %s; known options:", opts[i].key, d->name);
		if (!d->options || !d->options[0].key)
			snprintf(err + off, errlen - off, " none");
		for (s = d->options; s && s->key && off > 0 && (size_t)off < errlen; s++)
			off += snprintf(err + off, errlen - off, "%s %s", s == d->options ? "" : ",", s->key);
		return -1;
	}
	return 0;
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
