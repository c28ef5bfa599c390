/*
 * lab-smtpd - a small, deliberately misbehaving SMTP server for the mailscan lab.
 *
 * Usage: lab-smtpd -c CONFIG [-l CONNLOG] [-p PIDFILE] [-P PORT] [-d]
 *
 * CONFIG has one listener per line:   IP MODE CERTFILE KEYFILE
 * ('-' for no certificate; '#' starts a comment). Every listener binds IP:PORT
 * (default port 25). One process polls all listening sockets and forks one
 * child per connection; a child never lives longer than 30 s (alarm).
 * Each accepted connection is logged as "IP MODE" (the listener's address) to
 * CONNLOG; a connection that got the tempfail greeting as "IP MODE 421". With -d
 * the server detaches once every socket is bound, so a successful exit status
 * means "all listeners are up".
 *
 * Modes: starttls nostarttls tls10 tls12 endless silent slow slowok brokentls
 *        starttlsreject garbage tempfail, and for the tls_ncsc verdict tls13
 *        tls12gcm phaseout legacy badorder weakgnutls weakcurve tls13ffdhe sha1sig
 *        badorder3 clientreneg renegignore nori (see
 *        tests/lab/README.md).
 * weakgnutls and nori do their TLS with GnuTLS instead of OpenSSL: Debian's
 * OpenSSL 3.0 has no 3DES or RC4 suites at all, GnuTLS still accepts them when
 * asked to; and OpenSSL always sends renegotiation_info (RFC 5746), GnuTLS can
 * leave it out (nori: "no renegotiation_info", a TLS stack from before 2010).
 * tempfail: the first connection a listener accepts gets "421 4.3.2" and is
 * closed; later ones are served like starttls. The parent counts (children are
 * forked per connection); SIGUSR1 re-arms every tempfail listener.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "labd.h"

#include <gnutls/gnutls.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#define MAX_LISTENERS 256

enum mode {
	M_STARTTLS,
	M_NOSTARTTLS,
	M_TLS10,
	M_TLS12,
	M_ENDLESS,
	M_SILENT,
	M_SLOW,
	M_SLOWOK,
	M_BROKENTLS,
	M_STARTTLSREJECT,
	M_GARBAGE,
	M_TEMPFAIL,
	M_TLS13,       /* NCSC good: TLS 1.3 only */
	M_TLS12GCM,    /* NCSC sufficient: TLS 1.2 only, ECDHE with AES-GCM */
	M_PHASEOUT,    /* NCSC phase-out: TLS 1.2, CBC with SHA-2 and DHE, ffdhe3072 */
	M_LEGACY,      /* NCSC insufficient: TLS 1.0-1.2, every suite, auto DH */
	M_BADORDER,    /* prefers a phase-out suite over a sufficient one */
	M_WEAKGNUTLS,  /* NCSC insufficient: GnuTLS, TLS 1.2, 3DES and RC4 accepted */
	M_WEAKCURVE,   /* TLS 1.2, prefers P-224 to P-256 (the curve of its ECDSA key) */
	M_TLS13FFDHE,  /* TLS 1.3 only, accepts ffdhe2048 (NCSC insufficient) */
	M_SHA1SIG,     /* TLS 1.2, signs its key exchange with SHA-1 when asked */
	M_BADORDER3,   /* AES256-GCM > AES128-CBC-SHA256 > AES128-GCM */
	M_CLIENTRENEG, /* TLS 1.2, allows client-initiated renegotiation */
	M_RENEGIGNORE, /* TLS 1.2, never answers a client's renegotiation */
	M_NORI         /* GnuTLS, TLS 1.2 without RFC 5746 secure renegotiation */
};

static const char *const mode_names[] = {
    "starttls", "nostarttls", "tls10",       "tls12",       "endless",
    "silent",   "slow",       "slowok",      "brokentls",   "starttlsreject",
    "garbage",  "tempfail",   "tls13",       "tls12gcm",    "phaseout",
    "legacy",   "badorder",   "weakgnutls",  "weakcurve",   "tls13ffdhe",
    "sha1sig",  "badorder3",  "clientreneg", "renegignore", "nori"};

