/* replay.h — a struct cv_source over a recording (`concviz replay FILE`).
 *
 * The whole file is read into memory once (and indexed: trace start, length,
 * event count); events are fed into a fresh model paced by wall time × speed
 * (0.25 … 16).  Pause/resume, step (advance N ns of trace time), and seek to
 * an absolute trace time (backwards = rebuild the model from the start and
 * refeed up to that time).  pump() returns 1 at the end of the recording; the
 * TUI stays open on the final state.  A recording that ends truncated or
 * corrupt is replayed up to that point (cv_replay_warning says why). */
#ifndef CONCVIZ_REPLAY_H
#define CONCVIZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "source/source.h"

struct cv_replay;

/* NULL with one line in err if the file cannot be opened or has no readable
 * header (same messages as cv_rec_open). */
struct cv_replay *cv_replay_open(const char *path, char *err, size_t errlen);
void cv_replay_fill_source(struct cv_replay *rp, struct cv_source *out);
void cv_replay_close(struct cv_replay *rp);

/* NULL, or "FILE: truncated at offset N …" when the file ends early. */
const char *cv_replay_warning(const struct cv_replay *rp);
uint64_t cv_replay_event_count(const struct cv_replay *rp);

#endif /* CONCVIZ_REPLAY_H */
