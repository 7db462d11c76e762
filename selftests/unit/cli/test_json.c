// SPDX-License-Identifier: GPL-2.0
/*
 * The shared JSON writer (userspace/lib/json.c) and its strbuf: escaping,
 * compact and pretty structure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "strbuf.h"

static void test_strbuf(void **state)
{
	struct strbuf sb;
	int i;

	(void)state;
	sb_init(&sb);
	assert_string_equal(sb_str(&sb), "");
	for (i = 0; i < 1000; i++)
		sb_printf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb_str(&sb)));
	assert_non_null(strstr(sb_str(&sb), ",999,"));
	assert_memory_equal(sb_str(&sb), "0,1,2,", 6);
	sb_free(&sb);
}

static void quoted(const char *in, const char *want)
{
	struct strbuf sb;

	sb_init(&sb);
	json_quote(&sb, in);
	assert_string_equal(sb_str(&sb), want);
	sb_free(&sb);
}

static void test_json_escaping(void **state)
{
	(void)state;
	quoted("plain", "\"plain\"");
	quoted("a\"b\\c", "\"a\\\"b\\\\c\"");
	quoted("l1\nl2\r\t", "\"l1\\nl2\\r\\t\"");
	quoted("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	quoted("/", "\"/\"");
	/* Valid UTF-8 passes, invalid bytes become U+FFFD. */
	quoted("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e",
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e\"");
	quoted("\xff", "\"\\ufffd\"");
	quoted("a\xc3", "\"a\\ufffd\"");
	quoted("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	quoted("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	quoted("", "\"\"");
}

static void test_json_structure(void **state)
{
	struct strbuf sb;
	struct json j;

	(void)state;
	sb_init(&sb);
	json_init(&j, &sb, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "x");
	json_uint(&j, "u", 18446744073709551615ULL);
	json_int(&j, "i", -5);
	json_bool(&j, "t", true);
	json_null(&j, "n");
	json_arr_begin(&j, "a");
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_uint(&j, NULL, 1);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_begin(&j, "o\"k");
	json_bool(&j, "f", false);
	json_obj_end(&j);
	json_obj_end(&j);
	assert_string_equal(sb_str(&sb),
			    "{\"s\":\"x\",\"u\":18446744073709551615,\"i\":-5,"
			    "\"t\":true,\"n\":null,\"a\":[{},1,[]],"
			    "\"o\\\"k\":{\"f\":false}}");
	sb_free(&sb);
}

/* The shapes the CLI prints: nested containers, empty ones, escapes. */
static void test_json_compact(void **state)
{
	struct strbuf sb;
	struct json j;

	(void)state;
	sb_init(&sb);
	json_init(&j, &sb, false);
	json_arr_begin(&j, NULL);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "a\"b\\c\n\x01");
	json_uint(&j, "n", 18446744073709551615ULL);
	json_arr_begin(&j, "e");
	json_arr_end(&j);
	json_bool(&j, "b", true);
	json_obj_end(&j);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_end(&j);
	assert_string_equal(sb_str(&sb),
		"[{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":18446744073709551615,"
		"\"e\":[],\"b\":true},{}]");
	sb_free(&sb);
}

static void test_json_pretty(void **state)
{
	struct strbuf sb;
	struct json j;

	(void)state;
	sb_init(&sb);
	json_init(&j, &sb, true);
	json_arr_begin(&j, NULL);
	json_obj_begin(&j, NULL);
	json_uint(&j, "a", 1);
	json_arr_begin(&j, "l");
	json_uint(&j, NULL, 2);
	json_uint(&j, NULL, 3);
	json_arr_end(&j);
	json_obj_begin(&j, "o");
	json_obj_end(&j);
	json_obj_end(&j);
	json_arr_end(&j);
	assert_string_equal(sb_str(&sb),
		"[\n"
		"  {\n"
		"    \"a\": 1,\n"
		"    \"l\": [\n"
		"      2,\n"
		"      3\n"
		"    ],\n"
		"    \"o\": {}\n"
		"  }\n"
		"]");
	sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_structure),
		cmocka_unit_test(test_json_compact),
		cmocka_unit_test(test_json_pretty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
