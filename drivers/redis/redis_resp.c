/* redis_resp.c - the redis driver's general path writes its commands in
 * RESP into the connection's buffer, and notes which request each answers
 * (redis_ops.c runs them). */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "redis_int.h"

int redis_w_reserve(struct redis_conn *rc, size_t extra)
{
	size_t need = rc->wlen + extra, cap = rc->wcap ? rc->wcap : 4096;
	char *b;

	if (need <= rc->wcap)
		return 0;
	while (cap < need)
		cap *= 2;
	b = realloc(rc->wbuf, cap);
	if (!b)
		return -1;
	rc->wbuf = b;
	rc->wcap = cap;
	return 0;
}

void redis_w_count(struct redis_conn *rc, size_t argc)
{
	rc->wlen = (size_t)(redis_resp_len(rc->wbuf + rc->wlen, '*', argc) - rc->wbuf);
}

void redis_w_arg(struct redis_conn *rc, const struct warg *a)
{
	char *p = redis_resp_len(rc->wbuf + rc->wlen, '$', a->len[0] + a->len[1] + a->len[2]);

	for (int k = 0; k < 3; k++) {
		if (a->len[k]) {
			memcpy(p, a->p[k], a->len[k]);
			p += a->len[k];
		}
	}
	*p++ = '\r';
	*p++ = '\n';
	rc->wlen = (size_t)(p - rc->wbuf);
}

/* One argument of one piece. */
void redis_w_str(struct redis_conn *rc, const char *s, size_t len)
{
	struct warg a = WARG(s, len);

	redis_w_arg(rc, &a);
}

size_t redis_w_need(const struct warg *a)
{
	return W_ARG + a->len[0] + a->len[1] + a->len[2];
}

/* ---- the commands in flight ---- */

int redis_pend_room(struct redis_conn *rc, int nx)
{
	size_t cap = rc->pend_cap[nx] ? rc->pend_cap[nx] * 2 : 64;
	struct redis_pend *p;

	if (rc->npend[nx] < rc->pend_cap[nx])
		return 0;
	p = realloc(rc->pend[nx], cap * sizeof(*p));
	if (!p)
		return -1;
	rc->pend[nx] = p;
	rc->pend_cap[nx] = cap;
	return 0;
}

/* Records that the command just formatted answers request i (next round). */
int redis_pend_push(struct redis_conn *rc, size_t i, int kind)
{
	int nx = rc->cur ^ 1;

	if (redis_pend_room(rc, nx) < 0)
		return -1;
	rc->pend[nx][rc->npend[nx]++] = (struct redis_pend){ .req = (uint32_t)i, .n = 1, .kind = kind };
	rc->rs[i].pending++;
	rc->breqs[i].calls_out++;
	return 0;
}

/* Formats one command of argc arguments for request i. */
int redis_emit(struct redis_conn *rc, size_t i, int kind, const struct warg *v, size_t argc)
{
	size_t need = 16;

	for (size_t a = 0; a < argc; a++)
		need += redis_w_need(&v[a]);
	if (redis_w_reserve(rc, need) < 0)
		return -1;
	redis_w_count(rc, argc);
	for (size_t a = 0; a < argc; a++)
		redis_w_arg(rc, &v[a]);
	return redis_pend_push(rc, i, kind);
}