struct listener {
	char ip[INET6_ADDRSTRLEN];
	enum mode mode;
	int fd;
	SSL_CTX *ctx;
	/* weakgnutls, nori: GnuTLS instead of ctx */
	gnutls_certificate_credentials_t gcred;
	gnutls_priority_t gprio;
	unsigned long accepted; /* connections accepted since start / re-arm */
};

struct conn {
	int fd;
	SSL *ssl;
	gnutls_session_t gs; /* weakgnutls, nori: the TLS session instead of ssl */
	enum mode mode;
	char buf[4096];
	size_t len;
};

static struct listener listeners[MAX_LISTENERS];
static size_t nlisteners;
static int logfd = -1;
/* renegignore, per connection (a child each): the first handshake is done,
 * and a ClientHello came after it */
static int tls_up, reneg_asked;

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("lab-smtpd: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static int parse_mode(const char *s, enum mode *m)
{
	for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum mode)i;
			return 0;
		}
	}
	return -1;
}

static int mode_has_tls(enum mode m)
{
	return m == M_STARTTLS || m == M_TLS10 || m == M_TLS12 || m == M_SLOWOK ||
	       m == M_TEMPFAIL || m >= M_TLS13;
}

/* TLS 1.2 suites of the "starttls" mode: ECDHE with AEAD only, which the
 * NCSC guidelines (2025) rate sufficient; TLS 1.3 as OpenSSL has it. */
#define NCSC_OK_TLS12                                                                              \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-"      \
	"SHA256:"                                                                                  \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256"

/* The key-exchange groups of every OpenSSL listener that does not set its
 * own: the curves the NCSC guidelines (2025) rate good. OpenSSL's default
 * list also has ffdhe2048-8192, which a TLS 1.3 client offering only those
 * would get (insufficient and phase-out). */
#define NCSC_GOOD_GROUPS "x25519:prime256v1:x448:secp521r1:secp384r1"

/* The signature algorithms of every OpenSSL listener but legacy and
 * sha1sig: SHA-256 and up. OpenSSL's default (security level 1) also signs
 * a TLS 1.2 ServerKeyExchange with SHA-224 for a client that offers only
 * that (phase-out). */
#define NCSC_GOOD_SIGALGS                                                                          \
	"ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:rsa_pss_rsae_sha256:"                \
	"rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pss_pss_sha256:rsa_pss_pss_sha384:"           \
	"rsa_pss_pss_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512"

/* renegignore: a ClientHello after the first handshake is held (the
 * handshake waits for this callback) and the session then reads without
 * answering, as servers that ignore a renegotiation do (Netty). */
static int hold_renegotiation(SSL *ssl, int *al, void *arg)
{
	(void)ssl;
	(void)al;
	(void)arg;
	if (!tls_up)
		return SSL_CLIENT_HELLO_SUCCESS;
	reneg_asked = 1;
	return SSL_CLIENT_HELLO_RETRY;
}

/* Finite-field DHE with the RFC 7919 group ffdhe3072. */
static void set_ffdhe3072(SSL_CTX *ctx)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *dh = NULL;

	if (pctx == NULL || EVP_PKEY_paramgen_init(pctx) <= 0 ||
	    EVP_PKEY_CTX_set_dh_nid(pctx, NID_ffdhe3072) <= 0 || EVP_PKEY_paramgen(pctx, &dh) <= 0)
		die("cannot make ffdhe3072 parameters");
	EVP_PKEY_CTX_free(pctx);
	if (SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1)
		die("cannot set ffdhe3072");
}

static void only_tls12(SSL_CTX *ctx, const char *ciphers)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1)
		die("cipher list %s", ciphers);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
}

