/*
 * targets.c - reading target lists (YAML, CSV, text) as a stream; see
 * targets.h for the formats and the rules.
 */
#include "targets.h"

#include <errno.h>
#include <idn2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "../base/buf.h"
#include "../base/str.h"
#include "target_yaml.h"

#define CSV_FIELDS_MAX 64  /* columns kept per record; more are ignored */
#define REPORT_NAME_MAX 80 /* bytes of a bad name shown in a report */
#define INBUF_SIZE 65536

/* Where the YAML reader is in the fixed structure of a target list. */
enum yaml_state {
	Y_STREAM,      /* expecting a document (or the end of the stream) */
	Y_DOC,         /* expecting the root node */
	Y_DOC_END,     /* expecting the end of the document */
	Y_ROOT_KEY,    /* in the root mapping, expecting a key */
	Y_ORGS,        /* expecting the value of organisations */
	Y_ORG_ITEM,    /* in the organisations list, expecting an organisation */
	Y_ORG_KEY,     /* in an organisation, expecting a key */
	Y_ORG_NAME,    /* expecting the value of name */
	Y_ORG_CAT,     /* expecting the value of category */
	Y_DOMAINS,     /* expecting the value of domains */
	Y_DOMAIN_ITEM, /* in the domains list */
	Y_TAGS,        /* expecting the value of tags */
	Y_TAG_KEY,     /* in the tags mapping, expecting a key */
	Y_TAG_VALUE,   /* expecting the value of a tag */
	Y_END,         /* stream ended */
};

/* A domain held until its organisation's name and category are known. */
struct pending {
	char *name; /* owned, normalised */
	unsigned long line;
};

struct yaml_reader {
	yaml_parser_t parser;
	bool live; /* parser initialised */
	enum yaml_state state;
	enum yaml_state skip_to; /* state after the node being skipped */
	unsigned skip_depth;     /* > 0: inside a skipped collection */
	unsigned depth;          /* nesting of collections (target_yaml_nest) */
	bool skipping;           /* the next node is skipped */
	bool seen_orgs;          /* this document has organisations */
	/* the current organisation */
	char *org; /* owned; NULL until name seen */
	char *cat; /* owned; NULL until category seen */
	bool have_name, have_cat;
	unsigned long org_ordinal; /* organisations started since the file start */
	unsigned long entries;     /* domain entries seen in this organisation */
	struct pending *pend;      /* owned array */
	size_t npend, pend_pos, pend_size;
	bool flushing;                  /* hand out pend[] before reading on */
	bool overflow;                  /* too many pending: reading to learn name+cat */
	unsigned long overflow_entries; /* entries handled before the overflow */
	/* replay of one organisation after an overflow */
	unsigned long replay_org;   /* ordinal to replay; 0: none */
	unsigned long replay_known; /* its first entries: already reported */
	bool replaying;             /* inside the replayed organisation */
	/* the tags of the current organisation */
	struct {
		char key[TARGET_TAG_KEY_MAX + 1];
		char value[TARGET_TAG_VALUE_MAX + 1];
	} tags[TARGET_TAGS_MAX];
	size_t ntags;
	bool have_tags;          /* `tags` seen in this organisation */
	unsigned long tags_line; /* where it stands */
};

struct target_reader {
	char *path; /* owned copy, for messages */
	FILE *f;    /* owned */
	enum target_format fmt;
	unsigned long invalid;
	target_invalid_cb on_invalid; /* may be NULL */
	void *on_invalid_arg;
	target_tags_cb on_tags; /* may be NULL */
	void *on_tags_arg;
	int state; /* 0 reading, 1 ended, -1 failed */
	char fatal[512];
	char domain[DNS_NAME_MAX + 1];
	/* text and CSV: our own buffered input */
	unsigned char *in; /* owned, INBUF_SIZE */
	size_t in_pos, in_len;
	bool in_eof;
	bool in_started;    /* the first block was read (byte order mark checked) */
	bool regular;       /* a regular file: finite, an over-long line can be skipped */
	unsigned long line; /* line of the next byte */
	struct buf rec;     /* current line or record (fields NUL-separated) */
	/* CSV */
	size_t fstart[CSV_FIELDS_MAX];
	unsigned long fline[CSV_FIELDS_MAX];
	size_t nfields;
	bool header_done;
	int col_domain, col_org, col_cat; /* -1: none */
	int col_tag[TARGET_TAGS_MAX];     /* the "tag:KEY" columns */
	char tag_key[TARGET_TAGS_MAX][TARGET_TAG_KEY_MAX + 1];
	size_t ntagcols;
	/* YAML */
	struct yaml_reader y;
};

/* ---- common ---- */

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		(void)str_copy(err, errlen, msg);
}

/* Record a fatal error; returns -1. */
static int fail(struct target_reader *r, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct target_reader *r, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(r->fatal, sizeof(r->fatal), fmt, ap);
	va_end(ap);
	r->state = -1;
	set_err(err, errlen, r->fatal);
	return -1;
}

/* Report and count one invalid entry. */
static void report(struct target_reader *r, unsigned long line, const char *name, size_t len,
		   const char *why)
{
	char safe[REPORT_NAME_MAX + 4];

	r->invalid++;
	(void)str_sanitise(safe, REPORT_NAME_MAX + 1, name,
			   len < REPORT_NAME_MAX ? len : REPORT_NAME_MAX);
	if (len > REPORT_NAME_MAX)
		(void)str_copy(safe + REPORT_NAME_MAX, 4, "...");
	(void)fprintf(stderr, "mailscan: %s:%lu: '%s': %s\n", r->path, line, safe, why);
	if (r->on_invalid)
		r->on_invalid(line, safe, why, r->on_invalid_arg);
}

