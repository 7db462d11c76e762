// SPDX-License-Identifier: GPL-2.0
/* Content-Length framing of SIP messages on a stream. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transport/framing.h"

#define MSG "SIP/2.0 200 OK\r\nVia: x\r\nContent-Length: 4\r\n\r\nbody"

static int frame(const char *s, size_t *skip, size_t *len)
{
	return tp_frame(s, strlen(s), skip, len);
}

static void test_whole_and_partial(void **state)
{
	size_t skip, len;

	(void)state;
	assert_int_equal(frame(MSG, &skip, &len), 1);
	assert_int_equal(skip, 0);
	assert_int_equal(len, strlen(MSG));
	/* Every proper prefix needs more. */
	for (size_t n = 0; n < strlen(MSG); n++)
		assert_int_equal(tp_frame(MSG, n, &skip, &len), 0);
	/* Two coalesced: the first only. */
	assert_int_equal(frame(MSG MSG, &skip, &len), 1);
	assert_int_equal(len, strlen(MSG));
}

static void test_crlf_keepalive_skipped(void **state)
{
	size_t skip, len;

	(void)state;
	assert_int_equal(frame("\r\n\r\n" MSG, &skip, &len), 1);
	assert_int_equal(skip, 4);
	assert_int_equal(len, strlen(MSG));
	assert_int_equal(frame("\r\n", &skip, &len), 0);
	assert_int_equal(skip, 2);
}

static void test_header_forms(void **state)
{
	size_t skip, len;

	(void)state;
	assert_int_equal(frame("OPTIONS sip:a SIP/2.0\r\nl: 2\r\n\r\nhi",
			       &skip, &len), 1);
	assert_int_equal(len, strlen("OPTIONS sip:a SIP/2.0\r\nl: 2\r\n\r\nhi"));
	assert_int_equal(frame("X\r\ncontent-LENGTH :0\r\n\r\n", &skip, &len),
			 1);
	/* "Length" or "lx" are other headers. */
	assert_int_equal(frame("X\r\nLength: 0\r\n\r\n", &skip, &len),
			 -EBADMSG);
	assert_int_equal(frame("X\r\nlx: 0\r\n\r\n", &skip, &len), -EBADMSG);
}

static void test_bad_lengths(void **state)
{
	size_t skip, len;

	(void)state;
	assert_int_equal(frame("X\r\nVia: a\r\n\r\n", &skip, &len), -EBADMSG);
	assert_int_equal(frame("X\r\nContent-Length: abc\r\n\r\n", &skip,
			       &len), -EBADMSG);
	assert_int_equal(frame("X\r\nContent-Length: -1\r\n\r\n", &skip,
			       &len), -EBADMSG);
	assert_int_equal(frame("X\r\nContent-Length: 1 2\r\n\r\n", &skip,
			       &len), -EBADMSG);
	assert_int_equal(frame("X\r\nContent-Length: 1\r\nl: 2\r\n\r\n",
			       &skip, &len), -EBADMSG);
	assert_int_equal(frame("X\r\nContent-Length: 70000\r\n\r\n", &skip,
			       &len), -EMSGSIZE);
	assert_int_equal(frame("X\r\nContent-Length: 99999999999999999999\r\n\r\n",
			       &skip, &len), -EMSGSIZE);
}

static void test_headers_too_long(void **state)
{
	char *big = malloc(TP_MSG_MAX + 10);
	size_t skip, len;

	(void)state;
	memset(big, 'a', TP_MSG_MAX + 10);
	assert_int_equal(tp_frame(big, TP_MSG_MAX + 10, &skip, &len),
			 -EMSGSIZE);
	assert_int_equal(tp_frame(big, TP_MSG_MAX - 1, &skip, &len), 0);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_and_partial),
		cmocka_unit_test(test_crlf_keepalive_skipped),
		cmocka_unit_test(test_header_forms),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_headers_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
