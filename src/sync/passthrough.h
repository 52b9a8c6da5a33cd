/*
 * passthrough — POST /v1/passthrough/{tool}/{api}: one raw request to an
 * integration's remote API, authenticated with its stored credentials
 * through its connector, and only ever to that integration's base URL (the
 * caller's path cannot name another host). Answers Kombo's shape
 * {url, status, headers, data}.
 */
#ifndef HB_SYNC_PASSTHROUGH_H
#define HB_SYNC_PASSTHROUGH_H

#include "core/err.h"
#include "core/secret.h"
#include "store/store.h"

#include <jansson.h>

/* Validates body ({method, path, headers?, params?, data?}), performs the
 * request and returns {url, status, headers, data} as a new reference in
 * *out. ERR_INVALID (bad body, unknown api: e says why), ERR_UNAUTHORIZED
 * (the remote refused the credentials), ERR_REMOTE (the remote could not be
 * reached), ERR_NOT_FOUND (the tool has no such api). */
int passthrough_call(const struct store_integration *it, const struct secret_master *m,
                     const char *api, const json_t *body, json_t **out, struct err *e);

#endif
