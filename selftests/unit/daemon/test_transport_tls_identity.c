// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 5922 identity check on certificates made at test time: sip: URI
 * SANs first, DNS SANs only without them, CN only without any SAN, exact
 * matches, no wildcards.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers/testcert.h"
#include "transport/tls_identity.h"

struct fx {
	struct testcert ca;
};

static int setup(void **state)
{
	static struct fx f;

	if (testcert_make(&f.ca, "Test CA", NULL, NULL))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	testcert_free(&f->ca);
	return 0;
}

/* Result of checking a fresh leaf with @sans/@cn against @domain. */
static int check(struct fx *f, const char *cn, const char *const *sans,
		 const char *domain, char *names)
{
	struct testcert leaf;
	int r;

	assert_int_equal(testcert_make(&leaf, cn, sans, &f->ca), 0);
	r = tls_identity_check(leaf.crt, domain, names, 256);
	testcert_free(&leaf);
	return r;
}

static void test_dns_san_exact(void **state)
{
	const char *const sans[] = { "dns:sip.example.com", NULL };
	char names[256];

	assert_int_equal(check(*state, "x", sans, "sip.example.com", names), 0);
	assert_int_equal(check(*state, "x", sans, "SIP.Example.Com", names), 0);
	assert_int_equal(check(*state, "x", sans, "example.com", names),
			 -EACCES);
	assert_string_equal(names, "sip.example.com");
	assert_int_equal(check(*state, "x", sans, "a.sip.example.com", names),
			 -EACCES);
}

static void test_wildcard_refused(void **state)
{
	const char *const sans[] = { "dns:*.example.com", NULL };
	char names[256];

	assert_int_equal(check(*state, "sip.example.com", sans,
			       "sip.example.com", names), -EACCES);
	assert_string_equal(names, "*.example.com");
}

static void test_uri_san_first(void **state)
{
	const char *const uri_ok[] = { "uri:sip:example.com",
				       "dns:other.example", NULL };
	const char *const uri_other[] = { "uri:sip:other.example",
					  "dns:example.com", NULL };
	const char *const uri_user[] = { "uri:sip:alice@example.com", NULL };
	const char *const uri_https[] = { "uri:https://example.com",
					  "dns:example.com", NULL };
	char names[256];

	assert_int_equal(check(*state, NULL, uri_ok, "example.com", names), 0);
	/* A sip: URI exists: the DNS names no longer count. */
	assert_int_equal(check(*state, NULL, uri_other, "example.com", names),
			 -EACCES);
	assert_string_equal(names, "sip:other.example, example.com");
	assert_int_equal(check(*state, NULL, uri_user, "example.com", names),
			 -EACCES);
	/* URIs of other schemes say nothing about the SIP domain. */
	assert_int_equal(check(*state, NULL, uri_https, "example.com", names),
			 0);
}

static void test_cn_only_without_san(void **state)
{
	const char *const sans[] = { "dns:other.example", NULL };
	char names[256];

	assert_int_equal(check(*state, "example.com", NULL, "example.com",
			       names), 0);
	assert_int_equal(check(*state, "*.example.com", NULL,
			       "sip.example.com", names), -EACCES);
	/* SANs present: the CN is never looked at. */
	assert_int_equal(check(*state, "example.com", sans, "example.com",
			       names), -EACCES);
	assert_int_equal(check(*state, NULL, NULL, "example.com", names),
			 -EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_san_exact),
		cmocka_unit_test(test_wildcard_refused),
		cmocka_unit_test(test_uri_san_first),
		cmocka_unit_test(test_cn_only_without_san),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
