/*
 * secret — everything that handles secrets: API keys (generated, then kept
 * only as a BLAKE2b hash), and remote credentials (encrypted at rest with
 * XChaCha20-Poly1305 under the master key, bound to the integration id so a
 * ciphertext cannot be moved to another row). Buffers that held secrets are
 * wiped with sodium_memzero before they are freed.
 */
#ifndef HB_CORE_SECRET_H
#define HB_CORE_SECRET_H

#include <stddef.h>

#define SECRET_KEY_BYTES  32
#define SECRET_HASH_HEX   65 /* 32-byte hash as hex + NUL */
#define SECRET_APIKEY_MAX 64

/* The master key, loaded once at startup. */
struct secret_master {
    unsigned char key[SECRET_KEY_BYTES];
};

/* Initialises libsodium and switches off core files for the process (a
 * dump would hold the master key). Returns ERR_OK or ERR_INTERNAL. Call
 * once, first. */
int secret_init(void);

/* Parses 64 hex characters into m. Returns ERR_OK or ERR_INVALID. */
int secret_master_from_hex(struct secret_master *m, const char *hex);

/* Loads the master key from path (64 hex characters, optional newline). When
 * the file does not exist and create is set, writes a new random key there
 * with mode 0600. Returns ERR_OK, ERR_NOT_FOUND (missing, create unset),
 * ERR_INVALID (bad content or permissions wider than 0600) or ERR_INTERNAL. */
int secret_master_load(struct secret_master *m, const char *path, int create);

/* Writes a new API key ("hb_" + base58, NUL-terminated) into out. */
void secret_apikey_new(char out[SECRET_APIKEY_MAX]);

/* Hashes an API key into hex (SECRET_HASH_HEX bytes). */
void secret_apikey_hash(const char *key, size_t len, char out[SECRET_HASH_HEX]);

/* Encrypts plaintext for the row identified by ad. Returns a new buffer
 * (nonce || ciphertext || tag) the caller frees, its length in *out_len. */
unsigned char *secret_seal(const struct secret_master *m, const char *ad, const char *plain,
                           size_t plain_len, size_t *out_len);

/* Decrypts what secret_seal() made. Returns ERR_OK and a new NUL-terminated
 * plaintext in *out (caller wipes with secret_free_text), or ERR_INVALID when
 * the ciphertext, key or ad does not match. */
int secret_open(const struct secret_master *m, const char *ad, const unsigned char *sealed,
                size_t sealed_len, char **out);

/* Wipes and frees a NUL-terminated secret. Accepts NULL. */
void secret_free_text(char *s);

/* Constant-time equality of two equal-length byte strings. */
int secret_equal(const void *a, const void *b, size_t len);

#endif