static SSL_CTX *make_ctx(enum mode m, const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
		die("SSL_CTX_new failed");
	if (m == M_TLS10) {
		SSL_CTX_set_security_level(ctx, 0);
		if (SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1)
			die("cipher list");
		SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	} else if (m == M_TLS12) {
		/* OpenSSL's defaults at TLS 1.2 (CBC with SHA-1 among them) */
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	} else if (m == M_TLS13 || m == M_TLS13FFDHE) {
		SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	} else if (m == M_TLS12GCM) {
		only_tls12(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384");
	} else if (m == M_PHASEOUT) {
		/* RSA certificate (RSA-2048 in certs.tsv) */
		only_tls12(ctx, "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:"
				"DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256");
		set_ffdhe3072(ctx);
	} else if (m == M_LEGACY) {
		/* RSA-1024 with a SHA-1 signature: only security level 0 loads it */
		SSL_CTX_set_security_level(ctx, 0);
		if (SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") != 1)
			die("cipher list");
		SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_dh_auto(ctx, 1); /* sized by the key: 1024-bit DH for RSA-1024 */
	} else if (m == M_SHA1SIG) {
		/* SHA-1 signatures need security level 0; a normal client gets SHA-256 */
		only_tls12(ctx, NCSC_OK_TLS12);
		SSL_CTX_set_security_level(ctx, 0);
		if (SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256:ECDSA+SHA1") != 1)
			die("sigalgs ECDSA+SHA256:ECDSA+SHA1");
	} else if (m == M_WEAKCURVE) {
		/* s_server -groups secp224r1:prime256v1 -serverpref behind a P-256
		 * ECDSA key: a client offering both gets P-224 */
		only_tls12(ctx, NCSC_OK_TLS12);
		if (SSL_CTX_set1_groups_list(ctx, "secp224r1:prime256v1") != 1)
			die("groups secp224r1:prime256v1");
	} else if (m == M_BADORDER3) {
		/* a sufficient suite first, so a client offering one of each family
		 * sees the right order; the other sufficient one is behind a
		 * phase-out suite */
		only_tls12(ctx, "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:"
				"ECDHE-ECDSA-AES128-GCM-SHA256");
	} else if (m == M_BADORDER) {
		only_tls12(ctx, "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256");
	} else if (m == M_CLIENTRENEG) {
		/* like tls12gcm (sufficient), but a client may ask for a new
		 * handshake in the session (s_server -client_renegotiation);
		 * OpenSSL 3 refuses that by default, every other listener does */
		only_tls12(ctx, NCSC_OK_TLS12);
		SSL_CTX_set_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
	} else if (m == M_RENEGIGNORE) {
		/* renegotiation let through OpenSSL's refusal, then held */
		only_tls12(ctx, NCSC_OK_TLS12);
		SSL_CTX_set_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
		SSL_CTX_set_client_hello_cb(ctx, hold_renegotiation, NULL);
	} else {
		/* starttls, slowok, tempfail: a configuration the NCSC rates good
		 * (TLS 1.3) and sufficient (TLS 1.2, ECDHE with AEAD) */
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
		if (SSL_CTX_set_cipher_list(ctx, NCSC_OK_TLS12) != 1)
			die("cipher list");
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	}
	if (m == M_TLS13FFDHE) {
		/* a normal client gets x25519; one offering only ffdhe2048 gets that */
		if (SSL_CTX_set1_groups_list(ctx, "x25519:ffdhe2048") != 1)
			die("groups x25519:ffdhe2048");
	} else if (m != M_LEGACY && m != M_WEAKCURVE &&
		   SSL_CTX_set1_groups_list(ctx, NCSC_GOOD_GROUPS) != 1) {
		die("groups %s", NCSC_GOOD_GROUPS);
	}
	if (m != M_LEGACY && m != M_SHA1SIG &&
	    SSL_CTX_set1_sigalgs_list(ctx, NCSC_GOOD_SIGALGS) != 1)
		die("sigalgs %s", NCSC_GOOD_SIGALGS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		die("cannot load certificate chain %s", cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		die("cannot load key %s", key);
	if (SSL_CTX_check_private_key(ctx) != 1)
		die("key %s does not match %s", key, cert);
	return ctx;
}

/* weakgnutls: TLS 1.2 only, GnuTLS's NORMAL suites in server order (so a
 * normal client gets ECDHE with AES-GCM), plus 3DES-CBC and RC4-128 for a
 * client that offers nothing else. NORMAL of GnuTLS 3.7 still has TLS 1.0 and
 * 1.1, so those are removed as well as 1.3. */
#define WEAK_GNUTLS_PRIORITY                                                                       \
	"NORMAL:-VERS-TLS1.3:-VERS-TLS1.1:-VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:%SERVER_PRECEDENCE"

/* nori: TLS 1.2 only, ECDHE with AEAD and SHA-2 signatures (what the NCSC
 * guidelines rate sufficient, as the tls12gcm listener), but without RFC 5746:
 * %DISABLE_SAFE_RENEGOTIATION makes GnuTLS leave renegotiation_info out of its
 * ServerHello and ignore the client's (extension or SCSV), as a server from
 * before 2010 does. OpenSSL 3 clients refuse such a server unless they set
 * SSL_OP_LEGACY_SERVER_CONNECT. */
#define NORI_GNUTLS_PRIORITY                                                                       \
	"NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:"               \
	"+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-SIGN-ALL:"                   \
	"+SIGN-ECDSA-SHA256:+SIGN-ECDSA-SHA384:+SIGN-ECDSA-SHA512:+SIGN-RSA-SHA256:"               \
	"+SIGN-RSA-SHA384:+SIGN-RSA-SHA512:%SERVER_PRECEDENCE:%DISABLE_SAFE_RENEGOTIATION"

static int mode_is_gnutls(enum mode m) { return m == M_WEAKGNUTLS || m == M_NORI; }

static void make_gnutls(struct listener *l, const char *cert, const char *key)
{
	const char *errpos = NULL;
	const char *prio = l->mode == M_NORI ? NORI_GNUTLS_PRIORITY : WEAK_GNUTLS_PRIORITY;
	int r = gnutls_certificate_allocate_credentials(&l->gcred);
	if (r < 0)
		die("gnutls_certificate_allocate_credentials: %s", gnutls_strerror(r));
	r = gnutls_certificate_set_x509_key_file(l->gcred, cert, key, GNUTLS_X509_FMT_PEM);
	if (r < 0)
		die("gnutls: cannot load certificate chain %s with key %s: %s", cert, key,
		    gnutls_strerror(r));
	r = gnutls_priority_init(&l->gprio, prio, &errpos);
	if (r < 0)
		die("gnutls: priority string \"%s\" rejected at \"%s\": %s", prio,
		    errpos != NULL ? errpos : "?", gnutls_strerror(r));
}

static int open_listener(const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;
	memset(&ss, 0, sizeof ss);
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			die("bad IPv6 address %s", ip);
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
			die("bad IPv4 address %s", ip);
		sl = sizeof *s4;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0)
		die("bind %s port %d: %s", ip, port, strerror(errno));
	if (listen(fd, 128) != 0)
		die("listen %s: %s", ip, strerror(errno));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void read_config(const char *path, int port)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;
	if (f == NULL)
		die("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		char ip[128], mode[64], cert[512], key[512];
		char *hash = strchr(line, '#');
		lineno++;
		if (hash != NULL)
			*hash = '\0';
		int n = sscanf(line, "%127s %63s %511s %511s", ip, mode, cert, key);
		if (n <= 0)
			continue;
		if (n != 4)
			die("%s:%u: expected IP MODE CERTFILE KEYFILE", path, lineno);
		if (nlisteners == MAX_LISTENERS)
			die("too many listeners");
		struct listener *l = &listeners[nlisteners];
		if (parse_mode(mode, &l->mode) != 0)
			die("%s:%u: unknown mode %s", path, lineno, mode);
		if (strlen(ip) >= sizeof l->ip)
			die("%s:%u: bad address", path, lineno);
		memcpy(l->ip, ip, strlen(ip) + 1); /* length checked above */
		l->ctx = NULL;
		l->gcred = NULL;
		l->gprio = NULL;
		l->accepted = 0;
		if (strcmp(cert, "-") != 0 && mode_is_gnutls(l->mode))
			make_gnutls(l, cert, strcmp(key, "-") != 0 ? key : cert);
		else if (strcmp(cert, "-") != 0)
			l->ctx = make_ctx(l->mode, cert, strcmp(key, "-") != 0 ? key : cert);
		else if (mode_has_tls(l->mode))
			die("%s:%u: mode %s needs a certificate", path, lineno, mode);
		l->fd = open_listener(ip, port);
		nlisteners++;
	}
	fclose(f);
	if (nlisteners == 0)
		die("%s: no listeners", path);
}

/* ---- connection I/O ---- */

static void c_write(struct conn *c, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w;
		if (c->gs != NULL) {
			w = gnutls_record_send(c->gs, s, n);
			if (w == GNUTLS_E_INTERRUPTED || w == GNUTLS_E_AGAIN)
				continue;
			if (w <= 0)
				_exit(0);
		} else if (c->ssl != NULL) {
			int r = SSL_write(c->ssl, s, (int)n);
			if (r <= 0)
				_exit(0);
			w = r;
		} else {
			w = write(c->fd, s, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(0);
		}
		s += w;
		n -= (size_t)w;
	}
}

static void reply(struct conn *c, const char *s)
{
	if (c->mode == M_SLOWOK)
		sleep(1);
	c_write(c, s, strlen(s));
}

static void drain_until_eof(int fd)
{
	char buf[1024];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
	}
}

/* Read one line (without CR LF) into out; returns 0 on EOF. */
static int c_readline(struct conn *c, char *out, size_t outsz)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf);
			size_t k = n;
			if (k > 0 && c->buf[k - 1] == '\r')
				k--;
			if (k >= outsz)
				k = outsz - 1;
			memcpy(out, c->buf, k);
			out[k] = '\0';
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return 1;
		}
		if (c->len == sizeof c->buf)
			c->len = 0; /* overlong line: drop it */
		ssize_t r;
		if (c->gs != NULL) {
			r = gnutls_record_recv(c->gs, c->buf + c->len, sizeof c->buf - c->len);
			if (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN)
				continue;
			/* any other error (a TLS alert, a reset, a premature close) ends
			 * the session like EOF */
		} else if (c->ssl != NULL) {
			int rr = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof c->buf - c->len));
			if (rr <= 0 && reneg_asked) {
				drain_until_eof(c->fd); /* renegignore: no answer, ever */
				return 0;
			}
			r = rr <= 0 ? 0 : rr;
		} else {
			r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
			if (r < 0 && errno == EINTR)
				continue;
		}
		if (r <= 0)
			return 0;
		c->len += (size_t)r;
	}
}

