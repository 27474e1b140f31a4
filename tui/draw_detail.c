/* draw_detail.c — Thread detail: totals, time shares and the last receives,
 * multiplexer waits, lock waits and io_uring requests of one thread. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui_int.h"

/* bar of length ns/max in the colour of st */
static void dur_bar(const struct tui *u, int y, int x, int w, uint64_t ns, uint64_t max,
		    enum cv_state st)
{
	if (w <= 0 || !max)
		return;
	int n = (int)((double)ns * w / (double)max + 0.5);
	if (ns && !n)
		n = 1;
	if (n > w)
		n = w;
	for (int i = 0; i < n; i++)
		tui_put(y, x + i, 1, tui_state_text(u, st) & ~(attr_t)A_REVERSE,
			u->utf8 ? "\u2588" : "#");
}

static void heading(const struct tui *u, struct vl *v, const char *text)
{
	int y = vl_row(v);
	tui_put(y, 0, u->cols, tui_role(u, R_HEADING), text);
}

static void shares(struct tui *u, struct vl *v, const char *label, const uint64_t ns[CV_ST_COUNT])
{
	uint64_t total = 0;
	char d[32];
	for (int s = 0; s < CV_ST_COUNT; s++)
		total += ns[s];
	int y = vl_row(v);
	tui_put(y, 2, 22, A_BOLD, label);
	tui_stack_bar(u, y, 24, u->cols - 26 > 50 ? 50 : u->cols - 26, ns);
	/* as many "G word  pct  time" entries per line as fit */
	int per = (u->cols - 4) / 27;
	if (per < 1)
		per = 1;
	if (per > CV_ST_COUNT)
		per = CV_ST_COUNT;
	if (per > 4 && per < CV_ST_COUNT)
		per = 4;
	for (int s0 = 0; s0 < CV_ST_COUNT; s0 += per) {
		y = vl_row(v);
		for (int k = 0; k < per && s0 + k < CV_ST_COUNT; k++) {
			int s = s0 + k, x = 4 + k * 27;
			char g[2] = { tui_state_glyph((enum cv_state)s), 0 };
			tui_put(y, x, 1, tui_state_cell(u, (enum cv_state)s) | (u->color ? 0 : A_REVERSE), g);
			tui_putf(y, x + 2, 24, ns[s] ? tui_state_text(u, (enum cv_state)s) : tui_role(u, R_DIM),
				 "%-10s %3.0f%% %8s", cv_state_name((enum cv_state)s),
				 total ? 100.0 * ns[s] / total : 0.0, ns[s] ? fmt_dur_col(u, d, sizeof(d), ns[s], 8) : "");
		}
	}
}

/* t0..t1; 0 if t0 is 0: a call's start not seen (it did not block) */
static uint64_t span(uint64_t t0, uint64_t t1)
{
	return t0 && t1 > t0 ? t1 - t0 : 0;
}

