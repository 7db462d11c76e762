// SPDX-License-Identifier: GPL-2.0
/*
 * The DNS message reader and typed answers: well-formed messages with
 * compression and TTLs, and crafted malformed ones (truncation, pointer
 * loops, oversize labels and names, RDATA overruns), which must give
 * -EBADMSG without reading out of bounds (ASan checks that).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dns/answer.h"
#include "dns/dnsmsg.h"
#include "helpers/dnswire.h"

/* A SRV answer whose target uses a compression pointer to the qname. */
static void build_srv_answer(struct dnsw *w)
{
	size_t at;

	dnsw_header(w, 0x1234, 0x8180, 1, 2, 0, 1);
	dnsw_question(w, "_sip._udp.example.com", DNS_T_SRV);
	/* owner: pointer to the question name at offset 12 */
	dnsw_u16(w, 0xc00c);
	dnsw_u16(w, DNS_T_SRV);
	dnsw_u16(w, DNS_C_IN);
	dnsw_u32(w, 300);
	at = w->len;
	dnsw_u16(w, 0);
	dnsw_u16(w, 10);
	dnsw_u16(w, 60);
	dnsw_u16(w, 5060);
	/* target "sip1" + pointer to "example.com" (offset 12 + 10) */
	dnsw_u8(w, 4);
	dnsw_bytes(w, "sip1", 4);
	dnsw_u16(w, 0xc000 | 22);
	dnsw_rr_end(w, at);
	dnsw_srv(w, "_sip._udp.example.com", 0x80000005u, 20, 0, 5070,
		 "SIP2.Example.COM");
	dnsw_addr(w, "sip1.example.com", 60, "192.0.2.1");
}

static void test_srv_with_compression(void **state)
{
	struct dnsw w;
	struct dns_msg m;
	struct dns_rr rr;
	struct dns_srv_rdata srv;
	uint8_t a[16];

	(void)state;
	build_srv_answer(&w);
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), 0);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(dns_msg_rcode(&m), 0);

	assert_int_equal(dns_msg_next(&m, &rr), 1);
	assert_string_equal(rr.name, "_sip._udp.example.com");
	assert_int_equal(rr.type, DNS_T_SRV);
	assert_int_equal(rr.ttl, 300);
	assert_int_equal(rr.section, DNS_SEC_ANSWER);
	assert_int_equal(dns_rr_srv(&m, &rr, &srv), 0);
	assert_int_equal(srv.priority, 10);
	assert_int_equal(srv.weight, 60);
	assert_int_equal(srv.port, 5060);
	assert_string_equal(srv.target, "sip1.example.com");

	assert_int_equal(dns_msg_next(&m, &rr), 1);
	/* RFC 2181: a TTL with the top bit set reads as 0. */
	assert_int_equal(rr.ttl, 0);
	assert_int_equal(dns_rr_srv(&m, &rr, &srv), 0);
	assert_string_equal(srv.target, "sip2.example.com");

	assert_int_equal(dns_msg_next(&m, &rr), 1);
	assert_int_equal(rr.section, DNS_SEC_ADDITIONAL);
	assert_int_equal(rr.type, DNS_T_A);
	assert_int_equal(dns_rr_addr(&m, &rr, a), 0);
	assert_memory_equal(a, "\xc0\x00\x02\x01", 4);
	assert_int_equal(dns_msg_next(&m, &rr), 0);
}