int target_normalise(const char *in, char *out, size_t outlen, const char **why)
{
	const char *p;
	char *ascii = NULL;
	bool idn = false;
	size_t len = strlen(in);
	int rc;

	*why = NULL;
	if (outlen < DNS_NAME_MAX + 1) {
		*why = "internal: output too small";
		return -1;
	}
	if (len > 4 * DNS_NAME_MAX) { /* spare idn2 the absurd */
		*why = "name longer than 253 characters";
		return -1;
	}
	for (p = in; *p; p++) {
		if ((unsigned char)*p >= 0x80) {
			idn = true;
			break;
		}
		/* An A-label anywhere: let idn2 check that it decodes. */
		if ((p == in || p[-1] == '.') && str_iprefix(p, "xn--")) {
			idn = true;
			break;
		}
	}
	if (idn) {
		rc = idn2_to_ascii_8z(in, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK) {
			*why = idn2_strerror(rc);
			return -1;
		}
	}
	rc = str_domain_normalise(ascii ? ascii : in, out, outlen, why);
	idn2_free(ascii);
	if (rc < 0)
		return -1;
	p = strrchr(out, '.');
	p = p ? p + 1 : out;
	if (strspn(p, "0123456789") == strlen(p)) {
		*why = "last label is all digits (an IP address?)";
		return -1;
	}
	return 0;
}

int target_parse_format(const char *s, enum target_format *out)
{
	if (str_ieq(s, "yaml"))
		*out = TARGET_YAML;
	else if (str_ieq(s, "csv"))
		*out = TARGET_CSV;
	else if (str_ieq(s, "text"))
		*out = TARGET_TEXT;
	else
		return -1;
	return 0;
}

static enum target_format format_by_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	if (dot && (str_ieq(dot, ".yaml") || str_ieq(dot, ".yml")))
		return TARGET_YAML;
	if (dot && str_ieq(dot, ".csv"))
		return TARGET_CSV;
	return TARGET_TEXT;
}

static void yaml_reset_org(struct yaml_reader *y)
{
	size_t i;

	for (i = 0; i < y->npend; i++)
		free(y->pend[i].name);
	y->npend = 0;
	y->pend_pos = 0;
	y->flushing = false;
}

void target_close(struct target_reader *r)
{
	if (!r)
		return;
	if (r->y.live)
		yaml_parser_delete(&r->y.parser);
	yaml_reset_org(&r->y);
	free(r->y.pend);
	free(r->y.org);
	free(r->y.cat);
	if (r->f)
		(void)fclose(r->f);
	free(r->in);
	buf_free(&r->rec);
	free(r->path);
	free(r);
}

static int yaml_start(struct target_reader *r)
{
	if (!yaml_parser_initialize(&r->y.parser))
		return -1;
	r->y.live = true;
	yaml_parser_set_input_file(&r->y.parser, r->f);
	r->y.state = Y_STREAM;
	r->y.depth = 0;
	return 0;
}

