/* test_utf8.c — code units of each width as UTF-8 (common/utf8.h). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "common/utf8.h"

TEST(each_width)
{
	char out[64];
	const uint8_t l1[] = { 0xfc, 'b', 'u', 'n', 'g' };           /* "übung", latin-1 */
	const uint16_t l2[] = { 'f', 0xfc, 'h', 'r', 0x00e9, 0x4e2d }; /* "führé中" */
	const uint32_t l4[] = { 'a', 0x1f600, 'z' };                  /* "a😀z" */

	CHECK(cv_utf8_from_units(l1, 5, 1, out, sizeof(out)));
	CHECK_STR(out, "\xc3\xbc" "bung");
	CHECK(cv_utf8_from_units(l2, 6, 2, out, sizeof(out)));
	CHECK_STR(out, "f\xc3\xbch" "r\xc3\xa9\xe4\xb8\xad");
	CHECK(cv_utf8_from_units(l4, 3, 4, out, sizeof(out)));
	CHECK_STR(out, "a\xf0\x9f\x98\x80z");
}

TEST(refused)
{
	char out[8];
	const uint16_t surrogate[] = { 'a', 0xd800 };
	const uint32_t big[] = { 0x110000 };
	const uint8_t six[] = { 0xe9, 0xe9, 0xe9, 0xe9 }; /* 8 bytes of UTF-8: no room for the NUL */

	CHECK(!cv_utf8_from_units(surrogate, 2, 2, out, sizeof(out)));
	CHECK_STR(out, "");
	CHECK(!cv_utf8_from_units(big, 1, 4, out, sizeof(out)));
	CHECK(!cv_utf8_from_units(six, 4, 1, out, sizeof(out)));
	CHECK_STR(out, "");
	CHECK(cv_utf8_from_units(six, 3, 1, out, sizeof(out)));
	CHECK_STR(out, "\xc3\xa9\xc3\xa9\xc3\xa9");
	CHECK(!cv_utf8_from_units(six, 1, 3, out, sizeof(out)));
	CHECK(!cv_utf8_from_units(six, 0, 1, out, 0));
}

int main(void)
{
	RUN(each_width);
	RUN(refused);
	return CHECK_DONE();
}
