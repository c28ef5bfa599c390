/*
 * lab-signzones: sign many small zones in one process (tests/lab/lab.sh synth).
 *
 *   lab-signzones {-k KSK.pem -z ZSK.pem | -g} -i INCEPTION -e EXPIRATION -d DIR
 *                 [-n WORKERS -w WORKER] SOURCE...
 *
 * A SOURCE file holds zones one after the other, each starting with a line
 * "; zone NAME". Every zone is written, signed, to DIR/NAME.zone.signed: its
 * text as it was, the DNSKEY RRset of the two keys (ECDSA P-256, algorithm 13;
 * KSK flags 257, ZSK 256), an NSEC chain and the RRSIGs (DNSKEY signed by the
 * KSK, everything else by the ZSK; INCEPTION and EXPIRATION in seconds since
 * 1970). With -g every zone gets a KSK and a ZSK of its own, generated here,
 * as zones have in the world: a validator that keeps the keys it has parsed
 * must gain nothing from zones that share one. With -n/-w only the zones
 * number WORKER, WORKER + WORKERS, ... (from 0) are signed, so that WORKERS
 * processes can share a SOURCE. Prints the DS (SHA-256) of the KSK of each
 * zone signed, one line each:
 *     NAME.<TAB>IN<TAB>DS<TAB>TAG 13 2 HEX
 *
 * ldns-signzone does the same for one zone file, but as one process per zone
 * (about 4 ms each, most of it start-up and OpenSSL set-up); here a zone costs
 * its signatures, and the zones need no file each before they are signed.
 *
 * Only the zone-file subset that lab.sh writes is read: $ORIGIN and $TTL, one
 * record a line with its owner in the first column (@, relative or absolute),
 * optional TTL and class IN, and the types SOA NS MX A AAAA TXT TLSA CNAME CAA
 * (its value a "quoted" string without escapes), ';' comments. No delegations
 * (NS only at the apex), no wildcards. Anything else is an error, not a guess.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum {
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_MX = 15,
	T_TXT = 16,
	T_AAAA = 28,
	T_RRSIG = 46,
	T_NSEC = 47,
	T_DNSKEY = 48,
	T_TLSA = 52,
	T_CAA = 257
};

static const struct {
	const char *name;
	uint16_t type;
} types[] = {{"A", T_A},       {"NS", T_NS},         {"CNAME", T_CNAME}, {"SOA", T_SOA},
	     {"MX", T_MX},     {"TXT", T_TXT},       {"AAAA", T_AAAA},   {"RRSIG", T_RRSIG},
	     {"NSEC", T_NSEC}, {"DNSKEY", T_DNSKEY}, {"TLSA", T_TLSA},   {"CAA", T_CAA}};

static const char *type_name(uint16_t t)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].type == t)
			return types[i].name;
	return "?";
}

struct name {
	uint8_t wire[256]; /* lower case, uncompressed */
	int len;
};

struct rr {
	struct name owner;
	uint16_t type;
	uint32_t ttl;
	int rdlen;
	uint8_t rdata[1024];
};

struct key {
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *ctx;
	uint8_t rdata[4 + 64]; /* DNSKEY RDATA */
	uint16_t tag;
};

static const char *zone_file; /* for messages */
static int zone_line;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("lab-signzones: ", stderr);
	if (zone_file != NULL)
		fprintf(stderr, "%s:%d: ", zone_file, zone_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ------------------------------------------------------------ names */

/* Presentation NAME (absolute, or relative to ORIGIN; "@" = ORIGIN) to wire. */
static void name_parse(const char *s, const struct name *origin, struct name *out)
{
	if (strcmp(s, "@") == 0) {
		if (origin == NULL)
			die("@ without $ORIGIN");
		*out = *origin;
		return;
	}
	size_t n = strlen(s);
	if (n == 1 && s[0] == '.') {
		out->wire[0] = 0;
		out->len = 1;
		return;
	}
	int absolute = n > 0 && s[n - 1] == '.';
	int pos = 0;
	const char *p = s;
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63)
			die("bad name '%s'", s);
		if (pos + 1 + (int)l > 254)
			die("name too long '%s'", s);
		out->wire[pos++] = (uint8_t)l;
		for (size_t i = 0; i < l; i++) {
			if (p[i] == '\\' || p[i] == '*')
				die("unsupported name '%s'", s);
			out->wire[pos++] = (uint8_t)tolower((unsigned char)p[i]);
		}
		if (dot == NULL)
			break;
		p = dot + 1;
		if (*p == '\0')
			break;
	}
	if (absolute) {
		out->wire[pos++] = 0;
	} else {
		if (origin == NULL)
			die("relative name '%s' without $ORIGIN", s);
		if (pos + origin->len > 255)
			die("name too long '%s'", s);
		memcpy(out->wire + pos, origin->wire, (size_t)origin->len);
		pos += origin->len;
	}
	out->len = pos;
}

