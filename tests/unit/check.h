/* check.h — a minimal unit-test harness: CHECK/CHECK_EQ record failures with
 * file:line and keep going; CHECK_DONE() prints "NAME: N passed, N failed"
 * (tests/run.sh adds these up) and returns the exit status. */
#ifndef CONCVIZ_CHECK_H
#define CONCVIZ_CHECK_H

#include <inttypes.h>
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) check_passed++; \
	else { check_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) check_passed++; \
	else { check_failed++; fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", \
		__FILE__, __LINE__, #a, check_a_, #b, check_b_); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) check_passed++; \
	else { check_failed++; fprintf(stderr, "%s:%d: CHECK_STR failed: %s == \"%s\", expected \"%s\"\n", \
		__FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); } \
} while (0)

#define CHECK_DONE(name) ( \
	printf("%s: %d passed, %d failed\n", (name), check_passed, check_failed), \
	check_failed ? 1 : 0)

#endif
