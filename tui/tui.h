/* tui.h — the live/replay ncurses TUI.  It reads only the model (user/model.h)
 * and drives a source through this interface; it never touches BPF, the
 * target process or the recording file directly. */
#ifndef CONCVIZ_TUI_H
#define CONCVIZ_TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

enum cv_replay_cmd {
	CV_REPLAY_PAUSE,        /* arg: 1 pause, 0 resume */
	CV_REPLAY_STEP,         /* while paused: advance by arg nanoseconds of trace time */
	CV_REPLAY_SPEED,        /* arg: speed factor 0.25 … 16 */
	CV_REPLAY_SEEK,         /* arg: absolute trace time (ns since trace start) */
};

struct cv_tui_source {
	void *ctx;
	/* The model to draw.  Read it again after every pump(): a replay seek may
	 * replace it with a new one. */
	struct cv_model *(*model)(void *ctx);
	const char *title;          /* e.g. "run blocking  pid 1234" */
	const char *log_path;       /* where the target's stdout/stderr go, or NULL */
	bool is_replay;
	bool is_attach;             /* q leaves the target alone */

	/* Feed the events that are available, waiting at most timeout_ms for
	 * some.  0: more may come; 1: finished (target exited and every event
	 * drained, or end of recording); -1: error (message already recorded in
	 * the source, see last_error). */
	int (*pump)(void *ctx, int timeout_ms);
	/* q: a live run stops its target (SIGTERM) and returns after draining;
	 * attach detaches. */
	void (*quit)(void *ctx);
	const char *(*last_error)(void *ctx);

	/* Replay only (NULL when live). */
	void (*replay_control)(void *ctx, enum cv_replay_cmd cmd, double arg);
	uint64_t (*replay_length_ns)(void *ctx);   /* whole recording */
	uint64_t (*replay_position_ns)(void *ctx); /* current trace time since start */
	double (*replay_speed)(void *ctx);
	bool (*replay_paused)(void *ctx);
};

/* Runs until the user quits (q) or, with exit_when_done, until the source is
 * finished.  Restores the terminal on every path (including SIGINT/SIGTERM,
 * which make it return as if q was pressed).  Returns 0, or 1 on a source
 * error (after restoring the terminal and printing the error to stderr). */
int cv_tui_run(struct cv_tui_source *src, bool exit_when_done);

#endif /* CONCVIZ_TUI_H */