static int name_labels(const struct name *n)
{
	int c = 0;
	for (int p = 0; n->wire[p] != 0; p += n->wire[p] + 1)
		c++;
	return c;
}

static void name_str(const struct name *n, char *buf, size_t size)
{
	size_t o = 0;
	if (n->wire[0] == 0) {
		snprintf(buf, size, ".");
		return;
	}
	for (int p = 0; n->wire[p] != 0; p += n->wire[p] + 1) {
		int l = n->wire[p];
		if (o + (size_t)l + 2 > size)
			die("name too long");
		memcpy(buf + o, n->wire + p + 1, (size_t)l);
		o += (size_t)l;
		buf[o++] = '.';
	}
	buf[o] = '\0';
}

/* RFC 4034 6.1: compare label by label from the right. */
static int name_cmp(const struct name *a, const struct name *b)
{
	int la[128] = {0}, lb[128] = {0}, na = 0, nb = 0;
	for (int p = 0; a->wire[p] != 0; p += a->wire[p] + 1)
		la[na++] = p;
	for (int p = 0; b->wire[p] != 0; p += b->wire[p] + 1)
		lb[nb++] = p;
	while (na > 0 && nb > 0) {
		const uint8_t *x = a->wire + la[--na], *y = b->wire + lb[--nb];
		int n = x[0] < y[0] ? x[0] : y[0];
		int c = memcmp(x + 1, y + 1, (size_t)n);
		if (c != 0)
			return c;
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

/* ------------------------------------------------------------ rdata */

static void put8(struct rr *r, unsigned v)
{
	if (r->rdlen + 1 > (int)sizeof r->rdata)
		die("rdata too long");
	r->rdata[r->rdlen++] = (uint8_t)v;
}

static void put16(struct rr *r, unsigned v)
{
	put8(r, (v >> 8) & 0xff);
	put8(r, v & 0xff);
}

static void put32(struct rr *r, unsigned long v)
{
	put16(r, (unsigned)((v >> 16) & 0xffff));
	put16(r, (unsigned)(v & 0xffff));
}

static void put_bytes(struct rr *r, const uint8_t *p, int n)
{
	if (r->rdlen + n > (int)sizeof r->rdata)
		die("rdata too long");
	memcpy(r->rdata + r->rdlen, p, (size_t)n);
	r->rdlen += n;
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end = NULL;
	if (s == NULL || !isdigit((unsigned char)s[0]))
		die("number expected, got '%s'", s ? s : "(end of line)");
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		die("bad number '%s'", s);
	return v;
}

static void put_name(struct rr *r, const char *s, const struct name *origin)
{
	if (s == NULL)
		die("name expected");
	struct name n;
	name_parse(s, origin, &n);
	put_bytes(r, n.wire, n.len);
}

/* Split LINE into tokens: blanks separate, "..." is one token (quotes kept),
 * ';' outside quotes ends the line. */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == ';')
			break;
		if (*p == '(' || *p == ')')
			die("parentheses are not supported");
		if (n == max)
			die("too many fields");
		tok[n++] = p;
		if (*p == '"') {
			p++;
			while (*p != '\0' && *p != '"') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			if (*p != '"')
				die("unterminated string");
			p++;
		} else {
			while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' &&
			       *p != ';')
				p++;
		}
		if (*p == '\0')
			break;
		if (*p == ';') {
			*p = '\0';
			break;
		}
		*p++ = '\0';
	}
	return n;
}

