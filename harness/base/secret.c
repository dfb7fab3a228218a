/*
 * secret.c - credentials from the environment or a file, and the scrubber
 * every output goes through (contracts in secret.h).
 *
 * Scrubbing works on the text, not on the structures that hold secrets:
 * a driver's error message, a warning or the command line may quote a uri
 * or a password in ways the harness cannot foresee, so the last step before
 * anything is written looks for the secrets themselves.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "driver.h"
#include "secret.h"
#include "util.h"

#define SECRET_FILE_MAX 4096

static char **secrets;
static size_t n_secrets;

/*
 * Options whose value is a secret, matched without regard to case (libmongoc
 * ignores it): MongoDB's key-file passwords (the current name, libmongoc's
 * deprecated one, the shell's), the AWS session token inside
 * authMechanismProperties (':' also percent-encoded), and a plain
 * `password=`, which no driver takes but a user may try (redis-py does).
 */
static const struct {
	const char *name, *what;
	const char *stop; /* what ends the value, besides space and quotes */
} secret_options[] = {
	{"tlsCertificateKeyFilePassword=", "a key-file password (tlsCertificateKeyFilePassword)", "&"},
	{"sslClientCertificateKeyPassword=", "a key-file password (sslClientCertificateKeyPassword)", "&"},
	{"sslPEMKeyPassword=", "a key-file password (sslPEMKeyPassword)", "&"},
	/* one property of a comma-separated list */
	{"AWS_SESSION_TOKEN:", "a session token (AWS_SESSION_TOKEN)", "&,"},
	{"AWS_SESSION_TOKEN%3A", "a session token (AWS_SESSION_TOKEN)", "&,"},
	{"password=", "a password (password=)", "&"},
};
#define N_SECRET_OPTIONS (sizeof(secret_options) / sizeof(secret_options[0]))

static void wipe_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s)); /* not dropped as a dead store before free */
	free(s);
}

