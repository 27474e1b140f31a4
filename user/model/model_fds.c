/* model_fds.c — receives and accepts by descriptor: per thread, one entry
 * per (fd, inode) in order of first use (CV_FD_MAX, then one entry for the
 * rest), and the descriptions of descriptors, keyed by (pid, fd, inode),
 * from CV_EV_FD events (what the probes read at the first receive) and
 * FD_DESC records (live: /proc's fuller description, recorded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_priv.h"

const char *cv_fd_kind_name(enum cv_fd_kind k)
{
	static const char *const names[CV_FD_KIND_COUNT] = {
		[CV_FD_UNKNOWN] = "unknown", [CV_FD_TCP] = "tcp", [CV_FD_UDP] = "udp",
		[CV_FD_UNIX] = "unix", [CV_FD_SOCKET] = "socket", [CV_FD_PIPE] = "pipe",
		[CV_FD_FIFO] = "fifo", [CV_FD_MQ] = "mq",
	};

	return (unsigned)k < CV_FD_KIND_COUNT ? names[k] : "?";
}

/* ---- descriptions ---------------------------------------------------------- */

static uint64_t fdd_key(uint32_t pid, uint32_t fd, uint64_t ino)
{
	return cv_hash_pair(cv_hash_pair(pid, fd), ino);
}

static uint64_t fdd_index(const struct cv_model *m, uint32_t pid, uint32_t fd, uint64_t ino)
{
	size_t it = 0;
	uint64_t i;

	while ((i = cv_hash_next(&m->fdds, fdd_key(pid, fd, ino), &it)) != CV_HASH_NONE)
		if (m->fdd[i]->pub.pid == pid && m->fdd[i]->pub.fd == fd && m->fdd[i]->pub.ino == ino)
			return i;
	return CV_HASH_NONE;
}

static struct cv_fdd *desc_find(const struct cv_model *m, uint32_t pid, uint32_t fd, uint64_t ino)
{
	uint64_t i = fdd_index(m, pid, fd, ino);

	return i == CV_HASH_NONE ? NULL : m->fdd[i];
}

/* Drop description i (no by_fd entry shows it): the last one takes its place. */
static void desc_drop(struct cv_model *m, uint64_t i)
{
	struct cv_fdd *d = m->fdd[i], *last = m->fdd[m->nfdd - 1];
	uint64_t li = m->nfdd - 1;

	cv_hash_del(&m->fdds, fdd_key(d->pub.pid, d->pub.fd, d->pub.ino), i);
	if (cv_hash_get(&m->fdcur, cv_hash_pair(d->pub.pid, d->pub.fd)) == i)
		cv_hash_del(&m->fdcur, cv_hash_pair(d->pub.pid, d->pub.fd), i);
	free(d->pub.desc);
	free(d);
	if (i != li) {
		uint64_t lk = fdd_key(last->pub.pid, last->pub.fd, last->pub.ino);
		uint64_t ck = cv_hash_pair(last->pub.pid, last->pub.fd);

		/* the moved entry's values follow it (a del and an add: no growth) */
		cv_hash_del(&m->fdds, lk, li);
		cv_hash_add(&m->fdds, lk, i);
		if (cv_hash_get(&m->fdcur, ck) == li)
			cv_hash_set(&m->fdcur, ck, i);
		m->fdd[i] = last;
	}
	m->nfdd--;
}

/* fd of pid names (ino) now: what it named before goes, unless shown. */
static void drop_replaced(struct cv_model *m, uint32_t pid, uint32_t fd, uint64_t ino)
{
	uint64_t old = cv_hash_get(&m->fdcur, cv_hash_pair(pid, fd));

	if (old != CV_HASH_NONE && m->fdd[old]->pub.ino != ino && !m->fdd[old]->shown)
		desc_drop(m, old);
}

/* fd of pid names (ino), described before, again (dup2 back to it): that
 * description is current. */
static void set_current(struct cv_model *m, uint32_t pid, uint32_t fd, uint64_t ino)
{
	drop_replaced(m, pid, fd, ino);
	uint64_t now = fdd_index(m, pid, fd, ino); /* after: the drop may move it */
	if (now != CV_HASH_NONE)
		cv_hash_set(&m->fdcur, cv_hash_pair(pid, fd), now);
}

