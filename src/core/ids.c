/* ids — random and derived base58 identifiers. */
#include "core/ids.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* 17 bytes = 136 bits fit in 24 base58 digits (58^24 > 2^140). */
#define ID_BYTES 17

/* 58^5: five base58 digits per division of the whole number. */
#define B58_5 656356768u

int ids_base58(const unsigned char *bytes, size_t len, size_t width, char *out, size_t outlen)
{
    uint32_t w[16];
    unsigned char padded[64];
    char tmp[96];
    size_t nw = (len + 3) / 4, first = 0, n = 0, i;

    if (len > sizeof(padded))
        return -1;
    /* The big-endian number as 32-bit words, zero-padded on the left. */
    memset(padded, 0, nw * 4 - len);
    if (len)
        memcpy(padded + nw * 4 - len, bytes, len);
    for (i = 0; i < nw; i++)
        w[i] = (uint32_t)padded[4 * i] << 24 | (uint32_t)padded[4 * i + 1] << 16 |
               (uint32_t)padded[4 * i + 2] << 8 | padded[4 * i + 3];
    /* Repeated division by 58^5, least significant digits first. */
    do {
        uint64_t rem = 0;
        for (i = first; i < nw; i++) {
            uint64_t cur = rem << 32 | w[i];
            w[i] = (uint32_t)(cur / B58_5);
            rem = cur % B58_5;
        }
        while (first < nw && w[first] == 0)
            first++;
        for (int k = 0; k < 5; k++) {
            if (n >= sizeof(tmp))
                return -1;
            tmp[n++] = alphabet[rem % 58];
            rem /= 58;
        }
    } while (first < nw);
    /* No zero digits above the number's own (but at least one digit). */
    while (n > 1 && tmp[n - 1] == alphabet[0])
        n--;
    while (n < width && n < sizeof(tmp))
        tmp[n++] = alphabet[0];
    if (n + 1 > outlen)
        return -1;
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return (int)n;
}

void ids_random(char out[IDS_LEN + 1])
{
    unsigned char b[ID_BYTES];

    randombytes_buf(b, sizeof(b));
    ids_base58(b, sizeof(b), IDS_LEN, out, IDS_LEN + 1);
}

void ids_derive(char out[IDS_LEN + 1], const char *const parts[], size_t n)
{
    /* A fixed key: derived ids must be equal across installations and
     * databases. It separates this use of BLAKE2b from any other. */
    static const unsigned char key[crypto_generichash_KEYBYTES] = "hrbridge object id derivation";
    crypto_generichash_state st;
    unsigned char h[ID_BYTES];

    crypto_generichash_init(&st, key, sizeof(key), sizeof(h));
    for (size_t i = 0; i < n; i++) {
        unsigned char lenb[8];
        size_t len = strlen(parts[i]);
        for (int j = 0; j < 8; j++)
            lenb[j] = (unsigned char)(len >> (8 * j));
        crypto_generichash_update(&st, lenb, sizeof(lenb));
        crypto_generichash_update(&st, (const unsigned char *)parts[i], len);
    }
    crypto_generichash_final(&st, h, sizeof(h));
    ids_base58(h, sizeof(h), IDS_LEN, out, IDS_LEN + 1);
}

int ids_valid(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        if (i >= IDS_LEN || !strchr(alphabet, s[i]))
            return 0;
    }
    return i == IDS_LEN;
}
