/*
 * jsonx — helpers over jansson. The main one writes a parsed value back as
 * compact JSON text that mirrors what the remote sent: strings, integers,
 * booleans, null, objects (keys in their original order) and arrays as they
 * were, and real numbers in their shortest form that reads back to the same
 * double ("0.1", not jansson's "0.10000000000000001").
 */
#ifndef HB_CORE_JSONX_H
#define HB_CORE_JSONX_H

#include "core/buf.h"

#include <jansson.h>

/* Appends v as compact JSON text to b. Returns ERR_OK or ERR_TOO_LARGE. */
int jsonx_dump(const json_t *v, struct buf *b);

/* The string value of key in obj, or NULL when absent or not a string.
 * Borrowed from obj. */
const char *jsonx_str(const json_t *obj, const char *key);

#endif
