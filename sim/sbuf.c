/*
 * sbuf — growing output buffer with JSON/XML escaping (see sbuf.h).
 */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
    fputs("hrsim: out of memory\n", stderr);
    abort();
}

void sbuf_init(struct sbuf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sbuf_free(struct sbuf *b)
{
    if (!b)
        return;
    free(b->data);
    sbuf_init(b);
}

void sbuf_reset(struct sbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sbuf_reserve(struct sbuf *b, size_t n)
{
    size_t need = b->len + n + 1;
    size_t cap;
    char *p;

    if (need <= b->cap)
        return;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p)
        oom();
    b->data = p;
    b->cap = cap;
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
    sbuf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sbuf_adds(struct sbuf *b, const char *s)
{
    sbuf_add(b, s, strlen(s));
}

void sbuf_addc(struct sbuf *b, char c)
{
    sbuf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sbuf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sbuf_add_i64(struct sbuf *b, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    sbuf_reserve(b, n);
    while (n)
        b->data[b->len++] = tmp[--n];
    b->data[b->len] = '\0';
}

void sbuf_add_centi(struct sbuf *b, int64_t hundredths)
{
    uint64_t u = hundredths < 0 ? (uint64_t)0 - (uint64_t)hundredths : (uint64_t)hundredths;
    uint64_t frac = u % 100;

    if (hundredths < 0)
        sbuf_addc(b, '-');
    sbuf_add_i64(b, (int64_t)(u / 100));
    if (!frac)
        return;
    sbuf_addc(b, '.');
    sbuf_addc(b, (char)('0' + frac / 10));
    if (frac % 10)
        sbuf_addc(b, (char)('0' + frac % 10));
}

void sbuf_add_jstr(struct sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run;

    if (!s) {
        sbuf_add(b, "null", 4);
        return;
    }
    sbuf_addc(b, '"');
    while (*p) {
        run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            sbuf_add(b, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        switch (*p) {
        case '"':
            sbuf_add(b, "\\\"", 2);
            break;
        case '\\':
            sbuf_add(b, "\\\\", 2);
            break;
        case '\n':
            sbuf_add(b, "\\n", 2);
            break;
        case '\r':
            sbuf_add(b, "\\r", 2);
            break;
        case '\t':
            sbuf_add(b, "\\t", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            sbuf_add(b, u, sizeof(u));
            break;
        }
        }
        p++;
    }
    sbuf_addc(b, '"');
}

void sbuf_add_xml(struct sbuf *b, const char *s)
{
    const char *run;

    if (!s)
        return;
    while (*s) {
        run = s;
        while (*s && !strchr("&<>\"'", *s))
            s++;
        if (s > run)
            sbuf_add(b, run, (size_t)(s - run));
        if (!*s)
            break;
        switch (*s) {
        case '&':
            sbuf_adds(b, "&amp;");
            break;
        case '<':
            sbuf_adds(b, "&lt;");
            break;
        case '>':
            sbuf_adds(b, "&gt;");
            break;
        case '"':
            sbuf_adds(b, "&quot;");
            break;
        default:
            sbuf_adds(b, "&apos;");
            break;
        }
        s++;
    }
}

char *sbuf_take(struct sbuf *b, size_t *len)
{
    char *p;

    if (!b->data)
        sbuf_reserve(b, 0);
    p = b->data;
    b->data[b->len] = '\0';
    if (len)
        *len = b->len;
    sbuf_init(b);
    return p;
}
