/*
 * ncsc_hello.h - hand-made ClientHellos for what this OpenSSL cannot offer
 * (tls_ncsc, SPEC §3): SSL 3.0, TLS compression, and the cipher suites
 * Debian's OpenSSL 3.0 no longer has (3DES, RC4, single DES, export, IDEA,
 * SEED, static DH/ECDH). A server that still accepts them must not pass
 * because our client could not ask.
 *
 * A ClientHello is built here and sent after STARTTLS; the server's first
 * records are parsed until its ServerHello (the version, suite and
 * compression method it chose, and whether it answered the secure
 * renegotiation and extended master secret extensions) or an alert. No
 * handshake is completed: the choice is all that is measured, and the
 * connection is closed after it, as scanners such as sslyze and testssl do.
 *
 * Pure functions without I/O, so the unit tests cover them with byte
 * strings.
 */
#ifndef MAILSCAN_NCSC_HELLO_H
#define MAILSCAN_NCSC_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A suite only a hand-made ClientHello can offer. */
struct ncsc_raw_suite {
	uint16_t code;    /* IANA code point */
	const char *iana; /* IANA name */
	unsigned family;  /* enum ncsc_raw_family */
};

enum ncsc_raw_family {
	NCSC_RF_3DES,
	NCSC_RF_RC4,
	NCSC_RF_DES,
	NCSC_RF_EXPORT,
	NCSC_RF_IDEA,
	NCSC_RF_SEED,
	NCSC_RF_STATIC_DH,
	NCSC_RF_COUNT
};

/* The table (at most 64 rows: sets of it are one uint64_t). */
extern const struct ncsc_raw_suite ncsc_raw_suites[];
extern const size_t ncsc_nraw_suites;

/* "3DES", "RC4", "DES", "export", "IDEA", "SEED", "static DH/ECDH". */
const char *ncsc_raw_family_name(unsigned family);

/* Index of a code point in ncsc_raw_suites, -1 when not there. */
int ncsc_raw_find(uint16_t code);

/* The longest ClientHello record built here. */
#define NCSC_HELLO_MAX 2048

/*
 * Write one TLS record holding a ClientHello to out (cap bytes): client
 * version `version` (OpenSSL's SSL3_VERSION .. TLS1_2_VERSION), the n
 * suites in codes in that order, compression methods DEFLATE and null when
 * compress (else null only), and for TLS the extensions a server needs to
 * pick any suite: server_name (when sni is not empty), supported_groups,
 * ec_point_formats, signature_algorithms, extended_master_secret and
 * renegotiation_info. SSL 3.0 hellos carry no extensions. random: 32 bytes.
 * Returns the length, or -1 when the arguments do not fit.
 */
int ncsc_hello_build(uint8_t *out, size_t cap, int version, const uint16_t *codes, size_t n,
		     bool compress, const char *sni, const uint8_t random[32]);

enum ncsc_hello_res {
	NCSC_HELLO_MORE = 0, /* not enough bytes yet */
	NCSC_HELLO_SERVER_HELLO,
	NCSC_HELLO_ALERT,
	NCSC_HELLO_GARBAGE /* not TLS, or a handshake message other than ServerHello */
};

struct ncsc_server_hello {
	int version;         /* the ServerHello's version (OpenSSL numbering) */
	uint16_t suite;      /* the chosen suite's code point */
	uint8_t compression; /* the chosen method: 0 null, 1 DEFLATE */
	bool reneg_info;     /* renegotiation_info in the ServerHello */
	bool ems;            /* extended_master_secret in the ServerHello */
	uint8_t alert_level; /* NCSC_HELLO_ALERT */
	uint8_t alert_desc;  /* NCSC_HELLO_ALERT */
	char why[80];        /* NCSC_HELLO_GARBAGE: what was wrong */
};

/*
 * Parse the first bytes a server sent after the ClientHello (len bytes at
 * in): MORE until a ServerHello (possibly split over several handshake
 * records) or an alert is complete. Never reads past len; anything
 * inconsistent is GARBAGE with why filled.
 */
enum ncsc_hello_res ncsc_hello_parse(const uint8_t *in, size_t len, struct ncsc_server_hello *sh);

#endif
