/*
 * targets.h - reading target lists (SPEC §5): the domains to scan, each with
 * the organisation and category it belongs to.
 *
 * Three formats, all read as a stream so that a list of millions of domains
 * never sits in memory (memory is bounded per entry, not per file):
 *
 *   YAML  organisations:                     libyaml's event API, never the
 *           - name: Gemeente Voorbeeld       document API. Keys of an
 *             category: gemeente             organisation may come in any
 *             domains: [voorbeeld.nl, ...]   order; unknown keys are ignored;
 *                                            `domains` is a flow or block list
 *                                            (or one plain name).
 *         An organisation may carry free tags, a mapping of text to text:
 *           tags: {ministerie: BZK, provincie: Utrecht}
 *         (see "Tags" below).
 *         Domains that come before both `name` and `category` are held (up to
 *         TARGET_PENDING_MAX of them, normalised) until both are known or the
 *         organisation ends. An organisation with more of them is read twice:
 *         once to learn its name and category, then again from the start of
 *         the file with them known (a file that cannot be re-read, such as a
 *         pipe, fails then). Put `name` and `category` first in huge lists.
 *         `organizations` is accepted as a spelling of `organisations`. YAML
 *         aliases (*x) are refused where a value is used.
 *   CSV   RFC 4180: quoted fields with "" escapes, commas and newlines,
 *         CRLF or LF. The first record is a header when its first field is
 *         not a valid domain name and at least one field is a known column
 *         name (case-insensitive): domain|domain name, organisation|
 *         organization|agency|organisatie, category|domain type|type|
 *         categorie; other columns are ignored. Without a header the columns
 *         are domain,organisation,category. A header column named
 *         "tag:KEY" (any case of "tag:") carries the tag KEY of the row's
 *         organisation; an empty cell is no tag. Spaces and tabs around unquoted
 *         fields (and around the quotes of quoted ones) are dropped. A record
 *         longer than TARGET_RECORD_MAX bytes is invalid.
 *   text  one domain per line; '#' starts a comment (whole line or after the
 *         name); blank lines are skipped; surrounding whitespace is dropped.
 *         A line longer than TARGET_RECORD_MAX bytes is invalid.
 *
 * An over-long line or record is skipped (reading on to its end) only in a
 * regular file and without NUL bytes in its first TARGET_RECORD_MAX bytes;
 * otherwise it is fatal at the cap: binary data (/dev/zero) or a device or
 * pipe might never end it. YAML nesting is capped at TARGET_YAML_DEPTH_MAX
 * (target_yaml.h), fatal beyond.
 *
 * A UTF-8 byte order mark at the start of a CSV or text file is skipped.
 * Names are normalised with target_normalise(). An invalid name or line is
 * not fatal: it is reported on stderr with file and line, counted
 * (target_invalid()) and skipped. Duplicates are NOT removed here: the
 * scheduler sees every occurrence (with its own organisation) and decides.
 * Fatal errors (YAML syntax or structure, a read error) stop the list; a
 * caller that must not probe anything from a broken list reads it through
 * once before scanning.
 *
 * Tags (YAML and CSV; for `report --group-by KEY`): a key is 1 to
 * TARGET_TAG_KEY_MAX bytes of ASCII letters, digits, '_', '-' and '.'
 * (it is typed on a command line and becomes part of file names); a value
 * is 1 to TARGET_TAG_VALUE_MAX bytes of valid UTF-8 without control
 * characters (CR, LF, TAB and the rest of C0 and C1, DEL) or bidirectional
 * overrides; an empty or null value is no tag. At most TARGET_TAGS_MAX per
 * organisation. In YAML a bad key or value, a key given twice, `tags` given
 * twice or a tags value that is not a mapping of scalars is fatal, with
 * FILE:LINE:COLUMN; tags of an organisation without a name are ignored
 * with a warning. In CSV a bad "tag:KEY" header column (or one given
 * twice) is fatal; a bad value makes its record invalid (reported and
 * skipped, like a bad name). Tags reach the caller through target_on_tags().
 */
#ifndef MAILSCAN_TARGETS_H
#define MAILSCAN_TARGETS_H

#include <stddef.h>

