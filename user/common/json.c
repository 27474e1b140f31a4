/* json.c — see json.h. */
#include <stdint.h>
#include <string.h>

#include "common/json.h"

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	uint32_t cp, min;

	if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; min = 0x800; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
	else return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void cv_json_strn(FILE *out, const char *s, size_t maxlen)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strnlen((const char *)p, maxlen);

	putc('"', out);
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t k;

		if (c == '"' || c == '\\') {
			putc('\\', out);
			putc((int)c, out);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c == '\t') {
			fputs("\\t", out);
		} else if (c == '\r') {
			fputs("\\r", out);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
		} else if (c >= 0x80 && (k = utf8_len(p + i, n - i))) {
			fwrite(p + i, 1, k, out);
			i += k;
			continue;
		} else if (c >= 0x80) {
			fprintf(out, "\\u%04x", c);
		} else {
			putc((int)c, out);
		}
		i++;
	}
	putc('"', out);
}

void cv_json_string(FILE *out, const char *s)
{
	cv_json_strn(out, s, SIZE_MAX);
}