static void send_ehlo(struct conn *c, int offer_starttls)
{
	char msg[256];
	snprintf(msg, sizeof msg,
		 "250-lab Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n%s250 8BITMIME\r\n",
		 offer_starttls ? "250-STARTTLS\r\n" : "");
	reply(c, msg);
}

static int c_tls(const struct conn *c) { return c->ssl != NULL || c->gs != NULL; }

/* weakgnutls, nori: the server side of STARTTLS as a GnuTLS session on the
 * connection's fd; 1 when the handshake succeeded. */
static int start_gnutls(struct conn *c, const struct listener *l)
{
	int r = gnutls_init(&c->gs, GNUTLS_SERVER);
	if (r < 0)
		die("gnutls_init: %s", gnutls_strerror(r));
	r = gnutls_priority_set(c->gs, l->gprio);
	if (r < 0)
		die("gnutls_priority_set: %s", gnutls_strerror(r));
	r = gnutls_credentials_set(c->gs, GNUTLS_CRD_CERTIFICATE, l->gcred);
	if (r < 0)
		die("gnutls_credentials_set: %s", gnutls_strerror(r));
	gnutls_transport_set_int(c->gs, c->fd);
	do {
		r = gnutls_handshake(c->gs);
	} while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r == GNUTLS_E_SUCCESS)
		return 1;
	/* GnuTLS leaves the alert to the application; without it a refused
	 * version or suite would look like a dropped connection (OpenSSL sends
	 * one) */
	if (gnutls_alert_send_appropriate(c->gs, r) < 0) {
		/* not sent either: the session ends all the same */
	}
	return 0;
}

