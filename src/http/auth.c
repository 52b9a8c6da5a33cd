/* auth — API key and integration checks. */
#include "http/auth.h"

#include "api/app.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/secret.h"
#include "http/ratelimit.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

int auth_api_key(struct req *rq, struct resp *rs)
{
    const char *h = req_header(rq, "Authorization");
    char hash[SECRET_HASH_HEX];
    const char *key;
    size_t len;
    int rc, retry_after = 0;

    /* Two keys are ambiguous: a proxy may have added one. Refuse rather
     * than pick. */
    if (req_header_count(rq, "Authorization") > 1) {
        resp_error(rs, HE_AUTHENTICATION_INVALID, "send exactly one Authorization header");
        return ERR_UNAUTHORIZED;
    }
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        resp_error(rs, HE_AUTHENTICATION_INVALID,
                   "missing API key: send it as \"Authorization: Bearer <key>\"");
        return ERR_UNAUTHORIZED;
    }
    key = h + 7;
    while (*key == ' ')
        key++;
    len = strlen(key);
    while (len > 0 && key[len - 1] == ' ')
        len--;
    if (len == 0 || len > SECRET_APIKEY_MAX) {
        resp_error(rs, HE_AUTHENTICATION_INVALID, "the API key is invalid");
        return ERR_UNAUTHORIZED;
    }
    secret_apikey_hash(key, len, hash);
    rc = store_apikey_lookup(rq->app->store, hash, rq->environment_id);
    /* Only known keys get a bucket, so made-up keys cannot fill the table;
     * the bucket is found by the stored hash, never by the key. */
    if (rc == ERR_OK &&
        !ratelimit_allow(rq->ratelimit, hash, strlen(hash), isotime_mono_ms(), &retry_after)) {
        rs->retry_after = retry_after;
        resp_error(rs, HE_RATE_LIMIT, "too many requests with this API key; retry in %d s",
                   retry_after);
        rc = ERR_REMOTE_RATE_LIMIT;
    }
    sodium_memzero(hash, sizeof(hash));
    if (rc == ERR_REMOTE_RATE_LIMIT)
        return rc;
    if (rc == ERR_NOT_FOUND) {
        resp_error(rs, HE_AUTHENTICATION_INVALID, "the API key is invalid");
        return ERR_UNAUTHORIZED;
    }
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        return rc;
    }
    return ERR_OK;
}

int auth_load_integration(struct req *rq, struct resp *rs, const char *id)
{
    int rc;

    /* Ids are UTF-8; other bytes name nothing (and PostgreSQL would refuse
     * them as a text parameter). */
    if (!req_utf8_valid(id)) {
        resp_error(rs, HE_INTEGRATION_NOT_FOUND, "integration %.64s does not exist", id);
        return ERR_NOT_FOUND;
    }
    if (strlen(id) >= STORE_INTEGRATION_ID_MAX) {
        resp_error(rs, HE_INTEGRATION_NOT_FOUND, "integration %.64s... does not exist", id);
        return ERR_NOT_FOUND;
    }
    store_integration_free(&rq->integration);
    rq->has_integration = 0;
    rc = store_integration_get(rq->app->store, rq->environment_id, id, &rq->integration);
    if (rc == ERR_NOT_FOUND) {
        resp_error(rs, HE_INTEGRATION_NOT_FOUND, "integration %s does not exist", id);
        return rc;
    }
    if (rc != ERR_OK) {
        resp_from_err(rs, rc, NULL);
        return rc;
    }
    rq->has_integration = 1;
    return ERR_OK;
}

int auth_integration(struct req *rq, struct resp *rs)
{
    const char *id = req_header(rq, "X-Integration-Id");

    if (!id || !*id) {
        resp_error(rs, HE_INPUT_INVALID, "the X-Integration-Id header is required");
        return ERR_INVALID;
    }
    if (req_header_count(rq, "X-Integration-Id") > 1) {
        resp_error(rs, HE_INPUT_INVALID, "the X-Integration-Id header is given more than once");
        return ERR_INVALID;
    }
    return auth_load_integration(rq, rs, id);
}
