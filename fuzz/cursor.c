/*
 * cursor — the cursor decoder's target. The file under test is included to
 * reach its MAC, so the target can also sign arbitrary payloads: a random
 * cursor almost never passes the MAC, and what the decoder does after it
 * (prefix, length and NUL checks) would otherwise go unfuzzed.
 */
#include "core/cursor.c"

#include "core/alloc.h"
#include "fuzz/targets.h"

#include <stdlib.h>

#define KIND "hris_employees"

/* A cursor for payload (any bytes) with a valid MAC, or "" when too long. */
static void sign(const struct secret_master *m, const uint8_t *payload, size_t len,
                 char out[CURSOR_MAX + 64])
{
    unsigned char tag[MAC_BYTES];
    size_t n;

    out[0] = '\0';
    if (sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) +
            sodium_base64_ENCODED_LEN(MAC_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1 >
        CURSOR_MAX + 64)
        return;
    mac(m, (const char *)payload, len, tag);
    sodium_bin2base64(out, CURSOR_MAX + 64, payload, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    n = strlen(out);
    out[n++] = '.';
    sodium_bin2base64(out + n, CURSOR_MAX + 64 - n, tag, MAC_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int fuzz_cursor(const uint8_t *data, size_t size)
{
    const struct secret_master *m = &fuzz_app()->master;
    char *text = xstrndup((const char *)data, size);
    char last[CURSOR_KEY_MAX], enc[CURSOR_MAX], forged[CURSOR_MAX + 64];
    struct err e;

    /* The input as a cursor a client sent. */
    err_init(&e);
    if (cursor_decode(m, KIND, FUZZ_INTEGRATION, text, last, &e) == ERR_OK &&
        strlen(last) >= CURSOR_KEY_MAX)
        abort();

    /* The input as a payload signed with the server's key: whatever it
     * holds, the position that comes out is a string of bounded length. */
    sign(m, data, size, forged);
    err_init(&e);
    if (forged[0] && cursor_decode(m, KIND, FUZZ_INTEGRATION, forged, last, &e) == ERR_OK &&
        (strlen(last) >= CURSOR_KEY_MAX || size < strlen(last)))
        abort();

    /* The input as the position of a page: what is encoded decodes to the
     * same position, for this list only. */
    if (cursor_encode(m, KIND, FUZZ_INTEGRATION, text, enc) == ERR_OK) {
        err_init(&e);
        if (strlen(enc) >= CURSOR_MAX ||
            cursor_decode(m, KIND, FUZZ_INTEGRATION, enc, last, &e) != ERR_OK ||
            strcmp(last, text) != 0)
            abort();
        if (cursor_decode(m, "hris_groups", FUZZ_INTEGRATION, enc, last, &e) == ERR_OK ||
            cursor_decode(m, KIND, "personio:other", enc, last, &e) == ERR_OK)
            abort();
    }
    free(text);
    return 0;
}
