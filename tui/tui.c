/* tui.c — cv_tui_run: terminal set-up and teardown, signals, the main loop
 * (pump the source with a short timeout, read keys, redraw at 10 Hz; a
 * frame waits while the terminal has not taken the last one). */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tui_int.h"
#include "term_writer.h"

static volatile sig_atomic_t g_sig, g_winch, g_tstp;
static bool g_active;           /* curses is up: atexit must end it */
static bool g_atexit_done;
static struct termios g_tio;    /* the terminal's modes before curses */
static struct termios g_prog_tio; /* curses' modes (cbreak, noecho, ...) */
static bool g_have_tio;
/* curses writes to g_ofp, a dup of stdout that the writer turns into its
 * queue; curses' own mode changes on it fail from then on (it is a pipe),
 * so this file sets the terminal's modes and size on stdin/stdout itself */
static FILE *g_ofp;
static struct tui_tw g_tw;

static void on_sig(int s) { g_sig = s; }
static void on_winch(int s) { (void)s; g_winch = 1; }
static void on_tstp(int s) { (void)s; g_tstp = 1; }

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

/* curses' last bytes (leave the alternate screen, show the cursor) reach
 * the terminal, then the terminal gets its modes back */
static void term_end(SCREEN *scr)
{
	if (!isendwin())
		endwin();
	g_active = false;
	if (scr)
		delscreen(scr);
	if (g_ofp)
		fclose(g_ofp);          /* the queue's last write end */
	g_ofp = NULL;
	tui_tw_finish(&g_tw, TUI_TERM_DRAIN_MS);
	if (g_have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &g_tio);
}

static void at_exit(void)
{
	if (g_active)
		term_end(NULL);
}

/* SIGWINCH and SIGTSTP are ours before newterm, so curses leaves them
 * alone: its handlers would ask the queue (a pipe) for the size and modes */
static void install_term_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_tstp;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTSTP, &sa, NULL);
}

/* the terminal was resized: curses learns the new size (KEY_RESIZE follows) */
static void term_resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
}

/* Ctrl-Z: leave curses, give the terminal back, stop; on fg, resume */
static void term_suspend(void)
{
	struct timespec nap = { 0, 5000000 };

	endwin();
	for (int ms = 0; g_tw.running && !tui_tw_idle(&g_tw) && ms < TUI_TERM_DRAIN_MS; ms += 5)
		nanosleep(&nap, NULL);
	if (g_have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &g_tio);
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	/* continued */
	install_term_signals();
	if (g_have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &g_prog_tio);
	term_resize();
	clearok(curscr, TRUE);
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
	uint64_t t0 = cv_mono_ns(), t1, q0 = 0, q1 = 0;

	draw(u);
	t1 = cv_mono_ns();
	if (g_tw.running)
		q0 = tui_tw_queued_total(&g_tw);
	refresh();
	if (g_tw.running)
		q1 = tui_tw_queued_total(&g_tw);
	tui_frames_add(&u->frames, t0, t1, cv_mono_ns(), q1 - q0);
}

/* the terminal has not taken the last frame yet */
static bool term_behind(void)
{
	return g_tw.running && !tui_tw_idle(&g_tw);
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
	g_sig = g_winch = g_tstp = 0;

	int ofd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	g_ofp = ofd >= 0 ? fdopen(ofd, "w") : NULL;
	if (!g_ofp) {
		if (ofd >= 0)
			close(ofd);
		fprintf(stderr, "concviz: cannot start the TUI (%s); %s\n", strerror(errno),
			u->src->timeshift ? "concviz report FILE gives the summary"
					  : "use --report for text output");
		return NULL;
	}
	install_term_signals();
	SCREEN *scr = newterm(NULL, g_ofp, stdin);
	if (!scr) {
		fprintf(stderr, "concviz: cannot start the TUI (TERM=%s); %s\n",
			getenv("TERM") ? getenv("TERM") : "unset",
			u->src->timeshift ? "concviz report FILE gives the summary"
					  : "use --report for text output");
		fclose(g_ofp);
		g_ofp = NULL;
		signal(SIGWINCH, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
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
	if (g_have_tio)
		tcgetattr(STDIN_FILENO, &g_prog_tio);
	/* from here on curses' bytes go through the writer's queue; if it
	 * cannot start (no thread, no pipe), curses keeps writing to the
	 * terminal itself and the loop may wait for it, as it did before */
	tui_tw_start(&g_tw, STDOUT_FILENO, ofd);
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
	uint64_t next_frame = 0, turn0 = cv_mono_ns();
	bool due = false;           /* a frame is wanted, maybe postponed */
	bool was_finished = u->finished;
	u->m = src->model(src->ctx);
	for (;;) {
		/* a turn that ended the source (its last drain, a detach) is
		 * not the loop being slow to answer */
		uint64_t turn1 = cv_mono_ns();
		if (u->finished == was_finished) {
			tui_frames_turn(&u->frames, turn1 - turn0);
			/* far more than a frame's pump and key waits: starved of CPU */
			if (turn1 - turn0 > TUI_BEHIND_MS * 1000000ULL && src->behind)
				src->behind(src->ctx);
		}
		was_finished = u->finished;
		turn0 = turn1;
		if (g_sig) {
			g_sig = 0;
			tui_start_quit(u);
		}
		if (g_winch) {
			g_winch = 0;
			term_resize();
		}
		if (g_tstp) {
			g_tstp = 0;
			term_suspend();
			turn0 = cv_mono_ns();   /* stopped is not slow */
			due = true;
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

		int ch;
		timeout(waited ? 0 : wait_ms);  /* nothing to pump: wait in getch */
		while ((ch = getch()) != ERR) {
			due |= tui_key(u, ch);
			timeout(0);
		}
		w = tui_wall_ms();
		bool tick = w >= next_frame;
		if (tick) {
			if (!u->frozen)  /* (a live-only state) */
				due = true;
			next_frame = w + TUI_FRAME_MS;
		}
		if (u->quitting && w + TUI_FRAME_MS >= next_frame)
			due = true;
		if (!due)
			continue;
		/* The terminal is behind: keep pumping and reading keys, and
		 * draw the newest state once it has caught up.  Drawing into
		 * curses meanwhile would be wasted (and getch would send it). */
		if (term_behind()) {
			u->frames.postponed += tick;
			continue;
		}
		tui_draw(u);
		due = false;
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
	term_end(scr);
	restore_signals(oq, of);
	signal(SIGWINCH, SIG_DFL);
	signal(SIGTSTP, SIG_DFL);
	if (g_tw.started)
		tui_frames_writer(&u.frames, g_tw.final_longest_write_ns);
	free(u.rows);
	if (getenv("CONCVIZ_STATS"))
		tui_frames_print(&u.frames, stderr);
	if (rc)
		fprintf(stderr, "concviz: %s\n", err);
	return rc;
}
