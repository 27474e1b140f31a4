/* fmt.c — short human-readable numbers, names of syscalls, locks, threads. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/names.h"
#include "tui_int.h"

char *fmt_dur(char *buf, size_t n, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, n, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, n, "%.1fus", ns / 1e3);
	else if (ns < 10000000)
		snprintf(buf, n, "%.2fms", ns / 1e6);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.1fms", ns / 1e6);
	else if (ns < 60000000000ULL)
		snprintf(buf, n, "%.2fs", ns / 1e9);
	else {
		uint64_t s = ns / 1000000000ULL;
		if (s < 3600)
			snprintf(buf, n, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
		else
			snprintf(buf, n, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	}
	return buf;
}

char *fmt_count(char *buf, size_t n, uint64_t v)
{
	if (v < 10000)
		snprintf(buf, n, "%" PRIu64, v);
	else if (v < 1000000)
		snprintf(buf, n, "%.1fk", v / 1e3);
	else if (v < 1000000000)
		snprintf(buf, n, "%.1fM", v / 1e6);
	else
		snprintf(buf, n, "%.1fG", v / 1e9);
	return buf;
}

char *fmt_bytes(char *buf, size_t n, uint64_t v)
{
	if (v < 1024)
		snprintf(buf, n, "%" PRIu64 "B", v);
	else if (v < 1024 * 1024)
		snprintf(buf, n, "%.1fK", v / 1024.0);
	else if (v < 1024ULL * 1024 * 1024)
		snprintf(buf, n, "%.1fM", v / 1048576.0);
	else
		snprintf(buf, n, "%.1fG", v / 1073741824.0);
	return buf;
}

void fmt_clean(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	if (!n)
		return;
	for (; src && *src && i + 1 < n; src++)
		dst[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	dst[i] = 0;
}

void fmt_clean_utf8(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	if (!n)
		return;
	for (; src && *src && i + 1 < n; src++) {
		unsigned char c = (unsigned char)*src;
		dst[i++] = (c >= 0x20 && c != 0x7f) ? *src : '?';
	}
	/* never end inside a multi-byte sequence */
	while (i > 0 && ((unsigned char)dst[i - 1] & 0x80)) {
		size_t j = i - 1;
		while (j > 0 && ((unsigned char)dst[j] & 0xc0) == 0x80)
			j--;
		unsigned char lead = (unsigned char)dst[j];
		size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (i - j >= need)
			break;
		i = j;
	}
	dst[i] = 0;
}

char *fmt_lock(char *buf, size_t n, const struct cv_model *m, uint32_t pid, uint64_t addr)
{
	const struct cv_lock *l = m ? cv_model_find_lock(m, pid, addr) : NULL;
	if (l && l->name && l->name[0])
		fmt_clean(buf, n, l->name);
	else
		snprintf(buf, n, "0x%" PRIx64, addr);
	return buf;
}

char *fmt_tid(char *buf, size_t n, const struct cv_model *m, uint32_t tid)
{
	if (!tid) {
		snprintf(buf, n, "?");
		return buf;
	}
	const struct cv_thread *t = m ? cv_model_find_thread(m, tid) : NULL;
	char comm[CV_COMM_LEN + 1];
	if (t && t->comm[0]) {
		fmt_clean(comm, sizeof(comm), t->comm);
		snprintf(buf, n, "T%u %s", tid, comm);
	} else
		snprintf(buf, n, "T%u", tid);
	return buf;
}

const char *fmt_sys(uint32_t sys)
{
	const char *n = cv_sys_name(sys);

	return n ? n : "?";
}

const char *fmt_uring_op(uint32_t op)
{
	const char *n = cv_uring_op_name(op);

	return n ? n : "op?";
}
