/*
 * redis_auth.c - logging in to Redis: AUTH [user] password, sent by hand
 * because hiredis 0.14 has no ACL-aware helper (and 1.x's only takes the
 * password). redis_open calls it on every connect, so a reconnect (the
 * harness closes and reopens) logs in again.
 */
#include <stdio.h>
#include <string.h>

#include <hiredis.h>

#include "redis_int.h"

int redis_auth(struct bench_conn *conn, redisContext *ctx, const char *where, const char *user,
	       const char *password)
{
	const char *argv[3] = {"AUTH", user, password};
	redisReply *reply;
	int ret = 0;

	if (!password)
		return 0;
	if (!user || !*user) {
		argv[1] = password;
		reply = redis_command_argv(ctx, redis_reply_cap(conn->target), 2, argv, NULL);
	} else {
		reply = redis_command_argv(ctx, redis_reply_cap(conn->target), 3, argv, NULL);
	}
	/* The reply (WRONGPASS ..., ERR invalid password) never holds the
	 * password; hiredis's errstr is about the socket. */
	if (!reply)
		return bench_conn_lost(conn, "redis at %s: AUTH failed: %s", where, redis_ctx_errtext(conn, ctx));
	if (reply->type == REDIS_REPLY_ERROR)
		ret = bench_conn_lost(conn, "redis at %s: AUTH failed for %s%s: %s", where, user && *user ? "user " : "",
				      user && *user ? user : "the default user", reply->str);
	freeReplyObject(reply);
	return ret;
}
