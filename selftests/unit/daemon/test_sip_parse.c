// SPDX-License-Identifier: GPL-2.0
/* SIP parser: well-formed messages give the right fields, malformed ones
 * are refused with the right error. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip/msg.h"

#define HDRS_COMMON \
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776;rport=5061;received=198.51.100.7\r\n" \
	"From: \"Line 1\" <sip:100@example.org>;tag=1928301774\r\n" \
	"To: <sip:100@example.org>;tag=a6c85cf\r\n" \
	"Call-ID: a84b4c76e66710@pc33\r\n" \
	"CSeq: 7 REGISTER\r\n"

static struct sip_msg msg;

static int parse(const char *s)
{
	return sip_msg_parse(&msg, s, strlen(s));
}

static void assert_str(struct sip_str s, const char *want)
{
	char buf[512];

	assert_int_equal(sip_str_copy(buf, sizeof(buf), s), 0);
	assert_string_equal(buf, want);
}

static void test_401_two_challenges(void **state)
{
	(void)state;
	assert_int_equal(parse("SIP/2.0 401 Unauthorized\r\n" HDRS_COMMON
		"WWW-Authenticate: Digest realm=\"example.org\", nonce=\"abc\", "
		"qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"op\"\r\n"
		"WWW-Authenticate: Digest realm=\"example.org\",nonce=\"def\","
		"algorithm=MD5,stale=TRUE\r\n"
		"Content-Length: 0\r\n\r\n"), 0);
	assert_false(msg.is_request);
	assert_int_equal(msg.status, 401);
	assert_str(msg.reason, "Unauthorized");
	assert_str(msg.via.transport, "UDP");
	assert_str(msg.via.host, "192.0.2.10");
	assert_int_equal(msg.via.port, 5060);
	assert_str(msg.via.branch, "z9hG4bK776");
	assert_str(msg.via.received, "198.51.100.7");
	assert_true(msg.via.has_rport);
	assert_int_equal(msg.via.rport, 5061);
	assert_str(msg.from_tag, "1928301774");
	assert_str(msg.to_tag, "a6c85cf");
	assert_str(msg.call_id, "a84b4c76e66710@pc33");
	assert_int_equal(msg.cseq, 7);
	assert_str(msg.cseq_method, "REGISTER");
	assert_int_equal(msg.n_challenges, 2);
	assert_false(msg.challenges[0].proxy);
	assert_str(msg.challenges[0].scheme, "Digest");
	assert_str(msg.challenges[0].realm, "example.org");
	assert_str(msg.challenges[0].nonce, "abc");
	assert_str(msg.challenges[0].qop, "auth,auth-int");
	assert_str(msg.challenges[0].algorithm, "SHA-256");
	assert_true(msg.challenges[0].has_opaque);
	assert_str(msg.challenges[0].opaque, "op");
	assert_false(msg.challenges[0].stale);
	assert_str(msg.challenges[1].nonce, "def");
	assert_true(msg.challenges[1].stale);
	assert_false(msg.challenges[1].has_opaque);
	assert_int_equal(msg.content_length, 0);
}

static void test_compact_forms_and_contacts(void **state)
{
	const struct sip_hdr *h;
	struct sip_str v;

	(void)state;
	assert_int_equal(parse("SIP/2.0 200 OK\r\n"
		"v: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKx\r\n"
		"f: <sip:100@example.org>;tag=1\r\n"
		"t: sip:100@example.org;tag=2\r\n"
		"i: cid\r\n"
		"cseq: 2 REGISTER\r\n"
		"m: <sip:100@[2001:db8::2]:40000;transport=tcp>;expires=3600;"
		"+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000a95a0e128>\";reg-id=1, "
		"\"A, B\" <sip:100@192.0.2.4>;expires=12\r\n"
		"Contact: sip:100@192.0.2.5;expires=30\r\n"
		"eXpIrEs: 3600\r\n"
		"l: 0\r\n\r\n"), 0);
	assert_str(msg.via.transport, "TCP");
	assert_str(msg.via.host, "[2001:db8::1]");
	assert_int_equal(msg.via.port, 5070);
	assert_false(msg.via.has_rport);
	assert_str(msg.to_tag, "2");
	assert_int_equal(msg.n_contacts, 3);
	assert_str(msg.contacts[0].uri,
		   "sip:100@[2001:db8::2]:40000;transport=tcp");
	assert_true(msg.contacts[0].has_expires);
	assert_int_equal(msg.contacts[0].expires, 3600);
	assert_true(sip_param_find(msg.contacts[0].params, "+SIP.instance",
				   &v));
	assert_str(v, "<urn:uuid:00000000-0000-1000-8000-000a95a0e128>");
	assert_true(sip_param_find(msg.contacts[0].params, "reg-id", &v));
	assert_str(v, "1");
	assert_false(sip_param_find(msg.contacts[0].params, "q", &v));
	assert_str(msg.contacts[1].uri, "sip:100@192.0.2.4");
	assert_int_equal(msg.contacts[1].expires, 12);
	assert_str(msg.contacts[2].uri, "sip:100@192.0.2.5");
	assert_int_equal(msg.contacts[2].expires, 30);
	assert_true(msg.has_expires);
	assert_int_equal(msg.expires, 3600);
	h = sip_msg_hdr(&msg, SIP_HDR_CONTACT, NULL);
	assert_non_null(h);
	h = sip_msg_hdr(&msg, SIP_HDR_CONTACT, h);
	assert_non_null(h);
	assert_str(h->name, "Contact");
	assert_null(sip_msg_hdr(&msg, SIP_HDR_CONTACT, h));
}

static void test_request_with_body(void **state)
{
	(void)state;
	assert_int_equal(parse("REGISTER sip:example.org SIP/2.0\r\n"
		HDRS_COMMON "Max-Forwards: 70\r\nContent-Length: 4\r\n\r\n"
		"bodyEXTRA"), 0);
	assert_true(msg.is_request);
	assert_str(msg.method, "REGISTER");
	assert_str(msg.ruri, "sip:example.org");
	assert_int_equal(msg.content_length, 4);
	assert_str(msg.body, "body");
}

static void test_datagram_without_content_length(void **state)
{
	(void)state;
	assert_int_equal(parse("SIP/2.0 100 Trying\r\n" HDRS_COMMON
			       "\r\nxyz"), 0);
	assert_int_equal(msg.status, 100);
	assert_str(msg.body, "xyz");
}

static void test_423_503(void **state)
{
	(void)state;
	assert_int_equal(parse("SIP/2.0 423 Interval Too Brief\r\n"
		HDRS_COMMON "Min-Expires: 600\r\n\r\n"), 0);
	assert_true(msg.has_min_expires);
	assert_int_equal(msg.min_expires, 600);
	assert_int_equal(parse("SIP/2.0 503 Service Unavailable\r\n"
		HDRS_COMMON "Retry-After: 120 (maintenance);duration=60\r\n"
		"Proxy-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n\r\n"),
		0);
	assert_true(msg.has_retry_after);
	assert_int_equal(msg.retry_after, 120);
	assert_int_equal(msg.n_challenges, 1);
	assert_true(msg.challenges[0].proxy);
}

/* RFC 5626 Flow-Timer; a bad one is ignored, the 2xx still counts. */
static void test_flow_timer(void **state)
{
	(void)state;
	assert_int_equal(parse("SIP/2.0 200 OK\r\n" HDRS_COMMON
		"Require: outbound\r\nFlow-Timer: 25\r\n\r\n"), 0);
	assert_true(msg.has_flow_timer);
	assert_int_equal(msg.flow_timer, 25);
	assert_int_equal(parse("SIP/2.0 200 OK\r\n" HDRS_COMMON
		"flow-timer: soon\r\n\r\n"), 0);
	assert_false(msg.has_flow_timer);
	assert_int_equal(parse("SIP/2.0 200 OK\r\n" HDRS_COMMON
		"Flow-Timer: 0\r\n\r\n"), 0);
	assert_false(msg.has_flow_timer);
	assert_int_equal(parse("SIP/2.0 200 OK\r\n" HDRS_COMMON "\r\n"), 0);
	assert_false(msg.has_flow_timer);
}

