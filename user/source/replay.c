/* replay.c — replay a recording into a model for the TUI, paced by wall time. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/clock.h"
#include "model/model.h"
#include "record/recfile.h"
#include "source/replay.h"

#define SPEED_MIN 0.25
#define SPEED_MAX 16.0

struct cv_replay {
	char *path;
	uint8_t *data;
	size_t len;
	char *command;              /* from the header */
	uint32_t title_pid;         /* the last TARGET record's, for the title */
	char *title_cmd;

	struct cv_model *m;
	struct cv_rec_feed feed;    /* into m, from a reader over data (feed.r) */
	struct cv_model **zombies;  /* replaced by a seek; freed at the next pump */
	size_t nzombies;

	uint64_t start_ts, length, nevents;
	uint64_t pos;               /* trace time since start_ts */
	double speed;
	bool paused;
	uint64_t last_wall;         /* CLOCK_MONOTONIC ns of the last position update */

	char title[512];
	char err[512];
	char warn[512];
	bool has_warn;
};

static int read_file(const char *path, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cv_errorf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st = { 0 };
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		cv_errorf(err, errlen, "cannot read %s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" :
			 strerror(errno));
		close(fd);
		return -1;
	}
	size_t cap = st.st_size > 0 ? (size_t)st.st_size : 4096, len = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, buf + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			cv_errorf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (k == 0) {
			close(fd);
			*out = buf;
			*outlen = len;
			return 0;
		}
		len += (size_t)k;
	}
	cv_errorf(err, errlen, "cannot read %s: out of memory", path);
	free(buf);
	close(fd);
	return -1;
}

/* A fresh model and a reader at the first record. */
static int restart(struct cv_replay *rp)
{
	char err[512];
	struct cv_rec_reader *rd = cv_rec_open_mem(rp->data, rp->len, rp->path, err, sizeof(err));
	struct cv_model *m = cv_model_new(NULL);
	if (!rd || !m) {
		cv_rec_reader_close(rd);
		cv_model_free(m);
		snprintf(rp->err, sizeof(rp->err), "%s", rd ? "out of memory" : err);
		return -1;
	}
	cv_rec_reader_close(rp->feed.r);
	if (rp->m) {
		struct cv_model **z = realloc(rp->zombies, (rp->nzombies + 1) * sizeof(*z));
		if (z) {
			rp->zombies = z;
			rp->zombies[rp->nzombies++] = rp->m;
		} else {
			cv_model_free(rp->m); /* cannot keep it: drop now */
		}
	}
	rp->m = m;
	cv_rec_feed_init(&rp->feed, rd, m);
	return 0;
}

/* Feed every record up to absolute trace time `limit`; returns events fed. */
static uint64_t feed_until(struct cv_replay *rp, uint64_t limit)
{
	uint64_t fed = cv_rec_feed_until(&rp->feed, limit);

	cv_model_advance(rp->m, limit);
	return fed;
}

static bool finished(const struct cv_replay *rp)
{
	return rp->feed.done;
}

