/*
 * workload_auth.c - a target's `auth` key, and the refusal of passwords
 * written into the workload (a uri with user:password@): a workload file is
 * shared, committed and copied into results, so it only says where the
 * password is (an environment variable or a file), never what it is.
 */
#include <ctype.h>
#include <string.h>
#include <yaml.h>

#include "secret.h"
#include "util.h"
#include "workload.h"
#include "workload_tree.h"

enum { AK_USER, AK_PASSWORD_ENV, AK_PASSWORD_FILE, AK_PASSWORD, AK__COUNT };
static const char *const auth_keys[] = {"user", "password_env", "password_file", "password", NULL};

static int env_name_ok(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

void wl_parse_auth(struct wt_ctx *c, struct wl_target *t, yaml_node_t *n, const char *path)
{
	yaml_node_t *v[AK__COUNT], *kn[AK__COUNT];
	char *p;

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		return;
	t->auth.given = 1;
	wt_map_fields(c, n, path, auth_keys, v, kn);
	if (kn[AK_PASSWORD])
		/* Never echo the value: it is the secret. */
		wt_report(c, kn[AK_PASSWORD], "%s.password: a password is never written in a workload; put it in an "
			  "environment variable and name it with password_env: VAR (default BENCH_<DRIVER>_PASSWORD), "
			  "or in a file named by password_file: PATH", path);
	if (wt_present(v[AK_USER])) {
		p = xasprintf("%s.user", path);
		wt_get_str(c, v[AK_USER], p, &t->auth.user);
		free(p);
	}
	if (wt_present(v[AK_PASSWORD_ENV])) {
		p = xasprintf("%s.password_env", path);
		if (wt_get_str(c, v[AK_PASSWORD_ENV], p, &t->auth.password_env) == 0 && !env_name_ok(t->auth.password_env))
			wt_report(c, v[AK_PASSWORD_ENV], "%s is the name of an environment variable (letters, digits, "
				  "'_'), e.g. BENCH_REDIS_PASSWORD, not its value", p);
		free(p);
	}
	if (wt_present(v[AK_PASSWORD_FILE])) {
		p = xasprintf("%s.password_file", path);
		if (wt_present(v[AK_PASSWORD_ENV]))
			wt_report(c, kn[AK_PASSWORD_FILE], "%s has both password_env and password_file; give one", path);
		else
			wt_get_str(c, v[AK_PASSWORD_FILE], p, &t->auth.password_file);
		free(p);
	}
}

void wl_check_uri_secret(struct wt_ctx *c, const struct wl_target *t, yaml_node_t *n, const char *path,
			 const struct bench_driver *driver)
{
	const char *what = secret_in_uri(t->uri);
	const char *env = driver && driver->address_env ? driver->address_env : "BENCH_<DRIVER>_URI";

	if (!what)
		return;
	if (strstr(what, "key-file") || strstr(what, "token")) /* auth cannot carry these */
		wt_report(c, n, "%s holds %s; bench takes secrets only from the environment or a file: put the whole "
			  "uri in %s and run with --servers external", path, what, env);
	else
		wt_report(c, n, "%s holds %s; bench takes secrets only from the environment or a file: remove it and "
			  "give the target auth: {user: NAME, password_env: VAR} (or password_file: PATH), or put the "
			  "whole uri in %s and run with --servers external", path, what, env);
}
