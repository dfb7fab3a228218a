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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "secret.h"
#include "util.h"

#define SECRET_MAX 32
#define SECRET_FILE_MAX 4096

static char *secrets[SECRET_MAX];
static size_t n_secrets;

/* URI options whose value is a secret (MongoDB's key-file passwords). */
static const char *const secret_options[] = {"tlsCertificateKeyFilePassword=", "sslPEMKeyPassword=", NULL};

void secret_add(const char *s)
{
	if (!s || !*s)
		return;
	for (size_t i = 0; i < n_secrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	if (n_secrets < SECRET_MAX)
		secrets[n_secrets++] = xstrdup(s);
}

static void wipe_free(char *s)
{
	if (!s)
		return;
	/* volatile: keep the compiler from dropping a write before free. */
	for (volatile char *p = s; *p; p++)
		*p = 0;
	free(s);
}

void secret_clear(void)
{
	for (size_t i = 0; i < n_secrets; i++)
		wipe_free(secrets[i]);
	n_secrets = 0;
}

/* Where the password of the uri starting at s sits: [*from, *to). The
 * userinfo ends at the last '@' before the query (a Redis password may hold
 * '@' or '/'), and a password is what follows its first ':'. Returns 0 when
 * there is none. */
static int uri_password(const char *s, const char **from, const char **to)
{
	const char *scheme = strstr(s, "://"), *start, *end, *at = NULL, *colon;

	if (!scheme)
		return 0;
	start = scheme + 3;
	for (end = start; *end && !isspace((unsigned char)*end) && *end != '"' && *end != '\'' && *end != '?'; end++)
		if (*end == '@')
			at = end;
	if (!at)
		return 0;
	colon = memchr(start, ':', (size_t)(at - start));
	if (!colon || colon + 1 == at)
		return 0;
	*from = colon + 1;
	*to = at;
	return 1;
}

/* The value of a secret option in s: [*from, *to); 0 when there is none. */
static int option_password(const char *s, const char **from, const char **to, const char **name)
{
	for (const char *p = s; *p; p++) {
		for (const char *const *o = secret_options; *o; o++) {
			size_t n = strlen(*o);

			if (strncasecmp(p, *o, n) != 0 || (p > s && isalnum((unsigned char)p[-1])))
				continue;
			*from = p + n;
			for (*to = *from; **to && **to != '&' && !isspace((unsigned char)**to) && **to != '"'; (*to)++)
				;
			if (*to == *from)
				continue;
			*name = *o;
			return 1;
		}
	}
	return 0;
}

const char *secret_in_uri(const char *uri)
{
	const char *from, *to, *name;

	if (!uri)
		return NULL;
	for (const char *p = uri; (p = strstr(p, "://")) != NULL; p += 3) {
		const char *s = p;

		while (s > uri && s[-1] != ',' && !isspace((unsigned char)s[-1]))
			s--;
		if (uri_password(s, &from, &to))
			return "a password (user:password@)";
	}
	if (option_password(uri, &from, &to, &name))
		return "a key-file password (tlsCertificateKeyFilePassword)";
	return NULL;
}

void secret_add_uri(const char *uri)
{
	const char *from, *to, *name;

	for (const char *p = uri; p && (p = strstr(p, "://")) != NULL; p += 3) {
		const char *s = p;

		while (s > uri && s[-1] != ',' && !isspace((unsigned char)s[-1]))
			s--;
		if (uri_password(s, &from, &to)) {
			char *pw = xstrndup(from, (size_t)(to - from));

			secret_add(pw);
			wipe_free(pw);
		}
	}
	if (uri && option_password(uri, &from, &to, &name)) {
		char *pw = xstrndup(from, (size_t)(to - from));

		secret_add(pw);
		wipe_free(pw);
	}
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

char *secret_scrub(const char *text)
{
	const char *from, *to, *name;
	char *s;
	size_t off;

	if (!text)
		return NULL;
	s = xstrdup(text);
	/* Registered secrets first: they also catch a uri password that holds
	 * characters the uri scan stops at. */
	for (size_t i = 0; i < n_secrets; i++) {
		char *hit;

		off = 0;
		while ((hit = strstr(s + off, secrets[i])) != NULL)
			off = mask_range(&s, (size_t)(hit - s), (size_t)(hit - s) + strlen(secrets[i]));
	}
	for (off = 0; (from = strstr(s + off, "://")) != NULL;) {
		size_t at = (size_t)(from - s);

		if (uri_password(s + at, &from, &to) && !is_mask(from, to))
			off = mask_range(&s, (size_t)(from - s), (size_t)(to - s));
		else
			off = at + 3;
	}
	for (off = 0; option_password(s + off, &from, &to, &name);)
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
