/*
 * ncsc_hello.c - hand-made ClientHellos and the parse of the server's
 * answer (see ncsc_hello.h). Wire formats: RFC 5246 §6.2 (records), §7.4.1
 * (hellos), RFC 6101 (SSL 3.0), RFC 6066 §3 (server_name), RFC 8422 §5.1
 * (supported_groups, ec_point_formats), RFC 7627 (extended master
 * secret), RFC 5746 (renegotiation_info).
 */
#include "ncsc_hello.h"

#include <stdio.h>
#include <string.h>

#define ROW(code, name, fam)                                                                       \
	{                                                                                          \
		code, name, NCSC_RF_##fam                                                          \
	}

/* Suites Debian's OpenSSL 3.0 cannot offer. Every one is insufficient by
 * the NCSC guidelines (not in appendix B); ncsc.c skips a row when the
 * OpenSSL at hand does have it. */
const struct ncsc_raw_suite ncsc_raw_suites[] = {
    ROW(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", 3DES),
    ROW(0x0005, "TLS_RSA_WITH_RC4_128_SHA", RC4),
    ROW(0x0004, "TLS_RSA_WITH_RC4_128_MD5", RC4),
    ROW(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", RC4),
    ROW(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", RC4),
    ROW(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", RC4),
    ROW(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", RC4),
    ROW(0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", RC4),
    ROW(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", RC4),
    ROW(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", DES),
    ROW(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", DES),
    ROW(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", DES),
    ROW(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", DES),
    ROW(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", EXPORT),
    ROW(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", EXPORT),
    ROW(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", EXPORT),
    ROW(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", EXPORT),
    ROW(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", EXPORT),
    ROW(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", EXPORT),
    ROW(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", EXPORT),
    ROW(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", IDEA),
    ROW(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", SEED),
    ROW(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", SEED),
    ROW(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", SEED),
    ROW(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", STATIC_DH),
    ROW(0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", STATIC_DH),
    ROW(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", STATIC_DH),
    ROW(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", STATIC_DH),
    ROW(0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", STATIC_DH),
    ROW(0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", STATIC_DH),
    ROW(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", STATIC_DH),
    ROW(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", STATIC_DH),
    ROW(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", STATIC_DH),
    ROW(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", STATIC_DH),
};
const size_t ncsc_nraw_suites = sizeof(ncsc_raw_suites) / sizeof(ncsc_raw_suites[0]);

_Static_assert(sizeof(ncsc_raw_suites) / sizeof(ncsc_raw_suites[0]) <= 64,
	       "sets of raw suites are one uint64_t");

const char *ncsc_raw_family_name(unsigned family)
{
	static const char *const names[NCSC_RF_COUNT] = {"3DES", "RC4",  "DES",           "export",
							 "IDEA", "SEED", "static DH/ECDH"};

	return family < NCSC_RF_COUNT ? names[family] : "other";
}

int ncsc_raw_find(uint16_t code)
{
	size_t i;

	for (i = 0; i < ncsc_nraw_suites; i++)
		if (ncsc_raw_suites[i].code == code)
			return (int)i;
	return -1;
}

/* ---- building ---- */

struct wbuf {
	uint8_t *p;
	size_t cap, len;
	bool over;
};

static void w8(struct wbuf *w, unsigned v)
{
	if (w->len >= w->cap) {
		w->over = true;
		return;
	}
	w->p[w->len++] = (uint8_t)v;
}

static void w16(struct wbuf *w, unsigned v)
{
	w8(w, (v >> 8) & 0xff);
	w8(w, v & 0xff);
}

static void wbytes(struct wbuf *w, const void *src, size_t n)
{
	if (n > w->cap - w->len || w->len > w->cap) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

/* Write a 16-bit length at offset at: the bytes written since at + 2. */
static void wlen16(struct wbuf *w, size_t at)
{
	size_t n = w->len - at - 2;

	if (w->over || n > 0xffff) {
		w->over = true;
		return;
	}
	w->p[at] = (uint8_t)(n >> 8);
	w->p[at + 1] = (uint8_t)n;
}

/* Groups a server may pick for ECDHE or DHE: the good ones first, then
 * what old servers know, so that legacy ECDHE suites can be chosen. */
static const uint16_t hello_groups[] = {
    0x001d, /* x25519 */ 0x0017,          /* secp256r1 */ 0x0018, /* secp384r1 */
    0x0019, /* secp521r1 */ 0x001e,       /* x448 */ 0x001a,      /* brainpoolP256r1 */
    0x001b, /* brainpoolP384r1 */ 0x001c,                         /* brainpoolP512r1 */
    0x0015, /* secp224r1 */ 0x0016,       /* secp256k1 */ 0x0013, /* secp192r1 */
    0x0100, /* ffdhe2048 */ 0x0101,       /* ffdhe3072 */ 0x0102, /* ffdhe4096 */
};

/* Every signature scheme a server might need, SHA-1 and SHA-224 too. */
static const uint16_t hello_sigalgs[] = {
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0401,
    0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202, 0x0402, 0x0502, 0x0602,
};

int ncsc_hello_build(uint8_t *out, size_t cap, int version, const uint16_t *codes, size_t n,
		     bool compress, const char *sni, const uint8_t random[32])
{
	struct wbuf w = {out, cap, 0, false};
	size_t rec, hs, at, ext, i, snilen = sni ? strlen(sni) : 0;
	bool tls = version > 0x0300;

	if (version < 0x0300 || version > 0x0303 || n == 0 || n > 512 || snilen > 253)
		return -1;
	/* record header: handshake, 3.0 for SSL 3.0 hellos, else 3.1 (what
	 * servers expect in a first record) */
	w8(&w, 22);
	w16(&w, tls ? 0x0301 : 0x0300);
	rec = w.len;
	w16(&w, 0);
	/* handshake header: client_hello, 24-bit length (filled below) */
	w8(&w, 1);
	hs = w.len;
	w8(&w, 0);
	w16(&w, 0);
	w16(&w, (unsigned)version);
	wbytes(&w, random, 32);
	w8(&w, 0); /* no session id */
	w16(&w, (unsigned)(n * 2));
	for (i = 0; i < n; i++)
		w16(&w, codes[i]);
	if (compress) {
		w8(&w, 2);
		w8(&w, 1); /* DEFLATE (RFC 3749) */
		w8(&w, 0);
	} else {
		w8(&w, 1);
		w8(&w, 0);
	}
	if (tls) {
		ext = w.len;
		w16(&w, 0);
		if (snilen > 0) {
			w16(&w, 0x0000);
			w16(&w, (unsigned)snilen + 5);
			w16(&w, (unsigned)snilen + 3);
			w8(&w, 0); /* host_name */
			w16(&w, (unsigned)snilen);
			wbytes(&w, sni, snilen);
		}
		w16(&w, 0x000a);
		at = w.len;
		w16(&w, 0);
		w16(&w, (unsigned)sizeof(hello_groups));
		for (i = 0; i < sizeof(hello_groups) / sizeof(hello_groups[0]); i++)
			w16(&w, hello_groups[i]);
		wlen16(&w, at);
		w16(&w, 0x000b); /* ec_point_formats: uncompressed */
		w16(&w, 2);
		w8(&w, 1);
		w8(&w, 0);
		if (version >= 0x0303) { /* signature_algorithms is TLS 1.2's */
			w16(&w, 0x000d);
			at = w.len;
			w16(&w, 0);
			w16(&w, (unsigned)sizeof(hello_sigalgs));
			for (i = 0; i < sizeof(hello_sigalgs) / sizeof(hello_sigalgs[0]); i++)
				w16(&w, hello_sigalgs[i]);
			wlen16(&w, at);
		}
		w16(&w, 0x0017); /* extended_master_secret */
		w16(&w, 0);
		w16(&w, 0xff01); /* renegotiation_info, initial: empty */
		w16(&w, 1);
		w8(&w, 0);
		wlen16(&w, ext);
	}
	if (w.over)
		return -1;
	/* the lengths */
	i = w.len - hs - 3;
	out[hs] = (uint8_t)(i >> 16);
	out[hs + 1] = (uint8_t)(i >> 8);
	out[hs + 2] = (uint8_t)i;
	wlen16(&w, rec);
	return w.over || w.len > NCSC_HELLO_MAX ? -1 : (int)w.len;
}

/* ---- parsing ---- */

static enum ncsc_hello_res garbage(struct ncsc_server_hello *sh, const char *why)
{
	(void)snprintf(sh->why, sizeof(sh->why), "%s", why);
	return NCSC_HELLO_GARBAGE;
}

/* The ServerHello body (len bytes). */
static enum ncsc_hello_res parse_server_hello(const uint8_t *b, size_t len,
					      struct ncsc_server_hello *sh)
{
	size_t off, sid, elen, end;

	if (len < 2 + 32 + 1)
		return garbage(sh, "ServerHello too short");
	sh->version = (b[0] << 8) | b[1];
	if (b[0] != 3 || b[1] > 3)
		return garbage(sh, "ServerHello with an unknown version");
	off = 34;
	sid = b[off++];
	if (sid > 32 || off + sid + 3 > len)
		return garbage(sh, "ServerHello: bad session id");
	off += sid;
	sh->suite = (uint16_t)((b[off] << 8) | b[off + 1]);
	sh->compression = b[off + 2];
	off += 3;
	if (off == len)
		return NCSC_HELLO_SERVER_HELLO; /* no extensions */
	if (off + 2 > len)
		return garbage(sh, "ServerHello: bad extensions length");
	elen = (size_t)((b[off] << 8) | b[off + 1]);
	off += 2;
	if (off + elen != len)
		return garbage(sh, "ServerHello: extensions do not fill the message");
	end = off + elen;
	while (off < end) {
		unsigned type;
		size_t l;

		if (off + 4 > end)
			return garbage(sh, "ServerHello: truncated extension");
		type = (unsigned)((b[off] << 8) | b[off + 1]);
		l = (size_t)((b[off + 2] << 8) | b[off + 3]);
		off += 4;
		if (off + l > end)
			return garbage(sh, "ServerHello: extension longer than the message");
		if (type == 0xff01)
			sh->reneg_info = true;
		else if (type == 0x0017)
			sh->ems = true;
		off += l;
	}
	return NCSC_HELLO_SERVER_HELLO;
}

enum ncsc_hello_res ncsc_hello_parse(const uint8_t *in, size_t len, struct ncsc_server_hello *sh)
{
	uint8_t hs[4096];
	size_t off = 0, nhs = 0, need = 0;

	memset(sh, 0, sizeof(*sh));
	for (;;) {
		size_t rlen, take;
		unsigned type;

		if (off + 5 > len)
			return NCSC_HELLO_MORE;
		type = in[off];
		if ((type != 21 && type != 22) || in[off + 1] != 3)
			return garbage(sh, off == 0 ? "the answer is not TLS"
						    : "a record that is not a handshake");
		rlen = (size_t)((in[off + 3] << 8) | in[off + 4]);
		if (rlen == 0 || rlen > 16384 + 2048)
			return garbage(sh, "a record with a bad length");
		if (type == 21) {
			if (nhs > 0)
				return garbage(sh, "an alert inside the ServerHello");
			if (off + 5 + rlen > len || off + 5 + 2 > len)
				return NCSC_HELLO_MORE;
			if (in[off + 5] == 1 && in[off + 6] != 0 && rlen == 2) {
				/* a warning (unrecognized_name from some old servers)
				 * before the ServerHello: not an answer yet */
				off += 5 + rlen;
				continue;
			}
			sh->alert_level = in[off + 5];
			sh->alert_desc = in[off + 6];
			return NCSC_HELLO_ALERT;
		}
		/* handshake: append what there is of this record */
		take = len - off - 5 < rlen ? len - off - 5 : rlen;
		if (take > sizeof(hs) - nhs)
			take = sizeof(hs) - nhs;
		memcpy(hs + nhs, in + off + 5, take);
		nhs += take;
		if (nhs >= 4 && need == 0) {
			if (hs[0] != 2)
				return garbage(sh,
					       "the first handshake message is not a ServerHello");
			need = 4 + (((size_t)hs[1] << 16) | ((size_t)hs[2] << 8) | hs[3]);
			if (need > sizeof(hs))
				return garbage(sh, "ServerHello too long");
		}
		if (need > 0 && nhs >= need)
			return parse_server_hello(hs + 4, need - 4, sh);
		if (len - off - 5 < rlen)
			return NCSC_HELLO_MORE; /* the rest of this record is still to come */
		off += 5 + rlen;
	}
}
