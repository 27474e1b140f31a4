/* tui.c — cv_tui_run: terminal set-up and teardown, signals, the main loop
 * (pump the source with a short timeout, read keys, redraw at 10 Hz). */
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tui_int.h"

static volatile sig_atomic_t g_sig;
static bool g_active;           /* curses is up: atexit must end it */
static bool g_atexit_done;
static struct termios g_tio;
static bool g_have_tio;

static void on_sig(int s) { g_sig = s; }

/* Crash path: restore the tty with async-signal-safe calls, then die as the
 * signal would have made us. */
static void on_fatal(int s)
{
	static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
	if (g_have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &g_tio);
	if (write(STDOUT_FILENO, reset, sizeof(reset) - 1) < 0) {
		/* nothing more we can do */
	}
	signal(s, SIG_DFL);
	raise(s);
}

static void at_exit(void)
{
	if (g_active && !isendwin())
		endwin();
	g_active = false;
}

static const int quit_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
#define NQ (sizeof(quit_sigs) / sizeof(quit_sigs[0]))
#define NF (sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))

static void install_signals(struct sigaction oq[NQ], struct sigaction of[NF])
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_sig;     /* no SA_RESTART: a wait returns at once */
	for (size_t i = 0; i < NQ; i++)
		sigaction(quit_sigs[i], &sa, &oq[i]);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < NF; i++)
		sigaction(fatal_sigs[i], &sa, &of[i]);
}

static void restore_signals(const struct sigaction oq[NQ], const struct sigaction of[NF])
{
	for (size_t i = 0; i < NQ; i++)
		sigaction(quit_sigs[i], &oq[i], NULL);
	for (size_t i = 0; i < NF; i++)
		sigaction(fatal_sigs[i], &of[i], NULL);
}

static void update_rate(struct tui *u)
{
	static const struct cv_model *last_m;
	if (!u->m)
		return;
	uint64_t now = cv_model_now(u->m), ev = cv_model_events(u->m);
	if (u->m != last_m || ev < u->rate_ev || now < u->rate_ts || !u->rate_ts) {
		last_m = u->m;
		u->rate_ev = ev;
		u->rate_ts = now;
		return;
	}
	uint64_t dt = now - u->rate_ts;
	if (dt >= 1000000000ULL) {
		u->ev_rate = (double)(ev - u->rate_ev) * 1e9 / (double)dt;
		u->rate_ev = ev;
		u->rate_ts = now;
	}
}

static void draw(struct tui *u)
{
	getmaxyx(stdscr, u->lines, u->cols);
	erase();
	if (u->cols < TUI_MIN_COLS || u->lines < TUI_MIN_ROWS) {
		mvaddnstr(0, 0, "concviz: terminal too small", u->cols);
		return;
	}
	tui_time_update(u);
	update_rate(u);
	tui_rows_build(u);
	tui_draw_header(u);
	if (u->m) {
		switch (u->view) {
		case V_THREADS: tui_draw_threads(u); break;
		case V_DETAIL: tui_draw_detail(u); break;
		case V_LOCKS: tui_draw_locks(u); break;
		default: tui_draw_help(u); break;
		}
	} else if (u->view == V_HELP)
		tui_draw_help(u);
	tui_draw_footer(u);
}

void tui_draw(struct tui *u)
{
	uint64_t t0 = cv_mono_ns(), t1;

	draw(u);
	t1 = cv_mono_ns();
	refresh();
	tui_frames_add(&u->frames, t0, t1, cv_mono_ns());
}

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* curses up, keys and signals set; NULL (after saying why) if the terminal
 * cannot be used */
