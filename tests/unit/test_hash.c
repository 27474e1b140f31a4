/* test_hash.c — the one hash table (user/common/hash.h): get/set/add/next/
 * del/each, growth, collisions of long keys, deletion keeping every probe
 * chain, and a long random run against a plain array. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/hash.h"

TEST(empty)
{
	struct cv_hash h = { 0 };
	size_t it = 0;

	CHECK_EQ(cv_hash_get(&h, 1), CV_HASH_NONE);
	CHECK_EQ(cv_hash_next(&h, 1, &it), CV_HASH_NONE);
	it = 0;
	CHECK_EQ(cv_hash_each(&h, &it), CV_HASH_NONE);
	CHECK(!cv_hash_del(&h, 1, 0));
	CHECK(!cv_hash_add(&h, 1, CV_HASH_NONE)); /* not a value */
	CHECK_EQ(h.count, 0);
	cv_hash_free(&h);
	cv_hash_free(&h); /* twice is fine: free leaves an empty table */
}

TEST(set_get)
{
	struct cv_hash h = { 0 };

	/* 0 is a key and a value like any other */
	CHECK(cv_hash_set(&h, 0, 0));
	CHECK_EQ(cv_hash_get(&h, 0), 0);
	CHECK(cv_hash_set(&h, 0, 7));   /* replaces */
	CHECK_EQ(cv_hash_get(&h, 0), 7);
	CHECK_EQ(h.count, 1);
	/* enough keys to grow several times; keys that share low bits */
	int bad = 0;
	for (uint64_t k = 1; k <= 5000; k++)
		bad += !cv_hash_set(&h, k << 20, k * 3);
	CHECK_EQ(bad, 0);
	CHECK_EQ(h.count, 5001);
	CHECK(h.count * 2 <= h.cap);    /* at most half full */
	CHECK_EQ(h.cap & (h.cap - 1), 0); /* a power of two */
	for (uint64_t k = 1; k <= 5000; k++)
		bad += cv_hash_get(&h, k << 20) != k * 3;
	CHECK_EQ(bad, 0);
	CHECK_EQ(cv_hash_get(&h, 5001ULL << 20), CV_HASH_NONE);
	CHECK_EQ(cv_hash_get(&h, 0), 7);
	cv_hash_free(&h);
	CHECK_EQ(h.count, 0);
	CHECK(h.slot == NULL);
}

/* several values under one key: what callers do with hashes of long keys */
TEST(multi)
{
	struct cv_hash h = { 0 };
	size_t it = 0;
	uint64_t v, seen = 0;

	for (uint64_t i = 0; i < 5; i++)
		CHECK(cv_hash_add(&h, 42, i));
	CHECK(cv_hash_add(&h, 43, 99));
	while ((v = cv_hash_next(&h, 42, &it)) != CV_HASH_NONE)
		seen |= 1ULL << v;
	CHECK_EQ(seen, 0x1f);
	CHECK(cv_hash_del(&h, 42, 2));
	CHECK(!cv_hash_del(&h, 42, 2)); /* gone */
	CHECK(!cv_hash_del(&h, 43, 2)); /* (43, 2) never was */
	seen = 0;
	it = 0;
	while ((v = cv_hash_next(&h, 42, &it)) != CV_HASH_NONE)
		seen |= 1ULL << v;
	CHECK_EQ(seen, 0x1b);
	CHECK_EQ(cv_hash_get(&h, 43), 99);
	/* each: every value once */
	seen = 0;
	it = 0;
	int n = 0;
	while ((v = cv_hash_each(&h, &it)) != CV_HASH_NONE) {
		seen |= 1ULL << (v == 99 ? 63 : v);
		n++;
	}
	CHECK_EQ(n, 5);
	CHECK_EQ(seen, 0x1b | 1ULL << 63);
	cv_hash_free(&h);
}

static uint64_t rnd_state = 0x853c49e6748fea9bULL;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* random set/del/get against an array: deletion must keep every entry
 * reachable (backward shift), also with few distinct keys that collide */
TEST(random)
{
	enum { KEYS = 700, OPS = 200000 };
	static uint64_t want[KEYS];
	struct cv_hash h = { 0 };
	size_t live = 0;
	int bad = 0;

	for (int k = 0; k < KEYS; k++)
		want[k] = CV_HASH_NONE;
	for (int op = 0; op < OPS; op++) {
		uint64_t r = rnd();
		int k = (int)(r % KEYS);
		uint64_t key = (uint64_t)k * 0x10000; /* same low bits */
		if ((r >> 32) % 3) {
			live += want[k] == CV_HASH_NONE;
			want[k] = r >> 40;
			bad += !cv_hash_set(&h, key, want[k]);
		} else if (want[k] != CV_HASH_NONE) {
			bad += !cv_hash_del(&h, key, want[k]);
			want[k] = CV_HASH_NONE;
			live--;
		}
		if (op % 997 == 0)
			for (int j = 0; j < KEYS; j++)
				bad += cv_hash_get(&h, (uint64_t)j * 0x10000) != want[j];
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(h.count, live);
	cv_hash_free(&h);
}

TEST(mix)
{
	/* different inputs, different keys; the pair is ordered */
	CHECK(cv_hash_mix(1) != cv_hash_mix(2));
	CHECK(cv_hash_pair(1, 2) != cv_hash_pair(2, 1));
	CHECK(cv_hash_pair(100, 0x1000) != cv_hash_pair(100, 0x1008));
	CHECK(cv_hash_str("counter_lock") == cv_hash_str("counter_lock"));
	CHECK(cv_hash_str("a") != cv_hash_str("b"));
	CHECK(cv_hash_str("") != 0);
	/* every output bit depends on the input's low bits (home slots spread) */
	uint64_t or_ = 0, and_ = ~0ULL;
	for (uint64_t i = 0; i < 64; i++) {
		or_ |= cv_hash_mix(i);
		and_ &= cv_hash_mix(i);
	}
	CHECK_EQ(or_, ~0ULL);
	CHECK_EQ(and_, 0);
}

int main(void)
{
	RUN(empty);
	RUN(set_get);
	RUN(multi);
	RUN(random);
	RUN(mix);
	return CHECK_DONE();
}
