/*
 * buf.h - growable byte buffer with a hard cap.
 *
 * Everything read from the network goes into a struct buf whose cap is set
 * when it is made, so a hostile peer can never make us allocate without
 * bound. The data is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef MAILSCAN_BUF_H
#define MAILSCAN_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;  /* owned; NULL until the first append */
	size_t len;  /* bytes used, not counting the terminating NUL */
	size_t size; /* bytes allocated */
	size_t max;  /* hard cap on len; 0 means no cap */
};

/* Initialise an empty buffer with a cap (0: none). Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Free the data; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

/* Forget the contents, keep the allocation. */
void buf_reset(struct buf *b);

/*
 * Append bytes. Returns 0, or -1 when the cap would be exceeded or memory
 * runs out; on -1 the buffer is unchanged.
 */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);

/* The contents as a C string ("" when empty); borrowed, valid until the next
 * change to the buffer. */
const char *buf_str(const struct buf *b);

/* Hand the data over to the caller (who frees it), leaving b empty. Never
 * returns NULL: an empty buffer yields an allocated "" (NULL on OOM only). */
char *buf_steal(struct buf *b);

#endif
