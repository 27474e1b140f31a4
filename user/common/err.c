/* err.c — see err.h. */
#include <stdio.h>

#include "common/err.h"

void cv_verrorf(char *err, size_t n, const char *fmt, va_list ap)
{
	if (err && n)
		vsnprintf(err, n, fmt, ap);
}

void cv_errorf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cv_verrorf(err, n, fmt, ap);
	va_end(ap);
}

void cv_warn(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "concviz: %s\n", msg);
}