/* one receive: syscall, bytes, [wait | copy] bar, the two times, polls before it */
static void recv_row(struct tui *u, struct vl *v, const struct cv_recv_rec *r, int bw)
{
	char b1[32], b2[32], b3[32];
	uint64_t mid = r->copy_ts ? r->copy_ts : r->exit_ts;
	uint64_t wait = span(r->enter_ts, mid);
	uint64_t copy = r->copy_ts && r->exit_ts > r->copy_ts ? r->exit_ts - r->copy_ts : 0;
	int y = vl_row(v);
	if (y < 0)
		return;
	if (r->signal == CV_CALLSIG_EINTR || r->signal == CV_CALLSIG_UNRESOLVED)
		snprintf(b1, sizeof(b1), "%s", r->signal == CV_CALLSIG_EINTR ? "EINTR" : "signal");
	else if (r->ret >= 0)
		cv_fmt_bytes(b1, sizeof(b1), (uint64_t)r->ret);
	else
		snprintf(b1, sizeof(b1), "err%" PRId64, r->ret);
	enum cv_recv_kind k = cv_recv_kind_of(r->sys, r->flags);
	char name[24];
	if (k == CV_RECV_MQ)
		snprintf(name, sizeof(name), "mq_receive");
	else if (k == CV_RECV_PIPE)
		snprintf(name, sizeof(name), "%s pipe", fmt_sys(r->sys));
	else
		snprintf(name, sizeof(name), "%s", fmt_sys(r->sys));
	tui_putf(y, 2, 19, A_NORMAL, "%-11.11s %6s", name, b1);
	tui_put(y, 21, 1, A_NORMAL, "[");
	tui_phase_bar(u, y, 22, bw, wait, CV_ST_WAIT_DATA, copy, CV_ST_COPY_DATA);
	tui_put(y, 22 + bw, 1, A_NORMAL, "]");
	int x = 24 + bw;
	tui_putf(y, x, 8, tui_state_text(u, CV_ST_WAIT_DATA) & ~(attr_t)A_REVERSE, "%8s",
		 fmt_dur_col(u, b2, sizeof(b2), wait, 8));
	tui_putf(y, x + 9, 8, tui_state_text(u, CV_ST_COPY_DATA) & ~(attr_t)A_REVERSE, "%8s",
		 fmt_dur_col(u, b3, sizeof(b3), copy, 8));
	tui_putf(y, x + 18, u->cols - x - 18, A_NORMAL, "%6u %s  %s", r->eagain_before,
		 (r->flags & CV_CALL_BLOCKED) ? "blocked" : "no-block",
		 cv_call_signal_text((enum cv_call_signal)r->signal, r->interruptions, b2, sizeof(b2)));
}

/* "  signals 6 (EINTR 2)" when a signal interrupted calls of this kind, else "" */
static const char *sig_note(char *buf, size_t n, const struct cv_sig_stats *s)
{
	if (s->interrupted)
		snprintf(buf, n, "  signals %" PRIu64 " (EINTR %" PRIu64 ")", s->interrupted, s->eintr);
	else
		buf[0] = '\0';
	return buf;
}

static void receives(struct tui *u, struct vl *v, const struct cv_thread *t)
{
	char b1[32], sg[64], line[200];
	snprintf(line, sizeof(line), "Receives  calls %" PRIu64 "  EAGAIN polls %" PRIu64
		 "  bytes %s  blocked %" PRIu64 "%s", t->recv.calls, t->recv.eagain,
		 cv_fmt_bytes(b1, sizeof(b1), t->recv.bytes), t->recv.blocked_calls,
		 sig_note(sg, sizeof(sg), &t->recv.sig));
	heading(u, v, line);
	if (t->recv.calls != t->recv.by_kind[CV_RECV_SOCKET].calls) {
		char b2[32], b3[32];
		int y = vl_row(v);
		tui_putf(y, 2, u->cols - 2, A_NORMAL,
			 "by kind: socket %" PRIu64 " (%s)  pipe/FIFO %" PRIu64 " (%s)  mq %" PRIu64 " (%s)",
			 t->recv.by_kind[CV_RECV_SOCKET].calls,
			 cv_fmt_bytes(b1, sizeof(b1), t->recv.by_kind[CV_RECV_SOCKET].bytes),
			 t->recv.by_kind[CV_RECV_PIPE].calls,
			 cv_fmt_bytes(b2, sizeof(b2), t->recv.by_kind[CV_RECV_PIPE].bytes),
			 t->recv.by_kind[CV_RECV_MQ].calls,
			 cv_fmt_bytes(b3, sizeof(b3), t->recv.by_kind[CV_RECV_MQ].bytes));
	}
	int bw = u->cols - 57;
	if (bw > 40) bw = 40;
	if (bw < 8) bw = 8;
	int y = vl_row(v);
	tui_putf(y, 2, u->cols - 2, tui_role(u, R_DIM), "%-11s %6s [%-*s] %8s %8s %6s",
		 "syscall", "bytes", bw, "wait for data | copy data", "wait", "copy", "EAGAIN");
	/* EAGAIN polls are no records: each receive counts the polls before it */
	if (t->eagain_streak) {
		y = vl_row(v);
		tui_putf(y, 2, u->cols - 2, tui_state_text(u, CV_ST_RUNNING),
			 "... %u EAGAIN polls since the last receive (not blocked: polling)",
			 t->eagain_streak);
	}
	const struct cv_recv_rec *r;
	size_t i;
	for (i = 0; i < DETAIL_RECV_N && (r = cv_model_thread_recv(u->m, t, i)); i++)
		recv_row(u, v, r, bw);
	if (!i) {
		y = vl_row(v);
		tui_put(y, 4, u->cols - 4, tui_role(u, R_DIM), "no receive completed yet");
	}
}

