/* tui_int.h — shared state and helpers of the TUI modules (internal). */
#ifndef CONCVIZ_TUI_INT_H
#define CONCVIZ_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curses.h>

#include "common/clock.h"
#include "common/names.h"
#include "common/fmt.h"
#include "tui/tui.h"
#include "layout.h"
#include "frames.h"

enum tui_view { V_THREADS, V_DETAIL, V_LOCKS, V_HELP, V_COUNT };
enum tui_sort { S_TID, S_NAME, S_STATE, S_CPU, S_CSW, S_COUNT };
enum tui_lsort { LS_WAIT, LS_WAITS, LS_MAX, LS_NAME, LS_COUNT };

/* UI roles that are not thread states */
enum tui_role {
	R_NORMAL, R_HEADER, R_TAB, R_TAB_ON, R_FOOTER, R_KEY, R_HEADING,
	R_COLHEAD, R_SEL, R_DIM, R_ALERT, R_GOOD, R_NAME, R_LOCK, R_COUNT
};

struct tui_row {                /* one visible thread row, rebuilt every frame */
	const struct cv_thread *t;  /* valid only until the next pump */
	uint32_t tid;               /* safe to read at any time */
	uint64_t win[CV_ST_COUNT];  /* time per state in the recent window */
	bool win_done;              /* the figures below are this frame's (tui_row_window) */
	const struct cv_thread *state_of; /* whose state the row shows (as t) */
	uint64_t vcsw, ivcsw;       /* switches (a folded process's: all its threads') */
	bool exited;                /* (a folded process's: all its threads) */
	uint64_t win_total;         /* (a folded process's: all its threads') */
	uint64_t win_len;           /* the window's length, one thread's */
	uint32_t win_csw;           /* switches in the window */
	double cpu;                 /* running share of the window, 0..1 (summed over a
				     * folded process's threads: may pass 1) */
	uint32_t fold_n;            /* a folded process's row: its other threads, hidden */
};

#define TUI_FOLD_MAX 64         /* processes folded into one row at a time */

struct tui {
	const struct cv_source *src;
	const struct cv_model *m;   /* re-read after every pump; read only */
	enum tui_view view, back, help_back;
	bool color, utf8, glyph_cells;
	int cols, lines;

	/* time: one model for live and replay.  The view's right edge
	 * (view_now) is a trace timestamp.  Following, it is the reference "now"
	 * (ref_now: model now live, frozen_now while the live display is paused,
	 * the replay position in replay).  Scrolled back (anchored), it is
	 * anchor, which stays put while events keep arriving (clamped only to the
	 * history the model keeps). */
	bool frozen;                /* live: display paused */
	uint64_t frozen_now;
	bool anchored;              /* timeline scrolled back: edge = anchor */
	uint64_t anchor;
	uint64_t ref_now;           /* what "following" would show */
	uint64_t view_now;          /* model time the screen shows (right edge) */
	int zoom;                   /* index into tui_zoom_levels */

	/* threads view */
	enum tui_sort sort;
	bool sort_rev;
	int sel, top;
	uint32_t sel_tid;
	struct tui_row *rows;
	size_t nrows, cap_rows, nthreads_total;
	bool filter_edit;
	char filter[32], edit[32];
	/* processes (proc_fold.c): folded into one row each; short-lived
	 * helpers hidden behind one line unless show_short */
	uint32_t folded[TUI_FOLD_MAX];
	int folded_row[TUI_FOLD_MAX]; /* their row this frame, -1 none yet */
	int nfolded;
	bool show_short;

	/* other views */
	uint32_t detail_tid;
	int detail_scroll, locks_scroll, help_scroll;
	enum tui_lsort lsort;

	/* rates */
	struct tui_frames frames;   /* draw times, for CONCVIZ_STATS */
	uint64_t rate_ev, rate_ts;
	double ev_rate;

	/* lifecycle */
	bool finished, quitting;
	uint64_t quit_deadline;     /* wall ms */
	char msg[96];               /* transient footer message */
	uint64_t msg_until;         /* wall ms */
};

/* Scrollable virtual document: lines 0..n, screen rows y0..y0+h-1 show
 * lines off..off+h-1.  vl_row() returns the screen row of the next line or
 * -1 when it is scrolled out. */
struct vl { int y0, h, off, n; };
static inline int vl_row(struct vl *v)
{
	int r = v->n++ - v->off;
	return (r >= 0 && r < v->h) ? v->y0 + r : -1;
}
/* clamp a scroll offset once the document length is known */
int vl_clamp(int off, int n, int h);

/* colors.c */
void tui_colors_init(struct tui *u);
attr_t tui_role(const struct tui *u, enum tui_role r);
attr_t tui_state_text(const struct tui *u, enum cv_state st);
attr_t tui_state_cell(const struct tui *u, enum cv_state st);
char tui_state_glyph(enum cv_state st);
const char *tui_state_desc(enum cv_state st);
/* The word for a thread's state: a lock wait says its kind ("condvar",
 * "mutex", "semaphore", "GIL", "join", ...; "lock_wait" if unknown), other
 * states their name. */
const char *tui_state_word(const struct cv_thread *t);