/* A TXT character-string from a token ("quoted" or bare). */
static void put_charstring(struct rr *r, const char *t)
{
	uint8_t buf[256];
	int n = 0;
	int quoted = t[0] == '"';
	const char *p = t + quoted;
	size_t tl = strlen(t);
	const char *end = quoted ? t + tl - 1 : t + tl;
	while (p < end) {
		unsigned c = (unsigned char)*p++;
		if (c == '\\') {
			if (p + 2 < end + 1 && isdigit((unsigned char)p[0]) &&
			    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
				c = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 +
					       (p[2] - '0'));
				p += 3;
				if (c > 255)
					die("bad escape in '%s'", t);
			} else if (p < end) {
				c = (unsigned char)*p++;
			}
		}
		if (n == 255)
			die("character-string longer than 255 in '%s'", t);
		buf[n++] = (uint8_t)c;
	}
	put8(r, (unsigned)n);
	put_bytes(r, buf, n);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void parse_rdata(struct rr *r, uint16_t type, char **t, int n, const struct name *origin)
{
	r->rdlen = 0;
	switch (type) {
	case T_A: {
		struct in_addr a;
		if (n != 1 || inet_pton(AF_INET, t[0], &a) != 1)
			die("bad A");
		put_bytes(r, (const uint8_t *)&a, 4);
		break;
	}
	case T_AAAA: {
		struct in6_addr a;
		if (n != 1 || inet_pton(AF_INET6, t[0], &a) != 1)
			die("bad AAAA");
		put_bytes(r, (const uint8_t *)&a, 16);
		break;
	}
	case T_NS:
	case T_CNAME:
		if (n != 1)
			die("bad %s", type_name(type));
		put_name(r, t[0], origin);
		break;
	case T_MX:
		if (n != 2)
			die("bad MX");
		put16(r, (unsigned)num(t[0], 65535));
		put_name(r, t[1], origin);
		break;
	case T_SOA:
		if (n != 7)
			die("bad SOA (one line, no parentheses)");
		put_name(r, t[0], origin);
		put_name(r, t[1], origin);
		for (int i = 2; i < 7; i++)
			put32(r, num(t[i], 0xffffffffUL));
		break;
	case T_TXT:
		if (n < 1)
			die("bad TXT");
		for (int i = 0; i < n; i++)
			put_charstring(r, t[i]);
		break;
	case T_TLSA:
		if (n < 4)
			die("bad TLSA");
		put8(r, (unsigned)num(t[0], 255));
		put8(r, (unsigned)num(t[1], 255));
		put8(r, (unsigned)num(t[2], 255));
		for (int i = 3; i < n; i++) {
			size_t l = strlen(t[i]);
			if (l % 2 != 0)
				die("odd hex in TLSA");
			for (size_t j = 0; j < l; j += 2) {
				int hi = hexval((unsigned char)t[i][j]),
				    lo = hexval((unsigned char)t[i][j + 1]);
				if (hi < 0 || lo < 0)
					die("bad hex in TLSA");
				put8(r, (unsigned)(hi * 16 + lo));
			}
		}
		break;
	case T_CAA: {
		size_t tl, vl;
		const char *v;

		if (n != 3 || (tl = strlen(t[1])) < 1 || tl > 15)
			die("bad CAA");
		put8(r, (unsigned)num(t[0], 255));
		put8(r, (unsigned)tl);
		put_bytes(r, (const uint8_t *)t[1], (int)tl);
		v = t[2];
		vl = strlen(v);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		}
		if (memchr(v, '\\', vl))
			die("CAA value with an escape");
		put_bytes(r, (const uint8_t *)v, (int)vl);
		break;
	}
	default:
		die("unsupported type %s", type_name(type));
	}
}

static int parse_type(const char *s, uint16_t *type)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(types[i].name, s) == 0) {
			*type = types[i].type;
			return 1;
		}
	return 0;
}

static int is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* ------------------------------------------------------------ zone */

struct zone {
	struct rr *rr;
	size_t n, cap;
	char *text; /* the source, copied into the signed file */
	size_t tlen, tcap;
	struct name apex, origin;
	unsigned long ttl;
};

