/*
 * provenance.c - how a run is made, in words an auditor can check and
 * repeat (see provenance.h).
 */
#include "provenance.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unbound.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/json.h"
#include "../base/str.h"
#include "../probes/probe.h"

#ifndef MAILSCAN_VERSION
#define MAILSCAN_VERSION "0.0.0"
#endif
#ifndef MAILSCAN_UB_CRYPTO /* set by the Makefile: libunbound's crypto library */
#define MAILSCAN_UB_CRYPTO "unknown"
#endif

/* mimalloc's, when the Makefile linked it as the allocator (build/mailscan,
 * not the ASan build): a weak reference, null when it is not there */
extern int mi_version(void) __attribute__((weak));

#define PROV_TAGS_MAX 8
#define PROV_LINE_MAX 8192

int prov_sha256_file(const char *path, char *hex, size_t hexlen, unsigned long long *bytes)
{
	unsigned char md[EVP_MAX_MD_SIZE], chunk[65536];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	if (hexlen < 65)
		return -1;
	/* A pipe or device would be consumed or never end. Look before
	 * opening: opening a named pipe waits for its writer and, closed again,
	 * leaves that writer to die of SIGPIPE, so that the list reader that
	 * opens it next waits for ever (hardening-tests' endless stream hung
	 * now and then). O_NONBLOCK: should it become a pipe in between, the
	 * open does not wait either. */
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	*bytes = 0;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (EVP_DigestUpdate(ctx, chunk, (size_t)n) != 1)
			goto out;
		*bytes += (unsigned long long)n;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		goto out;
	for (i = 0; i < mdlen && 2 * i + 2 < hexlen; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	(void)close(fd);
	return rc;
}

/* RFC 4034 Appendix B: the key tag of a DNSKEY's RDATA. */
static unsigned prov_key_tag(const unsigned char *rdata, size_t len)
{
	unsigned long ac = 0;
	size_t i;

	for (i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (unsigned long)rdata[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (unsigned)(ac & 0xFFFF);
}

/* The key tag of "DNSKEY flags protocol algorithm base64...", tokens after
 * the type; -1 when they do not make a key. */
static long prov_dnskey_tag(char **tok, size_t ntok)
{
	unsigned char rdata[4 + 2048];
	char b64[4096] = "";
	size_t i, len = 0;
	long flags, proto, alg;
	int n;

	if (ntok < 4)
		return -1;
	flags = strtol(tok[0], NULL, 10);
	proto = strtol(tok[1], NULL, 10);
	alg = strtol(tok[2], NULL, 10);
	if (flags < 0 || flags > 65535 || proto < 0 || proto > 255 || alg < 0 || alg > 255)
		return -1;
	for (i = 3; i < ntok; i++) {
		size_t l = strlen(tok[i]);

		if (tok[i][0] == ';' || tok[i][0] == ')')
			break;
		if (len + l >= sizeof(b64))
			return -1;
		memcpy(b64 + len, tok[i], l + 1);
		len += l;
	}
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(rdata) - 4)
		return -1;
	rdata[0] = (unsigned char)(flags >> 8);
	rdata[1] = (unsigned char)flags;
	rdata[2] = (unsigned char)proto;
	rdata[3] = (unsigned char)alg;
	n = EVP_DecodeBlock(rdata + 4, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (len >= 1 && b64[len - 1] == '=')
		n--;
	if (len >= 2 && b64[len - 2] == '=')
		n--;
	return (long)prov_key_tag(rdata, 4 + (size_t)n);
}

/* Append the key tags of the DS and DNSKEY records in a zone-file text (one
 * record per line, as a trust anchor file has them) to tags. */
static size_t prov_anchor_tags(FILE *f, unsigned *tags, size_t n)
{
	char line[PROV_LINE_MAX];

	while (fgets(line, sizeof(line), f)) {
		char *tok[64], *save = NULL, *t;
		size_t ntok = 0, i;

		for (t = strtok_r(line, " \t\r\n", &save); t && ntok < 64;
		     t = strtok_r(NULL, " \t\r\n", &save))
			tok[ntok++] = t;
		for (i = 0; i < ntok && tok[i][0] != ';'; i++) {
			long tag = -1;

			if (strcmp(tok[i], "DS") == 0 && i + 1 < ntok)
				tag = strtol(tok[i + 1], NULL, 10);
			else if (strcmp(tok[i], "DNSKEY") == 0)
				tag = prov_dnskey_tag(tok + i + 1, ntok - i - 1);
			else
				continue;
			if (tag >= 0 && tag <= 65535 && n < PROV_TAGS_MAX)
				tags[n++] = (unsigned)tag;
			break;
		}
	}
	return n;
}

/* "FILE (SHA-256 hex)" with FILE's real path, or the path as given and
 * why it has no SHA-256. */
static void prov_file_text(const char *path, struct buf *b)
{
	char hex[65], real[PATH_MAX];
	unsigned long long bytes = 0;

	(void)buf_addstr(b, realpath(path, real) ? real : path);
	if (prov_sha256_file(path, hex, sizeof(hex), &bytes) == 0)
		(void)buf_printf(b, " (SHA-256 %s)", hex);
	else
		(void)buf_addstr(b, " (no SHA-256: not a readable regular file)");
}

static void prov_kbuf(struct json *j, const char *key, struct buf *b)
{
	json_kstr(j, key, buf_str(b));
	buf_reset(b);
}

int provenance_json(const struct cli *c, const char *targets, struct buf *out)
{
	struct json j;
	struct buf b;
	char hex[65], host[256];
	unsigned long long bytes = 0;
	unsigned tags[PROV_TAGS_MAX];
	size_t ntags = 0, i;
	bool any = false;

	buf_init(&b, 0);
	json_init(&j, out);
	json_obj_open(&j);
	json_kstr(&j, "mailscan", MAILSCAN_VERSION);
	(void)buf_printf(&b, "%s; libunbound %s on %s", OpenSSL_version(OPENSSL_VERSION),
			 ub_version(), MAILSCAN_UB_CRYPTO);
	if (mi_version) {
		int v = mi_version(); /* 209 is 2.0.9 */

		(void)buf_printf(&b, "; mimalloc %d.%d.%d", v / 100, v / 10 % 10, v % 10);
	}
	prov_kbuf(&j, "libraries", &b);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		json_kstr(&j, "host", host);
	}
	if (c->cfg.resolver) {
		json_kstr(&j, "dns_mode", "stub");
		json_kstr(&j, "resolver", c->cfg.resolver);
		json_kstr(&j, "ad_trusted",
			  c->cfg.resolver_trusted ? "--resolver-trusted" : "loopback");
		json_kstr(&j, "trust_anchor", "resolver");
	} else {
		json_kstr(&j, "dns_mode", "recursive");
		if (c->cfg.root_hints) {
			prov_file_text(c->cfg.root_hints, &b);
			prov_kbuf(&j, "root_hints", &b);
		} else {
			json_kstr(&j, "root_hints", "built-in");
		}
		if (c->cfg.trust_anchor) {
			FILE *f = fopen(c->cfg.trust_anchor, "re");

			prov_file_text(c->cfg.trust_anchor, &b);
			prov_kbuf(&j, "trust_anchor", &b);
			if (f) {
				ntags = prov_anchor_tags(f, tags, 0);
				(void)fclose(f);
			}
		} else {
			json_kstr(&j, "trust_anchor", "built-in");
			tags[ntags++] = 20326;
			tags[ntags++] = 38696;
		}
		for (i = 0; i < ntags; i++)
			(void)buf_printf(&b, "%s%u", i ? " " : "", tags[i]);
		if (ntags)
			prov_kbuf(&j, "trust_anchor_keys", &b);
	}
	if (c->cfg.ca_file) {
		prov_file_text(c->cfg.ca_file, &b);
		prov_kbuf(&j, "ca_file", &b);
	} else {
		json_kstr(&j, "ca_file", "system");
	}
	if (targets) {
		json_kstr(&j, "targets", targets);
		if (prov_sha256_file(targets, hex, sizeof(hex), &bytes) == 0) {
			json_kstr(&j, "targets_sha256", hex);
			(void)buf_printf(&b, "%llu", bytes);
			prov_kbuf(&j, "targets_bytes", &b);
		}
	}
	for (i = 0; i < PROBE_COUNT; i++)
		if (c->cfg.skip_mask & (1u << probe_registry[i]->id)) {
			(void)buf_printf(&b, "%s%s", any ? ", " : "", probe_registry[i]->name);
			any = true;
		}
	if (any)
		prov_kbuf(&j, "skipped", &b);
	if (c->rpki_cache)
		json_kstr(&j, "rpki_cache", c->rpki_cache);
	if (c->rpki_vrps) {
		prov_file_text(c->rpki_vrps, &b);
		prov_kbuf(&j, "rpki_vrps", &b);
	}
	if (c->bgp_table) {
		prov_file_text(c->bgp_table, &b);
		prov_kbuf(&j, "bgp_table", &b);
	}
	if (c->dkim_path) {
		prov_file_text(c->dkim_path, &b);
		prov_kbuf(&j, "dkim_selectors", &b);
	}
	json_obj_close(&j);
	buf_free(&b);
	return json_status(&j) < 0 || !buf_str(out) ? -1 : 0;
}
