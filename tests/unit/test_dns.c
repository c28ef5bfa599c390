/*
 * test_dns.c - the checks every DNS reply passes before a field of it is
 * read (probes/dns.c dns_answer_from_wire): QR bit, opcode, TC, exactly one
 * question equal to the one asked (name, type, class IN), an answer count
 * that matches the section, CNAME chains followed and records of other
 * owners ignored. One case per check, built as wire-format packets here.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../probes/dns.h"
#include "dnsmsg.h"
#include "unit.h"

/* Header: flags as given (QR = 0x8000, TC = 0x0200, rcode in the low bits). */
static void put_header(struct tmsg *p, unsigned flags, unsigned qd, unsigned an)
{
	p->n = 0;
	tmsg16(p, 0x1234);
	tmsg16(p, flags);
	tmsg16(p, qd);
	tmsg16(p, an);
	tmsg16(p, 0);
	tmsg16(p, 0);
}

static void put_question(struct tmsg *p, const char *name, unsigned type, unsigned cls)
{
	tmsg_name(p, name);
	tmsg16(p, type);
	tmsg16(p, cls);
}

static void put_mx(struct tmsg *p, const char *owner, unsigned pref, const char *exchange)
{
	size_t rdlen_at;

	tmsg_name(p, owner);
	tmsg16(p, DNS_T_MX);
	tmsg16(p, 1);
	tmsg16(p, 0);
	tmsg16(p, 300);
	rdlen_at = p->n;
	tmsg16(p, 0);
	tmsg16(p, pref);
	tmsg_name(p, exchange);
	p->b[rdlen_at] = (uint8_t)((p->n - rdlen_at - 2) >> 8);
	p->b[rdlen_at + 1] = (uint8_t)((p->n - rdlen_at - 2) & 0xff);
}

/* A record whose rdata is one name: CNAME (5) or NS (2). */
static void put_name_rr(struct tmsg *p, unsigned type, const char *owner, const char *target)
{
	size_t rdlen_at;

	tmsg_name(p, owner);
	tmsg16(p, type);
	tmsg16(p, 1);
	tmsg16(p, 0);
	tmsg16(p, 300);
	rdlen_at = p->n;
	tmsg16(p, 0);
	tmsg_name(p, target);
	p->b[rdlen_at] = (uint8_t)((p->n - rdlen_at - 2) >> 8);
	p->b[rdlen_at + 1] = (uint8_t)((p->n - rdlen_at - 2) & 0xff);
}

/* A CAA record (RFC 8659 4.1): flags, tag length, tag, value. */
static void put_caa(struct tmsg *p, const char *owner, unsigned flags, const char *tag,
		    const char *value, size_t vlen)
{
	size_t i;

	tmsg_name(p, owner);
	tmsg16(p, DNS_T_CAA);
	tmsg16(p, 1);
	tmsg16(p, 0);
	tmsg16(p, 300);
	tmsg16(p, (unsigned)(2 + strlen(tag) + vlen));
	tmsg8(p, flags);
	tmsg8(p, (unsigned)strlen(tag));
	for (i = 0; tag[i]; i++)
		tmsg8(p, (unsigned char)tag[i]);
	for (i = 0; i < vlen; i++)
		tmsg8(p, (unsigned char)value[i]);
}

static void put_cname(struct tmsg *p, const char *owner, const char *target)
{
	put_name_rr(p, 5, owner, target);
}

static void parse(struct tmsg *p, const char *qname, uint16_t qtype, int sec, struct dns_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->qname = qname;
	a->qtype = qtype;
	dns_answer_from_wire(a, p->b, p->n, sec);
}

