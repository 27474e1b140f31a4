/* fdinfo.h — the fuller description of a traced process's descriptor,
 * from /proc, where the probes' CV_EV_FD could not say it all: a FIFO's path
 * (the probes read only its name), a UNIX socket path longer than the
 * event holds, IPv6 addresses, other sockets.  TCP/UDP over IPv4, pipes, mq
 * names and short UNIX names are complete in the event and need no look.
 *
 * The look is late (the consumer reads the ring buffer in batches): if the
 * process closed the descriptor or reused its number before, the event's
 * description stays (with "..." where it was cut). */
#ifndef CONCVIZ_FDINFO_H
#define CONCVIZ_FDINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* For a CV_EV_FD just fed to m: if the event's description is partial and
 * the descriptor is still the same object, set /proc's in m.  True when it
 * did (the caller records it). */
bool cv_fdinfo_improve(struct cv_model *m, const struct cv_event *ev);

/* Describe fd of pid.  *ino: the inode it must name (0: whatever it names
 * now, and *ino is set).  false only when *ino was 0 and the fd is gone. */
bool cv_fdinfo_describe(uint32_t pid, uint32_t fd, uint64_t *ino, enum cv_fd_kind *kind,
			char *desc, size_t n);

/* One line of /proc/net/tcp[6] or udp[6]: if its inode is ino, "L -> R" (or
 * "listening on L") into desc, true.  v6: the addresses are IPv6. */
bool cv_fdinfo_inet_line(const char *line, bool v6, uint64_t ino, char *desc, size_t n);
/* One line of /proc/net/unix: if its inode is ino, the path, "@name" or
 * "unnamed" into desc, true. */
bool cv_fdinfo_unix_line(const char *line, uint64_t ino, char *desc, size_t n);

#endif /* CONCVIZ_FDINFO_H */
