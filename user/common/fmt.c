/* fmt.c — see fmt.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/fmt.h"

typedef unsigned long long ull;

/* At most three digits before the point: a value that would print as
 * "1000.0" of a unit prints in the next one. */
#define BELOW(unit) ((unit) * 999.95)

char *cv_fmt_dur(char *buf, size_t n, uint64_t ns, enum cv_charset cs)
{
	double v = (double)ns;

	if (ns < 1000)
		snprintf(buf, n, "%lluns", (ull)ns);
	else if (v < BELOW(1e3))
		snprintf(buf, n, "%.1f%s", v / 1e3, cs == CV_ASCII ? "us" : "\u00b5s");
	else if (v < BELOW(1e6))
		snprintf(buf, n, "%.1fms", v / 1e6);
	else if (v < 59.995e9)
		snprintf(buf, n, "%.2fs", v / 1e9);
	else {
		ull s = (ull)((ns + 500000000ULL) / 1000000000ULL);
		if (s < 3600)
			snprintf(buf, n, "%llum%02llus", s / 60, s % 60);
		else
			snprintf(buf, n, "%lluh%02llum", s / 3600, s / 60 % 60);
	}
	return buf;
}

/* v in the first unit whose value stays under 1000 */
static char *scaled(char *buf, size_t n, uint64_t v, double base, const char *units)
{
	double x = (double)v / base;
	int u = 0;

	while (x >= 999.95 && units[u + 1]) {
		x /= base;
		u++;
	}
	snprintf(buf, n, "%.1f%c", x, units[u]);
	return buf;
}

char *cv_fmt_count(char *buf, size_t n, uint64_t v)
{
	if (v < 10000) {
		snprintf(buf, n, "%llu", (ull)v);
		return buf;
	}
	return scaled(buf, n, v, 1e3, "kMGTPE");
}

char *cv_fmt_bytes(char *buf, size_t n, uint64_t v)
{
	if (v < 1024) {
		snprintf(buf, n, "%llu", (ull)v);
		return buf;
	}
	return scaled(buf, n, v, 1024.0, "KMGTPE");
}

char *cv_fmt_clean(char *buf, size_t n, const char *src, enum cv_charset cs)
{
	size_t i = 0;

	if (!n)
		return buf;
	for (; src && *src && i + 1 < n; src++) {
		unsigned char c = (unsigned char)*src;
		bool ok = cs == CV_ASCII ? c >= 0x20 && c < 0x7f : c >= 0x20 && c != 0x7f;
		buf[i++] = ok ? (char)c : '?';
	}
	/* UTF-8: never end inside a multi-byte sequence */
	while (cs == CV_UTF8 && i > 0 && ((unsigned char)buf[i - 1] & 0x80)) {
		size_t j = i - 1;
		while (j > 0 && ((unsigned char)buf[j] & 0xc0) == 0x80)
			j--;
		unsigned char lead = (unsigned char)buf[j];
		size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (i - j >= need)
			break;
		i = j;
	}
	buf[i] = '\0';
	return buf;
}

char *cv_fmt_lock(char *buf, size_t n, const char *name, uint64_t addr)
{
	if (name && name[0])
		return cv_fmt_clean(buf, n, name, CV_ASCII);
	snprintf(buf, n, "0x%" PRIx64, addr);
	return buf;
}

int cv_fmt_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

char *cv_fmt_right(char *buf, size_t n, int width)
{
	size_t len = strlen(buf);
	int pad = width - cv_fmt_width(buf);

	if (pad <= 0 || len + 1 >= n)
		return buf;
	if (len + 1 + (size_t)pad > n)
		pad = (int)(n - 1 - len);
	memmove(buf + pad, buf, len + 1);
	memset(buf, ' ', (size_t)pad);
	return buf;
}