/* draw_util.c */
void tui_put(int y, int x, int w, attr_t a, const char *s);
void tui_putf(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void tui_fill(int y, int x, int w, attr_t a);
void tui_cell(const struct tui *u, int y, int x, int st); /* st < 0: empty */
void tui_stack_bar(const struct tui *u, int y, int x, int w,
		   const uint64_t ns[CV_ST_COUNT]);
void tui_phase_bar(const struct tui *u, int y, int x, int w, uint64_t a_ns,
		   enum cv_state a, uint64_t b_ns, enum cv_state b);
const char *tui_arrow(const struct tui *u);

/* fmt.c: numbers and text through common/fmt.h (cv_fmt_count, cv_fmt_bytes,
 * cv_fmt_clean, cv_fmt_lock); durations in the terminal's charset */
static inline enum cv_charset tui_charset(const struct tui *u)
{
	return u->utf8 ? CV_UTF8 : CV_ASCII;
}
char *fmt_dur(const struct tui *u, char *buf, size_t n, uint64_t ns);
/* right-aligned in width columns ("%8s" counts bytes, not columns) */
char *fmt_dur_col(const struct tui *u, char *buf, size_t n, uint64_t ns, int width);
const char *fmt_sys(uint32_t sys);
const char *fmt_uring_op(uint32_t op);
char *fmt_lock(char *buf, size_t n, const struct cv_model *m, uint32_t pid, uint64_t addr);
char *fmt_tid(char *buf, size_t n, const struct cv_model *m, uint32_t tid);

/* timeline.c */
extern const unsigned tui_zoom_levels[]; /* buckets per timeline cell */
extern const int tui_zoom_count;
uint64_t tui_bucket_of(const struct tui *u, uint64_t ts);
void tui_window(const struct tui *u, const struct cv_thread *t, uint64_t last_b,
		unsigned nb, uint64_t ns[CV_ST_COUNT], uint32_t *csw);
int tui_dominant(const uint64_t ns[CV_ST_COUNT]); /* -1 when all zero */
void tui_timeline(const struct tui *u, const struct cv_thread *t, int y, int x, int cells);
/* the view's position in time (see struct tui): tui_time_update() sets ref_now
 * and view_now from the model (every frame and after keys); tui_time_scroll()
 * moves the right edge by whole timeline cells (< 0: back), returns false
 * when it cannot move; tui_time_follow() returns to following "now". */
void tui_time_update(struct tui *u);
bool tui_time_scroll(struct tui *u, int cells);
void tui_time_follow(struct tui *u);
uint64_t tui_time_behind(const struct tui *u); /* ref_now - view_now, 0 following */
char *tui_time_label(const struct tui *u, char *buf, size_t n); /* "◀ 12.3s ago" / "<< -12.3s" */

/* thread_list.c */
void tui_rows_build(struct tui *u);
/* r's figures: its recent window (TUI_WINDOW_BUCKETS: time per state,
 * switches, CPU share), switch counts, the state shown; a folded
 * process's row sums its threads (CPU may pass 100 %), as htop's do */
void tui_row_window(struct tui *u, struct tui_row *r);
bool tui_thread_visible(const struct tui *u, const struct cv_thread *t);
const char *tui_sort_name(enum tui_sort s);

/* proc_fold.c: which rows processes get (tui_rows_build asks) and the keys
 * that fold a process / show short-lived helpers */
enum tui_proc_row { TUI_ROW_OWN, TUI_ROW_HIDDEN, TUI_ROW_FOLD_NEW };
/* For thread t: its own row, hidden (a short-lived helper's, or a folded
 * process whose row exists: that row's fold_n counts it), or the first row
 * of a folded process (*slot to pass to tui_fold_row_made) */
enum tui_proc_row tui_proc_row_of(struct tui *u, const struct cv_thread *t, int *slot);
void tui_fold_row_made(struct tui *u, int slot, int row);
void tui_fold_frame_start(struct tui *u);
/* hidden short-lived processes: how many, and their names ("bash, sh, …") */
size_t tui_short_hidden(const struct tui *u, char *names, size_t n);
bool tui_key_fold(struct tui *u, int ch);
bool tui_key_short(struct tui *u, int ch);

/* views */
const char *tui_view_name(enum tui_view v);
void tui_draw_header(struct tui *u);
void tui_draw_footer(struct tui *u);
void tui_draw_threads(struct tui *u);
void tui_draw_detail(struct tui *u);
void tui_draw_locks(struct tui *u);
void tui_draw_help(struct tui *u);
void tui_draw(struct tui *u);

/* keys.c: one table of key bindings.  It dispatches keys (tui_key) and the
 * footer hints and the help screen's key list are drawn from it.  In a given
 * view and mode at most one binding holds a key. */
enum tui_mode { TUI_LIVE = 1, TUI_REPLAY = 2, TUI_BOTH = 3 };
#define TUI_VIEW(v)  (1u << (v))
#define TUI_VIEWS_ALL ((1u << V_COUNT) - 1)

struct tui_binding {
	int keys[8];                /* key codes; the list ends at the first 0 */
	unsigned views;             /* TUI_VIEW()s where the keys act */
	unsigned modes;             /* enum tui_mode bits */
	const char *label, *help;   /* help screen: keys as named there, what they do */
	const char *hint_key, *hint; /* footer: "Enter" "Detail"; NULL: no hint */
	unsigned hint_views;        /* views whose footer shows the hint */
	bool hint_anchored;         /* only while the timeline is scrolled back */
	bool (*run)(struct tui *u, int ch); /* true: redraw */
};
extern const struct tui_binding tui_bindings[];
extern const size_t tui_nbindings;
enum tui_mode tui_mode(const struct tui *u);
bool tui_binding_in_mode(const struct tui *u, const struct tui_binding *b);

/* returns true when the key changed something worth redrawing */
bool tui_key(struct tui *u, int ch);
void tui_start_quit(struct tui *u);
void tui_message(struct tui *u, const char *msg);
uint64_t tui_wall_ms(void);

#endif
