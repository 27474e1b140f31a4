/* frames.c — frame-time statistics of the TUI (frames.h). */
#include "frames.h"

#define BUCKET_NS 100000ull

void tui_frames_add(struct tui_frames *f, uint64_t start_ns, uint64_t built_ns, uint64_t end_ns,
		    uint64_t bytes)
{
	uint64_t d = built_ns > start_ns ? built_ns - start_ns : 0;
	uint64_t b = d / BUCKET_NS;
	uint64_t wr = end_ns > built_ns ? end_ns - built_ns : 0;

	if (wr > f->max_block_ns)
		f->max_block_ns = wr;
	if (wr > f->max_write_ns)
		f->max_write_ns = wr;
	f->bytes += bytes;
	if (bytes > f->max_bytes)
		f->max_bytes = bytes;
	if (f->n && start_ns - f->last_ns > f->max_gap_ns)
		f->max_gap_ns = start_ns - f->last_ns;
	if (!f->n)
		f->first_ns = start_ns;
	f->last_ns = start_ns;
	f->n++;
	f->sum_ns += d;
	if (d > f->max_ns)
		f->max_ns = d;
	f->hist[b < TUI_FRAME_BUCKETS ? b : TUI_FRAME_BUCKETS - 1]++;
}

void tui_frames_writer(struct tui_frames *f, uint64_t longest_write_ns)
{
	f->max_write_ns = longest_write_ns;
}

void tui_frames_turn(struct tui_frames *f, uint64_t ns)
{
	if (ns > f->max_turn_ns)
		f->max_turn_ns = ns;
}

uint64_t tui_frames_quantile(const struct tui_frames *f, double q)
{
	uint64_t want = (uint64_t)(q * (double)f->n + 0.5), seen = 0;

	if (want < 1)
		want = 1;
	for (unsigned i = 0; i < TUI_FRAME_BUCKETS; i++) {
		seen += f->hist[i];
		if (seen >= want)
			return (i + 1) * BUCKET_NS;
	}
	return f->max_ns;
}

void tui_frames_print(const struct tui_frames *f, FILE *out)
{
	double span = (double)(f->last_ns - f->first_ns) / 1e9;

	fprintf(out, "concviz: stats: TUI %llu frames, %.1f frames/s, longest gap %.1f ms, "
		"frame time median %.1f ms, p99 %.1f ms, max %.1f ms, longest terminal write %.1f ms, "
		"bytes/frame mean %llu max %llu, postponed %llu (terminal behind), "
		"loop waited for the terminal at most %.1f ms, longest loop turn %.1f ms\n",
		(unsigned long long)f->n, span > 0 ? (double)(f->n - 1) / span : 0.0,
		(double)f->max_gap_ns / 1e6, (double)tui_frames_quantile(f, 0.5) / 1e6,
		(double)tui_frames_quantile(f, 0.99) / 1e6, (double)f->max_ns / 1e6,
		(double)f->max_write_ns / 1e6,
		(unsigned long long)(f->n ? f->bytes / f->n : 0), (unsigned long long)f->max_bytes,
		(unsigned long long)f->postponed, (double)f->max_block_ns / 1e6,
		(double)f->max_turn_ns / 1e6);
}
