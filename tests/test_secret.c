/*
 * test_secret.c - secrets: finding a password in a uri, scrubbing every
 * registered secret and uri password out of text, and resolving a
 * target's credentials from the environment or a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"
#include "secret.h"
#include "workload.h"

static void test_in_uri(void)
{
	static const struct { const char *uri; int has; } cases[] = {
		{"redis://127.0.0.1:6379", 0},
		{"redis://:pw@127.0.0.1:6379", 1},
		{"redis://bench:pw@127.0.0.1:6379/2", 1},
		{"redis://bench:p@ss/w@127.0.0.1:6379", 1},
		{"redis://bench@127.0.0.1:6379", 0},     /* a user without password */
		{"redis://:@127.0.0.1:6379", 0},         /* empty password */
		{"mongodb://u:p@h1,h2/db?tls=true", 1},
		{"mongodb://h:27017/?tls=true&tlsCAFile=/tmp/a@b/ca.pem", 0}, /* '@' in the query */
		{"mongodb://h/?tlsCertificateKeyFilePassword=x&tls=true", 1},
		{"mongodb://h/?tlsCertificateKeyFile=/k.pem", 0},
		{"127.0.0.1:11211,127.0.0.1:11212", 0},
		{NULL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int has = secret_in_uri(cases[i].uri) != NULL;

		if (has != cases[i].has)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].uri ? cases[i].uri : "(null)");
		CHECK_INT(has, cases[i].has);
	}
}

static void test_scrub(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{"plain text", "plain text"},
		{"at redis://bench:pw1@h:1/0: refused", "at redis://bench:***@h:1/0: refused"},
		{"redis://:pw1@h redis://:x@h", "redis://:***@h redis://:***@h"},
		{"a 'mongodb://u:p%40x@h/?tls=true' b", "a 'mongodb://u:***@h/?tls=true' b"},
		{"?tlsCertificateKeyFilePassword=k3y&tls=true", "?tlsCertificateKeyFilePassword=***&tls=true"},
		{"AUTH failed: Sekrit-42 rejected", "AUTH failed: *** rejected"},      /* registered */
		{"Sekrit-42Sekrit-42", "******"},
		{"redis://:Sekrit-42@h", "redis://:***@h"},
		{"redis://:***@h", "redis://:***@h"},
		{"want redis://[:password@]host:port", "want redis://[:password@]host:port"},
		{"", ""},
	};

	secret_add("Sekrit-42");
	secret_add("");
	secret_add(NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = secret_scrub(cases[i].in), buf[24];

		CHECK_STR(s, cases[i].out);
		free(s);
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		secret_scrub_buf(buf, sizeof(buf));
		CHECK(strstr(buf, "Sekrit-42") == NULL);
	}
	CHECK(secret_scrub(NULL) == NULL);
	secret_clear();
	{
		char *s = secret_scrub("Sekrit-42");

		CHECK_STR(s, "Sekrit-42"); /* forgotten */
		free(s);
	}
}

static void test_credentials(void)
{
	struct wl_target t = {.name = "redis"};
	struct secret_cred c;
	char err[512], path[] = "/tmp/bench-test-secret-XXXXXX";
	int fd;

	/* No auth key: environment defaults for external targets only. */
	setenv("BENCH_REDIS_PASSWORD", "envpw", 1);
	setenv("BENCH_REDIS_USER", "envuser", 1);
	CHECK_INT(secret_credentials(&t.auth, t.name, "redis", ".", 0, &c, err, sizeof(err)), 0);
	CHECK(c.password == NULL && c.user == NULL);
	secret_cred_free(&c);
	CHECK_INT(secret_credentials(&t.auth, t.name, "redis", ".", 1, &c, err, sizeof(err)), 0);
	CHECK_STR(c.password, "envpw");
	CHECK_STR(c.user, "envuser");
	CHECK_STR(c.source, "BENCH_REDIS_PASSWORD");
	secret_cred_free(&c);

	/* auth: {user, password_env} */
	t.auth.given = 1;
	t.auth.user = "bench";
	t.auth.password_env = "BENCH_TEST_NOT_SET_PW";
	unsetenv("BENCH_TEST_NOT_SET_PW");
	CHECK_INT(secret_credentials(&t.auth, t.name, "redis", ".", 1, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "BENCH_TEST_NOT_SET_PW is not set") != NULL);
	setenv("BENCH_TEST_NOT_SET_PW", "fromvar", 1);
	CHECK_INT(secret_credentials(&t.auth, t.name, "redis", ".", 1, &c, err, sizeof(err)), 0);
	CHECK_STR(c.password, "fromvar");
	CHECK_STR(c.user, "bench");
	secret_cred_free(&c);

	/* auth: {password_file}: one line, the newline dropped. */
	t.auth.password_env = NULL;
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "filepw\n", 7) == 7);
	close(fd);
	t.auth.password_file = path;
	CHECK_INT(secret_credentials(&t.auth, t.name, "redis", "/nowhere", 1, &c, err, sizeof(err)), 0);
	CHECK_STR(c.password, "filepw");
	secret_cred_free(&c);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "a\nb\n", 4) == 4);
	close(fd);
	CHECK_INT(secret_credentials(&t.auth, t.name, "redis", "/nowhere", 1, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "one line") != NULL);
	unlink(path);
	CHECK_INT(secret_credentials(&t.auth, t.name, "redis", "/nowhere", 1, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "cannot read the password file") != NULL);
	secret_clear();
}

int main(void)
{
	test_in_uri();
	test_scrub();
	test_credentials();
	return check_report("secret");
}
