/*
 * tlsrpt_record.h - parser for the TLS-RPT TXT record (RFC 8460 §3).
 */
#ifndef MAILSCAN_TLSRPT_RECORD_H
#define MAILSCAN_TLSRPT_RECORD_H

#include <stdbool.h>
#include <stddef.h>

/* True when txt starts with "v=TLSRPTv1" followed by ';', SP/HTAB or end. */
bool tlsrpt_txt_is_tlsrpt(const char *txt);

/*
 * Parse one record (character-strings joined): "v=TLSRPTv1" first, fields
 * separated by ';' with optional whitespace, a required "rua=" exactly once
 * whose value is a ','-separated list of URIs, each "mailto:" + addr-spec
 * (local@domain, domain a valid host name) or "https://" + host [ ":" port ]
 * [path]; extension fields key=value allowed. Returns 0, or -1 with the
 * reason in why. Whitespace is SP or HTAB; the URI schemes are matched
 * case-insensitively (RFC 3986 §3.1), everything else case-sensitively.
 */
int tlsrpt_txt_parse(const char *txt, char *why, size_t whylen);

#endif
