/*
 * test_secret.c - secrets: finding a password in every address syntax a
 * driver takes, scrubbing every registered secret and every credential
 * syntax out of text, splitting and percent-decoding an address's
 * credentials (drivers/common.c), and resolving a target's credentials
 * from the environment or a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"
#include "driver.h"
#include "idle.h"
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
		/* Every syntax a driver takes credentials in. */
		{"rediss://u:pw@h:6380", 1},
		{"redis://:a?b@h:6379", 1},               /* Redis: '?' is the password's */
		{"redis://:p%40ss@h", 1},                 /* percent-encoded */
		{"u:pw@127.0.0.1:6379", 1},               /* Redis without scheme */
		{"user:secret@127.0.0.1:11211", 1},       /* a memcached server */
		{"bench:p,w@h1:11211,h2:11211", 1},       /* a memcached pool */
		{"[::1]:11211,h2:11211", 0},
		{"bench@h:11211", 0},
		{"mongodb+srv://u:pw@cluster.example.com/db", 1},
		{"mongodb://h/?password=zz", 1},          /* no driver takes it; refused all the same */
		{"mongodb://h/?sslClientCertificateKeyPassword=kk", 1},
		{"mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok", 1},
		{"mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN%3Atok", 1},
		{"mongodb://h/?authMechanismProperties=SERVICE_NAME:mongodb", 0},
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
		/* Unregistered: found by their syntax. */
		{"bad port in 'user:s3c@host:port'", "bad port in 'user:***@host:port'"},
		{"at u:s3c@127.0.0.1:11211,127.0.0.1:11212: refused", "at u:***@127.0.0.1:11211,127.0.0.1:11212: refused"},
		{"uri=u:s3c@[::1]:11211", "uri=u:***@[::1]:11211"},
		{"rediss://u:a?b@h:1 x", "rediss://u:***@h:1 x"},
		{"(uri redis://:a)b@h)", "(uri redis://:***@h)"},
		{"x=mongodb+srv://u:s3c@c.example.com/db?w=1", "x=mongodb+srv://u:***@c.example.com/db?w=1"},
		{"mongodb://h/?tlsCAFile=/tmp/a@b/ca.pem", "mongodb://h/?tlsCAFile=/tmp/a@b/ca.pem"},
		{"?authMechanismProperties=AWS_SESSION_TOKEN:tok9,SERVICE_NAME:x",
		 "?authMechanismProperties=AWS_SESSION_TOKEN:***,SERVICE_NAME:x"},
		{"?authMechanismProperties=aws_session_token%3Atok9&x=1", "?authMechanismProperties=aws_session_token%3A***&x=1"},
		{"redis://h/?password=hunter2", "redis://h/?password=***"},
		{"?sslClientCertificateKeyPassword=kk&tls=true", "?sslClientCertificateKeyPassword=***&tls=true"},
		/* Look-alikes that are no credentials. */
		{"mail bench@example.com", "mail bench@example.com"},
		{"prefix 'bench:' at 10.0.0.5:6379", "prefix 'bench:' at 10.0.0.5:6379"},
		{"ratio 1:2 @ 3", "ratio 1:2 @ 3"},
		{"authenticated_user benchuser@$external", "authenticated_user benchuser@$external"},
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

/* A password registered from an address reaches the scrubber as written,
 * decoded and encoded: a server or library may echo any of them. */
static void test_registered(void)
{
	static const struct { const char *uri, *in, *out; } cases[] = {
		{"redis://:p%40ss@h:1", "AUTH p@ss failed", "AUTH *** failed"},
		{"redis://:p%40ss@h:1", "x p%40ss y", "x *** y"},
		{"bench:sp ace@h:11211", "in 'bench:sp ace@h:11211'", "in 'bench:***@h:11211'"},
		{"mongodb://h/?tlsCertificateKeyFilePassword=k%26y&tls=true", "key k&y", "key ***"},
		{"mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN:t0k&x=1", "token t0k", "token ***"},
	};
	char *s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		secret_add_uri(cases[i].uri);
		s = secret_scrub(cases[i].in);
		CHECK_STR(s, cases[i].out);
		free(s);
		secret_clear();
	}
	secret_add("a b/c"); /* as the mongodb driver puts it in a uri */
	s = secret_scrub("mongodb://u:a%20b%2Fc@h");
	CHECK_STR(s, "mongodb://u:***@h");
	free(s);
	secret_clear();
}

/* drivers/common.c: how Redis and memcached split "[user]:password@" off an
 * address, and decode it. */
static void test_uri_credentials(void)
{
	static const struct { const char *addr; int rc; const char *user, *pw, *rest; } cases[] = {
		{"u:p%40ss@h:1", 1, "u", "p@ss", "h:1"},
		{":pw@h", 1, "", "pw", "h"},
		{"b%20c:x%2Fy%3A@h:1,h2:2", 1, "b c", "x/y:", "h:1,h2:2"},
		{"u:p@ss@h:1,h2:2", 1, "u", "p@ss", "h:1,h2:2"}, /* the last '@' ends them */
		{"h:1", 0, "", "", "h:1"},
		{"u@h", -1, NULL, NULL, NULL},                 /* no ':' */
		{"u:p%4@h", -1, NULL, NULL, NULL},             /* a cut escape */
		{"u:p%zz@h", -1, NULL, NULL, NULL},
		{"u:p%00x@h", -1, NULL, NULL, NULL},           /* would cut the string */
		{"u:0123456789012345@h", -1, NULL, NULL, NULL}, /* longer than the buffer below */
	};
	char user[16], pw[16], err[256];
	const char *rest;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = bench_uri_credentials(cases[i].addr, user, sizeof(user), pw, sizeof(pw), &rest, err, sizeof(err));

		if (rc != cases[i].rc)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].addr);
		CHECK_INT(rc, cases[i].rc);
		if (rc >= 0) {
			CHECK_STR(user, cases[i].user);
			CHECK_STR(pw, cases[i].pw);
			CHECK_STR(rest, cases[i].rest);
		} else {
			CHECK(err[0] != '\0' && strstr(err, "p%") == NULL && strstr(err, "0123") == NULL);
		}
	}
	CHECK_STR(bench_uri_public("redis://u:p@h:1/0"), "h:1/0");
	CHECK_STR(bench_uri_public("u:p@h:1,h2:2"), "h:1,h2:2");
	CHECK_STR(bench_uri_public("mongodb://u:p@h/?a=b@c"), "h/?a=b@c");
	CHECK_STR(bench_uri_public("redis://h:1"), "h:1");
	{ /* idle connections find the server past the credentials too */
		static const char *const uris[] = {"redis://:p/w,x?y@h:1/0", "u:p,q@h:1,h2:2", "mongodb://u:p@h:1/db?x=1"};
		char host[16];
		int port;

		for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
			CHECK_INT(idle_parse_address(uris[i], host, sizeof(host), &port), 0);
			CHECK_STR(host, "h");
			CHECK_INT(port, 1);
		}
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
	test_registered();
	test_uri_credentials();
	test_credentials();
	return check_report("secret");
}