void test_dns_reply_checks(void)
{
	static const struct {
		const char *name;
		unsigned flags, qd, an;
		const char *qname;
		unsigned qtype, qclass;
		bool two_questions;
		enum dns_status want;
	} cases[] = {
	    {"a good answer", 0x8180, 1, 1, "a.example", DNS_T_MX, 1, false, DNS_OK},
	    {"QR bit clear (a query, not a reply)", 0x0100, 1, 1, "a.example", DNS_T_MX, 1, false,
	     DNS_BADREPLY},
	    {"opcode not QUERY", 0x8000 | (2u << 11), 1, 1, "a.example", DNS_T_MX, 1, false,
	     DNS_BADREPLY},
	    {"truncated (TC)", 0x8380, 1, 1, "a.example", DNS_T_MX, 1, false, DNS_BADREPLY},
	    {"another name in the question", 0x8180, 1, 1, "_tls.lame.example", DNS_T_MX, 1, false,
	     DNS_BADREPLY},
	    {"another type in the question", 0x8180, 1, 1, "a.example", DNS_T_TXT, 1, false,
	     DNS_BADREPLY},
	    {"another class in the question", 0x8180, 1, 1, "a.example", DNS_T_MX, 3, false,
	     DNS_BADREPLY},
	    {"no question", 0x8180, 0, 1, NULL, 0, 0, false, DNS_BADREPLY},
	    {"two questions", 0x8180, 2, 1, "a.example", DNS_T_MX, 1, true, DNS_BADREPLY},
	    {"answer count larger than the section", 0x8180, 1, 2, "a.example", DNS_T_MX, 1, false,
	     DNS_BADREPLY},
	    {"the name asked in other case", 0x8180, 1, 1, "A.Example", DNS_T_MX, 1, false, DNS_OK},
	    {"NXDOMAIN", 0x8183, 1, 0, "a.example", DNS_T_MX, 1, false, DNS_NXDOMAIN},
	    {"SERVFAIL", 0x8182, 1, 0, "a.example", DNS_T_MX, 1, false, DNS_SERVFAIL},
	    {"REFUSED", 0x8185, 1, 0, "a.example", DNS_T_MX, 1, false, DNS_SERVFAIL},
	};
	size_t i;

	for (i = 0; i < UNIT_COUNT(cases); i++) {
		struct tmsg p;
		struct dns_answer a;
		bool has_mx = cases[i].an > 0;

		unit_case("%s", cases[i].name);
		put_header(&p, cases[i].flags, cases[i].qd, cases[i].an);
		if (cases[i].qname)
			put_question(&p, cases[i].qname, cases[i].qtype, cases[i].qclass);
		if (cases[i].two_questions)
			put_question(&p, "b.example", DNS_T_MX, 1);
		if (has_mx)
			put_mx(&p, "a.example", 10, "mx.a.example");
		parse(&p, "a.example", DNS_T_MX, 2, &a);
		CHECK_STR(dns_status_name(a.status), dns_status_name(cases[i].want));
		if (cases[i].want == DNS_BADREPLY) {
			/* never read as data: no records, no DNSSEC state */
			CHECK_INT(a.n, 0);
			CHECK_INT(a.sec, SEC_UNKNOWN);
			CHECK(strstr(a.error, "reply refused") != NULL);
			CHECK_INT(dns_status_reason(a.status), R_DNS_ERROR);
		}
		if (cases[i].want == DNS_OK) {
			CHECK_INT(a.n, 1);
			CHECK_INT(a.sec, SEC_SECURE);
			if (a.n == 1) {
				CHECK_STR(a.rr[0].name, "mx.a.example");
				CHECK_INT(a.rr[0].pref, 10);
			}
		}
		dns_answer_free(&a);
	}
	unit_case("%s", "");
}

void test_dns_reply_short(void)
{
	static const uint8_t junk[] = {0x12, 0x34, 0x81};
	struct dns_answer a;

	unit_case("%s", "3 bytes");
	memset(&a, 0, sizeof(a));
	a.qname = "a.example";
	a.qtype = DNS_T_MX;
	dns_answer_from_wire(&a, junk, sizeof(junk), 2);
	CHECK_INT(a.status, DNS_BADREPLY);
	CHECK_INT(a.rcode, -1);
	dns_answer_free(&a);
	unit_case("%s", "NULL");
	memset(&a, 0, sizeof(a));
	a.qname = "a.example";
	a.qtype = DNS_T_MX;
	dns_answer_from_wire(&a, NULL, 0, 0);
	CHECK_INT(a.status, DNS_BADREPLY);
	dns_answer_free(&a);
	unit_case("%s", "");
}