/* Each of these must be refused with the given error. */
static const struct {
	const char *name;
	const char *text;
	int err;
} bad[] = {
	{ "no end of headers", "SIP/2.0 200 OK\r\n" HDRS_COMMON, -EBADMSG },
	{ "LF only", "SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\n"
	  "From: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: c\n"
	  "CSeq: 1 REGISTER\n\n", -EBADMSG },
	{ "folded header", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Subject: a\r\n b\r\n\r\n", -EBADMSG },
	{ "status 99", "SIP/2.0 099 x\r\n" HDRS_COMMON "\r\n", -EBADMSG },
	{ "status 700", "SIP/2.0 700 x\r\n" HDRS_COMMON "\r\n", -EBADMSG },
	{ "status letters", "SIP/2.0 2x0 x\r\n" HDRS_COMMON "\r\n",
	  -EBADMSG },
	{ "wrong version", "SIP/3.0 200 OK\r\n" HDRS_COMMON "\r\n",
	  -EBADMSG },
	{ "request bad version", "REGISTER sip:a SIP/2.1\r\n" HDRS_COMMON
	  "\r\n", -EBADMSG },
	{ "request no uri scheme", "REGISTER example SIP/2.0\r\n"
	  HDRS_COMMON "\r\n", -EBADMSG },
	{ "method mismatch", "OPTIONS sip:a SIP/2.0\r\n" HDRS_COMMON "\r\n",
	  -EBADMSG },
	{ "missing Call-ID", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCSeq: 1 REGISTER\r\n\r\n", -EBADMSG },
	{ "missing Via", "SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n",
	  -EBADMSG },
	{ "two Call-IDs", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "i: other\r\n\r\n", -EBADMSG },
	{ "CSeq not a number", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: x REGISTER\r\n\r\n",
	  -EBADMSG },
	{ "CSeq too big", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 4294967296 REGISTER\r\n\r\n",
	  -EBADMSG },
	{ "Via not SIP/2.0", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/1.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n",
	  -EBADMSG },
	{ "Via port 0", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP a:0;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n",
	  -EBADMSG },
	{ "Via bad v6", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP [::1;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n",
	  -EBADMSG },
	{ "From without URI", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <>;tag=1\r\n"
	  "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n",
	  -EBADMSG },
	{ "Contact unbalanced", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Contact: <sip:a@b;expires=1\r\n\r\n", -EBADMSG },
	{ "Contact empty list item", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Contact: <sip:a@b>, \r\n\r\n", -EBADMSG },
	{ "Contact bad expires", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Contact: <sip:a@b>;expires=1x\r\n\r\n", -EBADMSG },
	{ "Expires junk", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Expires: 12a\r\n\r\n", -EBADMSG },
	{ "Expires negative", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Expires: -1\r\n\r\n", -EBADMSG },
	{ "challenge unclosed quote", "SIP/2.0 401 x\r\n" HDRS_COMMON
	  "WWW-Authenticate: Digest realm=\"a, nonce=b\r\n\r\n", -EBADMSG },
	{ "challenge junk after value", "SIP/2.0 401 x\r\n" HDRS_COMMON
	  "WWW-Authenticate: Digest realm=\"a\" x, nonce=b\r\n\r\n",
	  -EBADMSG },
	{ "header without colon", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Bogus\r\n\r\n", -EBADMSG },
	{ "header name with space", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Bad Name: x\r\n\r\n", -EBADMSG },
	{ "control char", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Subject: a\x01" "b\r\n\r\n", -EBADMSG },
	{ "Content-Length beyond the data", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Content-Length: 10\r\n\r\nabc", -EBADMSG },
	{ "two Content-Lengths", "SIP/2.0 200 OK\r\n" HDRS_COMMON
	  "Content-Length: 0\r\nl: 0\r\n\r\n", -EBADMSG },
};

static void test_malformed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse(bad[i].text);

		if (err != bad[i].err)
			fail_msg("%s: got %d, want %d", bad[i].name, err,
				 bad[i].err);
	}
}

static void test_nul_byte_refused(void **state)
{
	static const char m[] = "SIP/2.0 200 OK\r\n" HDRS_COMMON
				"Subject: a\0b\r\n\r\n";

	(void)state;
	assert_int_equal(sip_msg_parse(&msg, m, sizeof(m) - 1), -EBADMSG);
}

/* Limits: message size, header count, header line length. */
static void test_limits(void **state)
{
	size_t big = SIP_MAX_MSG + 1, i, n;
	char *buf = malloc(big + 1);

	(void)state;
	assert_non_null(buf);
	memset(buf, 'a', big);
	assert_int_equal(sip_msg_parse(&msg, buf, big), -EMSGSIZE);

	n = (size_t)sprintf(buf, "SIP/2.0 200 OK\r\n" HDRS_COMMON);
	for (i = 0; i < SIP_MAX_HEADERS; i++)
		n += (size_t)sprintf(buf + n, "X-H%zu: v\r\n", i);
	n += (size_t)sprintf(buf + n, "\r\n");
	assert_int_equal(sip_msg_parse(&msg, buf, n), -EMSGSIZE);

	n = (size_t)sprintf(buf, "SIP/2.0 200 OK\r\n" HDRS_COMMON "X: ");
	memset(buf + n, 'v', SIP_MAX_HDR_LEN);
	n += SIP_MAX_HDR_LEN;
	n += (size_t)sprintf(buf + n, "\r\n\r\n");
	assert_int_equal(sip_msg_parse(&msg, buf, n), -EMSGSIZE);

	/* Just under the limits parses. */
	n = (size_t)sprintf(buf, "SIP/2.0 200 OK\r\n" HDRS_COMMON "X: ");
	memset(buf + n, 'v', SIP_MAX_HDR_LEN - 4);
	n += SIP_MAX_HDR_LEN - 4;
	n += (size_t)sprintf(buf + n, "\r\n\r\n");
	assert_int_equal(sip_msg_parse(&msg, buf, n), 0);
	free(buf);
}

static void test_contacts_beyond_limit_dropped(void **state)
{
	char buf[4096];
	size_t n, i;

	(void)state;
	n = (size_t)sprintf(buf, "SIP/2.0 200 OK\r\n" HDRS_COMMON);
	for (i = 0; i < SIP_MAX_CONTACTS + 4; i++)
		n += (size_t)sprintf(buf + n, "m: <sip:%zu@h>\r\n", i);
	n += (size_t)sprintf(buf + n, "\r\n");
	assert_int_equal(sip_msg_parse(&msg, buf, n), 0);
	assert_int_equal(msg.n_contacts, SIP_MAX_CONTACTS);
}

static void test_frame_len(void **state)
{
	static const char m[] = "SIP/2.0 200 OK\r\n" HDRS_COMMON
				"Content-Length: 3\r\n\r\nabcSIP/2.0";
	static const char nocl[] = "SIP/2.0 200 OK\r\n" HDRS_COMMON "\r\n";
	static const char big[] = "SIP/2.0 200 OK\r\nl: 70000\r\n\r\n";
	long want = (long)(sizeof(m) - 1 - strlen("SIP/2.0"));

	(void)state;
	assert_int_equal(sip_msg_frame_len(m, sizeof(m) - 1), want);
	/* The body need not be there yet: the length is known. */
	assert_int_equal(sip_msg_frame_len(m, (size_t)want - 2), want);
	assert_int_equal(sip_msg_frame_len(m, 20), 0);
	assert_int_equal(sip_msg_frame_len(nocl, sizeof(nocl) - 1), -EBADMSG);
	assert_int_equal(sip_msg_frame_len(big, sizeof(big) - 1), -EMSGSIZE);
}

static void test_param_find(void **state)
{
	static const char p[] = ";lr;Transport=TCP;x=\"a;b\";y";
	struct sip_str ps = { p, sizeof(p) - 1 }, v;

	(void)state;
	assert_true(sip_param_find(ps, "lr", &v));
	assert_int_equal(v.len, 0);
	assert_true(sip_param_find(ps, "transport", &v));
	assert_str(v, "TCP");
	assert_true(sip_param_find(ps, "x", &v));
	assert_str(v, "a;b");
	assert_true(sip_param_find(ps, "y", NULL));
	assert_false(sip_param_find(ps, "b", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_401_two_challenges),
		cmocka_unit_test(test_compact_forms_and_contacts),
		cmocka_unit_test(test_request_with_body),
		cmocka_unit_test(test_datagram_without_content_length),
		cmocka_unit_test(test_423_503),
		cmocka_unit_test(test_flow_timer),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_contacts_beyond_limit_dropped),
		cmocka_unit_test(test_frame_len),
		cmocka_unit_test(test_param_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