static void test_naptr(void **state)
{
	struct dnsw w;
	struct dns_msg m;
	struct dns_rr rr;
	struct dns_naptr_rdata n;

	(void)state;
	dnsw_header(&w, 1, 0x8180, 1, 1, 0, 0);
	dnsw_question(&w, "example.com", DNS_T_NAPTR);
	dnsw_naptr(&w, "example.com", 3600, 10, 20, "S", "SIP+D2T",
		   "_sip._tcp.example.com");
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), 0);
	assert_int_equal(dns_msg_next(&m, &rr), 1);
	assert_int_equal(dns_rr_naptr(&m, &rr, &n), 0);
	assert_int_equal(n.order, 10);
	assert_int_equal(n.pref, 20);
	assert_string_equal(n.flags, "S");
	assert_string_equal(n.service, "SIP+D2T");
	assert_string_equal(n.replacement, "_sip._tcp.example.com");
	/* Wrong accessor for the type. */
	assert_int_equal(dns_rr_srv(&m, &rr, &(struct dns_srv_rdata){ 0 }),
			 -EBADMSG);
}

/* Every prefix of a valid message parses or fails cleanly. */
static void test_truncated_everywhere(void **state)
{
	struct dnsw w;

	(void)state;
	build_srv_answer(&w);
	for (size_t len = 0; len < w.len; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		struct dns_msg m;
		struct dns_rr rr;
		int r;

		memcpy(copy, w.buf, len);
		r = dns_msg_init(&m, copy, len);
		while (r == 0 && (r = dns_msg_next(&m, &rr)) == 1) {
			struct dns_srv_rdata srv;
			uint8_t a[16];

			if (rr.type == DNS_T_SRV)
				dns_rr_srv(&m, &rr, &srv);
			else
				dns_rr_addr(&m, &rr, a);
			r = 0;
		}
		/* The full record set cannot fit in a short buffer. */
		assert_int_equal(r, -EBADMSG);
		free(copy);
	}
}

static void test_pointer_loops(void **state)
{
	uint8_t self[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
			   0xc0, 12, 0, 1, 0, 1 };
	uint8_t fwd[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
			  0xc0, 14, 0, 0, 1, 0, 1 };
	/* "a" then a pointer back to itself through the label. */
	uint8_t twostep[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
			      1, 'a', 0xc0, 12, 0, 1, 0, 1 };
	struct dns_msg m;
	char name[DNS_NAME_MAX + 1];

	(void)state;
	assert_int_equal(dns_msg_init(&m, self, sizeof(self)), -EBADMSG);
	assert_int_equal(dns_msg_init(&m, fwd, sizeof(fwd)), -EBADMSG);
	assert_int_equal(dns_msg_init(&m, twostep, sizeof(twostep)),
			 -EBADMSG);
	assert_int_equal(dns_read_name(twostep, sizeof(twostep), 12, name,
				       NULL), -EBADMSG);
}

static void test_bad_labels(void **state)
{
	struct dnsw w;
	struct dns_msg m;
	char name[DNS_NAME_MAX + 1];

	(void)state;
	/* A 64-byte label. */
	dnsw_header(&w, 1, 0, 1, 0, 0, 0);
	dnsw_u8(&w, 64);
	for (int i = 0; i < 64; i++)
		dnsw_u8(&w, 'a');
	dnsw_u8(&w, 0);
	dnsw_u32(&w, 0x00010001);
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), -EBADMSG);

	/* 5 x 63-byte labels: 320 bytes, over the 255 limit. */
	dnsw_header(&w, 1, 0, 1, 0, 0, 0);
	for (int l = 0; l < 5; l++) {
		dnsw_u8(&w, 63);
		for (int i = 0; i < 63; i++)
			dnsw_u8(&w, 'b');
	}
	dnsw_u8(&w, 0);
	dnsw_u32(&w, 0x00010001);
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), -EBADMSG);

	/* A dot or a control byte inside a label. */
	dnsw_header(&w, 1, 0, 1, 0, 0, 0);
	dnsw_u8(&w, 3);
	dnsw_bytes(&w, "a.b", 3);
	dnsw_u8(&w, 0);
	assert_int_equal(dns_read_name(w.buf, w.len, 12, name, NULL),
			 -EBADMSG);
	w.buf[14] = '\n';
	assert_int_equal(dns_read_name(w.buf, w.len, 12, name, NULL),
			 -EBADMSG);
	/* Extended label types (0x40, 0x80) are refused. */
	w.buf[12] = 0x41;
	assert_int_equal(dns_read_name(w.buf, w.len, 12, name, NULL),
			 -EBADMSG);

	/* Longest legal name: 3 x 63 + 61 = 253 characters. */
	dnsw_header(&w, 1, 0, 0, 0, 0, 0);
	for (int l = 0; l < 4; l++) {
		int n = l < 3 ? 63 : 61;

		dnsw_u8(&w, (unsigned int)n);
		for (int i = 0; i < n; i++)
			dnsw_u8(&w, 'c');
	}
	dnsw_u8(&w, 0);
	assert_int_equal(dns_read_name(w.buf, w.len, 12, name, NULL), 0);
	assert_int_equal(strlen(name), 253);
}

