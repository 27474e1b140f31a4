/* recfile_load.c — feed a recording into a model: the one place where
 * recording items reach a model (report, replay with its seeks, export). */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "model/model.h"
#include "record/recfile.h"

void cv_rec_feed_init(struct cv_rec_feed *f, struct cv_rec_reader *r, struct cv_model *m)
{
	const struct cv_rec_header *h = cv_rec_header(r);

	memset(f, 0, sizeof(*f));
	f->r = r;
	f->m = m;
	cv_model_set_target(m, h->target_pid, h->command);
}

/* Apply a record that is not an event (events are fed when due, by
 * cv_rec_feed_until).  false: the recording ends here (truncated/corrupt). */
static bool apply_record(struct cv_rec_feed *f, const struct cv_rec_item *it)
{
	switch (it->kind) {
	case CV_REC_EVENT:
		break;
	case CV_REC_LOCK_NAME:
		cv_model_set_lock_name(f->m, it->lock.pid, it->lock.addr, it->lock.name);
		break;
	case CV_REC_LOCK_SHARED:
		cv_model_set_lock_shared(f->m, it->shared.pid, it->shared.addr,
					 &(struct cv_shared_key){ it->shared.dev, it->shared.ino,
								  it->shared.off });
		break;
	case CV_REC_START:
		cv_model_set_start(f->m, it->start_ts);
		break;
	case CV_REC_TARGET:
		cv_model_set_target(f->m, it->target.pid,
				    it->target.command ? it->target.command : cv_rec_header(f->r)->command);
		break;
	case CV_REC_TARGET_EXIT:
		cv_model_set_target_exit(f->m, it->exit_status);
		break;
	case CV_REC_TRUNCATED:
	case CV_REC_CORRUPT:
		snprintf(f->error, sizeof(f->error), "%s", it->error);
		return false;
	}
	return true;
}

/* The event fed last is complete: hand it to on_event.  false: stop. */
static bool release_held(struct cv_rec_feed *f)
{
	if (!f->has_held)
		return true;
	f->has_held = false;
	return !f->on_event || f->on_event(f->ctx, &f->held);
}

/* Read on to the next event (then pending), applying the records before
 * it.  false: nothing more to feed. */
static bool read_event(struct cv_rec_feed *f)
{
	while (!f->done) {
		bool more = cv_rec_next(f->r, &f->item) == 1 && apply_record(f, &f->item);

		if (more && f->item.kind != CV_REC_EVENT)
			continue;
		if (release_held(f) && more) {
			f->pending = true;
			return true;
		}
		f->done = true;
	}
	return false;
}

uint64_t cv_rec_feed_until(struct cv_rec_feed *f, uint64_t limit)
{
	uint64_t fed = 0;

	while ((f->pending || read_event(f)) && f->item.ev.ts <= limit) {
		cv_model_feed(f->m, &f->item.ev);
		f->held = f->item.ev;
		f->has_held = true;
		f->pending = false;
		fed++;
	}
	return fed;
}

int cv_rec_load(const char *path, struct cv_model *m, uint64_t *file_bytes, char *err, size_t errlen)
{
	struct cv_rec_feed f;
	struct cv_rec_reader *r = cv_rec_open(path, err, errlen);

	if (!r)
		return -1;
	cv_rec_feed_init(&f, r, m);
	cv_rec_feed_until(&f, UINT64_MAX);
	if (f.error[0] && err && errlen)
		cv_errorf(err, errlen, "%s", f.error);
	if (file_bytes)
		*file_bytes = cv_rec_offset(r);
	cv_rec_reader_close(r);
	return f.error[0] ? -1 : 0;
}
