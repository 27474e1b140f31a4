/* utf8.c — see utf8.h. */
#include "common/utf8.h"

#include <stdint.h>
#include <string.h>

static uint32_t unit_at(const void *units, size_t i, unsigned width)
{
	uint16_t u16;
	uint32_t u32;

	switch (width) {
	case 1:
		return ((const uint8_t *)units)[i];
	case 2:
		memcpy(&u16, (const uint8_t *)units + i * 2, 2);
		return u16;
	default:
		memcpy(&u32, (const uint8_t *)units + i * 4, 4);
		return u32;
	}
}

bool cv_utf8_from_units(const void *units, size_t len, unsigned width, char *out, size_t n)
{
	size_t pos = 0;

	if (!n)
		return false;
	out[0] = '\0';
	if (width != 1 && width != 2 && width != 4)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint32_t c = unit_at(units, i, width);
		uint8_t b[4];
		size_t k;

		if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
			out[0] = '\0';
			return false;
		}
		if (c < 0x80) {
			b[0] = (uint8_t)c;
			k = 1;
		} else if (c < 0x800) {
			b[0] = (uint8_t)(0xc0 | c >> 6);
			b[1] = (uint8_t)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c < 0x10000) {
			b[0] = (uint8_t)(0xe0 | c >> 12);
			b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			b[2] = (uint8_t)(0x80 | (c & 0x3f));
			k = 3;
		} else {
			b[0] = (uint8_t)(0xf0 | c >> 18);
			b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
			b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
			b[3] = (uint8_t)(0x80 | (c & 0x3f));
			k = 4;
		}
		if (pos + k >= n) {
			out[0] = '\0';
			return false;
		}
		memcpy(out + pos, b, k);
		pos += k;
	}
	out[pos] = '\0';
	return true;
}
