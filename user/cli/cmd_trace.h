/* cmd_trace.h — run a live session (run/attach) under the TUI or to a
 * summary on stdout. */
#ifndef CONCVIZ_CMD_TRACE_H
#define CONCVIZ_CMD_TRACE_H

#include "live/session.h"

/* Decides TUI or batch (no TUI with --report/--json or without a terminal
 * on stdout), runs the session to its end.  Returns the exit status. */
int cv_cmd_trace(struct cv_session_opts *o);

#endif
