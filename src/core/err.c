/* err — status codes and client-facing error details. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

void err_init(struct err *e)
{
    e->code = ERR_OK;
    e->msg[0] = '\0';
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return code;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

const char *err_name(int code)
{
    static const char *const names[] = {
        "ERR_OK",        "ERR_NOMEM",        "ERR_INVALID", "ERR_NOT_FOUND",         "ERR_CONFLICT",
        "ERR_TOO_LARGE", "ERR_UNAUTHORIZED", "ERR_REMOTE",  "ERR_REMOTE_RATE_LIMIT", "ERR_STORE",
        "ERR_INTERNAL",
    };

    if (code < 0 || code >= (int)(sizeof(names) / sizeof(names[0])))
        return "ERR_UNKNOWN";
    return names[code];
}