static void smtp_session(struct conn *c, const struct listener *l)
{
	char line[1024];
	int offers = c->mode != M_NOSTARTTLS;

	reply(c, "220-lab ESMTP\r\n220 ready\r\n");
	while (c_readline(c, line, sizeof line)) {
		if (strncasecmp(line, "EHLO", 4) == 0) {
			send_ehlo(c, offers && !c_tls(c));
		} else if (strncasecmp(line, "HELO", 4) == 0) {
			reply(c, "250 lab\r\n");
		} else if (strcasecmp(line, "STARTTLS") == 0) {
			if (c_tls(c)) {
				reply(c, "503 5.5.1 TLS already active\r\n");
			} else if (c->mode == M_NOSTARTTLS) {
				reply(c, "502 5.5.1 command not implemented\r\n");
			} else if (c->mode == M_STARTTLSREJECT) {
				reply(c, "454 4.7.0 TLS not available\r\n");
			} else if (c->mode == M_BROKENTLS) {
				static const char junk[] = "\x17\x03\x03\x00\x10this is not "
							   "TLS\xff\xfe\x00\x01garbage\r\n";
				reply(c, "220 2.0.0 Ready to start TLS\r\n");
				c_write(c, junk, sizeof junk - 1);
				return;
			} else {
				reply(c, "220 2.0.0 Ready to start TLS\r\n");
				c->len = 0; /* discard anything pipelined before TLS */
				if (l->gcred != NULL) {
					if (!start_gnutls(c, l))
						return;
					continue;
				}
				c->ssl = SSL_new(l->ctx);
				if (c->ssl == NULL)
					return;
				SSL_set_fd(c->ssl, c->fd);
				if (SSL_accept(c->ssl) != 1)
					return;
				tls_up = 1;
			}
		} else if (strcasecmp(line, "QUIT") == 0) {
			reply(c, "221 2.0.0 bye\r\n");
			if (c->ssl != NULL)
				SSL_shutdown(c->ssl);
			if (c->gs != NULL) {
				int r;
				do {
					r = gnutls_bye(c->gs, GNUTLS_SHUT_WR);
				} while (r == GNUTLS_E_INTERRUPTED || r == GNUTLS_E_AGAIN);
				/* r < 0: the client is gone; the session ends either way */
			}
			return;
		} else if (strcasecmp(line, "NOOP") == 0 || strcasecmp(line, "RSET") == 0) {
			reply(c, "250 2.0.0 ok\r\n");
		} else if (strncasecmp(line, "MAIL", 4) == 0) {
			reply(c, "250 2.1.0 ok\r\n");
		} else if (strncasecmp(line, "RCPT", 4) == 0) {
			reply(c, "550 5.7.1 this is a test lab\r\n");
		} else {
			reply(c, "500 5.5.2 command not recognized\r\n");
		}
	}
}

