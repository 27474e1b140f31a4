/* recfile_load.c — feed a whole recording into a model (report, tests). */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "model/model.h"
#include "record/recfile.h"

int cv_rec_load(const char *path, struct cv_model *m, uint64_t *file_bytes, char *err, size_t errlen)
{
	struct cv_rec_reader *r = cv_rec_open(path, err, errlen);
	if (!r)
		return -1;
	const struct cv_rec_header *h = cv_rec_header(r);
	cv_model_set_target(m, h->target_pid, h->command);

	struct cv_rec_item it;
	int rc = 0;
	while (cv_rec_next(r, &it) == 1) {
		switch (it.kind) {
		case CV_REC_EVENT:
			cv_model_feed(m, &it.ev);
			break;
		case CV_REC_LOCK_NAME:
			cv_model_set_lock_name(m, it.lock.pid, it.lock.addr, it.lock.name);
			break;
		case CV_REC_START:
			cv_model_set_start(m, it.start_ts);
			break;
		case CV_REC_TARGET:
			cv_model_set_target(m, it.target.pid, it.target.command ? it.target.command : h->command);
			break;
		case CV_REC_TARGET_EXIT:
			cv_model_set_target_exit(m, it.exit_status);
			break;
		case CV_REC_TRUNCATED:
		case CV_REC_CORRUPT:
			cv_errorf(err, errlen, "%s", it.error);
			rc = -1;
			break;
		}
	}
	if (file_bytes)
		*file_bytes = cv_rec_offset(r);
	cv_rec_reader_close(r);
	return rc;
}