void cv_model_set_fd_desc(struct cv_model *m, uint32_t pid, uint32_t fd, uint64_t ino,
			  enum cv_fd_kind kind, const char *desc)
{
	struct cv_fdd *d = desc_find(m, pid, fd, ino);
	char *copy = strdup(desc ? desc : "");
	if (!copy)
		goto fail;
	if (d) {
		free(d->pub.desc);
		d->pub.desc = copy;
		d->pub.kind = kind;
		set_current(m, pid, fd, ino);
		return;
	}
	drop_replaced(m, pid, fd, ino);
	if (m->nfdd == m->fdd_cap) {
		size_t ncap = m->fdd_cap ? m->fdd_cap * 2 : 16;
		struct cv_fdd **n = realloc(m->fdd, ncap * sizeof(*n));
		if (!n)
			goto fail;
		m->fdd = n;
		m->fdd_cap = ncap;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !cv_hash_add(&m->fdds, fdd_key(pid, fd, ino), m->nfdd)) {
		free(d);
		goto fail;
	}
	if (!cv_hash_set(&m->fdcur, cv_hash_pair(pid, fd), m->nfdd)) {
		cv_hash_del(&m->fdds, fdd_key(pid, fd, ino), m->nfdd);
		free(d);
		goto fail;
	}
	d->pub = (struct cv_fd_desc){ .pid = pid, .fd = fd, .ino = ino, .kind = kind, .desc = copy };
	m->fdd[m->nfdd++] = d;
	return;
fail:
	free(copy);
	cv__nomem(m);
}

/* The description a CV_EV_FD carries: addresses, or the name the probes read. */
static void format_fd(const struct cv_event *ev, char *b, size_t n)
{
	const uint8_t *l = ev->fd.inet.laddr, *r = ev->fd.inet.raddr;
	unsigned len = ev->fd.name_len < sizeof(ev->fd.name) ? ev->fd.name_len : sizeof(ev->fd.name);
	const char *more = ev->flags & CV_FD_NAME_TRUNC ? "..." : "";
	char name[sizeof(ev->fd.name) + 1];

	memcpy(name, ev->fd.name, len);
	name[len] = 0;
	switch (ev->fd.kind) {
	case CV_FD_TCP:
	case CV_FD_UDP:
		if (ev->fd.family != 2 /* AF_INET */)
			snprintf(b, n, "IPv6 port %u -> port %u", ev->fd.inet.lport, ev->fd.inet.rport);
		else if (!ev->fd.inet.rport && ev->fd.kind == CV_FD_TCP)
			snprintf(b, n, "listening on %u.%u.%u.%u:%u", l[0], l[1], l[2], l[3],
				 ev->fd.inet.lport);
		else if (!ev->fd.inet.rport)
			snprintf(b, n, "%u.%u.%u.%u:%u", l[0], l[1], l[2], l[3], ev->fd.inet.lport);
		else
			snprintf(b, n, "%u.%u.%u.%u:%u -> %u.%u.%u.%u:%u", l[0], l[1], l[2], l[3],
				 ev->fd.inet.lport, r[0], r[1], r[2], r[3], ev->fd.inet.rport);
		break;
	case CV_FD_UNIX: {
		/* an abstract name starts with a 0 byte; a path ends at its NUL */
		bool abstract = len && !ev->fd.name[0];
		if (abstract)
			name[0] = '@';
		else
			name[strnlen(name, len)] = 0;
		if (!len)
			snprintf(b, n, "unnamed");
		else if (ev->flags & CV_FD_NAME_PEER)
			snprintf(b, n, "unnamed -> %s%s", name, more);
		else
			snprintf(b, n, "%s%s", name, more);
		break;
	}
	case CV_FD_PIPE: snprintf(b, n, "pipe"); break;
	case CV_FD_FIFO: snprintf(b, n, "FIFO %s%s", name, more); break;
	case CV_FD_MQ: snprintf(b, n, "/%s%s", name, more); break;
	case CV_FD_SOCKET: snprintf(b, n, "socket (family %u)", ev->fd.family); break;
	default: snprintf(b, n, "?"); break;
	}
}

