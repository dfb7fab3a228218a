/*
 * redis_slot.h - Redis Cluster key slots (the cluster specification's
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

#endif