static SCREEN *term_start(struct tui *u, struct sigaction oq[NQ], struct sigaction of[NF])
{
	setlocale(LC_ALL, "");
	u->utf8 = locale_is_utf8();
	g_have_tio = tcgetattr(STDIN_FILENO, &g_tio) == 0;
	g_sig = 0;

	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "concviz: cannot start the TUI (TERM=%s); use --report for text output\n",
			getenv("TERM") ? getenv("TERM") : "unset");
		return NULL;
	}
	g_active = true;
	if (!g_atexit_done) {
		atexit(at_exit);
		g_atexit_done = true;
	}
	install_signals(oq, of);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Shift-Left/Right scroll the timeline; terminfo entries without kLFT/kRIT
	 * (vt100, …) would split the xterm-style sequence into Esc [ 1 ; 2 D */
	if (!key_defined("\033[1;2D"))
		define_key("\033[1;2D", KEY_SLEFT);
	if (!key_defined("\033[1;2C"))
		define_key("\033[1;2C", KEY_SRIGHT);
	curs_set(0);
	set_escdelay(25);
	timeout(0);
	tui_colors_init(u);
	u->glyph_cells = !u->color;
	return scr;
}

/* One pump of the source (a finished live source is not pumped again).
 * Returns -1 on a source error (err set), 1 when the loop should end (quit
 * and finished), else 0; *waited: the pump waited for events. */
static int pump(struct tui *u, int wait_ms, bool *waited, char *err, size_t errn)
{
	const struct cv_source *src = u->src;
	*waited = false;
	if (u->finished && !src->timeshift)
		return 0;
	int r = src->pump(src->ctx, wait_ms);
	if (r < 0) {
		const char *e = src->last_error ? src->last_error(src->ctx) : NULL;
		snprintf(err, errn, "%s", e && *e ? e : "event source failed");
		return -1;
	}
	u->finished = r == 1;
	*waited = r != 1;
	return u->finished && u->quitting;
}

/* pump, read keys, redraw at TUI_FRAME_MS until quit; 0 or 1 (err set) */
static int run_loop(struct tui *u, char *err, size_t errn)
{
	const struct cv_source *src = u->src;
	uint64_t next_frame = 0;
	u->m = src->model(src->ctx);
	for (;;) {
		if (g_sig) {
			g_sig = 0;
			tui_start_quit(u);
		}
		uint64_t w = tui_wall_ms();
		if (u->quitting && (u->finished || src->timeshift || w >= u->quit_deadline))
			return 0;
		int wait_ms = next_frame > w ? (int)(next_frame - w) : 0;
		if (wait_ms > TUI_PUMP_MAX_MS)
			wait_ms = TUI_PUMP_MAX_MS;
		bool waited;
		int r = pump(u, wait_ms, &waited, err, errn);
		if (r)
			return r < 0;
		u->m = src->model(src->ctx);

		bool dirty = false;
		int ch;
		timeout(waited ? 0 : wait_ms);  /* nothing to pump: wait in getch */
		while ((ch = getch()) != ERR) {
			dirty |= tui_key(u, ch);
			timeout(0);
		}
		w = tui_wall_ms();
		if (w >= next_frame) {
			if (!u->frozen)  /* (a live-only state) */
				dirty = true;
			next_frame = w + TUI_FRAME_MS;
		}
		if (dirty || (u->quitting && w + TUI_FRAME_MS >= next_frame))
			tui_draw(u);
	}
}

int cv_tui_run(const struct cv_source *src)
{
	struct tui u;
	struct sigaction oq[NQ], of[NF];
	char err[256] = "";

	memset(&u, 0, sizeof(u));
	u.src = src;
	u.zoom = 1;
	u.view = u.back = u.help_back = V_THREADS;
	SCREEN *scr = term_start(&u, oq, of);
	if (!scr)
		return 1;
	int rc = run_loop(&u, err, sizeof(err));
	endwin();
	g_active = false;
	delscreen(scr);
	restore_signals(oq, of);
	free(u.rows);
	if (getenv("CONCVIZ_STATS"))
		tui_frames_print(&u.frames, stderr);
	if (rc)
		fprintf(stderr, "concviz: %s\n", err);
	return rc;
}