static struct rr *zone_add(struct zone *z)
{
	if (z->n == z->cap) {
		z->cap = z->cap ? z->cap * 2 : 64;
		z->rr = realloc(z->rr, z->cap * sizeof *z->rr);
		if (z->rr == NULL)
			die("out of memory");
	}
	struct rr *r = &z->rr[z->n++];
	memset(r, 0, offsetof(struct rr, rdata));
	return r;
}

static void zone_begin(struct zone *z, const char *name)
{
	char dot[300];
	size_t l = strlen(name);
	if (l == 0 || l > 253)
		die("bad zone name '%s'", name);
	snprintf(dot, sizeof dot, "%s%s", name, name[l - 1] == '.' ? "" : ".");
	name_parse(dot, NULL, &z->apex);
	z->origin = z->apex;
	z->ttl = 3600;
	z->n = 0;
	z->tlen = 0;
}

/* One line of the zone's source (LINE is changed). */
static void zone_feed(struct zone *z, char *line)
{
	size_t l = strlen(line);
	if (z->tlen + l + 1 > z->tcap) {
		z->tcap = (z->tlen + l + 1) * 2;
		z->text = realloc(z->text, z->tcap);
		if (z->text == NULL)
			die("out of memory");
	}
	memcpy(z->text + z->tlen, line, l);
	z->tlen += l;

	if (line[0] == ' ' || line[0] == '\t') {
		char *p = line + strspn(line, " \t\r\n");
		if (*p == '\0' || *p == ';')
			return;
		die("a record without an owner is not supported");
	}
	char *t[64];
	int n = tokenize(line, t, 64);
	if (n == 0)
		return;
	if (strcmp(t[0], "$ORIGIN") == 0) {
		if (n != 2)
			die("bad $ORIGIN");
		name_parse(t[1], NULL, &z->origin);
		return;
	}
	if (strcmp(t[0], "$TTL") == 0) {
		if (n != 2)
			die("bad $TTL");
		z->ttl = num(t[1], 0x7fffffffUL);
		return;
	}
	if (t[0][0] == '$')
		die("unsupported directive %s", t[0]);
	struct rr *r = zone_add(z);
	name_parse(t[0], &z->origin, &r->owner);
	r->ttl = (uint32_t)z->ttl;
	int i = 1;
	for (; i < n; i++) {
		if (is_number(t[i]))
			r->ttl = (uint32_t)num(t[i], 0x7fffffffUL);
		else if (strcasecmp(t[i], "IN") == 0)
			continue;
		else
			break;
	}
	if (i >= n || !parse_type(t[i], &r->type))
		die("unknown or missing type");
	parse_rdata(r, r->type, t + i + 1, n - i - 1, &z->origin);
	if (r->type == T_DNSKEY)
		die("DNSKEY records are added here, not read");
	if (r->type == T_NS && name_cmp(&r->owner, &z->apex) != 0)
		die("NS below the apex (a delegation) is not supported");
	if (r->owner.len < z->apex.len || memcmp(r->owner.wire + r->owner.len - z->apex.len,
						 z->apex.wire, (size_t)z->apex.len) != 0)
		die("owner outside the zone");
}

