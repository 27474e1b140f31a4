/* test_placement.c — which CPUs a real-time concviz keeps off
 * (user/live/placement.h): those the target keeps busy half the time or
 * more, when another allowed CPU is busy a quarter or less; none when the
 * target keeps every CPU busy. */
#include <string.h>

#include "check.h"
#include "live/placement.h"

#define MS 1000000ULL

static struct cv_placement p;
static bool avoid[CV_PLACEMENT_MAX_CPUS];

/* a traced thread on cpu from a to b (event times in ms), then something untraced */
static void run_on(int cpu, uint64_t a, uint64_t b)
{
	struct cv_event in = { .ts = a * MS, .type = CV_EV_SWITCH, .cpu = cpu,
			       .flags = CV_SW_NEXT_TRACED };
	struct cv_event out = { .ts = b * MS, .type = CV_EV_SWITCH, .cpu = cpu,
				.flags = CV_SW_PREV_TRACED };

	cv_placement_note(&p, &in);
	cv_placement_note(&p, &out);
}

TEST(keeps_off_the_busy_cpus)
{
	cv_placement_init(&p, 4);
	run_on(0, 0, 180);   /* cpu 0: 180 of 200 ms */
	run_on(1, 10, 110);  /* cpu 1: 100 ms, half */
	run_on(2, 10, 40);   /* cpu 2: 30 ms */
	run_on(3, 10, 60);   /* cpu 3: 50 ms, a quarter */
	CHECK_EQ(cv_placement_avoid(&p, 200 * MS, avoid), 2);
	CHECK(avoid[0] && avoid[1] && !avoid[2] && !avoid[3]);
	/* the next period starts empty: an idle machine avoids nothing */
	CHECK_EQ(cv_placement_avoid(&p, 400 * MS, avoid), 0);
	CHECK(!avoid[0] && !avoid[1]);
}

TEST(none_when_every_cpu_is_busy)
{
	cv_placement_init(&p, 2);
	run_on(0, 0, 200);
	run_on(1, 0, 60);    /* 60 of 200: over a quarter, under half */
	CHECK_EQ(cv_placement_avoid(&p, 200 * MS, avoid), 0);
	CHECK(!avoid[0] && !avoid[1]);
	run_on(0, 200, 400);
	run_on(1, 200, 400);
	CHECK_EQ(cv_placement_avoid(&p, 400 * MS, avoid), 0);
}

TEST(a_thread_still_running_counts_to_now)
{
	struct cv_event in = { .ts = 0, .type = CV_EV_SWITCH, .cpu = 1, .flags = CV_SW_NEXT_TRACED };

	cv_placement_init(&p, 2);
	cv_placement_note(&p, &in);  /* on cpu 1 from the start (time 0), never out */
	CHECK_EQ(cv_placement_avoid(&p, 100 * MS, avoid), 1);
	CHECK(avoid[1] && !avoid[0]);
	/* and in the next period too, from where the last one ended */
	CHECK_EQ(cv_placement_avoid(&p, 200 * MS, avoid), 1);
	CHECK(avoid[1]);
}

TEST(only_allowed_cpus_make_room)
{
	cv_placement_init(&p, 3);
	p.allowed[2] = false;
	run_on(0, 0, 200);
	run_on(1, 0, 100);   /* half: busy too */
	/* cpu 2 is idle but concviz may not run there: nothing to move to */
	CHECK_EQ(cv_placement_avoid(&p, 200 * MS, avoid), 0);
	CHECK(!avoid[0] && !avoid[1] && !avoid[2]);
	/* a CPU past the tracked ones is not noted */
	struct cv_event far = { .ts = 1, .type = CV_EV_SWITCH, .cpu = 9, .flags = CV_SW_NEXT_TRACED };
	cv_placement_note(&p, &far);
	CHECK_EQ(cv_placement_avoid(&p, 300 * MS, avoid), 0);
}

int main(void)
{
	RUN(keeps_off_the_busy_cpus);
	RUN(none_when_every_cpu_is_busy);
	RUN(a_thread_still_running_counts_to_now);
	RUN(only_allowed_cpus_make_room);
	return CHECK_DONE();
}
