/*
 * ids — Kombo-shaped identifiers: 24 characters of base58. Random ones for
 * things hrbridge creates (environments, keys, integrations, sync runs), and
 * derived ones (a keyed hash of what the object is) for synced records and
 * integration fields, so re-syncs, restarts and a move to another database
 * keep every id.
 */
#ifndef HB_CORE_IDS_H
#define HB_CORE_IDS_H

#include <stddef.h>

#define IDS_LEN 24 /* characters, without the NUL */

/* Writes a new random id (IDS_LEN chars + NUL) into out. */
void ids_random(char out[IDS_LEN + 1]);

/* Writes the id derived from parts (n strings, each may be empty, none NULL)
 * into out. The same parts always give the same id; different parts give
 * different ids (the parts are length-prefixed before hashing). */
void ids_derive(char out[IDS_LEN + 1], const char *const parts[], size_t n);

/* Whether s is exactly IDS_LEN base58 characters. */
int ids_valid(const char *s);

/* Encodes len bytes as base58 (Bitcoin alphabet) into out (outlen bytes,
 * NUL-terminated, left-padded with '1' to width chars when width > 0).
 * Returns the number of characters, or -1 if out is too small. */
int ids_base58(const unsigned char *bytes, size_t len, size_t width, char *out, size_t outlen);

#endif