/* Move the position forward by the wall time elapsed × speed. */
static void tick(struct cv_replay *rp)
{
	uint64_t now = cv_mono_ns();
	if (!rp->paused && now > rp->last_wall) {
		double adv = (double)(now - rp->last_wall) * rp->speed;
		uint64_t left = rp->length - rp->pos;
		rp->pos += adv >= (double)left ? left : (uint64_t)adv;
	}
	rp->last_wall = now;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static void seek_to(struct cv_replay *rp, uint64_t target)
{
	if (target > rp->length)
		target = rp->length;
	if (target < rp->pos && restart(rp) != 0)
		return;
	rp->pos = target;
	rp->last_wall = cv_mono_ns();
	feed_until(rp, sat_add(rp->start_ts, rp->pos));
}

/* ---- the source callbacks ------------------------------------------------ */

static struct cv_model *src_model(void *ctx)
{
	return ((struct cv_replay *)ctx)->m;
}

static int src_pump(void *ctx, int timeout_ms)
{
	struct cv_replay *rp = ctx;
	for (size_t i = 0; i < rp->nzombies; i++)
		cv_model_free(rp->zombies[i]);
	rp->nzombies = 0;

	tick(rp);
	uint64_t fed = feed_until(rp, sat_add(rp->start_ts, rp->pos));
	if (finished(rp)) {
		rp->pos = rp->length;
		return 1;
	}
	if (!fed && timeout_ms > 0) {
		/* wait for the next event to be due, at most timeout_ms */
		uint64_t wait = (uint64_t)timeout_ms * 1000000ull;
		if (!rp->paused && rp->feed.pending) {
			uint64_t at = rp->start_ts + rp->pos;
			uint64_t due = rp->feed.item.ev.ts > at ? rp->feed.item.ev.ts - at : 0;
			double w = (double)due / rp->speed;
			if (w < (double)wait)
				wait = (uint64_t)w;
		}
		struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		tick(rp);
		feed_until(rp, sat_add(rp->start_ts, rp->pos));
		if (finished(rp)) {
			rp->pos = rp->length;
			return 1;
		}
	}
	return 0;
}

static void src_quit(void *ctx)
{
	(void)ctx;
}

static const char *src_last_error(void *ctx)
{
	struct cv_replay *rp = ctx;
	return rp->err[0] ? rp->err : NULL;
}

static void src_control(void *ctx, enum cv_timeshift_cmd cmd, double arg)
{
	struct cv_replay *rp = ctx;
	tick(rp);
	switch (cmd) {
	case CV_TS_PAUSE:
		rp->paused = arg != 0;
		break;
	case CV_TS_STEP:
		if (arg >= 0) {
			uint64_t d = arg >= (double)UINT64_MAX ? UINT64_MAX : (uint64_t)arg;
			seek_to(rp, sat_add(rp->pos, d));
		} else {
			uint64_t d = -arg >= (double)UINT64_MAX ? UINT64_MAX : (uint64_t)-arg;
			seek_to(rp, d >= rp->pos ? 0 : rp->pos - d);
		}
		break;
	case CV_TS_SPEED:
		if (!(arg >= SPEED_MIN)) /* also NaN */
			arg = SPEED_MIN;
		if (arg > SPEED_MAX)
			arg = SPEED_MAX;
		rp->speed = arg;
		break;
	case CV_TS_SEEK:
		if (!(arg > 0))
			arg = 0;
		seek_to(rp, arg >= (double)UINT64_MAX ? UINT64_MAX : (uint64_t)arg);
		break;
	}
}

static uint64_t src_length(void *ctx)
{
	return ((struct cv_replay *)ctx)->length;
}

static uint64_t src_position(void *ctx)
{
	return ((struct cv_replay *)ctx)->pos;
}

static double src_speed(void *ctx)
{
	return ((struct cv_replay *)ctx)->speed;
}

static bool src_paused(void *ctx)
{
	return ((struct cv_replay *)ctx)->paused;
}

/* ---- open / close -------------------------------------------------------- */

/* One pass over the file: trace start, length, events, readable extent. */
static int index_file(struct cv_replay *rp, char *err, size_t errlen)
{
	struct cv_rec_reader *rd = cv_rec_open_mem(rp->data, rp->len, rp->path, err, errlen);
	if (!rd)
		return -1;
	const struct cv_rec_header *h = cv_rec_header(rd);
	struct cv_rec_item it;
	rp->command = strdup(h->command);
	rp->title_pid = h->target_pid;
	bool have_start = false, have_ev = false;
	uint64_t first_ev = 0, max_ts = 0;
	while (cv_rec_next(rd, &it) == 1) {
		if (it.kind == CV_REC_TRUNCATED || it.kind == CV_REC_CORRUPT) {
			snprintf(rp->warn, sizeof(rp->warn), "%s", it.error);
			rp->has_warn = true;
			break;
		}
		if (it.kind == CV_REC_TARGET) {
			rp->title_pid = it.target.pid;
			if (it.target.command) {
				free(rp->title_cmd);
				rp->title_cmd = strdup(it.target.command);
			}
		}
		if (it.kind == CV_REC_START && !have_start) {
			have_start = true;
			rp->start_ts = it.start_ts;
		} else if (it.kind == CV_REC_EVENT) {
			if (!have_ev)
				first_ev = it.ev.ts;
			if (it.ev.ts > max_ts)
				max_ts = it.ev.ts;
			have_ev = true;
			rp->nevents++;
		}
	}
	cv_rec_reader_close(rd);
	if (!have_start)
		rp->start_ts = first_ev;
	rp->length = max_ts > rp->start_ts ? max_ts - rp->start_ts : 0;
	if (!rp->command) {
		cv_errorf(err, errlen, "%s: out of memory", rp->path);
		return -1;
	}
	return 0;
}

struct cv_replay *cv_replay_open(const char *path, char *err, size_t errlen)
{
	struct cv_replay *rp = calloc(1, sizeof(*rp));
	if (!rp || !(rp->path = strdup(path))) {
		cv_errorf(err, errlen, "%s: out of memory", path);
		free(rp);
		return NULL;
	}
	rp->speed = 1.0;
	if (read_file(path, &rp->data, &rp->len, err, errlen) != 0 || index_file(rp, err, errlen) != 0)
		goto fail;
	if (restart(rp) != 0) {
		cv_errorf(err, errlen, "%s", rp->err);
		goto fail;
	}
	rp->last_wall = cv_mono_ns();
	feed_until(rp, rp->start_ts);

	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* Short, like the live title: the header line must keep room
	 * for the position, speed and PAUSED, so drop the program's directory. */
	const char *cmd = rp->title_cmd ? rp->title_cmd : rp->command;
	const char *sp = strchr(cmd, ' ');
	for (const char *c = cmd; *c && (!sp || c < sp); c++)
		if (*c == '/' && c[1] && c[1] != ' ')
			cmd = c + 1;
	snprintf(rp->title, sizeof(rp->title), "replay %.40s%s  pid %u%s%.32s", base,
		 rp->has_warn ? " [truncated]" : "", rp->title_pid, cmd[0] ? "  " : "", cmd);
	return rp;
fail:
	cv_replay_close(rp);
	return NULL;
}

static const struct cv_timeshift replay_timeshift = {
	.control = src_control, .length_ns = src_length, .position_ns = src_position,
	.speed = src_speed, .paused = src_paused,
};

void cv_replay_fill_source(struct cv_replay *rp, struct cv_source *out)
{
	*out = (struct cv_source){
		.ctx = rp, .model = src_model, .title = rp->title,
		.pump = src_pump, .quit = src_quit, .last_error = src_last_error,
		.timeshift = &replay_timeshift,
	};
}

void cv_replay_close(struct cv_replay *rp)
{
	if (!rp)
		return;
	for (size_t i = 0; i < rp->nzombies; i++)
		cv_model_free(rp->zombies[i]);
	free(rp->zombies);
	cv_model_free(rp->m);
	cv_rec_reader_close(rp->feed.r);
	free(rp->data);
	free(rp->command);
	free(rp->title_cmd);
	free(rp->path);
	free(rp);
}

const char *cv_replay_warning(const struct cv_replay *rp)
{
	return rp && rp->has_warn ? rp->warn : NULL;
}

uint64_t cv_replay_event_count(const struct cv_replay *rp)
{
	return rp ? rp->nevents : 0;
}
