/*
 * cursor — opaque, tamper-evident pagination cursors. A cursor names what
 * is being listed (kind and integration) and the last key of the page
 * (keyset paging: every page costs what the first costs). It is the
 * URL-safe base64 of that text followed by a MAC under a key derived from
 * the master key, so a forged or edited cursor, or one from another list,
 * is refused.
 */
#ifndef HB_CORE_CURSOR_H
#define HB_CORE_CURSOR_H

#include "core/err.h"
#include "core/secret.h"

#include <stddef.h>

#define CURSOR_MAX     512 /* encoded length limit */
#define CURSOR_KEY_MAX 128 /* the position inside */

/* Writes the cursor for (kind, integration, last) into out (CURSOR_MAX).
 * Returns ERR_OK, or ERR_TOO_LARGE when the parts are too long. */
int cursor_encode(const struct secret_master *m, const char *kind, const char *integration,
                  const char *last, char out[CURSOR_MAX]);

/* Checks a cursor against kind and integration and writes its position into
 * last (CURSOR_KEY_MAX). Returns ERR_OK, or ERR_INVALID with e saying why. */
int cursor_decode(const struct secret_master *m, const char *kind, const char *integration,
                  const char *cursor, char last[CURSOR_KEY_MAX], struct err *e);

#endif
