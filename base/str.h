/*
 * str.h - string helpers for names and untrusted text.
 */
#ifndef MAILSCAN_STR_H
#define MAILSCAN_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Longest presentation-form domain name we accept (RFC 1035: 253 + dot). */
#define DNS_NAME_MAX 254

/*
 * Normalise a domain name given by a user or a DNS answer into out (size
 * outlen >= DNS_NAME_MAX + 1): lower case, trailing dot removed. Returns 0,
 * or -1 with *why set to a static reason when the name is not a valid
 * host name (LDH labels of 1-63 octets, at least two labels, total <= 253;
 * underscores are allowed for service labels).
 */
int str_domain_normalise(const char *in, char *out, size_t outlen, const char **why);

/*
 * Copy untrusted bytes into out (NUL-terminated, at most outlen-1 bytes),
 * replacing every byte outside printable ASCII (CR and LF included) by
 * '?'. Returns out.
 */
char *str_sanitise(char *out, size_t outlen, const char *in, size_t inlen);

/*
 * A user-given string for an error message: sanitised like str_sanitise()
 * (no ESC or other control byte reaches a terminal) and cut to fit out
 * (outlen >= 4), ending in "..." when it was longer. A 10 MB value from a
 * config file is shown as its first outlen - 4 bytes. Returns out.
 */
char *str_show(char *out, size_t outlen, const char *in);

/* strdup that aborts on out-of-memory: only for small, bounded strings. */
char *str_dup(const char *s);

/* The valid UTF-8 sequence at s (at most n bytes, n >= 1): its length, with
 * the code point in *cp (may be NULL); 0 when it is not valid UTF-8
 * (overlong forms, surrogates and values above U+10FFFF are invalid). */
size_t str_utf8(const unsigned char *s, size_t n, unsigned long *cp);

/* A code point that must not be shown as is in a report or table: C0 and C1
 * controls, DEL, and the bidirectional overrides and isolates (which would
 * reorder what a reader sees). */
bool str_cp_hidden(unsigned long cp);

/* Case-insensitive ASCII comparisons. */
bool str_ieq(const char *a, const char *b);
bool str_iprefix(const char *s, const char *prefix);

/* Safe bounded copy (always NUL-terminates when outlen > 0); returns 0, or
 * -1 when truncated. */
int str_copy(char *out, size_t outlen, const char *in);

#endif