static void add_one(const char *s)
{
	for (size_t i = 0; i < n_secrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	secrets = xrealloc(secrets, (n_secrets + 1) * sizeof(*secrets));
	secrets[n_secrets++] = xstrdup(s);
}

void secret_add(const char *s)
{
	char *enc;

	if (!s || !*s)
		return;
	add_one(s);
	enc = xmalloc(3 * strlen(s) + 1);
	bench_pct_encode(s, enc); /* the form a uri carries it in (the mongodb driver's) */
	add_one(enc);
	wipe_free(enc);
}

/* Registers s[0..len) as written and, when it is valid percent-encoding,
 * decoded (the form a driver sends). */
static void add_written(const char *s, size_t len)
{
	char *raw = xstrndup(s, len), *dec = xmalloc(len + 1);

	secret_add(raw);
	if (bench_pct_decode(s, len, dec, len + 1) > 0)
		secret_add(dec);
	explicit_bzero(dec, len + 1);
	free(dec);
	wipe_free(raw);
}

void secret_clear(void)
{
	for (size_t i = 0; i < n_secrets; i++)
		wipe_free(secrets[i]);
	free(secrets);
	secrets = NULL;
	n_secrets = 0;
}

/* Where a secret option's value sits in s: [*from, *to), the first one;
 * *what describes it. 0 when there is none. */
static int option_secret(const char *s, const char **from, const char **to, const char **what)
{
	for (const char *p = s; *p; p++) {
		for (size_t o = 0; o < N_SECRET_OPTIONS; o++) {
			size_t n = strlen(secret_options[o].name);

			if (strncasecmp(p, secret_options[o].name, n) != 0 || (p > s && isalnum((unsigned char)p[-1])))
				continue;
			*from = p + n;
			for (*to = *from; **to && !strchr(secret_options[o].stop, **to) && !strchr("\"'`", **to) &&
					  !isspace((unsigned char)**to); (*to)++)
				;
			if (*to == *from)
				continue;
			*what = secret_options[o].what;
			return 1;
		}
	}
	return 0;
}

const char *secret_in_uri(const char *uri)
{
	const char *from, *to, *what;

	if (!uri)
		return NULL;
	if (bench_uri_password(uri, strlen(uri), &from, &to))
		return "a password (user:password@)";
	if (option_secret(uri, &from, &to, &what))
		return what;
	return NULL;
}

void secret_add_uri(const char *uri)
{
	const char *from, *to, *what;

	if (!uri)
		return;
	if (bench_uri_password(uri, strlen(uri), &from, &to))
		add_written(from, (size_t)(to - from));
	for (const char *p = uri; option_secret(p, &from, &to, &what); p = to)
		add_written(from, (size_t)(to - from));
}

/* Replaces [from, to) of *s (malloc'd) with the mask; returns the offset
 * just past the mask. */
static size_t mask_range(char **s, size_t from, size_t to)
{
	size_t len = strlen(*s), mlen = strlen(SECRET_MASK);
	char *out = xmalloc(len - (to - from) + mlen + 1);

	memcpy(out, *s, from);
	memcpy(out + from, SECRET_MASK, mlen);
	memcpy(out + from + mlen, *s + to, len - to + 1);
	wipe_free(*s);
	*s = out;
	return from + mlen;
}

/* Whether [from, to) is the mask already, or a placeholder of a usage
 * text ("redis://[:password@]host"): nothing to hide. */
static int is_mask(const char *from, const char *to)
{
	static const char *const same[] = {SECRET_MASK, "password", "password]", "PASSWORD", "pass", NULL};

	for (const char *const *s = same; *s; s++)
		if ((size_t)(to - from) == strlen(*s) && !strncmp(from, *s, strlen(*s)))
			return 1;
	return 0;
}

/* Ends a uri with a scheme in free text: a password may hold anything
 * else ('(', ',', '?', '@' ...). */
static int uri_stop(char c)
{
	return !c || isspace((unsigned char)c) || c == '"' || c == '\'' || c == '`';
}

/* Ends a word that may be a schemeless "user:password@host" (a memcached
 * server list, a Redis host:port). */
static int word_stop(char c)
{
	return uri_stop(c) || strchr("()<>{}", c);
}

/* Masks the password of every "scheme://[user]:password@" in *s. */
static void scrub_scheme_uris(char **s)
{
	const char *q, *from, *to;

	for (size_t off = 0; (q = strstr(*s + off, "://")) != NULL;) {
		size_t at = (size_t)(q - *s), start = at, end = at + 3;

		off = at + 3;
		while (start > 0 && (isalnum((unsigned char)(*s)[start - 1]) || strchr("+-.", (*s)[start - 1])))
			start--;
		while (!uri_stop((*s)[end]))
			end++;
		if (start < at && bench_uri_password(*s + start, end - start, &from, &to) && !is_mask(from, to))
			off = mask_range(s, (size_t)(from - *s), (size_t)(to - *s));
	}
}

/* Masks the password of every schemeless "[user]:password@host" word. */
static void scrub_bare_uris(char **s)
{
	const char *from, *to;

	for (size_t off = 0; (*s)[off];) {
		size_t end = off;

		while (!word_stop((*s)[end]))
			end++;
		if (end == off) {
			off++;
			continue;
		}
		if (!memmem(*s + off, end - off, "://", 3) && bench_uri_password(*s + off, end - off, &from, &to) &&
		    (isalnum((unsigned char)to[1]) || to[1] == '[') && !is_mask(from, to))
			off = mask_range(s, (size_t)(from - *s), (size_t)(to - *s)) + 1; /* past the '@' */
		else
			off = end;
	}
}

char *secret_scrub(const char *text)
{
	const char *from, *to, *what;
	char *s;
	size_t off;

	if (!text)
		return NULL;
	s = xstrdup(text);
	/* Registered secrets first: they also catch a password that holds
	 * characters the scans below stop at. */
	for (size_t i = 0; i < n_secrets; i++) {
		char *hit;

		off = 0;
		while ((hit = strstr(s + off, secrets[i])) != NULL)
			off = mask_range(&s, (size_t)(hit - s), (size_t)(hit - s) + strlen(secrets[i]));
	}
	scrub_scheme_uris(&s);
	scrub_bare_uris(&s);
	for (off = 0; option_secret(s + off, &from, &to, &what);)
		off = is_mask(from, to) ? (size_t)(to - s) : mask_range(&s, (size_t)(from - s), (size_t)(to - s));
	return s;
}

void secret_scrub_buf(char *buf, size_t cap)
{
	char *s;

	if (!buf || !cap)
		return;
	s = secret_scrub(buf);
	snprintf(buf, cap, "%s", s);
	wipe_free(s);
}

void secret_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct sbuf sb = {0};
	char *s;

	sbuf_vaddf(&sb, fmt, ap);
	s = secret_scrub(sb.buf ? sb.buf : "");
	fputs(s, f);
	wipe_free(s);
	wipe_free(sb.buf);
}