/* Serve one connection in the child. refuse: send the tempfail greeting
 * (decided by the parent, which sees every connection). */
static void handle(const struct listener *l, int fd, int refuse)
{
	struct conn c;
	memset(&c, 0, sizeof c);
	c.fd = fd;
	c.mode = l->mode == M_TEMPFAIL || l->mode >= M_TLS13 ? M_STARTTLS : l->mode;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, SIG_DFL);
	alarm(30);
	for (size_t i = 0; i < nlisteners; i++)
		close(listeners[i].fd);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);

	if (refuse) {
		const char *s = "421 4.3.2 lab: try again later\r\n";
		struct timeval tv = {1, 0};
		c_write(&c, s, strlen(s));
		/* close gracefully: a client's pipelined bytes left unread would
		 * turn close() into a reset that can discard the 421 */
		shutdown(fd, SHUT_WR);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		drain_until_eof(fd);
		close(fd);
		_exit(0);
	}
	switch (l->mode) {
	case M_ENDLESS: {
		char ln[128];
		memcpy(ln, "220-", 4);
		memset(ln + 4, 'x', 100);
		memcpy(ln + 104, "\r\n", 2);
		for (;;)
			c_write(&c, ln, 106);
	}
	case M_SILENT:
		drain_until_eof(fd);
		break;
	case M_SLOW: {
		const char *start = "220-";
		for (size_t i = 0;; i++) {
			char ch = i < 4 ? start[i] : 'x';
			c_write(&c, &ch, 1);
			struct timespec ts = {0, 500000000L};
			nanosleep(&ts, NULL);
		}
	}
	case M_GARBAGE: {
		const char *s = "HTTP/1.1 400 Bad Request\r\n\r\n";
		c_write(&c, s, strlen(s));
		break;
	}
	default:
		smtp_session(&c, l);
		break;
	}
	if (c.ssl != NULL)
		SSL_free(c.ssl);
	if (c.gs != NULL)
		gnutls_deinit(c.gs);
	close(fd);
	_exit(0);
}

