/* test_fmt.c — the one number and text formatting (user/common/fmt.h) that
 * the text report and the TUI share: unit boundaries, the ASCII variant,
 * cleaning, lock labels, alignment by terminal columns. */
#include <string.h>

#include "check.h"
#include "common/fmt.h"

#define DUR(ns, want) CHECK_STR(cv_fmt_dur(b, sizeof(b), (ns), CV_UTF8), (want))
#define DUR_A(ns, want) CHECK_STR(cv_fmt_dur(b, sizeof(b), (ns), CV_ASCII), (want))

TEST(dur)
{
	char b[32];

	DUR(0, "0ns");
	DUR(999, "999ns");
	DUR(1000, "1.0\u00b5s");
	DUR(380200, "380.2\u00b5s");
	DUR(999949, "999.9\u00b5s");
	DUR(999950, "1.0ms");      /* never "1000.0µs" */
	DUR(2500000, "2.5ms");
	DUR(999949999, "999.9ms");
	DUR(999950000, "1.00s");
	DUR(1010000000, "1.01s");
	DUR(59994999999ULL, "59.99s");
	DUR(59995000000ULL, "1m00s");  /* never "60.00s" */
	DUR(125000000000ULL, "2m05s");
	DUR(3599000000000ULL, "59m59s");
	DUR(3600000000000ULL, "1h00m");
	DUR(3723000000000ULL, "1h02m");
	/* the ASCII fallback differs in the unit spelling only */
	DUR_A(1500, "1.5us");
	DUR_A(380200, "380.2us");
	DUR_A(999, "999ns");
	DUR_A(2500000, "2.5ms");
	DUR_A(125000000000ULL, "2m05s");
	/* a short buffer is cut, still terminated */
	char s[4];
	CHECK_STR(cv_fmt_dur(s, sizeof(s), 1230000000, CV_UTF8), "1.2");
}

TEST(count_bytes)
{
	char b[32];

	CHECK_STR(cv_fmt_count(b, sizeof(b), 0), "0");
	CHECK_STR(cv_fmt_count(b, sizeof(b), 9999), "9999");
	CHECK_STR(cv_fmt_count(b, sizeof(b), 10000), "10.0k");
	CHECK_STR(cv_fmt_count(b, sizeof(b), 999949), "999.9k");
	CHECK_STR(cv_fmt_count(b, sizeof(b), 999950), "1.0M");
	CHECK_STR(cv_fmt_count(b, sizeof(b), 4500000), "4.5M");
	CHECK_STR(cv_fmt_count(b, sizeof(b), 1200000000), "1.2G");
	CHECK_STR(cv_fmt_count(b, sizeof(b), UINT64_MAX), "18.4E");

	CHECK_STR(cv_fmt_bytes(b, sizeof(b), 0), "0");
	CHECK_STR(cv_fmt_bytes(b, sizeof(b), 1023), "1023");
	CHECK_STR(cv_fmt_bytes(b, sizeof(b), 1024), "1.0K");
	CHECK_STR(cv_fmt_bytes(b, sizeof(b), 1536), "1.5K");
	CHECK_STR(cv_fmt_bytes(b, sizeof(b), 1048575), "1.0M"); /* not "1024.0K" */
	CHECK_STR(cv_fmt_bytes(b, sizeof(b), 12897484), "12.3M");
	CHECK_STR(cv_fmt_bytes(b, sizeof(b), 1ULL << 30), "1.0G");
}

TEST(clean)
{
	char b[16];
	const char *weird = "we\"ir\\d\n\x01\xff\xc3\xa9";

	CHECK_STR(cv_fmt_clean(b, sizeof(b), weird, CV_ASCII), "we\"ir\\d?????");
	CHECK_STR(cv_fmt_clean(b, sizeof(b), weird, CV_UTF8), "we\"ir\\d??\xff\xc3\xa9");
	CHECK_STR(cv_fmt_clean(b, sizeof(b), NULL, CV_UTF8), "");
	CHECK_STR(cv_fmt_clean(b, sizeof(b), "del\x7f", CV_UTF8), "del?");
	/* cut: UTF-8 never ends inside "é" */
	char s[3];
	CHECK_STR(cv_fmt_clean(s, sizeof(s), "a\xc3\xa9", CV_UTF8), "a");
	CHECK_STR(cv_fmt_clean(s, sizeof(s), "abc", CV_ASCII), "ab");
	CHECK(cv_fmt_clean(s, 0, "abc", CV_ASCII) == s); /* nothing written */
}

TEST(lock)
{
	char b[32];

	CHECK_STR(cv_fmt_lock(b, sizeof(b), "counter_lock", 0x1000), "counter_lock");
	CHECK_STR(cv_fmt_lock(b, sizeof(b), NULL, 0x2000), "0x2000");
	CHECK_STR(cv_fmt_lock(b, sizeof(b), "", 0xdeadbeef), "0xdeadbeef");
	CHECK_STR(cv_fmt_lock(b, sizeof(b), "bad\nname", 1), "bad?name");
}

TEST(columns)
{
	char b[16];

	CHECK_EQ(cv_fmt_width("1.5\u00b5s"), 5);
	CHECK_EQ(cv_fmt_width(""), 0);
	strcpy(b, "1.5\u00b5s");
	CHECK_STR(cv_fmt_right(b, sizeof(b), 8), "   1.5\u00b5s"); /* 8 columns, 9 bytes */
	strcpy(b, "1.5us");
	CHECK_STR(cv_fmt_right(b, sizeof(b), 8), "   1.5us");
	strcpy(b, "123456789");
	CHECK_STR(cv_fmt_right(b, sizeof(b), 4), "123456789"); /* wider: as is */
	char s[6] = "ab";
	CHECK_STR(cv_fmt_right(s, sizeof(s), 10), "   ab"); /* as far as it fits */
}

int main(void)
{
	RUN(dur);
	RUN(count_bytes);
	RUN(clean);
	RUN(lock);
	RUN(columns);
	return CHECK_DONE();
}
