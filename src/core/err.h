/*
 * err — the one status enum of the program, and the error detail that travels
 * beside it to the client. Every fallible function returns an int holding one
 * of the ERR_* values; functions that validate client or remote input also
 * fill a struct err with a short message naming what was wrong. Only http/
 * maps these to HTTP statuses and envelope codes.
 */
#ifndef HB_CORE_ERR_H
#define HB_CORE_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_NOMEM,
    ERR_INVALID,
    ERR_NOT_FOUND,
    ERR_CONFLICT,
    ERR_TOO_LARGE,
    ERR_UNAUTHORIZED,
    ERR_REMOTE,
    ERR_REMOTE_RATE_LIMIT,
    ERR_STORE,
    ERR_INTERNAL,
};

#define ERR_MSG_MAX 256

/* What went wrong, for the client. Embedded by the caller; err_init() clears it. */
struct err {
    int code;              /* one of enum err_code */
    char msg[ERR_MSG_MAX]; /* human-readable, never holds secrets or HR values */
};

/* Clears e to ERR_OK with an empty message. */
void err_init(struct err *e);

/* Sets code and a printf-style message, returns code (so callers can write
 * `return err_set(e, ERR_INVALID, "page_size: %s", why);`). e may be NULL. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Static name of a code, e.g. "ERR_INVALID". */
const char *err_name(int code);

#endif
