/*
 * memcached_trace.c - the memcached driver's commands and replies made
 * readable, for `bench run --trace` and `--dry-run` (driver.h). At the
 * bottom of the driver: it reads the event path's commands and reply
 * lines, and the blocking path's requests, and calls nothing of the
 * driver.
 *
 * The event path speaks the text protocol itself, so its trace is the
 * wire: each command as written, each reply line as read. The blocking
 * path goes through libmemcached, which neither shows the bytes it writes
 * nor the lines it reads (and may speak the binary protocol to a pool):
 * it is traced at the request level, each request as the command it
 * stands for and its outcome, and every such line says so.
 */
#include <stdio.h>
#include <string.h>

#include "memcached_int.h"

/* Room for one rendered command: a key, a value and the words around them. */
#define MC_TRACE_LINE 640

/* Appends the text words of line[0..len) (split at spaces), each through
 * bench_trace_word, at out[*n]. */
static void words(char *out, size_t cap, size_t *n, const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && *n + 1 < cap) {
		size_t j = i;

		while (j < len && line[j] != ' ')
			j++;
		if (i)
			out[(*n)++] = ' ';
		*n += bench_trace_word(out + *n, cap - *n, line + i, j - i);
		i = j < len ? j + 1 : j;
	}
}

size_t mc_trace_render(char *out, size_t cap, const struct mc_cmd *cmd, const struct bench_request *batch)
{
	const struct bench_request *r = &batch[cmd->first];
	size_t n = 0;

	out[0] = '\0';
	if (cmd->kind == MC_CMD_NOOP)
		return (size_t)snprintf(out, cap, "version");
	if (cmd->kind == MC_CMD_GET) {
		n = (size_t)snprintf(out, cap, "get");
		for (size_t i = cmd->first; i < cmd->end && n + 1 < cap; i++) {
			if (batch[i].status != MC_PENDING)
				continue; /* refused before it was sent */
			out[n++] = ' ';
			n += bench_trace_word(out + n, cap - n, batch[i].key, batch[i].key_len);
		}
		return n;
	}
	n = (size_t)snprintf(out, cap, "%s ", r->op == BENCH_OP_DELETE ? "delete" : "set");
	n += bench_trace_word(out + n, cap - n, r->key, r->key_len);
	if (r->op == BENCH_OP_SET) {
		n += (size_t)snprintf(out + n, cap - n, " 0 0 %zu ", r->value_len);
		n += bench_trace_word(out + n, cap - n, r->value ? r->value : "", r->value_len);
	}
	return n;
}

void mc_trace_text_sent(struct bench_trace *t, const struct mc_text *ev)
{
	char line[MC_TRACE_LINE];

	for (size_t i = 0; i < ev->n_cmds && t->active; i++) {
		size_t n = mc_trace_render(line, sizeof(line), &ev->cmds[i], ev->batch);

		t->line(t, BENCH_TRACE_SENT, line, n);
	}
}

void mc_trace_text_reply(struct bench_trace *t, int first, const char *line, size_t len)
{
	char out[MC_TRACE_LINE];
	size_t n = 0;

	if (!t->active)
		return;
	words(out, sizeof(out), &n, line, len);
	t->line(t, first ? BENCH_TRACE_REPLY : BENCH_TRACE_MORE, out, n);
}

void mc_trace_text_value(struct bench_trace *t, const char *data, size_t avail, size_t vlen)
{
	char out[MC_TRACE_LINE];
	size_t n;

	if (!t->active)
		return;
	n = (size_t)snprintf(out, sizeof(out), "<data> ");

	n += bench_trace_word(out + n, sizeof(out) - n, data, avail < vlen ? avail : vlen);
	if (avail < vlen)
		n += (size_t)snprintf(out + n, sizeof(out) - n, " (of %zu bytes)", vlen);
	t->line(t, BENCH_TRACE_MORE, out, n);
}

void mc_trace_requests(struct bench_trace *t, const struct mc_conn *mc, const char *prefix,
		       const struct bench_request *reqs, size_t n)
{
	const char *how = mc && mc->binary ? "[libmemcached, binary protocol; request level] "
					   : "[libmemcached; request level] ";
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < n && t->active; i++) {
		const struct bench_request *r = &reqs[i];
		char line[MC_TRACE_LINE];
		size_t k;

		if (r->status == BENCH_UNSUPPORTED)
			continue;
		k = (size_t)snprintf(line, sizeof(line), "%s%s ", how, r->op == BENCH_OP_GET ? "get"
				     : r->op == BENCH_OP_SET ? "set" : r->op == BENCH_OP_DELETE ? "delete" : "incr");
		if (r->op == BENCH_OP_INCR && r->key_len >= plen) {
			/* mc_incr's counter key: <prefix>~n:<the record key after the prefix> */
			char key[300];
			int kl = snprintf(key, sizeof(key), "%s~n:%.*s", prefix, (int)(r->key_len - plen), r->key + plen);

			k += bench_trace_word(line + k, sizeof(line) - k, key, (size_t)kl);
			k += (size_t)snprintf(line + k, sizeof(line) - k, " 1 (add 1 when absent)");
		} else {
			k += bench_trace_word(line + k, sizeof(line) - k, r->key, r->key_len);
		}
		if (r->op == BENCH_OP_SET) {
			k += (size_t)snprintf(line + k, sizeof(line) - k, " 0 0 %zu ", r->value_len);
			k += bench_trace_word(line + k, sizeof(line) - k, r->value ? r->value : "", r->value_len);
		}
		t->line(t, BENCH_TRACE_SENT, line, k);
		if (r->status == BENCH_OK && r->op == BENCH_OP_GET)
			k = (size_t)snprintf(line, sizeof(line), "%sa value of %zu bytes", how, r->value_len_out);
		else if (r->status == BENCH_OK)
			k = (size_t)snprintf(line, sizeof(line), "%s%s", how, r->op == BENCH_OP_SET ? "STORED"
					     : r->op == BENCH_OP_DELETE ? "DELETED" : "ok");
		else if (r->status == BENCH_MISS)
			k = (size_t)snprintf(line, sizeof(line), "%s%s", how, r->op == BENCH_OP_GET ? "END (a miss)"
					     : "NOT_FOUND");
		else
			k = (size_t)snprintf(line, sizeof(line), "%s%s", how, bench_status_name(r->status));
		t->line(t, BENCH_TRACE_REPLY, line, k < sizeof(line) ? k : sizeof(line) - 1);
	}
}