struct target_reader *target_open(const char *path, enum target_format fmt, char *err,
				  size_t errlen)
{
	struct target_reader *r;
	struct stat st;
	char msg[512];
	int e = 0;

	if (fmt == TARGET_AUTO)
		fmt = format_by_name(path);
	if (fmt != TARGET_YAML && fmt != TARGET_CSV && fmt != TARGET_TEXT) {
		(void)snprintf(msg, sizeof(msg), "%s: unknown target list format", path);
		set_err(err, errlen, msg);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	r->fmt = fmt;
	r->line = 1;
	r->col_domain = 0;
	r->col_org = 1;
	r->col_cat = 2;
	buf_init(&r->rec, TARGET_RECORD_MAX);
	r->path = strdup(path);
	if (!r->path) {
		set_err(err, errlen, "out of memory");
		target_close(r);
		return NULL;
	}
	r->f = fopen(path, "rb");
	if (!r->f)
		e = errno;
	else if (fstat(fileno(r->f), &st) < 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else
		r->regular = S_ISREG(st.st_mode);
	if (e) {
		(void)snprintf(msg, sizeof(msg), "%s: cannot open: %s", path, strerror(e));
		set_err(err, errlen, msg);
		target_close(r);
		return NULL;
	}
	if (fmt == TARGET_YAML) {
		if (yaml_start(r) < 0) {
			set_err(err, errlen, "out of memory");
			target_close(r);
			return NULL;
		}
	} else {
		r->in = malloc(INBUF_SIZE);
		if (!r->in) {
			set_err(err, errlen, "out of memory");
			target_close(r);
			return NULL;
		}
	}
	return r;
}

unsigned long target_invalid(const struct target_reader *r) { return r->invalid; }

void target_on_invalid(struct target_reader *r, target_invalid_cb cb, void *arg)
{
	r->on_invalid = cb;
	r->on_invalid_arg = arg;
}

void target_on_tags(struct target_reader *r, target_tags_cb cb, void *arg)
{
	r->on_tags = cb;
	r->on_tags_arg = arg;
}

/* ---- tags ---- */

const char *target_tag_key_check(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return "empty tag key";
	if (len > TARGET_TAG_KEY_MAX)
		return "tag key longer than 64 bytes";
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return "a tag key holds only ASCII letters, digits, '_', '-' and '.'";
	}
	return NULL;
}

const char *target_tag_value_check(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return "empty tag value";
	if (len > TARGET_TAG_VALUE_MAX)
		return "tag value longer than 256 bytes";
	while (i < len) {
		unsigned long cp;
		size_t n = str_utf8((const unsigned char *)s + i, len - i, &cp);

		if (n == 0)
			return "tag value is not valid UTF-8";
		if (str_cp_hidden(cp))
			return "control character (or bidirectional override) in a tag value";
		i += n;
	}
	return NULL;
}

/* Tags of an organisation without a name cannot be kept: say so. */
static void tags_nameless(const struct target_reader *r, unsigned long line)
{
	(void)fprintf(stderr,
		      "mailscan: %s:%lu: warning: tags of an organisation without a name are "
		      "ignored\n",
		      r->path, line);
}

/* ---- buffered byte input (text and CSV) ---- */

/* Refill; returns 0, or -1 on a read error. */
static int in_fill(struct target_reader *r)
{
	bool first = !r->in_started;

	r->in_started = true;
	r->in_pos = 0;
	r->in_len = fread(r->in, 1, INBUF_SIZE, r->f);
	if (r->in_len < INBUF_SIZE) {
		if (ferror(r->f))
			return -1;
		r->in_eof = true;
	}
	/* A UTF-8 byte order mark at the very start is not data. */
	if (first && r->in_len >= 3 && memcmp(r->in, "\xef\xbb\xbf", 3) == 0)
		r->in_pos = 3;
	return 0;
}

#define IN_EOF (-1)
#define IN_ERR (-2)
#define CSV_STOP_NUL (-3)    /* an over-long record with NUL bytes */
#define CSV_STOP_STREAM (-4) /* an over-long record in a non-regular file */

static int in_peek(struct target_reader *r)
{
	while (r->in_pos >= r->in_len) {
		if (r->in_eof)
			return IN_EOF;
		if (in_fill(r) < 0)
			return IN_ERR;
	}
	return r->in[r->in_pos];
}

static int in_get(struct target_reader *r)
{
	int c = in_peek(r);

	if (c >= 0)
		r->in_pos++;
	return c;
}

static int read_error(struct target_reader *r, char *err, size_t errlen)
{
	return fail(r, err, errlen, "%s:%lu: read error: %s", r->path, r->line, strerror(errno));
}

/*
 * A line or record over TARGET_RECORD_MAX bytes is skipped, reading on to
 * its end, only when that end is sure to come and the text looks like
 * text: in a regular file without NUL bytes. Binary data (/dev/zero, an
 * image given by mistake) or a stream that may never end (a device, a
 * pipe) stops the list at the cap instead of being read for ever.
 */
static int long_stop(struct target_reader *r, unsigned long line, bool nul, char *err,
		     size_t errlen)
{
	if (nul)
		return fail(r, err, errlen,
			    "%s:%lu: binary data: NUL bytes in a line longer than %d bytes; "
			    "not a target list",
			    r->path, line, TARGET_RECORD_MAX);
	return fail(r, err, errlen,
		    "%s:%lu: a line longer than %d bytes in a file that is not a regular file "
		    "(a device or pipe may never end it); stopped reading",
		    r->path, line, TARGET_RECORD_MAX);
}

static bool is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* ---- text ---- */

static int text_next(struct target_reader *r, struct target *t, char *err, size_t errlen)
{
	for (;;) {
		unsigned long line = r->line;
		bool long_line = false, nul = false;
		size_t len, start = 0;
		const char *s, *hash, *why;
		int c = in_get(r);

		if (c == IN_ERR)
			return read_error(r, err, errlen);
		if (c == IN_EOF)
			return 0;
		buf_reset(&r->rec);
		while (c >= 0 && c != '\n') {
			if (c == 0)
				nul = true;
			if (buf_addch(&r->rec, (char)c) < 0) {
				if (!long_line && (nul || !r->regular))
					return long_stop(r, line, nul, err, errlen);
				long_line = true;
			}
			c = in_get(r);
		}
		if (c == IN_ERR)
			return read_error(r, err, errlen);
		r->line++;
		s = buf_str(&r->rec);
		len = r->rec.len;
		if (long_line) {
			report(r, line, s, len, "line longer than 65536 bytes");
			continue;
		}
		if (nul) {
			report(r, line, s, len, "NUL byte in the line");
			continue;
		}
		hash = memchr(s, '#', len);
		if (hash)
			len = (size_t)(hash - s);
		while (start < len && is_space((unsigned char)s[start]))
			start++;
		while (len > start && is_space((unsigned char)s[len - 1]))
			len--;
		if (len == start)
			continue;
		r->rec.data[len] = '\0';
		if (target_normalise(s + start, r->domain, sizeof(r->domain), &why) < 0) {
			report(r, line, s + start, len - start, why);
			continue;
		}
		t->domain = r->domain;
		t->organisation = "";
		t->category = "";
		t->line = line;
		return 1;
	}
}

/* ---- CSV ---- */

enum csv_state { CSV_FIELD, CSV_UNQUOTED, CSV_QUOTED, CSV_QUOTE, CSV_AFTER };

/* Store one byte of the current field (dropped beyond the caps). */
static void csv_store(struct target_reader *r, int c, bool *too_long)
{
	if (r->nfields > CSV_FIELDS_MAX)
		return;
	if (buf_addch(&r->rec, (char)c) < 0)
		*too_long = true;
}

/* Start a field at the current position. */
static void csv_field_start(struct target_reader *r)
{
	if (r->nfields < CSV_FIELDS_MAX) {
		r->fstart[r->nfields] = r->rec.len;
		r->fline[r->nfields] = r->line;
	}
	r->nfields++;
}

/* End the current field: drop trailing blanks of an unquoted one, NUL. */
static void csv_field_end(struct target_reader *r, bool unquoted, bool *too_long)
{
	if (r->nfields > CSV_FIELDS_MAX)
		return;
	if (unquoted)
		while (r->rec.len > r->fstart[r->nfields - 1] &&
		       (r->rec.data[r->rec.len - 1] == ' ' || r->rec.data[r->rec.len - 1] == '\t'))
			r->rec.len--;
	if (buf_addch(&r->rec, '\0') < 0)
		*too_long = true;
}

/*
 * Read one record. Returns 1 (record read; *bad set to a reason when it is
 * invalid, *blank when it was an empty line), 0 at the end of the file,
 * IN_ERR, or CSV_STOP_NUL / CSV_STOP_STREAM (see long_stop()). Fields are
 * NUL-terminated in r->rec at r->fstart[].
 */
static int csv_record(struct target_reader *r, const char **bad, bool *blank, char *badbuf,
		      size_t badlen)
{
	enum csv_state st = CSV_FIELD;
	bool too_long = false, any = false, nul = false;
	size_t raw = 0;
	int c;

	*bad = NULL;
	buf_reset(&r->rec);
	r->nfields = 0;
	c = in_peek(r);
	if (c == IN_EOF)
		return 0;
	if (c == IN_ERR)
		return IN_ERR;
	csv_field_start(r);
	for (;;) {
		c = in_get(r);
		if (c == IN_ERR)
			return IN_ERR;
		if (c == 0)
			nul = true;
		if (c >= 0 && ++raw > TARGET_RECORD_MAX) {
			if (!too_long && (nul || !r->regular))
				return nul ? CSV_STOP_NUL : CSV_STOP_STREAM;
			too_long = true;
		}
		if (c == '\r' && st != CSV_QUOTED) {
			if (in_peek(r) == '\n')
				continue; /* the '\n' ends the record */
			c = '\n';         /* a lone CR ends it too */
		}
		if (c == '\n')
			r->line++;
		if (st == CSV_QUOTE) { /* after a quote inside a quoted field */
			if (c == '"') {
				csv_store(r, c, &too_long); /* "" is one quote */
				st = CSV_QUOTED;
				continue;
			}
			st = CSV_AFTER; /* it closed the field */
		}
		switch (st) {
		case CSV_FIELD:
			if (c == ' ' || c == '\t')
				break;
			if (c == '"') {
				any = true;
				st = CSV_QUOTED;
				break;
			}
			if (c == ',') {
				any = true;
				csv_field_end(r, true, &too_long);
				csv_field_start(r);
				break;
			}
			if (c == '\n' || c == IN_EOF) {
				csv_field_end(r, true, &too_long);
				goto done;
			}
			any = true;
			csv_store(r, c, &too_long);
			st = CSV_UNQUOTED;
			break;
		case CSV_UNQUOTED:
			if (c == ',') {
				csv_field_end(r, true, &too_long);
				csv_field_start(r);
				st = CSV_FIELD;
			} else if (c == '\n' || c == IN_EOF) {
				csv_field_end(r, true, &too_long);
				goto done;
			} else {
				csv_store(r, c, &too_long); /* a stray quote is taken literally */
			}
			break;
		case CSV_QUOTED:
			if (c == '"') {
				st = CSV_QUOTE;
			} else if (c == IN_EOF) {
				csv_field_end(r, false, &too_long);
				(void)snprintf(
				    badbuf, badlen,
				    "quoted field not closed: the %lu lines up to the end "
				    "of the file are skipped",
				    r->line - r->fline[0]);
				*bad = badbuf;
				goto done;
			} else {
				csv_store(r, c, &too_long);
			}
			break;
		case CSV_QUOTE: /* handled above */
		case CSV_AFTER:
			if (c == ' ' || c == '\t') {
				st = CSV_AFTER;
			} else if (c == ',') {
				csv_field_end(r, false, &too_long);
				csv_field_start(r);
				st = CSV_FIELD;
			} else if (c == '\n' || c == IN_EOF) {
				csv_field_end(r, false, &too_long);
				goto done;
			} else {
				if (!*bad)
					*bad = "text after the closing quote of a field";
				csv_store(r, c, &too_long);
				st = CSV_UNQUOTED;
			}
			break;
		}
	}
done:
	*blank = !any;
	if (!*bad && too_long)
		*bad = "record longer than 65536 bytes";
	if (!*bad && nul)
		*bad = "NUL byte in the record";
	if (r->nfields > CSV_FIELDS_MAX)
		r->nfields = CSV_FIELDS_MAX;
	return 1;
}

static const char *csv_field(const struct target_reader *r, int col)
{
	if (col < 0 || (size_t)col >= r->nfields)
		return "";
	return r->rec.data + r->fstart[col];
}

/* Map a header name to a column role; -1 when unknown. */
static int csv_header_role(const char *name)
{
	static const struct {
		const char *name;
		int role; /* 0 domain, 1 organisation, 2 category */
	} names[] = {
	    {"domain", 0},       {"domain name", 0}, {"domainname", 0},  {"organisation", 1},
	    {"organization", 1}, {"agency", 1},      {"organisatie", 1}, {"category", 2},
	    {"domain type", 2},  {"type", 2},        {"categorie", 2},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (str_ieq(name, names[i].name))
			return names[i].role;
	return -1;
}

/* A "tag:KEY" header column: 0 (mapped, or not a tag column), or -1 with
 * the problem in msg. */
static int csv_tag_column(struct target_reader *r, size_t col, int *known, char *msg, size_t msglen)
{
	const char *name = csv_field(r, (int)col), *key, *why;
	char shown[80];
	size_t k;

	if (!str_iprefix(name, "tag:"))
		return 0;
	(*known)++;
	for (key = name + 4; *key == ' ' || *key == '\t'; key++)
		;
	why = target_tag_key_check(key, strlen(key));
	for (k = 0; !why && k < r->ntagcols; k++)
		if (strcmp(r->tag_key[k], key) == 0)
			why = "the tag is named twice";
	if (!why && r->ntagcols == TARGET_TAGS_MAX)
		why = "more than 32 tag columns";
	if (why) {
		(void)snprintf(msg, msglen, "CSV header column '%s': %s",
			       str_show(shown, sizeof(shown), name), why);
		return -1;
	}
	r->col_tag[r->ntagcols] = (int)col;
	(void)str_copy(r->tag_key[r->ntagcols], sizeof(r->tag_key[0]), key);
	r->ntagcols++;
	return 0;
}

/*
 * The first record: a header when its first field is not a valid domain and
 * it names at least one known column. Returns 1 (header, columns mapped), 0
 * (data), -1 (fatal: a header without a domain column, or a bad tag column;
 * msg says which).
 */
static int csv_header(struct target_reader *r, char *msg, size_t msglen)
{
	int cols[3] = {-1, -1, -1}, known = 0;
	const char *why;
	size_t i;

	if (target_normalise(csv_field(r, 0), r->domain, sizeof(r->domain), &why) == 0)
		return 0;
	for (i = 0; i < r->nfields; i++) {
		int role = csv_header_role(csv_field(r, (int)i));

		if (role >= 0 && cols[role] < 0) {
			cols[role] = (int)i;
			known++;
		}
	}
	for (i = 0; i < r->nfields; i++)
		if (csv_tag_column(r, i, &known, msg, msglen) < 0)
			return -1;
	if (!known)
		return 0;
	if (cols[0] < 0) {
		(void)snprintf(msg, msglen,
			       "the CSV header names no domain column (expected 'domain' or "
			       "'Domain Name')");
		return -1;
	}
	r->col_domain = cols[0];
	r->col_org = cols[1];
	r->col_cat = cols[2];
	return 1;
}

/* The tag cells of a good record: handed to the callback; -1 (the record
 * reported invalid) when one is bad. */
static int csv_tags(struct target_reader *r, const char *name, unsigned long line)
{
	struct target_tag tags[TARGET_TAGS_MAX];
	const char *org = csv_field(r, r->col_org);
	size_t k, n = 0;

	for (k = 0; k < r->ntagcols; k++) {
		const char *v = csv_field(r, r->col_tag[k]), *why;
		char msg[160];

		if (!*v)
			continue;
		why = target_tag_value_check(v, strlen(v));
		if (why) {
			(void)snprintf(msg, sizeof(msg), "tag '%s': %s", r->tag_key[k], why);
			report(r, line, name, strlen(name), msg);
			return -1;
		}
		tags[n].key = r->tag_key[k];
		tags[n].value = v;
		n++;
	}
	if (n && !*org)
		tags_nameless(r, line);
	else if (n && r->on_tags)
		r->on_tags(org, tags, n, line, r->on_tags_arg);
	return 0;
}

static int csv_next(struct target_reader *r, struct target *t, char *err, size_t errlen)
{
	for (;;) {
		char badbuf[160];
		const char *bad, *why, *name;
		bool blank;
		int rc = csv_record(r, &bad, &blank, badbuf, sizeof(badbuf));

		if (rc == IN_ERR)
			return read_error(r, err, errlen);
		if (rc == CSV_STOP_NUL || rc == CSV_STOP_STREAM)
			return long_stop(r, r->fline[0], rc == CSV_STOP_NUL, err, errlen);
		if (rc == 0)
			return 0;
		name = csv_field(r, r->col_domain);
		if (bad) {
			report(r, r->fline[0], name, strlen(name), bad);
			continue;
		}
		if (blank)
			continue;
		if (!r->header_done) {
			char msg[256];

			r->header_done = true;
			rc = csv_header(r, msg, sizeof(msg));
			if (rc < 0)
				return fail(r, err, errlen, "%s:%lu: %s", r->path, r->fline[0],
					    msg);
			if (rc > 0)
				continue;
		}
		name = csv_field(r, r->col_domain);
		if (target_normalise(name, r->domain, sizeof(r->domain), &why) < 0) {
			report(r, r->fline[(size_t)r->col_domain < r->nfields ? r->col_domain : 0],
			       name, strlen(name), why);
			continue;
		}
		t->line = r->fline[(size_t)r->col_domain < r->nfields ? r->col_domain : 0];
		if (csv_tags(r, name, t->line) < 0)
			continue;
		t->domain = r->domain;
		t->organisation = csv_field(r, r->col_org);
		t->category = csv_field(r, r->col_cat);
		return 1;
	}
}

/* ---- YAML ---- */

int target_yaml_nest(unsigned *depth, const yaml_event_t *ev)
{
	if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
		if (*depth >= TARGET_YAML_DEPTH_MAX)
			return -1;
		(*depth)++;
	} else if ((ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT) &&
		   *depth > 0) {
		(*depth)--;
	}
	return 0;
}

static int yaml_fail(struct target_reader *r, const yaml_mark_t *m, char *err, size_t errlen,
		     const char *what)
{
	return fail(r, err, errlen, "%s:%zu:%zu: %s", r->path, m->line + 1, m->column + 1, what);
}

/* Line and column of a byte offset, by reading the file again. */
static void offset_mark(struct target_reader *r, size_t offset, yaml_mark_t *m)
{
	size_t i;
	int c;

	m->line = 0;
	m->column = 0;
	if (fseek(r->f, 0, SEEK_SET) < 0)
		return;
	for (i = 0; i < offset && (c = getc(r->f)) != EOF; i++) {
		if (c == '\n') {
			m->line++;
			m->column = 0;
		} else {
			m->column++;
		}
	}
}

static int yaml_syntax(struct target_reader *r, char *err, size_t errlen)
{
	yaml_parser_t *p = &r->y.parser;
	yaml_mark_t m = p->problem_mark;
	char msg[400];

	if (p->error == YAML_MEMORY_ERROR)
		return fail(r, err, errlen, "%s: out of memory reading YAML", r->path);
	if (p->error == YAML_READER_ERROR)
		offset_mark(r, p->problem_offset, &m);
	if (p->context)
		(void)snprintf(msg, sizeof(msg), "YAML syntax error: %s (%s at line %zu)",
			       p->problem ? p->problem : "unknown", p->context,
			       p->context_mark.line + 1);
	else
		(void)snprintf(msg, sizeof(msg), "YAML syntax error: %s",
			       p->problem ? p->problem : "unknown");
	return yaml_fail(r, &m, err, errlen, msg);
}

/* A plain empty, "~" or "null" scalar: YAML's null. */
static bool yaml_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
		strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0);
}

