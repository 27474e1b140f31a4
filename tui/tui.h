/* tui.h — the ncurses TUI over a source (user/source/source.h): live or
 * replay.  It reads only the model and the source port; it never touches
 * BPF, the target process or the recording file, and never changes the
 * model (the source owns it and its clock). */
#ifndef CONCVIZ_TUI_H
#define CONCVIZ_TUI_H

#include "source/source.h"

/* Runs until the user quits (q).  Restores the terminal on every path
 * (including SIGINT/SIGTERM, which make it return as if q was pressed).
 * Returns 0, or 1 on a source error (after restoring the terminal and
 * printing the error to stderr). */
int cv_tui_run(const struct cv_source *src);

#endif /* CONCVIZ_TUI_H */
