/* outfile.c — see outfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/outfile.h"

/* Running as root for SUDO_UID/SUDO_GID: the new file is theirs. */
static void give_to_sudo_user(int fd)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	char *e1, *e2;
	unsigned long uid, gid;

	if (geteuid() != 0 || !u || !g || !*u || !*g)
		return;
	uid = strtoul(u, &e1, 10);
	gid = strtoul(g, &e2, 10);
	if (*e1 || *e2 || uid == 0)
		return;
	if (fchown(fd, (uid_t)uid, (gid_t)gid) != 0)
		return; /* still usable, root-owned */
}

int cv_outfile_create(const char *path, bool force, const char *what, bool *created,
		      char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	*created = fd >= 0;
	if (fd >= 0) {
		give_to_sudo_user(fd);
		return fd;
	}
	if (errno != EEXIST) {
		cv_errorf(err, errlen, "cannot create %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		cv_errorf(err, errlen, "cannot create %s %s: it is a directory", what, path);
		return -1;
	}
	if (!force) {
		cv_errorf(err, errlen, "%s: file exists (use --force to overwrite)", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		cv_errorf(err, errlen, "cannot overwrite %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0) {
		cv_errorf(err, errlen, "cannot overwrite %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void cv_outfile_discard(const char *path, bool created)
{
	if (created)
		unlink(path);
}
