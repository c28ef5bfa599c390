/*
 * test_provenance.c - unit tests for scanner/provenance.c: the SHA-256 of a
 * list file (and none for what is not a regular file), the key tags of a
 * trust anchor file (DNSKEY computed as RFC 4034 Appendix B says, checked
 * against the tag ldns-key2ds gives for the same key; DS as written), and
 * the texts for recursive and stub mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../base/buf.h"
#include "../../scanner/cli.h"
#include "../../scanner/provenance.h"
#include "unit.h"

void test_provenance(void);

static int prov_write(char *path, const char *text)
{
	int fd = mkstemp(path);
	size_t n = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n) {
		(void)close(fd);
		return -1;
	}
	return close(fd);
}

void test_provenance(void)
{
	char list[] = "/tmp/mailscan-prov-list-XXXXXX";
	char anchor[] = "/tmp/mailscan-prov-anchor-XXXXXX";
	char hex[65];
	unsigned long long bytes = 0;
	struct cli c;
	struct buf b;

	if (!CHECK(prov_write(list, "abc") == 0))
		return;
	/* the lab's root key: ldns-key2ds gives it key tag 14852 */
	if (!CHECK(
		prov_write(anchor,
			   "; a comment with DS 1 in it\n"
			   ".\t3600\tIN\tDNSKEY\t257 3 13 g5ZXNGgerny6AGgmtSa8auxVQk6Rf15xdhk5rm2r"
			   "VabtFCLmEYrlZtzIg8rFgvDr19DNskhC7EvDsi452rxagA==\n"
			   ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457"
			   "104237C7F8EC8D\n") == 0)) {
		(void)unlink(list);
		return;
	}
	CHECK_INT(prov_sha256_file(list, hex, sizeof(hex), &bytes), 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(bytes == 3);
	CHECK_INT(prov_sha256_file("/dev/null", hex, sizeof(hex), &bytes), -1);
	CHECK_INT(prov_sha256_file("/nonexistent/list", hex, sizeof(hex), &bytes), -1);
	CHECK_INT(prov_sha256_file(list, hex, 64, &bytes), -1);

	memset(&c, 0, sizeof(c));
	c.cfg.trust_anchor = anchor;
	c.cfg.skip_mask = 1u << PROBE_DKIM;
	c.rpki_cache = "192.0.2.1:323";
	c.bgp_table = list;
	buf_init(&b, 0);
	CHECK_INT(provenance_json(&c, list, &b), 0);
	CHECK(strstr(buf_str(&b), "\"trust_anchor_keys\":\"14852 20326\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"dns_mode\":\"recursive\",\"root_hints\":\"built-in\"") !=
	      NULL);
	CHECK(strstr(buf_str(&b), "\"targets_sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a39"
				  "6177a9cb410ff61f20015ad\",\"targets_bytes\":\"3\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"skipped\":\"dkim\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"ca_file\":\"system\"") != NULL);
	CHECK(strstr(buf_str(&b), "dkim_selectors") == NULL);
	CHECK(strstr(buf_str(&b), "\"rpki_cache\":\"192.0.2.1:323\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"bgp_table\":\"") != NULL &&
	      strstr(buf_str(&b),
		     " (SHA-256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff6"
		     "1f20015ad)\"") != NULL);
	CHECK(strstr(buf_str(&b), "rpki_vrps") == NULL);

	/* the built-in anchors; a list that is not a regular file has no hash */
	memset(&c, 0, sizeof(c));
	buf_reset(&b);
	CHECK_INT(provenance_json(&c, "/dev/null", &b), 0);
	CHECK(strstr(buf_str(&b), "\"trust_anchor\":\"built-in\",\"trust_anchor_keys\":\"20326 "
				  "38696\"") != NULL);
	CHECK(strstr(buf_str(&b), "\"targets\":\"/dev/null\"") != NULL);
	CHECK(strstr(buf_str(&b), "targets_sha256") == NULL);
	CHECK(strstr(buf_str(&b), "skipped") == NULL);

	/* stub mode: the resolver's anchor, and whose AD bit is trusted */
	memset(&c, 0, sizeof(c));
	c.cfg.resolver = "192.0.2.53@5353";
	c.cfg.resolver_trusted = true;
	buf_reset(&b);
	CHECK_INT(provenance_json(&c, NULL, &b), 0);
	CHECK(strstr(buf_str(&b),
		     "\"dns_mode\":\"stub\",\"resolver\":\"192.0.2.53@5353\","
		     "\"ad_trusted\":\"--resolver-trusted\",\"trust_anchor\":\"resolver\"") !=
	      NULL);
	CHECK(strstr(buf_str(&b), "trust_anchor_keys") == NULL);
	CHECK(strstr(buf_str(&b), "\"targets\"") == NULL);
	buf_free(&b);
	(void)unlink(list);
	(void)unlink(anchor);
}
