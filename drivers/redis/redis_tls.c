/*
 * redis_tls.c - TLS for the redis driver: a rediss:// uri and the tls_*
 * options, through hiredis_ssl (hiredis >= 1.0). Debian 12 ships hiredis
 * 0.14.1, which has no TLS: there CMake does not define
 * BENCH_HAVE_HIREDIS_SSL, and a rediss:// target fails to open with a
 * message saying how to get a build with TLS. scripts/check-redis-tls
 * builds bench against a hiredis 1.x and runs this file against
 * redis-server --tls-port.
 *
 * The certificate chain is verified against tls_ca_file (hiredis's
 * redisCreateSSLContext turns on peer verification when given a CA); the
 * server's name is sent as SNI (tls_server_name) but hiredis 1.x does not
 * check it against the certificate (docs/security.md).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <hiredis.h>
#ifdef BENCH_HAVE_HIREDIS_SSL
#include <hiredis_ssl.h>
#endif

#include "redis_int.h"

#ifdef BENCH_HAVE_HIREDIS_SSL

static pthread_once_t redis_tls_once = PTHREAD_ONCE_INIT;

static void redis_tls_init(void)
{
	redisInitOpenSSL();
}

int redis_tls_start(struct bench_conn *conn, struct redis_conn *rc, const char *where)
{
	const struct bench_target *t = conn->target;
	redisSSLContextError e = REDIS_SSL_CTX_NONE;
	redisSSLContext *ssl;

	pthread_once(&redis_tls_once, redis_tls_init);
	ssl = redisCreateSSLContext(bench_target_option(t, "tls_ca_file"), NULL, bench_target_option(t, "tls_cert_file"),
				    bench_target_option(t, "tls_key_file"), bench_target_option(t, "tls_server_name"), &e);
	if (!ssl)
		return bench_conn_lost(conn, "redis at %s: TLS setup failed: %s (check the tls_* options' files)", where,
				       redisSSLContextGetError(e));
	rc->ssl = ssl;
	if (redisInitiateSSLWithContext(rc->ctx, ssl) != REDIS_OK)
		return bench_conn_lost(conn, "redis at %s: TLS handshake failed: %s", where,
				       rc->ctx->errstr[0] ? rc->ctx->errstr : "(no detail)");
	return 0;
}

void redis_tls_free(struct redis_conn *rc)
{
	if (rc->ssl)
		redisFreeSSLContext(rc->ssl);
	rc->ssl = NULL;
}

#else

int redis_tls_start(struct bench_conn *conn, struct redis_conn *rc, const char *where)
{
	(void)rc;
	return bench_conn_lost(conn, "redis at %s: rediss:// (TLS) is not in this build: hiredis %d.%d.%d has no "
			       "hiredis_ssl; build bench against hiredis >= 1.0 (see bench drivers, docs/security.md)",
			       where, HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
}

void redis_tls_free(struct redis_conn *rc)
{
	(void)rc;
}

#endif

/* Without rediss://, a tls_* option would be silently ignored. */
int redis_tls_check_options(struct bench_conn *conn, int tls)
{
	static const char *const opts[] = {"tls_ca_file", "tls_cert_file", "tls_key_file", "tls_server_name", NULL};

	for (const char *const *o = opts; *o && !tls; o++)
		if (bench_target_option(conn->target, *o))
			return bench_conn_lost(conn, "redis: option %s needs a rediss:// uri (TLS)", *o);
	return 0;
}