void test_dns_reply_records(void)
{
	struct tmsg p;
	struct dns_answer a;

	/* a CNAME chain: records only at its end, canonical name reported */
	unit_case("%s", "CNAME chain");
	put_header(&p, 0x8180, 1, 4);
	put_question(&p, "mail.a.example", DNS_T_MX, 1);
	put_cname(&p, "mail.a.example", "b.example");
	put_cname(&p, "b.example", "c.example");
	put_mx(&p, "c.example", 5, "mx.c.example");
	put_mx(&p, "elsewhere.example", 1, "mx.elsewhere.example"); /* another owner */
	parse(&p, "mail.a.example", DNS_T_MX, 0, &a);
	CHECK_INT(a.status, DNS_OK);
	CHECK_INT(a.sec, SEC_INSECURE);
	CHECK_STR(a.canonical, "c.example");
	CHECK_INT(a.n, 1);
	if (a.n == 1)
		CHECK_STR(a.rr[0].name, "mx.c.example");
	dns_answer_free(&a);

	/* an MX record at a name that is not the one asked is not the answer */
	unit_case("%s", "record of another owner only");
	put_header(&p, 0x8180, 1, 1);
	put_question(&p, "a.example", DNS_T_MX, 1);
	put_mx(&p, "other.example", 10, "mx.other.example");
	parse(&p, "a.example", DNS_T_MX, 2, &a);
	CHECK_INT(a.status, DNS_OK);
	CHECK_INT(a.n, 0);
	CHECK_STR(a.canonical, "");
	dns_answer_free(&a);

	/* the validator's verdict: bogus stays bogus, with the data */
	unit_case("%s", "bogus");
	put_header(&p, 0x8180, 1, 1);
	put_question(&p, "a.example", DNS_T_MX, 1);
	put_mx(&p, "a.example", 0, "");
	parse(&p, "a.example", DNS_T_MX, 1, &a);
	CHECK_INT(a.status, DNS_OK);
	CHECK_INT(a.sec, SEC_BOGUS);
	CHECK_INT(a.n, 1);
	if (a.n == 1)
		CHECK_STR(a.rr[0].name, ""); /* null MX "0 ." */
	dns_answer_free(&a);

	/* NS records keep their target, lower case (the rpki probe's name servers) */
	unit_case("%s", "NS");
	put_header(&p, 0x8180, 1, 2);
	put_question(&p, "a.example", DNS_T_NS, 1);
	put_name_rr(&p, DNS_T_NS, "a.example", "NS1.Example");
	put_name_rr(&p, DNS_T_NS, "a.example", "ns2.a.example");
	parse(&p, "a.example", DNS_T_NS, 2, &a);
	CHECK_INT(a.status, DNS_OK);
	CHECK_INT(a.sec, SEC_SECURE);
	CHECK_INT(a.n, 2);
	if (a.n == 2) {
		CHECK_STR(a.rr[0].name, "ns1.example");
		CHECK_STR(a.rr[1].name, "ns2.a.example");
		CHECK_INT(a.rr[0].type, DNS_T_NS);
	}
	dns_answer_free(&a);
	unit_case("%s", "");

	/* CAA records keep flags, tag (lower case) and value (non-printables as '?') */
	unit_case("%s", "CAA");
	put_header(&p, 0x8180, 1, 2);
	put_question(&p, "mx.a.example", DNS_T_CAA, 1);
	put_caa(&p, "mx.a.example", 0, "Issue", "ca.example", 10);
	put_caa(&p, "mx.a.example", 128, "iodef", "x\001y", 3);
	parse(&p, "mx.a.example", DNS_T_CAA, 2, &a);
	CHECK_INT(a.status, DNS_OK);
	CHECK_INT(a.n, 2);
	if (a.n == 2) {
		CHECK_INT(a.rr[0].usage, 0);
		CHECK_STR(a.rr[0].txt, "issue ca.example");
		CHECK_INT(a.rr[1].usage, 128);
		CHECK_STR(a.rr[1].txt, "iodef x?y");
	}
	dns_answer_free(&a);
	unit_case("%s", "CAA with an empty tag: a reply refused");
	put_header(&p, 0x8180, 1, 1);
	put_question(&p, "mx.a.example", DNS_T_CAA, 1);
	put_caa(&p, "mx.a.example", 0, "", "ca.example", 10);
	parse(&p, "mx.a.example", DNS_T_CAA, 2, &a);
	CHECK_INT(a.status, DNS_BADREPLY);
	dns_answer_free(&a);
	unit_case("%s", "");

	/* a compression pointer to itself (a loop) in the question */
	unit_case("%s", "name pointer loop");
	put_header(&p, 0x8180, 1, 0);
	tmsg8(&p, 0xc0);
	tmsg8(&p, 12);
	tmsg16(&p, DNS_T_MX);
	tmsg16(&p, 1);
	parse(&p, "a.example", DNS_T_MX, 2, &a);
	CHECK_INT(a.status, DNS_BADREPLY);
	dns_answer_free(&a);

	/* one label "a.example" (the dot inside the label) is not two labels */
	unit_case("%s", "a dot inside a label");
	put_header(&p, 0x8180, 1, 0);
	tmsg8(&p, 9);
	memcpy(p.b + p.n, "a.example", 9);
	p.n += 9;
	tmsg8(&p, 0);
	tmsg16(&p, DNS_T_MX);
	tmsg16(&p, 1);
	parse(&p, "a.example", DNS_T_MX, 2, &a);
	CHECK_INT(a.status, DNS_BADREPLY);
	CHECK(strstr(a.error, "a\\046example") != NULL);
	dns_answer_free(&a);

	/* an MX record of the name asked whose data does not parse: the answer
	 * is unusable, not "no MX" */
	unit_case("%s", "malformed MX data");
	put_header(&p, 0x8180, 1, 1);
	put_question(&p, "a.example", DNS_T_MX, 1);
	tmsg_name(&p, "a.example");
	tmsg16(&p, DNS_T_MX);
	tmsg16(&p, 1);
	tmsg16(&p, 0);
	tmsg16(&p, 300);
	tmsg16(&p, 4);
	tmsg16(&p, 10);
	tmsg8(&p, 5); /* a label of 5 that the rdata cannot hold */
	tmsg8(&p, 'x');
	parse(&p, "a.example", DNS_T_MX, 2, &a);
	CHECK_INT(a.status, DNS_BADREPLY);
	CHECK_INT(a.n, 0);
	dns_answer_free(&a);
	unit_case("%s", "");

	CHECK_INT(dns_status_reason(DNS_TIMEOUT), R_DNS_TIMEOUT);
	CHECK_INT(dns_status_reason(DNS_SERVFAIL), R_DNS_ERROR);
	CHECK_INT(dns_status_reason(DNS_FAILURE), R_DNS_ERROR);
}

