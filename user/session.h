/* session.h — one live tracing session: `concviz run` or `concviz attach`.
 *
 * Lifecycle: load probes → (run: fork the target, add it to the filter, let
 * it exec | attach: seed its threads from /proc, add it to the filter) →
 * fold events into the model (and the recording) → stop at the duration, on
 * q/Ctrl-C or when the target exits (run stops it with SIGTERM, then SIGKILL
 * after a grace period; attach leaves it alone) → drain every event → END →
 * report (text or JSON on stdout) unless the TUI was shown.
 */
#ifndef CONCVIZ_SESSION_H
#define CONCVIZ_SESSION_H

#include <stdbool.h>
#include <stdint.h>

struct cv_session_opts {
	double duration_s;      /* 0: until the target exits or the user quits */
	const char *output;     /* recording path or NULL */
	bool force;             /* overwrite output */
	bool report;            /* text summary, no TUI */
	bool json;              /* JSON summary, no TUI */
	char *const *argv;      /* run: the command (argv[0] resolved or for PATH) */
	const char *label;      /* run: "blocking" / the command, for titles */
	uint32_t attach_pid;    /* attach: the process */
};

/* Returns the process exit status: 0 ok, 1 runtime error (one line on
 * stderr already printed). */
int cv_session_run(const struct cv_session_opts *o);

#endif