/* A cut UNIX name ("/tmp/long-dir/sr...") that starts a full one already
 * known in the process (its listener's, described by /proc while it was
 * open) is that name: an accepted socket has its listener's address. */
static const char *complete_unix(const struct cv_model *m, uint32_t pid, const char *cut)
{
	size_t len = strlen(cut);
	if (len < 4 || strcmp(cut + len - 3, "..."))
		return NULL;
	len -= 3;
	for (size_t i = m->nfdd; i-- > 0;) {
		const struct cv_fd_desc *d = &m->fdd[i]->pub;
		if (d->pid == pid && d->kind == CV_FD_UNIX && strlen(d->desc) > len &&
		    !strncmp(d->desc, cut, len) && strcmp(d->desc + strlen(d->desc) - 3, "..."))
			return d->desc;
	}
	return NULL;
}

void cv__fd_event(struct cv_model *m, const struct cv_event *ev)
{
	char desc[96];

	if (desc_find(m, ev->pid, ev->fd.fd, ev->fd.ino)) {
		/* /proc's fuller description came first, or fd names it again */
		set_current(m, ev->pid, ev->fd.fd, ev->fd.ino);
		return;
	}
	format_fd(ev, desc, sizeof(desc));
	const char *full = ev->fd.kind == CV_FD_UNIX && !(ev->flags & CV_FD_NAME_PEER)
				   ? complete_unix(m, ev->pid, desc) : NULL;
	if (full) {
		cv_model_set_fd_desc(m, ev->pid, ev->fd.fd, ev->fd.ino, CV_FD_UNIX, full);
		return;
	}
	cv_model_set_fd_desc(m, ev->pid, ev->fd.fd, ev->fd.ino,
			     ev->fd.kind < CV_FD_KIND_COUNT ? (enum cv_fd_kind)ev->fd.kind : CV_FD_UNKNOWN,
			     desc);
}

const struct cv_fd_desc *cv_model_fd_desc(const struct cv_model *m, uint32_t pid, uint32_t fd,
					  uint64_t ino)
{
	const struct cv_fdd *d = desc_find(m, pid, fd, ino);

	return d ? &d->pub : NULL;
}

/* ---- per-thread counts ------------------------------------------------------- */

static struct cv_fd_stats *fd_entry(struct cv_model *m, struct cv_thr *t, uint32_t fd, uint64_t ino)
{
	/* the last one used first: a receive loop stays on one descriptor */
	if (t->nfds && t->fds[t->fd_last].fd == fd && t->fds[t->fd_last].ino == ino)
		return &t->fds[t->fd_last];
	for (uint32_t i = 0; i < t->nfds; i++)
		if (t->fds[i].fd == fd && t->fds[i].ino == ino) {
			t->fd_last = i;
			return &t->fds[i];
		}
	if (t->nfds == CV_FD_MAX + 1)   /* full: the last entry is "the others" */
		return &t->fds[CV_FD_MAX];
	if (t->nfds == t->fds_cap) {
		uint32_t ncap = t->fds_cap ? t->fds_cap * 2 : 4;
		if (ncap > CV_FD_MAX + 1)
			ncap = CV_FD_MAX + 1;
		struct cv_fd_stats *n = realloc(t->fds, ncap * sizeof(*n));
		if (!n) {
			cv__nomem(m);
			return NULL;
		}
		t->fds = n;
		t->fds_cap = ncap;
	}
	struct cv_fd_stats *s = &t->fds[t->nfds];
	memset(s, 0, sizeof(*s));
	s->recv_kind = CV_RECV_KIND_COUNT; /* no receive yet */
	s->fd = t->nfds == CV_FD_MAX ? CV_FD_OTHER : fd;
	s->ino = t->nfds == CV_FD_MAX ? 0 : ino;
	if (s->fd != CV_FD_OTHER) {
		struct cv_fdd *d = desc_find(m, t->pub.pid, fd, ino);
		if (d)
			d->shown = true; /* this entry shows it: kept */
	}
	t->fd_last = t->nfds++;
	return s;
}

