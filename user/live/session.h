/* session.h — one live tracing session: `concviz run` or `concviz attach`,
 * as a source (source/source.h) that a viewer pumps.
 *
 * Lifecycle: cv_session_start loads the probes and starts (run: forks the
 * target stopped before exec, follows it, lets it exec) or opens (attach:
 * follows it, seeds its threads from /proc) the target.  Each pump folds the
 * available events into the model (and the recording) and advances the
 * model's clock; the session stops at the duration, on the source's quit or
 * a stop signal, or when the target exits (run stops it with SIGTERM, then
 * SIGKILL after a grace period; attach leaves it alone), drains every event,
 * feeds END and reports finished.  cv_session_end releases everything.
 */
#ifndef CONCVIZ_SESSION_H
#define CONCVIZ_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "source/source.h"

struct cv_session_opts {
	double duration_s;      /* 0: until the target exits or the user quits */
	const char *output;     /* recording path or NULL */
	bool force;             /* overwrite output */
	bool report;            /* text summary, no TUI */
	bool json;              /* JSON summary, no TUI */
	bool tui;               /* a TUI owns the terminal: the target's output
				 * and concviz's diagnostics go to a log file */
	char *const *argv;      /* run: the command (argv[0] resolved or for PATH) */
	const char *label;      /* run: "blocking" / the command, for titles */
	uint32_t attach_pid;    /* attach: the process */
	bool lock_holders;      /* --lock-holders: probe sem_* for semaphore holders */
};

struct cv_session;

/* NULL after one line on stderr (not root, no BTF, cannot run the command…). */
struct cv_session *cv_session_start(const struct cv_session_opts *o);
void cv_session_source(struct cv_session *s, struct cv_source *out);
/* Stops and drains if the viewer left early, prints the stats/drop/log
 * lines and the session's error, releases everything.  Returns the exit
 * status: rc, or 1 when the session failed. */
int cv_session_end(struct cv_session *s, int rc);

#endif /* CONCVIZ_SESSION_H */