/* receives and accepts by descriptor: what each fd is (TCP peer, UNIX path, …) */
static void by_fd(struct tui *u, struct vl *v, const struct cv_thread *t)
{
	size_t n = cv_model_thread_fd_count(u->m, t);
	char b[32], d[32], w[200];
	if (!n)
		return;
	heading(u, v, "By descriptor");
	tui_putf(vl_row(v), 2, u->cols - 2, tui_role(u, R_DIM), "%5s %-7s %7s %7s %9s %7s %7s  %s",
		 "fd", "kind", "calls", "bytes", "wait", "accepts", "ready", "what");
	for (size_t i = 0; i < n && i < DETAIL_FD_N; i++) {
		const struct cv_fd_stats *f = cv_model_thread_fd(u->m, t, i);
		const struct cv_fd_desc *x = cv_model_fd_desc(u->m, t->pid, f->fd, f->ino);
		int y = vl_row(v);
		if (y < 0)
			continue;
		cv_fmt_clean(w, sizeof(w), f->fd == CV_FD_OTHER ? "the other descriptors"
			     : x ? x->desc : "not described", tui_charset(u));
		if (f->fd == CV_FD_OTHER)
			snprintf(d, sizeof(d), "*");
		else
			snprintf(d, sizeof(d), "%u", f->fd);
		char dur[32];
		tui_putf(y, 2, u->cols - 2, A_NORMAL, "%5s %-7s %7" PRIu64 " %7s %9s %7" PRIu64 " %6" PRIu64 "%s  %s", d,
			 f->fd == CV_FD_OTHER ? "other" : cv_fd_kind_name(x ? x->kind : CV_FD_UNKNOWN),
			 f->calls, cv_fmt_bytes(b, sizeof(b), f->bytes),
			 fmt_dur_col(u, dur, sizeof(dur), f->wait_ns + f->accept_wait_ns, 9), f->accepts,
			 f->mux_ready, f->mux_ready_epoll ? "e" : " ", w);
	}
	if (n > DETAIL_FD_N)
		tui_putf(vl_row(v), 4, u->cols - 4, tui_role(u, R_DIM),
			 "... %zu more descriptors (concviz report lists them all)", n - DETAIL_FD_N);
}

/* accept/accept4: shown only for a thread that called it */
static void accepts(struct tui *u, struct vl *v, const struct cv_thread *t)
{
	char d[32], line[160];
	if (!t->accept.calls)
		return;
	snprintf(line, sizeof(line), "Accepts  calls %" PRIu64 "  EAGAIN polls %" PRIu64
		 "  blocked %" PRIu64 "  waited %s (blocked = waiting for a connection)",
		 t->accept.calls, t->accept.eagain, t->accept.blocked_calls,
		 fmt_dur(u, d, sizeof(d), t->accept.wait_ns));
	heading(u, v, line);
}

/* "timeout 500 ms", "no timeout", "timeout 0 (a poll)" */
static const char *fmt_timeout(char *b, size_t n, int64_t ms)
{
	if (ms == CV_TIMEOUT_UNSEEN)
		snprintf(b, n, "timeout not seen");
	else if (ms < 0)
		snprintf(b, n, "no timeout");
	else if (ms == 0)
		snprintf(b, n, "timeout 0");
	else
		snprintf(b, n, "timeout %" PRId64 " ms", ms);
	return b;
}

