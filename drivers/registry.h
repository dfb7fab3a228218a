/*
 * registry.h - the table of built-in drivers and loading of external ones.
 */
#ifndef BENCH_REGISTRY_H
#define BENCH_REGISTRY_H

#include <stddef.h>

#include "driver.h"

/* Built-in drivers compiled into this binary (chosen by CMake options), in
 * display order. Sets *n. The array is static. */
const struct bench_driver *const *bench_drivers_builtin(size_t *n);

/*
 * Finds the driver called `name`: a built-in name, or "external:/path/x.so"
 * (a shared object exporting `const struct bench_driver bench_driver`).
 * Returns the driver, or NULL with a message in err (what to do next).
 * A driver returned here has passed bench_driver_check().
 */
const struct bench_driver *bench_driver_find(const char *name, char *err, size_t errlen);

/* Checks ABI version and required hooks. Returns 0, or -1 with err set. */
int bench_driver_check(const struct bench_driver *d, char *err, size_t errlen);

/* Checks a target's options against the driver's table. Returns 0, or -1 with
 * err naming the unknown key and the driver's known options. */
int bench_driver_check_options(const struct bench_driver *d, const struct bench_option *opts,
			       size_t n, char *err, size_t errlen);

/* "KV,RANGE,..." for caps, into buf; returns buf. */
char *bench_caps_format(unsigned caps, char *buf, size_t len);

#endif
