/*
 * test_net.c - see test_net.h.
 */
#include <netdb.h>
#include <string.h>

#include "test_net.h"

int test_net_resolve(const char *hp, int passive, struct sockaddr_storage *out, socklen_t *len)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = passive ? AI_PASSIVE : 0};
	struct addrinfo *ai = NULL;
	const char *colon = strrchr(hp, ':');
	char host[256];

	if (!colon || (size_t)(colon - hp) >= sizeof(host))
		return -1;
	memcpy(host, hp, (size_t)(colon - hp));
	host[colon - hp] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
		return -1;
	memcpy(out, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}
