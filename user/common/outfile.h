/* outfile.h — creating the files concviz writes (recordings, exports).
 *
 * Never clobber by surprise: an existing path is refused unless `force`.
 * With force, an existing regular file is truncated; anything else (a
 * device such as /dev/null, a FIFO) is written as it is.  Only a file this
 * run created is handed to the sudo user (SUDO_UID/SUDO_GID) or unlinked
 * after a failure: concviz never re-owns or removes what it did not make. */
#ifndef CONCVIZ_OUTFILE_H
#define CONCVIZ_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns an fd (O_CLOEXEC) and sets *created, or -1 with one line in err
 * naming `what` ("recording", "export"). */
int cv_outfile_create(const char *path, bool force, const char *what, bool *created,
		      char *err, size_t errlen);

/* After a failed write: remove the file if this run created it. */
void cv_outfile_discard(const char *path, bool created);

#endif
