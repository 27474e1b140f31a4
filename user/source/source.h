/* source.h — the port between where events come from (a live session, a
 * recording being replayed) and whoever shows them (the TUI, the batch
 * report).  A source owns its model and the model's clock: pump() feeds the
 * events that are available and moves the model's "now" forward; viewers
 * only read the model.  Moving through time (pause, step, speed, seek) is an
 * optional part of the port that only replay provides. */
#ifndef CONCVIZ_SOURCE_H
#define CONCVIZ_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"

enum cv_timeshift_cmd {
	CV_TS_PAUSE,            /* arg: 1 pause, 0 resume */
	CV_TS_STEP,             /* while paused: advance by arg nanoseconds of trace time */
	CV_TS_SPEED,            /* arg: speed factor 0.25 … 16 */
	CV_TS_SEEK,             /* arg: absolute trace time (ns since trace start) */
};

/* A source whose position in trace time the viewer controls. */
struct cv_timeshift {
	void (*control)(void *ctx, enum cv_timeshift_cmd cmd, double arg);
	uint64_t (*length_ns)(void *ctx);   /* whole recording */
	uint64_t (*position_ns)(void *ctx); /* current trace time since start */
	double (*speed)(void *ctx);
	bool (*paused)(void *ctx);
};

struct cv_source {
	void *ctx;
	/* The model to show.  Read it again after every pump(): a seek may
	 * replace it with a new one. */
	struct cv_model *(*model)(void *ctx);
	const char *title;          /* e.g. "run blocking (pid 1234)" */
	const char *log_path;       /* where the target's stdout/stderr go, or NULL */

	/* Feed the events that are available, waiting at most timeout_ms for
	 * some, and advance the model's clock.  0: more may come; 1: finished
	 * (target exited and every event drained, or end of recording); -1:
	 * error (see last_error), once the source has ended (a live run that
	 * fails stops and drains first: its model holds every event). */
	int (*pump)(void *ctx, int timeout_ms);
	/* The viewer is done: a live run stops its target (SIGTERM) and keeps
	 * draining on later pumps; attach detaches; replay does nothing. */
	void (*quit)(void *ctx);
	const char *(*last_error)(void *ctx);
	/* The viewer is behind (a turn of its loop took far longer than a
	 * frame: it is starved of CPU).  A live run raises concviz to its
	 * real-time priority now, as it does when its ring buffer fills
	 * (live/priority.h); NULL: nothing to do (replay). */
	void (*behind)(void *ctx);

	const struct cv_timeshift *timeshift; /* NULL: live, time only moves forward */
};

#endif /* CONCVIZ_SOURCE_H */