static void muxes(struct tui *u, struct vl *v, const struct cv_thread *t)
{
	char d[32], sg[64], line[200];
	snprintf(line, sizeof(line), "Multiplexer waits  calls %" PRIu64 "  waited %s%s",
		 t->mux.calls, fmt_dur(u, d, sizeof(d), t->mux.wait_ns), sig_note(sg, sizeof(sg), &t->mux.sig));
	heading(u, v, line);
	for (int k = 0; k < CV_MUX_API_COUNT; k++) {
		const struct cv_mux_api_stats *a = &t->mux.by_api[k];
		if (!a->calls)
			continue;
		tui_putf(vl_row(v), 2, u->cols - 2, A_NORMAL,
			 "%-6s calls %" PRIu64 "  waited %s  watched (nfds) %.1f/call  ready %.2f/call"
			 "  timeouts %" PRIu64 "  errors %" PRIu64, cv_mux_api_name((enum cv_mux_api)k),
			 a->calls, fmt_dur(u, d, sizeof(d), a->wait_ns),
			 (double)a->nfds / (double)a->calls, (double)a->ready / (double)a->calls,
			 a->timeouts, a->errors);
	}
	const struct cv_mux_rec *r;
	uint64_t max = 0;
	for (size_t i = 0; i < DETAIL_MUX_N && (r = cv_model_thread_mux(u->m, t, i)); i++)
		if (span(r->enter_ts, r->exit_ts) > max)
			max = span(r->enter_ts, r->exit_ts);
	size_t i;
	for (i = 0; i < DETAIL_MUX_N && (r = cv_model_thread_mux(u->m, t, i)); i++) {
		int y = vl_row(v);
		uint64_t w = span(r->enter_ts, r->exit_ts);
		char to[32], rd[32];
		if (r->signal == CV_CALLSIG_EINTR || r->signal == CV_CALLSIG_UNRESOLVED)
			snprintf(rd, sizeof(rd), "%s", r->signal == CV_CALLSIG_EINTR ? "EINTR" : "signal");
		else if (r->ret >= 0)
			snprintf(rd, sizeof(rd), "%" PRId64 " ready", r->ret);
		else
			snprintf(rd, sizeof(rd), "err %" PRId64, r->ret);
		tui_putf(y, 2, 40, A_NORMAL, "%-12s %-10s waited %9s", fmt_sys(r->sys), rd,
			 fmt_dur_col(u, d, sizeof(d), w, 9));
		int bw = u->cols - 46 > 30 ? 30 : u->cols - 46;
		dur_bar(u, y, 44, bw, w, max, CV_ST_MUX_WAIT);
		if (bw > 0)
			tui_putf(y, 46 + bw, u->cols - 46 - bw, tui_role(u, R_DIM), "of %u watched, %s%s%s",
				 r->nfds, fmt_timeout(to, sizeof(to), r->timeout_ms),
				 r->signal ? ", " : "",
				 cv_call_signal_text((enum cv_call_signal)r->signal, r->interruptions, sg, sizeof(sg)));
	}
	if (!i)
		tui_put(vl_row(v), 4, u->cols - 4, tui_role(u, R_DIM), "no multiplexer wait yet");
}

static void futexes(struct tui *u, struct vl *v, const struct cv_thread *t)
{
	char d[32], lk[64], ow[48], wk[48], sg[64], line[200];
	snprintf(line, sizeof(line), "Lock waits  waits %" PRIu64 "  waited %s%s", t->futex.waits,
		 fmt_dur(u, d, sizeof(d), t->futex.wait_ns), sig_note(sg, sizeof(sg), &t->futex.sig));
	heading(u, v, line);
	const struct cv_futex_rec *r;
	size_t i;
	for (i = 0; i < DETAIL_FUTEX_N && (r = cv_model_thread_futex(u->m, t, i)); i++) {
		int y = vl_row(v);
		if (y < 0)
			continue;
		fmt_lock(lk, sizeof(lk), u->m, t->pid, r->addr);
		fmt_tid(ow, sizeof(ow), u->m, r->owner_tid);
		fmt_tid(wk, sizeof(wk), u->m, r->waker_tid);
		tui_putf(y, 2, 20, tui_role(u, R_LOCK), "%-20s", lk);
		tui_putf(y, 23, u->cols - 23, A_NORMAL, "%-9s waited %9s  holder %-20s waker %s%s%s%s",
			 cv_lock_kind_name((enum cv_lock_kind)r->kind),
			 fmt_dur_col(u, d, sizeof(d), span(r->enter_ts, r->exit_ts), 9), ow, wk,
			 r->ret == -CV_ETIMEDOUT ? "  (timeout)" : r->ret == -CV_EAGAIN ? "  (EAGAIN)" : "",
			 r->signal ? "  " : "",
			 cv_call_signal_text((enum cv_call_signal)r->signal, r->interruptions, sg, sizeof(sg)));
	}
	if (!i)
		tui_put(vl_row(v), 4, u->cols - 4, tui_role(u, R_DIM), "no lock wait yet");
}

