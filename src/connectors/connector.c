/* connector — the table of connectors by tool, and what they share. */
#include "connectors/connector.h"

#include <curl/curl.h>
#include <string.h>

int conn_escape(struct buf *b, const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    int rc;

    if (!e)
        return ERR_NOMEM;
    if (strcmp(e, ".") == 0 || strcmp(e, "..") == 0)
        rc = buf_append_str(b, e[1] ? "%2E%2E" : "%2E");
    else
        rc = buf_append_str(b, e);
    curl_free(e);
    return rc;
}

int conn_response_known(const struct conn_sink *sink, const char *key, const struct buf *body,
                        int *is_known, const char **memo)
{
    *is_known = 0;
    *memo = NULL;
    return sink->known ? sink->known(sink->ud, key, body, is_known, memo) : ERR_OK;
}

int conn_response_mapped(const struct conn_sink *sink, const char *memo)
{
    return sink->mapped ? sink->mapped(sink->ud, memo) : ERR_OK;
}

void conn_response_context(const struct conn_sink *sink, const void *data, size_t len)
{
    if (sink->context)
        sink->context(sink->ud, data, len);
}

const struct connector *connector_find(const char *tool)
{
    static const struct connector *const all[] = {&connector_personio, &connector_bamboohr,
                                                  &connector_hibob, &connector_factorial};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(all[i]->tool, tool) == 0)
            return all[i];
    }
    return NULL;
}
