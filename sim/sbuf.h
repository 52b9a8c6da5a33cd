/*
 * sbuf — a growing byte buffer used to build response bodies. It knows how to
 * append JSON string literals and XML text with correct escaping, and fast
 * integer formatting, because hrsim emits its JSON by hand for speed (request
 * bodies are parsed with jansson, never by hand).
 *
 * Out of memory aborts the program (the hrbridge OOM policy); no function here
 * fails. The buffer is always NUL-terminated after its len bytes.
 */
#ifndef HB_SIM_SBUF_H
#define HB_SIM_SBUF_H

#include <stddef.h>
#include <stdint.h>

struct sbuf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
};

/* Initialises an empty buffer (no allocation). */
void sbuf_init(struct sbuf *b);

/* Releases the storage; the struct itself is the caller's. Safe on NULL and
 * on an initialised, never-used buffer. */
void sbuf_free(struct sbuf *b);

/* Empties the buffer but keeps its storage. */
void sbuf_reset(struct sbuf *b);

/* Makes room for n more bytes. */
void sbuf_reserve(struct sbuf *b, size_t n);

/* Appends n raw bytes. */
void sbuf_add(struct sbuf *b, const char *s, size_t n);

/* Appends a NUL-terminated string as raw bytes. */
void sbuf_adds(struct sbuf *b, const char *s);

/* Appends one byte. */
void sbuf_addc(struct sbuf *b, char c);

/* Appends printf-formatted text. */
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a decimal integer. */
void sbuf_add_i64(struct sbuf *b, int64_t v);

/* Appends a fixed-point number given in hundredths (1250 -> "12.5",
 * 1200 -> "12", -5 -> "-0.05"), the shortest exact decimal form. */
void sbuf_add_centi(struct sbuf *b, int64_t hundredths);

/* Appends s as a quoted JSON string with escaping; NULL appends null. */
void sbuf_add_jstr(struct sbuf *b, const char *s);

/* Appends s with XML escaping of & < > " ' (no quotes around it). */
void sbuf_add_xml(struct sbuf *b, const char *s);

/* Hands the storage to the caller (free() it) and re-initialises b. Never
 * returns NULL: an empty buffer yields an empty string. */
char *sbuf_take(struct sbuf *b, size_t *len);

#endif
