// SPDX-License-Identifier: GPL-2.0
/* SIP builder: what it writes parses back to what was asked for. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sip/build.h"
#include "sip/msg.h"

static char buf[4096];
static struct sip_msg msg;

static void assert_str(struct sip_str s, const char *want)
{
	char tmp[512];

	assert_int_equal(sip_str_copy(tmp, sizeof(tmp), s), 0);
	assert_string_equal(tmp, want);
}

static struct sip_req base(void)
{
	return (struct sip_req) {
		.method = "REGISTER",
		.ruri = "sip:example.org",
		.proto = TP_TCP,
		.via_host = "192.0.2.10",
		.via_port = 40000,
		.branch = "z9hG4bKabc",
		.from_uri = "sip:100@example.org",
		.from_display = "Front desk",
		.from_tag = "ftag",
		.to_uri = "sip:100@example.org",
		.call_id = "cid1",
		.cseq = 42,
		.contact_uri = "sip:100@192.0.2.10:40000;transport=tcp",
		.contact_params = ";reg-id=1;+sip.instance=\"<urn:uuid:"
				  "6f1c2d5e-0000-4000-8000-000000000001>\"",
		.expires = 3600,
		.auth_hdr_name = "Authorization",
		.auth_hdr_value = "Digest username=\"100\", realm=\"r\", "
				  "nonce=\"n\", uri=\"sip:example.org\", "
				  "response=\"00\"",
		.user_agent = "sipsteerd",
		.supported = "path, outbound",
	};
}

static void test_register_round_trip(void **state)
{
	struct sip_req r = base();
	const struct sip_hdr *h;
	struct sip_str v;
	int len;

	(void)state;
	len = sip_build_request(buf, sizeof(buf), &r);
	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(buf));
	assert_int_equal(sip_msg_parse(&msg, buf, (size_t)len), 0);
	assert_true(msg.is_request);
	assert_str(msg.method, "REGISTER");
	assert_str(msg.ruri, "sip:example.org");
	assert_str(msg.via.transport, "TCP");
	assert_str(msg.via.host, "192.0.2.10");
	assert_int_equal(msg.via.port, 40000);
	assert_str(msg.via.branch, "z9hG4bKabc");
	assert_true(msg.via.has_rport);
	assert_str(msg.from_tag, "ftag");
	assert_int_equal(msg.to_tag.len, 0);
	assert_str(msg.call_id, "cid1");
	assert_int_equal(msg.cseq, 42);
	assert_str(msg.cseq_method, "REGISTER");
	assert_int_equal(msg.n_contacts, 1);
	assert_str(msg.contacts[0].uri,
		   "sip:100@192.0.2.10:40000;transport=tcp");
	assert_true(sip_param_find(msg.contacts[0].params, "+sip.instance",
				   &v));
	assert_str(v, "<urn:uuid:6f1c2d5e-0000-4000-8000-000000000001>");
	assert_true(sip_param_find(msg.contacts[0].params, "reg-id", &v));
	assert_str(v, "1");
	assert_true(msg.has_expires);
	assert_int_equal(msg.expires, 3600);
	assert_true(msg.has_content_length);
	assert_int_equal(msg.content_length, 0);
	assert_non_null(strstr(buf, "\r\nMax-Forwards: 70\r\n"));
	assert_non_null(strstr(buf, "\r\nFrom: \"Front desk\" <sip:100@example.org>;tag=ftag\r\n"));
	assert_non_null(strstr(buf, "\r\nSupported: path, outbound\r\n"));
	assert_non_null(strstr(buf, "\r\nUser-Agent: sipsteerd\r\n"));
	h = msg.hdrs;
	for (h = msg.hdrs; h < msg.hdrs + msg.n_hdrs; h++)
		if (sip_str_eq(h->name, "Authorization"))
			break;
	assert_true(h < msg.hdrs + msg.n_hdrs);
	assert_str(h->value, r.auth_hdr_value);
}

static void test_optional_parts_and_ipv6(void **state)
{
	struct sip_req r = base();
	int len;

	(void)state;
	r.proto = TP_UDP;
	r.via_host = "2001:db8::5";
	r.from_display = NULL;
	r.contact_uri = NULL;
	r.contact_params = NULL;
	r.expires = -1;
	r.auth_hdr_name = NULL;
	r.user_agent = NULL;
	r.supported = NULL;
	r.method = "OPTIONS";
	len = sip_build_request(buf, sizeof(buf), &r);
	assert_true(len > 0);
	assert_int_equal(sip_msg_parse(&msg, buf, (size_t)len), 0);
	assert_str(msg.via.transport, "UDP");
	assert_str(msg.via.host, "[2001:db8::5]");
	assert_int_equal(msg.n_contacts, 0);
	assert_false(msg.has_expires);
	assert_null(strstr(buf, "Authorization"));
	assert_null(strstr(buf, "User-Agent"));
	assert_non_null(strstr(buf, "\r\nFrom: <sip:100@example.org>;tag=ftag\r\n"));
	assert_non_null(strstr(buf, "\r\nCSeq: 42 OPTIONS\r\n"));
}

static void test_unregister_expires_zero(void **state)
{
	struct sip_req r = base();
	int len;

	(void)state;
	r.expires = 0;
	len = sip_build_request(buf, sizeof(buf), &r);
	assert_true(len > 0);
	assert_int_equal(sip_msg_parse(&msg, buf, (size_t)len), 0);
	assert_true(msg.has_expires);
	assert_int_equal(msg.expires, 0);
}

static void test_refuses_overflow_and_injection(void **state)
{
	struct sip_req r = base();
	int len;

	(void)state;
	len = sip_build_request(buf, sizeof(buf), &r);
	assert_true(len > 0);
	assert_int_equal(sip_build_request(buf, (size_t)len, &r), -ENOSPC);
	assert_int_equal(sip_build_request(buf, (size_t)len + 1, &r), len);
	r.from_display = "evil\r\nX-Injected: 1";
	assert_int_equal(sip_build_request(buf, sizeof(buf), &r), -EINVAL);
	r = base();
	r.call_id = NULL;
	assert_int_equal(sip_build_request(buf, sizeof(buf), &r), -EINVAL);
}

static void test_random_tokens(void **state)
{
	char a[64], b[64], uuid[37];
	size_t i;

	(void)state;
	assert_int_equal(sip_new_branch(a, sizeof(a)), 0);
	assert_int_equal(sip_new_branch(b, sizeof(b)), 0);
	assert_int_equal(strncmp(a, SIP_BRANCH_MAGIC, 7), 0);
	assert_int_equal(strlen(a), 7 + SIP_TOKEN_LEN);
	assert_string_not_equal(a, b);
	assert_int_equal(sip_new_branch(a, 7 + SIP_TOKEN_LEN), -ENOSPC);
	assert_int_equal(sip_new_uuid(uuid), 0);
	assert_int_equal(strlen(uuid), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(uuid[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", uuid[i]));
	}
	assert_int_equal(uuid[14], '4');
	assert_non_null(strchr("89ab", uuid[19]));
}

/* A response of ours: every Via in order, To tagged once, no body. */
static void test_response(void **state)
{
	static const char in[] =
		"INVITE sip:a@192.0.2.1 SIP/2.0\r\n"
		"v: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKp2\r\n"
		"Via: SIP/2.0/TCP 192.0.2.8:5070;branch=z9hG4bKp1, "
		"SIP/2.0/UDP 192.0.2.7\r\n"
		"From: <sip:b@x>;tag=f\r\n"
		"To: <sip:a@x>\r\n"
		"Call-ID: c1\r\n"
		"CSeq: 3 INVITE\r\n"
		"Subject: not copied\r\n"
		"Content-Length: 2\r\n\r\nhi";
	static struct sip_msg req;
	int len;

	(void)state;
	assert_int_equal(sip_msg_parse(&req, in, sizeof(in) - 1), 0);
	len = sip_build_response(buf, sizeof(buf), &req, 480,
				 "Temporarily Unavailable", "t1",
				 "Server: s\r\n");
	assert_true(len > 0);
	assert_string_equal(buf,
		"SIP/2.0 480 Temporarily Unavailable\r\n"
		"Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKp2\r\n"
		"Via: SIP/2.0/TCP 192.0.2.8:5070;branch=z9hG4bKp1, "
		"SIP/2.0/UDP 192.0.2.7\r\n"
		"From: <sip:b@x>;tag=f\r\n"
		"To: <sip:a@x>;tag=t1\r\n"
		"Call-ID: c1\r\n"
		"CSeq: 3 INVITE\r\n"
		"Server: s\r\n"
		"Content-Length: 0\r\n\r\n");
	assert_int_equal(sip_msg_parse(&msg, buf, (size_t)len), 0);
	assert_int_equal(msg.status, 480);
	assert_str(msg.to_tag, "t1");
	assert_int_equal(msg.n_via, 2);

	/* A To that has a tag keeps it; a reason may not break a line. */
	static const char tagged[] =
		"BYE sip:a@192.0.2.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKp3\r\n"
		"From: <sip:b@x>;tag=f\r\nTo: <sip:a@x>;tag=old\r\n"
		"Call-ID: c1\r\nCSeq: 4 BYE\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(sip_msg_parse(&req, tagged, sizeof(tagged) - 1), 0);
	len = sip_build_response(buf, sizeof(buf), &req, 200, "OK", "t1",
				 NULL);
	assert_true(len > 0);
	assert_non_null(strstr(buf, "\r\nTo: <sip:a@x>;tag=old\r\n"));
	assert_int_equal(sip_build_response(buf, sizeof(buf), &req, 200,
					    "OK\r\nX: y", "t1", NULL),
			 -EINVAL);
	assert_int_equal(sip_build_response(buf, 40, &req, 200, "OK", "t1",
					    NULL), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_round_trip),
		cmocka_unit_test(test_optional_parts_and_ipv6),
		cmocka_unit_test(test_unregister_expires_zero),
		cmocka_unit_test(test_refuses_overflow_and_injection),
		cmocka_unit_test(test_random_tokens),
		cmocka_unit_test(test_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