void cv__fd_count(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev)
{
	uint32_t fd = ev->recv.fd;
	uint64_t enter = ev->recv.enter_ts;
	struct cv_fd_stats *s = fd_entry(m, t, fd, ev->recv.ino);

	if (!s)
		return;
	if (CV_SYS_IS_ACCEPT(ev->recv.sys)) {
		s->accepts++;
		s->accept_wait_ns += enter && ev->ts > enter ? ev->ts - enter : 0;
		s->recv_kind = CV_RECV_SOCKET;
		return;
	}
	uint64_t mid = ev->recv.copy_ts ? ev->recv.copy_ts : ev->ts;
	s->recv_kind = cv_recv_kind_of(ev->recv.sys, ev->flags);
	s->calls++;
	if (ev->recv.ret > 0)
		s->bytes += (uint64_t)ev->recv.ret;
	if (ev->recv.ret != -CV_EAGAIN && enter && mid > enter)
		s->wait_ns += mid - enter;
}

/* The object fd of pid names now: the inode of its latest description (the
 * probes describe an fd again when its number names another object), 0 if
 * it was never described. */
const struct cv_fd_desc *cv_model_fd_now(const struct cv_model *m, uint32_t pid, uint32_t fd)
{
	uint64_t i = cv_hash_get(&m->fdcur, cv_hash_pair(pid, fd));

	return i == CV_HASH_NONE ? NULL : &m->fdd[i]->pub;
}

static uint64_t current_ino(const struct cv_model *m, uint32_t pid, uint32_t fd)
{
	const struct cv_fd_desc *d = cv_model_fd_now(m, pid, fd);

	return d ? d->ino : 0;
}

void cv__fd_ready(struct cv_model *m, struct cv_thr *t, const struct cv_event *ev)
{
	unsigned n = ev->mux_ready.n < CV_MUX_READY_MAX ? ev->mux_ready.n : CV_MUX_READY_MAX;

	for (unsigned i = 0; i < n; i++) {
		uint32_t fd = ev->mux_ready.fd[i];
		uint64_t ino = current_ino(m, ev->pid, fd);
		struct cv_fd_stats *s = fd_entry(m, t, fd, ino);
		if (!s)
			continue;
		if (!s->calls && !s->accepts && s->fd != CV_FD_OTHER) {
			/* no receive said what it is yet: its description does (an
			 * eventfd or timerfd is none of the three: left unknown) */
			const struct cv_fdd *d = desc_find(m, ev->pid, fd, ino);
			enum cv_fd_kind k = d ? d->pub.kind : CV_FD_UNKNOWN;
			s->recv_kind = k == CV_FD_PIPE || k == CV_FD_FIFO ? CV_RECV_PIPE
				       : k == CV_FD_MQ ? CV_RECV_MQ
				       : k == CV_FD_UNKNOWN ? CV_RECV_KIND_COUNT : CV_RECV_SOCKET;
		}
		s->mux_ready++;
		if (ev->flags & CV_MUXR_EPOLL)
			s->mux_ready_epoll++;
	}
	t->pub.mux.ready_unlisted += ev->mux_ready.overflow + (ev->mux_ready.n - n);
}

void cv__fds_free(struct cv_model *m)
{
	for (size_t i = 0; i < m->nthr; i++)
		free(m->thr[i]->fds);
	for (size_t i = 0; i < m->nfdd; i++) {
		free(m->fdd[i]->pub.desc);
		free(m->fdd[i]);
	}
	free(m->fdd);
	cv_hash_free(&m->fdds);
	cv_hash_free(&m->fdcur);
}

size_t cv_model_thread_fd_count(const struct cv_model *m, const struct cv_thread *t)
{
	(void)m;
	return cv_thr_of(t)->nfds;
}

const struct cv_fd_stats *cv_model_thread_fd(const struct cv_model *m, const struct cv_thread *t,
					     size_t i)
{
	(void)m;
	return i < cv_thr_of(t)->nfds ? &cv_thr_of(t)->fds[i] : NULL;
}
