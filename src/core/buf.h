/*
 * buf — a growable byte buffer with a hard size limit. The bytes are always
 * NUL-terminated (the terminator is not counted in len), so text can be used
 * as a C string. Appending past the limit fails with ERR_TOO_LARGE and leaves
 * the buffer as it was. Never keep b->data across an append: it may move.
 */
#ifndef HB_CORE_BUF_H
#define HB_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* hard limit on len; 0 means no limit */
};

/* Initialises an empty buffer that may grow to max bytes (0: unlimited). */
void buf_init(struct buf *b, size_t max);

/* Frees the bytes; b can be reused after buf_init(). */
void buf_free(struct buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Appends n bytes. Returns ERR_OK or ERR_TOO_LARGE. */
int buf_append(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. */
int buf_append_str(struct buf *b, const char *s);

/* Appends one byte. */
int buf_append_char(struct buf *b, char c);

/* Appends printf-style formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends s as a JSON string literal, quotes included. */
int buf_append_json_string(struct buf *b, const char *s, size_t n);

/* Returns the bytes (never NULL: "" when empty). Borrowed, valid until the
 * next change of b. */
const char *buf_str(const struct buf *b);

/* Hands the bytes to the caller (never NULL) and leaves b empty. */
char *buf_take(struct buf *b);

#endif
