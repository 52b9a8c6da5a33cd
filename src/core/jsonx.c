/* jsonx — faithful compact serialisation and small getters. */
#include "core/jsonx.h"

#include "core/err.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest "%.Ng" that parses back to exactly d. */
static int dump_real(double d, struct buf *b)
{
    char tmp[40];

    if (!isfinite(d))
        return buf_append_str(b, "null");
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* Keep it a JSON real: "1e+20" is valid JSON, "5" would turn a real into an integer. */
    if (!strpbrk(tmp, ".eE"))
        memcpy(tmp + strlen(tmp), ".0", 3);
    return buf_append_str(b, tmp);
}

int jsonx_dump(const json_t *v, struct buf *b)
{
    int rc = ERR_OK;

    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        int first = 1;
        rc = buf_append_char(b, '{');
        json_object_foreach ((json_t *)v, key, item) {
            if (rc == ERR_OK && !first)
                rc = buf_append_char(b, ',');
            if (rc == ERR_OK)
                rc = buf_append_json_string(b, key, strlen(key));
            if (rc == ERR_OK)
                rc = buf_append_char(b, ':');
            if (rc == ERR_OK)
                rc = jsonx_dump(item, b);
            first = 0;
        }
        return rc == ERR_OK ? buf_append_char(b, '}') : rc;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        rc = buf_append_char(b, '[');
        json_array_foreach ((json_t *)v, i, item) {
            if (rc == ERR_OK && i)
                rc = buf_append_char(b, ',');
            if (rc == ERR_OK)
                rc = jsonx_dump(item, b);
        }
        return rc == ERR_OK ? buf_append_char(b, ']') : rc;
    }
    case JSON_STRING:
        return buf_append_json_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return buf_printf(b, "%" PRId64, (int64_t)json_integer_value(v));
    case JSON_REAL:
        return dump_real(json_real_value(v), b);
    case JSON_TRUE:
        return buf_append_str(b, "true");
    case JSON_FALSE:
        return buf_append_str(b, "false");
    default:
        return buf_append_str(b, "null");
    }
}

const char *jsonx_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}