static void urings(struct tui *u, struct vl *v, const struct cv_thread *t)
{
	char d[32], line[200];
	snprintf(line, sizeof(line), "io_uring  submitted %" PRIu64 "  completed %" PRIu64
		 "  in flight %" PRIu64 "  async wait %s", t->uring.submitted, t->uring.completed,
		 t->uring.inflight, fmt_dur(u, d, sizeof(d), t->uring.async_wait_ns));
	heading(u, v, line);
	const struct cv_uring_rec *r;
	size_t i;
	for (i = 0; i < DETAIL_URING_N && (r = cv_model_thread_uring(u->m, t, i)); i++) {
		int y = vl_row(v);
		if (r->submit_ts && r->complete_ts >= r->submit_ts)
			fmt_dur_col(u, d, sizeof(d), r->complete_ts - r->submit_ts, 9);
		else
			snprintf(d, sizeof(d), "?");
		tui_putf(y, 2, u->cols - 2, A_NORMAL,
			 "%-10s res %-7d async wait %9s (no thread blocked)  user_data 0x%" PRIx64,
			 fmt_uring_op(r->opcode), r->res, d, r->user_data);
	}
	if (!i)
		tui_put(vl_row(v), 4, u->cols - 4, tui_role(u, R_DIM), "no io_uring completion yet");
}

