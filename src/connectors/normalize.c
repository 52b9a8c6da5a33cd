/* normalize — dates, timestamps, numbers and strings into unified form. */
#include "connectors/normalize.h"

#include "core/err.h"
#include "core/isotime.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *normalize_date(const json_t *v)
{
    const char *s = json_string_value(v);
    char date[11], out[ISOTIME_LEN];
    int64_t ms;

    if (!s || strlen(s) < 10 || strncmp(s, "0000-00-00", 10) == 0)
        return json_null();
    memcpy(date, s, 10);
    date[10] = '\0';
    /* The rest, if any, must still be a valid date-time. */
    if (isotime_parse(date, &ms) != ERR_OK || (s[10] && isotime_parse(s, &(int64_t){0}) != ERR_OK))
        return json_null();
    isotime_format(ms, out);
    return json_string(out);
}

json_t *normalize_timestamp(const json_t *v)
{
    const char *s = json_string_value(v);
    char out[ISOTIME_LEN];
    int64_t ms;

    if (!s || isotime_parse(s, &ms) != ERR_OK)
        return json_null();
    isotime_format(ms, out);
    return json_string(out);
}

json_t *normalize_number(const json_t *v)
{
    const char *s;
    char *end = NULL;
    double d;

    if (json_is_integer(v))
        return json_integer(json_integer_value(v));
    if (json_is_real(v))
        return json_real(json_real_value(v));
    s = json_string_value(v);
    if (!s || !*s)
        return json_null();
    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(d))
        return json_null();
    /* "40" stays the integer 40; "37.5" becomes 37.5. */
    if (d == floor(d) && fabs(d) < 1e15 && !strpbrk(s, ".eE"))
        return json_integer((json_int_t)d);
    return json_real(d);
}

json_t *normalize_string(const json_t *v)
{
    const char *s = json_string_value(v);

    return s && *s ? json_string(s) : json_null();
}
