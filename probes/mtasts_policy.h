/*
 * mtasts_policy.h - parsers for MTA-STS (RFC 8461): the _mta-sts TXT record
 * (§3.1), the policy file (§3.2) and MX pattern matching (§4.1).
 *
 * Everything here is untrusted input from DNS or HTTPS; the parsers never
 * read past the given length and report the first problem in words.
 */
#ifndef MAILSCAN_MTASTS_POLICY_H
#define MAILSCAN_MTASTS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#define STS_ID_MAX 32
#define STS_MX_MAX 64 /* mx patterns kept from one policy */
#define STS_MAX_AGE_MAX 31557600L

/*
 * Parse one TXT record (its character-strings already joined). Grammar
 * (RFC 8461 §3.1): "v=STSv1" first, then ';'-separated fields with optional
 * whitespace, an optional trailing ';'; "id=" 1-32 ALPHA/DIGIT, required,
 * exactly once; other key=value extension fields allowed (key: ALPHA/DIGIT
 * then ALPHA/DIGIT/'_'/'-'/'.', up to 32; value: printable ASCII except
 * '=' ';' and space). Returns 0 and copies the id into id[STS_ID_MAX+1], or
 * -1 and writes the reason into why (whylen bytes, NUL-terminated).
 */
int mtasts_txt_parse(const char *txt, char id[STS_ID_MAX + 1], char *why, size_t whylen);

/* True when txt starts with "v=STSv1" followed by ';', whitespace or end
 * (how §3.1 says records are told apart before parsing). */
bool mtasts_txt_is_sts(const char *txt);

enum sts_mode { STS_MODE_UNSET = 0, STS_MODE_ENFORCE, STS_MODE_TESTING, STS_MODE_NONE };

struct sts_policy {
	enum sts_mode mode;
	long max_age; /* -1 when absent */
	size_t nmx;
	char *mx[STS_MX_MAX]; /* owned, lower-cased patterns */
};

/*
 * Parse a policy body of len bytes (not NUL-terminated necessarily).
 * Lines "key: value" (§3.2, whitespace around the value trimmed), ending in
 * CRLF or LF (the last line may lack it); version must be "STSv1", mode one of
 * enforce|testing|none, max_age 0..31557600 digits only (at most 10), at least
 * one mx unless mode is none; each mx a host name or "*." + host name;
 * unknown keys ignored; a line without ':' is a syntax error. Duplicate
 * version/mode/max_age keys: the first wins (the RFC is silent), later ones
 * are not looked at. Further rules (§3.2, where the above is silent):
 * keys and the version/mode values are case-sensitive ("Mode:" is an
 * unknown key); version, mode and max_age are required (max_age is -1 only
 * in an empty p); whitespace-only lines are skipped; a key must be
 * ALPHA/DIGIT then ALPHA/DIGIT/'_'/'-'/'.', at most 32. More than
 * STS_MX_MAX mx lines is an error (not a silent cap, which would make
 * matching wrong). An empty body is an error.
 * Returns 0 with p filled (caller frees with mtasts_policy_free), or -1 with
 * the reason (naming the line number) in why; p is empty on -1.
 */
int mtasts_policy_parse(const char *body, size_t len, struct sts_policy *p, char *why,
			size_t whylen);
void mtasts_policy_free(struct sts_policy *p);

/*
 * §4.1: does MX host name host match pattern? Case-insensitive, trailing dots
 * ignored; "*.example.net" matches exactly one extra leftmost label
 * ("mx.example.net", not "a.b.example.net" nor "example.net"). Both must
 * be valid host names (str_domain_normalise); '*' anywhere else, or "*"
 * alone, never matches.
 */
bool mtasts_mx_match(const char *pattern, const char *host);

#endif