static void test_rdata_overruns(void **state)
{
	struct dnsw w;
	struct dns_msg m;
	struct dns_rr rr;
	struct dns_srv_rdata srv;
	struct dns_naptr_rdata n;
	uint8_t a[16];
	size_t at;

	(void)state;
	/* RDLENGTH past the end of the message. */
	dnsw_header(&w, 1, 0x8180, 0, 1, 0, 0);
	at = dnsw_rr_begin(&w, "x", DNS_T_A, 1);
	dnsw_u32(&w, 0x01020304);
	dnsw_rr_end(&w, at);
	w.buf[at + 1] = 40;
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), 0);
	assert_int_equal(dns_msg_next(&m, &rr), -EBADMSG);

	/* A record with 3 bytes of data. */
	dnsw_header(&w, 1, 0x8180, 0, 1, 0, 0);
	at = dnsw_rr_begin(&w, "x", DNS_T_A, 1);
	dnsw_bytes(&w, "\1\2\3", 3);
	dnsw_rr_end(&w, at);
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), 0);
	assert_int_equal(dns_msg_next(&m, &rr), 1);
	assert_int_equal(dns_rr_addr(&m, &rr, a), -EBADMSG);

	/* SRV whose target runs past its RDLENGTH into the next record. */
	dnsw_header(&w, 1, 0x8180, 0, 2, 0, 0);
	at = dnsw_rr_begin(&w, "s", DNS_T_SRV, 1);
	dnsw_u16(&w, 1);
	dnsw_u16(&w, 1);
	dnsw_u16(&w, 1);
	dnsw_u8(&w, 3);
	dnsw_rr_end(&w, at);
	dnsw_addr(&w, "abc", 1, "192.0.2.9");
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), 0);
	assert_int_equal(dns_msg_next(&m, &rr), 1);
	assert_int_equal(dns_rr_srv(&m, &rr, &srv), -EBADMSG);

	/* NAPTR whose service string claims more bytes than it has. */
	dnsw_header(&w, 1, 0x8180, 0, 1, 0, 0);
	at = dnsw_rr_begin(&w, "n", DNS_T_NAPTR, 1);
	dnsw_u16(&w, 1);
	dnsw_u16(&w, 1);
	dnsw_cstr(&w, "s");
	dnsw_u8(&w, 200);
	dnsw_bytes(&w, "SIP", 3);
	dnsw_rr_end(&w, at);
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), 0);
	assert_int_equal(dns_msg_next(&m, &rr), 1);
	assert_int_equal(dns_rr_naptr(&m, &rr, &n), -EBADMSG);

	/* More questions announced than present. */
	dnsw_header(&w, 1, 0x8180, 3, 0, 0, 0);
	dnsw_question(&w, "q", DNS_T_A);
	assert_int_equal(dns_msg_init(&m, w.buf, w.len), -EBADMSG);
	assert_int_equal(dns_msg_init(&m, w.buf, 11), -EBADMSG);
	assert_int_equal(dns_msg_init(&m, NULL, 0), -EBADMSG);
}

