/* ids — random and derived base58 identifiers. */
#include "core/ids.h"

#include <sodium.h>
#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* 17 bytes = 136 bits fit in 24 base58 digits (58^24 > 2^140). */
#define ID_BYTES 17

int ids_base58(const unsigned char *bytes, size_t len, size_t width, char *out, size_t outlen)
{
    unsigned char num[64];
    char tmp[96];
    size_t n = 0, i;

    if (len > sizeof(num))
        return -1;
    memcpy(num, bytes, len);
    /* Repeated division of the big-endian number by 58. */
    for (;;) {
        int nonzero = 0;
        unsigned rem = 0;
        for (i = 0; i < len; i++) {
            unsigned cur = rem * 256 + num[i];
            num[i] = (unsigned char)(cur / 58);
            rem = cur % 58;
            nonzero |= num[i];
        }
        if (n >= sizeof(tmp))
            return -1;
        tmp[n++] = alphabet[rem];
        if (!nonzero)
            break;
    }
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
