/* test_cluster_slot.c - Redis Cluster key slots: CRC16/XMODEM and hash
 * tags, against the specification's test vector and slots that
 * redis-server 7.0 (CLUSTER KEYSLOT) gives for the same keys; the URI of
 * a discovered node, which keeps the seed's scheme (TLS) and credentials;
 * and the limit on the nodes one connection keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "redis_cluster.h"
#include "redis_slot.h"

/* A discovered node's URI from the seed's: the scheme (rediss:// stays
 * TLS: it once became redis://rediss://... or plain redis://), the
 * credentials, IPv6 brackets. */
static void check_node_uris(void)
{
	static const struct {
		const char *seed, *host, *want;
	} cases[] = {
		{"redis://127.0.0.1:7000", "10.0.0.2", "redis://10.0.0.2:7001"},
		{"rediss://127.0.0.1:7000", "10.0.0.2", "rediss://10.0.0.2:7001"},
		{"redis://:s3cret@127.0.0.1:7000/0", "10.0.0.2", "redis://:s3cret@10.0.0.2:7001"},
		{"rediss://:s3cret@127.0.0.1:7000", "10.0.0.2", "rediss://:s3cret@10.0.0.2:7001"},
		{"rediss://bench:p%40ss@w/rd@h:7000", "n1", "rediss://bench:p%40ss@w/rd@n1:7001"},
		{"redis://[::1]:7000", "::1", "redis://[::1]:7001"},
		{"rediss://u:pw@[fe80::1]:7000", "fe80::2", "rediss://u:pw@[fe80::2]:7001"},
		{"127.0.0.1:7000", "10.0.0.2", "redis://10.0.0.2:7001"},
	};
	char out[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(redis_cluster_node_uri(out, sizeof(out), cases[i].seed, cases[i].host, 7001), 0);
		CHECK_STR(out, cases[i].want);
	}
	/* host comes from the server: a byte that changes the URI is refused. */
	CHECK_INT(redis_cluster_node_uri(out, sizeof(out), "rediss://h:1", "evil/0", 7001), -1);
	CHECK_INT(redis_cluster_node_uri(out, sizeof(out), "rediss://h:1", "a@b", 7001), -1);
	CHECK_INT(redis_cluster_node_uri(out, sizeof(out), "rediss://h:1", "", 7001), -1);
	/* Too long for the buffer: refused, never cut. */
	CHECK_INT(redis_cluster_node_uri(out, 16, "rediss://:s3cret@h:1", "10.0.0.2", 7001), -1);
}

/* A server that redirects to a new address every time: the nodes bench
 * keeps for them stop at RC_MAX_NODES, and the next redirection loses the
 * connection with a message that says why (no server needed: a node is
 * connected only when a request goes to it). */
static void check_node_limit(void)
{
	struct bench_target t = {.name = "redis", .uri = "redis://127.0.0.1:7000"};
	struct bench_conn seed = {.target = &t};
	struct redis_cluster *cl = calloc(1, sizeof(*cl));
	char addr[32];
	int kept = 0;

	if (!cl) {
		CHECK(cl != NULL);
		return;
	}
	cl->seed = &seed;
	for (int i = 0; i < RC_MAX_NODES; i++) {
		snprintf(addr, sizeof(addr), "10.0.%d.%d:7001", i / 250, i % 250 + 1);
		kept += redis_cluster_node_at(cl, addr) == i;
	}
	CHECK_INT(kept, RC_MAX_NODES);
	CHECK_INT(seed.err, 0);
	CHECK_INT(redis_cluster_node_at(cl, "10.0.0.1:7001"), 0); /* one it knows */
	CHECK_INT(redis_cluster_node_at(cl, "10.9.9.9:7001"), RC_NO_NODE);
	CHECK(seed.err != 0);
	CHECK(strstr(seed.errstr, "more than 1024 nodes") != NULL);
	if (!strstr(seed.errstr, "more than 1024 nodes"))
		fprintf(stderr, "  errstr: %s\n", seed.errstr);
	CHECK_INT((long long)cl->nn, RC_MAX_NODES);
	redis_cluster_free(cl);
}

int main(void)
{
	check_node_uris();
	check_node_limit();
	static const struct {
		const char *key;
		unsigned slot;
	} cases[] = {
		{"123456789", 0x31C3 & 16383}, /* the spec's vector: CRC16 = 0x31C3 */
		{"foo", 12182},
		{"bar", 5061},
		{"", 0},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443}, /* same tag, same slot */
		{"user1000", 3443},             /* = the tag hashed alone */
		{"foo{}{bar}", 8363},           /* empty tag: the whole key */
		{"foo{{bar}}zap", 4015},        /* the tag is "{bar" */
		{"{bar", 4015},
		{"foo{bar}{zap}", 5061},        /* the first tag only: "bar" */
		{"a{b", 13340},                 /* no '}': the whole key */
		{"a}b{c}", 7365},               /* a '}' before the '{' does not count */
		{"b:000000000042", 4067},
		{"b:~h:000000000042", 3011},
	};

	CHECK_INT(redis_crc16("123456789", 9), 0x31C3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *k = cases[i].key;
		size_t n = strlen(k);

		CHECK_INT(redis_key_slot(k, n), cases[i].slot);
		/* Cut in three pieces anywhere, the slot is the same. */
		for (size_t a = 0; a <= n; a++) {
			for (size_t b = a; b <= n; b++) {
				const char *p[3] = { k, k + a, k + b };
				size_t len[3] = { a, b - a, n - b };

				if (redis_slot_parts(p, len, 3) != cases[i].slot) {
					CHECK_INT(redis_slot_parts(p, len, 3), cases[i].slot);
					fprintf(stderr, "  key '%s' cut at %zu, %zu\n", k, a, b);
				}
			}
		}
	}
	return check_report("cluster_slot");
}
