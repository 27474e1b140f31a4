/* colors.c — semantic colours, monochrome attributes and glyphs per state. */
#include <stdlib.h>

#include "tui_int.h"

/* pair numbers: 1..8 state text, 9..16 state cells, 17.. roles */
#define P_TEXT(st) ((short)(1 + (st)))
#define P_CELL(st) ((short)(1 + CV_ST_COUNT + (st)))
#define P_ROLE(r)  ((short)(1 + 2 * CV_ST_COUNT + (r)))

static attr_t text_attr[CV_ST_COUNT], cell_attr[CV_ST_COUNT], role_attr[R_COUNT];

static const char glyphs[CV_ST_COUNT] = { 'R', 'Q', 'W', 'C', 'M', 'L', 'U', 'z' };

static const char *descs[CV_ST_COUNT] = {
	"on a CPU",
	"ready, waiting in the run queue for a CPU",
	"blocked in a receive (socket, pipe, mq): wait for data; or in accept: for a connection",
	"in a receive after data arrived: copy data to user",
	"blocked in select/poll/epoll_wait",
	"blocked in a futex wait (mutex, condvar, join...)",
	"blocked in io_uring_enter waiting for completions",
	"any other blocking (nanosleep, disk, ...)",
};

char tui_state_glyph(enum cv_state st) { return st < CV_ST_COUNT ? glyphs[st] : '?'; }
const char *tui_state_desc(enum cv_state st) { return st < CV_ST_COUNT ? descs[st] : ""; }

const char *tui_state_word(const struct cv_thread *t)
{
	if (t->state != CV_ST_LOCK_WAIT || t->block_kind == CV_LK_FUTEX)
		return cv_state_name(t->state);
	return t->block_kind == CV_LK_GIL ? "GIL" : cv_lock_kind_name((enum cv_lock_kind)t->block_kind);
}

static void mono_init(void)
{
	static const attr_t t[CV_ST_COUNT] = {
		[CV_ST_RUNNING] = A_BOLD, [CV_ST_RUNNABLE] = A_NORMAL,
		[CV_ST_WAIT_DATA] = A_UNDERLINE, [CV_ST_COPY_DATA] = A_BOLD | A_UNDERLINE,
		[CV_ST_MUX_WAIT] = A_NORMAL, [CV_ST_LOCK_WAIT] = A_BOLD | A_REVERSE,
		[CV_ST_URING_WAIT] = A_NORMAL, [CV_ST_SLEEP] = A_DIM,
	};
	for (int s = 0; s < CV_ST_COUNT; s++) {
		text_attr[s] = t[s];
		cell_attr[s] = t[s];
	}
	cell_attr[CV_ST_RUNNING] = A_BOLD | A_REVERSE;
	role_attr[R_HEADER] = A_REVERSE;
	role_attr[R_TAB] = A_NORMAL;
	role_attr[R_TAB_ON] = A_REVERSE | A_BOLD;
	role_attr[R_FOOTER] = A_REVERSE;
	role_attr[R_KEY] = A_BOLD;
	role_attr[R_HEADING] = A_BOLD | A_UNDERLINE;
	role_attr[R_COLHEAD] = A_BOLD | A_UNDERLINE;
	role_attr[R_SEL] = A_REVERSE;
	role_attr[R_DIM] = A_DIM;
	role_attr[R_ALERT] = A_BOLD | A_REVERSE;
	role_attr[R_GOOD] = A_NORMAL;
	role_attr[R_NAME] = A_BOLD;
	role_attr[R_LOCK] = A_BOLD;
}

void tui_colors_init(struct tui *u)
{
	mono_init();
	u->color = has_colors() && getenv("NO_COLOR") == NULL;
	if (!u->color || start_color() == ERR) {
		u->color = false;
		return;
	}
	short bg = -1;
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	short grey = COLORS >= 256 ? 244 : (COLORS >= 16 ? 8 : COLOR_WHITE);
	short grey_bg = COLORS >= 256 ? 240 : (COLORS >= 16 ? 8 : COLOR_BLACK);
	short other = COLORS >= 256 ? 208 : (COLORS >= 16 ? 15 : COLOR_WHITE);
	short fg[CV_ST_COUNT] = { COLOR_GREEN, COLOR_YELLOW, COLOR_BLUE, COLOR_CYAN,
				  COLOR_MAGENTA, COLOR_RED, other, grey };
	short cellbg[CV_ST_COUNT] = { COLOR_GREEN, COLOR_YELLOW, COLOR_BLUE, COLOR_CYAN,
				      COLOR_MAGENTA, COLOR_RED, other, grey_bg };
	for (int s = 0; s < CV_ST_COUNT; s++) {
		short ink = (cellbg[s] == COLOR_BLUE || cellbg[s] == COLOR_MAGENTA ||
			     cellbg[s] == COLOR_RED || cellbg[s] == grey_bg) ? COLOR_WHITE : COLOR_BLACK;
		init_pair(P_TEXT(s), fg[s], bg);
		init_pair(P_CELL(s), ink, cellbg[s]);
		text_attr[s] = COLOR_PAIR(P_TEXT(s));
		cell_attr[s] = COLOR_PAIR(P_CELL(s));
	}
	text_attr[CV_ST_RUNNING] |= A_BOLD;
	text_attr[CV_ST_LOCK_WAIT] |= A_BOLD;
	if (COLORS < 16) {
		text_attr[CV_ST_URING_WAIT] |= A_BOLD;
		text_attr[CV_ST_SLEEP] |= A_DIM;
		cell_attr[CV_ST_SLEEP] = A_DIM;  /* no grey: dim glyph, no background */
	}

	struct { short f, b; attr_t extra; } r[R_COUNT] = {
		[R_NORMAL] = { -1, -1, 0 },
		[R_HEADER] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[R_TAB] = { COLOR_CYAN, -1, 0 },
		[R_TAB_ON] = { COLOR_BLACK, COLOR_GREEN, A_BOLD },
		[R_FOOTER] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[R_KEY] = { COLOR_WHITE, COLOR_BLACK, A_BOLD },
		[R_HEADING] = { COLOR_CYAN, -1, A_BOLD },
		[R_COLHEAD] = { COLOR_BLACK, COLOR_GREEN, 0 },
		[R_SEL] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[R_DIM] = { grey, -1, 0 },
		[R_ALERT] = { COLOR_WHITE, COLOR_RED, A_BOLD },
		[R_GOOD] = { COLOR_GREEN, -1, 0 },
		[R_NAME] = { -1, -1, A_BOLD },
		[R_LOCK] = { COLOR_YELLOW, -1, A_BOLD },
	};
	for (int i = 0; i < R_COUNT; i++) {
		short f = r[i].f, b = r[i].b;
		if (f == -1 && bg != -1) f = COLOR_WHITE;
		if (b == -1) b = bg;
		init_pair(P_ROLE(i), f, b);
		role_attr[i] = COLOR_PAIR(P_ROLE(i)) | r[i].extra;
	}
	if (COLORS < 16)
		role_attr[R_DIM] |= A_DIM;
}

attr_t tui_role(const struct tui *u, enum tui_role r) { (void)u; return r < R_COUNT ? role_attr[r] : 0; }
attr_t tui_state_text(const struct tui *u, enum cv_state st) { (void)u; return st < CV_ST_COUNT ? text_attr[st] : 0; }
attr_t tui_state_cell(const struct tui *u, enum cv_state st) { (void)u; return st < CV_ST_COUNT ? cell_attr[st] : 0; }
