/* test_frames.c — the TUI's frame statistics (tui/frames.h). */
#include <stdlib.h>

#include "check.h"
#include "tui/frames.h"

#define MS 1000000ull

TEST(quantiles_and_gaps)
{
	struct tui_frames *f = calloc(1, sizeof(*f));
	uint64_t t = 1000 * MS;

	/* 99 frames of 1.05 ms every 100 ms, then one of 20 ms after a 300 ms gap */
	for (int i = 0; i < 99; i++, t += 100 * MS)
		tui_frames_add(f, t, t + 1050000, t + 1100000, 0);
	t += 200 * MS;
	tui_frames_add(f, t, t + 20 * MS, t + 25 * MS, 0);
	CHECK_EQ(f->n, 100u);
	CHECK_EQ(tui_frames_quantile(f, 0.5), 1100000u);  /* the 1.0-1.1 ms bucket */
	CHECK_EQ(tui_frames_quantile(f, 0.99), 1100000u);
	CHECK_EQ(tui_frames_quantile(f, 1.0), 20100000u);
	CHECK_EQ(f->max_ns, 20 * MS);
	CHECK_EQ(f->max_write_ns, 5 * MS);                /* apart from the build time */
	CHECK_EQ(f->max_gap_ns, 300 * MS);
	free(f);
}

TEST(a_frame_past_the_last_bucket_is_counted_there)
{
	struct tui_frames *f = calloc(1, sizeof(*f));

	tui_frames_add(f, 0, 500 * MS, 500 * MS, 0);
	CHECK_EQ(f->hist[TUI_FRAME_BUCKETS - 1], 1u);
	CHECK_EQ(f->max_ns, 500 * MS);
	CHECK_EQ(f->max_gap_ns, 0u);
	free(f);
}

TEST(the_stats_line)
{
	struct tui_frames *f = calloc(1, sizeof(*f));
	char buf[512] = "";
	FILE *out = fmemopen(buf, sizeof(buf), "w");

	/* 11 frames of 1,000..2,000 bytes; 3 more were due while the terminal
	 * was behind; its writer once waited 750 ms, the loop 1 ms at most */
	for (int i = 0; i < 11; i++)
		tui_frames_add(f, i * 100 * MS, i * 100 * MS + 2 * MS, i * 100 * MS + 3 * MS,
			       1000 + 100 * (uint64_t)i);
	f->postponed = 3;
	tui_frames_turn(f, 30 * MS);
	tui_frames_turn(f, 20 * MS);
	tui_frames_writer(f, 750 * MS);
	tui_frames_print(f, out);
	fclose(out);
	CHECK_STR(buf, "concviz: stats: TUI 11 frames, 10.0 frames/s, longest gap 100.0 ms, "
		  "frame time median 2.1 ms, p99 2.1 ms, max 2.0 ms, longest terminal write 750.0 ms, "
		  "bytes/frame mean 1500 max 2000, postponed 3 (terminal behind), "
		  "loop waited for the terminal at most 1.0 ms, longest loop turn 30.0 ms\n");
	free(f);
}

int main(void)
{
	RUN(quantiles_and_gaps);
	RUN(a_frame_past_the_last_bucket_is_counted_there);
	RUN(the_stats_line);
	return CHECK_DONE();
}
