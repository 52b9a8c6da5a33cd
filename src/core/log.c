/* log — levelled logfmt lines on stderr. */
#include "core/log.h"

#include "core/isotime.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int log_level_current = LOG_INFO;
static char trace[128];

int log_set_level(const char *name)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    int i;

    for (i = 0; i < 4; i++) {
        if (strcmp(name, names[i]) == 0) {
            log_level_current = i;
            return 0;
        }
    }
    return -1;
}

void log_set_trace(const char *components)
{
    snprintf(trace, sizeof(trace), ",%s,", components ? components : "");
}

int log_enabled(int level, const char *comp)
{
    char needle[40];

    if (level <= log_level_current)
        return 1;
    if (!trace[0] || trace[1] == ',')
        return 0;
    snprintf(needle, sizeof(needle), ",%s,", comp);
    return strstr(trace, needle) != NULL;
}

void log_write(int level, const char *comp, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char line[2048];
    char ts[ISOTIME_LEN];
    size_t n;
    int m;
    va_list ap;

    isotime_format(isotime_now_ms(), ts);
    m = snprintf(line, sizeof(line), "ts=%s level=%s comp=%s ", ts,
                 names[level < 0 || level > 3 ? 0 : level], comp);
    n = m < 0 ? 0 : (size_t)m;
    if (n < sizeof(line)) {
        va_start(ap, fmt);
        m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
        va_end(ap);
        n += m < 0 ? 0 : (size_t)m;
    }
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line so concurrent threads never interleave within it. */
    fwrite(line, 1, n, stderr);
}
