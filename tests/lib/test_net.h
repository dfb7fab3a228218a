/*
 * test_net.h - what the test proxies (delay_proxy, hostile_proxy) share.
 */
#ifndef BENCH_TEST_NET_H
#define BENCH_TEST_NET_H

#include <sys/socket.h>

/* "HOST:PORT" -> an address (passive: for bind). Returns 0, or -1 when it
 * has no colon, a host over 255 bytes, or does not resolve. */
int test_net_resolve(const char *hp, int passive, struct sockaddr_storage *out, socklen_t *len);

#endif
