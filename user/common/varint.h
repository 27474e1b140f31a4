/* varint.h — LEB128 unsigned varints, zigzag, little-endian fixed-width
 * helpers for the recording format.  Decoders are bounds-checked. */
#ifndef CONCVIZ_VARINT_H
#define CONCVIZ_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define CV_VARINT_MAX 10

static inline size_t cv_put_uvarint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Returns bytes used, 0 if buf ends early or the value overflows 64 bits. */
static inline size_t cv_get_uvarint(const uint8_t *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < len && i < CV_VARINT_MAX; i++) {
		uint8_t b = p[i];
		if (i == CV_VARINT_MAX - 1 && b > 1)
			return 0;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return i + 1;
		}
	}
	return 0;
}

static inline uint64_t cv_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t cv_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline void cv_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void cv_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void cv_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t cv_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t cv_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t cv_get_le64(const uint8_t *p)
{
	return (uint64_t)cv_get_le32(p) | (uint64_t)cv_get_le32(p + 4) << 32;
}

#endif /* CONCVIZ_VARINT_H */