static int rr_cmp(const void *pa, const void *pb)
{
	const struct rr *a = pa, *b = pb;
	int c = name_cmp(&a->owner, &b->owner);
	if (c != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	int n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	c = memcmp(a->rdata, b->rdata, (size_t)n);
	if (c != 0)
		return c;
	return a->rdlen == b->rdlen ? 0 : (a->rdlen < b->rdlen ? -1 : 1);
}

/* ------------------------------------------------------------ keys, signing */

static uint16_t key_tag(const uint8_t *rdata, int len)
{
	unsigned long ac = 0;
	for (int i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (unsigned long)rdata[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

/* K from its private key PKEY (K owns it), with the DNSKEY flags FLAGS. */
static void key_set(struct key *k, EVP_PKEY *pkey, unsigned flags, const char *what)
{
	k->pkey = pkey;
	char group[64];
	size_t glen = 0;
	if (!EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
					    sizeof group, &glen) ||
	    strcmp(group, "prime256v1") != 0)
		die("%s: not an EC P-256 key", what);
	uint8_t pub[65];
	size_t plen = 0;
	if (!EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub,
					     &plen) ||
	    plen != 65 || pub[0] != 4)
		die("%s: cannot get the public key", what);
	k->rdata[0] = (uint8_t)(flags >> 8);
	k->rdata[1] = (uint8_t)flags;
	k->rdata[2] = 3;
	k->rdata[3] = 13;
	memcpy(k->rdata + 4, pub + 1, 64);
	k->tag = key_tag(k->rdata, (int)sizeof k->rdata);
	k->ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (k->ctx == NULL || EVP_PKEY_sign_init(k->ctx) <= 0)
		die("%s: cannot set up signing", what);
}

static void key_load(struct key *k, const char *path, unsigned flags)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		die("cannot read %s: %s", path, strerror(errno));
	EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pkey == NULL)
		die("%s: not a PEM private key", path);
	key_set(k, pkey, flags, path);
}

/* A fresh P-256 key pair (-g). */
static void key_generate(struct key *k, unsigned flags)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (pkey == NULL)
		die("cannot generate a P-256 key");
	key_set(k, pkey, flags, "a generated key");
}

static void key_free(struct key *k)
{
	EVP_PKEY_CTX_free(k->ctx);
	EVP_PKEY_free(k->pkey);
	k->ctx = NULL;
	k->pkey = NULL;
}

/* ECDSA P-256 over SHA-256 of DATA, as DNSSEC wants it: r || s, 64 bytes. */
static void sign(struct key *k, const uint8_t *data, size_t len, uint8_t out[64])
{
	uint8_t md[SHA256_DIGEST_LENGTH];
	SHA256(data, len, md);
	uint8_t der[128];
	size_t dlen = sizeof der;
	if (EVP_PKEY_sign(k->ctx, der, &dlen, md, sizeof md) <= 0)
		die("signing failed");
	const uint8_t *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	if (sig == NULL)
		die("bad signature encoding");
	const BIGNUM *r, *s;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
		die("bad signature size");
	ECDSA_SIG_free(sig);
}

static void b64(const uint8_t *p, int n, char *out) { EVP_EncodeBlock((unsigned char *)out, p, n); }

static void fmt_time(uint32_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y%m%d%H%M%S", &tm);
}

/* Sign the RRset rr[from..to) (same owner and type), print the RRSIG. */
static void sign_rrset(FILE *out, const struct rr *rr, size_t from, size_t to, struct key *k,
		       const struct name *apex, uint32_t inc, uint32_t exp)
{
	static uint8_t buf[65536];
	size_t o = 0;
	const struct rr *first = &rr[from];
	uint32_t ttl = first->ttl;
	int labels = name_labels(&first->owner);
	/* RRSIG RDATA without the signature */
	buf[o++] = (uint8_t)(first->type >> 8);
	buf[o++] = (uint8_t)first->type;
	buf[o++] = 13;
	buf[o++] = (uint8_t)labels;
	for (int s = 24; s >= 0; s -= 8)
		buf[o++] = (uint8_t)(ttl >> s);
	for (int s = 24; s >= 0; s -= 8)
		buf[o++] = (uint8_t)(exp >> s);
	for (int s = 24; s >= 0; s -= 8)
		buf[o++] = (uint8_t)(inc >> s);
	buf[o++] = (uint8_t)(k->tag >> 8);
	buf[o++] = (uint8_t)k->tag;
	memcpy(buf + o, apex->wire, (size_t)apex->len);
	o += (size_t)apex->len;
	for (size_t i = from; i < to; i++) {
		const struct rr *r = &rr[i];
		if (o + (size_t)r->owner.len + 10 + (size_t)r->rdlen > sizeof buf)
			die("RRset too large");
		memcpy(buf + o, r->owner.wire, (size_t)r->owner.len);
		o += (size_t)r->owner.len;
		buf[o++] = (uint8_t)(r->type >> 8);
		buf[o++] = (uint8_t)r->type;
		buf[o++] = 0;
		buf[o++] = 1; /* IN */
		for (int s = 24; s >= 0; s -= 8)
			buf[o++] = (uint8_t)(ttl >> s);
		buf[o++] = (uint8_t)(r->rdlen >> 8);
		buf[o++] = (uint8_t)r->rdlen;
		memcpy(buf + o, r->rdata, (size_t)r->rdlen);
		o += (size_t)r->rdlen;
	}
	uint8_t sig[64];
	sign(k, buf, o, sig);
	char owner[300], signer[300], sb64[100], es[20], is[20];
	name_str(&first->owner, owner, sizeof owner);
	name_str(apex, signer, sizeof signer);
	b64(sig, 64, sb64);
	fmt_time(exp, es, sizeof es);
	fmt_time(inc, is, sizeof is);
	fprintf(out, "%s\t%u\tIN\tRRSIG\t%s 13 %d %u %s %s %u %s %s\n", owner, ttl,
		type_name(first->type), labels, ttl, es, is, k->tag, signer, sb64);
}

