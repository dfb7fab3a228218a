/*
 * secret.h - credentials: where they come from, and keeping them out of
 * everything bench writes.
 *
 * A password never sits in a workload file. It comes from an environment
 * variable or a file named by the target's `auth` key (or the defaults
 * BENCH_<DRIVER>_USER / BENCH_<DRIVER>_PASSWORD), or inside a uri taken
 * from the environment (BENCH_REDIS_URI ...). Every password bench learns
 * is registered here, and every text that leaves bench (run.json,
 * summary.csv, warnings, error messages on the terminal) goes through
 * secret_scrub, which replaces each registered password, the password of
 * any `scheme://user:password@` and any tlsCertificateKeyFilePassword=
 * value with "***". docs/security.md has the whole story.
 *
 * The registry is process-wide: filled by the main thread before any
 * client thread starts, read-only while they run, emptied by secret_clear.
 */
#ifndef BENCH_SECRET_H
#define BENCH_SECRET_H

#include <stddef.h>

/* What replaces a secret in every output. */
#define SECRET_MASK "***"

/* Registers s (copied) so secret_scrub hides it; NULL and "" are ignored. */
void secret_add(const char *s);

/* Registers the password inside uri (a list of uris too), if any. */
void secret_add_uri(const char *uri);

/* Forgets (and overwrites) every registered secret. */
void secret_clear(void);

/* A malloc'd copy of text with every secret replaced by SECRET_MASK
 * (see above). NULL gives NULL. */
char *secret_scrub(const char *text);

/* As secret_scrub, in place in buf of cap bytes (cut to fit). */
void secret_scrub_buf(char *buf, size_t cap);

/*
 * Whether uri (or a list of them) carries a secret in its text: a
 * password in `scheme://user:password@`, or a tlsCertificateKeyFilePassword
 * option. Returns a short description of what was found ("a password
 * (user:password@)"), or NULL.
 */
const char *secret_in_uri(const char *uri);

/* A target's auth key, as written in the workload. */
struct secret_auth {
	int given;                     /* the target has an auth key */
	char *user;                    /* NULL: none (Redis: AUTH with the password alone) */
	char *password_env;            /* NULL: BENCH_<DRIVER>_PASSWORD, unless password_file */
	char *password_file;           /* as written: relative to the workload file's directory */
};

/* A target's credentials, resolved. */
struct secret_cred {
	char *user;        /* NULL: none (Redis: AUTH password alone) */
	char *password;    /* NULL: no credentials at all */
	char *source;      /* where the password came from, for messages:
			    * "BENCH_REDIS_PASSWORD", "the file /run/pw" */
};

/*
 * Resolves the credentials of the target called `target` (its auth key
 * `a`) for a driver called `driver`:
 *  - a->given: the user, and the password from auth.password_env or
 *    auth.password_file (a path relative to the workload file's directory,
 *    `wl_dir`), else from BENCH_<DRIVER>_PASSWORD;
 *  - no auth key, the target reached externally (`external` != 0):
 *    BENCH_<DRIVER>_PASSWORD and BENCH_<DRIVER>_USER when set, else none.
 * Registers the password. Returns 0 (out filled; all NULL when there are no
 * credentials) or -1 with err saying what is missing and where to put it.
 * Free out with secret_cred_free.
 */
int secret_credentials(const struct secret_auth *a, const char *target, const char *driver, const char *wl_dir, int external,
		       struct secret_cred *out, char *err, size_t errlen);

/* Overwrites the password and frees the strings; NULL fields are fine. */
void secret_cred_free(struct secret_cred *c);

#endif