static void yaml_emit(struct target_reader *r, struct target *t, unsigned long line)
{
	t->domain = r->domain;
	t->organisation = r->y.org ? r->y.org : "";
	t->category = r->y.cat ? r->y.cat : "";
	t->line = line;
}

/*
 * One domain entry of the current organisation. Returns 1 when *t is
 * filled, 0 when nothing is handed out now, -1 on a fatal error.
 */
static int yaml_domain(struct target_reader *r, const yaml_event_t *ev, struct target *t, char *err,
		       size_t errlen)
{
	struct yaml_reader *y = &r->y;
	const char *v = (const char *)ev->data.scalar.value;
	unsigned long line = ev->start_mark.line + 1, entry = y->entries++;
	const char *why;
	struct pending *p;

	if (y->overflow)
		return 0; /* only learning name and category; read again later */
	if (strlen(v) != ev->data.scalar.length)
		why = "NUL byte in the name";
	else if (target_normalise(v, r->domain, sizeof(r->domain), &why) == 0)
		why = NULL;
	if (why) {
		if (!y->replaying || entry >= y->replay_known)
			report(r, line, v, ev->data.scalar.length, why);
		return 0;
	}
	if (y->replaying || (y->have_name && y->have_cat)) {
		yaml_emit(r, t, line);
		return 1;
	}
	if (y->npend == TARGET_PENDING_MAX) {
		/* Too many to hold: read on to the end of the organisation for its
		 * name and category, then read it again from the file's start. */
		y->overflow = true;
		y->overflow_entries = y->entries;
		yaml_reset_org(y);
		return 0;
	}
	if (y->npend == y->pend_size) {
		size_t n = y->pend_size ? y->pend_size * 2 : 64;

		p = realloc(y->pend, n * sizeof(*p));
		if (!p)
			return yaml_fail(r, &ev->start_mark, err, errlen, "out of memory");
		y->pend = p;
		y->pend_size = n;
	}
	p = &y->pend[y->npend];
	p->name = strdup(r->domain);
	if (!p->name)
		return yaml_fail(r, &ev->start_mark, err, errlen, "out of memory");
	p->line = line;
	y->npend++;
	return 0;
}