static void sign_zone(const char *dir, struct zone *zp, struct key *ksk, struct key *zsk,
		      uint32_t inc, uint32_t exp)
{
	struct key gen[2];
	if (ksk == NULL) { /* -g: keys of its own */
		key_generate(&gen[0], 257);
		key_generate(&gen[1], 256);
		ksk = &gen[0];
		zsk = &gen[1];
	}
	char zname[300], outp[4096], tmp[4200];
	name_str(&zp->apex, zname, sizeof zname);
	if (snprintf(outp, sizeof outp, "%s/%szone.signed", dir, zname) >= (int)sizeof outp ||
	    snprintf(tmp, sizeof tmp, "%s.tmp", outp) >= (int)sizeof tmp)
		die("path too long");
	struct zone z = *zp; /* z.rr may move: written back at the end */
	struct name apex = z.apex;

	/* the SOA: its TTL for DNSKEY, min(TTL, MINIMUM) for NSEC (RFC 9077) */
	uint32_t soa_ttl = 0, nsec_ttl = 0;
	int have_soa = 0;
	for (size_t i = 0; i < z.n; i++)
		if (z.rr[i].type == T_SOA && name_cmp(&z.rr[i].owner, &apex) == 0) {
			const struct rr *s = &z.rr[i];
			const uint8_t *m = s->rdata + s->rdlen - 4;
			uint32_t minimum = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
					   (uint32_t)m[2] << 8 | m[3];
			soa_ttl = s->ttl;
			nsec_ttl = s->ttl < minimum ? s->ttl : minimum;
			have_soa++;
		}
	if (have_soa != 1)
		die("zone %s needs exactly one SOA at its apex", zname);

	/* DNSKEY RRset */
	struct key *keys[2] = {ksk, zsk};
	for (int i = 0; i < 2; i++) {
		struct rr *r = zone_add(&z);
		r->owner = apex;
		r->type = T_DNSKEY;
		r->ttl = soa_ttl;
		r->rdlen = 0;
		put_bytes(r, keys[i]->rdata, (int)sizeof keys[i]->rdata);
	}

	/* canonical order, without duplicates; one TTL per RRset */
	qsort(z.rr, z.n, sizeof *z.rr, rr_cmp);
	size_t w = 0;
	for (size_t i = 0; i < z.n; i++) {
		if (w > 0 && rr_cmp(&z.rr[w - 1], &z.rr[i]) == 0)
			continue;
		if (i != w)
			z.rr[w] = z.rr[i];
		w++;
	}
	z.n = w;

	/* NSEC chain: one per owner, to the next owner (the last to the apex) */
	size_t nrr = z.n;
	size_t owners_start[4096], nowners = 0;
	for (size_t i = 0; i < nrr; i++)
		if (i == 0 || name_cmp(&z.rr[i - 1].owner, &z.rr[i].owner) != 0) {
			if (nowners == sizeof owners_start / sizeof owners_start[0])
				die("too many names in %s", zname);
			owners_start[nowners++] = i;
		}
	if (nowners == 0 || name_cmp(&z.rr[0].owner, &apex) != 0)
		die("%s: the apex is not the first name", zname);
	for (size_t o = 0; o < nowners; o++) {
		size_t from = owners_start[o], to = o + 1 < nowners ? owners_start[o + 1] : nrr;
		/* copies: zone_add may move z.rr */
		struct name own = z.rr[from].owner;
		struct name next = z.rr[o + 1 < nowners ? owners_start[o + 1] : 0].owner;
		uint8_t bitmap[2][32] = {{0}}; /* windows 0 and 1 (CAA) */
		int maxbyte[2] = {0, 0};
		uint16_t present[64];
		int np = 0;
		for (size_t i = from; i < to; i++)
			if (np == 0 || present[np - 1] != z.rr[i].type) {
				if (np == 62)
					die("too many types at one name");
				present[np++] = z.rr[i].type;
			}
		present[np++] = T_RRSIG;
		present[np++] = T_NSEC;
		for (int i = 0; i < np; i++) {
			int win = present[i] >> 8, lo = present[i] & 0xff;

			if (win > 1)
				die("type %u beyond window 1", present[i]);
			bitmap[win][lo / 8] |= (uint8_t)(0x80 >> (lo % 8));
			if (lo / 8 + 1 > maxbyte[win])
				maxbyte[win] = lo / 8 + 1;
		}
		struct rr *r = zone_add(&z);
		r->owner = own;
		r->type = T_NSEC;
		r->ttl = nsec_ttl;
		r->rdlen = 0;
		put_bytes(r, next.wire, next.len);
		for (int win = 0; win < 2; win++)
			if (maxbyte[win]) {
				put8(r, (unsigned)win);
				put8(r, (unsigned)maxbyte[win]);
				put_bytes(r, bitmap[win], maxbyte[win]);
			}
	}

	FILE *out = fopen(tmp, "w");
	if (out == NULL)
		die("cannot write %s: %s", tmp, strerror(errno));
	/* the zone as it was */
	fwrite(z.text, 1, z.tlen, out);
	fprintf(out, "; signed by lab-signzones\n");
	char owner[300], nb[300], kb64[100];
	name_str(&apex, owner, sizeof owner);
	for (int i = 0; i < 2; i++) {
		b64(keys[i]->rdata + 4, 64, kb64);
		fprintf(out, "%s\t%u\tIN\tDNSKEY\t%u 3 13 %s\n", owner, soa_ttl,
			(unsigned)(keys[i]->rdata[0] << 8 | keys[i]->rdata[1]), kb64);
	}
	for (size_t i = nrr; i < z.n; i++) {
		const struct rr *r = &z.rr[i];
		struct name nx;
		memcpy(nx.wire, r->rdata, 256 < r->rdlen ? 256 : (size_t)r->rdlen);
		int p = 0;
		while (nx.wire[p] != 0)
			p += nx.wire[p] + 1;
		nx.len = p + 1;
		name_str(&r->owner, owner, sizeof owner);
		name_str(&nx, nb, sizeof nb);
		fprintf(out, "%s\t%u\tIN\tNSEC\t%s", owner, r->ttl, nb);
		for (int o = nx.len; o + 2 <= r->rdlen;) { /* each window */
			int win = r->rdata[o], bl = r->rdata[o + 1];
			const uint8_t *bm = r->rdata + o + 2;

			for (int b = 0; b < bl * 8; b++)
				if (bm[b / 8] & (0x80 >> (b % 8)))
					fprintf(out, " %s", type_name((uint16_t)(win << 8 | b)));
			o += 2 + bl;
		}
		fputc('\n', out);
	}
	/* the NSEC records belong in the canonical order too */
	qsort(z.rr, z.n, sizeof *z.rr, rr_cmp);
	for (size_t i = 0; i < z.n;) {
		size_t j = i + 1;
		while (j < z.n && z.rr[j].type == z.rr[i].type &&
		       name_cmp(&z.rr[j].owner, &z.rr[i].owner) == 0)
			j++;
		sign_rrset(out, z.rr, i, j, z.rr[i].type == T_DNSKEY ? ksk : zsk, &apex, inc, exp);
		i = j;
	}
	if (fclose(out) != 0)
		die("cannot write %s", tmp);
	if (rename(tmp, outp) != 0)
		die("cannot rename %s: %s", tmp, strerror(errno));

	/* the DS of the KSK */
	uint8_t dsin[256 + sizeof ksk->rdata], md[SHA256_DIGEST_LENGTH];
	memcpy(dsin, apex.wire, (size_t)apex.len);
	memcpy(dsin + apex.len, ksk->rdata, sizeof ksk->rdata);
	SHA256(dsin, (size_t)apex.len + sizeof ksk->rdata, md);
	name_str(&apex, owner, sizeof owner);
	printf("%s\tIN\tDS\t%u 13 2 ", owner, ksk->tag);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		printf("%02X", md[i]);
	putchar('\n');
	zp->rr = z.rr;
	zp->cap = z.cap;
	if (ksk == &gen[0]) {
		key_free(&gen[0]);
		key_free(&gen[1]);
	}
}

