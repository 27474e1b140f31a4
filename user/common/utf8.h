/* utf8.h — text from fixed-width code units (a CPython str's UCS1, UCS2
 * or UCS4 storage, PEP 393) as UTF-8. */
#ifndef CONCVIZ_COMMON_UTF8_H
#define CONCVIZ_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* len code units of width bytes each (1, 2 or 4, host byte order) into
 * out as NUL-terminated UTF-8.  False, out "", when a unit is no code point
 * (a surrogate, > U+10FFFF), width is none of those, or it does not fit. */
bool cv_utf8_from_units(const void *units, size_t len, unsigned width, char *out, size_t n);

#endif