void secret_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	secret_vfprintf(f, fmt, ap);
	va_end(ap);
}

/* BENCH_<DRIVER>_<WHAT>, e.g. BENCH_REDIS_PASSWORD. */
static char *env_name(const char *driver, const char *what)
{
	char *s = xasprintf("BENCH_%s_%s", driver, what);

	for (char *p = s; *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	return s;
}

/* The password in file path: its text without the trailing newline. */
static int read_password_file(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char buf[SECRET_FILE_MAX + 1];
	size_t n;

	if (!f) {
		snprintf(err, errlen, "cannot read the password file %s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n > SECRET_FILE_MAX) {
		snprintf(err, errlen, "the password file %s is longer than %d bytes", path, SECRET_FILE_MAX);
		return -1;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (!n || memchr(buf, '\n', n) || strlen(buf) != n) {
		snprintf(err, errlen, "the password file %s must hold the password on one line", path);
		memset(buf, 0, sizeof(buf));
		return -1;
	}
	*out = xstrdup(buf);
	memset(buf, 0, sizeof(buf));
	return 0;
}

int secret_credentials(const struct secret_auth *a, const char *target, const char *driver, const char *wl_dir,
		       int external, struct secret_cred *out, char *err, size_t errlen)
{
	char *pw_env = env_name(driver, "PASSWORD"), *user_env = env_name(driver, "USER");
	const char *v;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!a->given) {
		/* The defaults apply to servers bench did not start: a spawned
		 * one has no users. */
		if (!external || !(v = getenv(pw_env)) || !*v) {
			rc = 0;
			goto out;
		}
		out->password = xstrdup(v);
		out->source = xstrdup(pw_env);
		if ((v = getenv(user_env)) && *v)
			out->user = xstrdup(v);
		rc = 0;
		goto out;
	}
	if (a->user)
		out->user = xstrdup(a->user);
	if (a->password_file) {
		char *path = a->password_file[0] == '/' || !wl_dir ? xstrdup(a->password_file)
								    : xasprintf("%s/%s", wl_dir, a->password_file);

		out->source = xasprintf("the file %s", path);
		rc = read_password_file(path, &out->password, err, errlen);
		free(path);
		goto out;
	}
	v = a->password_env ? a->password_env : pw_env;
	out->source = xstrdup(v);
	if (!getenv(v) || !*getenv(v)) {
		snprintf(err, errlen, "target %s: the environment variable %s is not set; export %s=... (the password%s%s), "
			 "or give auth.password_file", target, v, v, out->user ? " of user " : "",
			 out->user ? out->user : "");
		goto out;
	}
	out->password = xstrdup(getenv(v));
	rc = 0;
out:
	if (rc == 0)
		secret_add(out->password);
	else
		secret_cred_free(out);
	free(pw_env);
	free(user_env);
	return rc;
}

void secret_cred_free(struct secret_cred *c)
{
	if (!c)
		return;
	free(c->user);
	wipe_free(c->password);
	free(c->source);
	memset(c, 0, sizeof(*c));
}
