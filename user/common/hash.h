/* hash.h — concviz's one hash table: 64-bit keys to 64-bit values, open
 * addressing (linear probing, backward-shift deletion), a power-of-two
 * capacity that doubles to stay at most half full.
 *
 * A key is a number that stands for itself (a tid, a pid) or the hash of a
 * longer key ((pid, address), a path, a string).  Hashes of different long
 * keys may be equal, so a key may hold several values: cv_hash_next() walks
 * them and the caller compares the long key (cv_hash_get/cv_hash_set treat
 * the key as the whole key).  A value is any number but CV_HASH_NONE: an
 * index into the caller's array, or a pointer through uintptr_t.
 *
 * A zeroed struct cv_hash is an empty table; cv_hash_free() releases it (not
 * what the values point to).  Not thread-safe. */
#ifndef CONCVIZ_HASH_H
#define CONCVIZ_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CV_HASH_NONE UINT64_MAX /* "no value" */

struct cv_hash_slot {
	uint64_t key;
	uint64_t val1;              /* value + 1; 0: empty */
};

struct cv_hash {
	struct cv_hash_slot *slot;
	size_t cap, count;
};

void cv_hash_free(struct cv_hash *h);

/* Add (key, val), also when key holds values already.  false: out of memory. */
bool cv_hash_add(struct cv_hash *h, uint64_t key, uint64_t val);
/* The first value of key replaced by val, or (key, val) added. */
bool cv_hash_set(struct cv_hash *h, uint64_t key, uint64_t val);
/* The first value of key, CV_HASH_NONE if none. */
uint64_t cv_hash_get(const struct cv_hash *h, uint64_t key);
/* The values of key one by one: *it = 0 to start; CV_HASH_NONE when done. */
uint64_t cv_hash_next(const struct cv_hash *h, uint64_t key, size_t *it);
/* Remove (key, val); false if not there. */
bool cv_hash_del(struct cv_hash *h, uint64_t key, uint64_t val);
/* Every value, in no order: *it = 0 to start; CV_HASH_NONE when done.  The
 * table must not change during the walk. */
uint64_t cv_hash_each(const struct cv_hash *h, size_t *it);

/* Mixing: every input bit moves every output bit (MurmurHash3's finaliser). */
static inline uint64_t cv_hash_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* A key for a pair of numbers, e.g. (pid, address). */
static inline uint64_t cv_hash_pair(uint64_t a, uint64_t b)
{
	return cv_hash_mix(a ^ cv_hash_mix(b + 0x9e3779b97f4a7c15ULL));
}

/* A key for a string (FNV-1a). */
uint64_t cv_hash_str(const char *s);

#endif /* CONCVIZ_HASH_H */