/* name or category of the current organisation. */
static int yaml_label(struct target_reader *r, const yaml_event_t *ev, char **slot, bool *have,
		      const char *key, char *err, size_t errlen)
{
	char msg[128];

	if (r->y.replaying)
		return 0; /* known from the first reading */
	if (*have) {
		(void)snprintf(msg, sizeof(msg), "'%s' given twice in one organisation", key);
		return yaml_fail(r, &ev->start_mark, err, errlen, msg);
	}
	if (ev->data.scalar.length > TARGET_LABEL_MAX) {
		(void)snprintf(msg, sizeof(msg), "'%s' longer than %d bytes", key,
			       TARGET_LABEL_MAX);
		return yaml_fail(r, &ev->start_mark, err, errlen, msg);
	}
	free(*slot);
	*slot = str_dup(yaml_is_null(ev) ? "" : (const char *)ev->data.scalar.value);
	*have = true;
	if (r->y.have_name && r->y.have_cat && r->y.npend)
		r->y.flushing = true;
	return 0;
}

/* Start reading the file again to replay the organisation that overflowed. */
static int yaml_replay(struct target_reader *r, const yaml_event_t *ev, char *err, size_t errlen)
{
	struct yaml_reader *y = &r->y;
	yaml_mark_t m = ev->start_mark;

	y->replay_org = y->org_ordinal;
	y->replay_known = y->overflow_entries;
	y->overflow = false;
	yaml_parser_delete(&y->parser);
	y->live = false;
	if (fseek(r->f, 0, SEEK_SET) < 0) {
		char msg[200];

		(void)snprintf(msg, sizeof(msg),
			       "more than %d domains come before the organisation's name and "
			       "category, and the file cannot be read again; put them first",
			       TARGET_PENDING_MAX);
		return yaml_fail(r, &m, err, errlen, msg);
	}
	clearerr(r->f);
	if (yaml_start(r) < 0)
		return fail(r, err, errlen, "%s: out of memory", r->path);
	y->org_ordinal = 0;
	return 0;
}