/* A record of type with ttl and rdlen zero bytes of data (the TTL is all
 * dns_wire_ttl reads). */
static void put_ttl_rr(struct tmsg *p, const char *owner, unsigned type, uint32_t ttl,
		       unsigned rdlen)
{
	tmsg_name(p, owner);
	tmsg16(p, type);
	tmsg16(p, 1);
	tmsg16(p, ttl >> 16);
	tmsg16(p, ttl & 0xffff);
	tmsg16(p, rdlen);
	while (rdlen-- > 0)
		tmsg8(p, 0);
}

/* How long dns.c's memo may keep a reply: the smallest TTL of the answer
 * and authority records, -1 when none says or the reply is malformed. */
void test_dns_wire_ttl(void)
{
	static const struct {
		const char *name;
		unsigned an, ns;      /* records in the answer, authority sections */
		uint32_t ttl[3];      /* theirs, in order */
		unsigned declared_ns; /* the header's authority count */
		int rc;
		uint32_t want;
	} cases[] = {
	    {"one answer record", 1, 0, {300}, 0, 0, 300},
	    {"NXDOMAIN: the SOA of the authority section", 0, 1, {60}, 1, 0, 60},
	    {"the smallest of answer and authority", 2, 1, {300, 300, 30}, 1, 0, 30},
	    {"no record at all: nothing says how long", 0, 0, {0}, 0, -1, 0},
	    {"a TTL with the top bit set is 0 (RFC 2181 8)", 1, 0, {0x80000001u}, 0, 0, 0},
	    {"more records declared than present", 0, 1, {60}, 2, -1, 0},
	};
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmsg p;
		uint32_t ttl = 12345;

		unit_case("%s", cases[i].name);
		put_header(&p, 0x8180, 1, cases[i].an);
		p.b[9] = (uint8_t)cases[i].declared_ns;
		put_question(&p, "a.example", DNS_T_MX, 1);
		for (k = 0; k < cases[i].an + cases[i].ns; k++)
			put_ttl_rr(&p, "a.example", k < cases[i].an ? DNS_T_MX : DNS_T_SOA,
				   cases[i].ttl[k], 3);
		CHECK_INT(dns_wire_ttl(p.b, p.n, &ttl), cases[i].rc);
		if (cases[i].rc == 0)
			CHECK_INT(ttl, cases[i].want);
	}
	unit_case("%s", "not a message");
	{
		uint32_t ttl;
		static const uint8_t junk[5] = {1, 2, 3, 4, 5};

		CHECK_INT(dns_wire_ttl(junk, sizeof(junk), &ttl), -1);
	}
	unit_case("%s", "");
}
