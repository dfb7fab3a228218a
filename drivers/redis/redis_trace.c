/*
 * redis_trace.c - the redis driver's commands and replies made readable,
 * for `bench run --trace` and `--dry-run` (driver.h, struct bench_trace and
 * describe). At the bottom of the driver: it reads the RESP the driver
 * wrote and the reply the reader parsed, and calls nothing of the driver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_int.h"

/* Arguments of one command shown; the rest are counted. */
#define TRACE_ARGS_MAX 12

/* Reads "<lead><digits>\r\n" at buf[*at]; the number, or -1. The buffer is
 * the driver's own RESP, so this only guards against running off it. */
static long long resp_number(const char *buf, size_t len, size_t *at, char lead)
{
	long long v = 0;
	size_t i = *at;

	if (i >= len || buf[i] != lead)
		return -1;
	for (i++; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (buf[i] - '0');
	if (i + 1 >= len || buf[i] != '\r' || buf[i + 1] != '\n')
		return -1;
	*at = i + 2;
	return v;
}

size_t redis_trace_commands(const char *buf, size_t len, void (*emit)(void *arg, const char *line, size_t n), void *arg)
{
	size_t at = 0, cmds = 0;
	char line[TRACE_ARGS_MAX * (BENCH_TRACE_WORD_MAX * 4 + 24) + 64];

	while (at < len) {
		long long argc = resp_number(buf, len, &at, '*');
		size_t n = 0;

		if (argc < 0)
			break;
		for (long long a = 0; a < argc; a++) {
			long long alen = resp_number(buf, len, &at, '$');

			if (alen < 0 || (size_t)alen > len - at)
				return cmds;
			if (a < TRACE_ARGS_MAX) {
				if (a)
					line[n++] = ' ';
				n += bench_trace_word(line + n, sizeof(line) - n, buf + at, (size_t)alen);
			}
			at += (size_t)alen + 2;
		}
		if (argc > TRACE_ARGS_MAX)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " ...(%lld arguments)", argc - 1);
		emit(arg, line, n);
		cmds++;
	}
	return cmds;
}

static void trace_sent(void *arg, const char *line, size_t n)
{
	struct bench_trace *t = arg;

	t->line(t, BENCH_TRACE_SENT, line, n);
}

void redis_trace_sent(struct bench_trace *t, const char *buf, size_t len)
{
	if (!t->active)
		return;
	redis_trace_commands(buf, len, trace_sent, t);
}

void redis_trace_reply(struct bench_trace *t, const redisReadTask *task, long long integer, const char *str,
		       size_t len)
{
	char line[BENCH_TRACE_WORD_MAX * 4 + 64];
	size_t n = 0;

	if (!t->active)
		return;
	/* An array's elements: its first few, each on a line of its own. */
	if (task->parent && task->idx >= 3) {
		if (task->idx == 3)
			t->line(t, BENCH_TRACE_MORE, "...", 3);
		return;
	}
	if (task->parent)
		n = (size_t)snprintf(line, sizeof(line), "[%d] ", task->idx);
	switch (task->type) {
	case REDIS_REPLY_STRING:
		n += (size_t)snprintf(line + n, sizeof(line) - n, "$%zu ", len);
		n += bench_trace_word(line + n, sizeof(line) - n, str, len);
		break;
	case REDIS_REPLY_STATUS:
	case REDIS_REPLY_ERROR:
		line[n++] = task->type == REDIS_REPLY_STATUS ? '+' : '-';
		n += bench_trace_word(line + n, sizeof(line) - n, str, len);
		break;
	case REDIS_REPLY_INTEGER:
		n += (size_t)snprintf(line + n, sizeof(line) - n, ":%lld", integer);
		break;
	case REDIS_REPLY_ARRAY:
		n += (size_t)snprintf(line + n, sizeof(line) - n, "*%lld", integer);
		break;
	default:
		n += (size_t)snprintf(line + n, sizeof(line) - n, "(nil)");
		break;
	}
	t->line(t, task->parent ? BENCH_TRACE_MORE : BENCH_TRACE_REPLY, line, n);
}