/* The organisation ended: hand its tags out. */
static void yaml_tags_done(struct target_reader *r)
{
	struct yaml_reader *y = &r->y;
	struct target_tag tags[TARGET_TAGS_MAX];
	size_t i;

	if (!y->ntags)
		return;
	if (!y->org || !*y->org) {
		tags_nameless(r, y->tags_line);
		return;
	}
	for (i = 0; i < y->ntags; i++) {
		tags[i].key = y->tags[i].key;
		tags[i].value = y->tags[i].value;
	}
	if (r->on_tags)
		r->on_tags(y->org, tags, y->ntags, y->tags_line, r->on_tags_arg);
}

/* "tag 'KEY': why" at ev, fatal. */
static int yaml_tag_fail(struct target_reader *r, const yaml_event_t *ev, const char *key,
			 const char *why, char *err, size_t errlen)
{
	char msg[200], shown[80];

	(void)snprintf(msg, sizeof(msg), "tag '%s': %s", str_show(shown, sizeof(shown), key), why);
	return yaml_fail(r, &ev->start_mark, err, errlen, msg);
}

/* One event inside `tags: {KEY: VALUE, ...}`. 0 or -1. */
static int yaml_tag_event(struct target_reader *r, const yaml_event_t *ev, char *err, size_t errlen)
{
	struct yaml_reader *y = &r->y;
	const yaml_mark_t *m = &ev->start_mark;
	const char *v = ev->type == YAML_SCALAR_EVENT ? (const char *)ev->data.scalar.value : "";
	size_t len = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.length : 0, i;
	const char *why;

	switch (y->state) {
	case Y_TAGS:
		if (ev->type == YAML_MAPPING_START_EVENT) {
			y->state = Y_TAG_KEY;
			return 0;
		}
		if (ev->type == YAML_SCALAR_EVENT && yaml_is_null(ev)) {
			y->state = Y_ORG_KEY;
			return 0;
		}
		return yaml_fail(r, m, err, errlen,
				 "'tags' must be a mapping of keys to text, e.g. "
				 "{ministerie: BZK}");
	case Y_TAG_KEY:
		if (ev->type == YAML_MAPPING_END_EVENT) {
			y->state = Y_ORG_KEY;
			return 0;
		}
		if (ev->type != YAML_SCALAR_EVENT)
			return yaml_fail(r, m, err, errlen, "a tag key must be text");
		why = strlen(v) != len ? "NUL byte in a tag key" : target_tag_key_check(v, len);
		for (i = 0; !why && i < y->ntags; i++)
			if (strcmp(y->tags[i].key, v) == 0)
				why = "given twice in one organisation";
		if (!why && y->ntags == TARGET_TAGS_MAX)
			why = "more than 32 tags in one organisation";
		if (why)
			return yaml_tag_fail(r, ev, v, why, err, errlen);
		(void)str_copy(y->tags[y->ntags].key, sizeof(y->tags[0].key), v);
		y->state = Y_TAG_VALUE;
		return 0;
	default: /* Y_TAG_VALUE */
		if (ev->type != YAML_SCALAR_EVENT)
			return yaml_tag_fail(r, ev, y->tags[y->ntags].key,
					     "the value must be text, not a list or mapping", err,
					     errlen);
		y->state = Y_TAG_KEY;
		if (yaml_is_null(ev) || len == 0)
			return 0; /* no value: no tag */
		why = strlen(v) != len ? "NUL byte in a tag value" : target_tag_value_check(v, len);
		if (why)
			return yaml_tag_fail(r, ev, y->tags[y->ntags].key, why, err, errlen);
		(void)str_copy(y->tags[y->ntags].value, sizeof(y->tags[0].value), v);
		y->ntags++;
		return 0;
	}
}

