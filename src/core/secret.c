/* secret — API key hashing and credential encryption with libsodium. */
#include "core/secret.h"

#include "core/alloc.h"
#include "core/err.h"
#include "core/ids.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int secret_init(void)
{
    /* A core file would hold the master key and whatever credentials were
     * decrypted at the time: none is written, and the limit cannot be
     * raised again by this process. */
    struct rlimit no_core = {0, 0};

    if (setrlimit(RLIMIT_CORE, &no_core) != 0)
        return ERR_INTERNAL;
    return sodium_init() < 0 ? ERR_INTERNAL : ERR_OK;
}

int secret_master_from_hex(struct secret_master *m, const char *hex)
{
    size_t bin_len = 0;
    const char *end = NULL;
    unsigned char key[SECRET_KEY_BYTES];

    if (strlen(hex) != 2 * SECRET_KEY_BYTES)
        return ERR_INVALID;
    if (sodium_hex2bin(key, sizeof(key), hex, strlen(hex), NULL, &bin_len, &end) != 0 ||
        bin_len != sizeof(key) || *end != '\0')
        return ERR_INVALID;
    memcpy(m->key, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    return ERR_OK;
}

static int create_key_file(struct secret_master *m, const char *path)
{
    char hex[2 * SECRET_KEY_BYTES + 2];
    int fd, rc = ERR_INTERNAL;

    randombytes_buf(m->key, sizeof(m->key));
    sodium_bin2hex(hex, sizeof(hex), m->key, sizeof(m->key));
    hex[2 * SECRET_KEY_BYTES] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out;
    if (write(fd, hex, 2 * SECRET_KEY_BYTES + 1) == 2 * SECRET_KEY_BYTES + 1 && fsync(fd) == 0)
        rc = ERR_OK;
    close(fd);
    if (rc != ERR_OK)
        unlink(path);
out:
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

int secret_master_load(struct secret_master *m, const char *path, int create)
{
    char hex[2 * SECRET_KEY_BYTES + 8];
    struct stat st;
    ssize_t n;
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        rc = create_key_file(m, path);
        if (rc == ERR_OK || errno != EEXIST)
            return rc;
        fd = open(path, O_RDONLY | O_CLOEXEC); /* another process made it first */
    }
    if (fd < 0)
        return errno == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
    if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
        close(fd);
        return ERR_INVALID;
    }
    n = read(fd, hex, sizeof(hex) - 1);
    close(fd);
    if (n < 0)
        return ERR_INTERNAL;
    hex[n] = '\0';
    while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r' || hex[n - 1] == ' '))
        hex[--n] = '\0';
    rc = secret_master_from_hex(m, hex);
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

void secret_apikey_new(char out[SECRET_APIKEY_MAX])
{
    unsigned char b[32];

    memcpy(out, "hb_", 3);
    randombytes_buf(b, sizeof(b));
    ids_base58(b, sizeof(b), 0, out + 3, SECRET_APIKEY_MAX - 3);
    sodium_memzero(b, sizeof(b));
}

void secret_apikey_hash(const char *key, size_t len, char out[SECRET_HASH_HEX])
{
    /* A plain fast hash is right here: keys are 256 random bits, so there is
     * nothing to brute-force, and the hash is the lookup key. */
    unsigned char h[32];

    crypto_generichash(h, sizeof(h), (const unsigned char *)key, len, NULL, 0);
    sodium_bin2hex(out, SECRET_HASH_HEX, h, sizeof(h));
}

unsigned char *secret_seal(const struct secret_master *m, const char *ad, const char *plain,
                           size_t plain_len, size_t *out_len)
{
    size_t npub = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    size_t len = npub + plain_len + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *out = xmalloc(len);
    unsigned long long clen = 0;

    randombytes_buf(out, npub);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + npub, &clen, (const unsigned char *)plain,
                                               plain_len, (const unsigned char *)ad, strlen(ad),
                                               NULL, out, m->key);
    *out_len = npub + (size_t)clen;
    return out;
}

int secret_open(const struct secret_master *m, const char *ad, const unsigned char *sealed,
                size_t sealed_len, char **out)
{
    size_t npub = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    size_t abytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned long long plen = 0;
    char *plain;

    if (sealed_len < npub + abytes)
        return ERR_INVALID;
    plain = xmalloc(sealed_len - npub - abytes + 1);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)plain, &plen, NULL, sealed + npub, sealed_len - npub,
            (const unsigned char *)ad, strlen(ad), sealed, m->key) != 0) {
        free(plain);
        return ERR_INVALID;
    }
    plain[plen] = '\0';
    *out = plain;
    return ERR_OK;
}

void secret_free_text(char *s)
{
    if (!s)
        return;
    sodium_memzero(s, strlen(s));
    free(s);
}

int secret_equal(const void *a, const void *b, size_t len)
{
    return sodium_memcmp(a, b, len) == 0;
}
