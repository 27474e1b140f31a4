/* layout.h — TUI geometry and timing constants (one place to tune them). */
#ifndef CONCVIZ_TUI_LAYOUT_H
#define CONCVIZ_TUI_LAYOUT_H

#define TUI_HEADER_ROWS   2     /* status line + view tabs */
#define TUI_FOOTER_ROWS   1     /* key hints / filter prompt */
#define TUI_MIN_COLS      40
#define TUI_MIN_ROWS      8

#define TUI_FRAME_MS      100   /* 10 Hz refresh */
#define TUI_PUMP_MAX_MS   25    /* longest pump wait, keeps keys responsive */
#define TUI_BEHIND_MS     250   /* a loop turn this long: starved, ask the source to hurry */
#define TUI_QUIT_GRACE_MS 3000  /* after q: pump until finished or this long */
#define TUI_TERM_DRAIN_MS 5000  /* at exit: the terminal takes curses' last bytes */

#define TUI_WINDOW_BUCKETS 20   /* "recent" window for shares and rates: 2 s */
#define TUI_SCROLL_CELLS   5    /* { } Shift-Left/Right: timeline cells per step */
#define TUI_EXIT_LINGER_NS 5000000000ULL /* exited threads stay greyed 5 s */

/* threads view columns */
#define COL_TID_W    7
#define COL_NAME_W   15
#define COL_STATE_W  12         /* glyph, space, "uring_wait" */
#define COL_CSW_W    11         /* "vol/invol" */
#define COL_RATE_W   6          /* switches per second */
#define COL_CPU_W    4          /* "100%" */
#define COL_BAR_MIN  8
#define COL_BAR_MAX  20
#define COL_TL_MIN   8

/* detail view: how many history entries each section lists */
#define DETAIL_RECV_N   10
#define DETAIL_FD_N     12  /* descriptors listed in the detail view */
#define DETAIL_MUX_N    6
#define DETAIL_FUTEX_N  8
#define DETAIL_URING_N  6

#endif
