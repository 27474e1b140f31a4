/* fdinfo.c — describe a descriptor from /proc (fdinfo.h). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "live/fdinfo.h"

#define MQUEUE_MAGIC 0x19800202 /* linux/magic.h: the mqueue file system */

/* "0100007F:1F90" -> "127.0.0.1:8080"; IPv6 as four host-order words */
static bool hex_endpoint(const char *hex, bool v6, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;
	const char *colon = strchr(hex, ':');
	size_t len = v6 ? 32 : 8;

	if (!colon || (size_t)(colon - hex) != len || sscanf(colon + 1, "%x", &port) != 1)
		return false;
	if (v6) {
		struct in6_addr a;
		for (int i = 0; i < 4; i++) {
			char w[9];
			memcpy(w, hex + 8 * i, 8);
			w[8] = 0;
			a.s6_addr32[i] = (uint32_t)strtoul(w, NULL, 16);
		}
		if (!inet_ntop(AF_INET6, &a, ip, sizeof(ip)))
			return false;
		snprintf(out, n, "[%s]:%u", ip, port);
	} else {
		struct in_addr a = { .s_addr = (uint32_t)strtoul(hex, NULL, 16) };
		if (!inet_ntop(AF_INET, &a, ip, sizeof(ip)))
			return false;
		snprintf(out, n, "%s:%u", ip, port);
	}
	return true;
}

bool cv_fdinfo_inet_line(const char *line, bool v6, uint64_t ino, char *desc, size_t n)
{
	char l[64], r[64], la[80], ra[80];
	unsigned st;
	uint64_t inode;

	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*u: %63s %63s %x %*s %*s %*s %*u %*u %" SCNu64, l, r, &st, &inode) != 4 ||
	    inode != ino || !hex_endpoint(l, v6, la, sizeof(la)) || !hex_endpoint(r, v6, ra, sizeof(ra)))
		return false;
	if (st == 0x0A) /* TCP_LISTEN */
		snprintf(desc, n, "listening on %s", la);
	else if (!strcmp(ra, "0.0.0.0:0") || !strcmp(ra, "[::]:0"))
		snprintf(desc, n, "%s", la);
	else
		snprintf(desc, n, "%s -> %s", la, ra);
	return true;
}

bool cv_fdinfo_unix_line(const char *line, uint64_t ino, char *desc, size_t n)
{
	uint64_t inode;
	int off = 0;

	/* Num RefCount Protocol Flags Type St Inode [Path] */
	if (sscanf(line, "%*s %*x %*x %*x %*x %*x %" SCNu64 "%n", &inode, &off) != 1 || inode != ino)
		return false;
	const char *p = line + off;
	while (*p == ' ')
		p++;
	size_t len = strcspn(p, "\n");
	if (!len)
		snprintf(desc, n, "unnamed");
	else
		snprintf(desc, n, "%.*s", (int)len, p);  /* a path, or @abstract */
	return true;
}

/* the first line of /proc/PID/net/NAME that describes ino */
static bool net_lookup(uint32_t pid, const char *name, bool v6, bool unix_, uint64_t ino,
		       char *desc, size_t n)
{
	char path[64], line[512];
	bool found = false;
	snprintf(path, sizeof(path), "/proc/%u/net/%s", pid, name);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f)) /* the column titles */
		line[0] = 0;
	while (!found && fgets(line, sizeof(line), f))
		found = unix_ ? cv_fdinfo_unix_line(line, ino, desc, n)
			      : cv_fdinfo_inet_line(line, v6, ino, desc, n);
	fclose(f);
	return found;
}

static void describe_socket(uint32_t pid, uint64_t ino, enum cv_fd_kind *kind, char *desc,
			    size_t n)
{
	static const struct { const char *file; bool v6, unix_; enum cv_fd_kind kind; } nets[] = {
		{ "tcp", false, false, CV_FD_TCP }, { "tcp6", true, false, CV_FD_TCP },
		{ "unix", false, true, CV_FD_UNIX }, { "udp", false, false, CV_FD_UDP },
		{ "udp6", true, false, CV_FD_UDP },
	};
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (net_lookup(pid, nets[i].file, nets[i].v6, nets[i].unix_, ino, desc, n)) {
			*kind = nets[i].kind;
			return;
		}
	*kind = CV_FD_SOCKET;
	snprintf(desc, n, "socket:[%" PRIu64 "]", ino);
}

bool cv_fdinfo_describe(uint32_t pid, uint32_t fd, uint64_t *ino, enum cv_fd_kind *kind,
			char *desc, size_t n)
{
	char path[64], target[512];
	struct stat st;
	struct statfs sf;

	snprintf(path, sizeof(path), "/proc/%u/fd/%u", pid, fd);
	if (stat(path, &st) != 0 || (*ino && st.st_ino != *ino)) {
		if (!*ino)
			return false;
		*kind = CV_FD_UNKNOWN;
		snprintf(desc, n, "closed before concviz could look");
		return true;
	}
	*ino = st.st_ino;
	ssize_t len = readlink(path, target, sizeof(target) - 1);
	target[len > 0 ? len : 0] = 0;
	if (S_ISSOCK(st.st_mode)) {
		describe_socket(pid, st.st_ino, kind, desc, n);
	} else if (S_ISFIFO(st.st_mode)) {
		bool anon = !strncmp(target, "pipe:", 5);
		*kind = anon ? CV_FD_PIPE : CV_FD_FIFO;
		snprintf(desc, n, "%s", anon ? "pipe" : target);
	} else if (statfs(path, &sf) == 0 && sf.f_type == MQUEUE_MAGIC) {
		*kind = CV_FD_MQ;
		snprintf(desc, n, "%s", target);
	} else {
		*kind = CV_FD_UNKNOWN;
		snprintf(desc, n, "%s", target[0] ? target : "?");
	}
	return true;
}

bool cv_fdinfo_improve(struct cv_model *m, const struct cv_event *ev)
{
	bool partial = ev->fd.kind == CV_FD_FIFO || ev->fd.kind == CV_FD_SOCKET ||
		       (ev->flags & CV_FD_NAME_TRUNC) ||
		       ((ev->fd.kind == CV_FD_TCP || ev->fd.kind == CV_FD_UDP) && ev->fd.family != AF_INET);
	uint64_t ino = ev->fd.ino;
	enum cv_fd_kind kind;
	char desc[512];

	if (!partial || !ino || !cv_fdinfo_describe(ev->pid, ev->fd.fd, &ino, &kind, desc, sizeof(desc)) ||
	    kind == CV_FD_UNKNOWN)
		return false;
	if (kind == CV_FD_FIFO) {  /* "FIFO /tmp/x", as the event's "FIFO x" */
		char path[512];
		snprintf(path, sizeof(path), "FIFO %.500s", desc);
		cv_model_set_fd_desc(m, ev->pid, ev->fd.fd, ino, kind, path);
	} else {
		cv_model_set_fd_desc(m, ev->pid, ev->fd.fd, ino, kind, desc);
	}
	return true;
}