static void log_conn(const struct listener *l, int refused)
{
	char msg[128];
	if (logfd < 0)
		return;
	int n = snprintf(msg, sizeof msg, "%s %s%s\n", l->ip, mode_names[l->mode],
			 refused ? " 421" : "");
	if (n > 0 && write(logfd, msg, (size_t)n) < 0) {
		/* nothing useful to do */
	}
}

static volatile sig_atomic_t stop, rearm;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	rearm = 1;
}

int main(int argc, char **argv)
{
	const char *config = NULL, *connlog = NULL, *pidfile = NULL;
	int port = 25, detach = 0, opt;

	while ((opt = getopt(argc, argv, "c:l:p:P:d")) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'l':
			connlog = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'P': {
			char *end = NULL;
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 65535)
				die("-P: bad port %s", optarg);
			port = (int)v;
			break;
		}
		case 'd':
			detach = 1;
			break;
		default:
			fprintf(stderr, "usage: lab-smtpd -c CONFIG [-l CONNLOG] [-p PIDFILE] [-P "
					"PORT] [-d]\n");
			return 2;
		}
	}
	if (config == NULL || port <= 0 || port > 65535) {
		fprintf(stderr,
			"usage: lab-smtpd -c CONFIG [-l CONNLOG] [-p PIDFILE] [-P PORT] [-d]\n");
		return 2;
	}
	int gr = gnutls_global_init();
	if (gr < 0)
		die("gnutls_global_init: %s", gnutls_strerror(gr));
	read_config(config, port);
	if (connlog != NULL) {
		logfd = open(connlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (logfd < 0)
			die("cannot open %s: %s", connlog, strerror(errno));
	}
	labd_daemon(detach, pidfile, on_term, on_usr1, die);
	signal(SIGCHLD, SIG_IGN); /* children are reaped automatically */

	struct pollfd pfd[MAX_LISTENERS];
	for (size_t i = 0; i < nlisteners; i++) {
		pfd[i].fd = listeners[i].fd;
		pfd[i].events = POLLIN;
	}
	while (!stop) {
		int r = poll(pfd, (nfds_t)nlisteners, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (size_t i = 0; i < nlisteners; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			for (;;) {
				int cfd = accept(listeners[i].fd, NULL, NULL);
				if (cfd < 0)
					break;
				/* checked per connection: a SIGUSR1 sent before the
				 * client connected has run its handler by now */
				if (rearm) {
					rearm = 0;
					for (size_t j = 0; j < nlisteners; j++)
						listeners[j].accepted = 0;
				}
				int refuse =
				    listeners[i].mode == M_TEMPFAIL && listeners[i].accepted == 0;
				listeners[i].accepted++;
				log_conn(&listeners[i], refuse);
				pid_t pid = fork();
				if (pid == 0)
					handle(&listeners[i], cfd, refuse);
				close(cfd);
			}
		}
	}
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
}
