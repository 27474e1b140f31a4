/* test_event_order.c — a read's events by time (user/live/event_order.h):
 * CPUs' stages interleaved, an interrupt's event ahead of its CPU's stage,
 * user-made events past the CPUs, ties kept in a CPU's order, against a
 * plain sort of the same events. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live/event_order.h"

static int by_ts(const void *a, const void *b)
{
	const struct cv_event *x = a, *y = b;

	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* ncpus CPUs, each making events at its own pace, sent in stages of 32
 * (round robin over CPUs), every 50th event of a CPU sent alone ahead */
static size_t make(struct cv_event *ev, size_t n, unsigned ncpus, unsigned seed)
{
	size_t k = 0;
	uint64_t now[64] = { 0 };

	srand(seed);
	while (k < n) {
		unsigned c = (unsigned)rand() % ncpus;
		size_t stage = 1 + (size_t)rand() % 32;

		for (size_t i = 0; i < stage && k < n; i++) {
			now[c] += 1 + (uint64_t)(rand() % 1000);
			ev[k] = (struct cv_event){ .ts = now[c], .cpu = (uint16_t)c, .tid = (uint32_t)k };
			if (i > 1 && rand() % 50 == 0) { /* ahead of the two before it */
				struct cv_event x = ev[k];
				ev[k] = ev[k - 1];
				ev[k - 1] = ev[k - 2];
				ev[k - 2] = x;
			}
			k++;
		}
	}
	return k;
}

TEST(many_cpus_match_a_plain_sort)
{
	static struct cv_event ev[20000], ref[20000];
	struct cv_event *scratch = NULL;
	size_t cap = 0;
	int bad = 0;

	for (unsigned ncpus = 1; ncpus <= 64; ncpus *= 4) {
		size_t n = make(ev, 20000, ncpus, ncpus);

		memcpy(ref, ev, n * sizeof(*ev));
		qsort(ref, n, sizeof(*ref), by_ts);
		CHECK(cv_sort_events(ev, n, ncpus, &scratch, &cap));
		for (size_t i = 0; i < n; i++)
			bad += ev[i].ts != ref[i].ts;
		for (size_t i = 1; i < n; i++)
			bad += ev[i].ts < ev[i - 1].ts;
	}
	CHECK_EQ(bad, 0);
	CHECK(cap >= 20000);
	free(scratch);
}

TEST(user_events_and_ties)
{
	/* cpu 7 is past ncpus 2: its own run; equal times keep a CPU's order */
	struct cv_event ev[] = {
		{ .ts = 5, .cpu = 1, .tid = 1 }, { .ts = 5, .cpu = 1, .tid = 2 },
		{ .ts = 3, .cpu = 7, .tid = 3 }, { .ts = 1, .cpu = 0, .tid = 4 },
		{ .ts = 9, .cpu = 0, .tid = 5 }, { .ts = 6, .cpu = 1, .tid = 6 },
	};
	struct cv_event *scratch = NULL;
	size_t cap = 0;
	uint32_t want[] = { 4, 3, 1, 2, 6, 5 };

	CHECK(cv_sort_events(ev, 6, 2, &scratch, &cap));
	for (size_t i = 0; i < 6; i++)
		CHECK_EQ(ev[i].tid, want[i]);
	/* none, one: nothing to do */
	CHECK(cv_sort_events(ev, 0, 2, &scratch, &cap));
	CHECK(cv_sort_events(ev, 1, 2, &scratch, &cap));
	CHECK_EQ(ev[0].tid, 4);
	free(scratch);
}

int main(void)
{
	RUN(many_cpus_match_a_plain_sort);
	RUN(user_events_and_ties);
	return CHECK_DONE();
}