/* Begin skipping the node that starts with ev; then go to state next. */
static void yaml_skip(struct yaml_reader *y, const yaml_event_t *ev, enum yaml_state next)
{
	y->state = next;
	if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT)
		y->skip_depth = 1;
}

/*
 * Handle one event. Returns 1 when *t is filled, 0 to read on, 2 at the
 * end, -1 on a fatal error.
 */
static int yaml_event(struct target_reader *r, const yaml_event_t *ev, struct target *t, char *err,
		      size_t errlen)
{
	struct yaml_reader *y = &r->y;
	const yaml_mark_t *m = &ev->start_mark;
	const char *v = ev->type == YAML_SCALAR_EVENT ? (const char *)ev->data.scalar.value : "";

	if (y->skip_depth) {
		if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT)
			y->skip_depth++;
		else if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT)
			y->skip_depth--;
		return 0;
	}
	if (y->skipping) {
		y->skipping = false;
		yaml_skip(y, ev, y->skip_to);
		return 0;
	}
	if (ev->type == YAML_ALIAS_EVENT)
		return yaml_fail(r, m, err, errlen, "YAML aliases (*name) are not supported here");
	switch (y->state) {
	case Y_STREAM:
		if (ev->type == YAML_STREAM_START_EVENT)
			return 0;
		if (ev->type == YAML_STREAM_END_EVENT) {
			y->state = Y_END;
			return 2;
		}
		if (ev->type == YAML_DOCUMENT_START_EVENT) {
			y->state = Y_DOC;
			y->seen_orgs = false;
			return 0;
		}
		break;
	case Y_DOC:
		if (ev->type == YAML_MAPPING_START_EVENT) {
			y->state = Y_ROOT_KEY;
			return 0;
		}
		if (ev->type == YAML_SCALAR_EVENT && yaml_is_null(ev)) {
			y->state = Y_DOC_END; /* an empty document */
			return 0;
		}
		return yaml_fail(r, m, err, errlen,
				 "expected a mapping with an 'organisations' list at the top");
	case Y_DOC_END:
		if (ev->type == YAML_DOCUMENT_END_EVENT) {
			y->state = Y_STREAM;
			return 0;
		}
		break;
	case Y_ROOT_KEY:
		if (ev->type == YAML_MAPPING_END_EVENT) {
			if (!y->seen_orgs)
				return yaml_fail(r, m, err, errlen,
						 "no 'organisations' list in this document");
			y->state = Y_DOC_END;
			return 0;
		}
		if (ev->type != YAML_SCALAR_EVENT)
			return yaml_fail(r, m, err, errlen, "expected a key (plain text)");
		if (strcmp(v, "organisations") == 0 || strcmp(v, "organizations") == 0) {
			y->seen_orgs = true;
			y->state = Y_ORGS;
		} else {
			y->skipping = true; /* unknown top-level key: its value is ignored */
			y->skip_to = Y_ROOT_KEY;
		}
		return 0;
	case Y_ORGS:
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			y->state = Y_ORG_ITEM;
			return 0;
		}
		if (ev->type == YAML_SCALAR_EVENT && yaml_is_null(ev)) {
			y->state = Y_ROOT_KEY;
			return 0;
		}
		return yaml_fail(r, m, err, errlen, "'organisations' must be a list");
	case Y_ORG_ITEM:
		if (ev->type == YAML_SEQUENCE_END_EVENT) {
			y->state = Y_ROOT_KEY;
			return 0;
		}
		if (ev->type == YAML_SCALAR_EVENT && yaml_is_null(ev))
			return 0; /* an empty "-" entry */
		if (ev->type != YAML_MAPPING_START_EVENT)
			return yaml_fail(r, m, err, errlen,
					 "an organisation must be a mapping (name, category, "
					 "domains)");
		y->org_ordinal++;
		if (y->replay_org && y->org_ordinal < y->replay_org) {
			yaml_skip(y, ev, Y_ORG_ITEM); /* handed out before the replay */
			return 0;
		}
		y->replaying = y->replay_org && y->org_ordinal == y->replay_org;
		if (y->replaying)
			y->replay_org = 0;
		if (!y->replaying) {
			free(y->org);
			free(y->cat);
			y->org = NULL;
			y->cat = NULL;
			y->have_name = false;
			y->have_cat = false;
		}
		y->entries = 0;
		y->ntags = 0;
		y->have_tags = false;
		yaml_reset_org(y);
		y->state = Y_ORG_KEY;
		return 0;
	case Y_ORG_KEY:
		if (ev->type == YAML_MAPPING_END_EVENT) {
			y->state = Y_ORG_ITEM;
			if (y->overflow)
				return yaml_replay(r, ev, err, errlen);
			yaml_tags_done(r);
			y->replaying = false;
			if (y->npend)
				y->flushing = true;
			return 0;
		}
		if (ev->type != YAML_SCALAR_EVENT)
			return yaml_fail(r, m, err, errlen, "expected a key (plain text)");
		if (strcmp(v, "name") == 0) {
			y->state = Y_ORG_NAME;
		} else if (strcmp(v, "category") == 0) {
			y->state = Y_ORG_CAT;
		} else if (strcmp(v, "domains") == 0) {
			y->state = Y_DOMAINS;
		} else if (strcmp(v, "tags") == 0) {
			if (y->have_tags)
				return yaml_fail(r, m, err, errlen,
						 "'tags' given twice in one organisation");
			y->have_tags = true;
			y->tags_line = m->line + 1;
			y->state = Y_TAGS;
		} else {
			y->skipping = true; /* unknown key: ignored */
			y->skip_to = Y_ORG_KEY;
		}
		return 0;
	case Y_ORG_NAME:
	case Y_ORG_CAT: {
		bool name = y->state == Y_ORG_NAME;

		if (ev->type != YAML_SCALAR_EVENT)
			return yaml_fail(r, m, err, errlen,
					 name ? "'name' must be text" : "'category' must be text");
		y->state = Y_ORG_KEY;
		return yaml_label(r, ev, name ? &y->org : &y->cat,
				  name ? &y->have_name : &y->have_cat, name ? "name" : "category",
				  err, errlen);
	}
	case Y_DOMAINS:
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			y->state = Y_DOMAIN_ITEM;
			return 0;
		}
		if (ev->type == YAML_SCALAR_EVENT) {
			y->state = Y_ORG_KEY;
			if (yaml_is_null(ev))
				return 0;
			return yaml_domain(r, ev, t, err, errlen); /* one name, no list */
		}
		return yaml_fail(r, m, err, errlen, "'domains' must be a list of names");
	case Y_DOMAIN_ITEM:
		if (ev->type == YAML_SEQUENCE_END_EVENT) {
			y->state = Y_ORG_KEY;
			return 0;
		}
		if (ev->type != YAML_SCALAR_EVENT)
			return yaml_fail(r, m, err, errlen,
					 "a domain must be a name, not a list or mapping");
		return yaml_domain(r, ev, t, err, errlen);
	case Y_TAGS:
	case Y_TAG_KEY:
	case Y_TAG_VALUE:
		return yaml_tag_event(r, ev, err, errlen);
	case Y_END:
		return 2;
	}
	return yaml_fail(r, m, err, errlen, "unexpected YAML structure");
}

