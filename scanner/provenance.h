/*
 * provenance.h - how a run is made, stored with it (runs.provenance) and
 * shown at the head of its report, so that an audit can be reproduced:
 * mailscan's version and libraries, the machine, the DNS mode and the
 * trust anchor (file, SHA-256 and key tags), the CA bundle, the target
 * list with its SHA-256 and size, the probes skipped and the DKIM selector
 * file. The options themselves are runs.options (cli_options_text).
 */
#ifndef MAILSCAN_PROVENANCE_H
#define MAILSCAN_PROVENANCE_H

#include <stddef.h>

#include "cli.h"

struct buf;

/*
 * The SHA-256 of the regular file path as 64 hex digits in hex (hexlen >=
 * 65) and its size in *bytes; -1 when it cannot be opened or read, or is
 * not a regular file (a pipe would be consumed by the hashing).
 */
int prov_sha256_file(const char *path, char *hex, size_t hexlen, unsigned long long *bytes);

/*
 * The provenance of a run made with c of the list targets (its real path;
 * NULL for none) as one flat JSON object of texts, appended to out. The
 * texts are facts, not sentences, so each report language can word them:
 *   mailscan, libraries, host;
 *   dns_mode "recursive" (root_hints "built-in" or a file) or "stub"
 *   (resolver, ad_trusted "loopback" or "--resolver-trusted");
 *   trust_anchor "built-in", "resolver" or a file; trust_anchor_keys the
 *   key tags, space-separated; ca_file "system" or a file;
 *   targets, targets_sha256, targets_bytes; skipped (probe names, ", ");
 *   rpki_cache (HOST:PORT), rpki_vrps and bgp_table (files); dkim_selectors.
 * A file is "PATH (SHA-256 hex)", or "PATH (no SHA-256: ...)" when it cannot
 * be hashed. 0, or -1 when out ran out of memory.
 */
int provenance_json(const struct cli *c, const char *targets, struct buf *out);

#endif
