/*
 * redis_slot.h - Redis Cluster's pure helpers: a discovered node's URI,
 * and key slots (the cluster specification's
 * "Keys distribution model"): CRC16 (XMODEM: polynomial 0x1021, initial
 * value 0, no reflection, no final xor) of the key, or of its hash tag,
 * modulo 16384. No dependency on hiredis: the unit test links it alone.
 */
#ifndef BENCH_REDIS_SLOT_H
#define BENCH_REDIS_SLOT_H

#include <stddef.h>
#include <stdint.h>

#define REDIS_CLUSTER_SLOTS 16384u

/* CRC16/XMODEM of buf[0 .. len); CRC16("123456789") = 0x31C3. */
uint16_t redis_crc16(const char *buf, size_t len);

/*
 * The slot of the key made of the concatenation of np pieces (p[k],
 * len[k]; a NULL piece must have length 0). Hash tag: when the key has a
 * '{' and, after it, a '}' with at least one byte between them, only the
 * bytes between the first '{' and the first '}' after it are hashed;
 * otherwise the whole key is. The pieces let a derived key (prefix, tag,
 * record number) be hashed without building it.
 */
unsigned redis_slot_parts(const char *const *p, const size_t *len, size_t np);

/* The slot of one key. */
unsigned redis_key_slot(const char *key, size_t len);

/*
 * The URI of a node the cluster announced (host, port), built from the
 * seed's URI: the seed's scheme (redis:// or rediss://, so a TLS seed
 * keeps TLS; the tls_* options travel with the target's options) and its
 * credentials (user:password@, as written), the node's address ([host]
 * when it holds ':', IPv6), no database (a cluster has database 0 only).
 * A seed without a scheme gives redis://. Writes out (cap bytes); 0, or
 * -1 when it does not fit or host holds a byte that would change the
 * URI's meaning ('/', '@', '[', ']', '?', '#', a space or control byte:
 * host comes from the server's reply).
 */
int redis_cluster_node_uri(char *out, size_t cap, const char *seed_uri, const char *host, int port);

#endif
