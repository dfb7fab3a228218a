/*
 * secret.h - credentials: where they come from, and keeping them out of
 * everything bench writes.
 *
 * A password never sits in a workload file. It comes from an environment
 * variable or a file named by the target's `auth` key (or the defaults
 * BENCH_<DRIVER>_USER / BENCH_<DRIVER>_PASSWORD), or inside a uri taken
 * from the environment (BENCH_REDIS_URI ...). Every password bench learns
 * is registered here (as written, percent-decoded and percent-encoded),
 * and every text that leaves bench (run.json, summary.csv, warnings, lines
 * on the terminal that quote an address, a prefix or a driver's message)
 * goes through secret_scrub, which replaces with "***":
 *  - each registered secret;
 *  - the password of every `scheme://[user]:password@` (redis, rediss,
 *    mongodb, mongodb+srv, any scheme), where the userinfo ends as the
 *    driver of that scheme ends it (drivers/driver.h, bench_uri_password);
 *  - the password of every schemeless `[user]:password@host` (a memcached
 *    server list, a Redis address without scheme);
 *  - the value of tlsCertificateKeyFilePassword=,
 *    sslClientCertificateKeyPassword=, sslPEMKeyPassword=, password= and
 *    AWS_SESSION_TOKEN: (in MongoDB's authMechanismProperties).
 * docs/security.md has the whole story.
 *
 * The registry is process-wide: filled by the main thread before any
 * client thread starts, read-only while they run, emptied by secret_clear.
 */
#ifndef BENCH_SECRET_H
#define BENCH_SECRET_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* What replaces a secret in every output. */
#define SECRET_MASK "***"

/* Registers s (copied), and its percent-encoded form, so secret_scrub
 * hides them; NULL and "" are ignored. */
void secret_add(const char *s);

/* Registers the secrets inside uri (one address, a memcached server list
 * included): its userinfo password and secret options' values, each as
 * written and percent-decoded. */
void secret_add_uri(const char *uri);

/* Forgets (and overwrites) every registered secret. */
void secret_clear(void);

/* A malloc'd copy of text with every secret replaced by SECRET_MASK
 * (see above). NULL gives NULL. */
char *secret_scrub(const char *text);

/* As secret_scrub, in place in buf of cap bytes (cut to fit). */
void secret_scrub_buf(char *buf, size_t cap);

/* fprintf through secret_scrub: for every terminal line that quotes an
 * address, a prefix or another program's message. */
void secret_vfprintf(FILE *f, const char *fmt, va_list ap);
void secret_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Whether uri (one address, as its driver reads it) carries a secret in
 * its text: a password in `[scheme://][user]:password@`, or one of the
 * secret options above. Returns a short description of what was found
 * ("a password (user:password@)", "a key-file password
 * (tlsCertificateKeyFilePassword)", "a session token ..."), or NULL.
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
