/* frames.h — how fast the TUI draws, for CONCVIZ_STATS=1 (bench/run.sh).
 *
 * Each frame's build time (model to curses' screen, before it is written to
 * the terminal) goes into a histogram of 0.1 ms buckets; the write to the
 * terminal is kept apart (a terminal starved of CPU by the load stops
 * reading and the write waits for it); the gaps between frames say whether
 * the display stayed live (>= 5 frames a second under load is the aim).
 * Frames sent go through the terminal writer (term_writer.h): a frame due
 * while the terminal has not taken the last one is postponed, and the
 * loop's longest turn says whether keys and events were still served.
 */
#ifndef CONCVIZ_TUI_FRAMES_H
#define CONCVIZ_TUI_FRAMES_H

#include <stdint.h>
#include <stdio.h>

#define TUI_FRAME_BUCKETS 1000  /* 0.1 ms each; the last one is ">= 99.9 ms" */

struct tui_frames {
	uint64_t n, sum_ns, max_ns;   /* build times */
	uint64_t max_write_ns;        /* longest write to the terminal */
	uint64_t max_block_ns;        /* longest the loop waited for curses' output */
	uint64_t bytes, max_bytes;    /* sent to the terminal: all, one frame's most */
	uint64_t postponed;           /* frames due while the terminal was behind */
	uint64_t max_turn_ns;         /* longest turn of the loop (pump, keys, draw) */
	uint64_t first_ns, last_ns;   /* start of the first and the last frame */
	uint64_t max_gap_ns;          /* longest time between two frame starts */
	uint32_t hist[TUI_FRAME_BUCKETS];
};

/* one frame built from start_ns to built_ns and handed to the terminal (or
 * its writer) by end_ns (CLOCK_MONOTONIC), bytes long; the loop waited
 * end_ns - built_ns, which is also the terminal write's time until
 * tui_frames_writer() says otherwise */
void tui_frames_add(struct tui_frames *f, uint64_t start_ns, uint64_t built_ns, uint64_t end_ns,
		    uint64_t bytes);
/* a writer thread wrote the frames: its longest write to the terminal */
void tui_frames_writer(struct tui_frames *f, uint64_t longest_write_ns);
/* one turn of the loop took ns */
void tui_frames_turn(struct tui_frames *f, uint64_t ns);
/* the q-th quantile (0..1) of the build times, in ns (a bucket's upper edge) */
uint64_t tui_frames_quantile(const struct tui_frames *f, double q);
/* one line: "concviz: stats: TUI N frames, R frames/s, longest gap G ms,
 * frame time median M ms, p99 P ms, max X ms, longest terminal write W ms,
 * bytes/frame mean B max C, postponed K (terminal behind), loop waited for
 * the terminal at most L ms, longest loop turn T ms" */
void tui_frames_print(const struct tui_frames *f, FILE *out);

#endif
