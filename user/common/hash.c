/* hash.c — see hash.h. */
#include <stdlib.h>

#include "common/hash.h"

#define MIN_CAP 16

static size_t home(uint64_t key, size_t cap)
{
	return (size_t)cv_hash_mix(key) & (cap - 1);
}

void cv_hash_free(struct cv_hash *h)
{
	free(h->slot);
	*h = (struct cv_hash){ 0 };
}

/* Put a slot into a table known to have room, without growing. */
static void place(struct cv_hash_slot *slot, size_t cap, struct cv_hash_slot s)
{
	size_t i = home(s.key, cap);

	while (slot[i].val1)
		i = (i + 1) & (cap - 1);
	slot[i] = s;
}

static bool grow(struct cv_hash *h)
{
	size_t ncap = h->cap ? h->cap * 2 : MIN_CAP;
	struct cv_hash_slot *n = calloc(ncap, sizeof(*n));

	if (!n)
		return false;
	for (size_t i = 0; i < h->cap; i++)
		if (h->slot[i].val1)
			place(n, ncap, h->slot[i]);
	free(h->slot);
	h->slot = n;
	h->cap = ncap;
	return true;
}

bool cv_hash_add(struct cv_hash *h, uint64_t key, uint64_t val)
{
	if (val == CV_HASH_NONE)
		return false;
	if ((h->count + 1) * 2 > h->cap && !grow(h))
		return false;
	place(h->slot, h->cap, (struct cv_hash_slot){ key, val + 1 });
	h->count++;
	return true;
}

/* Slot index of the next entry of key from probe step *it on, or cap. */
static size_t find(const struct cv_hash *h, uint64_t key, size_t *it)
{
	if (!h->cap)
		return 0;
	size_t mask = h->cap - 1;
	/* at most half full: an empty slot ends every probe sequence */
	for (size_t i = (home(key, h->cap) + *it) & mask; h->slot[i].val1; i = (i + 1) & mask) {
		++*it;
		if (h->slot[i].key == key)
			return i;
	}
	return h->cap;
}

uint64_t cv_hash_next(const struct cv_hash *h, uint64_t key, size_t *it)
{
	size_t i = find(h, key, it);

	return i < h->cap ? h->slot[i].val1 - 1 : CV_HASH_NONE;
}

uint64_t cv_hash_get(const struct cv_hash *h, uint64_t key)
{
	size_t it = 0;

	return cv_hash_next(h, key, &it);
}

bool cv_hash_set(struct cv_hash *h, uint64_t key, uint64_t val)
{
	size_t it = 0, i = find(h, key, &it);

	if (i < h->cap && val != CV_HASH_NONE) {
		h->slot[i].val1 = val + 1;
		return true;
	}
	return cv_hash_add(h, key, val);
}

bool cv_hash_del(struct cv_hash *h, uint64_t key, uint64_t val)
{
	size_t it = 0, i;

	for (;;) {
		i = find(h, key, &it);
		if (i >= h->cap)
			return false;
		if (h->slot[i].val1 == val + 1)
			break;
	}
	/* backward-shift deletion: move later entries of the probe run into
	 * the hole when their home is not between the hole and them */
	size_t mask = h->cap - 1;
	h->slot[i].val1 = 0;
	for (size_t j = (i + 1) & mask; h->slot[j].val1; j = (j + 1) & mask) {
		size_t hm = home(h->slot[j].key, h->cap);
		if (((j - hm) & mask) >= ((j - i) & mask)) {
			h->slot[i] = h->slot[j];
			h->slot[j].val1 = 0;
			i = j;
		}
	}
	h->count--;
	return true;
}

uint64_t cv_hash_each(const struct cv_hash *h, size_t *it)
{
	for (; *it < h->cap; ++*it)
		if (h->slot[*it].val1)
			return h->slot[(*it)++].val1 - 1;
	return CV_HASH_NONE;
}

uint64_t cv_hash_str(const char *s)
{
	uint64_t x = 1469598103934665603ULL;

	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ULL;
	return x;
}