static int yaml_next(struct target_reader *r, struct target *t, char *err, size_t errlen)
{
	struct yaml_reader *y = &r->y;

	for (;;) {
		yaml_event_t ev;
		int rc;

		if (y->flushing) {
			if (y->pend_pos < y->npend) {
				struct pending *p = &y->pend[y->pend_pos++];

				(void)str_copy(r->domain, sizeof(r->domain), p->name);
				yaml_emit(r, t, p->line);
				return 1;
			}
			yaml_reset_org(y);
		}
		if (y->state == Y_END)
			return 0;
		if (!yaml_parser_parse(&y->parser, &ev))
			return yaml_syntax(r, err, errlen);
		if (target_yaml_nest(&y->depth, &ev) < 0)
			rc = yaml_fail(r, &ev.start_mark, err, errlen, TARGET_YAML_DEPTH_MSG);
		else
			rc = yaml_event(r, &ev, t, err, errlen);
		yaml_event_delete(&ev);
		if (rc == 2)
			return 0;
		if (rc != 0)
			return rc;
	}
}

int target_next(struct target_reader *r, struct target *t, char *err, size_t errlen)
{
	if (r->state < 0) {
		set_err(err, errlen, r->fatal);
		return -1;
	}
	if (r->state > 0)
		return 0;
	switch (r->fmt) {
	case TARGET_YAML: {
		int rc = yaml_next(r, t, err, errlen);

		if (rc == 0)
			r->state = 1;
		return rc;
	}
	case TARGET_CSV:
		return csv_next(r, t, err, errlen);
	default:
		return text_next(r, t, err, errlen);
	}
}