#define TARGET_RECORD_MAX 65536  /* longest text line or CSV record, bytes */
#define TARGET_PENDING_MAX 10000 /* YAML domains held before name+category */
#define TARGET_LABEL_MAX 1024    /* longest YAML organisation name/category */
#define TARGET_TAGS_MAX 32       /* tags per organisation */
#define TARGET_TAG_KEY_MAX 64    /* longest tag key, bytes */
#define TARGET_TAG_VALUE_MAX 256 /* longest tag value, bytes */

enum target_format { TARGET_AUTO = 0, TARGET_YAML, TARGET_CSV, TARGET_TEXT };

struct target {
	const char *domain;       /* normalised (A-labels, lower case, no trailing dot) */
	const char *organisation; /* "" when the list has none */
	const char *category;     /* "" when none */
	unsigned long line;       /* line in the file where the domain stands */
};                                /* all borrowed: valid until the next target_next() */

/* Opaque; owns its copy of the path, the open file and every buffer. */
struct target_reader;

/*
 * Open path for reading in format fmt. AUTO picks by extension (case-
 * insensitive): .yaml/.yml, .csv, anything else text. Returns a reader the
 * caller releases with target_close(), or NULL with err (errlen bytes,
 * NUL-terminated) set, e.g. "FILE: cannot open: reason".
 */
struct target_reader *target_open(const char *path, enum target_format fmt, char *err,
				  size_t errlen);

/*
 * Next target. Returns 1 with *t filled (pointers borrowed from r, valid
 * until the next call or target_close()); 0 at the end of the list; -1 on a
 * fatal error with err set to "FILE:LINE:COLUMN: problem" (YAML syntax,
 * wrong structure) or "FILE:LINE: problem" / "FILE: problem". After -1
 * every further call returns -1 with the same message. Invalid names/lines
 * are not fatal: each is printed to stderr as
 * "mailscan: FILE:LINE: 'NAME': reason" (NAME sanitised) and skipped.
 */
int target_next(struct target_reader *r, struct target *t, char *err, size_t errlen);

/* Entries skipped as invalid so far. */
unsigned long target_invalid(const struct target_reader *r);

/*
 * Also hand every invalid entry to cb, after it was printed: its line, the
 * entry as printed (sanitised, cut to 80 bytes and "...") and the
 * reason, all borrowed for the call. cb NULL: print only.
 */
typedef void (*target_invalid_cb)(unsigned long line, const char *entry, const char *why,
				  void *arg);
void target_on_invalid(struct target_reader *r, target_invalid_cb cb, void *arg);

/* One tag of an organisation; both borrowed for the callback. */
struct target_tag {
	const char *key, *value;
};

/*
 * Hand the tags of organisations to cb (NULL: drop them): the organisation's
 * name (never ""), its n >= 1 tags in the order given and the line where
 * they stand. YAML: once per organisation with tags, when its mapping ends
 * (its domains may have been handed out before). CSV: once per record with
 * an organisation and a non-empty tag cell, before that record's target;
 * records of one organisation may repeat or differ (the store keeps the
 * first value of each key). All borrowed for the call.
 */
typedef void (*target_tags_cb)(const char *organisation, const struct target_tag *tags, size_t n,
			       unsigned long line, void *arg);
void target_on_tags(struct target_reader *r, target_tags_cb cb, void *arg);

/* Check a tag key or value (len bytes at s, see "Tags" above): NULL when
 * good, else a static reason. */
const char *target_tag_key_check(const char *s, size_t len);
const char *target_tag_value_check(const char *s, size_t len);

/* Close the file and free everything; accepts NULL. */
void target_close(struct target_reader *r);

/* "yaml" | "csv" | "text" (any case) -> 0 with *out set; else -1. */
int target_parse_format(const char *s, enum target_format *out);

/*
 * Normalise one name into out (outlen >= DNS_NAME_MAX + 1): internationalised
 * names (any non-ASCII byte, or an "xn--" label to be checked) go through
 * idn2_to_ascii_8z (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) to A-labels,
 * then str_domain_normalise (base/str.h): lower case, no trailing dot, LDH
 * labels. A name whose last label is all digits (an IPv4 address) is
 * refused. Returns 0, or -1 with *why set to static text.
 */
int target_normalise(const char *in, char *out, size_t outlen, const char **why);

#endif
