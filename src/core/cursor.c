/* cursor — keyset cursors: base64url(payload) "." base64url(mac). */
#include "core/cursor.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MAC_BYTES 16

static void derive_key(const struct secret_master *m, unsigned char key[32])
{
    static const unsigned char ctx[] = "hrbridge cursor key";

    crypto_generichash(key, 32, ctx, sizeof(ctx) - 1, m->key, sizeof(m->key));
}

static void mac(const struct secret_master *m, const char *payload, size_t len,
                unsigned char out[MAC_BYTES])
{
    unsigned char key[32];

    derive_key(m, key);
    crypto_generichash(out, MAC_BYTES, (const unsigned char *)payload, len, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
}

int cursor_encode(const struct secret_master *m, const char *kind, const char *integration,
                  const char *last, char out[CURSOR_MAX])
{
    char payload[CURSOR_KEY_MAX + 160];
    unsigned char tag[MAC_BYTES];
    size_t len, b64;
    int n;

    n = snprintf(payload, sizeof(payload), "1\x1f%s\x1f%s\x1f%s", kind, integration, last);
    if (n < 0 || (size_t)n >= sizeof(payload) || strlen(last) >= CURSOR_KEY_MAX)
        return ERR_TOO_LARGE;
    len = (size_t)n;
    b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (b64 + sodium_base64_ENCODED_LEN(MAC_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1 >
        CURSOR_MAX)
        return ERR_TOO_LARGE;
    mac(m, payload, len, tag);
    sodium_bin2base64(out, CURSOR_MAX, (const unsigned char *)payload, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    len = strlen(out);
    out[len++] = '.';
    sodium_bin2base64(out + len, CURSOR_MAX - len, tag, MAC_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return ERR_OK;
}

int cursor_decode(const struct secret_master *m, const char *kind, const char *integration,
                  const char *cursor, char last[CURSOR_KEY_MAX], struct err *e)
{
    char payload[CURSOR_MAX], expect_prefix[256];
    unsigned char tag[MAC_BYTES], want[MAC_BYTES];
    const char *dot = strchr(cursor ? cursor : "", '.');
    size_t plen = 0, tlen = 0, prefix;

    if (!cursor || !dot || strlen(cursor) >= CURSOR_MAX)
        return err_set(e, ERR_INVALID, "cursor: malformed");
    if (sodium_base642bin((unsigned char *)payload, sizeof(payload) - 1, cursor,
                          (size_t)(dot - cursor), NULL, &plen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        sodium_base642bin(tag, sizeof(tag), dot + 1, strlen(dot + 1), NULL, &tlen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        tlen != MAC_BYTES)
        return err_set(e, ERR_INVALID, "cursor: malformed");
    mac(m, payload, plen, want);
    if (sodium_memcmp(tag, want, MAC_BYTES) != 0)
        return err_set(e, ERR_INVALID, "cursor: not a cursor this server issued");
    payload[plen] = '\0';
    snprintf(expect_prefix, sizeof(expect_prefix), "1\x1f%s\x1f%s\x1f", kind, integration);
    prefix = strlen(expect_prefix);
    if (plen < prefix || memcmp(payload, expect_prefix, prefix) != 0)
        return err_set(e, ERR_INVALID, "cursor: it belongs to another list");
    if (plen - prefix >= CURSOR_KEY_MAX || memchr(payload + prefix, '\0', plen - prefix))
        return err_set(e, ERR_INVALID, "cursor: malformed");
    memcpy(last, payload + prefix, plen - prefix);
    last[plen - prefix] = '\0';
    return ERR_OK;
}