int main(int argc, char **argv)
{
	const char *kskf = NULL, *zskf = NULL, *dir = ".";
	unsigned long inc = 0, exp = 0, workers = 1, worker = 0;
	int opt, usage = 0, generate = 0;
	while ((opt = getopt(argc, argv, "k:z:gi:e:d:n:w:")) != -1) {
		switch (opt) {
		case 'g':
			generate = 1;
			break;
		case 'k':
			kskf = optarg;
			break;
		case 'z':
			zskf = optarg;
			break;
		case 'i':
			inc = num(optarg, 0xffffffffUL);
			break;
		case 'e':
			exp = num(optarg, 0xffffffffUL);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'n':
			workers = num(optarg, 1024);
			break;
		case 'w':
			worker = num(optarg, 1023);
			break;
		default:
			usage = 1;
			break;
		}
	}
	if (usage || (generate ? kskf != NULL || zskf != NULL : kskf == NULL || zskf == NULL) ||
	    inc == 0 || exp <= inc || workers == 0 || worker >= workers || optind >= argc) {
		fprintf(stderr, "usage: lab-signzones {-k KSK.pem -z ZSK.pem | -g} -i INCEPTION "
				"-e EXPIRATION [-d DIR] [-n WORKERS -w WORKER] SOURCE...\n");
		return 2;
	}
	struct key ksk = {0}, zsk = {0}, *kp = NULL, *zp = NULL;
	if (!generate) {
		key_load(&ksk, kskf, 257);
		key_load(&zsk, zskf, 256);
		kp = &ksk;
		zp = &zsk;
	}
	/* whole lines: several of us may share one stdout */
	setvbuf(stdout, NULL, _IOLBF, 0);

	struct zone z = {0};
	unsigned long index = 0;
	int active = 0; /* a zone of ours is being read */
	char line[4096];
	for (int a = optind; a < argc; a++) {
		FILE *f = fopen(argv[a], "r");
		if (f == NULL)
			die("cannot read %s: %s", argv[a], strerror(errno));
		zone_file = argv[a];
		zone_line = 0;
		int seen = 0; /* a "; zone" line in this file */
		while (fgets(line, sizeof line, f) != NULL) {
			zone_line++;
			if (strchr(line, '\n') == NULL && !feof(f))
				die("line too long");
			if (strncmp(line, "; zone ", 7) == 0) {
				if (active)
					sign_zone(dir, &z, kp, zp, (uint32_t)inc, (uint32_t)exp);
				active = index++ % workers == worker;
				seen = 1;
				if (active) {
					char *nm = line + 7;
					nm[strcspn(nm, " \t\r\n")] = '\0';
					zone_begin(&z, nm);
				}
				continue;
			}
			if (!seen) {
				char *p = line + strspn(line, " \t\r\n");
				if (*p != '\0' && *p != ';')
					die("records before the first '; zone NAME' line");
				continue;
			}
			if (active)
				zone_feed(&z, line);
		}
		fclose(f);
		if (active)
			sign_zone(dir, &z, kp, zp, (uint32_t)inc, (uint32_t)exp);
		active = 0;
	}
	zone_file = NULL;
	if (fflush(stdout) != 0)
		die("cannot write the DS records");
	free(z.rr);
	free(z.text);
	key_free(&ksk);
	key_free(&zsk);
	return 0;
}