/* Random bytes after a plausible header: never a crash. */
static void test_random_garbage(void **state)
{
	struct dns_xorshift rng = { 42 };
	uint8_t buf[128];
	struct dns_answer *ans = malloc(sizeof(*ans));

	(void)state;
	assert_non_null(ans);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 12 + dns_xorshift_next(&rng) % (sizeof(buf) - 12);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)dns_xorshift_next(&rng);
		/* Small counts so records get walked. */
		buf[4] = 0;
		buf[5] = (uint8_t)(dns_xorshift_next(&rng) % 3);
		buf[6] = 0;
		buf[7] = (uint8_t)(dns_xorshift_next(&rng) % 4);
		buf[10] = 0;
		buf[11] = (uint8_t)(dns_xorshift_next(&rng) % 3);
		dns_answer_parse(buf, len, "x", DNS_T_SRV, ans);
		dns_answer_parse(buf, len, "x", DNS_T_NAPTR, ans);
		dns_answer_parse(buf, len, "x", DNS_T_A, ans);
	}
	free(ans);
}

static void test_answer_cname_and_extra(void **state)
{
	struct dnsw w;
	struct dns_answer *a = malloc(sizeof(*a));

	(void)state;
	assert_non_null(a);
	dnsw_header(&w, 7, 0x8180, 1, 4, 0, 0);
	dnsw_question(&w, "sip.example.com", DNS_T_A);
	dnsw_cname(&w, "sip.example.com", 100, "real.example.com");
	dnsw_addr(&w, "real.example.com", 50, "192.0.2.7");
	/* Not on the CNAME chain: ignored. */
	dnsw_addr(&w, "other.example.com", 5, "192.0.2.8");
	dnsw_addr(&w, "REAL.example.com", 70, "192.0.2.9");
	assert_int_equal(dns_answer_parse(w.buf, w.len, "sip.example.com",
					  DNS_T_A, a), 0);
	assert_int_equal(a->n_addr, 2);
	assert_int_equal(a->addr[0].family, AF_INET);
	assert_int_equal(a->addr[0].ttl, 50);
	assert_int_equal(a->addr[1].ttl, 70);
	assert_int_equal(a->cname_ttl, 100);

	/* SRV with addresses in the additional section. */
	dnsw_header(&w, 8, 0x8180, 1, 1, 0, 2);
	dnsw_question(&w, "_sip._udp.example.com", DNS_T_SRV);
	dnsw_srv(&w, "_sip._udp.example.com", 30, 1, 1, 5060,
		 "a.example.com");
	dnsw_addr(&w, "a.example.com", 40, "2001:db8::1");
	dnsw_addr(&w, "a.example.com", 45, "192.0.2.1");
	assert_int_equal(dns_answer_parse(w.buf, w.len,
					  "_sip._udp.example.com", DNS_T_SRV,
					  a), 0);
	assert_int_equal(a->n_srv, 1);
	assert_int_equal(a->srv[0].ttl, 30);
	assert_int_equal(a->n_extra, 2);
	assert_int_equal(a->extra[0].family, AF_INET6);
	assert_string_equal(a->extra[1].name, "a.example.com");
	assert_int_equal(a->cname_ttl, UINT32_MAX);

	/* A CNAME loop ends after a few hops, with no answer. */
	dnsw_header(&w, 9, 0x8180, 1, 2, 0, 0);
	dnsw_question(&w, "x.example", DNS_T_A);
	dnsw_cname(&w, "x.example", 1, "y.example");
	dnsw_cname(&w, "y.example", 1, "x.example");
	assert_int_equal(dns_answer_parse(w.buf, w.len, "x.example", DNS_T_A,
					  a), 0);
	assert_int_equal(a->n_addr, 0);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srv_with_compression),
		cmocka_unit_test(test_naptr),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_pointer_loops),
		cmocka_unit_test(test_bad_labels),
		cmocka_unit_test(test_rdata_overruns),
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_answer_cname_and_extra),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