static void summary(struct tui *u, struct vl *v, const struct cv_thread *t)
{
	char comm[CV_COMM_LEN + 1], d[32], d2[32], ow[48];
	uint64_t now = u->ref_now;  /* the current state, even when the timeline is scrolled back */
	cv_fmt_clean(comm, sizeof(comm), t->comm, CV_ASCII);
	int y = vl_row(v);
	tui_putf(y, 0, u->cols, tui_role(u, R_HEADING), "Thread detail  T%u \"%s\"  pid %u%s%s",
		 t->tid, comm, t->pid, t->is_process_leader ? "  (process leader)" : "",
		 t->seeded ? "  (seen at attach)" : "");
	y = vl_row(v);
	uint64_t end = t->exited ? t->exit_ts : now;
	if (t->exited) {
		char how[48];
		tui_putf(y, 2, u->cols - 2, tui_role(u, R_DIM), "exited (%s) after %s",
			 cv_exit_desc(t->exit_code, how, sizeof(how)),
			 fmt_dur(u, d, sizeof(d), end > t->first_ts ? end - t->first_ts : 0));
	} else {
		tui_put(y, 2, 6, A_NORMAL, "state");
		tui_put(y, 8, 12, tui_state_text(u, t->state), tui_state_word(t));
		char what[160] = "";
		switch (t->state) {
		case CV_ST_LOCK_WAIT: {
			/* the holder as the Locks view's wait chains see it */
			struct cv_wait_chain c;
			uint32_t holder = cv_model_wait_chain(u->m, t, &c) ? c.link[0].holder : t->block_owner;
			char label[128];
			cv_model_wait_label(u->m, t, label, sizeof(label));
			if (cv_lock_kind_is_signal_wait((enum cv_lock_kind)t->block_kind))
				snprintf(what, sizeof(what), "%s (for a signal: not contention)", label);
			else
				snprintf(what, sizeof(what), "%s held by %s", label,
					 fmt_tid(ow, sizeof(ow), u->m, holder));
			break;
		}
		case CV_ST_WAIT_DATA:
			snprintf(what, sizeof(what), "%s", t->block == CV_BLK_ACCEPT
				 ? "blocked in accept: waiting for a connection"
				 : "blocked in a receive: no data yet");
			break;
		case CV_ST_COPY_DATA: snprintf(what, sizeof(what), "copying received data to user memory"); break;
		case CV_ST_MUX_WAIT: snprintf(what, sizeof(what), "blocked in the multiplexer"); break;
		case CV_ST_URING_WAIT:
			snprintf(what, sizeof(what), "waiting for io_uring completions, %" PRIu64 " in flight",
				 t->uring.inflight);
			break;
		default: break;
		}
		tui_putf(y, 20, u->cols - 20, A_NORMAL, "for %s  %s",
			 fmt_dur(u, d, sizeof(d), now > t->state_entered ? now - t->state_entered : 0), what);
	}
	y = vl_row(v);
	tui_putf(y, 2, u->cols - 2, A_NORMAL,
		 "context switches %" PRIu64 " voluntary / %" PRIu64 " involuntary   traced for %s",
		 t->vcsw, t->ivcsw, fmt_dur(u, d2, sizeof(d2), end > t->first_ts ? end - t->first_ts : 0));
	if (t->kernel_times) {  /* what time/top say, beside what was traced */
		uint64_t tm[CV_ST_COUNT];
		char a[32], b[32], c[32], e[32];
		cv_model_thread_times(u->m, t, tm);
		y = vl_row(v);
		tui_putf(y, 2, u->cols - 2, A_NORMAL,
			 "kernel (time/top): on CPU %s, run queue %s   traced: on CPU %s, runnable %s",
			 fmt_dur(u, a, sizeof(a), t->kernel_cpu_ns), fmt_dur(u, b, sizeof(b), t->kernel_run_delay_ns),
			 fmt_dur(u, c, sizeof(c), tm[CV_ST_RUNNING] + tm[CV_ST_COPY_DATA]),
			 fmt_dur(u, e, sizeof(e), tm[CV_ST_RUNNABLE]));
		uint64_t kcpu, kdelay;
		if (cv_model_thread_as_kernel(u->m, t, &kcpu, &kdelay)) {
			y = vl_row(v);
			tui_putf(y, 4, u->cols - 4, tui_role(u, R_DIM),
				 "traced, counted by the kernel's clock: on CPU %s, run queue %s"
				 " (its clock skips the update when a woken thread takes the CPU)",
				 fmt_dur(u, a, sizeof(a), kcpu), fmt_dur(u, b, sizeof(b), kdelay));
		}
	}
}

void tui_draw_detail(struct tui *u)
{
	int y0 = TUI_HEADER_ROWS, h = u->lines - TUI_HEADER_ROWS - TUI_FOOTER_ROWS;
	const struct cv_thread *t = u->m && u->detail_tid ? cv_model_find_thread(u->m, u->detail_tid) : NULL;
	if (!t) {
		tui_put(y0, 0, u->cols, tui_role(u, R_HEADING), "Thread detail");
		tui_put(y0 + 1, 2, u->cols - 2, tui_role(u, R_DIM),
			"no thread selected: pick one in Threads (1) and press Enter");
		return;
	}
	/* pass 1 counts the lines (off-screen rows are skipped), pass 2 draws */
	for (int pass = 0; pass < 2; pass++) {
		struct vl v = { y0, pass ? h : 0, u->detail_scroll, 0 };
		uint64_t all[CV_ST_COUNT], win[CV_ST_COUNT];
		summary(u, &v, t);
		cv_model_thread_times(u->m, t, all);
		shares(u, &v, "Time shares (life)", all);
		tui_window(u, t, tui_bucket_of(u, u->view_now), TUI_WINDOW_BUCKETS, win, NULL);
		char lbl[64] = "Time shares (last 2s)";
		if (u->anchored)
			snprintf(lbl, sizeof(lbl), "Shares 2s to -%.1fs",
				 (double)tui_time_behind(u) / 1e9);
		shares(u, &v, lbl, win);
		accepts(u, &v, t);
		receives(u, &v, t);
		by_fd(u, &v, t);
		muxes(u, &v, t);
		futexes(u, &v, t);
		urings(u, &v, t);
		if (!pass)
			u->detail_scroll = vl_clamp(u->detail_scroll, v.n, h);
	}
}
