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

/* Checks ABI version, required hooks and the options table (every entry
 * has a known type, an enum its values). Returns 0, or -1 with err set. */
int bench_driver_check(const struct bench_driver *d, char *err, size_t errlen);

/*
 * Checks one option of a target against the driver's table (driver.h,
 * enum bench_option_type). Returns 0 with *out = the value the driver is to
 * get: `value` itself, a string of the table (an enum's value; "on"/"off"
 * for a YAML boolean given to an enum of on and off), or "true"/"false" for
 * a boolean option. Returns -1 for an unknown key (err lists the known
 * ones), -2 for a value of the wrong kind (err names the option as `name`,
 * or "option KEY of driver D" when name is NULL, and says what it takes).
 * err is always NUL-terminated and never overrun, whatever the lengths of
 * key and value.
 */
int bench_driver_check_option(const struct bench_driver *d, const char *key, const char *value, const char *name,
			      const char **out, char *err, size_t errlen);

/* "KV,RANGE,..." for caps, into buf; returns buf. */
char *bench_caps_format(unsigned caps, char *buf, size_t len);

#endif
